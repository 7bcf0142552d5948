"""Builds the built-in Word templates from code, so their look is reviewable and reproducible.

    python templates/build_templates.py          # rewrites templates/newspaper.docx

The result is an ordinary .docx with Jinja tags (docxtpl syntax) that people can open and restyle in Word, WPS
or LibreOffice. Every style names its Chinese font in w:eastAsia and carries no theme fonts, so Word and WPS
show the intended faces; paragraph styles have Chinese names (正文, 小标题 …) and ASCII ids.
The output is byte-for-byte reproducible (fixed timestamps in the zip and the document properties).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
LATIN = "Times New Roman"
RED = "C00000"
FIXED_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)

# Page geometry of the newspaper style: A4, text block 174 mm wide, two columns 7 mm apart in the body.
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = Mm(22), Mm(20), Mm(18)
TEXT_WIDTH_TWIPS = 9864  # 174 mm
COLUMN_GAP_TWIPS = 397  # 7 mm


# ---------------------------------------------------------------------------------------------------------------
# Small XML helpers (python-docx has no API for these)


def _set(element, tag: str, **attrs: str):
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


def strip_theme_fonts(doc: DocumentObject) -> None:
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for attr in list(fonts.attrib):
            if attr.endswith("Theme") or attr.endswith("theme"):
                del fonts.attrib[attr]


def border(ppr_or_tcpr, sides: dict[str, tuple[str, int, str]], tag: str = "w:pBdr") -> None:
    """sides: {"bottom": ("single", 8, "C00000")}; size in eighths of a point."""
    box = _set(ppr_or_tcpr, tag)
    for side, (kind, size, color) in sides.items():
        _set(box, f"w:{side}", val=kind, sz=str(size), space="1", color=color)


def shade(element, fill: str) -> None:
    _set(element, "w:shd", val="clear", color="auto", fill=fill)


# ---------------------------------------------------------------------------------------------------------------
# Styles


def paragraph_style(
    doc: DocumentObject,
    name: str,
    style_id: str,
    *,
    east_asia: str,
    size: float,
    bold: bool = False,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent_chars: int = 0,
    exact_line: float | None = None,
    before: float = 0,
    after: float = 0,
    color: str | None = None,
    keep_next: bool = False,
    outline: int | None = None,
    base: str = "Normal",
):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = style_id
    style.base_style = doc.styles[base]
    style.quick_style = True
    font = style.font
    font.size = Pt(size)
    font.bold = bold
    if color:
        font.color.rgb = RGBColor.from_string(color)
    set_fonts(style.element.get_or_add_rPr(), east_asia)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep_next
    fmt.widow_control = False
    if exact_line:
        fmt.line_spacing = Pt(exact_line)
    else:
        fmt.line_spacing = 1.0
    ppr = style.element.get_or_add_pPr()
    if indent_chars:
        # firstLineChars is what Word and WPS use (two characters whatever the size); firstLine is the fallback.
        _set(ppr, "w:ind", firstLineChars=str(indent_chars * 100), firstLine=str(int(size * 20 * indent_chars)))
    else:
        _set(ppr, "w:ind", firstLineChars="0", firstLine="0")
    if outline is not None:
        _set(ppr, "w:outlineLvl", val=str(outline))
    return style


def base_styles(doc: DocumentObject, body_font: str = "宋体", size: float = 10.5) -> None:
    strip_theme_fonts(doc)
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr_default, body_font)
    _set(rpr_default, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _set(ppr_default, "w:spacing", after="0", line="240", lineRule="auto")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(size)
    set_fonts(normal.element.get_or_add_rPr(), body_font)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.widow_control = False


CENTER, LEFT, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT

# The newspaper look, one style per line: name (what people see in Word), id, Chinese face, size in pt, then the
# rest. Sizes follow newspaper practice: 小一 headline (24 pt; 20 characters fit the 174 mm line), 小三 kicker,
# 五号 body in exact 16.5 pt lines, 小五 captions.
# fmt: off
NEWSPAPER_STYLES: list[tuple[str, str, str, float, dict]] = [
    ("引题",     "NewsKicker",   "楷体", 15,   dict(bold=True, align=CENTER, after=4)),
    ("主题",     "NewsHeadline", "黑体", 24,   dict(bold=True, align=CENTER, before=2, after=4, outline=0)),
    ("副题",     "NewsSubtitle", "楷体", 14,   dict(align=CENTER, after=2)),
    ("题下线",   "NewsRule",     "宋体", 4,    dict(exact_line=6, after=8)),
    ("活动",     "NewsEvent",    "楷体", 11,   dict(indent_chars=2, exact_line=18)),
    ("署名",     "NewsByline",   "楷体", 10.5, dict(bold=True, align=LEFT, exact_line=16, before=6, after=4)),
    ("导语",     "NewsLead",     "楷体", 10.5, dict(indent_chars=2, exact_line=16.5)),
    ("小标题",   "NewsSubhead",  "黑体", 11.5, dict(bold=True, color=RED, align=CENTER, before=10, after=6,
                                                  keep_next=True, outline=1)),
    ("报道正文", "NewsBody",     "宋体", 10.5, dict(indent_chars=2, exact_line=16.5)),
    ("图片",     "NewsPhoto",    "宋体", 10.5, dict(align=CENTER, before=6, keep_next=True)),
    ("图注",     "NewsCaption",  "楷体", 9,    dict(align=CENTER, after=6)),
    ("分节",     "SectionBreak", "宋体", 1,    dict(exact_line=1)),
    ("表前空行", "TableSpacer",  "宋体", 6,    dict(exact_line=12, keep_next=True)),
    ("表题",     "TableTitle",   "黑体", 12,   dict(bold=True, align=CENTER, before=12, after=4, keep_next=True)),
    ("表头",     "TableHeading", "黑体", 10,   dict(align=CENTER, before=2, after=2)),
    ("表格文字", "TableText",    "宋体", 10,   dict(align=LEFT, before=2, after=2)),
    ("表格数字", "TableNumber",  "宋体", 10,   dict(align=RIGHT, before=2, after=2)),
    ("栏目",     "BoxTitle",     "黑体", 15,   dict(bold=True, color="FFFFFF", align=CENTER, before=3, after=3,
                                                  keep_next=True)),
    ("页眉文字", "HeaderText",   "楷体", 9,    dict(align=RIGHT, color="595959")),
    ("页码",     "PageNumber",   "宋体", 9,    dict(align=CENTER)),
]
# fmt: on


def newspaper_styles(doc: DocumentObject) -> None:
    base_styles(doc)
    made = {}
    for name, style_id, face, size, options in NEWSPAPER_STYLES:
        made[name] = paragraph_style(doc, name, style_id, east_asia=face, size=size, **options)
    border(made["题下线"].element.get_or_add_pPr(), {"bottom": ("thinThickSmallGap", 24, RED)})
    shade(made["活动"].element.get_or_add_pPr(), "F7EFE6")
    border(made["小标题"].element.get_or_add_pPr(), {"top": ("single", 6, RED), "bottom": ("single", 6, RED)})
    data_table_style(doc)


def data_table_style(doc: DocumentObject) -> None:
    """The table style generated tables use (附表): thin grey grid; restyle it in Word to change them all."""
    style = doc.styles.add_style("报告表格", WD_STYLE_TYPE.TABLE)
    style.style_id = "ReportTable"
    tblpr = _set(style.element, "w:tblPr")
    grid = {side: ("single", 4, "8C8C8C") for side in ("top", "left", "bottom", "right", "insideH", "insideV")}
    border(tblpr, grid, tag="w:tblBorders")
    margins = _set(tblpr, "w:tblCellMar")
    for side in ("left", "right"):
        _set(margins, f"w:{side}", w="85", type="dxa")


# ---------------------------------------------------------------------------------------------------------------
# Page, sections, header and footer


def page_setup(section, *, top=MARGIN_TOP, bottom=MARGIN_BOTTOM, left=MARGIN_SIDE, right=MARGIN_SIDE) -> None:
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = top, bottom
    section.left_margin, section.right_margin = left, right
    section.header_distance, section.footer_distance = Mm(10), Mm(9)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        for attr in list(grid.attrib):
            if attr != qn("w:linePitch"):
                del grid.attrib[attr]


def columns(section, count: int) -> None:
    cols = _set(section._sectPr, "w:cols", num=str(count), space=str(COLUMN_GAP_TWIPS))
    if count > 1:
        cols.set(qn("w:sep"), "1")  # a rule between the columns, as newspapers print


def page_number_field(paragraph: Paragraph) -> None:
    """A complete PAGE field (begin, instruction, separate, cached value, end): WPS shows bare fields wrongly."""

    def run_with(child):
        run = paragraph.add_run()
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def header_footer(section, header_text: str) -> None:
    header = section.header.paragraphs[0]
    header.text = header_text
    header.style = "页眉文字"
    border(header._p.get_or_add_pPr(), {"bottom": ("single", 4, "A6A6A6")})
    footer = section.footer.paragraphs[0]
    footer.style = "页码"
    footer.add_run("— ")
    page_number_field(footer)
    footer.add_run(" —")


# ---------------------------------------------------------------------------------------------------------------
# Tables drawn in the template (fixed columns; rows repeated by docxtpl's {%tr %})


def _cell_width(cell: _Cell, twips: int) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    _set(tcpr, "w:tcW", w=str(twips), type="dxa")
    _set(tcpr, "w:vAlign", val="center")


def fixed_table(doc: DocumentObject, widths: list[int], rows: int) -> Table:
    """A table with explicit grid and cell widths summing to the text width, fixed layout (WPS does not
    autofit) and a header that repeats on every page."""
    assert sum(widths) == TEXT_WIDTH_TWIPS, sum(widths)
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = doc.styles["报告表格"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tblpr = table._tbl.tblPr
    _set(tblpr, "w:tblW", w=str(TEXT_WIDTH_TWIPS), type="dxa")
    _set(tblpr, "w:tblLayout", type="fixed")
    for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        grid_col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            _cell_width(cell, width)
    return table


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    _set(trpr, "w:tblHeader")
    _set(trpr, "w:cantSplit")


def write_cell(cell: _Cell, text: str, style: str, fill: str | None = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.text = text
    paragraph.style = style
    if fill:
        shade(cell._tc.get_or_add_tcPr(), fill)


def boxed_table(
    doc: DocumentObject,
    title: str,
    headings: list[str],
    widths: list[int],
    loop: str,
    cells: list[tuple[str, str]],
    fill: str,
) -> Table:
    """A shaded box: a title row across it, a header row, and one row repeated per item by docxtpl.
    loop = "row in summary"; cells = [(jinja expression, paragraph style)], one per column."""
    table = fixed_table(doc, widths, rows=5)
    title_row, head_row, loop_start, item_row, loop_end = table.rows
    merged = title_row.cells[0].merge(title_row.cells[-1])
    write_cell(merged, title, "栏目", RED)
    for cell, heading in zip(head_row.cells, headings, strict=True):
        write_cell(cell, heading, "表头", "F2DCDB")
    for row in (title_row, head_row):
        repeat_header(row)
    loop_start.cells[0].paragraphs[0].text = "{%tr for " + loop + " %}"
    loop_end.cells[0].paragraphs[0].text = "{%tr endfor %}"
    for cell, (expression, style) in zip(item_row.cells, cells, strict=True):
        write_cell(cell, expression, style, fill)
    _set(item_row._tr.get_or_add_trPr(), "w:cantSplit")
    return table


# ---------------------------------------------------------------------------------------------------------------
# The newspaper template

SUMMARY_WIDTHS = [690, 3650, 888, 1381, 1381, 1874]
HONOR_WIDTHS = [2959, 5425, 1480]


def build_newspaper() -> bytes:
    doc = Document()
    newspaper_styles(doc)
    first = doc.sections[0]
    page_setup(first)
    header_footer(first, "{{ organization }}　{{ year }}年工作综述")
    add = doc.add_paragraph

    # Headline block, full width: 引题, 主题, 副题, a rule, and the event paragraphs in a shaded box.
    add("{%p if kicker %}")
    add("{{ kicker }}", "引题")
    add("{%p endif %}")
    add("{{ headline }}", "主题")
    add("{%p if subtitle %}")
    add("{{ subtitle }}", "副题")
    add("{%p endif %}")
    add("", "题下线")
    add("{%p for paragraph in event %}")
    add("{{ paragraph }}", "活动")
    add("{%p endfor %}")

    # Body in two columns: byline, lead, sections with their photos, outlook.
    body = doc.add_section(WD_SECTION.CONTINUOUS)
    columns(body, 2)
    doc.paragraphs[-1].style = "分节"  # the paragraph that now holds the section break
    add("{%p if byline_names %}")
    add("□{{ byline_label }} {{ byline_names|join(' ') }}", "署名")
    add("{%p endif %}")
    add("{%p for paragraph in lead %}")
    add("{{ paragraph }}", "导语")
    add("{%p endfor %}")
    add("{%p for section in sections %}")
    add("{{ section.heading }}", "小标题")
    add("{%p for paragraph in section.paragraphs %}")
    add("{{ paragraph }}", "报道正文")
    add("{%p endfor %}")
    add("{%p for photo in section.photos %}")
    add("{{ photo.image }}", "图片")
    add("{{ photo.caption }}", "图注")
    add("{%p endfor %}")
    add("{%p endfor %}")
    add("{%p if outlook_heading %}")
    add("{{ outlook_heading }}", "小标题")
    add("{%p endif %}")
    add("{%p for paragraph in outlook %}")
    add("{{ paragraph }}", "报道正文")
    add("{%p endfor %}")

    # Summary tables, full width: 数说 box, honors, and the data's own tables.
    tables = doc.add_section(WD_SECTION.CONTINUOUS)
    columns(tables, 1)
    doc.paragraphs[-1].style = "分节"
    add("{%p if summary %}")
    add("", "表前空行")
    boxed_table(
        doc,
        "数说{{ year }}",
        ["序号", "指标", "单位", "本年", "上年", "同比"],
        SUMMARY_WIDTHS,
        "row in summary",
        [
            ("{{ row.number }}", "表格数字"),
            ("{{ row.name }}", "表格文字"),
            ("{{ row.unit }}", "表格文字"),
            ("{{ row.value }}", "表格数字"),
            ("{{ row.previous }}", "表格数字"),
            ("{{ row.change }}", "表格数字"),
        ],
        fill="FDF5EF",
    )
    add("{%p endif %}")
    add("{%p if honors %}")
    add("", "表前空行")
    boxed_table(
        doc,
        "荣誉榜",
        ["集体/个人", "荣誉", "级别"],
        HONOR_WIDTHS,
        "honor in honors",
        [("{{ honor.recipient }}", "表格文字"), ("{{ honor.honor }}", "表格文字"), ("{{ honor.level }}", "表头")],
        fill="FDF5EF",
    )
    add("{%p endif %}")
    add("{%p for table in tables %}")
    add("{{ table.title }}", "表题")
    add("{{p table.body }}")
    add("{%p endfor %}")

    props = doc.core_properties
    props.title = "{{ headline }}"
    props.subject = "{{ year }}年工作综述"
    props.author = "{{ organization }}"
    props.comments = "由 annual-report 根据年度数据生成"
    props.keywords = ""
    props.last_modified_by = "annual-report"
    props.revision = 1
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    return _save(doc)


def _drop_extras(doc: DocumentObject) -> None:
    """python-docx's starting document carries parts a template does not need: a thumbnail of some other
    document, Word 2010's duplicate of the styles full of theme fonts, and sample custom XML."""
    unwanted = ("thumbnail", "stylesWithEffects", "customXml")
    keep_tables = {"TableNormal", "TableGrid", "ReportTable"}  # the other 98 sample table styles weigh 330 KB
    for style in doc.styles.element.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in keep_tables:
            doc.styles.element.remove(style)
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in unwanted:
                rels.pop(rid)


def _save(doc: DocumentObject) -> bytes:
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


BUILDERS = {"newspaper": build_newspaper}


def main(argv: list[str]) -> int:
    names = argv or list(BUILDERS)
    for name in names:
        target = HERE / f"{name}.docx"
        target.write_bytes(BUILDERS[name]())
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
