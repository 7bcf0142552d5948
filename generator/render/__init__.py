"""Rendering: the only code that knows Word, docxtpl and templates. It sees Content, never a reader."""

from generator.render.templates import BUILTIN_TEMPLATES, DEFAULT_TEMPLATE, TemplateSource, load_template
from generator.render.word import photos_shown, render_docx

__all__ = ["BUILTIN_TEMPLATES", "DEFAULT_TEMPLATE", "TemplateSource", "load_template", "photos_shown", "render_docx"]
