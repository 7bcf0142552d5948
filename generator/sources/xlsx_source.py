"""Workbook reader: an .xlsx filled in Excel, WPS or LibreOffice -> the same raw structure as the YAML reader,
every value carrying its sheet and cell, so every error names the cell to fix: 「指标」D7.

What people and programs do to workbooks is expected: percent cells (0.258 shown as 25.8%), numbers typed as text,
blank rows, thousands of formatted empty rows, merged cells, rich text, ``_x000D_`` escapes, hidden or reordered
sheets, columns a user added (ignored with a warning), formulas (read by their cached value). Files that are not
workbooks are refused before any parser sees them, with a message saying what they are.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext
from pathlib import Path
from typing import Any

from generator.errors import DataPath, Place, Problem, ReportError
from generator.sources import layout
from generator.sources.layout import Column
from generator.sources.raw import RawDocument, column_letter, display_name
from generator.sources.xlsx_package import (
    OLE_MESSAGE,
    SheetScan,
    damaged_cells,
    problem,
    read_checked,
    scan_package,
)

# Cells with something in them, in all sheets: 10,000 indicators fill 40,000-70,000; time and memory grow with it.
MAX_CELLS = 120_000
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL = re.compile(r"([A-Z]+)(\d+)")


def read_workbook(path: Path) -> RawDocument:
    name = display_name(path)
    data = read_checked(path, name)
    scans = scan_package(data, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about data validation and styles it cannot keep
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, rich_text=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged package
            raise ReportError(
                problem(name, f"工作簿已损坏，无法读取（{type(exc).__name__}）", "xlsx-corrupt")
            ) from None
    try:
        reader = _Reader(name, path, book, scans)
        reader.package = data
        return reader.read()
    finally:
        book.close()


def refuse_old_format(path: Path) -> RawDocument:
    """.xls and WPS .et files: say how to get an .xlsx instead."""
    raise ReportError(problem(display_name(path), OLE_MESSAGE, "xlsx-old-format"))


# ---------------------------------------------------------------------------------------------------------------
# Cell values as the text a person sees


def _unescape(text: str) -> str:
    """Shared strings keep Excel's _x000D_ escapes literally."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


@functools.lru_cache(maxsize=256)
def _format_rules(number_format: str) -> tuple[bool, int]:
    """(is a percent format, decimals shown) from the first section of a number format, leaving out literal
    text, escapes and [colour] codes: '0.0%' -> (True, 1); '0.0"%"' -> (False, 1). A workbook has few formats."""
    body = (number_format or "General").split(";")[0]
    body = re.sub(r'"[^"]*"', "", body)
    body = re.sub(r"\\.", "", body)
    body = re.sub(r"\[[^\]]*\]", "", body)
    shown = re.search(r"\.(0+)", body)
    return "%" in body, len(shown.group(1)) if shown else 0


def number_text(value: float | int, number_format: str) -> str:
    """A number cell as exact text: percent cells ×100 (0.258 shown as 25.8% -> '25.8'); no float noise beyond
    Excel's 15 digits; at least as many decimals as the format shows (13 shown as 13.0 -> '13.0')."""
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if not number.is_finite():  # 1e999 or NaN written by some other program: the text says what it is
        return repr(value)
    # Enough digits for any float (1e308, 5e-324): the default 28 make quantize fail on 1e28 and up
    with localcontext(Context(prec=800)):
        if len(number.as_tuple().digits) > 15:
            number = number.quantize(Decimal(1).scaleb(number.adjusted() - 14))
        percent, places = _format_rules(number_format)
        if percent:
            number *= 100
        if number.as_tuple().exponent < 0:  # drop float noise such as 25.800 -> 25.8
            number = number.normalize() if number != number.to_integral_value() else number.quantize(Decimal(1))
        if -number.as_tuple().exponent < places:  # Excel shows at most 30 decimals; the model allows 15
            number = number.quantize(Decimal(1).scaleb(-min(places, 30)))
        return f"{number:f}"


def cell_text(value: Any, number_format: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value, number_format)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = _unescape(str(value))
    return text if text.strip() else None


# ---------------------------------------------------------------------------------------------------------------
# Sheets -> raw structure


@dataclass
class _Row:
    number: int
    cells: list[str | None]  # by column, 0-based; merged cells carry their range's value
    continued: set[int] = field(default_factory=set)  # columns whose cell continues a merge from above or left


class _Reader:
    def __init__(self, name: str, path: Path, book: Any, scans: dict[str, SheetScan]) -> None:
        self.name = name
        self.path = path
        self.book = book
        self.scans = scans
        self.package = b""  # the file's bytes, set by read_workbook: looked into only if a sheet proves damaged
        self.cells_read = 0
        self.data: dict[str, Any] = {}
        self.places: dict[DataPath, Place | tuple[str, int, int]] = {(): Place(name)}
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def place(self, sheet: str, row: int, column: int) -> Place:
        return Place(self.name, sheet=sheet, cell=f"{column_letter(column)}{row}")

    def read(self) -> RawDocument:
        known = {
            layout.INSTRUCTIONS_SHEET,
            layout.BASICS_SHEET,
            layout.TEXT_SHEET,
            layout.INDICATOR_SHEET,
            layout.HONOR_SHEET,
            layout.PHOTO_SHEET,
            layout.CHART_SHEET,
        }
        sheets = list(self.book.sheetnames)
        for required in (layout.BASICS_SHEET, layout.TEXT_SHEET):
            if required not in sheets:
                self.problems.append(
                    problem(self.name, f"缺少工作表“{required}”；请不要删除或改名工作表", "sheet-missing")
                )
        for sheet in sheets:
            if sheet not in known and not sheet.startswith(layout.TABLE_SHEET_PREFIX):
                self.warnings.append(f"{self.name}：工作表“{sheet}”不是本工具的表格，已忽略")
        if layout.BASICS_SHEET in sheets:
            self.read_basics(layout.BASICS_SHEET)
        if layout.TEXT_SHEET in sheets:
            self.read_text(layout.TEXT_SHEET)
        for sheet, key, columns in (
            (layout.INDICATOR_SHEET, "indicators", layout.INDICATOR_COLUMNS),
            (layout.HONOR_SHEET, "honors", layout.HONOR_COLUMNS),
            (layout.PHOTO_SHEET, "photos", layout.PHOTO_COLUMNS),
            (layout.CHART_SHEET, "charts", layout.CHART_COLUMNS),
        ):
            if sheet in sheets:
                self.read_items(sheet, key, columns)
        tables = [s for s in sheets if s.startswith(layout.TABLE_SHEET_PREFIX)]
        for sheet in tables:
            self.read_table(sheet)
        return RawDocument(self.data, self.path, self.places, self.problems, self.warnings)

    # --- rows ------------------------------------------------------------------------------------------------

    def rows(self, sheet: str) -> Iterator[_Row]:
        """Every row with something in it, merged ranges filled with their value; formulas without a cached
        value reported."""
        scan = self.scans.get(sheet, SheetScan())
        for reference in sorted(scan.uncached_formulas):
            self.problems.append(
                problem(
                    self.name,
                    "公式没有计算结果（文件由程序生成、从未在表格软件中保存过）；请用 Excel、WPS 或 LibreOffice "
                    "打开并保存一次，或把公式改成数值",
                    "xlsx-formula",
                    sheet,
                    reference,
                )
            )
        worksheet = self.book[sheet]
        worksheet.reset_dimensions()  # WPS may declare A1:A1; the rows themselves say how far the data goes
        continuations: dict[int, list[tuple[int, tuple[int, int]]]] = {}
        for min_row, min_col, max_row, max_col in scan.merges:
            if (max_row - min_row + 1) * (max_col - min_col + 1) > 100_000:
                continue  # a merge over a whole column carries nothing to copy
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    if (r, c) != (min_row, min_col):
                        continuations.setdefault(r, []).append((c, (min_row, min_col)))
        origins = {origin for cells in continuations.values() for _, origin in cells}
        origin_values: dict[tuple[int, int], str | None] = {}
        for number, row in enumerate(self._iter_rows(sheet, worksheet), start=1):
            cells = [cell_text(c.value, c.number_format) if c.value is not None else None for c in row]
            continued: set[int] = set()
            if origins:
                for c, text in enumerate(cells, start=1):
                    if (number, c) in origins:
                        origin_values[(number, c)] = text
                for c, origin in continuations.get(number, ()):
                    cells.extend([None] * (c - len(cells)))
                    cells[c - 1] = origin_values.get(origin)
                    continued.add(c - 1)
            filled = sum(text is not None for text in cells)
            if filled:
                self.cells_read += filled
                if self.cells_read > MAX_CELLS:
                    raise ReportError(
                        problem(
                            self.name,
                            f"数据过多（超过 {MAX_CELLS} 个填了内容的单元格），一年的数据不会有这么多；"
                            "工作簿不会被读取",
                            "xlsx-too-many-cells",
                            sheet,
                            f"A{number}",
                        )
                    )
                yield _Row(number, cells, continued)

    def _iter_rows(self, sheet: str, worksheet: Any) -> Iterator[Any]:
        """openpyxl's rows; a sheet it cannot read past (a number cell holding "NaN", a cell address beyond XFD, a
        text cell pointing at no text: what other programs sometimes write) is a problem naming the sheet and,
        where the XML shows it, the cell."""
        try:
            yield from worksheet.iter_rows()
        except Exception as exc:  # openpyxl raises ValueError, IndexError, KeyError… for damaged cells
            found = damaged_cells(self.package, self.scans.get(sheet))
            message = "这一格的内容无法识别，工作簿已损坏（可能由别的程序生成）；请在 Excel 或 WPS 中重新输入这一格"
            problems = [problem(self.name, f"{message}：{what}", "xlsx-corrupt", sheet, cell) for cell, what in found]
            raise ReportError(
                problems
                or problem(
                    self.name,
                    f"这张工作表已损坏，无法读取（{type(exc).__name__}）；"
                    "请在 Excel、WPS 或 LibreOffice 中打开并另存一次",
                    "xlsx-corrupt",
                    sheet,
                )
            ) from None

    def header(self, sheet: str, row: _Row | None, columns: tuple[Column, ...]) -> dict[int, Column]:
        """Column index -> layout column, matched by header text; unknown columns warned, missing ones reported."""
        found: dict[int, Column] = {}
        if row is None:
            return found
        for index, text in enumerate(row.cells):
            if text is None:
                continue
            column = layout.match_column(text, columns)
            if column is None:
                where = self.place(sheet, row.number, index)
                self.warnings.append(f"{where}：列“{text}”不是本工具的列，已忽略")
            elif column in found.values():
                self.problems.append(
                    Problem(
                        f"列“{column.header}”出现了两次",
                        place=self.place(sheet, row.number, index),
                        code="xlsx-duplicate-column",
                    )
                )
            else:
                found[index] = column
        for column in columns:
            if column.required and column not in found.values():
                self.problems.append(
                    problem(
                        self.name,
                        f"第 {row.number} 行的表头中缺少列“{column.header}”；请不要修改表头",
                        "xlsx-column-missing",
                        sheet,
                    )
                )
        return found

    @staticmethod
    def cell(row: _Row, index: int) -> str | None:
        return row.cells[index] if index < len(row.cells) else None

    # --- sheets ----------------------------------------------------------------------------------------------

    def read_basics(self, sheet: str) -> None:
        rows = list(self.rows(sheet))
        columns = self.header(sheet, rows[0] if rows else None, layout.BASIC_COLUMNS)
        index = {column.key: i for i, column in columns.items()}
        if "label" not in index or "value" not in index:
            return
        items = {layout.normalize_header(i.label): i for i in layout.BASIC_ITEMS}
        items.update({layout.normalize_header(a): i for i in layout.BASIC_ITEMS for a in i.aliases})
        seen: dict[tuple[str, ...], int] = {}
        for row in rows[1:]:
            label = self.cell(row, index["label"])
            item = items.get(layout.normalize_header(label))
            if item is None:
                if label is not None:
                    self.warnings.append(
                        f"{self.place(sheet, row.number, index['label'])}：项目“{label}”不认识，已忽略"
                    )
                continue
            where = self.place(sheet, row.number, index["value"])
            if item.path in seen:
                self.problems.append(
                    Problem(
                        f"项目“{item.label}”写了两次（第一次在第 {seen[item.path]} 行）",
                        place=where,
                        code="xlsx-duplicate-item",
                    )
                )
                continue
            seen[item.path] = row.number
            self.places[item.path] = where
            self.places.setdefault(item.path[:1], where)
            value = self.cell(row, index["value"])
            if value is not None:
                target = self.data
                for key in item.path[:-1]:
                    target = target.setdefault(key, {})
                target[item.path[-1]] = value
        byline = self.data.get("byline")
        if isinstance(byline, dict) and "names" not in byline:
            del self.data["byline"]
            self.warnings.append(f"{self.name}「{sheet}」：填写了署名前缀但没有署名姓名，报告将不署名")

    def read_text(self, sheet: str) -> None:
        rows = list(self.rows(sheet))
        columns = self.header(sheet, rows[0] if rows else None, layout.TEXT_COLUMNS)
        index = {column.key: i for i, column in columns.items()}
        if len(index) < len(layout.TEXT_COLUMNS):
            return
        kind = None
        sections: list[dict[str, Any]] = []
        outlook: dict[str, Any] | None = None
        lists: dict[str, list[str]] = {"lead": [], "event": []}
        for row in rows[1:]:
            typed_kind = self.cell(row, index["kind"])
            # a heading merged down over its part's rows is written once; a filled-in heading starts a new part
            heading = None if index["heading"] in row.continued else self.cell(row, index["heading"])
            paragraph = self.cell(row, index["paragraph"])
            kind_cell = self.place(sheet, row.number, index["kind"])
            if typed_kind is not None:
                kind = typed_kind.strip()
                if kind not in layout.TEXT_KINDS:
                    self.problems.append(
                        Problem(
                            f"类别应为{'、'.join(layout.TEXT_KINDS)}之一，实际是“{typed_kind}”",
                            place=kind_cell,
                            code="xlsx-text-kind",
                        )
                    )
                    kind = None
                    continue
            elif kind is None:
                self.problems.append(
                    Problem("这一行没有填写类别（导语、活动、正文或展望）", place=kind_cell, code="xlsx-text-kind")
                )
                continue
            if heading is None and paragraph is None:
                continue
            heading_cell = self.place(sheet, row.number, index["heading"])
            paragraph_cell = self.place(sheet, row.number, index["paragraph"])
            if kind in ("导语", "活动"):
                key = "lead" if kind == "导语" else "event"
                if heading is not None:
                    self.warnings.append(f"{heading_cell}：{kind}没有小标题，这一格已忽略")
                if paragraph is not None:
                    self.places[(key, len(lists[key]))] = paragraph_cell
                    self.places.setdefault((key,), paragraph_cell)
                    lists[key].append(paragraph)
            elif kind == "正文":
                if heading is not None:
                    if sections and heading.strip() == sections[-1]["heading"].strip():
                        self.warnings.append(
                            f"{heading_cell}：小标题与上一部分相同；每个写了小标题的行都开始新的一部分，"
                            "同一部分的后续行请让小标题空着"
                        )
                    s = len(sections)
                    sections.append({"heading": heading, "paragraphs": []})
                    self.places[("sections", s)] = heading_cell
                    self.places[("sections", s, "heading")] = heading_cell
                    self.places[("sections", s, "paragraphs")] = paragraph_cell
                elif not sections:
                    self.problems.append(
                        Problem(
                            "正文的第一行要写小标题（每一部分的第一行都要写）",
                            place=heading_cell,
                            code="xlsx-heading-missing",
                        )
                    )
                    continue
                if paragraph is not None:
                    s = len(sections) - 1
                    self.places[("sections", s, "paragraphs", len(sections[-1]["paragraphs"]))] = paragraph_cell
                    sections[-1]["paragraphs"].append(paragraph)
            else:  # 展望
                if outlook is None:
                    outlook = {"paragraphs": []}
                    self.places[("outlook",)] = kind_cell
                    self.places[("outlook", "paragraphs")] = paragraph_cell
                if heading is not None and "heading" not in outlook:
                    outlook["heading"] = heading
                    self.places[("outlook", "heading")] = heading_cell
                if paragraph is not None:
                    self.places[("outlook", "paragraphs", len(outlook["paragraphs"]))] = paragraph_cell
                    outlook["paragraphs"].append(paragraph)
        for key, paragraphs in lists.items():
            if paragraphs:
                self.data[key] = paragraphs
        self.data["sections"] = sections
        self.places.setdefault(("sections",), Place(self.name, sheet=sheet))
        if outlook is not None:
            self.data["outlook"] = outlook

    def read_items(self, sheet: str, key: str, columns: tuple[Column, ...]) -> None:
        """A sheet of one item per row (指标, 荣誉, 照片)."""
        rows = list(self.rows(sheet))
        found = self.header(sheet, rows[0] if rows else None, columns)
        items = []
        for row in rows[1:]:
            item: dict[str, Any] = {}
            path = (key, len(items))
            for index, column in found.items():
                self.places[(*path, column.key)] = (sheet, row.number, index)
                value = self.cell(row, index)
                if value is not None:
                    item[column.key] = value
            if not item:
                continue  # only columns we ignore are filled in
            self.places[path] = (sheet, row.number, 0)
            items.append(item)
        if items:
            self.data[key] = items
            self.places[(key,)] = Place(self.name, sheet=sheet)

    def read_table(self, sheet: str) -> None:
        rows = list(self.rows(sheet))
        if not rows:
            return
        first = rows[0]
        title_label = self.cell(first, 0)
        has_label = first.number == 1 and layout.normalize_header(title_label) == layout.TABLE_TITLE_LABEL
        title = self.cell(first, 1) if has_label else None
        body = rows[1:] if has_label else rows
        if title is None and not body:
            return  # the empty 附表 the workbook offers
        t = len(self.data.setdefault("tables", []))
        path = ("tables", t)
        self.places[path] = Place(self.name, sheet=sheet, cell="A1")
        self.places[(*path, "title")] = self.place(sheet, 1, 1)
        table: dict[str, Any] = {"rows": []}
        if title is not None:
            table["title"] = title
        if not body:
            self.problems.append(
                Problem("附表第 2 行应为列名", place=self.place(sheet, 2, 0), code="xlsx-table-header")
            )
            self.data["tables"].append(table)
            return
        header = body[0]
        width = max((i + 1 for i, text in enumerate(header.cells) if text is not None), default=0)
        table["columns"] = header.cells[:width]
        self.places[(*path, "columns")] = self.place(sheet, header.number, 0)
        for c in range(width):
            self.places[(*path, "columns", c)] = self.place(sheet, header.number, c)
        for row in body[1:]:
            r = len(table["rows"])
            for c, text in enumerate(row.cells[width:], start=width):
                if text is not None:
                    self.problems.append(
                        Problem(
                            "这一格所在的列没有列名；请在第 2 行补上列名，或删除这一格",
                            place=self.place(sheet, row.number, c),
                            code="xlsx-table-extra-cell",
                        )
                    )
            self.places[(*path, "rows", r)] = (sheet, row.number, 0)
            for c in range(width):
                self.places[(*path, "rows", r, c)] = (sheet, row.number, c)
            table["rows"].append([self.cell(row, c) for c in range(width)])
        self.data["tables"].append(table)
