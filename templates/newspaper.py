"""The newspaper feature (报纸通讯), as the seed articles were printed: headline block across the page, body in
two columns with red-ruled subheads and photos in the columns, then a shaded 数说 box and the honors table."""

from __future__ import annotations

from chart_kit import add_chart
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.shared import Mm
from docx_kit import (
    CENTER,
    LEFT,
    RIGHT,
    base_styles,
    border,
    columns,
    dashed_page_number,
    page_setup,
    paragraph_style,
    report_table_style,
    save,
    set_properties,
    shade,
)

RED = "C00000"
TEXT_WIDTH_TWIPS = 9864  # 174 mm: A4 less 18 mm each side
COLUMN_GAP_TWIPS = 397  # 7 mm

# One style per line: name (what people see in Word), id, Chinese face, size in pt, then the rest. Sizes follow
# newspaper practice: 小一 headline (24 pt; 20 characters fit the 174 mm line), 小三 kicker, 五号 body in exact
# 16.5 pt lines, 小五 captions.
# fmt: off
STYLES: list[tuple[str, str, str, float, dict]] = [
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
    ("分题",     "NewsSubhead2", "黑体", 10.5, dict(bold=True, indent_chars=2, exact_line=16.5, before=4,
                                                  keep_next=True, outline=2)),
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
    ("图表",     "NewsChart",    "宋体", 10.5, dict(align=CENTER, after=6)),
]
# fmt: on


def styles(doc: DocumentObject) -> None:
    base_styles(doc, "宋体", 10.5)
    made = {
        name: paragraph_style(doc, name, sid, east_asia=face, size=size, **rest)
        for name, sid, face, size, rest in STYLES
    }
    border(made["题下线"].element.get_or_add_pPr(), {"bottom": ("thinThickSmallGap", 24, RED)})
    shade(made["活动"].element.get_or_add_pPr(), "F7EFE6")
    border(made["小标题"].element.get_or_add_pPr(), {"top": ("single", 6, RED), "bottom": ("single", 6, RED)})
    shade(made["栏目"].element.get_or_add_pPr(), RED)
    report_table_style(doc, header_fill="F2DCDB")
    report_table_style(doc, "D99594", "F2DCDB", name="数说表格", style_id="BoxTable", body_fill="FDF5EF")


def build() -> bytes:
    doc = Document()
    styles(doc)
    first = doc.sections[0]
    page_setup(first, top=Mm(22), bottom=Mm(20), left=Mm(18), right=Mm(18))
    header = first.header.paragraphs[0]
    header.text = "{{ organization }}　{{ year }}年工作综述"
    header.style = "页眉文字"
    border(header._p.get_or_add_pPr(), {"bottom": ("single", 4, "A6A6A6")})
    footer = first.footer.paragraphs[0]
    footer.style = "页码"
    dashed_page_number(footer)
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
    columns(body, 2, COLUMN_GAP_TWIPS)
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
    add("{%p for part in section.subsections %}")
    add("{{ part.heading }}", "分题")
    add("{%p for paragraph in part.paragraphs %}")
    add("{{ paragraph }}", "报道正文")
    add("{%p endfor %}")
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
    columns(tables, 1, COLUMN_GAP_TWIPS)
    doc.paragraphs[-1].style = "分节"
    # The 数说 box and the honors table: a red title bar (栏目, shaded) over a finished table whose columns fit
    # their contents (数说表格 gives the header and body shading).
    add("{%p if summary_table %}")
    add("", "表前空行")
    add("数说{{ year }}", "栏目")
    add("{{p summary_table.body }}")
    add("{%p endif %}")
    add("{%p if honors_table %}")
    add("", "表前空行")
    add("荣誉榜", "栏目")
    add("{{p honors_table.body }}")
    add("{%p endif %}")
    add("{%p if trend %}")
    add("{{ trend.title }}", "表题")
    add("{{p trend.body }}")
    add("{%p endif %}")
    # Charts: the placeholder named 趋势图 takes trend charts, 对比图 this year against last; refilled per chart.
    add("{%p for chart in charts %}")
    add("{{ chart.title }}", "表题")
    add("{%p if chart.kind == 'trend' %}")
    add_chart(doc, add("", "图表"), 1, "趋势图", line=True)
    add("{%p else %}")
    add_chart(doc, add("", "图表"), 2, "对比图", line=False)
    add("{%p endif %}")
    add("{%p endfor %}")
    add("{%p for table in tables %}")
    add("{{ table.title }}", "表题")
    add("{{p table.body }}")
    add("{%p endfor %}")

    set_properties(doc, "{{ headline }}", "{{ year }}年工作综述")
    return save(doc)
