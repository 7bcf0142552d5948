"""Content -> .docx bytes through a Word template. The only module that knows docxtpl.

docxtpl renders with our sandboxed, autoescaping, StrictUndefined environment everywhere it renders (body,
headers, footers, document properties, footnotes): data can never inject markup or code into the document.
"""

from __future__ import annotations

import io

from docxtpl import DocxTemplate
from lxml import etree

from generator.errors import Place, Problem, ReportError
from generator.figures.content import Content
from generator.render.context import template_context
from generator.render.template_errors import template_problem
from generator.render.templates import TemplateSource
from generator.sandbox import template_environment


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
