"""The installed ``annual-report`` command, run as a user would: from another folder, on copies of the data."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import command, docx_lines, environment

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "reports" / "yongkang-police"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=environment())


@pytest.fixture
def unit(tmp_path: Path) -> Path:
    """A copy of the example unit in a folder of its own, as a user's folder would be."""
    target = tmp_path / "永康 市公安局"  # a Chinese name with a space, as Windows users have
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("*.docx", "*.pdf"))
    return target


def files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def test_build_writes_the_report_next_to_the_input(unit: Path) -> None:
    done = run("build", "2019.yaml", cwd=unit)
    assert done.returncode == 0, done.stderr
    assert "已生成 2019.docx" in done.stdout
    lines = docx_lines(unit / "2019.docx")
    assert "市公安局奋楫扬帆稳大局保平安" in lines


def test_build_with_output_and_template_options(unit: Path, tmp_path: Path) -> None:
    done = run(
        "build",
        str(unit / "2022.yaml"),
        "-o",
        str(tmp_path / "out" / "报告.docx"),
        "--template",
        "newspaper",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "报告.docx").is_file()
    custom = tmp_path / "我的模板.docx"
    shutil.copy(ROOT / "templates" / "newspaper.docx", custom)
    done = run("build", str(unit / "2022.yaml"), "-o", str(tmp_path), "-t", str(custom), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "2022.docx").is_file()


def test_validate_checks_and_writes_nothing(unit: Path) -> None:
    before = files(unit)
    done = run("validate", "2022.yaml", cwd=unit)
    assert done.returncode == 0, done.stderr
    assert "检查通过" in done.stdout and "5 张照片" in done.stdout
    assert files(unit) == before


def test_bad_data_exits_1_with_every_problem_in_chinese_and_writes_nothing(unit: Path) -> None:
    source = unit / "2019.yaml"
    text = source.read_text(encoding="utf-8")
    text = text.replace("headline:", "headlin:").replace("value: 697", "value: 六百九十七")
    source.write_text(text, encoding="utf-8")
    before = files(unit)
    done = run("build", "2019.yaml", cwd=unit)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "共 3 处问题" in done.stderr
    assert "2019.yaml:8" in done.stderr and "是否想写“headline”" in done.stderr
    assert "“六百九十七” 不是数字" in done.stderr
    assert files(unit) == before  # nothing written, the input untouched


def test_an_earlier_report_survives_a_failed_build(unit: Path) -> None:
    assert run("build", "2019.yaml", cwd=unit).returncode == 0
    report = unit / "2019.docx"
    earlier = report.read_bytes()
    source = unit / "2019.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("change: -25.8", "change: 很多"), encoding="utf-8")
    done = run("build", "2019.yaml", cwd=unit)
    assert done.returncode == 1
    assert report.read_bytes() == earlier
    assert sorted(p.name for p in unit.iterdir() if p.name.startswith(".~")) == []


def test_build_never_modifies_its_input_and_leaves_no_temporary_files(unit: Path) -> None:
    before = files(unit)
    assert run("build", "2022.yaml", cwd=unit).returncode == 0
    after = files(unit)
    assert after.pop("2022.docx")
    assert after == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build"], "缺少参数“输入文件"),
        (["build", "2019.yaml", "--colour"], "没有这个选项“--colour”"),
        (["bild", "2019.yaml"], "是否想用“build”"),
        (["build", "2019.yaml", "-o"], "需要一个值"),
        (["build", "a.yaml", "b.yaml"], "多余的参数"),
    ],
)
def test_usage_errors_exit_2(unit: Path, args: list[str], expected: str) -> None:
    done = run(*args, cwd=unit)
    assert done.returncode == 2
    assert expected in done.stderr and "用法" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["validate", "-h"]])
def test_help_is_in_chinese(unit: Path, args: list[str]) -> None:
    done = run(*args, cwd=unit)
    assert done.returncode == 0
    assert "用法：" in done.stdout and "选项" in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "2019.yaml", "-o", "2019.yaml"], "扩展名应为 .docx"),
        (["build", "2019.yaml", "-o", "2019.yaml/x.docx"], "无法写入"),
        (["build", "2019.yaml", "-t", "no-such-style"], "既不是内置样式"),
        (["build", "2019.yaml", "-t", "missing.docx"], "找不到模板文件"),
        (["build", "2019.yaml", "-t", "2019.yaml.docx"], "不是 .docx 文件"),
        (["build", "missing.yaml"], "找不到这个文件"),
        (["validate", "photos"], "不支持的输入文件类型"),
    ],
)
def test_bad_paths_exit_1_with_a_message(unit: Path, args: list[str], expected: str) -> None:
    (unit / "2019.yaml.docx").write_text("这不是 Word 文档", encoding="utf-8")
    before = files(unit)
    done = run(*args, cwd=unit)
    assert done.returncode == 1, done.stdout
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert files(unit) == before


def test_missing_photo_names_the_entry_and_line(unit: Path) -> None:
    (unit / "photos" / "2022" / "dance.jpg").unlink()
    done = run("build", "2022.yaml", cwd=unit)
    assert done.returncode == 1
    assert "2022.yaml:" in done.stderr and "photos[1].file" in done.stderr and "dance.jpg" in done.stderr
    assert not (unit / "2022.docx").exists()


def test_runs_as_a_module_too(unit: Path) -> None:
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "2019.yaml"],
        cwd=unit,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_convert_new_year_and_build_from_a_workbook(unit: Path) -> None:
    done = run("convert", "2019.yaml", "2019.xlsx", cwd=unit)
    assert done.returncode == 0, done.stderr
    assert "已写出 2019.xlsx" in done.stdout
    done = run("build", "2019.xlsx", "-o", "from-workbook.docx", cwd=unit)
    assert done.returncode == 0, done.stderr
    assert run("build", "2019.yaml", cwd=unit).returncode == 0
    assert docx_lines(unit / "from-workbook.docx") == docx_lines(unit / "2019.docx")
    done = run("convert", "2019.yaml", "2019.xlsx", cwd=unit)
    assert done.returncode == 1 and "已存在" in done.stderr and "--force" in done.stderr
    assert run("convert", "2019.yaml", "2019.xlsx", "--force", cwd=unit).returncode == 0
    done = run("new-year", "2022.yaml", cwd=unit)
    assert done.returncode == 0, done.stderr
    assert "2023.yaml" in done.stdout and (unit / "2023.yaml").is_file()
    done = run("new-year", "2022.yaml", "-o", "2023.xlsx", cwd=unit)
    assert done.returncode == 0, done.stderr
    done = run("build", "2023.xlsx", cwd=unit)
    assert done.returncode == 1 and "「指标」C2" in done.stderr and "还没有填写" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (unit / "2023.docx").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["convert", "2019.yaml", "2019.docx"], "扩展名应为 .xlsx"),
        (["convert", "2019.yaml", "2019.yaml"], "输入文件本身"),
        (["new-year", "2019.yaml", "-o", "2020.txt"], "扩展名应为 .xlsx"),
    ],
)
def test_convert_and_new_year_refuse_bad_targets(unit: Path, args: list[str], expected: str) -> None:
    before = files(unit)
    done = run(*args, cwd=unit)
    assert done.returncode == 1
    assert expected in done.stderr
    assert files(unit) == before
