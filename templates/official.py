"""The formal work report (工作报告) in the government document format of GB/T 9704-2012.

A4; margins 37 mm top, 35 bottom, 28 left, 26 right, so the text block is 156 × 225 mm; 22 lines of 28 characters:
三号 (16 pt) 仿宋 on exact 28.95 pt lines with −0.3 pt character spacing (measured in LibreOffice: 28 characters to
the line, 22 lines to the page). Title 二号小标宋; headings 一、 in 黑体 and （一） in 楷体, numbered from the data's
structure; page numbers "— 1 —" in 四号宋体 on the outer side (odd right, even left, one character in); the unit's
name and the date as sign-off; the summary tables as 附件 in the formal register. Font names are the Windows ones
offices have installed (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312).
"""

from __future__ import annotations

from docx import Document
from docx.shared import Mm, Pt
from docx_kit import (
    CENTER,
    LEFT,
    RIGHT,
    base_styles,
    dashed_page_number,
    page_setup,
    paragraph_style,
    report_table_style,
    save,
    set_child,
    set_properties,
)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
LINE = 28.95  # pt: 22 lines fill the 225 mm text block
LINE_TWIPS = 579
FIT_28 = -0.3  # pt of character spacing that makes 28 characters of 16 pt fit the 156 mm line
ONE_CHARACTER_TWIPS = 280  # 四号: the page number sits one character in from the edge

# fmt: off
STYLES: list[tuple[str, str, str, float, dict]] = [
    ("公文标题", "DocTitle",       TITLE_FONT,      22, dict(align=CENTER, exact_line=LINE, outline=0)),
    ("公文正文", "DocBody",        BODY_FONT,       16, dict(indent_chars=2, exact_line=LINE, char_spacing=FIT_28)),
    ("一级标题", "DocHeading1",    HEADING_FONT,    16, dict(indent_chars=2, exact_line=LINE, char_spacing=FIT_28,
                                                         keep_next=True, outline=1)),
    ("二级标题", "DocHeading2",    SUBHEADING_FONT, 16, dict(indent_chars=2, exact_line=LINE, char_spacing=FIT_28,
                                                         keep_next=True, outline=2)),
    ("附件说明", "DocAttachments", BODY_FONT,       16, dict(indent_chars=2, align=LEFT, exact_line=LINE,
                                                         char_spacing=FIT_28, keep_next=True)),
    ("落款前空行", "DocSignOffGap", BODY_FONT,      16, dict(exact_line=LINE, keep_next=True)),
    ("落款",     "DocSignOff",     BODY_FONT,       16, dict(align=LEFT, exact_line=LINE, char_spacing=FIT_28,
                                                         keep_next=True)),
    ("附件标识", "DocAttachMark",  HEADING_FONT,    16, dict(align=LEFT, exact_line=LINE)),
    ("附件标题", "DocAttachTitle", TITLE_FONT,      22, dict(align=CENTER, exact_line=LINE, after=LINE)),
    ("表头",     "TableHeading",   HEADING_FONT,    12, dict(align=CENTER, exact_line=20, snap_to_grid=False)),
    ("表格文字", "TableText",      BODY_FONT,       12, dict(align=LEFT, exact_line=20, snap_to_grid=False)),
    ("表格数字", "TableNumber",    BODY_FONT,       12, dict(align=RIGHT, exact_line=20, snap_to_grid=False)),
    ("页码",     "PageNumber",     "宋体",          14, dict(align=RIGHT)),
]
# fmt: on


def styles(doc) -> None:
    base_styles(doc, BODY_FONT, 16)
    normal = doc.styles["Normal"]
    normal.paragraph_format.line_spacing = Pt(LINE)
    for name, style_id, face, size, rest in STYLES:
        paragraph_style(doc, name, style_id, east_asia=face, size=size, **rest)
    doc.styles["附件标识"].paragraph_format.page_break_before = True
    report_table_style(doc, grid_color="000000")


def build() -> bytes:
    doc = Document()
    styles(doc)
    section = doc.sections[0]
    page_setup(section, top=Mm(37), bottom=Mm(35), left=Mm(28), right=Mm(26), header=Mm(15), footer=Mm(22),
               line_pitch=LINE_TWIPS)  # fmt: skip
    # Page numbers on the outer side: odd pages right, even pages left, one character in from the edge.
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.style = "页码"
    set_child(odd._p.get_or_add_pPr(), "w:ind", right=str(ONE_CHARACTER_TWIPS))
    dashed_page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.style = "页码"
    even.alignment = LEFT
    set_child(even._p.get_or_add_pPr(), "w:ind", left=str(ONE_CHARACTER_TWIPS))
    dashed_page_number(even)
    add = doc.add_paragraph

    add("{{ title }}", "公文标题")
    add("", "公文正文")  # one blank line between title and text
    add("{%p for paragraph in lead %}")
    add("{{ paragraph }}", "公文正文")
    add("{%p endfor %}")
    add("{%p for section in sections %}")
    add("{{ section.ordinal }}、{{ section.heading }}", "一级标题")
    add("{%p for paragraph in section.paragraphs %}")
    add("{{ paragraph }}", "公文正文")
    add("{%p endfor %}")
    add("{%p for part in section.subsections %}")
    add("（{{ part.ordinal }}）{{ part.heading }}", "二级标题")
    add("{%p for paragraph in part.paragraphs %}")
    add("{{ paragraph }}", "公文正文")
    add("{%p endfor %}")
    add("{%p endfor %}")
    add("{%p endfor %}")
    add("{%p if outlook %}")
    add("{{ outlook_ordinal }}、{{ outlook_heading or (year + 1) ~ '年工作打算' }}", "一级标题")
    add("{%p for paragraph in outlook %}")
    add("{{ paragraph }}", "公文正文")
    add("{%p endfor %}")
    add("{%p endif %}")
    # 附件说明: below the text after one blank line, two characters in; further items aligned after "附件：".
    add("{%p if attachments %}")
    add("", "落款前空行")
    add("{%p for attachment in attachments %}")
    add(
        "{% if loop.first %}附件：{% else %}　　　{% endif %}{{ attachment.number }}. {{ attachment.title }}",
        "附件说明",
    )
    add("{%p endfor %}")
    add("{%p endif %}")
    # Sign-off without a seal: unit name, then the date below it moved two characters right (padding computed
    # for the 28-character line).
    add("", "落款前空行")
    add("", "落款前空行")
    add("{{ signoff_unit }}", "落款")
    add("{{ signoff_date }}", "落款")
    # Each attachment on a page of its own: 附件N at the top left, its title, its table.
    add("{%p for attachment in attachments %}")
    add("附件{{ attachment.number }}", "附件标识")
    add("{{ attachment.title }}", "附件标题")
    add("{{p attachment.body }}")
    add("{%p endfor %}")

    set_properties(doc, "{{ title }}", "{{ year }}年工作报告")
    return save(doc)
