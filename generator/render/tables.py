"""The data's own tables (``tables`` in the input) as WordprocessingML, styled by the template's styles.

Their columns vary, so they are written here rather than drawn in the template; widths are explicit and sum to
the text width (WPS ignores autofit), and the header row repeats on every page. Restyle them through the styles
报告表格, 表头, 表格文字 and 表格数字 in the template.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from generator.figures.content import TableContent

# Numbers, with a short unit or a change word (下降25.8%), and the marks that stand in a number's place (—, 持平):
# right-aligned so that digits line up.
_NUMERIC = re.compile(
    r"(下降|增长|提高|提升|减少|上升)?[+\-−]?\d[\d,，]*(\.\d+)?\s*(%|‰|个百分点|[\u4e00-\u9fff]{1,3})?|—|-|持平|基本持平|新增"
)


def display_width(text: str) -> int:
    """Columns a text takes: East Asian wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_numeric(text: str) -> bool:
    return bool(_NUMERIC.fullmatch(text.strip()))


def column_widths(table: TableContent, total: int) -> list[int]:
    """Twips per column, in proportion to the widest text of each (clamped), summing exactly to ``total``."""
    weights = []
    for c, heading in enumerate(table.columns):
        cells = [row[c] for row in table.rows if c < len(row)]
        widest = max([display_width(heading), *(display_width(x) for x in cells)])
        weights.append(min(max(widest, 6), 40))
    widths = [total * w // sum(weights) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


def _runs(text: str) -> str:
    parts = [f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in text.split("\n")]
    return "<w:r><w:br/></w:r>".join(parts)


def _cell(text: str, width: int, style: str) -> str:
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{_runs(text)}</w:p></w:tc>'
    )


def table_xml(table: TableContent, total_width: int) -> str:
    widths = column_widths(table, total_width)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    header = "".join(_cell(text, w, "TableHeading") for text, w in zip(table.columns, widths, strict=True))
    rows = [f"<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>{header}</w:tr>"]
    for row in table.rows:
        cells = "".join(
            _cell(text, w, "TableNumber" if is_numeric(text) else "TableText")
            for text, w in zip(row, widths, strict=True)
        )
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    look = '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1"/>'
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="ReportTable"/><w:tblW w:w="{total_width}" w:type="dxa"/>'
        f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>{look}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
        f"{''.join(rows)}</w:tbl>"
    )
