"""The installed ``annual-report`` command, run as a user would: from another folder, on copies of the data."""

from __future__ import annotations

import hashlib
import os
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
    assert (tmp_path / "2022-我的模板.docx").is_file()  # a style of its own: 2022-<template>.docx


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


# --- one language, and the fix suggested (issue 9, point 5) ---------------------------------------------------------

COMMANDS = [[], ["build"], ["validate"], ["convert"], ["new-year"], ["template"], ["template", "list"],
            ["template", "copy"], ["template", "check"], ["serve"], ["verify"], ["import"]]  # fmt: skip
# Words a help text may hold in Latin letters: names of commands, options, styles, programs and file types.
ALLOWED_LATIN = {
    "annual", "report", "build", "validate", "convert", "new", "year", "template", "list", "copy", "check", "help",
    "version", "output", "pdf", "jobs", "force", "data", "newspaper", "official", "yaml", "xlsx", "docx", "Word",
    "WPS", "Excel", "YAML", "LibreOffice", "PDF", "CPU", "serve", "host", "port", "no", "browser",
    "ANNUAL", "REPORT", "PASSWORD", "verify", "import", "skip", "all", "organization",
}  # fmt: skip


def _latin_words(text: str) -> set[str]:
    import re

    return set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "annual-report")
def test_every_help_is_chinese_whole_and_consistently_punctuated(unit: Path, args: list[str]) -> None:
    done = run(*args, "--help", cwd=unit)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("用法："), text
    assert not _latin_words(text), _latin_words(text)  # no "Show this message", "Options", "Usage"
    assert "[x" not in text and "[default" not in text and "[required" not in text  # click's range and extras
    lines = text.splitlines()
    assert not [line for line in lines if line.rstrip().endswith(("...", "…")) and "[参数]..." not in line]
    assert "选项：" in lines or "  选项：" in text  # full-width colons after headings, like the text
    assert ":" not in text.replace("://", ""), "a half-width colon in Chinese text"
    import re

    assert not re.search(r"[\u4e00-\u9fff][,;()]|[,;()][\u4e00-\u9fff]", text), "half-width punctuation in Chinese"
    assert "->" not in text


def test_the_command_list_shows_every_summary_whole(unit: Path) -> None:
    from generator.cli import main

    done = run("--help", cwd=unit)
    flat = "".join(line.strip() for line in done.stdout.splitlines())
    for name, each in main.commands.items():
        assert each.short_help and each.short_help in flat, name
    done = run("template", "--help", cwd=unit)
    flat = "".join(line.strip() for line in done.stdout.splitlines())
    for name in ("list", "copy", "check"):
        assert main.commands["template"].commands[name].short_help in flat  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "2019.yaml", "-j", "0"], "“-j/--jobs”的值至少为 1，而不是 0"),
        (["build", "2019.yaml", "--jobs=-4"], "至少为 1"),
        (["build", "2019.yaml", "-j", "x"], "“-j/--jobs”的值应为整数，而不是“x”"),
        (["build", "2019.yaml", "-j", "1.5"], "应为整数"),
        (["build", "2019.yaml", "--pfd"], "没有这个选项“--pfd”；是否想用“--pdf”？"),
        (["build", "2019.yaml", "--forse"], "是否想用“--force”"),
        (["build", "2019.yaml", "--templte", "official"], "是否想用“--template”"),
        (["convert", "2019.yaml", "2019.xlsx", "--froce"], "是否想用“--force”"),
        (["new-year", "2019.yaml", "--outptu", "x.yaml"], "是否想用“--output”"),
        (["build", "2019.yaml", "--pdf=yes"], "选项“--pdf”不带值"),
        (["convert", "2019.yaml", "2019.xlsx", "--force=1"], "选项“--force”不带值"),
        (["validate", "2019.yaml", "-t"], "选项“-t”后面需要一个值"),
        (["new-year", "2019.yaml", "-o"], "选项“-o”后面需要一个值"),
        (["build", "2019.yaml", "--jobs"], "选项“--jobs”后面需要一个值"),
        (["convert", "2019.yaml"], "缺少参数“输出文件”"),
        (["template", "copy"], "缺少参数“样式名”"),
        (["template", "check"], "缺少参数“模板”"),
        (["validate"], "缺少参数“输入文件”"),
        (["build", "2019.yaml", "2022.yaml"], "多余的参数“2022.yaml”"),
        (["convert", "a.yaml", "b.xlsx", "c.xlsx"], "多余的参数“c.xlsx”"),
        (["template", "list", "official"], "多余的参数“official”"),
        (["biuld", "2019.yaml"], "没有“biuld”这个命令；是否想用“build”？"),
        (["newyear", "2019.yaml"], "是否想用“new-year”"),
        (["template", "cpy", "official", "x.docx"], "是否想用“copy”"),
        (["templates", "list"], "是否想用“template”"),
        (["--verbose"], "没有这个选项“--verbose”"),
    ],
)
def test_every_kind_of_usage_error_is_told_in_chinese_with_the_fix(unit: Path, args: list[str], expected: str) -> None:
    done = run(*args, cwd=unit)
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr, done.stderr
    assert "用法：annual-report" in done.stderr
    assert not _latin_words(done.stderr.replace("".join(args), "")) - set(" ".join(args).replace("-", " ").split())
    assert "Traceback" not in done.stderr and "Error" not in done.stderr and "Invalid" not in done.stderr


@pytest.mark.parametrize(
    ("typed", "present", "meant"),
    [
        ("2019.xslx", ["2019.xlsx", "2019.yaml"], "“2019.xlsx”"),
        ("2019", ["2019.yaml"], "“2019.yaml”"),
        ("2019", ["2019.yaml", "2019.xlsx"], "“2019.yaml”或“2019.xlsx”"),
        ("2019.ymal", ["2019.yaml"], "“2019.yaml”"),
        ("2O19.yaml", ["2019.yaml"], "“2019.yaml”"),
        ("数据/2019.yml", ["数据/2019.yaml"], "“数据/2019.yaml”"),
        ("数剧/2019.yaml", ["数据/2019.yaml"], "“数据/2019.yaml”"),
        ("2019.txt", ["2019.txt", "2019.yaml"], "“2019.yaml”"),
    ],
)
def test_a_mistyped_data_file_name_suggests_the_file_that_is_there(
    tmp_path: Path, typed: str, present: list[str], meant: str
) -> None:
    from tests.fixtures.bad_inputs import YEAR

    for name in present:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(YEAR.replace("2023", "2019"), encoding="utf-8")
    for args in (["build", typed], ["validate", typed], ["convert", typed, "x.xlsx"]):
        done = run(*args, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert f"{typed}：" in done.stderr and f"是否想用{meant}？" in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("style", "meant"),
    [("offical", "official"), ("Official", "official"), ("newpaper", "newspaper"), ("我局样式", "我局样式.docx"),
     ("我局样试.docx", "我局样式.docx")],
)  # fmt: skip
def test_a_mistyped_style_suggests_the_style_or_template_file(unit: Path, style: str, meant: str) -> None:
    shutil.copy(ROOT / "templates" / "newspaper.docx", unit / "我局样式.docx")
    done = run("build", "2019.yaml", "-t", style, cwd=unit)
    assert done.returncode == 1
    assert f"是否想用“{meant}”？" in done.stderr, done.stderr
    done = run("template", "copy", "offical", "x.docx", cwd=unit)
    assert done.returncode == 1 and "是否想用“official”？" in done.stderr, done.stderr


def _photo_year(unit: Path, written: str) -> None:
    source = unit / "2022.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("photos/2022/dance.jpg", written), encoding="utf-8")


@pytest.mark.parametrize(
    "written", ["photos\\2022\\dance.jpg", "photos\\2022/dance.jpg", ".\\photos\\2022\\dance.jpg",
                "Photos\\2022\\Dance.JPG", "PHOTOS/2022/DANCE.jpg"],
)  # fmt: skip
def test_photo_paths_written_on_windows_work_everywhere(unit: Path, written: str) -> None:
    _photo_year(unit, written)
    done = run("build", "2022.yaml", cwd=unit)
    assert done.returncode == 0, done.stderr
    assert "5 张照片" in done.stdout
    done = run("convert", "2022.yaml", "sub/2022.xlsx", cwd=unit)  # moved elsewhere: still the same picture
    assert done.returncode == 0, done.stderr
    done = run("build", "sub/2022.xlsx", cwd=unit)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("written", "meant", "where"),
    [
        ("photos/2022/dnace.jpg", "photos/2022/dance.jpg", "photos/2022 中没有这个文件"),
        ("photos\\2022\\danse.jpg", "photos\\2022\\dance.jpg", "photos/2022 中没有这个文件"),
        ("photo/2022/dance.jpg", "photos/2022/dance.jpg", "没有文件夹 photo"),
        ("photos/2021/dance.jpg", "photos/2022/dance.jpg", "没有文件夹 photos/2021"),
        ("photos/2022/dance.png", "photos/2022/dance.jpg", "photos/2022 中没有这个文件"),
    ],
)
def test_a_missing_photo_names_the_entry_as_written_and_the_closest_file(
    unit: Path, written: str, meant: str, where: str
) -> None:
    _photo_year(unit, written)
    done = run("build", "2022.yaml", cwd=unit)
    assert done.returncode == 1
    line = next(line for line in done.stderr.splitlines() if "photos[1].file" in line)
    assert f"图片“{written}”找不到" in line and where in line and f"是否想用“{meant}”" in line, line


@pytest.mark.parametrize("form", ["relative", "parent", "absolute", "dot"])
def test_paths_in_messages_are_shown_as_given(unit: Path, tmp_path: Path, form: str) -> None:
    _photo_year(unit, "photos/2022/missing.jpg")
    inside = tmp_path / "别处"
    inside.mkdir()
    given = {
        "relative": ("永康 市公安局/2022.yaml", tmp_path),
        "parent": ("../永康 市公安局/2022.yaml", inside),
        "absolute": (str(unit / "2022.yaml"), tmp_path),
        "dot": ("./2022.yaml", unit),
    }[form]
    done = run("validate", given[0], cwd=given[1])
    assert done.returncode == 1
    shown = given[0].removeprefix("./")
    assert f"  {shown}:" in done.stderr, done.stderr
    folder = str(Path(shown).parent / "photos" / "2022") if Path(shown).parent != Path(".") else "photos/2022"
    assert f"{folder} 中没有这个文件" in done.stderr, done.stderr


@pytest.mark.parametrize("kind", ["yaml", "xlsx"])
def test_a_year_file_holding_another_year_is_an_error(unit: Path, kind: str) -> None:
    (unit / "2020.yaml").write_text((unit / "2019.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    if kind == "xlsx":
        assert run("convert", "2019.yaml", "x.xlsx", cwd=unit).returncode == 0
        shutil.move(unit / "x.xlsx", unit / "2020.xlsx")
        (unit / "2020.yaml").unlink()
    done = run("build", f"2020.{kind}", cwd=unit)
    assert done.returncode == 1
    assert f"文件名是 2020.{kind}，年份（year）却是 2019" in done.stderr
    assert ("2020.yaml:5" if kind == "yaml" else "2020.xlsx 「基本信息」") in done.stderr, done.stderr
    assert not (unit / "2020.docx").exists()
    # convert and new-year never make such a file
    done = run("convert", "2019.yaml", "2021.xlsx", cwd=unit)
    assert done.returncode == 1 and "这是2019年的数据，文件名却是 2021.xlsx" in done.stderr
    done = run("new-year", "2019.yaml", "-o", "2025.yaml", cwd=unit)
    assert done.returncode == 1 and "2025.yaml" in done.stderr and not (unit / "2025.yaml").exists()


def test_another_years_file_holding_the_wrong_year_is_not_used(unit: Path) -> None:
    """2018.yaml that says 2017 is not taken as 2018's: its values are not used as 上年, and a note says why."""
    text = (unit / "2019.yaml").read_text(encoding="utf-8")
    (unit / "2018.yaml").write_text(text.replace("year: 2019", "year: 2017"), encoding="utf-8")
    done = run("validate", "2019.yaml", cwd=unit)
    assert done.returncode == 0, done.stderr
    assert "2018.yaml 里的年份（year）是 2017，与文件名不符" in done.stdout + done.stderr


# --- standard output closed or full (issue 10) -----------------------------------------------------------------------


def _close_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize(
    "args", [["build", "2019.yaml"], ["validate", "2019.yaml"], ["template", "list"], ["--help"], ["build", "--help"],
             ["convert", "2019.yaml", "2019.xlsx", "--force"], ["new-year", "2019.yaml", "--force"], ["--version"]],
)  # fmt: skip
@pytest.mark.parametrize("stdout", ["full", "closed"])
def test_standard_output_full_or_closed_ends_quietly_with_a_failure_code(
    unit: Path, args: list[str], stdout: str
) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([command(), *args], cwd=unit, stdout=full if stdout == "full" else None,
                              stderr=subprocess.PIPE, text=True, timeout=120, env=environment(),
                              preexec_fn=_close_stdout if stdout == "closed" else None, check=False)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr
    assert "无法写出命令的输出" in done.stderr


@pytest.mark.parametrize("args", [["build", "missing.yaml"], ["build", "2019.yaml", "--pfd"], ["build", "2019.yaml"]])
def test_standard_error_full_too_still_gives_the_right_code(unit: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([command(), *args], cwd=unit, stdout=full, stderr=full, timeout=120,
                              env=environment(), check=False)  # fmt: skip
    assert done.returncode == (2 if "--pfd" in args else 1)


@pytest.mark.parametrize(("style", "shown"), [(None, 5), ("official", 0), ("newspaper", 5)])
def test_the_build_summary_counts_the_photos_the_report_shows(unit: Path, style: str | None, shown: int) -> None:
    from docx import Document

    done = run("build", "2022.yaml", *(["-t", style] if style else []), cwd=unit)
    assert done.returncode == 0, done.stderr
    assert f"{shown} 张照片" in done.stdout, done.stdout
    report = unit / ("2022-official.docx" if style == "official" else "2022.docx")
    captions = [p for p in Document(str(report)).paragraphs if p.style.name == "图片"]
    assert len(captions) == shown
