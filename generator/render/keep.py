"""Pagination that Word's styles alone cannot express.

GB/T 9704 does not let the sign-off (署名, 成文日期) stand alone on a page. Its paragraphs keep with one another
by their styles, but the text's last paragraph comes from a loop over the data, so no style can say it is the last:
here it is given "keep with next" after rendering, so Word, WPS and LibreOffice carry its last lines over with the
sign-off rather than leave the sign-off alone.
"""

from __future__ import annotations

import re

_PARAGRAPH = re.compile(r"<w:p[ >]")
_OPEN_TAG_END = re.compile(r"<w:p\b[^>]*>")


def _paragraph_before(xml: str, position: int) -> int:
    """Where the last paragraph starting before ``position`` starts, or -1."""
    return max(xml.rfind("<w:p>", 0, position), xml.rfind("<w:p ", 0, position))


def keep_text_with_sign_off(xml: str, sign_off_ids: list[str]) -> str:
    """The paragraph just before the first paragraph of the sign-off block (a style of ``sign_off_ids``) keeps
    with the next one."""
    marks = [xml.find(f'<w:pStyle w:val="{style_id}"/>') for style_id in sign_off_ids]
    marks = [mark for mark in marks if mark >= 0]
    if not marks:
        return xml
    block = _paragraph_before(xml, min(marks))
    text = _paragraph_before(xml, block)
    if text < 0:
        return xml
    tag = _OPEN_TAG_END.match(xml, text)
    if tag is None or tag.group().endswith("/>"):
        return xml
    at = tag.end()
    if xml.startswith("<w:pPr>", at):
        properties_end = xml.find("</w:pPr>", at)
        if "<w:keepNext" in xml[at:properties_end]:
            return xml
        style = re.match(r"<w:pPr><w:pStyle [^>]*/>", xml[at:])
        at += style.end() if style else len("<w:pPr>")
        return xml[:at] + "<w:keepNext/>" + xml[at:]
    if xml.startswith("<w:pPr/>", at):
        return xml[:at] + "<w:pPr><w:keepNext/></w:pPr>" + xml[at + len("<w:pPr/>") :]
    return xml[:at] + "<w:pPr><w:keepNext/></w:pPr>" + xml[at:]
