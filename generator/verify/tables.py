"""Tables of a report against the data: the summary table (指标, 单位, 本年, 上年, 同比) row by row, with the cell text
build writes (written_number, table_change); any other table cell by cell, a bare number named by its row's label
and its column's header (参与项目数（个）: unit 个), other cells read as text."""

from __future__ import annotations

from decimal import Decimal

from generator.figures.figure import Figure
from generator.figures.numerals import written_number
from generator.figures.phrasing import table_change
from generator.reading.docx_text import Passage, TableBlock
from generator.reading.statements import statements
from generator.verify.compare import Checker, Pair, change_agrees, rate_with_value
from generator.verify.findings import Finding
from generator.verify.matching import core, similarity

NAME_HEADERS = {"指标", "指标名称", "名称", "项目", "主要指标", "统计指标"}
VALUE_HEADERS = {"本年", "本年数值", "本年数", "今年", "数值", "本期", "本年度", "实绩"}
PREVIOUS_HEADERS = {"上年", "上年数值", "上年数", "去年", "上期", "上年同期"}
CHANGE_HEADERS = {"同比", "同比增减", "增减", "增幅", "同比变化", "增减幅度", "变化", "同比增长", "增减率"}
UNIT_HEADERS = {"单位", "计量单位"}


def header_text(text: str) -> str:
    """A column header without notes in brackets: 同比（%） -> 同比."""
    for mark in ("（", "("):
        text = text.split(mark)[0]
    return text.strip()


def check_table(checker: Checker, block: TableBlock) -> list[Finding]:
    """A table: a summary table (指标 with 本年/上年/同比 columns) row by row against the indicators of its rows;
    any other table cell by cell, each cell named by its row's label and its column's header."""
    if not block.rows:
        return []
    headers = [header_text(cell.plain) for cell in block.rows[0]]
    columns = {c.where.column: h for c, h in zip(block.rows[0], headers, strict=True)}
    name_col = next((c for c, h in columns.items() if h in NAME_HEADERS), None)
    value_col = next((c for c, h in columns.items() if h in VALUE_HEADERS or h == f"{checker.year}年"), None)
    previous_col = next((c for c, h in columns.items() if h in PREVIOUS_HEADERS or h == f"{checker.year - 1}年"), None)
    change_col = next((c for c, h in columns.items() if h in CHANGE_HEADERS), None)
    unit_col = next((c for c, h in columns.items() if h in UNIT_HEADERS), None)
    if name_col is not None and (value_col or previous_col or change_col):
        return _summary(checker, block, name_col, value_col, previous_col, change_col, unit_col)
    found: list[Finding] = []
    for row in block.rows[1:]:
        label = next((c.plain for c in row if c.plain and not _bare_number(c.plain)), "")
        for cell in row:
            header = columns.get(cell.where.column, "")
            if header in {"序号", "编号", "排名", "名次"} or "年份" in header:
                continue
            context = label + header
            if _bare_number(cell.plain):
                found += _bare_cell(checker, cell, label, block.rows[0])
            else:
                found += checker.passage(cell, context if cell.plain != label else "")
    return found


def _summary(
    checker: Checker,
    block: TableBlock,
    name_col: int,
    value_col: int | None,
    previous_col: int | None,
    change_col: int | None,
    unit_col: int | None,
) -> list[Finding]:
    found: list[Finding] = []
    for row in block.rows[1:]:
        cells = {c.where.column: c for c in row}
        name_cell = cells.get(name_col)
        if name_cell is None or not name_cell.plain:
            continue
        figure = checker.by_name.get(name_cell.plain)
        if figure is None:
            near = checker.index.near(name_cell.plain)
            scored = max(near, key=lambda f: similarity(core(f), name_cell.plain), default=None)
            if scored is not None and similarity(core(scored), name_cell.plain) >= 0.9:
                figure = scored
        if figure is None:
            found.append(Finding("unexplained", str(name_cell.where), " | ".join(c.plain for c in row)))
            continue
        for column, number, what in ((value_col, figure.value, "本年"), (previous_col, figure.previous, "上年")):
            cell = cells.get(column) if column is not None else None
            if cell is None:
                continue
            written = written_number(number) if number is not None else "—"
            agrees = _same_number(cell.plain, number)
            found.append(_cell_finding(cell, agrees, f"{figure.name}{what} {written}", written, figure))
        cell = cells.get(change_col) if change_col is not None else None
        if cell is not None:
            written = table_change(figure)
            agrees = _table_change_agrees(cell.plain, figure)
            found.append(_cell_finding(cell, agrees, f"{figure.name} {written}", written, figure))
        cell = cells.get(unit_col) if unit_col is not None else None
        if cell is not None and figure.unit and cell.plain not in {figure.unit, "", "—"}:
            found.append(_cell_finding(cell, False, f"{figure.name}的单位 {figure.unit}", figure.unit, figure))
    return found


def _bare_cell(checker: Checker, cell: Passage, label: str, header_row: list[Passage]) -> list[Finding]:
    """A number alone in a cell: its row's label and its column's header name it; the header's （个） is its
    unit."""
    header = next((h.plain for h in header_row if h.where.column == cell.where.column), "")
    unit = ""
    for mark, close in (("（", "）"), ("(", ")")):
        if mark in header and close in header:
            unit = header.split(mark)[1].split(close)[0]
    number = Decimal(cell.plain.replace(",", "").rstrip("%"))
    percent = cell.plain.endswith("%")
    window = label + header_text(header)

    def allowed(figure: Figure) -> bool:
        if percent:
            return rate_with_value(figure)
        return figure.value is not None and (not unit or figure.unit in {unit, ""})

    match = checker.index.best([window], allowed, lambda figure: figure.value == number)
    if match is None:
        return [Finding("unexplained", str(cell.where), f"{label} {cell.plain}")]
    figure = match.figure
    written = written_number(figure.value) if figure.value is not None else "—"
    return [_cell_finding(cell, figure.value == number, f"{figure.name} {written}{figure.unit}", written, figure)]


def _bare_number(text: str) -> bool:
    stripped = text.replace(",", "").rstrip("%")
    try:
        Decimal(stripped)
    except ArithmeticError:
        return False
    return bool(stripped) and stripped.replace(".", "", 1).lstrip("-").isdigit()


def _same_number(text: str, number: Decimal | None) -> bool:
    cleaned = text.replace(",", "").strip()
    if cleaned in {"", "—", "-", "/", "无"}:
        return number is None
    if number is None:
        return False
    try:
        return Decimal(cleaned.rstrip("%")) == number
    except ArithmeticError:
        return False


def _table_change_agrees(text: str, figure: Figure) -> bool:
    if text in {"", "—", "-", "/"}:
        return figure.change is None
    if figure.change is None:
        return False
    if text == table_change(figure):
        return True
    if text in {"持平", "基本持平"}:
        return figure.change.direction in {"flat", "about-flat"}
    if text == "新增":
        return figure.change.direction == "new"
    found = statements(text)
    if found and found[0].kind == "change" and len(found[0].amounts) == 1:
        statement = found[0]
        return change_agrees(Pair("", statement.amounts[0], statement.directions[0], statement.verbs[0]), figure)
    bare = text.rstrip("%")
    unit = "个百分点" if text.endswith("个百分点") else "%"
    bare = text.removesuffix("个百分点").rstrip("%")
    try:
        number = Decimal(bare)
    except ArithmeticError:
        return False
    change = figure.change
    return change.amount is not None and number == change.amount and unit == change.unit


def _cell_finding(cell: Passage, agrees: bool, expected: str, write: str, figure: Figure) -> Finding:
    if agrees:
        return Finding("agrees", str(cell.where), cell.plain, "", "", (figure.name,))
    return Finding("disagrees", str(cell.where), cell.plain or "（空）", expected, write, (figure.name,))
