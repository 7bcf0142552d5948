"""Template failures as messages that point at the paragraph a person can find in Word.

Jinja knows a line of docxtpl's rewritten XML, which no user has seen; we find the paragraph of the original
template whose text holds the failing tag (body, tables, headers, footers, document properties).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from lxml import etree

from generator.errors import Place, Problem
from generator.sandbox import ForbiddenCharacter, failure_message, syntax_message

if TYPE_CHECKING:
    from docx.document import Document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TAG_TEXT = re.compile(r"<[^>]+>")
_QUOTED = re.compile(r"'([^']+)'")


def _text(paragraph: etree._Element) -> str:
    return "".join(t.text or "" for t in paragraph.iter(f"{W}t"))


def template_paragraphs(document: Document) -> Iterator[tuple[str, str]]:
    """(where, text) for every paragraph a template author can see, in order."""
    for number, paragraph in enumerate(document.element.body.iter(f"{W}p"), start=1):
        yield f"正文第 {number} 段", _text(paragraph)
    for section_number, section in enumerate(document.sections, start=1):
        for kind, part in (("页眉", section.header), ("页脚", section.footer)):
            if part.is_linked_to_previous and section_number > 1:
                continue
            for paragraph in part._element.iter(f"{W}p"):
                yield kind, _text(paragraph)
    properties = document.core_properties
    for label, value in (
        ("标题", properties.title),
        ("主题", properties.subject),
        ("作者", properties.author),
        ("备注", properties.comments),
    ):
        yield f"文档属性“{label}”", value or ""


def _find(document: Document, needle: str, inside_tag: bool, part: str | None = None) -> str:
    if not needle:
        return ""
    pattern = re.compile(r"\{[{%][^}]*" + re.escape(needle)) if inside_tag else None
    for where, text in _paragraphs_of(document, part):
        if pattern.search(text) if pattern else needle in text:
            return _shown(where, text)
    return ""


def _shown(where: str, text: str) -> str:
    shown = text.strip()
    return f"{where}“{shown[:60]}{'…' if len(shown) > 60 else ''}”"


def part_label(part: str) -> str:
    """What a person calls a part of the package."""
    if part.startswith("word/header"):
        return "页眉"
    if part.startswith("word/footer"):
        return "页脚"
    if part.startswith("docProps/"):
        return "文档属性"
    if part.startswith("word/footnotes"):
        return "脚注"
    if part.startswith("word/endnotes"):
        return "尾注"
    return "正文"


def _paragraphs_of(document: Document, part: str | None) -> Iterator[tuple[str, str]]:
    """The paragraphs of one part (the body, the headers, …), or of all when the part is not known."""
    label = part_label(part) if part else ""
    for where, text in template_paragraphs(document):
        if not label or where.startswith(label):
            yield where, text


def failing_line(exc: BaseException) -> int | None:
    """The line of the template source a run-time error happened on: Jinja rewrites the traceback so that frames
    of template code carry the template's own line numbers."""
    known = getattr(exc, "template_line", None)  # where a limit stopped it (no template frame, or between lines)
    if known:
        return int(known)
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


_DOCXTPL_TAG = re.compile(r"([{][{%]-?)(?:p|r|tr|tc)(?=\s)")
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def _normal(text: str) -> str:
    """A tag as docxtpl rewrites it ({%p if %} -> {% if %}), spaces left out: the same in both."""
    return re.sub(r"\s+", "", _DOCXTPL_TAG.sub(r"\1", text))


def _find_line(document: Document, exc: BaseException) -> str:
    """The paragraph of the template whose tags are on the line that failed."""
    line = getattr(exc, "docx_line", None)
    if not line:
        return ""
    text = html.unescape(_TAG_TEXT.sub("", line))
    tags = [_normal(tag) for tag in _JINJA_TAG.findall(text)] or [_normal(text)]
    best, score = "", 0
    for where, paragraph in _paragraphs_of(document, getattr(exc, "docx_part", None)):
        normal = _normal(paragraph)
        found = sum(1 for tag in tags if tag and tag in normal)
        if found > score:
            best, score = _shown(where, paragraph), found
    return best


def template_problem(exc: BaseException, name: str, document: Document) -> Problem:
    """The problem with a template, placed at the paragraph that holds the failing tag."""
    part = getattr(exc, "docx_part", None)
    if isinstance(exc, TemplateSyntaxError):
        context = list(getattr(exc, "docx_context", []) or [])
        line = _TAG_TEXT.sub("", context[min(3, len(context) - 1)]).strip() if context else ""
        where = (
            _find_line(document, exc) or _find(document, line, inside_tag=False) or (f"“{line[:60]}”" if line else "")
        )
        message = f"模板标签写法有误：{syntax_message(exc)}"
        code = "template-syntax"
    elif isinstance(exc, UndefinedError) and not isinstance(exc, SecurityError):
        found = _QUOTED.search(exc.message or "")
        missing = found.group(1) if found else ""
        attribute = re.search(r"has no attribute '([^']+)'", exc.message or "")
        needle = attribute.group(1) if attribute else missing
        where = _find(document, needle, inside_tag=True, part=part) or _find_line(document, exc)
        message = f"模板使用了数据中没有的名称“{needle}”" if needle else "模板使用了数据中没有的名称"
        code = "template-undefined"
    elif isinstance(exc, ForbiddenCharacter):
        where = _find_line(document, exc)
        message = f"模板中的表达式{exc}"
        code = "template-character"
    elif isinstance(exc, SecurityError):
        found = _QUOTED.search(str(exc))
        where = _find_line(document, exc) or (_find(document, found.group(1), True, part) if found else "")
        if "is unsafe" in str(exc) or not re.search("[\u4e00-\u9fff]", str(exc)):
            message = "模板中的表达式试图访问不允许的内容，已被安全沙箱拒绝"
        else:
            message = f"模板中的表达式{failure_message(exc)}"
        code = "template-security"
    elif isinstance(exc, OverflowError) and "range" in str(exc).lower():
        where = _find_line(document, exc) or _find(document, "range", inside_tag=True, part=part)
        message = "模板中的循环次数过多（range 最多 100000），已被安全沙箱拒绝"
        code = "template-security"
    else:
        where = _find_line(document, exc)
        message = f"模板中的表达式{failure_message(exc)}"
        code = "template-error"
    if not where and part and not isinstance(exc, TemplateSyntaxError):
        where = part_label(part)
    return Problem(message, place=Place(f"{name} {where}".strip()), code=code)
