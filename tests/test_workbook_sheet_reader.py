"""The one-pass sheet reader (xlsx_sheet.sheet_rows) gives what openpyxl's read-only mode gives: every row, every
value with its type, every number format, for workbooks as Excel, WPS and LibreOffice write them and as other
programs do (no r= on cells or rows, prefixed namespaces, inline rich text, comments, UTF-16, the 1904 dates…);
and a workbook reads to the same data whoever saved it."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from generator.errors import ReportError
from generator.model import Report
from generator.sources.xlsx_sheet import BookStyles, sheet_rows
from generator.sources.xlsx_source import read_workbook
from generator.sources.yaml_source import read_yaml
from generator.writers.workbook import workbook_bytes
from tests.fixtures import odd_workbooks as odd
from tests.test_workbook_reader import EXAMPLE_2019, libreoffice_resave_all

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# --- workbooks ------------------------------------------------------------------------------------------------


def every_kind(epoch: dt.datetime | None = None) -> bytes:
    """Every kind of value a cell holds, with the formats people give them, gaps between rows and columns."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.title = "指标"
    formats = {
        1: "General", 2: "0.0%", 3: "0.0", 4: '0.0"%"', 5: "#,##0.00", 6: "[Red]0.00;[Blue]-0.00", 7: "0.000E+00",
        8: "yyyy-mm-dd", 9: "yyyy/m/d h:mm", 10: "h:mm", 11: "[h]:mm:ss", 12: "@", 13: "0%",
    }  # fmt: skip
    values: list[Any] = [120, -0.258, 13, 25.8, 1234567.891, -3.5, 1e20, dt.date(2023, 5, 1),
                         dt.datetime(2023, 12, 31, 8, 30), dt.time(8, 30), dt.timedelta(hours=30, minutes=5),
                         "０１２", 0.1 + 0.2]  # fmt: skip
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=1, column=column, value=value)
        cell.number_format = formats[column]
    sheet["A3"] = True
    sheet["B3"] = False
    sheet["C3"] = "回车_x000D_换行"
    sheet["D3"] = "  前后有空格  "
    sheet["E3"] = CellRichText([TextBlock(InlineFont(b=True), "加粗的"), "普通的"])
    sheet["F3"] = "#DIV/0!"
    sheet["F3"].data_type = "e"
    sheet["G3"] = "=1+2"  # no cached value until a spreadsheet program saves it
    sheet["H3"] = 1 / 3
    sheet["H3"].number_format = "0.00"
    sheet["B7"] = "隔了几行"
    sheet["AA7"] = 5
    sheet["A8"] = 2**53 + 1
    sheet.merge_cells("B7:D7")
    hidden = book.create_sheet("藏起来的")
    hidden.sheet_state = "hidden"
    hidden["C2"] = "隐藏表里的字"
    hidden["C2"].number_format = "0.0"
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=1, max_col=3, min_row=1), titles_from_data=False)
    book.create_chartsheet("图表页").add_chart(chart)
    book.create_sheet("空表")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def written_example() -> bytes:
    """The workbook the tool writes for the 2019 example (comments, data validation, frozen panes, styles)."""
    return workbook_bytes(Report.model_validate(read_yaml(EXAMPLE_2019).data))


BASES: dict[str, Callable[[], bytes]] = {
    "every_kind": every_kind,
    "every_kind_1904": lambda: every_kind(CALENDAR_MAC_1904),
    "written_example": written_example,
    **odd.ODD,
}


def with_sheets(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The package with every worksheet's XML changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def no_cell_references(xml: bytes) -> bytes:
    """Cells without r= (LibreOffice leaves it out at times): each follows the one before. Only where the cells
    of a row are contiguous from A, so that the workbook still holds the same cells."""

    def row(found: re.Match[bytes]) -> bytes:
        references = re.findall(rb'<c r="([A-Z]+)\d+"', found.group(0))
        expected = [_letters(n).encode() for n in range(1, len(references) + 1)]
        return re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", found.group(0)) if references == expected else found.group(0)

    return re.sub(rb"<row\b.*?</row>", row, xml, flags=re.S)


def no_row_references(xml: bytes) -> bytes:
    """Rows without r= where each follows the one before (a row after a gap keeps its number)."""
    previous = 0

    def row(found: re.Match[bytes]) -> bytes:
        nonlocal previous
        number = int(found.group(1))
        plain = number == previous + 1
        previous = number
        return found.group(0).replace(b' r="%d"' % number, b"", 1) if plain else found.group(0)

    return re.sub(rb'<row r="(\d+)"', row, xml)


def prefixed(xml: bytes) -> bytes:
    """The main namespace under a prefix (x:), as the .NET Open XML SDK writes."""
    xml = xml.replace(b'xmlns="%s"' % MAIN.encode(), b'xmlns:x="%s"' % MAIN.encode(), 1)
    return re.sub(rb"<(/?)(?=[a-zA-Z])(?![a-zA-Z0-9]+:)", rb"<\1x:", xml)


def commented(xml: bytes) -> bytes:
    """Comments and processing instructions between cells and rows, values in CDATA, character references."""
    xml = xml.replace(b"<c ", b"<!-- a comment --><c ").replace(b"</row>", b"<?pi here?></row>")
    return re.sub(rb"<v>([^<]*)</v>", rb"<v><![CDATA[\1]]></v>", xml)


def utf16(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    text = re.sub(r"^<\?xml[^>]*\?>", '<?xml version="1.0" encoding="UTF-16"?>', text)
    return text.encode("utf-16")


def wps_like(xml: bytes) -> bytes:
    """As WPS writes a sheet: a dimension that says A1 whatever the sheet holds, rows with spans and attributes of
    a namespace of its own (x14ac:dyDescent, here under a prefix of its own)."""
    xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', xml)
    ac = b"http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
    xml = re.sub(rb"<worksheet\b", b'<worksheet xmlns:wx="' + ac + b'"', xml, count=1)
    return re.sub(rb"<row\b", b'<row wx:dyDescent="0.15"', xml)


def _letters(number: int) -> str:
    return openpyxl.utils.get_column_letter(number)


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "as_saved": lambda xml: xml,
    "no_cell_references": no_cell_references,
    "no_row_references": no_row_references,
    "prefixed": prefixed,
    "commented": commented,
    "utf16": utf16,
    "wps_like": wps_like,
}


def handmade(rows: str, styles: bytes | None = None, shared: str | None = None) -> bytes:
    """A workbook whose first sheet holds exactly ``rows`` (the XML inside <sheetData>); ``styles`` and ``shared``
    replace the styles part and the shared strings."""
    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    book.active["A2"] = 1
    book.active["A2"].number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"<sheetData>.*</sheetData>|<sheetData\s*/>",
                                 b"<sheetData>" + rows.encode() + b"</sheetData>", content, flags=re.S)  # fmt: skip
            elif info.filename == "xl/styles.xml" and styles is not None:
                content = styles
            elif info.filename == "[Content_Types].xml" and shared is not None:
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                          b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                                          b'+xml"/></Types>')  # fmt: skip
            elif info.filename == "xl/_rels/workbook.xml.rels" and shared is not None:
                content = content.replace(b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.'
                                          b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                          b'Target="sharedStrings.xml"/></Relationships>')  # fmt: skip
            target.writestr(info.filename, content)
        if shared is not None:  # openpyxl here writes text inline: the shared strings are added
            assert "xl/sharedStrings.xml" not in source.namelist()
            target.writestr("xl/sharedStrings.xml", shared.encode())
    return result.getvalue()


SHARED = (
    f'<sst xmlns="{MAIN}" count="4" uniqueCount="4"><si><t>第一条</t></si>'
    '<si><r><rPr><b/></rPr><t>加粗</t></r><r><t xml:space="preserve"> 普通</t></r></si>'
    '<si><t>带注音</t><rPh sb="0" eb="1"><t>zhuyin</t></rPh></si><si><t>_x005F_x000D_转义</t></si></sst>'
)

HANDMADE: dict[str, str] = {
    # every t= a cell may carry, the way Excel, WPS and LibreOffice write them
    "types": '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="str"><f>A1&amp;"x"</f><v>第一条x</v></c>'
    '<c r="F1" t="b"><v>1</v></c><c r="G1" t="b"><v>0</v></c><c r="H1" t="e"><v>#N/A</v></c>'
    '<c r="I1" t="d"><v>2023-05-01T08:30:00</v></c><c r="J1"><v>1E3</v></c><c r="K1"><v> 12 </v></c>'
    '<c r="L1" s="1"><v>45000.5</v></c><c r="M1"><f>1+1</f><v>2</v></c><c r="N1" t="n"><v>-0.25</v></c></row>',
    # inline strings: plain, rich runs, both, with phonetic text, empty; cells with nothing in them
    "inline": '<row r="1"><c r="A1" t="inlineStr"><is><t>行内</t></is></c>'
    '<c r="B1" t="inlineStr"><is><r><t>甲</t></r><r><rPr><i/></rPr><t>乙</t></r></is></c>'
    '<c r="C1" t="inlineStr"><is><t>前</t><r><t>后</t></r></is></c>'
    '<c r="D1" t="inlineStr"><is><t>字</t><rPh sb="0" eb="1"><t>zi</t></rPh></is></c>'
    '<c r="E1" t="inlineStr"><is/></c><c r="F1" t="inlineStr"/><c r="G1"><v></v></c><c r="H1"><v/></c>'
    '<c r="I1" s="1"/></row>',
    # rows far apart, a row with no cells, lower-case addresses, rows and cells without r= (rows or cells out of
    # order or repeated: tests/test_redteam.py, refused)
    "order": '<row r="2"><c r="A2"><v>9</v></c></row><row r="3"><c r="A3"><v>1</v></c><c r="C3"><v>3</v></c></row>'
    '<row r="5"/><row r="9" spans="1:3"><c r="b9"><v>2</v></c></row>'
    '<row><c><v>4</v></c><c><v>5</v></c><c r="E10"><v>6</v></c><c><v>7</v></c></row>'
    '<row r="12.0"><c><v>8</v></c></row>',
    # the very first rows missing, a row far down
    "far": '<row r="4"><c r="XFD4"><v>1</v></c></row><row r="60000"><c r="A60000" t="inlineStr"><is><t>末行</t></is>'
    "</c></row>",
}

STYLES_1 = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%"/>'
    '<numFmt numFmtId="170" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
    '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="170"/>'
    '<xf numFmtId="164"/><xf numFmtId="10"/><xf numFmtId="46"/></cellXfs></styleSheet>'
).encode()

STYLED = (
    '<row r="1"><c r="A1" s="1"><v>45000</v></c><c r="B1" s="2"><v>0.258</v></c><c r="C1" s="3"><v>0.1</v></c>'
    '<c r="D1" s="4"><v>1.25</v></c><c r="E1" s="0"><v>3</v></c><c r="F1" s="2" t="s"><v>0</v></c></row>'
)


def handmade_workbooks() -> dict[str, bytes]:
    made = {name: handmade(rows, shared=SHARED) for name, rows in HANDMADE.items()}
    made["styled"] = handmade(STYLED, styles=STYLES_1, shared=SHARED)
    return made


# --- what openpyxl gives, what we give --------------------------------------------------------------------------


def typed(values: list[Any]) -> list[tuple[str, Any]]:
    return [(type(v).__name__, v) for v in values]


def by_openpyxl(data: bytes) -> dict[str, list[tuple[list, list]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        found = {}
        for sheet in book.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue
            sheet.reset_dimensions()
            found[sheet.title] = [
                (typed([c.value for c in row]), [c.number_format if c.value is not None else None for c in row])
                for row in sheet.iter_rows()
            ]
        return found
    finally:
        book.close()


def by_us(data: bytes) -> dict[str, list[tuple[list, list]]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        styles = BookStyles.of(book)
        found = {}
        for sheet in book.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue
            with sheet._get_source() as source:
                found[sheet.title] = [(typed(v), f) for v, f in sheet_rows(source, styles, sheet._shared_strings)]
        return found
    finally:
        book.close()


def same_as_openpyxl(data: bytes) -> dict[str, list[tuple[list, list]]]:
    ours, theirs = by_us(data), by_openpyxl(data)
    assert list(ours) == list(theirs)
    for sheet in theirs:
        assert len(ours[sheet]) == len(theirs[sheet]), sheet
        for number, (mine, expected) in enumerate(zip(ours[sheet], theirs[sheet], strict=True), start=1):
            assert mine == expected, f"{sheet} row {number}"
    return ours


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("base", BASES)
def test_rows_values_and_formats_are_openpyxls(base: str, variant: str) -> None:
    data = with_sheets(BASES[base](), VARIANTS[variant])
    read = same_as_openpyxl(data)
    assert any(any(v is not None for _, v in values) for rows in read.values() for values, _ in rows)


@pytest.mark.parametrize("name", ["types", "inline", "order", "far", "styled"])
@pytest.mark.parametrize("variant", ["as_saved", "prefixed", "commented", "utf16"])
def test_handmade_sheets_read_as_openpyxl_reads_them(name: str, variant: str) -> None:
    same_as_openpyxl(with_sheets(handmade_workbooks()[name], VARIANTS[variant]))


def test_what_the_handmade_sheets_hold() -> None:
    """Not only the same as openpyxl: the values a person sees, with their formats."""
    made = handmade_workbooks()
    (types,) = by_us(made["types"]).values()
    values, _ = types[0]
    assert [v for _, v in values] == ["第一条", "加粗 普通", "带注音", "_x000D_转义", "第一条x", True, False, "#N/A",
                                      dt.datetime(2023, 5, 1, 8, 30), 1000.0, 12, dt.datetime(2023, 3, 15, 12, 0),
                                      2, -0.25]  # fmt: skip
    (styled,) = by_us(made["styled"]).values()
    values, formats = styled[0]
    assert [v for _, v in values][1:5] == [0.258, 0.1, dt.timedelta(days=1, hours=6), 3]
    assert formats == ['yyyy"年"m"月"d"日"', "0.0%", "0.00%", "[h]:mm:ss", "General", "0.0%"]
    (inline,) = by_us(made["inline"]).values()
    assert [v for _, v in inline[0][0]] == ["行内", "甲乙", "前后", "字", "", None, None, None, None]
    (order,) = by_us(made["order"]).values()
    assert [[v for _, v in values] for values, _ in order] == [
        [],
        [9],
        [1, None, 3],
        [],
        [],
        [],
        [],
        [],
        [None, 2],
        [4, 5, None, None, 6, 7],
        [],
        [8],
    ]  # as openpyxl reads it: a row as wide as its last cell


@pytest.mark.parametrize(
    "row",
    [
        '<row r="1"><c r="A1"><v>NaN</v></c></row>',  # a number cell that is no number
        '<row r="1"><c r="A1" t="s"><v>99</v></c></row>',  # a text cell pointing at no text
        '<row r="1"><c r="XFDA1"><v>1</v></c></row>',  # an address beyond the last column
        '<row r="1"><c r="A1"><v>1</v></c><c r="A1B2"><v>1</v></c></row>',  # letters after the row number
        '<row r="1"><c r="B1"><v>1</v></c><c r="B"><v>1</v></c></row>',  # no row number
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="x"><c><v>1</v></c></row>',  # a row number that is none
        '<row r="1"><c r="A1" s="x"><v>1</v></c></row>',
    ],
)
def test_damaged_cells_fail_where_openpyxl_fails(row: str) -> None:
    """openpyxl fails on them; the reader too, saying where and what (tests/test_redteam.py: the message)."""
    from generator.sources.xlsx_sheet import DamagedCell

    data = handmade(row, shared=SHARED)
    with pytest.raises((ValueError, IndexError)):
        by_openpyxl(data)
    with pytest.raises(DamagedCell):
        by_us(data)


def test_a_sheet_declaring_entities_is_refused_by_the_reader_too(tmp_path: Path) -> None:
    """The package scan refuses it first; the sheet reader never expands, fetches, or reads it with entities left
    out either."""
    from generator.ooxml import UnsafeXML
    from generator.sources.xlsx_sheet import BookStyles

    styles = BookStyles(["General"], set(), set(), None)
    secret = tmp_path / "secret.txt"
    secret.write_text("秘密")
    for declaration in ('<!ENTITY e "展开">', f'<!ENTITY e SYSTEM "{secret.as_uri()}">'):
        xml = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{declaration}]><worksheet xmlns="{MAIN}"><sheetData>'
               '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>')  # fmt: skip
        with pytest.raises(UnsafeXML):
            list(sheet_rows(io.BytesIO(xml.encode()), styles, []))


# --- the same workbook saved by another program reads the same -------------------------------------------------


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> dict[str, tuple[Path, Path]]:
    """Workbooks as written, and as LibreOffice Calc saved them (shared strings, its own styles, rows and cells
    written its way), in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("resave")
    sources = folder / "sources"
    sources.mkdir()
    names = ["written_example", "every_kind", "every_kind_1904", "percent_cells", "merged_headings",
             "rich_text_and_escapes", "blank_rows_and_formatted_tail", "extra_table"]  # fmt: skip
    for name in names:
        (sources / f"{name}.xlsx").write_bytes(BASES[name]())
    out = libreoffice_resave_all(soffice, sorted(sources.iterdir()), folder / "resaved")
    return {name: (sources / f"{name}.xlsx", out / f"{name}.xlsx") for name in names}


@pytest.mark.libreoffice
def test_workbooks_saved_by_libreoffice_read_as_openpyxl_reads_them(resaved: dict[str, tuple[Path, Path]]) -> None:
    for name, (_, saved) in resaved.items():
        data = saved.read_bytes()
        assert b"sharedStrings" in data, name  # LibreOffice's own way of storing text
        for variant in ("as_saved", "no_cell_references", "no_row_references", "wps_like"):
            same_as_openpyxl(with_sheets(data, VARIANTS[variant]))


@pytest.mark.libreoffice
def test_values_and_formats_survive_a_libreoffice_save(resaved: dict[str, tuple[Path, Path]]) -> None:
    """What a person sees in each cell (its value and the decimals and percent sign it shows) is read the same from
    the workbook as written and as LibreOffice saved it (a formula then has its result: G3 of every_kind)."""
    from generator.sources.xlsx_source import cell_text

    def shown(rows: list[tuple[list, list]]) -> dict[tuple[int, int], str]:
        texts = {}
        for r, (values, formats) in enumerate(rows, start=1):
            for c, ((_, value), form) in enumerate(zip(values, formats, strict=True), start=1):
                if value is not None:
                    texts[(r, c)] = cell_text(value, form)
        return texts

    for name in ("every_kind", "every_kind_1904", "percent_cells"):
        original, saved = (by_us(path.read_bytes()) for path in resaved[name])
        for sheet, rows in original.items():
            again = shown(saved[sheet])
            if name.startswith("every_kind") and sheet == "指标":
                assert again.pop((3, 7)) == "3"
            assert again == shown(rows), (name, sheet)


@pytest.mark.libreoffice
def test_the_report_data_is_the_same_whoever_saved_the_workbook(
    resaved: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    original, saved = resaved["written_example"]
    expected = read_workbook(original)
    variants = {"libreoffice": saved.read_bytes()}
    for variant in ("no_cell_references", "no_row_references", "prefixed", "commented", "utf16", "wps_like"):
        variants[variant] = with_sheets(original.read_bytes(), VARIANTS[variant])
        variants[f"libreoffice_{variant}"] = with_sheets(saved.read_bytes(), VARIANTS[variant])
    for variant, data in variants.items():
        path = tmp_path / variant / original.name
        path.parent.mkdir()
        path.write_bytes(data)
        try:
            raw = read_workbook(path)
        except ReportError as exc:  # pragma: no cover - shown when it fails
            pytest.fail(f"{variant}: {exc}")
        assert raw.data == expected.data, variant
        assert [p.message for p in raw.problems] == [p.message for p in expected.problems], variant
        where = [(raw.place_of(p).sheet, raw.place_of(p).cell) for p in expected.places]
        assert where == [(expected.place_of(p).sheet, expected.place_of(p).cell) for p in expected.places], variant
        assert raw.warnings == [w.replace(str(original), str(path)) for w in expected.warnings], variant


@pytest.mark.parametrize("form", ["General", "0", "0.0", "0%", "0.0%", "#,##0", "@", '0"%"', "0.00E+00", "[Red]0;-0"])
@pytest.mark.parametrize("number", [0, 7, -1, 120, 10**15 - 1, -(10**15) + 1, 10**15, 123456789012345678, -(2**63)])
def test_whole_numbers_read_as_number_text_makes_them(number: int, form: str) -> None:
    """cell_text's shortcut for whole numbers shown without decimals gives number_text's text."""
    from generator.sources.xlsx_source import cell_text, number_text

    assert cell_text(number, form) == number_text(number, form)
