"""The workbook writer: the model as an .xlsx people fill in, read back the way a spreadsheet program would."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from generator import api
from generator.errors import ReportError
from generator.model import Report
from generator.sources.layout import (
    BASIC_COLUMNS,
    BASIC_ITEMS,
    CHART_COLUMNS,
    HONOR_COLUMNS,
    INDICATOR_COLUMNS,
    PHOTO_COLUMNS,
    TEXT_COLUMNS,
    Column,
)
from generator.writers.workbook import MAX_WIDTH, VALIDATED_ROWS, number_format, text_width, workbook_bytes

EXAMPLES = Path(__file__).resolve().parents[1] / "reports" / "yongkang-police"
DATA_SHEETS: dict[str, tuple[Column, ...]] = {
    "基本信息": BASIC_COLUMNS,
    "正文": TEXT_COLUMNS,
    "指标": INDICATOR_COLUMNS,
    "荣誉": HONOR_COLUMNS,
    "照片": PHOTO_COLUMNS,
    "图表": CHART_COLUMNS,
}

MINIMAL: dict[str, Any] = {
    "organization": {"name": "测试县公安局"},
    "year": 2023,
    "headline": "县公安局工作综述",
    "sections": [{"heading": "第一部分", "paragraphs": ["第一段。"]}],
}


def example(year: int) -> Report:
    return api.load(EXAMPLES / f"{year}.yaml").report


def small(**changes: Any) -> Report:
    return Report.model_validate({**MINIMAL, **changes})


def opened(report: Report) -> Workbook:
    return load_workbook(io.BytesIO(workbook_bytes(report)))


def rows(ws: Worksheet, first: int = 2) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(min_row=first, values_only=True)]


def column_of(columns: tuple[Column, ...], key: str) -> int:
    return next(i for i, c in enumerate(columns) if c.key == key)


# ---------------------------------------------------------------------------------------------------------------
# Layout


@pytest.mark.parametrize("year", [2019, 2022])
def test_sheets_headers_and_frozen_rows(year: int) -> None:
    report = example(year)
    book = opened(report)
    tables = [f"附表{n}" for n in range(1, len(report.tables) + 1)] or ["附表1"]
    assert book.sheetnames == ["填写说明", "基本信息", "正文", "指标", "荣誉", "照片", "图表", *tables]
    for name, columns in DATA_SHEETS.items():
        ws = book[name]
        assert [c.value for c in ws[1]] == [c.header for c in columns]
        assert ws.freeze_panes == "A2"
        header = ws["A1"]
        assert header.font.b and header.fill.fgColor.rgb.endswith("DDEBF7") and header.border.bottom.style == "thin"
    for t, table in enumerate(report.tables):
        ws = book[f"附表{t + 1}"]
        assert (ws["A1"].value, ws["B1"].value) == ("表题", table.title)
        assert [c.value for c in ws[2]] == table.columns
        assert rows(ws, 3) == [[_number_or_text(cell) for cell in row] for row in table.rows]
        assert ws.freeze_panes == "A3"
        assert ws["A2"].font.b and ws["A1"].font.b


def _number_or_text(text: str) -> object:
    """What a table cell holds after reloading: the examples' cells are whole numbers or text."""
    return int(text) if text.isdigit() and not text.startswith("0") else text


def test_basic_information_rows() -> None:
    report = example(2022)
    ws = opened(report)["基本信息"]
    assert [row[0] for row in rows(ws)] == [item.label for item in BASIC_ITEMS]
    assert [row[2] for row in rows(ws)] == [item.note for item in BASIC_ITEMS]
    values = {row[0]: row[1] for row in rows(ws)}
    assert values["单位全称"] == "永康市公安局"
    assert values["单位简称"] == "市公安局"
    assert values["年份"] == 2022 and ws["B4"].data_type == "n"
    assert values["主题"] == report.headline
    assert values["副题"] is None  # empty, not ""
    assert values["署名前缀"] == "通讯员"
    assert values["署名姓名"] == "、".join(report.byline.names)


def test_no_byline_and_no_short_name_leave_cells_empty() -> None:
    values = {row[0]: row[1] for row in rows(opened(small())["基本信息"])}
    assert values["单位简称"] is None and values["署名前缀"] is None and values["署名姓名"] is None


@pytest.mark.parametrize("year", [2019, 2022])
def test_text_rows_are_the_reading_order(year: int) -> None:
    report = example(year)
    found = rows(opened(report)["正文"])
    assert all(row[0] for row in found), "类别 is written on every row"
    expected: list[list[Any]] = [["导语", None, None, p] for p in report.lead]
    expected += [["活动", None, None, p] for p in report.event]
    for section in report.sections:
        expected += [["正文", section.heading if i == 0 else None, None, p] for i, p in enumerate(section.paragraphs)]
    if report.outlook:
        outlook = report.outlook
        expected += [
            ["展望", (outlook.heading or None) if i == 0 else None, None, p] for i, p in enumerate(outlook.paragraphs)
        ]
    assert found == expected


def test_outlook_without_heading_and_several_sections() -> None:
    report = small(
        lead="导语一。\n\n导语二。",
        sections=[
            {"heading": "一", "paragraphs": ["a", "b"]},
            {"heading": "二", "paragraphs": ["c"]},
        ],
        outlook={"paragraphs": ["展望一", "展望二"]},
    )
    assert rows(opened(report)["正文"]) == [
        ["导语", None, None, "导语一。"],
        ["导语", None, None, "导语二。"],
        ["正文", "一", None, "a"],
        ["正文", None, None, "b"],
        ["正文", "二", None, "c"],
        ["展望", None, None, "展望一"],
        ["展望", None, None, "展望二"],
    ]


# ---------------------------------------------------------------------------------------------------------------
# Numbers


def test_indicator_numbers_keep_their_precision_in_the_format() -> None:
    report = small(
        indicators=[
            {"name": "治安发案数", "unit": "起", "value": "13.0", "previous": "15", "change": "-13.3"},
            {"name": "刑事发案数", "unit": "起", "change": "-25.8"},
            {"name": "拘留所化解社会矛盾", "unit": "起", "value": 697, "change": "20"},
            {"name": "破案率", "kind": "rate", "value": "85.3", "previous": "80.10", "change": "5.2"},
            {"name": "覆盖率", "kind": "rate", "value": "100", "change": "3", "in_summary": False},
            {"name": "经费", "unit": "元", "value": "123456789012", "in_summary": False},
        ]
    )
    ws = opened(report)["指标"]
    found = {row[0].value: row for row in ws.iter_rows(min_row=2)}

    def cell(name: str, key: str) -> tuple[Any, str]:
        c = found[name][column_of(INDICATOR_COLUMNS, key)]
        return c.value, c.number_format

    assert cell("治安发案数", "value") == (13, "0.0")
    assert cell("治安发案数", "previous") == (15, "General")
    assert cell("治安发案数", "change") == (-13.3, '0.0"%"')
    assert cell("刑事发案数", "value")[0] is None and cell("刑事发案数", "previous")[0] is None
    assert cell("刑事发案数", "change") == (-25.8, '0.0"%"')
    assert cell("拘留所化解社会矛盾", "value") == (697, "General")
    assert cell("拘留所化解社会矛盾", "change") == (20, '0"%"')
    assert cell("破案率", "value") == (85.3, '0.0"%"')
    assert cell("破案率", "previous") == (80.1, '0.00"%"')
    assert cell("破案率", "change") == (5.2, '0.0"个百分点"')
    assert cell("覆盖率", "value") == (100, '0"%"')
    assert cell("覆盖率", "change") == (3, '0"个百分点"')
    assert cell("经费", "value") == (123456789012, "0")  # "General" would show 1.23457E+11
    assert all(found[name][column_of(INDICATOR_COLUMNS, "value")].data_type == "n" for name in ("治安发案数", "破案率"))
    assert cell("刑事发案数", "unit")[0] == "起" and cell("破案率", "unit")[0] is None
    assert cell("破案率", "kind")[0] == "比率" and cell("刑事发案数", "kind")[0] == "数量"
    assert cell("刑事发案数", "in_summary")[0] == "是" and cell("覆盖率", "in_summary")[0] == "否"


def test_example_indicators() -> None:
    """13.0 in the 2022 data (刑事发案数 -13.0) stays a one-decimal figure."""
    ws = opened(example(2022))["指标"]
    change = next(row for row in ws.iter_rows(min_row=2) if row[0].value == "刑事发案数")[4]
    assert (change.value, change.number_format) == (-13, '0.0"%"')


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15", "General"), ("13.0", "0.0"), ("10.16", "0.00"), ("-0.125", "0.000"), ("100000000000", "0")],
)
def test_number_format_follows_the_places_given(text: str, expected: str) -> None:
    assert number_format(Decimal(text)) == expected
    assert number_format(Decimal(text), "%") == ('0"%"' if expected in {"General", "0"} else f'{expected}"%"')


def test_more_digits_than_excel_keeps_are_written_as_text() -> None:
    report = small(indicators=[{"name": "精确值", "value": "1.23456789012345678"}])
    cell = opened(report)["指标"]["C2"]
    assert (cell.value, cell.data_type) == ("1.23456789012345678", "s")


def test_table_cells_are_numbers_only_when_they_read_back_the_same() -> None:
    texts = ["29", "10.50", "-3.2", "0", "013", "1,234", "29个", "—", "-0", "1.0e3", "12345678901234567"]
    texts += ["１２", "1٠", ""]  # digits Python and Decimal read, but not ASCII: they would come back as 12 and 10
    report = small(tables=[{"title": "表", "columns": [f"列{i}" for i in range(len(texts))], "rows": [texts]}])
    ws = opened(report)["附表1"]
    cells = list(ws[3])
    assert [(c.value, c.data_type) for c in cells[:4]] == [(29, "n"), (10.5, "n"), (-3.2, "n"), (0, "n")]
    assert [c.number_format for c in cells[:4]] == ["General", "0.00", "0.0", "General"]
    assert [(c.value, c.data_type) for c in cells[4:-1]] == [(t, "s") for t in texts[4:-1]]
    assert cells[-1].value is None


# ---------------------------------------------------------------------------------------------------------------
# Text stays text


@pytest.mark.parametrize("text", ["=SUM(A1)", "=1+1", "+86 579", "-", "@某人", "#N/A", "#DIV/0!"])
def test_text_that_looks_like_a_formula_stays_text(text: str) -> None:
    report = small(
        kicker=text,
        sections=[{"heading": "一", "paragraphs": [text]}],
        tables=[{"title": "表", "columns": [text], "rows": [[text]]}],
    )
    book = opened(report)
    for cell in (book["基本信息"]["B5"], book["正文"]["D2"], book["附表1"]["A2"], book["附表1"]["A3"]):
        assert (cell.value, cell.data_type) == (text, "s")
    assert book["正文"]["D2"].quotePrefix  # Excel keeps it text when the cell is edited
    data = workbook_bytes(report)
    assert b"<f>" not in data  # no formula anywhere in the package's sheets


def test_characters_xml_cannot_hold_are_dropped() -> None:
    report = small().model_copy(update={"kicker": "引题\x01\x0b文字"})  # past validation, as a defence
    assert opened(report)["基本信息"]["B5"].value == "引题文字"


def test_line_breaks_stay_in_the_cell() -> None:
    report = small(sections=[{"heading": "一", "paragraphs": ["第一行\n第二行"]}])
    ws = opened(report)["正文"]
    assert ws["D2"].value == "第一行\n第二行" and ws["D2"].alignment.wrap_text


def test_text_too_long_for_a_cell_is_an_error_naming_every_place() -> None:
    long = "字" * 40_000
    report = small(
        kicker=long,
        sections=[
            {"heading": "一", "paragraphs": ["短"]},
            {"heading": "二", "paragraphs": ["a", "b", "c", long]},
        ],
        tables=[{"title": "表", "columns": ["甲", "乙"], "rows": [["1", "2"], ["3", "4"], ["5", long]]}],
    )
    with pytest.raises(ReportError) as caught:
        workbook_bytes(report)
    problems = caught.value.problems
    assert {p.path for p in problems} == {("kicker",), ("sections", 1, "paragraphs", 3), ("tables", 0, "rows", 2, 1)}
    assert all("文字过长（40000 字）" in p.message and "32767" in p.message for p in problems)


def test_text_at_the_limit_is_written_whole() -> None:
    text = "字" * 32_767
    ws = opened(small(sections=[{"heading": "一", "paragraphs": [text]}]))["正文"]
    assert ws["D2"].value == text


# ---------------------------------------------------------------------------------------------------------------
# Made for people


def test_drop_downs_on_every_column_with_choices() -> None:
    book = opened(example(2022))
    for name, columns in DATA_SHEETS.items():
        ws = book[name]
        lists = {str(v.sqref): v for v in ws.data_validations.dataValidation}
        expected = {
            f"{letter}2:{letter}{VALIDATED_ROWS}": c for letter, c in zip("ABCDEFG", columns, strict=False) if c.choices
        }
        assert set(lists) == set(expected), name
        for sqref, column in expected.items():
            validation = lists[sqref]
            assert validation.type == "list"
            assert validation.formula1 == '"' + ",".join(column.choices) + '"'
            assert not validation.showDropDown  # True would hide the arrow
            assert validation.showErrorMessage and "请从下拉列表中选择" in validation.error
    assert {str(v.sqref) for v in book["指标"].data_validations.dataValidation} == {"F2:F2000", "G2:G2000"}
    assert {str(v.sqref) for v in book["正文"].data_validations.dataValidation} == {"A2:A2000"}
    assert {str(v.sqref) for v in book["荣誉"].data_validations.dataValidation} == {"C2:C2000"}


def test_header_comments_hold_the_column_notes() -> None:
    book = opened(example(2019))
    for name, columns in DATA_SHEETS.items():
        for cell, column in zip(book[name][1], columns, strict=True):
            assert cell.comment is not None and cell.comment.text == column.note
            assert cell.comment.author == "annual-report"
    assert book["附表1"]["A1"].comment is not None and book["附表1"]["A2"].comment is not None


def test_widths_fit_chinese_text_within_limits() -> None:
    long_name = "金华市公安局及以上表彰集体数" * 2  # 28 Chinese characters: 56 width units
    report = small(
        indicators=[{"name": long_name, "value": 1}, {"name": "短", "value": 2}],
        tables=[{"title": "一个很长很长很长很长很长很长的表题", "columns": ["甲"], "rows": [["字" * 200]]}],
    )
    book = opened(report)
    widths = {c.key: book["指标"].column_dimensions[chr(65 + i)].width for i, c in enumerate(INDICATOR_COLUMNS)}
    assert widths["name"] >= text_width(long_name) > 26
    assert all(widths[c.key] >= c.width for c in INDICATOR_COLUMNS)
    narrow = opened(small(indicators=[{"name": "短", "value": 2}]))["指标"].column_dimensions["A"].width
    assert narrow == next(c.width for c in INDICATOR_COLUMNS if c.key == "name")
    assert book["附表1"].column_dimensions["A"].width == MAX_WIDTH  # capped; the text wraps
    assert book["附表1"]["A3"].alignment.wrap_text
    assert book["附表1"].column_dimensions["B"].width < 20  # the title runs on; it does not widen column B
    assert book["填写说明"].column_dimensions["A"].width >= 90


def test_wrapped_text_columns_and_row_heights() -> None:
    book = opened(example(2022))
    ws = book["正文"]
    for i, column in enumerate(TEXT_COLUMNS):
        cell = ws.cell(2, i + 1)
        assert bool(cell.alignment.wrap_text) == column.wrap and cell.alignment.vertical == "top"
    assert ws.column_dimensions["D"].width == 90
    # LibreOffice and WPS do not grow rows by themselves: a long paragraph gets a height of several lines
    assert ws.row_dimensions[2].height is not None and ws.row_dimensions[2].height > 45
    assert b'customHeight="1"' not in _sheet_xml(workbook_bytes(example(2022)), 3)  # still refit by Excel


def _sheet_xml(data: bytes, number: int) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml")


def test_fonts_are_chinese() -> None:
    book = opened(example(2022))
    assert book["正文"]["D2"].font.name == "宋体" and book["正文"]["D2"].font.sz == 11
    assert book["正文"]["A1"].font.name == "黑体"
    assert book["填写说明"]["A1"].font.sz > 11 and book["填写说明"]["A1"].font.b
    assert book._fonts[0].name == "宋体"  # the default of every cell, rows people add included


def test_instructions_explain_the_routine_and_every_sheet() -> None:
    book = opened(example(2022))
    ws = book["填写说明"]
    text = "\n".join(str(v) for (v,) in ws.iter_rows(values_only=True) if v)
    assert ws["A1"].font.b and ws["A2"].alignment.wrap_text
    for needed in ("annual-report build 本文件.xlsx", "「指标」D7", ".xlsx", "Alt+Enter", "附表2", "千位分隔符"):
        assert needed in text, needed
    for name in ("基本信息", "正文", "指标", "荣誉", "照片", "附表1"):
        assert f"「{name}」" in text
    for example_expression in ("{{ 刑事发案数.同比 }}", "{{ 同比(刑事发案数, 治安发案数) }}", "{{ 年份 }}"):
        assert example_expression in text
    assert "永康市公安局" in text


def test_empty_parts_still_get_their_sheets() -> None:
    book = opened(small())
    assert book.sheetnames == ["填写说明", "基本信息", "正文", "指标", "荣誉", "照片", "图表", "附表1"]
    for name in ("指标", "荣誉", "照片"):
        assert book[name].max_row == 1 and book[name]["A1"].value
    table = book["附表1"]
    assert (table["A1"].value, table["B1"].value) == ("表题", None)
    assert all(c.value is None for c in table[2])
    assert table.freeze_panes == "A3"


def test_same_report_same_bytes() -> None:
    report = example(2019)
    assert workbook_bytes(report) == workbook_bytes(report)


# ---------------------------------------------------------------------------------------------------------------
# A real spreadsheet program opens it


@pytest.mark.libreoffice
def test_libreoffice_opens_and_resaves_the_workbook(soffice: str, tmp_path: Path) -> None:
    source = tmp_path / "in" / "2022.xlsx"
    source.parent.mkdir()
    source.write_bytes(workbook_bytes(example(2022)))
    out = tmp_path / "out"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    resaved = out / "2022.xlsx"
    assert resaved.exists(), done.stdout + done.stderr
    ours, theirs = load_workbook(source), load_workbook(resaved)
    assert theirs.sheetnames == ours.sheetnames
    for name in ours.sheetnames:
        mine = [row for row in rows(ours[name], 1)]
        back = [row[: len(mine[0])] for row in rows(theirs[name], 1)][: len(mine)]
        assert back == mine, name
    change = theirs["指标"]["E3"]  # 刑事发案数 -13.0: still one decimal, still not a percent-scaled cell
    assert change.value == -13 and "0.0" in change.number_format


# ---------------------------------------------------------------------------------------------------------------
# Issue 10: no text we write into any workbook is a formula, and _xHHHH_ comes back as typed

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator.figures.content import ChartContent  # noqa: E402
from generator.ooxml import escape_text  # noqa: E402
from generator.render.charts import chart_workbook, refill  # noqa: E402
from generator.sources.xlsx_source import _unescape  # noqa: E402
from tests.fixtures.corpus_package import ESCAPE_TEXTS, FORMULA_TEXTS  # noqa: E402

HOSTILE_TEXTS = FORMULA_TEXTS + ESCAPE_TEXTS


def everywhere(text: str) -> Report:
    """``text`` in every kind of text cell the workbook has: basics, headings, paragraphs, indicator names and
    units, honors, photo captions, chart titles and indicator lists, table titles, column names and cells."""
    return small(
        kicker=text,
        subtitle=text + "副",
        sections=[{"heading": text + "甲", "paragraphs": [text, "前" + text]}],
        outlook={"heading": text + "乙", "paragraphs": [text + "后"]},
        indicators=[
            {"name": text, "unit": text[:3], "value": "1", "previous": "2"},
            {"name": "刑事发案数", "value": "3"},
        ],
        honors=[{"recipient": text, "honor": text + "奖", "level": "省级"}],
        photos=[{"file": "照片/会议.jpg", "caption": text}],
        charts=[{"title": text, "kind": "对比", "indicators": ["刑事发案数"]}],
        tables=[{"title": text, "columns": [text, "乙"], "rows": [[text, "1"]]}],
    )


def _formula_cells(data: bytes) -> list[bytes]:
    import re
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [m.group(0) for name in archive.namelist() if name.startswith("xl/worksheets/")
                for m in re.finditer(rb"<(?:\w+:)?f[\s>/]", archive.read(name))]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_formula_like_and_escape_like_text_is_text_everywhere_and_comes_back_as_typed(
    tmp_path: Path, text: str
) -> None:
    report = everywhere(text)
    data = workbook_bytes(report)
    assert _formula_cells(data) == []
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    if cell.value[:1] in "=+-@":
                        assert cell.quotePrefix, (sheet.title, cell.coordinate)
    workbook = tmp_path / "2023.xlsx"
    workbook.write_bytes(data)
    back = api.load_model(workbook)[1]
    assert back == report  # every text, _x0041_ and =cmd|… included, exactly as typed


@given(st.lists(st.sampled_from(["_", "x", "X", "0", "4", "1", "5", "F", "f", "D", "_x", "_x00", "A"]), max_size=30)
       .map("".join))  # fmt: skip
def test_escaping_and_reading_back_are_inverse(text: str) -> None:
    assert _unescape(escape_text(text)) == text


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_a_chart_workbook_holds_text_as_text(text: str) -> None:
    chart = ChartContent(text, "compare", [text, text + "二"], [(text, [Decimal(3), Decimal("4.5")])])
    data = chart_workbook(chart)
    assert _formula_cells(data) == []
    sheet = load_workbook(io.BytesIO(data)).active
    names = [sheet["B1"].value, sheet["A2"].value, sheet["A3"].value]
    assert [_unescape(n) for n in names] == [text, text, text + "二"]
    assert all(sheet[c].data_type == "s" for c in ("B1", "A2", "A3"))
    with __import__("zipfile").ZipFile(EXAMPLES.parents[1] / "templates" / "newspaper.docx") as template:
        placeholder = template.read("word/charts/chart1.xml")
    cached = refill(placeholder, chart)
    assert escape_text(text).encode() in cached or escape_text(text) == text


@pytest.mark.libreoffice
def test_libreoffice_shows_formula_like_and_escape_like_text_as_typed(soffice: str, tmp_path: Path) -> None:
    """A real spreadsheet program: nothing is calculated, _x0041_ is not turned into A."""
    report = small(sections=[{"heading": "一", "paragraphs": HOSTILE_TEXTS}],
                   indicators=[{"name": text, "value": "1"} for text in HOSTILE_TEXTS])  # fmt: skip
    source = tmp_path / "2023.xlsx"
    source.write_bytes(workbook_bytes(report))
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                    "--convert-to", every_sheet, "--outdir", str(tmp_path / "out"), str(source)],
                   capture_output=True, timeout=240, check=False)  # fmt: skip
    for sheet in ("正文", "指标"):
        shown = (tmp_path / "out" / f"2023-{sheet}.csv").read_text(encoding="utf-8")
        for text in HOSTILE_TEXTS:
            assert text.replace('"', '""') in shown, (sheet, text)
