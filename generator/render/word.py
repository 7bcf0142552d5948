"""Content -> .docx bytes through a Word template. The only module that knows docxtpl.

docxtpl renders with our sandboxed, autoescaping, StrictUndefined environment everywhere it renders (body,
headers, footers, document properties, footnotes): data can never inject markup or code into the document.
"""

from __future__ import annotations

import io
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from lxml import etree
from markupsafe import Markup

from generator.errors import Place, Problem, ReportError, raise_if
from generator.figures.content import Content, PhotoContent
from generator.render.photos import prepare_photo
from generator.render.tables import table_xml
from generator.render.template_errors import template_problem
from generator.render.templates import TemplateSource
from generator.sandbox import template_environment

PHOTO_WIDTH = Mm(80)


def render_docx(content: Content, template: TemplateSource) -> bytes:
    try:
        document = DocxTemplate(io.BytesIO(template.data))
        document.init_docx()
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise ReportError(
            Problem(f"模板无法作为 Word 文档打开：{exc}", place=Place(template.name), code="template-corrupt"),
            kind="template",
        ) from None
    context = template_context(content, document)
    try:
        document.render(context, jinja_env=template_environment(), autoescape=True)
    except etree.XMLSyntaxError as exc:
        message = f"模板生成的文档结构无效（{exc.msg}）；请检查模板中的 {{%p %}} 和 {{%tr %}} 标签是否成对"
        raise ReportError(Problem(message, place=Place(template.name), code="template-xml"), kind="template") from None
    except Exception as exc:  # whatever a template's own expressions raise: TemplateError, OverflowError, TypeError…
        raise ReportError(template_problem(exc, template.name, document.docx), kind="template") from None
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def template_context(content: Content, document: DocxTemplate) -> dict[str, Any]:
    """The names a template can use (documented in the README)."""
    images, problems = _photos(content.photos, document)
    raise_if(problems)
    per_section = _distribute(images, len(content.sections))
    width = _text_width(document)
    return {
        "organization": content.organization,
        "short_name": content.short_name,
        "year": content.year,
        "kicker": content.kicker,
        "headline": content.headline,
        "subtitle": content.subtitle,
        "lead": content.lead,
        "event": content.event,
        "sections": [
            {"heading": s.heading, "paragraphs": s.paragraphs, "photos": per_section[i]}
            for i, s in enumerate(content.sections)
        ],
        "outlook_heading": content.outlook_heading,
        "outlook": content.outlook,
        "byline_label": content.byline_label,
        "byline_names": content.byline_names,
        "summary": content.summary,
        "honors": content.honors,
        "tables": [
            {"title": t.title, "columns": t.columns, "rows": t.rows, "body": Markup(table_xml(t, width))}
            for t in content.tables
        ],
        "photos": images,
    }


def _photos(photos: list[PhotoContent], document: DocxTemplate) -> tuple[list[dict[str, Any]], list[Problem]]:
    images, problems = [], []
    for photo in photos:
        data, problem = prepare_photo(photo)
        if problem is not None:
            problems.append(problem)
        else:
            images.append({"image": InlineImage(document, data, width=PHOTO_WIDTH), "caption": photo.caption})
    return images, problems


def _distribute(items: list[Any], buckets: int) -> list[list[Any]]:
    """Spread photos over the sections in order, as a layout desk would (5 over 3 sections: 2, 2, 1)."""
    spread: list[list[Any]] = [[] for _ in range(max(buckets, 1))]
    for k, item in enumerate(items):
        spread[k * len(spread) // len(items)].append(item)
    return spread


def _text_width(document: DocxTemplate) -> int:
    """Twips between the margins of the template's last section, where the data tables go."""
    section = document.docx.sections[-1]
    try:
        return int((section.page_width - section.left_margin - section.right_margin) / 635)
    except TypeError:  # a template without page size: A4 with 2 cm margins
        return 9071
