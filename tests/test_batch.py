"""build on a folder: every unit and year below it, in parallel, one failure never stopping the rest."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator import batch
from tests.helpers import check_package, command, environment
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


def wide(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command with a terminal wide enough that the summary table keeps each row on one line."""
    return subprocess.run([command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**environment(), "COLUMNS": "400"}, check=False)  # fmt: skip


def _hashes(folder: Path, pattern: str) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob(pattern))}


def test_two_styles_of_one_year_never_overwrite_each_other(tmp_path: Path) -> None:
    """build reports/ then build reports/ -t official (and a user's template): each style keeps its own file,
    named the same way as by a single build."""
    folder = tmp_path / "reports"
    shutil.copytree(ROOT / "reports" / "demo-county", folder / "示例县")
    assert run("build", str(folder), cwd=tmp_path).returncode == 0
    newspaper = _hashes(folder, "20??.docx")
    assert sorted(newspaper) == ["示例县/2021.docx", "示例县/2022.docx", "示例县/2023.docx"]
    done = run("build", str(folder), "-t", "official", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2023-official.docx" in done.stdout
    shutil.copy(ROOT / "templates" / "newspaper.docx", tmp_path / "我局样式.docx")
    done = run("build", str(folder), "-t", str(tmp_path / "我局样式.docx"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _hashes(folder, "20??.docx") == newspaper  # untouched by the other styles
    for year in (2021, 2022, 2023):
        for name in (f"{year}-official.docx", f"{year}-我局样式.docx"):
            check_package((folder / "示例县" / name).read_bytes())
    single = run("build", str(folder / "示例县" / "2023.yaml"), "-t", "official", cwd=tmp_path)
    assert single.returncode == 0 and "2023-official.docx" in single.stdout  # the same name as the folder build


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("2020.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "另存为"),
        ("2020.csv", "指标,本年\n刑事发案数,120\n".encode(), "不支持的输入文件类型“.csv”"),
        ("2020.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "另存为"),
        ("2020.ods", b"PK\x03\x04", "不支持的输入文件类型“.ods”"),
        ("2020.yaml", b"year: 2019\n", "2020.yaml"),
    ],
)
def test_a_year_file_that_cannot_be_built_is_reported_not_skipped(
    tmp_path: Path, name: str, content: bytes, said: str
) -> None:
    folder = tmp_path / "unit"
    shutil.copytree(ROOT / "reports" / "demo-county", folder)
    (folder / name).write_bytes(content)
    if name == "2020.yaml":  # a 2020 file holding 2019's data
        (folder / name).write_text(
            (folder / "2021.yaml").read_text(encoding="utf-8").replace("year: 2021", "year: 2019"), encoding="utf-8"
        )
        said = "文件名是 2020.yaml，年份（year）却是 2019"
    done = wide("build", str(folder), "-j", "1", cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert "成功 3 份，失败 1 份" in done.stdout
    row = next(line for line in done.stdout.splitlines() if line.startswith(f"│ {name}"))
    assert "失败" in row and said in row, done.stdout


def test_a_report_open_in_word_fails_in_a_folder_build_unless_forced(tmp_path: Path) -> None:
    folder = tmp_path / "unit"
    shutil.copytree(ROOT / "reports" / "demo-county", folder)
    assert run("build", str(folder), cwd=tmp_path).returncode == 0
    (folder / "~$2022.docx").write_bytes(b"owner")
    earlier = (folder / "2022.docx").read_bytes()
    done = wide("build", str(folder), cwd=tmp_path)
    assert done.returncode == 1 and "成功 2 份，失败 1 份" in done.stdout
    row = next(line for line in done.stdout.splitlines() if line.startswith("│ 2022.yaml"))
    assert "请先在 Word/WPS 中关闭 2022.docx" in row, done.stdout
    assert (folder / "2022.docx").read_bytes() == earlier
    done = run("build", str(folder), "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
