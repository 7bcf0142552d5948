"""What both built-in templates are made with: styles with named Chinese fonts, page geometry, fields, tables,
and a reproducible save. Raw XML where python-docx has no API (theme fonts, columns, borders, fields)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

LATIN = "Times New Roman"
FIXED_TIME = dt.datetime(2024, 1, 1)
CENTER, LEFT, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)


def twips(length: int) -> int:
    """A python-docx length (EMU) in twentieths of a point."""
    return round(length / 635)


# ---------------------------------------------------------------------------------------------------------------
# Small XML helpers


def set_child(element, tag: str, **attrs: str):
    """Get or create child ``tag`` of ``element`` and set w: attributes on it."""
    child = element.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        element.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), value)
    return child


def set_fonts(rpr, east_asia: str, latin: str = LATIN) -> None:
    """Name the fonts explicitly and drop theme fonts, which would win over them in Word and WPS."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def border(ppr_or_tcpr, sides: dict[str, tuple[str, int, str]], tag: str = "w:pBdr") -> None:
    """sides: {"bottom": ("single", 8, "C00000")}; size in eighths of a point."""
    box = set_child(ppr_or_tcpr, tag)
    for side, (kind, size, color) in sides.items():
        set_child(box, f"w:{side}", val=kind, sz=str(size), space="1", color=color)


def shade(element, fill: str) -> None:
    set_child(element, "w:shd", val="clear", color="auto", fill=fill)


# ---------------------------------------------------------------------------------------------------------------
# Styles


def paragraph_style(
    doc: DocumentObject,
    name: str,
    style_id: str,
    *,
    east_asia: str,
    size: float,
    latin: str = LATIN,
    bold: bool = False,
    align=JUSTIFY,
    indent_chars: int = 0,
    exact_line: float | None = None,
    before: float = 0,
    after: float = 0,
    color: str | None = None,
    keep_next: bool = False,
    outline: int | None = None,
    char_spacing: float = 0,
    snap_to_grid: bool = True,
    base: str = "Normal",
):
    """A paragraph style with a Chinese name people see in Word and an ASCII id the code refers to."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = style_id
    style.base_style = doc.styles[base]
    style.quick_style = True
    font = style.font
    font.size = Pt(size)
    font.bold = bold
    if color:
        font.color.rgb = RGBColor.from_string(color)
    rpr = style.element.get_or_add_rPr()
    set_fonts(rpr, east_asia, latin)
    if char_spacing:
        set_child(rpr, "w:spacing", val=str(round(char_spacing * 20)))
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep_next
    fmt.widow_control = False  # widow control pushes lines to the next page and breaks fixed line counts
    fmt.line_spacing = Pt(exact_line) if exact_line else 1.0
    ppr = style.element.get_or_add_pPr()
    if indent_chars:
        # firstLineChars is what Word and WPS use (two characters whatever the size); firstLine is the fallback.
        set_child(ppr, "w:ind", firstLineChars=str(indent_chars * 100), firstLine=str(int(size * 20 * indent_chars)))
    else:
        set_child(ppr, "w:ind", firstLineChars="0", firstLine="0")
    if outline is not None:
        set_child(ppr, "w:outlineLvl", val=str(outline))
    if not snap_to_grid:  # table text keeps its own line height where the page has a line grid
        set_child(ppr, "w:snapToGrid", val="0")
    return style


def base_styles(doc: DocumentObject, body_font: str, size: float, latin: str = LATIN) -> None:
    """Document defaults and Normal with named fonts and no theme fonts anywhere."""
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for attr in list(fonts.attrib):
            if attr.endswith("Theme") or attr.endswith("theme"):
                del fonts.attrib[attr]
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr_default, body_font, latin)
    set_child(rpr_default, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    set_child(ppr_default, "w:spacing", after="0", line="240", lineRule="auto")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(size)
    set_fonts(normal.element.get_or_add_rPr(), body_font, latin)
    normal.paragraph_format.alignment = JUSTIFY
    normal.paragraph_format.widow_control = False


def report_table_style(
    doc: DocumentObject,
    grid_color: str = "8C8C8C",
    header_fill: str | None = None,
    *,
    name: str = "报告表格",
    style_id: str = "ReportTable",
    body_fill: str | None = None,
) -> None:
    """A table style the generated tables use (报告表格 for 附表, 数说表格 for the newspaper's boxes): a thin grid,
    the header row's shading as the style's first-row formatting and the body's as the whole table's, so restyling
    the style in Word restyles every generated table."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.TABLE)
    style.style_id = style_id
    tblpr = set_child(style.element, "w:tblPr")
    grid = {side: ("single", 4, grid_color) for side in ("top", "left", "bottom", "right", "insideH", "insideV")}
    border(tblpr, grid, tag="w:tblBorders")
    margins = set_child(tblpr, "w:tblCellMar")
    for side in ("left", "right"):
        set_child(margins, f"w:{side}", w="85", type="dxa")
    if body_fill:
        shade(set_child(style.element, "w:tcPr"), body_fill)
    if header_fill:
        first_row = OxmlElement("w:tblStylePr")
        first_row.set(qn("w:type"), "firstRow")
        shade(set_child(first_row, "w:tcPr"), header_fill)
        style.element.append(first_row)


# ---------------------------------------------------------------------------------------------------------------
# Page, sections, fields


def page_setup(section, *, top, bottom, left, right, header=None, footer=None, line_pitch: int | None = None):
    """A4 with the given margins. ``line_pitch`` (twips) sets a line grid, as Word's "每页 N 行" does."""
    header = header if header is not None else Mm(10)
    footer = footer if footer is not None else Mm(9)
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = top, bottom
    section.left_margin, section.right_margin = left, right
    section.header_distance, section.footer_distance = header, footer
    grid = section._sectPr.find(qn("w:docGrid"))
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    if line_pitch:
        grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch or 312))


def columns(section, count: int, gap_twips: int) -> None:
    cols = set_child(section._sectPr, "w:cols", num=str(count), space=str(gap_twips))
    if count > 1:
        cols.set(qn("w:sep"), "1")  # a rule between the columns, as newspapers print


def page_number_field(paragraph: Paragraph) -> None:
    """A complete PAGE field (begin, instruction, separate, cached value, end): WPS shows bare fields wrongly."""

    def add(child) -> None:
        paragraph.add_run()._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    add(begin)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    add(instruction)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    add(separate)
    paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    add(end)


def dashed_page_number(paragraph: Paragraph) -> None:
    """ "— 1 —": the page number between two dashes, as Chinese documents print it."""
    paragraph.add_run("— ")
    page_number_field(paragraph)
    paragraph.add_run(" —")


# ---------------------------------------------------------------------------------------------------------------
# Tables drawn in a template (fixed columns; rows repeated by docxtpl's {%tr %})


def fixed_table(doc: DocumentObject, widths: list[int], rows: int) -> Table:
    """Explicit grid and cell widths (WPS takes widths from the grid and does not autofit), fixed layout."""
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = doc.styles["报告表格"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tblpr = table._tbl.tblPr
    set_child(tblpr, "w:tblW", w=str(sum(widths)), type="dxa")
    set_child(tblpr, "w:tblLayout", type="fixed")
    for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        grid_col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            tcpr = cell._tc.get_or_add_tcPr()
            set_child(tcpr, "w:tcW", w=str(width), type="dxa")
            set_child(tcpr, "w:vAlign", val="center")
    return table


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    set_child(trpr, "w:tblHeader")
    set_child(trpr, "w:cantSplit")


def write_cell(cell: _Cell, text: str, style: str, fill: str | None = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.text = text
    paragraph.style = style
    if fill:
        shade(cell._tc.get_or_add_tcPr(), fill)


# ---------------------------------------------------------------------------------------------------------------
# Saving


def set_properties(doc: DocumentObject, title: str, subject: str) -> None:
    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = "{{ organization }}"
    props.comments = "由 annual-report 根据年度数据生成"
    props.keywords = ""
    props.last_modified_by = "annual-report"
    props.revision = 1
    props.created = props.modified = FIXED_TIME


def _drop_extras(doc: DocumentObject) -> None:
    """python-docx's starting document carries parts a template does not need: a thumbnail of some other
    document, Word 2010's duplicate of the styles full of theme fonts, and sample custom XML."""
    unwanted = ("thumbnail", "stylesWithEffects", "customXml")  # never "package": the charts' workbooks
    # the other 98 sample table styles weigh 330 KB
    keep_tables = {"TableNormal", "TableGrid", "ReportTable", "BoxTable"}
    for style in doc.styles.element.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in keep_tables:
            doc.styles.element.remove(style)
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in unwanted:
                rels.pop(rid)


def save(doc: DocumentObject) -> bytes:
    """Save with fixed zip timestamps so the same code gives the same bytes."""
    _drop_extras(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
