"""One pass over a worksheet's XML: each cell's value and the number format it is shown with, row by row, exactly as
openpyxl's read-only mode gives them (``iter_rows()`` after ``reset_dimensions()``), without making a cell object
per cell: openpyxl's per-cell objects and per-element tree building were half the time of reading a big workbook.

What is not per cell stays openpyxl's: the sheet list, the shared strings, the styles (which style shows a date, a
duration, which number format), the date system (1900 or 1904). Only the sheet's rows are parsed here, by lxml.

The XML is hostile input. Every part was already streamed through a check that refuses a DTD anywhere
(xlsx_package.scan_package, before any parser sees the package); the parser here is lxml with entity resolution,
DTD loading and the network shut as well (ooxml.safe_parser's settings), its limits on text size and depth left
on (no huge_tree), and a sheet declaring a DTD is refused here too (UnsafeXML): an entity can neither expand nor
reach a file. lxml rather than defusedxml's ElementTree (forbid_dtd): lxml is what the other parts are parsed
with, and it took a quarter less time over a 10,000-row sheet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601

from generator.ooxml import UnsafeXML

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW = f"{{{MAIN}}}row"
_SHEET_DATA = f"{{{MAIN}}}sheetData"
_VALUE = f"{{{MAIN}}}v"
_INLINE = f"{{{MAIN}}}is"
_TEXT = f"{{{MAIN}}}t"
_DIGITS = frozenset("0123456789")
_ADDRESS = re.compile(r"[A-Za-z]{1,3}[0-9]+")
_WORKSHEET = f"{{{MAIN}}}worksheet"
MAX_ROW = 1_048_576  # the last row a sheet has in Excel, WPS and LibreOffice
_KIND_WORDS = {"n": "数字", "s": "共享文字的编号", "b": "是/否值（0 或 1）", "d": "日期"}


class DamagedCell(ValueError):
    """A cell or row no spreadsheet program writes (a row number beyond the sheet or out of order, a text number
    that points at no text…): where it is (a cell address, or None) and what is wrong, in the user's words. Reading
    on would hang (row 1,000,000,000), or leave the row or the cell out, or read another cell's text, in silence."""

    def __init__(self, cell: str | None, what: str, *, row: bool = False) -> None:
        super().__init__(what)
        self.cell, self.what, self.row = cell, what, row


class ForeignSheet(ValueError):
    """A sheet whose XML is not in the namespace of the .xlsx format (a 'Strict Open XML' workbook): none of its
    rows would be found, and the sheet would read as empty."""


Row = tuple[list[Any], list[str | None]]  # values by column (0-based; None where empty), and their number formats


@dataclass
class BookStyles:
    """What a cell's style id means, from the workbook openpyxl loaded: its number format, whether it shows a date
    or a duration; and the date system (1900 or 1904)."""

    formats: list[str]  # by style id
    dates: Any  # style ids whose format shows a date (openpyxl's own set)
    durations: Any  # ... a duration ([h]:mm)
    epoch: Any

    @classmethod
    def of(cls, book: Any) -> BookStyles:
        # The same attributes openpyxl's ReadOnlyWorksheet hands to its own sheet parser, and the lookup of its
        # ReadOnlyCell.number_format; a style id or format id the styles part lacks shows as General.
        formats = []
        for style in book._cell_styles:
            code = style.numFmtId
            if code < BUILTIN_FORMATS_MAX_SIZE:
                formats.append(BUILTIN_FORMATS.get(code, "General"))
            else:
                custom = book._number_formats
                index = code - BUILTIN_FORMATS_MAX_SIZE
                formats.append(custom[index] if index < len(custom) else "General")
        return cls(formats, book._date_formats, book._timedelta_formats, book.epoch)

    def format_of(self, style: Any) -> str:
        """openpyxl's ReadOnlyCell.number_format, which raises for a style id the styles part lacks: General."""
        try:
            return self.formats[style]
        except (IndexError, TypeError):
            return "General"


def sheet_rows(source: IO[bytes], styles: BookStyles, shared_strings: Sequence[str]) -> Iterator[Row]:
    """Every row from the first to the last one the sheet lists, a row it skips as an empty one, as openpyxl's
    read-only ``iter_rows()`` yields them: rows without r= follow the one before; a row numbered at or before one
    already read is left out; cells without r= follow the one before; a row is as wide as its last cell's column.
    Raises what openpyxl raises for a damaged cell (ValueError, IndexError…) or lxml for damaged XML."""
    counter = 1
    row_number = 0
    # column letters -> number, for letters before a cell address's first digit where the rest was a number: a
    # sheet has few columns
    cached: dict[str, int] = {}
    dates = styles.dates
    shared = shared_strings
    context = etree.iterparse(source, events=("end",), tag=_ROW, resolve_entities=False, no_network=True,
                              load_dtd=False, dtd_validation=False, remove_comments=True, remove_pis=True)  # fmt: skip
    for _, row in context:
        if counter == 1 and row_number == 0:  # the first row: the prolog has been read
            info = row.getroottree().docinfo
            if info.doctype or info.internalDTD is not None:
                raise UnsafeXML  # refused by the package scan already; never read with entities left out
        parent = row.getparent()
        # a row in an extension (extLst), which Excel does not show and openpyxl reads: the report would hold what
        # nobody sees in the sheet
        if parent is None or parent.tag != _SHEET_DATA or getattr(parent.getparent(), "tag", None) != _WORKSHEET:
            row.clear(keep_tail=True)
            continue
        number = row.get("r")
        if number is None:
            row_number += 1
        else:
            row_number = _row_number(number)
        if not 1 <= row_number <= MAX_ROW:
            raise DamagedCell(None, f"行号“{str(number)[:20]}”超出了工作表的范围（1 到 {MAX_ROW}）", row=True)
        if row_number < counter:  # openpyxl leaves such a row out in silence; Excel calls the file damaged
            what = "出现了两次" if row_number == counter - 1 else f"出现在第 {counter - 1} 行之后（行的顺序错乱）"
            raise DamagedCell(f"A{row_number}", f"第 {row_number} 行{what}", row=True)
        cells = []
        column = 0
        for cell in row:
            kind = cell.get("t", "n")
            reference = cell.get("r")
            raw: Any = None
            try:
                if reference:
                    letters = reference.rstrip("0123456789")  # a column seen before: no need to look at it again
                    at = cached.get(letters, 0) if len(letters) < len(reference) else 0
                    if not at:
                        at = _column(reference, cached)
                else:
                    at = column + 1
                if at <= column:  # openpyxl drops or overwrites such a cell in silence; Excel calls it damaged
                    raise DamagedCell(reference, "这一格与同一行前面的格子顺序错乱或重复")
                column = at
                style: Any = cell.get("s", 0)
                if style:
                    style = int(style)
                    if style < 0:
                        raise ValueError  # a negative id would take the last style's format
                value: Any = None if kind == "inlineStr" else (cell.findtext(_VALUE) or None)
                raw = value
                if value is not None:
                    if kind == "n":
                        value = float(value) if "." in value or "E" in value or "e" in value else int(value)
                        if style in dates:
                            try:
                                value = from_excel(value, styles.epoch, timedelta=style in styles.durations)
                            except (OverflowError, ValueError):  # a serial beyond the dates: openpyxl's error value
                                value = "#VALUE!"
                    elif kind == "s":
                        index = int(value)
                        if index < 0:
                            raise IndexError  # a negative number would read a text from the end of the table
                        value = shared[index]
                    elif kind == "b":
                        value = bool(int(value))
                    elif kind == "d":
                        value = from_ISO8601(value)
                elif kind == "inlineStr":
                    inline = cell.find(_INLINE)
                    if inline is not None:
                        value = _inline_text(inline)
            except DamagedCell:
                raise
            except (ValueError, IndexError, TypeError, OverflowError):
                raise _damaged(cell, reference, kind, raw, row_number, column) from None
            cells.append((column, value, style))
        row.clear(keep_tail=True)
        while row.getprevious() is not None:  # rows already read: memory stays flat
            del row.getparent()[0]
        for _ in range(counter, row_number):  # rows the sheet skips
            counter += 1
            yield [], []
        counter += 1
        if not cells:
            yield [], []
            continue
        width = cells[-1][0]
        values: list[Any] = [None] * width
        shown: list[str | None] = [None] * width
        for at, value, style in cells:
            if 1 <= at <= width:
                values[at - 1] = value
                shown[at - 1] = None if value is None else styles.format_of(style)
        yield values, shown
    root = context.root
    if root is not None and root.tag != _WORKSHEET:
        raise ForeignSheet(root.tag)


def _row_number(number: str) -> int:
    """A row's r= as openpyxl reads it: a whole number, also written as one with decimals (12.0)."""
    try:
        return int(number)
    except ValueError:
        try:
            whole = float(number)
        except ValueError:
            whole = math.nan
        if not whole.is_integer():
            raise DamagedCell(None, f"行号“{number[:20]}”不是整数", row=True) from None
        return int(whole)


def _damaged(cell: Any, reference: str | None, kind: str, raw: Any, row: int, column: int) -> DamagedCell:
    """What is wrong with a cell that could not be read, at its address (the one it would have if it has none)."""
    if reference and not _ADDRESS.fullmatch(reference):
        return DamagedCell(None, f"单元格地址“{reference[:20]}”超出了工作表的范围")
    where = reference.upper() if reference else f"{get_column_letter(column)}{row}"
    style = cell.get("s")
    if style and not (style.isdigit() and style.isascii()):
        return DamagedCell(where, f"格式编号“{style[:20]}”无法识别")
    word = _KIND_WORDS.get(kind, "内容")
    return DamagedCell(where, f"{word}格里是“{str(raw)[:20]}”，无法识别")


def _column(reference: str, cached: dict[str, int]) -> int:
    """The column of a cell address (openpyxl's coordinate_to_tuple: the letters before the first digit; the row
    part must be a number)."""
    at = 0
    for at, char in enumerate(reference):  # noqa: B007 (where the loop stopped is the point)
        if char in _DIGITS:
            break
    letters = reference[:at]
    int(reference[at:])  # an address whose row is no number is damaged, as openpyxl finds it
    column = cached.get(letters)
    if column is None:
        column = cached[letters] = column_index_from_string(letters)
    return column


def _inline_text(inline: Any) -> str:
    """An inline string's text without formatting (openpyxl's Text.content): its own <t>, then each run's."""
    if len(inline) == 1 and inline[0].tag == _TEXT:  # what nearly every program writes: one <t>
        return inline[0].text or ""
    plain = None
    runs = []
    for child in inline:
        name = child.tag.rpartition("}")[2]
        if name == "t":
            plain = child.text
        elif name == "r":
            text = None
            for part in child:
                if part.tag.rpartition("}")[2] == "t":
                    text = part.text
            if text is not None:
                runs.append(text)
    return "".join(runs) if plain is None else plain + "".join(runs)
