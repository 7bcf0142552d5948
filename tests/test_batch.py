"""build on a folder: every unit and year below it, in parallel, one failure never stopping the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator import batch
from tests.helpers import check_package
from tests.test_cli import run

ROOT = Path(__file__).resolve().parents[1]


def make_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "全市各单位"
    shutil.copytree(ROOT / "reports" / "demo-county", folder / "示例县")
    for unit in ("东城所", "西城所", "南城所"):
        (folder / unit).mkdir()
        shutil.copy(ROOT / "reports" / "yongkang-police" / "2019.yaml", folder / unit / "2019.yaml")
    broken = folder / "西城所" / "2019.yaml"  # the failing unit sits in the middle of the list
    broken.write_text(broken.read_text(encoding="utf-8").replace("change: -25.8", "change: 很多"), encoding="utf-8")
    (folder / "notes.yaml").write_text("不是年份命名的文件：不处理\n", encoding="utf-8")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "2019.yaml").write_text("隐藏文件夹：不处理\n", encoding="utf-8")
    return folder


def test_build_a_folder_reports_every_success_and_failure(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    done = run("build", str(folder), cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "成功 5 份，失败 1 份" in done.stdout
    assert "西城所" in done.stdout and "“很多” 不是数字" in done.stdout
    for unit in ("东城所", "南城所"):
        check_package((folder / unit / "2019.docx").read_bytes())
    assert not (folder / "西城所" / "2019.docx").exists()
    assert sorted(p.name for p in (folder / "示例县").glob("*.docx")) == ["2021.docx", "2022.docx", "2023.docx"]
    assert not (folder / ".hidden" / "2019.docx").exists()


def test_all_good_exits_0(tmp_path: Path) -> None:
    folder = tmp_path / "units"
    shutil.copytree(ROOT / "reports" / "demo-county", folder / "示例县")
    done = run("build", str(folder), "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "成功 3 份，失败 0 份" in done.stdout


def test_two_files_for_one_year_are_refused_not_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "unit"
    shutil.copytree(ROOT / "reports" / "demo-county", folder)
    shutil.copy(folder / "2021.yaml", folder / "2021.yml")
    inputs, clashes = batch.find_inputs(folder)
    assert [p.name for p in inputs] == ["2022.yaml", "2023.yaml"]
    assert {o.source.name for o in clashes} == {"2021.yaml", "2021.yml"}
    assert all("两个数据文件" in o.problem for o in clashes)


def test_in_process_batch_keeps_order_and_outcomes(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    inputs, _ = batch.find_inputs(folder)
    seen: list[batch.Outcome] = []
    outcomes = batch.build_all(inputs, jobs=1, on_done=seen.append)
    assert [o.source for o in outcomes] == inputs and len(seen) == len(inputs)
    assert [o.ok for o in outcomes].count(False) == 1


def test_folder_with_output_option_is_a_usage_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    done = run("build", str(folder), "-o", str(tmp_path / "x.docx"), cwd=tmp_path)
    assert done.returncode == 2 and "不能用 -o" in done.stderr
