"""The figures stage: from the validated model to the content a renderer draws.

Every change is computed, every expression in the text evaluated and every table row formatted here, so the
renderer only places finished text. Problems carry data paths; the caller turns them into file places.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import DataPath, Problem
from generator.figures.changes import disagreement
from generator.figures.expressions import NAMES, ExpressionProblem, TextExpander
from generator.figures.figure import Figure, figures_of
from generator.figures.numerals import chinese_numeral, format_number
from generator.figures.phrasing import NO_DATA, table_change
from generator.model import Report


@dataclass(frozen=True)
class SectionContent:
    heading: str
    paragraphs: list[str]
    ordinal: str = ""  # 一, 二, 三: the formal report numbers its sections 一、二、三、


@dataclass(frozen=True)
class SummaryRow:
    """One row of the 主要指标 table, all text: 序号, 指标, 单位, 本年, 上年, 同比."""

    number: int
    name: str
    unit: str
    value: str
    previous: str
    change: str


@dataclass(frozen=True)
class HonorRow:
    recipient: str
    honor: str
    level: str


@dataclass(frozen=True)
class TableContent:
    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class PhotoContent:
    file: Path
    caption: str
    path: DataPath  # where the entry is in the data, for messages about the picture


@dataclass(frozen=True)
class Content:
    organization: str
    short_name: str
    year: int
    kicker: str
    headline: str
    subtitle: str
    lead: list[str]
    event: list[str]
    sections: list[SectionContent]
    outlook_heading: str
    outlook: list[str]
    byline_label: str
    byline_names: list[str]
    summary: list[SummaryRow]
    honors: list[HonorRow]
    tables: list[TableContent]
    photos: list[PhotoContent]
    title: str = ""  # the formal report's title (given, or 单位 + 年份 + 年工作总结)
    date: dt.date | None = None  # the formal report's 成文日期, if the data gives one
    outlook_ordinal: str = ""  # the number the outlook gets after the sections in the formal report
    figures: dict[str, Figure] = field(default_factory=dict)


class _Texts:
    """Expands text fields, collecting every problem instead of stopping at the first."""

    def __init__(self, expander: TextExpander, unfilled: set[str]) -> None:
        self.expander = expander
        self.unfilled = unfilled  # indicators already reported as not filled in: their uses add nothing new
        self.problems: list[Problem] = []

    def __call__(self, text: str, path: DataPath) -> str:
        try:
            return self.expander.expand(text)
        except ExpressionProblem as exc:
            if exc.indicator not in self.unfilled or exc.indicator is None:
                self.problems.append(Problem(str(exc), path, code="expression"))
            return text

    def many(self, texts: list[str], path: DataPath) -> list[str]:
        return [self(text, (*path, i)) for i, text in enumerate(texts)]


def compose(report: Report, base_dir: Path) -> tuple[Content, list[Problem]]:
    """The report's content, and the problems found in its figures and expressions (all of them)."""
    problems: list[Problem] = []
    for i, indicator in enumerate(report.indicators):
        message = disagreement(indicator)
        if message:
            problems.append(Problem(message, ("indicators", i, "change"), code="change-disagrees"))
        if indicator.name in NAMES:
            problems.append(
                Problem(
                    f"指标名称“{indicator.name}”与表达式的内置名称重复，请换一个名称",
                    ("indicators", i, "name"),
                    code="reserved-name",
                )
            )

    figures = figures_of(report)
    unfilled = {i.name for i in report.indicators if i.value is None and i.change is None}
    text = _Texts(TextExpander(report, figures), unfilled)
    outlook = report.outlook
    content = Content(
        organization=report.organization.name,
        short_name=report.organization.short,
        year=report.year,
        kicker=text(report.kicker, ("kicker",)),
        headline=text(report.headline, ("headline",)),
        subtitle=text(report.subtitle, ("subtitle",)),
        lead=text.many(report.lead, ("lead",)),
        event=text.many(report.event, ("event",)),
        sections=[
            SectionContent(
                text(s.heading, ("sections", i, "heading")),
                text.many(s.paragraphs, ("sections", i, "paragraphs")),
                chinese_numeral(i + 1),
            )
            for i, s in enumerate(report.sections)
        ],
        outlook_heading=text(outlook.heading, ("outlook", "heading")) if outlook else "",
        outlook=text.many(outlook.paragraphs, ("outlook", "paragraphs")) if outlook else [],
        byline_label=report.byline.label if report.byline else "",
        byline_names=list(report.byline.names) if report.byline else [],
        summary=_summary(list(figures.values())),
        honors=[
            HonorRow(text(h.recipient, ("honors", i, "recipient")), text(h.honor, ("honors", i, "honor")), h.level)
            for i, h in enumerate(report.honors)
        ],
        tables=[
            TableContent(
                text(t.title, ("tables", i, "title")),
                text.many(t.columns, ("tables", i, "columns")),
                [text.many(row, ("tables", i, "rows", r)) for r, row in enumerate(t.rows)],
            )
            for i, t in enumerate(report.tables)
        ],
        photos=[
            PhotoContent(base_dir / p.file, text(p.caption, ("photos", i, "caption")), ("photos", i, "file"))
            for i, p in enumerate(report.photos)
        ],
        title=text(report.title, ("title",)) or f"{report.organization.name}{report.year}年工作总结",
        date=report.date,
        outlook_ordinal=chinese_numeral(len(report.sections) + 1),
        figures=figures,
    )
    return content, problems + text.problems


def _summary(figures: list[Figure]) -> list[SummaryRow]:
    rows = []
    for figure in (f for f in figures if f.in_summary):
        rows.append(
            SummaryRow(
                number=len(rows) + 1,
                name=figure.name,
                unit=figure.unit,
                value=format_number(figure.value) if figure.value is not None else NO_DATA,
                previous=format_number(figure.previous) if figure.previous is not None else NO_DATA,
                change=table_change(figure),
            )
        )
    return rows
