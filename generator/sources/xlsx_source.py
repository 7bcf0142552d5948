"""Workbook reader: an .xlsx filled in Excel, WPS or LibreOffice -> the same raw structure as the YAML reader,
every value carrying its sheet and cell, so every error names the cell to fix: 「指标」D7.

What people and programs do to workbooks is expected: percent cells (0.258 shown as 25.8%), numbers typed as text,
blank rows, thousands of formatted empty rows, merged cells, rich text, ``_x000D_`` escapes, hidden or reordered
sheets, sheets and columns a user added (ignored with a note), names with stray spaces or full-width forms,
formulas (read by their cached value). Files that are not workbooks are refused before any parser sees them, with
a message saying what they are.

A renamed sheet, column or 基本信息 item never changes or drops data in silence: the workbook the tool writes has
all of them, so one missing while another we do not know holds data is an error with a did-you-mean (see
plan_sheets and header; the rule is in the README's workbook section).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext
from pathlib import Path
from typing import Any, TypeVar

from generator.errors import DataPath, Place, Problem, ReportError
from generator.ooxml import UnsafeXML
from generator.sources import layout, xlsx_sheet
from generator.sources.layout import Column
from generator.sources.raw import RawDocument, column_letter, display_name
from generator.sources.xlsx_package import (
    OLE_MESSAGE,
    STRICT_MESSAGE,
    UNSAFE_XML_MESSAGE,
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
_EXACT = 10**15  # whole numbers below this have at most Excel's 15 digits


def read_workbook(path: Path) -> RawDocument:
    name = display_name(path)
    data = read_checked(path, name)
    scanned = scan_package(data, name)
    scans = scanned.sheets
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about data validation and styles it cannot keep
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(scanned.package), read_only=True, data_only=True, rich_text=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged package
            raise ReportError(
                problem(name, f"工作簿已损坏，无法读取（{type(exc).__name__}）", "xlsx-corrupt")
            ) from None
    reader = _Reader(name, path, book, scans)
    reader.package = data
    try:
        return reader.read()
    except ReportError as exc:  # a sheet that cannot be read at all: what was noted so far still explains it
        raise exc.noted(reader.warnings) from None
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
    if type(value) is int and -_EXACT < value < _EXACT and _format_rules(number_format) == (False, 0):
        return str(value)  # a whole number shown as one: what number_text makes of it, without Decimal's work
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value, number_format)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # a duration cell ([h]:mm) as Excel shows it, not Python's "1 day, 6:05:00"
        seconds = round(value.total_seconds())
        hours, rest = divmod(abs(seconds), 3600)
        return f"{'-' if seconds < 0 else ''}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    text = _unescape(str(value))
    return text if text.strip() else None


# ---------------------------------------------------------------------------------------------------------------
# Sheets -> raw structure

_PEEK_ROWS = 6  # rows looked at to tell what a sheet we do not know holds
Key = TypeVar("Key")


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
        self.styles = xlsx_sheet.BookStyles.of(book)
        self.cells_read = 0
        self.data: dict[str, Any] = {}
        self.places: dict[DataPath, Place | tuple[str, int, int]] = {(): Place(name)}
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self._rows: dict[str, list[_Row]] = {}

    def place(self, sheet: str, row: int, column: int) -> Place:
        return Place(self.name, sheet=sheet, cell=f"{column_letter(column)}{row}")

    def read(self) -> RawDocument:
        chosen, tables, others = self.plan_sheets()
        if layout.BASICS_SHEET in chosen:
            self.read_basics(chosen[layout.BASICS_SHEET])
        if layout.TEXT_SHEET in chosen:
            self.read_text(chosen[layout.TEXT_SHEET])
        for role, key, columns in (
            (layout.INDICATOR_SHEET, "indicators", layout.INDICATOR_COLUMNS),
            (layout.HONOR_SHEET, "honors", layout.HONOR_COLUMNS),
            (layout.PHOTO_SHEET, "photos", layout.PHOTO_COLUMNS),
            (layout.CHART_SHEET, "charts", layout.CHART_COLUMNS),
        ):
            if role in chosen:
                self.read_items(chosen[role], key, columns)
        for sheet in tables:
            self.read_table(sheet)
        for sheet, role in others:
            self.check_lookalike(sheet, role, chosen[role])
        return RawDocument(self.data, self.path, self.places, self.problems, self.warnings)

    # --- which sheet is which ----------------------------------------------------------------------------------

    def plan_sheets(self) -> tuple[dict[str, str], list[str], list[tuple[str, str]]]:
        """Which sheet holds what: our sheet name -> the sheet read as it; the 附表 sheets; and sheets that look like
        one of ours besides the one read (copies, a Sheet1 filled in by mistake), checked once that one is read.

        Names match loosely (layout.normalize_header): a tab 「荣誉 」 is 荣誉. The workbook the tool writes has
        every sheet, so a sheet of ours that is missing was deleted or renamed: a sheet we do not know whose header
        row is that of the missing one, or whose name is a near miss and which holds data, is an error with a
        did-you-mean (never its rows silently left out); a required sheet missing is an error; an optional one a
        note."""
        roles = {layout.normalize_header(s.name): s.name for s in layout.DATA_SHEETS}
        guide = layout.normalize_header(layout.INSTRUCTIONS_SHEET)
        prefix = layout.normalize_header(layout.TABLE_SHEET_PREFIX)
        chosen: dict[str, str] = {}
        others: list[tuple[str, str]] = []
        tables: list[str] = []
        unknown: list[str] = []
        for sheet in self.book.sheetnames:
            key = layout.normalize_header(sheet)
            role = roles.get(key)
            if key == guide:
                continue
            if not _has_cells(self.book[sheet]):  # a chart moved to a sheet of its own: nothing to read
                unknown.append(sheet)
            elif role is None:
                (tables if key.startswith(prefix) else unknown).append(sheet)
            elif role not in chosen:
                chosen[role] = sheet
            elif sheet == role:  # the tab spelled exactly so is the one read; 「荣誉 (2)」 is checked against it
                others.append((chosen[role], role))
                chosen[role] = sheet
            else:
                others.append((sheet, role))
        filled: dict[str, bool] = {}
        for sheet in unknown:
            rows = self.peek(sheet)
            filled[sheet] = len(rows) > 1 or (len(rows) == 1 and sum(c is not None for c in rows[0].cells) > 1)
            role = _resembles(rows)
            here = Place(self.name, sheet=sheet)
            if role is None or not filled[sheet]:
                like = f"（它的表头与“{role}”表相同，但没有填写内容）" if role else ""
                self.warnings.append(f"{here}：这张工作表不是本工具的表格{like}，已忽略")
            elif role == layout.TABLE_SHEET_PREFIX:
                self.problems.append(
                    Problem(
                        f"这张工作表的 A 列写着“{layout.TABLE_TITLE_LABEL}”，像一张附表，但工作表名不以"
                        f"“{layout.TABLE_SHEET_PREFIX}”开头，其中的内容不会进入报告：是否想写“{layout.TABLE_SHEET_PREFIX}"
                        f"{len(tables) + 1}”？请把工作表改名为“{layout.TABLE_SHEET_PREFIX}{len(tables) + 1}”",
                        place=here,
                        code="xlsx-sheet-renamed",
                    )
                )
                tables.append(sheet)  # read as the table it is, so its cells are checked too
            elif role not in chosen:
                self.problems.append(
                    Problem(
                        f"缺少工作表“{role}”，而这张工作表的表头与“{role}”表相同：是否想写“{role}”？"
                        f"请把工作表“{sheet}”改名为“{role}”",
                        place=here,
                        code="xlsx-sheet-renamed",
                    )
                )
                chosen[role] = sheet  # read as the sheet it is, so the rest is checked as it will be once renamed
            else:
                others.append((sheet, role))
        spare = [s for s in unknown if s not in chosen.values() and s not in tables]
        for spec in layout.DATA_SHEETS:
            if spec.name in chosen:
                continue
            close = _closest((spec.name,), [(s, s) for s in spare])
            headers = "、".join(c.header for c in spec.columns)
            if close is not None and filled.get(close[0]):
                self.problems.append(
                    Problem(
                        f"缺少工作表“{spec.name}”，而这张工作表不是本工具的表格，其中的内容不会进入报告："
                        f"是否想写“{spec.name}”？如果是，请把它改名为“{spec.name}”，第一行写表头：{headers}；"
                        "如果不是，请给它换一个不相近的名字",
                        place=Place(self.name, sheet=close[0]),
                        code="xlsx-sheet-renamed",
                    )
                )
            elif spec.required:
                hint = (
                    f"工作表“{close[0]}”是不是它？请把它改名为“{spec.name}”"
                    if close is not None
                    else "请不要删除或改名工作表"
                )
                self.problems.append(problem(self.name, f"缺少工作表“{spec.name}”；{hint}", "sheet-missing"))
            else:
                self.warnings.append(f"{self.name}：没有工作表“{spec.name}”，按没有{spec.name}读取")
        return chosen, tables, others

    def peek(self, sheet: str) -> list[_Row]:
        """The first rows of a sheet we may not read: enough to tell what it holds."""
        rows: list[_Row] = []
        try:
            for row in self.rows(sheet, formulas=False):
                rows.append(row)
                if len(rows) >= _PEEK_ROWS:
                    break
        except ReportError:
            return []  # a damaged sheet that is not ours: left alone, as before
        return rows

    def check_lookalike(self, sheet: str, role: str, read: str) -> None:
        """A second sheet looking like one of ours (a copy 「荣誉 (2)」, honors typed into Sheet1): only ``read`` is
        read, so rows found only here would be left out; an error unless it is empty or the same as ``read``."""
        here = Place(self.name, sheet=sheet)
        theirs = _content(self.sheet_rows(sheet, formulas=False)[1:])
        if not theirs or theirs == _content(self.sheet_rows(read)[1:]):
            what = "与它内容相同" if theirs else "没有填写内容"
            self.warnings.append(f"{here}：这张工作表的表头与“{read}”表相同，{what}，已忽略；读取的是“{read}”")
            return
        self.problems.append(
            Problem(
                f"这张工作表的表头与“{read}”表相同，填了 {len(theirs)} 行，但只有“{read}”表会被读取，"
                f"这里的内容不会进入报告：请把需要的内容移到“{read}”表，再删除这张工作表（或改掉它的表头）",
                place=here,
                code="xlsx-sheet-duplicate",
            )
        )

    # --- rows ------------------------------------------------------------------------------------------------

    def sheet_rows(self, sheet: str, *, formulas: bool = True) -> list[_Row]:
        """The rows of a sheet, read once."""
        if sheet not in self._rows:
            self._rows[sheet] = list(self.rows(sheet, formulas=formulas))
        return self._rows[sheet]

    def rows(self, sheet: str, *, formulas: bool = True) -> Iterator[_Row]:
        """Every row with something in it, merged ranges filled with their value; formulas without a cached
        value reported (``formulas``: in a sheet we read, not in one we only look at)."""
        scan = self.scans.get(sheet, SheetScan())
        for reference in sorted(scan.uncached_formulas) if formulas else ():
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
        if not _has_cells(worksheet):
            return
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
        for number, (values, shown) in enumerate(self._iter_rows(sheet, worksheet), start=1):
            cells = [None if v is None else cell_text(v, form) for v, form in zip(values, shown, strict=True)]
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

    def _iter_rows(self, sheet: str, worksheet: Any) -> Iterator[xlsx_sheet.Row]:
        """The sheet's rows as openpyxl's read-only mode gives them (its whole length: WPS may declare A1:A1), read
        in one pass (xlsx_sheet); a sheet that cannot be read past (a number cell holding "NaN", a cell address
        beyond XFD, a text cell pointing at no text: what other programs sometimes write) is a problem naming the
        sheet and, where the XML shows it, the cell."""
        try:
            with worksheet._get_source() as source:  # the part and the shared strings openpyxl found for this sheet
                yield from xlsx_sheet.sheet_rows(source, self.styles, worksheet._shared_strings)
        except UnsafeXML:
            raise ReportError(problem(self.name, UNSAFE_XML_MESSAGE, "xlsx-unsafe-xml", sheet)) from None
        except xlsx_sheet.DamagedCell as damaged:
            if damaged.row:
                message = "这一行的行号无法识别，工作簿已损坏（可能由别的程序生成）；请在 Excel 或 WPS 中打开并另存一次"
            else:
                message = "这一格的内容无法识别，工作簿已损坏（可能由别的程序生成）；请在 Excel 或 WPS 中重新输入这一格"
            raise ReportError(
                problem(self.name, f"{message}：{damaged.what}", "xlsx-corrupt", sheet, damaged.cell)
            ) from None
        except xlsx_sheet.ForeignSheet:
            raise ReportError(
                problem(
                    self.name,
                    f"这张工作表{STRICT_MESSAGE}",
                    "xlsx-strict",
                    sheet,
                )
            ) from None
        except Exception as exc:  # ValueError, IndexError… for damaged cells, as openpyxl raised; lxml for bad XML
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

    def header(self, sheet: str, rows: list[_Row], columns: tuple[Column, ...]) -> dict[int, Column]:
        """Column index -> layout column, matched by header text (layout.normalize_header).

        The workbook the tool writes has every column, so a column of ours that is missing was deleted or renamed.
        When a column we do not know holds data meanwhile, its data would be left out (and, for 类型 or 单位, the
        figures read differently): an error. A near miss (a similar name, or standing where the missing column
        belongs) gets a did-you-mean and is read as the missing column, so the rest is checked as it will be once
        the header is put right. Otherwise a required column missing is an error, an optional one a note, and
        columns we do not know are ignored with a note."""
        found: dict[int, Column] = {}
        if not rows:
            return found
        head, body = rows[0], rows[1:]
        unknown: list[int] = []
        for index, text in enumerate(head.cells):
            if text is None:
                continue
            column = layout.match_column(text, columns)
            if column is None:
                unknown.append(index)
            elif column in found.values():
                self.problems.append(
                    Problem(
                        f"列“{column.header}”出现了两次",
                        place=self.place(sheet, head.number, index),
                        code="xlsx-duplicate-column",
                    )
                )
            else:
                found[index] = column
        filled = [i for i in unknown if any(self.cell(row, i) is not None for row in body)]
        line = f"第 {head.number} 行的表头中"
        lost: list[Column] = []
        order = {c: n for n, c in enumerate(columns)}
        wanted = []
        for position, column in enumerate(columns):
            if column in found.values():
                continue
            before = max((i for i, c in found.items() if order[c] < position), default=-1)
            after = min((i for i, c in found.items() if order[c] > position), default=len(head.cells))
            candidates = [(i, head.cells[i] or "") for i in (filled if filled else unknown if column.required else [])]
            wanted.append((column, (column.header, *column.aliases), candidates,
                           lambda i, lo=before, hi=after: lo < i < hi))  # fmt: skip
        matched = _paired(wanted)
        for column in columns:
            if column in found.values():
                continue
            if column in matched:
                index, text = matched[column]
                self.problems.append(
                    Problem(
                        f"{line}缺少列“{column.header}”，这一列的表头“{text}”不是本工具的列：是否想写“{column.header}”？"
                        f"请把表头改为“{column.header}”",
                        place=self.place(sheet, head.number, index),
                        code="xlsx-column-renamed",
                    )
                )
                found[index] = column
                unknown.remove(index)
                if index in filled:
                    filled.remove(index)
            else:
                lost.append(column)
        if lost and filled:
            wanted = "、".join(f"“{c.header}”" for c in lost)
            listed = "、".join(f"“{head.cells[i]}”（{column_letter(i)} 列）" for i in filled)
            self.problems.append(
                problem(
                    self.name,
                    f"{line}缺少列{wanted}，而列{listed}不是本工具的列，填了内容却不会进入报告：如果它就是缺少的列，"
                    "请把表头改成那一列的名称；如果不是，请把缺少的列加回来（可以空着）",
                    "xlsx-column-missing",
                    sheet,
                )
            )
            unknown = [i for i in unknown if i not in filled]
        for column in [] if lost and filled else lost:
            if column.required:
                self.problems.append(
                    problem(self.name, f"{line}缺少列“{column.header}”；请不要修改表头", "xlsx-column-missing", sheet)
                )
            else:  # nothing is lost: the column is empty, or was deleted
                close = _closest((column.header, *column.aliases), [(i, head.cells[i] or "") for i in unknown])
                hint = ""
                if close is not None:
                    cell = f"{column_letter(close[0])}{head.number}"
                    hint = f"；{cell} 的“{close[1]}”是不是它？请把表头改为“{column.header}”"
                    unknown.remove(close[0])
                self.warnings.append(
                    f"{Place(self.name, sheet=sheet)}：{line}没有列“{column.header}”，这一列按空着读取{hint}"
                )
        for index in unknown:
            where = self.place(sheet, head.number, index)
            self.warnings.append(f"{where}：列“{head.cells[index]}”不是本工具的列，已忽略")
        return dict(sorted(found.items()))

    @staticmethod
    def cell(row: _Row, index: int) -> str | None:
        return row.cells[index] if index < len(row.cells) else None

    # --- sheets ----------------------------------------------------------------------------------------------

    def read_basics(self, sheet: str) -> None:
        rows = self.sheet_rows(sheet)
        columns = self.header(sheet, rows, layout.BASIC_COLUMNS)
        index = {column.key: i for i, column in columns.items()}
        if "label" not in index or "value" not in index:
            return
        items = {layout.normalize_header(i.label): i for i in layout.BASIC_ITEMS}
        items.update({layout.normalize_header(a): i for i in layout.BASIC_ITEMS for a in i.aliases})
        labelled = [(row, items.get(layout.normalize_header(self.cell(row, index["label"])))) for row in rows[1:]]
        reported = self.renamed_items(sheet, labelled, index["label"], index["value"])
        seen: dict[tuple[str, ...], int] = {}
        for n, (row, item) in enumerate(labelled):
            label = self.cell(row, index["label"])
            if item is None:
                if label is not None and n not in reported:
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

    def renamed_items(
        self, sheet: str, labelled: list[tuple[_Row, layout.BasicItem | None]], at: int, value_at: int
    ) -> set[int]:
        """The rule of header(), for the items of 基本信息: a missing item while a label we do not know has a value
        (its value would be left out) is an error; a near miss is read as the missing item. Fills ``labelled`` in
        place; returns the rows reported."""
        known = {item.path: row.number for row, item in labelled if item is not None}
        unknown = [n for n, (row, item) in enumerate(labelled) if item is None and self.cell(row, at) is not None]
        filled = [n for n in unknown if self.cell(labelled[n][0], value_at) is not None]
        reported: set[int] = set()
        lost: list[layout.BasicItem] = []
        lines = {item.path: p for p, item in enumerate(layout.BASIC_ITEMS)}
        candidates = [(n, self.cell(labelled[n][0], at) or "") for n in filled]
        wanted = []
        for position, item in enumerate(layout.BASIC_ITEMS):
            if item.path in known:
                continue
            before = max((r for path, r in known.items() if lines[path] < position), default=0)
            after = min((r for path, r in known.items() if lines[path] > position), default=10**9)
            wanted.append((item, (item.label, *item.aliases), candidates,
                           lambda n, lo=before, hi=after: lo < labelled[n][0].number < hi))  # fmt: skip
        matched = _paired(wanted)
        for item in layout.BASIC_ITEMS:
            if item.path in known:
                continue
            if item not in matched:
                lost.append(item)
                continue
            n, label = matched[item]
            row = labelled[n][0]
            self.problems.append(
                Problem(
                    f"缺少项目“{item.label}”，这一行的项目名“{label}”不认识：是否想写“{item.label}”？"
                    f"请把它改为“{item.label}”",
                    place=self.place(sheet, row.number, at),
                    code="xlsx-item-renamed",
                )
            )
            labelled[n] = (row, item)
            filled.remove(n)
            reported.add(n)
        for item in lost:  # a required one is reported by the model, at the sheet; an optional one is a note
            self.places[item.path] = Place(self.name, sheet=sheet)
            if not item.required and not filled:
                self.warnings.append(f"{Place(self.name, sheet=sheet)}：没有项目“{item.label}”这一行，按空着读取")
        wanted = "、".join(f"“{item.label}”" for item in lost)
        for n in filled if lost else ():
            self.problems.append(
                Problem(
                    f"项目“{self.cell(labelled[n][0], at)}”不认识，填写的内容不会进入报告，而本表缺少项目{wanted}："
                    "如果它就是缺少的项目，请改成那个名称；如果不是，请删除这一行（或把缺少的项目加回来，可以空着）",
                    place=self.place(sheet, labelled[n][0].number, at),
                    code="xlsx-item-missing",
                )
            )
            reported.add(n)
        return reported

    def read_text(self, sheet: str) -> None:
        rows = self.sheet_rows(sheet)
        columns = self.header(sheet, rows, layout.TEXT_COLUMNS)
        index = {column.key: i for i, column in columns.items()}
        if not {c.key for c in layout.TEXT_COLUMNS if c.required} <= set(index):
            return
        kind = None
        sections: list[dict[str, Any]] = []
        outlook: dict[str, Any] | None = None
        lists: dict[str, list[str]] = {"lead": [], "event": []}
        for row in rows[1:]:
            typed_kind = self.cell(row, index["kind"])
            # a heading merged down over its part's rows is written once; a filled-in heading starts a new part
            heading = None if index["heading"] in row.continued else self.cell(row, index["heading"])
            column = index.get("subheading")
            subheading = None if column is None or column in row.continued else self.cell(row, column)
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
            if heading is None and subheading is None and paragraph is None:
                continue
            heading_cell = self.place(sheet, row.number, index["heading"])
            if subheading is not None and kind != "正文":
                self.warnings.append(f"{self.place(sheet, row.number, column)}：{kind}没有二级标题，这一格已忽略")
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
                s = len(sections) - 1
                if subheading is not None:
                    parts = sections[-1].setdefault("subsections", [])
                    where = self.place(sheet, row.number, column)
                    path = ("sections", s, "subsections", len(parts))
                    self.places[path] = self.places[(*path, "heading")] = where
                    self.places[(*path, "paragraphs")] = paragraph_cell
                    parts.append({"heading": subheading, "paragraphs": []})
                if paragraph is not None:
                    parts = sections[-1].get("subsections")
                    if parts:  # after a second-level heading, paragraphs belong to its part
                        path = ("sections", s, "subsections", len(parts) - 1, "paragraphs")
                        self.places[(*path, len(parts[-1]["paragraphs"]))] = paragraph_cell
                        parts[-1]["paragraphs"].append(paragraph)
                    else:
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
        rows = self.sheet_rows(sheet)
        found = self.header(sheet, rows, columns)
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
        rows = self.sheet_rows(sheet)
        if not rows:
            return
        first = rows[0]
        title_label = self.cell(first, 0)
        label = layout.normalize_header(layout.TABLE_TITLE_LABEL)
        has_label = layout.normalize_header(title_label) == label
        near = layout.likeness(title_label, (layout.TABLE_TITLE_LABEL,)) >= layout.NEAR_MISS
        if not has_label and near and self.cell(first, 1) is not None:
            # 标题 where 表题 belongs: the title would otherwise be read as a column name, the columns as a row
            self.problems.append(
                Problem(
                    f"附表的第一行应在 A 列写“{layout.TABLE_TITLE_LABEL}”、B 列写表题，这一格写的是"
                    f"“{title_label}”：是否想写“{layout.TABLE_TITLE_LABEL}”？请改为“{layout.TABLE_TITLE_LABEL}”",
                    place=self.place(sheet, first.number, 0),
                    code="xlsx-table-header",
                )
            )
            has_label = True
        title = self.cell(first, 1) if has_label else None
        body = rows[1:] if has_label else rows
        if title is None and not body:
            return  # the empty 附表 the workbook offers
        t = len(self.data.setdefault("tables", []))
        path = ("tables", t)
        self.places[path] = self.place(sheet, first.number, 0)
        self.places[(*path, "title")] = self.place(sheet, first.number, 1)
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


def _has_cells(sheet: Any) -> bool:
    """A worksheet, not a chart sheet (Excel's "move chart to a new sheet")."""
    return hasattr(sheet, "iter_rows")


def _near_miss(
    names: Sequence[str], candidate: tuple[Key, str], in_place: Callable[[Key], bool] | None = None
) -> float | None:
    """How near a miss of ``names`` the candidate is (a similar name, or standing where the missing one belongs,
    or both), or None when it is not one."""
    key, text = candidate
    alike = layout.likeness(text, names)
    placed = in_place is not None and in_place(key)
    if alike < layout.NEAR_MISS and not placed:
        return None
    return alike + (1 if placed else 0)


# (what is missing, its names, the cells it may be among (key, text), whether a key stands where it belongs)
Wanted = tuple[Any, Sequence[str], Sequence[tuple[Any, str]], Callable[[Any], bool] | None]


def _paired(wanted: Sequence[Wanted]) -> dict[Any, tuple[Any, str]]:
    """Each missing name (target, its names, the candidates it may take, where it belongs) paired with its near
    miss, the most alike pairs first and each candidate used once: a renamed 段落 is not taken for a missing
    二级标题 that happens to stand where it stood."""
    pairs = []
    for order, (target, names, candidates, in_place) in enumerate(wanted):
        for candidate in candidates:
            rank = _near_miss(names, candidate, in_place)
            if rank is not None:
                pairs.append((rank, -order, target, candidate))
    matched: dict[Any, tuple[Any, str]] = {}
    taken: set[Any] = set()
    for _, _, target, candidate in sorted(pairs, key=lambda p: (p[0], p[1]), reverse=True):
        if target not in matched and candidate[0] not in taken:
            matched[target] = candidate
            taken.add(candidate[0])
    return matched


def _closest(
    names: Sequence[str], candidates: Sequence[tuple[Key, str]], in_place: Callable[[Key], bool] | None = None
) -> tuple[Key, str] | None:
    """The candidate that is a near miss of ``names``, the most alike; None when none is."""
    return _paired([(0, names, candidates, in_place)]).get(0)


def _resembles(rows: list[_Row]) -> str | None:
    """Which of our sheets a sheet we do not know looks like, by its first row: our header row (three of its
    columns, or all when it has fewer; 基本信息 also needs two of its items in the first column), or 表题 in column
    A for a 附表 (layout.TABLE_SHEET_PREFIX is returned)."""
    if not rows:
        return None
    head = rows[0]
    first = next((text for text in head.cells if text is not None), None)
    if layout.normalize_header(first) == layout.normalize_header(layout.TABLE_TITLE_LABEL):
        return layout.TABLE_SHEET_PREFIX
    best: tuple[float, str] | None = None
    for spec in layout.DATA_SHEETS:
        matched = {i: layout.match_column(t, spec.columns) for i, t in enumerate(head.cells) if t is not None}
        columns = {c for c in matched.values() if c is not None}
        if spec.name == layout.BASICS_SHEET:
            labels = {layout.normalize_header(n) for item in layout.BASIC_ITEMS for n in (item.label, *item.aliases)}
            at = next((i for i, c in matched.items() if c is not None and c.key == "label"), 0)
            known = sum(1 for row in rows[1:] if layout.normalize_header(_Reader.cell(row, at)) in labels)
            if len(columns) < 2 or known < 2:
                continue
        elif len(columns) < min(3, len(spec.columns)):
            continue
        share = len(columns) / len(spec.columns)
        if best is None or share > best[0]:
            best = (share, spec.name)
    return best[1] if best else None


def _content(rows: list[_Row]) -> list[tuple[str | None, ...]]:
    """What rows hold, to compare two sheets: their cells, without trailing empty ones."""
    content = []
    for row in rows:
        cells = list(row.cells)
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            content.append(tuple(cells))
    return content
