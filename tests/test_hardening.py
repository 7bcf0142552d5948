"""The fixes made while attacking the tool (issue 6), each pinned by a direct test. The corpus
(tests/test_corpus.py) shows the same through the command; these say exactly which piece does what."""

from __future__ import annotations

import errno
import io
import os
import re
import signal
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest

from generator import api
from generator.errors import ReportError
from generator.output import output_path, write_atomically
from generator.sandbox import MAX_SIZE, size, text_environment
from generator.sources import yaml_source
from generator.sources.raw import display_name
from generator.sources.xlsx_source import number_text
from tests.fixtures import odd_workbooks as odd
from tests.fixtures.bad_inputs import TEMPLATE, YEAR


def problems(path: Path) -> list[str]:
    with pytest.raises(ReportError) as caught:
        api.load(path)
    return [str(p) for p in caught.value.problems]


# --- generator/output.py --------------------------------------------------------------------------------------------


def test_a_report_name_near_the_length_limit_still_gets_a_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / ("永康市公安局" * 13 + "工作.docx")  # 245 bytes: the old temporary name was 260
    assert len(target.name.encode()) <= 255
    write_atomically(target, TEMPLATE.read_bytes())  # a real document: every one written is checked at the end
    assert target.read_bytes() == TEMPLATE.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_name_too_long_for_the_file_system_is_a_message_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as caught:
        output_path(tmp_path / "2023.yaml", tmp_path / ("长" * 90 + ".docx"))
    assert "文件名过长" in str(caught.value)


@pytest.mark.parametrize(
    ("code", "words"), [(errno.EFBIG, "文件超过了系统允许的大小"), (errno.EROFS, "只读"), (errno.EDQUOT, "磁盘配额")]
)
def test_why_a_write_failed_is_said_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    def fail(handle: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(ReportError) as caught:
        write_atomically(tmp_path / "报告.docx", b"new")
    assert words in str(caught.value) and "无法写入" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_as_the_temporary_file_is_created_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moment between creating the temporary file and remembering its name: Ctrl-C waits until it is known."""
    real = tempfile.mkstemp

    def interrupted(*args: object, **kwargs: object) -> tuple[int, str]:
        made = real(*args, **kwargs)  # type: ignore[call-overload]
        os.kill(os.getpid(), signal.SIGINT)  # arrives now, before mkstemp has even returned
        return made

    monkeypatch.setattr(tempfile, "mkstemp", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "报告.docx", b"new")
    assert list(tmp_path.iterdir()) == []


def test_the_rename_is_made_durable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[bool] = []
    real = os.fsync

    def fsync(handle: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(handle).st_mode))
        real(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomically(tmp_path / "报告.docx", TEMPLATE.read_bytes())
    assert synced == [False, True]  # the file's data, then the folder holding the new name


# --- generator/sources ----------------------------------------------------------------------------------------------


def test_a_control_character_in_yaml_names_its_line(tmp_path: Path) -> None:
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR.replace("第一段。", "第一\x07段。"), encoding="utf-8")
    (found,) = problems(source)
    assert "2023.yaml:7" in found and "U+0007" in found and "控制字符" in found


def test_utf8_with_a_damaged_byte_is_not_read_as_gbk_gibberish(tmp_path: Path) -> None:
    source = tmp_path / "2023.yaml"
    source.write_bytes(YEAR.encode().replace("第一段".encode(), b"\xe7\xac\xac\xff"))
    (found,) = problems(source)
    assert "2023.yaml:7" in found and "UTF-8" in found and "损坏的字节" in found


@pytest.mark.parametrize("name", ["2023.yaml", "2023.xlsx"])
def test_a_named_pipe_is_refused_without_reading_it(tmp_path: Path, name: str) -> None:
    os.mkfifo(tmp_path / name)  # reading would block for ever
    (found,) = problems(tmp_path / name)
    assert "不是普通文件" in found


def test_too_many_yaml_items_are_refused_before_they_are_built(tmp_path: Path) -> None:
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR + "x: [" + "a," * (yaml_source.MAX_NODES + 10) + "a]\n", encoding="utf-8")
    (found,) = problems(source)
    assert "数据项过多" in found and "2023.yaml:10" in found


@pytest.mark.parametrize("value", [9.999999999999995e27, 1e300, 1.7976931348623157e308, 10**40])
def test_huge_numbers_in_cells_are_text_not_a_crash(value: float) -> None:
    assert re.fullmatch(r"[0-9]+", number_text(value, "General"))
    assert re.fullmatch(r"[0-9]+\.0", number_text(value, "0.0%"))


def test_a_damaged_part_inside_the_zip_is_a_damaged_workbook(tmp_path: Path) -> None:
    data = bytearray(odd.save(odd.workbook()))
    start = data.index(b"docProps/app.xml") + len(b"docProps/app.xml")  # the first part's compressed bytes
    data[start + 5 : start + 9] = b"\xff\xff\xff\xff"
    source = tmp_path / "2023.xlsx"
    source.write_bytes(bytes(data))
    (found,) = problems(source)
    assert "损坏" in found and "2023.xlsx" in found


def test_a_sheet_whose_part_is_missing_is_not_dropped_in_silence(tmp_path: Path) -> None:
    from tests.fixtures.bad_inputs import _sheet_part_missing

    source = tmp_path / "2023.xlsx"
    source.write_bytes(_sheet_part_missing())
    (found,) = problems(source)
    assert "「指标」" in found and "缺失" in found


def test_a_number_cell_that_holds_nan_is_named(tmp_path: Path) -> None:
    data = odd.save(odd.workbook())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet3.xml":
                part = part.replace(b"<v>120</v>", b"<v>NaN</v>")
            target.writestr(info.filename, part)
    (tmp_path / "2023.xlsx").write_bytes(out.getvalue())
    (found,) = problems(tmp_path / "2023.xlsx")
    assert "「指标」C2" in found and "NaN" in found


def test_a_link_is_named_as_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "2023.yaml").write_text(YEAR, encoding="utf-8")
    (tmp_path / "报告.docx").symlink_to("2023.yaml")
    monkeypatch.chdir(tmp_path)
    assert display_name(Path("报告.docx")) == "报告.docx"
    with pytest.raises(ReportError) as caught:
        output_path(Path("2023.yaml"), Path("报告.docx"))
    assert str(caught.value).startswith("报告.docx：") and "输入文件本身" in str(caught.value)


# --- generator/sandbox.py and expressions ---------------------------------------------------------------------------


def test_size_counts_what_writing_out_costs() -> None:
    inner = [1] * 1000  # its items, and one for each of them: an empty list still costs something written out
    assert size("长" * 10) == 10
    assert size([inner] * 10) == 10 + 10 * 2000
    looped: list[object] = []
    looped.append(looped)
    assert size(looped) == 1  # a list holding itself is measured once


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("{% include 'x' %}", "不能用 include"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", None),  # RecursionError: the caller words it
        ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "计算超过"),
        ("{{ ('x' * 200000).replace('x', 'xx') }}", "替换生成的文字过长"),
        ("{% set a = 'x' * 150000 %}{{ a ~ a }}", "用 ~ 连接"),
    ],
)
def test_the_sandbox_stops_reading_files_and_bombs(expression: str, words: str | None) -> None:
    from jinja2.exceptions import SecurityError

    with pytest.raises((SecurityError, RecursionError)) as caught:
        text_environment().from_string(expression).render()
    if words:
        assert words in str(caught.value)


def test_a_recursive_macro_in_data_is_a_message(tmp_path: Path) -> None:
    source = tmp_path / "2023.yaml"
    source.write_text(
        YEAR.replace("- 第一段。", "- '{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}'"), encoding="utf-8"
    )
    (found,) = problems(source)
    assert "2023.yaml:7" in found and "调用自身" in found


def test_large_legitimate_text_still_passes_the_sandbox() -> None:
    """A table's XML or a long paragraph passed along is not made there: only growth past MAX_SIZE is refused."""
    big = "长" * (MAX_SIZE * 2)
    environment = text_environment()
    assert environment.from_string("{{ text|trim }}").render(text=big) == big
    assert environment.from_string("{{ text }}").render(text=big) == big


# --- issue 10: workbooks: a DTD anywhere in any part, and what would take minutes and gigabytes to read ----------

from generator.sources.xlsx_package import (  # noqa: E402
    MAX_MERGES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_STYLE_RECORDS,
    scan_package,
)
from tests.fixtures import corpus_package as package  # noqa: E402


def workbook_problems(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "2023.xlsx"
    path.write_bytes(data)
    return problems(path)


@pytest.mark.parametrize(
    ("part", "change"), package.WORKBOOK_DTDS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(package.WORKBOOK_DTDS)]
)
def test_a_dtd_anywhere_in_any_workbook_part_is_refused(tmp_path: Path, part: str, change: object) -> None:
    found = workbook_problems(tmp_path, package.workbook_with(part, change))  # type: ignore[arg-type]
    assert len(found) == 1 and "不安全的 XML 声明" in found[0] and "2023.xlsx" in found[0], found


@pytest.mark.parametrize("part", package.WORKBOOK_UTF16)
def test_a_workbook_part_saved_as_utf16_reads_as_usual(tmp_path: Path, part: str) -> None:
    path = tmp_path / "2023.xlsx"
    path.write_bytes(package.workbook_with(part, package._utf16()))
    assert api.load(path).report.indicators[0].name == "刑事发案数"


@pytest.mark.parametrize("form", ["short", "chinese", "rich", "prefixed"])
def test_a_shared_string_table_too_large_for_a_year_is_refused_before_openpyxl_reads_it(
    tmp_path: Path, form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to read the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    found = workbook_problems(tmp_path, package.many_strings(MAX_SHARED_STRINGS + 1_000, form))
    assert len(found) == 1 and "文字过多" in found[0], found


@pytest.mark.parametrize(("form", "utf16"), [("attributes", False), ("styled-cells", False),
                                             ("libreoffice", False), ("attributes", True)])  # fmt: skip
def test_a_sheet_formatted_to_the_last_row_is_read_without_its_empty_rows(
    tmp_path: Path, form: str, utf16: bool
) -> None:
    data = package.formatted_to_the_bottom(form, utf16=utf16)
    scanned = scan_package(data, "2023.xlsx")
    with zipfile.ZipFile(io.BytesIO(scanned.package)) as archive:
        sheet = archive.read("xl/worksheets/sheet3.xml")
    assert len(sheet) < 10_000 and sheet.count(b"<row") == 2  # what openpyxl gets: the header and the data row
    path = tmp_path / "2023.xlsx"
    path.write_bytes(data)
    indicator = api.load(path).report.indicators[0]
    assert (indicator.name, indicator.value) == ("刑事发案数", 120)


def test_rows_above_the_data_are_counted_and_refused_naming_the_sheet(tmp_path: Path) -> None:
    found = workbook_problems(tmp_path, package.formatted_to_the_bottom("attributes", before_data=True))
    assert len(found) == 1 and "「指标」" in found[0] and f"{MAX_ROWS} 行" in found[0], found


@pytest.mark.parametrize("form", ["formats", "fonts"])
def test_a_styles_part_with_more_records_than_excel_allows_is_refused(tmp_path: Path, form: str) -> None:
    found = workbook_problems(tmp_path, package.many_styles(MAX_STYLE_RECORDS + 100, form))
    assert len(found) == 1 and "格式过多" in found[0], found


def test_thousands_of_merged_ranges_are_refused(tmp_path: Path) -> None:
    found = workbook_problems(tmp_path, package.many_merges(MAX_MERGES + 10))
    assert len(found) == 1 and "合并单元格过多" in found[0] and "「指标」" in found[0], found


def test_an_ordinary_workbook_goes_to_openpyxl_unchanged() -> None:
    data = odd.save(odd.workbook())
    assert scan_package(data, "2023.xlsx").package is data
