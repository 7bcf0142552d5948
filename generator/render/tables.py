"""Finished tables as WordprocessingML: the 数说 summary, honors, trend table, the data's own tables and the formal
report's 附件, styled by the template's own styles.

Their columns vary, so they are written here rather than drawn in the template. Widths come from the contents
(a Chinese character counts full width, a digit half) and are explicit, summing to the text width (WPS ignores
autofit): numbers and change phrases never wrap, long names do. The header row repeats on every page. Styles are
the template's (报告表格 or 数说表格, 表头, 表格文字, 表格数字), found by name in render/styles.py; where the
template lacks one, the table carries the formatting it needs itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import escape

from generator.figures.content import TableContent
from generator.render.styles import BOX, HEADING, NUMBER, TABLE, TEXT, StyleRole, TableStyles

# Numbers, with a short unit or a change word (下降25.8%), and the marks that stand in a number's place (—, 持平):
# right-aligned so that digits line up, and never wrapped.
_NUMERIC = re.compile(
    r"(下降|增长|提高|提升|减少|上升|降低)?[+\-−]?\d[\d,，]*(\.\d+)?\s*(%|‰|个百分点|倍|[\u4e00-\u9fff]{1,3})?"
    r"|—|-|持平|基本持平|与上年持平|新增"
)
_UNBROKEN = re.compile(r"[!-~]+")  # a run of Latin letters, digits and signs: no line break inside it
_EMPTY = {"", "—", "-"}
# Half-width characters in ems, as Times New Roman (and Liberation Serif, which LibreOffice puts in its place)
# sets them: digits 0.5, the thin signs about a quarter, % 0.83; letters wider. 0.58 also covers DejaVu Serif
# which stands in for Times New Roman where no metric twin is installed.
HALF_EM = 0.58
THIN_EM = 0.28
_THIN = str.maketrans("", "", ".,:;'|!iljtf ()[]")
SAFETY = 1.06  # fonts standing in for the Windows ones run a little wider
PART_ROWS = 200  # rows of a long table per part (see table_xml)


def is_numeric(text: str) -> bool:
    return bool(_NUMERIC.fullmatch(text.strip()))


def text_em(text: str) -> float:
    """Width of the widest line of ``text`` in ems: wide (CJK, full-width) characters 1, half-width ones about a
    half. Counted with string operations done in C: a 10,000-row table is measured in milliseconds."""
    widest = 0.0
    for line in text.split("\n") if "\n" in text else (text,):
        characters = len(line)
        wide = (len(line.encode("utf-8")) - characters) // 2  # CJK characters take 3 bytes, ASCII 1
        thin = characters - len(line.translate(_THIN))
        percent = line.count("%")
        narrow = characters - wide - thin - percent
        widest = max(widest, wide + narrow * HALF_EM + thin * THIN_EM + percent * 0.85)
    return widest


def _unbroken_em(text: str) -> float:
    """The longest run that cannot break (a number or a Latin word inside Chinese text)."""
    runs = _UNBROKEN.findall(text)
    return max(text_em(run) for run in runs) if runs else 1.0


def without_empty_columns(table: TableContent, keep: int = 1) -> TableContent:
    """The table without the columns that are empty (or only —) in every row: the 上年 column of a year whose
    indicators state only their change is not printed. The first ``keep`` columns always stay."""
    if not table.rows:
        return table
    kept = [c for c in range(len(table.columns))
            if c < keep or any(c < len(row) and row[c].strip() not in _EMPTY for row in table.rows)]  # fmt: skip
    if len(kept) == len(table.columns):
        return table
    return TableContent(table.title, [table.columns[c] for c in kept], [[row[c] for c in kept] for row in table.rows])


MIN_FONT_PT = 7.0  # a table with more figures than the line holds is set smaller, down to this


@dataclass(frozen=True)
class ColumnLayout:
    widths: list[int]  # twips, summing to the table's width
    font_pt: float | None = None  # a smaller size the cells are set in, when the figures would not fit otherwise
    numbers: tuple[bool, ...] = ()  # per column: every cell that is not empty is a number (is_numeric)


# Every digit counts the same in a width and in is_numeric: cells are measured by their shape, 1093 as 0000, so
# that a column of 10,000 different numbers is a handful of shapes to measure.
_SHAPE = str.maketrans("123456789", "000000000")


def column_layout(table: TableContent, total: int, styles: TableStyles | None = None) -> ColumnLayout:
    """Widths from the contents. Each column gets what its widest cell needs on one line when that fits;
    otherwise columns of numbers keep their one-line width and the columns of text share the rest, never narrower
    than their longest unbreakable run; when even the numbers do not fit (a trend over many years of large
    values), the table is set in a smaller size, so that a number still never breaks."""
    styles = styles or TableStyles()
    natural_em, least_em, numbers = [], [], []
    for c, heading in enumerate(table.columns):
        cells = list({row[c].translate(_SHAPE): None for row in table.rows if c < len(row) and row[c]})  # each once
        head_lines = math.ceil(text_em(heading) / 2) if text_em(heading) > 4 else text_em(heading)
        head_least = max(head_lines, _unbroken_em(heading))  # a heading may take two lines
        widest = max((text_em(x) for x in cells), default=0.0)
        numbers.append(bool(cells) and all(is_numeric(x) for x in cells))
        if numbers[-1]:
            floor = max(widest, head_least)  # numbers and change phrases never wrap
        else:
            floor = max(max((_unbroken_em(x) for x in cells), default=0.0), head_least, min(widest, 3.0))
        natural_em.append(max(widest, text_em(heading), floor))
        least_em.append(floor)
    numeric = [n == m for n, m in zip(natural_em, least_em, strict=True)]  # nothing to give: numbers, short words

    def twips(width_em: float, font_pt: float) -> float:
        return width_em * font_pt * 20 * SAFETY + 2 * styles.cell_margin + font_pt * 20 * 0.3

    size = styles.font_pt
    natural = [twips(e, size) for e in natural_em]
    least = [twips(e, size) for e in least_em]
    smaller = None
    if sum(natural) <= total:
        widths = [w + (total - sum(natural)) * w / sum(natural) for w in natural]
    elif sum(least) <= total:
        spare = total - sum(least)
        give = [n - m for n, m in zip(natural, least, strict=True)]
        widths = [m + spare * g / sum(give) for m, g in zip(least, give, strict=True)]
    else:  # text down to two characters a line, the size lowered until the figures fit on one line
        bare_em = [e if keep else min(e, 2.0) for e, keep in zip(least_em, numeric, strict=True)]
        fixed = 2 * styles.cell_margin * len(bare_em)
        fitting = (total - fixed) / (20 * (SAFETY * sum(bare_em) + 0.3 * len(bare_em)))
        smaller = max(MIN_FONT_PT, min(size, math.floor(fitting * 2) / 2))
        bare = [twips(e, smaller) for e in bare_em]
        widths = [w * min(1.0, total / sum(bare)) for w in bare]
        widths = [w + (total - sum(widths)) * w / sum(widths) for w in widths]
        smaller = smaller if smaller < size else None
    whole = [int(w) for w in widths]
    whole[-1] += total - sum(whole)
    return ColumnLayout(whole, smaller, tuple(numbers))


# --- XML --------------------------------------------------------------------------------------------------------

_ALIGN = {HEADING.name: "center", TEXT.name: "left", NUMBER.name: "right"}


def _paragraph_properties(role: StyleRole, styles: TableStyles, font_pt: float | None = None) -> tuple[str, str]:
    """(pPr, rPr) for a cell paragraph: the template's style, or what the style would have given; ``font_pt`` a
    smaller size the table must be set in."""
    size = f'<w:sz w:val="{round(font_pt * 2)}"/><w:szCs w:val="{round(font_pt * 2)}"/>' if font_pt else ""
    style_id = styles.id(role)
    if style_id is not None:
        return f'<w:pPr><w:pStyle w:val="{escape(style_id)}"/></w:pPr>', f"<w:rPr>{size}</w:rPr>" if size else ""
    bold = "<w:b/>" if role is HEADING else ""
    run = f"<w:rPr>{bold}{size}</w:rPr>" if bold or size else ""
    return f'<w:pPr><w:spacing w:before="40" w:after="40"/><w:jc w:val="{_ALIGN[role.name]}"/></w:pPr>', run


def _runs(text: str, run_properties: str) -> str:
    parts = [f'<w:r>{run_properties}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in text.split("\n")]
    return f"<w:r>{run_properties}<w:br/></w:r>".join(parts)


def _cell(text: str, width: int, properties: tuple[str, str]) -> str:
    return f"{_cell_opening(width, properties)}{_runs(text, properties[1])}</w:p></w:tc>"


def _cell_opening(width: int, properties: tuple[str, str]) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr><w:p>{properties[0]}'


_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")
_OWN_BORDERS = (
    "<w:tblBorders>"
    + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>' for side in _SIDES)
    + "</w:tblBorders>"
)
_OWN_MARGINS = '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'


def table_xml(table: TableContent, total_width: int, styles: TableStyles | None = None, *, box: bool = False) -> str:
    """A finished table across ``total_width`` twips. ``box``: the shaded 数说/荣誉榜 style (数说表格), falling back
    to 报告表格 where the template has no such style."""
    return "".join(table_pieces(table, total_width, styles, box=box))


def table_pieces(
    table: TableContent, total_width: int, styles: TableStyles | None = None, *, box: bool = False
) -> Iterator[str]:
    """table_xml in pieces, each made only when it is asked for: a part of PART_ROWS rows (after the first, with
    the paragraph that joins it to the one before). A table of 10,000 rows is 12 million characters; written
    piece by piece into the package it is never held whole (see engine.StreamedBody)."""
    styles = styles or TableStyles(
        {TABLE.name: "ReportTable", HEADING.name: "TableHeading", TEXT.name: "TableText", NUMBER.name: "TableNumber"}
    )
    layout = column_layout(table, total_width, styles)
    widths = layout.widths
    heading, text, number = (_paragraph_properties(role, styles, layout.font_pt) for role in (HEADING, TEXT, NUMBER))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    header = "".join(_cell(t, w, heading) for t, w in zip(table.columns, widths, strict=True))
    header_row = f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>"
    # Each cell's opening (width and paragraph) is made once per column and kind, and a cell of one line (nearly
    # all of them) is one string join: a table of 10,000 rows is 60,000 cells.
    kinds = (text, number)
    opening = [tuple(_cell_opening(w, props) for props in kinds) for w in widths]
    numeric: dict[str, bool] = {}
    columns = list(zip(opening, layout.numbers, strict=True))
    table_style = (styles.id(BOX) if box else None) or styles.id(TABLE)
    style = f'<w:tblStyle w:val="{escape(table_style)}"/>' if table_style else ""
    borders, margins = ("", "") if table_style else (_OWN_BORDERS, _OWN_MARGINS)
    look = '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1"/>'
    start = (
        f'<w:tbl><w:tblPr>{style}<w:tblW w:w="{total_width}" w:type="dxa"/>'
        f'<w:jc w:val="center"/>{borders}<w:tblLayout w:type="fixed"/>{margins}{look}</w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{header_row}"
    )
    # LibreOffice lays a table out in time that grows with the square of its length (10,000 rows: 14 minutes).
    # A long table is written as parts of PART_ROWS rows, each starting with the header row (which also repeats at
    # the top of every page), joined by a hidden paragraph: tables with nothing between them LibreOffice merges
    # back into one, a hidden paragraph mark keeps them apart without a gap in Word, WPS and LibreOffice.
    for first in range(0, max(len(table.rows), 1), PART_ROWS):
        rows = []
        for row in table.rows[first : first + PART_ROWS]:
            cells = []
            for t, (starts, numbers) in zip(row, columns, strict=True):
                if numbers and t:  # a column of numbers: no cell needs asking again
                    kind = True
                else:
                    kind = numeric.get(t)
                    if kind is None:
                        kind = numeric[t] = is_numeric(t)
                run = kinds[kind][1]
                if "\n" in t:
                    cells.append(f"{starts[kind]}{_runs(t, run)}</w:p></w:tc>")
                else:
                    cells.append(
                        f'{starts[kind]}<w:r>{run}<w:t xml:space="preserve">{escape(t)}</w:t></w:r></w:p></w:tc>'
                    )
            rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{''.join(cells)}</w:tr>")
        yield f"{_JOIN if first else ''}{start}{''.join(rows)}</w:tbl>"


_JOIN = (
    '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    '<w:rPr><w:vanish/><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>'
)
