"""Content -> .docx bytes through a Word template (prepared once per process by engine.py)."""

from __future__ import annotations

import datetime as dt

from generator.figures.content import Content
from generator.render.context import template_context
from generator.render.engine import Additions, prepared
from generator.render.templates import TemplateSource


def render_docx(content: Content, template: TemplateSource, today: dt.date | None = None) -> bytes:
    engine = prepared(template)
    additions = Additions(charts=list(content.charts), stream_tables=engine.streams_tables)
    context = template_context(content, additions, engine.text_width, today, engine.names, engine.table_styles)
    return engine.render(context, additions)


def photos_shown(content: Content, template: TemplateSource) -> int:
    """How many of the year's photos the report shows: none when the template has no place for them (the formal
    style)."""
    return len(content.photos) if "section.photos" in prepared(template).names else 0
