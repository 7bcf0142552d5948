"""Template failures as messages that point at the paragraph a person can find in Word.

Jinja knows a line of docxtpl's rewritten XML, which no user has seen; we find the paragraph of the original
template whose text holds the failing tag (body, tables, headers, footers, document properties).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from lxml import etree

from generator.errors import Place, Problem
from generator.sandbox import syntax_message

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


def _find(document: Document, needle: str, inside_tag: bool) -> str:
    if not needle:
        return ""
    pattern = re.compile(r"\{[{%][^}]*" + re.escape(needle)) if inside_tag else None
    for where, text in template_paragraphs(document):
        if pattern.search(text) if pattern else needle in text:
            shown = text.strip()
            return f"{where}“{shown[:60]}{'…' if len(shown) > 60 else ''}”"
    return ""


def template_problem(exc: BaseException, name: str, document: Document) -> Problem:
    """The problem with a template, placed at the paragraph that holds the failing tag."""
    if isinstance(exc, TemplateSyntaxError):
        context = list(getattr(exc, "docx_context", []) or [])
        line = _TAG_TEXT.sub("", context[min(3, len(context) - 1)]).strip() if context else ""
        where = _find(document, line, inside_tag=False) or (f"“{line[:60]}”" if line else "")
        message = f"模板标签写法有误：{syntax_message(exc)}"
        code = "template-syntax"
    elif isinstance(exc, UndefinedError):
        found = _QUOTED.search(exc.message or "")
        missing = found.group(1) if found else ""
        attribute = re.search(r"has no attribute '([^']+)'", exc.message or "")
        needle = attribute.group(1) if attribute else missing
        where = _find(document, needle, inside_tag=True)
        message = f"模板使用了数据中没有的名称“{needle}”" if needle else f"模板使用了数据中没有的名称（{exc.message}）"
        code = "template-undefined"
    elif isinstance(exc, SecurityError):
        found = _QUOTED.search(str(exc))
        where = _find(document, found.group(1), inside_tag=True) if found else ""
        message = "模板中的表达式试图访问不允许的内容，已被安全沙箱拒绝"
        code = "template-security"
    elif isinstance(exc, OverflowError) and "range" in str(exc).lower():
        where = _find(document, "range", inside_tag=True)
        message = "模板中的循环次数过多（range 最多 100000），已被安全沙箱拒绝"
        code = "template-security"
    else:
        where = ""
        kind = "模板出错" if isinstance(exc, TemplateError) else "模板中的表达式无法计算"
        message = f"{kind}：{exc}"
        code = "template-error"
    return Problem(message, place=Place(f"{name} {where}".strip()), code=code)
