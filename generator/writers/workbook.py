"""The validated model as a workbook for people: office staff fill it in Excel, WPS or LibreOffice Calc.

Sheets, headers, notes, drop-down choices and minimum widths come from sources/layout.py, which the workbook reader
shares, so what is written here reads back into the same model. Two promises make the round trip lossless:
a number keeps its precision in the cell's number format (13.0 is the number 13 shown as "0.0"), and text always
stays text (never a formula, never cut at Excel's cell limit: too long is an error).
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from generator.errors import DataPath, Problem, raise_if
from generator.model import Indicator, Report, Table
from generator.ooxml import put_text
from generator.sources.layout import (
    BASIC_COLUMNS,
    BASIC_ITEMS,
    BASICS_SHEET,
    CHART_COLUMNS,
    CHART_KIND_WORDS,
    CHART_SHEET,
    HONOR_COLUMNS,
    HONOR_SHEET,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    INSTRUCTIONS_SHEET,
    KIND_WORDS,
    PHOTO_COLUMNS,
    PHOTO_SHEET,
    TABLE_SHEET_PREFIX,
    TABLE_TITLE_LABEL,
    TEXT_COLUMNS,
    TEXT_KINDS,
    TEXT_SHEET,
    Column,
)
from generator.writers.workbook_guide import guide_lines

__all__ = ["EXCEL_CELL_LIMIT", "number_format", "text_width", "workbook_bytes"]

EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 units) in one cell; openpyxl would silently cut the rest
VALIDATED_ROWS = 2000  # drop-downs cover this many rows, so rows people insert or add get them too
MAX_WIDTH = 90  # characters; wider columns are hard to read, long text wraps instead
TABLE_MIN_WIDTH = 12
WIDTH_SPARE = 1.1  # LibreOffice draws Chinese a little wider than two width units: 10% spare, so nothing is cut
LINE_HEIGHT = 16  # points per wrapped line of 11 pt Chinese text (the CJK fonts' line spacing is about 1.45 em)
MAX_ROW_HEIGHT = 409  # Excel's limit, in points
PAGE_MARGIN_INCHES = 0.5
A4_PRINTABLE_CM = (21.0 - 2 * 1.27, 29.7 - 2 * 1.27)  # portrait, landscape: the page less the side margins
CM_PER_WIDTH_UNIT = 0.23  # a width unit is 7 to 8 px at 96 dpi; the larger, so that nothing spills over
CM_CELL_PADDING = 0.15
AUTHOR = "annual-report"
FIXED_TIME = datetime(2000, 1, 1)  # document properties and zip entries: the same report gives the same bytes

LEAD, EVENT, BODY, OUTLOOK = TEXT_KINDS  # the 类别 words, in layout order
YES, NO = next(c for c in INDICATOR_COLUMNS if c.key == "in_summary").choices

# Fonts named explicitly (no theme font), so Excel and WPS show Chinese in 宋体/黑体 instead of a fallback face.
BODY_FONT = Font(name="宋体", size=11, charset=134)
BOLD_FONT = Font(name="宋体", size=11, bold=True, charset=134)
HEADER_FONT = Font(name="黑体", size=11, bold=True, charset=134)
NOTE_FONT = Font(name="宋体", size=10, color="666666", charset=134)
TITLE_FONT = Font(name="黑体", size=16, bold=True, charset=134)
HEADING_FONT = Font(name="黑体", size=12, bold=True, charset=134)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FIXED_FILL = PatternFill("solid", fgColor="F2F2F2")  # 基本信息 column A: labels people should not change
TO_CHECK_FILL = PatternFill("solid", fgColor="FFF2CC")  # a name cell with a note to read (待确认)
THIN = Side(style="thin", color="8EA9C1")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# Table cells written as numbers: only what comes back as exactly the same text (no "013", "1,234", "+5").
# ASCII digits only: \d and Decimal also take "１２" and "1٠", which would come back as "12" and "10".
_PLAIN_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?")
_SIGNIFICANT_DIGITS = 15  # what Excel keeps of a number
_GENERAL_DIGITS = 11  # "General" shows longer integers as 1.23457E+11

TABLE_TITLE_NOTE = "在右边 B1 单元格写这张附表的标题"
TABLE_COLUMNS_NOTE = "第 2 行写列名，一列一个；第 3 行起一行一条，单元格里可以写 {{ 指标名.本年 }} 这样的表达式"
TABLE_HEADER_PLACEHOLDERS = 4  # an empty 附表1 shows this many styled column-name cells


@dataclass(frozen=True)
class _Text:
    text: str
    path: DataPath  # where the text is in the data, for the too-long error
    font: Font | None = None


@dataclass(frozen=True)
class _Number:
    value: Decimal | None
    suffix: str = ""  # a label shown after the number ("%", "个百分点"), quoted so it never scales the value


_Value = _Text | _Number | None
_Row = dict[str, _Value]  # column key -> what goes in that column


def workbook_bytes(report: Report, notes: Mapping[int, str] | None = None) -> bytes:
    """The report as an .xlsx people fill in; raises ReportError for texts too long for an Excel cell.
    ``notes``: a note (Excel comment) for the name cell of indicators by index, such as the 待确认 mark and source
    sentence of a draft made by ``import``; the cell is shaded so the rows to check stand out."""
    book = _Book(report)
    book.instructions()
    basics = book.data_sheet(BASICS_SHEET, BASIC_COLUMNS, _basic_rows(report))
    for (label,) in basics.iter_rows(min_row=2, max_col=1):
        label.fill = FIXED_FILL  # the labels the reader looks for: not to be edited
    book.data_sheet(TEXT_SHEET, TEXT_COLUMNS, _text_rows(report))
    indicators = book.data_sheet(
        INDICATOR_SHEET, INDICATOR_COLUMNS, [_indicator_row(i, x) for i, x in enumerate(report.indicators)]
    )
    for i, note in (notes or {}).items():
        cell = indicators.cell(i + 2, 1 + [c.key for c in INDICATOR_COLUMNS].index("name"))
        cell.comment = _comment(note)
        cell.fill = TO_CHECK_FILL
    book.data_sheet(
        HONOR_SHEET,
        HONOR_COLUMNS,
        [
            {c.key: _Text(getattr(honor, c.key), ("honors", i, c.key)) for c in HONOR_COLUMNS}
            for i, honor in enumerate(report.honors)
        ],
    )
    book.data_sheet(
        PHOTO_SHEET,
        PHOTO_COLUMNS,
        [
            {c.key: _Text(getattr(photo, c.key), ("photos", i, c.key)) for c in PHOTO_COLUMNS}
            for i, photo in enumerate(report.photos)
        ],
    )
    book.data_sheet(
        CHART_SHEET,
        CHART_COLUMNS,
        [
            {
                "title": _Text(chart.title, ("charts", i, "title")),
                "kind": _Text(CHART_KIND_WORDS[chart.kind], ("charts", i, "kind")),
                "indicators": _Text("、".join(chart.indicators), ("charts", i, "indicators")),
            }
            for i, chart in enumerate(report.charts)
        ],
    )
    if report.tables:
        for t, table in enumerate(report.tables):
            book.table_sheet(t, table)
    else:
        book.table_sheet(0, None)  # an empty 附表1 shows where an extra table goes
    raise_if(book.problems)
    return book.save()


# ---------------------------------------------------------------------------------------------------------------
# The model as rows


def _basic_rows(report: Report) -> list[_Row]:
    rows = []
    for item in BASIC_ITEMS:
        value: Any = report
        for part in item.path:
            value = getattr(value, part) if value is not None else None
        if isinstance(value, list):
            value = "、".join(value)  # 署名姓名: one cell; the reader splits on 、 and spaces
        cell: _Value
        if isinstance(value, int):
            cell = _Number(Decimal(value))
        elif isinstance(value, str):
            cell = _Text(value, item.path)
        elif isinstance(value, date):  # 成文日期, written as people write dates in a report
            cell = _Text(f"{value.year}年{value.month}月{value.day}日", item.path)
        else:
            cell = None
        rows.append(
            {
                "label": _Text(item.label, item.path, BOLD_FONT),
                "value": cell,
                "note": _Text(item.note, item.path, NOTE_FONT),
            }
        )
    return rows


def _text_rows(report: Report) -> list[_Row]:
    """One paragraph a row in reading order; a section's heading only on its first row (that starts a section)."""
    rows: list[_Row] = []

    def add(kind: str, heading: _Value, text: str, path: DataPath, subheading: _Value = None) -> None:
        rows.append(
            {"kind": _Text(kind, path), "heading": heading, "subheading": subheading, "paragraph": _Text(text, path)}
        )

    for i, text in enumerate(report.lead):
        add(LEAD, None, text, ("lead", i))
    for i, text in enumerate(report.event):
        add(EVENT, None, text, ("event", i))
    for s, section in enumerate(report.sections):
        heading: _Value = _Text(section.heading, ("sections", s, "heading"), BOLD_FONT)
        for p, text in enumerate(section.paragraphs):
            add(BODY, heading, text, ("sections", s, "paragraphs", p))
            heading = None
        for j, part in enumerate(section.subsections):
            subheading: _Value = _Text(part.heading, ("sections", s, "subsections", j, "heading"), BOLD_FONT)
            for p, text in enumerate(part.paragraphs):
                add(BODY, heading, text, ("sections", s, "subsections", j, "paragraphs", p), subheading)
                heading = subheading = None
    if report.outlook is not None:
        for p, text in enumerate(report.outlook.paragraphs):
            heading = _Text(report.outlook.heading, ("outlook", "heading"), BOLD_FONT) if p == 0 else None
            add(OUTLOOK, heading, text, ("outlook", "paragraphs", p))
    return rows


def _indicator_row(i: int, indicator: Indicator) -> _Row:
    rate = indicator.kind == "rate"
    figure = "%" if rate else ""  # a rate's value reads 95.8%; the cell still holds 95.8
    return {
        "name": _Text(indicator.name, ("indicators", i, "name")),
        "unit": _Text(indicator.unit, ("indicators", i, "unit")),
        "value": _Number(indicator.value, figure),
        "previous": _Number(indicator.previous, figure),
        "change": _Number(indicator.change, "个百分点" if rate else "%"),
        "kind": _Text(KIND_WORDS[indicator.kind], ("indicators", i, "kind")),
        "in_summary": _Text(YES if indicator.in_summary else NO, ("indicators", i, "in_summary")),
    }


def _table_cell(text: str, path: DataPath) -> _Text | _Number:
    """A number when the text comes back unchanged from the number cell; anything else ("013", "29个") is text."""
    if _PLAIN_NUMBER.fullmatch(text):
        number = Decimal(text)
        if _fits_excel(number) and not (number == 0 and text.startswith("-")):
            return _Number(number)
    return _Text(text, path)


# ---------------------------------------------------------------------------------------------------------------
# Numbers


def _fits_excel(value: Decimal) -> bool:
    """Excel holds a double and shows 15 significant digits: only such numbers survive being a number cell."""
    digits = value.as_tuple().digits
    if len(digits) > _SIGNIFICANT_DIGITS:
        return False
    return Decimal(repr(float(value))) == value


def number_format(value: Decimal, suffix: str = "") -> str:
    """The format that shows exactly the places the value was given with: 13.0 -> "0.0", 15 -> "General"."""
    exponent = int(value.as_tuple().exponent)
    label = f'"{suffix}"' if suffix else ""
    if exponent < 0:
        return "0." + "0" * -exponent + label
    if label or abs(value) >= 10**_GENERAL_DIGITS:
        return "0" + label
    return "General"


def _shown(value: Decimal, suffix: str) -> str:
    """Roughly what the cell shows, for its column's width."""
    return f"{value}{suffix}"


# ---------------------------------------------------------------------------------------------------------------
# Widths


def text_width(text: str) -> int:
    """Width in Excel's character units: a Chinese character counts two. Ambiguous ones (“”、—) too, since
    a Chinese font draws them full width."""
    widest = 0
    for line in text.split("\n"):
        widest = max(widest, sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line))
    return widest


def _needed_width(text: str) -> int:
    return math.ceil(text_width(text) * WIDTH_SPARE)


def line_count(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` wide (rough: wrapping breaks early at words)."""
    usable = max(1.0, width - 2)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def _excel_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # Excel counts UTF-16 units: a rare character outside the BMP is 2


# ---------------------------------------------------------------------------------------------------------------
# The workbook


class _Book:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.problems: list[Problem] = []
        self.workbook = Workbook()
        # The workbook's default font is what every cell without its own font uses, rows people add included.
        # openpyxl keeps it as font 0 and offers no public setter.
        self.workbook._fonts = IndexedList([BODY_FONT])
        self.workbook._named_styles["Normal"].font = BODY_FONT
        self.needed: dict[tuple[str, int], int] = {}  # (sheet, column) -> widest text written there

    # -- cells

    def put(
        self, ws: Worksheet, row: int, column: int, value: _Value, *, wrap: bool = False, center: bool = False
    ) -> Cell:
        cell = ws.cell(row, column)
        # a number in a text column (基本信息's 年份) sits at the left like the text around it
        horizontal = "center" if center else "left" if wrap and isinstance(value, _Number) else None
        cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=wrap)
        if isinstance(value, _Text):
            self._text(cell, value)
        elif isinstance(value, _Number):
            self._number(cell, value)
        return cell

    def _text(self, cell: Cell, value: _Text) -> None:
        text = ILLEGAL_CHARACTERS_RE.sub("", value.text)  # the model removes them already; openpyxl raises on them
        if value.font is not None:
            cell.font = value.font
        if not text:
            return  # an empty cell, not an empty string
        length = _excel_length(text)
        if length > EXCEL_CELL_LIMIT:
            self.problems.append(
                Problem(
                    f"文字过长（{length} 字），Excel 单元格最多 {EXCEL_CELL_LIMIT} 字；请拆成几段",
                    value.path,
                    code="text-too-long",
                )
            )
            return
        put_text(cell, text)  # never a formula or an error value; _x0041_ stays _x0041_
        self._need(cell, _needed_width(text))

    def _number(self, cell: Cell, value: _Number) -> None:
        number = value.value
        if number is None:
            return
        if not _fits_excel(number):
            # More digits than Excel keeps: as text it still reads back exactly (numbers typed as text are read).
            self._text(cell, _Text(str(number), ()))
            return
        cell.value = int(number) if int(number.as_tuple().exponent) >= 0 else float(number)
        cell.number_format = number_format(number, value.suffix)
        self._need(cell, _needed_width(_shown(number, value.suffix)))

    def _need(self, cell: Cell, width: int) -> None:
        key = (cell.parent.title, cell.column)
        self.needed[key] = max(self.needed.get(key, 0), width)

    def header(self, ws: Worksheet, row: int, column: int, text: str, note: str) -> Cell:
        cell = ws.cell(row, column)
        if text:
            put_text(cell, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if note:
            cell.comment = _comment(note)
        # bold text is wider, and Excel draws the drop-down arrow and the comment mark in the cell
        self._need(cell, math.ceil(text_width(text) * 1.2) + 2)
        return cell

    # -- sheets

    def data_sheet(self, title: str, columns: Sequence[Column], rows: Iterable[_Row]) -> Worksheet:
        ws = self.workbook.create_sheet(title)
        for c, column in enumerate(columns, start=1):
            self.header(ws, 1, c, column.header, column.note)
        for r, row in enumerate(rows, start=2):
            for c, column in enumerate(columns, start=1):
                # a word from a drop-down (数量, 是, 省级) reads best centred, away from the numbers beside it
                self.put(ws, r, c, row.get(column.key), wrap=column.wrap, center=bool(column.choices))
        ws.row_dimensions[1].height = 22
        ws.freeze_panes = "A2"
        for c, column in enumerate(columns, start=1):
            if column.choices:
                _drop_down(ws, c, column)
        self.fit(ws, [column.width for column in columns])
        _print_setup(ws, "1:1")
        return ws

    def table_sheet(self, t: int, table: Table | None) -> Worksheet:
        ws = self.workbook.create_sheet(f"{TABLE_SHEET_PREFIX}{t + 1}")
        self.header(ws, 1, 1, TABLE_TITLE_LABEL, TABLE_TITLE_NOTE)
        title = ws.cell(1, 2)
        title.font = BOLD_FONT
        title.alignment = Alignment(vertical="center")
        columns = table.columns if table is not None else [""] * TABLE_HEADER_PLACEHOLDERS
        for c, name in enumerate(columns, start=1):
            cell = self.header(ws, 2, c, "", TABLE_COLUMNS_NOTE if c == 1 else "")
            if table is not None:
                self._text(cell, _Text(name, ("tables", t, "columns", c - 1)))
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if table is not None:
            # the title is left out of the widths: it runs on over the empty cells to its right
            self._text(title, _Text(table.title, ("tables", t, "title"), BOLD_FONT))
            for r, cells in enumerate(table.rows):
                for c, text in enumerate(cells):
                    self.put(ws, r + 3, c + 1, _table_cell(text, ("tables", t, "rows", r, c)), wrap=True)
        ws.row_dimensions[1].height = 22
        ws.freeze_panes = "A3"
        width = max(len(columns), max((len(row) for row in table.rows), default=0) if table else 0)
        self.fit(ws, [TABLE_MIN_WIDTH] * width)
        _print_setup(ws, "1:2")
        return ws

    def fit(self, ws: Worksheet, minimums: Sequence[int]) -> None:
        """Columns as wide as their text (within limits), then rows as tall as their wrapped text."""
        for c, minimum in enumerate(minimums, start=1):
            need = self.needed.get((ws.title, c), 0) + 2
            ws.column_dimensions[get_column_letter(c)].width = max(minimum, min(MAX_WIDTH, need))
        _fit_rows(ws)

    def instructions(self) -> None:
        ws = self.workbook.active
        ws.title = INSTRUCTIONS_SHEET
        ws.column_dimensions["A"].width = 100
        ws.sheet_properties.tabColor = "C00000"  # the first thing to read
        fonts = {"title": TITLE_FONT, "heading": HEADING_FONT, "sheet": BOLD_FONT, "text": BODY_FONT}
        for r, (kind, text) in enumerate(guide_lines(self.report), start=1):
            cell = ws.cell(r, 1)
            cell.font = fonts[kind]
            cell.alignment = Alignment(wrap_text=True, vertical="top" if kind == "text" else "bottom")
            self._text(cell, _Text(text, ()))
            if kind == "title":
                ws.row_dimensions[r].height = 32
            elif kind == "heading":
                ws.row_dimensions[r].height = 26
        _fit_rows(ws)
        _print_setup(ws, None, portrait=True)  # read like a page of text

    def save(self) -> bytes:
        properties = self.workbook.properties
        properties.creator = AUTHOR
        properties.lastModifiedBy = AUTHOR
        properties.title = f"{self.report.organization.name} {self.report.year} 年年度工作报道数据"
        properties.created = FIXED_TIME
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return _finish(buffer.getvalue())


def _fit_rows(ws: Worksheet) -> None:
    """Heights for rows with wrapped text. Excel grows such rows by itself, LibreOffice and WPS do not: without
    a height they show one line of a paragraph. Written as automatic heights (see _finish), so Excel still refits
    a row after an edit."""
    for row in ws.iter_rows():
        number = row[0].row
        if ws.row_dimensions[number].height is not None:
            continue  # set on purpose (header, title)
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = ws.column_dimensions[cell.column_letter].width or TABLE_MIN_WIDTH
                lines = max(lines, line_count(cell.value, width))
        if lines > 1:
            ws.row_dimensions[number].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 4)


def _comment(note: str) -> Comment:
    comment = Comment(note, AUTHOR)
    # sized for the note in Chinese (points; about 13 pt a character, 18 characters a line)
    lines = math.ceil(text_width(note) / 36) + 1
    comment.width = 260
    comment.height = 20 + 16 * lines
    return comment


def _drop_down(ws: Worksheet, column: int, spec: Column) -> None:
    letter = get_column_letter(column)
    choices = "、".join(spec.choices)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(spec.choices) + '"',
        allow_blank=True,
        showDropDown=False,  # despite its name, True would hide the arrow
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=f"“{spec.header}”填写有误"[:32],  # Excel's limit for the title
        error=f"请从下拉列表中选择：{choices}",
    )
    validation.add(f"{letter}2:{letter}{max(VALIDATED_ROWS, ws.max_row)}")
    ws.add_data_validation(validation)


def _print_setup(ws: Worksheet, title_rows: str | None, *, portrait: bool = False) -> None:
    """Printed on A4 with every column on the page, the header rows repeated on each page.

    A fixed scale from the widths rather than "fit to page width": LibreOffice ignores that setting in .xlsx and
    would cut the right-hand columns off."""
    widths = [d.width for d in ws.column_dimensions.values() if d.width]
    needed = sum(w * CM_PER_WIDTH_UNIT + CM_CELL_PADDING for w in widths)
    landscape = not portrait and needed > A4_PRINTABLE_CM[0]
    printable = A4_PRINTABLE_CM[1] if landscape else A4_PRINTABLE_CM[0]
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.scale = max(10, min(100, math.floor(printable / needed * 100))) if needed else 100
    ws.page_margins.left = ws.page_margins.right = PAGE_MARGIN_INCHES
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
        # data sheets print as people see them on screen: with the grid and the A/B/C, 1/2/3 headings, so a
        # printed sheet handed round the departments can be filled in and its cells named as errors name them
        ws.print_options.gridLines = True
        ws.print_options.headings = True


def _finish(data: bytes) -> bytes:
    """Row heights left automatic, and the same report gives the same bytes (fixed times in the package).

    openpyxl marks every row height it writes as set by hand (customHeight); Excel would then never refit the row
    when a person lengthens a paragraph. Without the mark the height is Excel's own kind: used as written, refit
    after an edit."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            elif info.filename.startswith("xl/worksheets/sheet"):
                content = content.replace(b' customHeight="1"', b"")
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()
