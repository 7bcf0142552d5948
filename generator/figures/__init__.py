"""The figures stage: year-over-year changes, Chinese number phrasing, expressions in text (pure functions)."""

from generator.figures.content import Content, compose

__all__ = ["Content", "compose"]
