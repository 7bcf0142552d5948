"""An adversarial review of the one-pass sheet reader and the model: sheet XML no spreadsheet program writes must
end in a Chinese message naming the sheet (and the cell or row where the XML shows it), never hang on a row number
far beyond the sheet, never leave a row or cell out in silence, never read another cell's text or format, never read
a Strict Open XML sheet as an empty one; values of unexpected Python types never crash the model."""

from __future__ import annotations

import copy
import datetime as dt
import marshal
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import ReportError
from generator.model import InvalidData, Report
from generator.sources.xlsx_source import read_workbook
from tests.fixtures import odd_workbooks as odd
from tests.fixtures.bad_inputs import YEAR, _patched
from tests.helpers import docx_lines

NAME = '<c r="A2" t="inlineStr"><is><t>刑事发案数</t></is></c><c r="B2" t="inlineStr"><is><t>起</t></is></c>'
STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def indicator_rows(rows: str) -> bytes:
    """The small workbook whose 「指标」 sheet holds, after its header row, exactly ``rows``."""

    def change(xml: bytes) -> bytes:
        start, end = xml.index(b'<row r="2">'), xml.index(b"</sheetData>")
        return xml[:start] + rows.encode() + xml[end:]

    return _patched(odd.save(odd.workbook()), "xl/worksheets/sheet3.xml", change)


def indicator_cell(cell: str) -> bytes:
    return indicator_rows(f'<row r="2">{NAME}{cell}</row>')


def problems_of(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "2023.xlsx"
    path.write_bytes(data)
    with pytest.raises(ReportError) as refused:
        read_workbook(path)
    return [f"{p.place}：{p.message}" for p in refused.value.problems]


def assert_chinese(lines: list[str]) -> None:
    for line in lines:
        assert "Error" not in line and "Traceback" not in line, line
        assert re.search("[\u4e00-\u9fff]", line), line


# --- rows numbered beyond the sheet, out of order or repeated ----------------------------------------------------

FAR_ROWS = ["1048577", "1000000000", "3000000000", "99999999999999999999", "1e9", "2E+7", "0", "-5", "inf", "nan",
            "1.5", "x", ""]  # fmt: skip


@pytest.mark.parametrize("number", FAR_ROWS)
@pytest.mark.parametrize("cell_reference", [True, False])
def test_a_row_number_beyond_the_sheet_is_refused_at_once(tmp_path: Path, number: str, cell_reference: bool) -> None:
    """Row 1,000,000,000 made the reader yield a billion empty rows (a hang); row 0 or -5 was left out."""
    cell = f'<c r="A{number}"><v>1</v></c>' if cell_reference and number.isdigit() else "<c><v>1</v></c>"
    rows = f'<row r="2">{NAME}<c r="C2"><v>120</v></c></row><row r="{number}">{cell}</row>'
    lines = problems_of(tmp_path, indicator_rows(rows))
    assert_chinese(lines)
    assert any("「指标」" in line and "行号" in line for line in lines), lines


ORDERS = {
    "back": ("<row r='3'>{a3}</row><row r='2'>{a2}</row>", "A2", "第 2 行出现在第 3 行之后"),
    "twice": ("<row r='2'>{a2}</row><row r='2'>{a3}</row>", "A2", "第 2 行出现了两次"),
    "far_back": ("<row r='2'>{a2}</row><row r='40'>{a3}</row><row r='7'>{a3}</row>", "A7", "第 7 行出现在第 40 行之后"),
    "unnumbered_after": ("<row r='5'>{a2}</row><row>{a3}</row><row r='6'>{a3}</row>", "A6", "第 6 行出现了两次"),
}


@pytest.mark.parametrize("name", ORDERS)
def test_rows_out_of_order_are_refused_not_left_out(tmp_path: Path, name: str) -> None:
    """openpyxl (and the reader until now) left such a row out in silence: an indicator missing from the report."""
    rows, cell, said = ORDERS[name]
    a2 = '<c r="A1" t="inlineStr"><is><t>刑事发案数</t></is></c><c r="C1"><v>120</v></c>'
    a3 = '<c r="A1" t="inlineStr"><is><t>治安案件数</t></is></c><c r="C1"><v>7</v></c>'
    lines = problems_of(tmp_path, indicator_rows(rows.format(a2=a2, a3=a3).replace("'", '"')))
    assert_chinese(lines)
    assert any(f"「指标」{cell}" in line and said in line for line in lines), lines


CELL_ORDERS = {
    "back": ('<c r="C2"><v>120</v></c><c r="A2" t="inlineStr"><is><t>刑事发案数</t></is></c>', "A2"),
    "twice": (f'{NAME}<c r="C2"><v>120</v></c><c r="C2"><v>999</v></c>', "C2"),
    "unnumbered_then_back": (f'{NAME}<c r="C2"><v>120</v></c><c><v>150</v></c><c r="D2"><v>150</v></c>', "D2"),
    "lower_case_twice": (f'{NAME}<c r="c2"><v>120</v></c><c r="C2"><v>999</v></c>', "C2"),
}


@pytest.mark.parametrize("name", CELL_ORDERS)
def test_cells_out_of_order_are_refused_not_dropped(tmp_path: Path, name: str) -> None:
    """A cell before one already read was dropped (the row as wide as its last cell) or overwrote it, in silence."""
    cells, where = CELL_ORDERS[name]
    lines = problems_of(tmp_path, indicator_rows(f'<row r="2">{cells}</row>'))
    assert_chinese(lines)
    assert any(f"「指标」{where}" in line and "顺序错乱或重复" in line for line in lines), lines


# --- cells that point at another text or format, or hold what their type cannot -------------------------------

DAMAGED = {
    "shared_negative": ('<c r="C2" t="s"><v>-1</v></c>', "-1"),
    "shared_far": ('<c r="C2" t="s"><v>99</v></c>', "99"),
    "shared_text": ('<c r="C2" t="s"><v>x</v></c>', "x"),
    "shared_fraction": ('<c r="C2" t="s"><v>0.5</v></c>', "0.5"),
    "style_negative": ('<c r="C2" s="-1"><v>120</v></c>', "-1"),
    "style_text": ('<c r="C2" s="abc"><v>120</v></c>', "abc"),
    "style_fraction": ('<c r="C2" s="1.5"><v>120</v></c>', "1.5"),
    "date_text": ('<c r="C2" t="d"><v>yesterday</v></c>', "yesterday"),
    "date_year_99999": ('<c r="C2" t="d"><v>99999-05-01</v></c>', "99999"),
    "bool_text": ('<c r="C2" t="b"><v>x</v></c>', "x"),
    "number_nan": ('<c r="C2"><v>NaN</v></c>', "NaN"),
    "number_words": ('<c r="C2"><v>twelve</v></c>', "twelve"),
    "no_reference_damaged": ('<c><v>1</v></c><c t="s"><v>-3</v></c>', "-3"),
}


@pytest.mark.parametrize("name", DAMAGED)
def test_damaged_cells_are_named(tmp_path: Path, name: str) -> None:
    """A text number -1 read the last text of the table, a style -1 the last format (a percent reads 120 as
    12000), in silence; the others said only that the sheet was damaged, not where."""
    cell, shown = DAMAGED[name]
    rows = f'<row r="2">{NAME}{cell}</row>' if name != "no_reference_damaged" else f'<row r="2">{cell}</row>'
    data = indicator_rows(rows)
    if name.startswith("shared"):  # a table of texts, so that -1 has one to read
        data = _with_shared(data)
    lines = problems_of(tmp_path, data)
    assert_chinese(lines)
    where = "B2" if name == "no_reference_damaged" else "C2"
    assert any(f"「指标」{where}" in line and shown in line for line in lines), lines


def _with_shared(data: bytes) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    shared = f'<sst xmlns="{main}" count="1" uniqueCount="1"><si><t>150</t></si></sst>'.encode()
    data = _patched(data, "[Content_Types].xml", lambda x: x.replace(b"</Types>", b'<Override PartName="/xl/sharedStr'
                    b'ings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                    b'+xml"/></Types>'))  # fmt: skip
    relation = (
        b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    data = _patched(data, "xl/_rels/workbook.xml.rels", lambda x: x.replace(b"</Relationships>", relation))
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


# --- a sheet in another namespace ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "x:"])
@pytest.mark.parametrize("every_part", [False, True])
def test_a_strict_open_xml_sheet_is_refused_not_read_as_empty(tmp_path: Path, prefix: str, every_part: bool) -> None:
    """Its rows are in another namespace: the reader found none and the year had no indicators, in silence."""
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def strict(xml: bytes) -> bytes:
        if prefix:
            xml = xml.replace(b'xmlns="' + main + b'"', b'xmlns:x="' + main + b'"', 1)
            xml = re.sub(rb"<(/?)(?=[a-zA-Z])(?![a-zA-Z0-9]+:)", rb"<\1x:", xml)
        return xml.replace(main, STRICT)

    data = odd.save(odd.workbook())
    parts = ["xl/worksheets/sheet3.xml"] if not every_part else ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                                                                 "xl/worksheets/sheet3.xml"]  # fmt: skip
    for part in parts:
        data = _patched(data, part, strict)
    lines = problems_of(tmp_path, data)
    assert_chinese(lines)
    assert any("Strict Open XML" in line and "「" in line for line in lines), lines


def _strict_everywhere(data: bytes, relationships: bool) -> bytes:
    """Every part in Strict Open XML's namespaces, as Excel saves "Strict Open XML Spreadsheet"."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename).replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                                         STRICT)  # fmt: skip
            if relationships:
                content = content.replace(b'http://schemas.openxmlformats.org/officeDocument/2006/relationships"',
                                          b'http://purl.oclc.org/ooxml/officeDocument/relationships"')  # fmt: skip
            target.writestr(info.filename, content)
    return out.getvalue()


@pytest.mark.parametrize("relationships", [False, True])
@pytest.mark.parametrize("extra_sheet", [False, True])
def test_a_strict_open_xml_workbook_is_refused_as_such(tmp_path: Path, relationships: bool, extra_sheet: bool) -> None:
    """Its sheets were all said to be missing (缺少工作表“基本信息”…), which they are not."""
    book = odd.workbook()
    if extra_sheet:
        book.create_sheet("附表1")["A1"] = "表题"
    lines = problems_of(tmp_path, _strict_everywhere(odd.save(book), relationships))
    assert_chinese(lines)
    assert len(lines) == 1 and "Strict Open XML" in lines[0] and "2023.xlsx：" in lines[0], lines


# --- the model: values of unexpected Python types ---------------------------------------------------------------

ODD_VALUES: list[Any] = [10**5000, -(10**4400), 2**20000, dt.time(8, 30), dt.datetime(2023, 1, 1, 8), True,
                         Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), [[1]], float("nan"), b"x"]  # fmt: skip
FIELDS = [("headline",), ("year",), ("sections", 0, "paragraphs", 0), ("sections", 0, "heading"),
          ("indicators", 0, "value"), ("indicators", 0, "name"), ("indicators", 0, "kind"), ("date",),
          ("indicators", 0, "in_summary"), ("organization", "name"), ("lead",)]  # fmt: skip


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: ".".join(map(str, f)))
def test_the_model_says_what_is_wrong_with_any_value(field: tuple) -> None:
    """An integer of thousands of digits (from the Python API) crashed every field: str() refuses to make it text."""
    base = yaml.safe_load(YEAR)
    for value in ODD_VALUES:
        data = copy.deepcopy(base)
        target = data
        for key in field[:-1]:
            target = target[key]
        target[field[-1]] = value
        try:
            Report.model_validate(data)
        except InvalidData as invalid:
            assert_chinese([problem.message for problem in invalid.problems])


# --- the budget of expanded text: reached once, it stays reached -------------------------------------------------


def expanding_year(where: str, expressions: list[str], times: int) -> str:
    """A year whose texts at ``where`` are ``expressions`` used in turn, ``times`` texts in all (no YAML aliases)."""
    texts = [expressions[i % len(expressions)] for i in range(times)]
    quoted = ["'" + text.replace("'", "''") + "'" for text in texts]
    if where == "rows":
        rows = "".join(f"      - [{text}, 乙]\n" for text in quoted)
        return YEAR + f"tables:\n  - title: 长表\n    columns: [甲, 乙]\n    rows:\n{rows}"
    if where == "honors":
        rows = "".join(f"  - {{recipient: 某单位, honor: {text}, level: 省级}}\n" for text in quoted)
        return YEAR + f"honors:\n{rows}"
    return YEAR.replace("      - 第一段。\n", "".join(f"      - {text}\n" for text in quoted))


BUDGETS = [
    ("rows", ['{{ "x" * 150000 }}'], 400),
    ("rows", ['{{ "x" * 190000 }}', '{{ "y" * 190000 }}', '{{ 年份 ~ "z" * 180000 }}'], 600),
    ("paragraphs", ['{{ "长" * 100000 }}'], 400),
    (
        "paragraphs",
        ["{% for i in range(1000) %}{{ 单位 }}{{ i }}{% endfor %}" + "{{ '' }}" * n for n in range(3)],
        3000,
    ),
    ("honors", ['{{ "荣" * 120000 }}', '{{ "誉" * 120000 }}'], 300),
]


@pytest.mark.parametrize(("where", "expressions", "times"), BUDGETS)
def test_texts_whose_expressions_make_too_much_text_are_refused(
    tmp_path: Path, where: str, expressions: list[str], times: int
) -> None:
    """The cap on all expanded text (20 million characters) was reached, said once, and then forgotten: the text
    that reached it was evaluated again for its problems, found fine, and every later use given out; 10,000 table
    rows of long expressions took 108 s and ended in 程序内部错误 (a body over 4 GB)."""
    from generator import api

    source = tmp_path / "2023.yaml"
    source.write_text(expanding_year(where, expressions, times), encoding="utf-8")
    with pytest.raises(ReportError) as refused:
        api.load(source)
    lines = [str(problem) for problem in refused.value.problems]
    assert any("文字合计超过" in line and "2023.yaml:" in line for line in lines), lines[:3]


# --- the per-user cache of compiled code: only this user's own entries are run -------------------------------------


def _build(folder: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    from tests.helpers import command, environment

    env = {**environment(), "ANNUAL_REPORT_CACHE": str(cache)}
    # the timeout only stops a hang (a pipe planted as an entry blocked reading); nothing depends on speed
    return subprocess.run([command(), "build", "2023.yaml"], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def _planted(entry: Path, marker: Path) -> None:
    """Every compiled text of the entry replaced by code that leaves ``marker`` behind when it runs."""
    codes = marshal.loads(entry.read_bytes())
    evil = compile(f"open({str(marker)!r}, 'w').write('ran')\ndef root(context, missing=None, environment=None):\n"
                   "    yield 'planted'\n", "<planted>", "exec")  # fmt: skip
    entry.write_bytes(marshal.dumps(dict.fromkeys(codes, evil)))


def _shared_folder(cache: Path, entries: list[Path]) -> None:
    cache.chmod(0o777)


def _group_folder(cache: Path, entries: list[Path]) -> None:
    cache.chmod(0o770)


def _others_file(cache: Path, entries: list[Path]) -> None:
    for entry in entries:
        entry.chmod(0o646)


def _group_file(cache: Path, entries: list[Path]) -> None:
    for entry in entries:
        entry.chmod(0o660)


def _foreign_owner(cache: Path, entries: list[Path]) -> None:
    for entry in entries:
        os.chown(entry, 65534, 65534)


def _linked_from_shared(cache: Path, entries: list[Path]) -> None:
    shared = cache.parent / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    for entry in entries:
        entry.rename(shared / entry.name)
        entry.symlink_to(shared / entry.name)


PLANTED = [_shared_folder, _group_folder, _others_file, _group_file, _linked_from_shared]
if hasattr(os, "getuid") and os.getuid() == 0:
    PLANTED.append(_foreign_owner)


@pytest.mark.parametrize("plant", PLANTED, ids=lambda f: f.__name__.strip("_"))
def test_compiled_code_someone_else_could_write_is_never_run(tmp_path: Path, plant: Any) -> None:
    """The cache holds code that runs as it is (marshal): an entry in a folder others may write, or a file another
    user owns or may write, ran whatever it held (a file written outside the sandbox)."""
    folder, cache, marker = tmp_path / "年报", tmp_path / "cache", tmp_path / "ran.txt"
    folder.mkdir()
    (folder / "2023.yaml").write_text(YEAR.replace("- 第一段。", "- '{{ 年份 }}年，第一段。'"), encoding="utf-8")
    assert _build(folder, cache).returncode == 0
    entries = sorted(cache.glob("*.code"))
    assert entries
    for entry in entries:
        _planted(entry, marker)
    plant(cache, entries)
    built = _build(folder, cache)
    assert built.returncode == 0, built.stderr
    assert not marker.exists()
    assert "2023年，第一段。" in "".join(docx_lines(folder / "2023.docx"))


def _fifos(cache: Path, entries: list[Path]) -> None:
    for entry in entries:
        entry.unlink()
        os.mkfifo(entry)


def _zeros(cache: Path, entries: list[Path]) -> None:
    for entry in entries:
        entry.unlink()
        entry.symlink_to("/dev/zero")


def _folders(cache: Path, entries: list[Path]) -> None:
    for entry in entries:
        entry.unlink()
        entry.mkdir()


def _garbage(cache: Path, entries: list[Path]) -> None:
    for entry in entries:
        entry.write_bytes(b"\xff" * 1000)


def _cache_is_a_file(cache: Path, entries: list[Path]) -> None:
    shutil.rmtree(cache)
    cache.write_bytes(b"not a folder")


@pytest.mark.parametrize("damage", [_fifos, _zeros, _folders, _garbage, _cache_is_a_file], ids=lambda f: f.__name__)
def test_a_cache_entry_that_is_no_entry_never_blocks_a_build(tmp_path: Path, damage: Any) -> None:
    """A pipe in an entry's place blocked the build for ever; /dev/zero read without end."""
    folder, cache = tmp_path / "年报", tmp_path / "cache"
    folder.mkdir()
    (folder / "2023.yaml").write_text(YEAR.replace("- 第一段。", "- '{{ 年份 }}年，第一段。'"), encoding="utf-8")
    assert _build(folder, cache).returncode == 0
    damage(cache, sorted(cache.glob("*.code")) + sorted(cache.glob("*.template")))
    built = _build(folder, cache)
    assert built.returncode == 0, built.stderr
    assert "2023年，第一段。" in "".join(docx_lines(folder / "2023.docx"))


DURATIONS = [
    (0.5, "12:00:00"),
    (1.25, "30:00:00"),
    (30 + 5 / 1440, "720:05:00"),
    (-1, "-24:00:00"),
    (-0.75, "-18:00:00"),
    (400000, "9600000:00:00"),
    (1 / 86400 * 59.6, "0:01:00"),
]


@pytest.mark.parametrize(("serial", "shown"), DURATIONS)
@pytest.mark.parametrize("form", ["[h]:mm", "[h]:mm:ss", "[mm]:ss"])
def test_a_duration_cell_reads_as_hours_not_python_days(serial: float, shown: str, form: str) -> None:
    """A duration over a day read as "1 day, 6:00:00" (Python's words) into the report and its messages."""
    import io

    from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

    from generator.sources.xlsx_sheet import BookStyles, sheet_rows
    from generator.sources.xlsx_source import cell_text

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    styles = BookStyles(["General", form], {1}, {1}, CALENDAR_WINDOWS_1900)
    cell = f'<c r="A1" s="1"><v>{serial!r}</v></c>'
    xml = f'<worksheet xmlns="{main}"><sheetData><row r="1">{cell}</row></sheetData></worksheet>'
    ((values, formats),) = list(sheet_rows(io.BytesIO(xml.encode()), styles, []))
    text = cell_text(values[0], formats[0])
    assert text == shown
    assert "day" not in text


_HIDDEN_ROW = (
    b'<row r="3"><c r="A3" t="inlineStr"><is><t>HIDDEN</t></is></c><c r="B3" t="inlineStr"><is><t>x</t></is></c>'
    b'<c r="C3"><v>77</v></c></row>'
)
OUTSIDE = {
    "ext_list": lambda x: x.replace(
        b"</worksheet>", b'<extLst><ext uri="{X}">' + _HIDDEN_ROW + b"</ext></extLst></worksheet>"
    ),
    "ext_list_other_prefix": lambda x: x.replace(
        b"</worksheet>",
        b'<extLst><ext uri="{X}"><m:sheetData xmlns:m="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + _HIDDEN_ROW.replace(b"<", b"<m:").replace(b"<m:/", b"</m:")
        + b"</m:sheetData></ext></extLst></worksheet>",
    ),
    "foreign_wrapper": lambda x: x.replace(
        b"<sheetViews>", b'<x:foo xmlns:x="urn:x">' + _HIDDEN_ROW + b"</x:foo><sheetViews>"
    ),
    "inside_a_row": lambda x: x.replace(b"</row></sheetData>", _HIDDEN_ROW + b"</row></sheetData>"),
    "inside_a_cell": lambda x: x.replace(b"<v>150</v></c>", b"<v>150</v>" + _HIDDEN_ROW + b"</c>"),
}


@pytest.mark.parametrize("name", OUTSIDE)
def test_rows_outside_the_sheet_data_are_not_read(tmp_path: Path, name: str) -> None:
    """A row inside an extension (extLst) is not shown by Excel, yet openpyxl (and the reader) read it into the
    report: an indicator nobody sees in the sheet."""
    path = tmp_path / "2023.xlsx"
    path.write_bytes(_patched(odd.save(odd.workbook()), "xl/worksheets/sheet3.xml", OUTSIDE[name]))
    try:
        raw = read_workbook(path)
    except ReportError as refused:  # refused is fine too, if it says where
        assert_chinese([str(problem) for problem in refused.problems])
        return
    names = [item.get("name") for item in raw.data.get("indicators", [])]
    assert names == ["刑事发案数"], names
