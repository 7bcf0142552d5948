"""The figures stage: from the validated model to the content a renderer draws.

Every change is computed, every expression in the text evaluated and every table row formatted here, so the
renderer only places finished text. Problems carry data paths; the caller turns them into file places.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from generator.errors import DataPath, Problem
from generator.figures.changes import change_overflow, disagreement
from generator.figures.expressions import NAMES, ExpressionProblem, TextExpander
from generator.figures.figure import Figure, figures_of
from generator.figures.numerals import chinese_numeral, written_number
from generator.figures.phrasing import NO_DATA, table_change
from generator.model import Report
from generator.paths import data_relative
from generator.sandbox import keep_compiled, memory_ceiling


@dataclass(frozen=True)
class SubsectionContent:
    heading: str
    paragraphs: list[str]
    ordinal: str = ""  # 一, 二: the formal report writes （一）（二）


@dataclass(frozen=True)
class SectionContent:
    heading: str
    paragraphs: list[str]
    ordinal: str = ""  # 一, 二, 三: the formal report numbers its sections 一、二、三、
    subsections: list[SubsectionContent] = field(default_factory=list)


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
class ChartContent:
    """A chart's data: categories along the axis, one series of values per legend entry (None leaves a gap)."""

    title: str
    kind: str  # "compare": this year against last; "trend": every year on file
    categories: list[str]
    series: list[tuple[str, list[Decimal | None]]]


@dataclass(frozen=True)
class PhotoContent:
    file: Path
    caption: str
    path: DataPath  # where the entry is in the data, for messages about the picture
    written: str = ""  # the path as the data gives it (photos\2022\会议.jpg), for messages


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
    trend: TableContent | None = None  # chosen indicators across every year on file
    charts: list[ChartContent] = field(default_factory=list)
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
            if exc.repeated:
                return text
            for each in self.expander.every_problem(text):  # all of them, not only the first in the text
                if each.indicator not in self.unfilled or each.indicator is None:
                    self.problems.append(Problem(str(each), path, code="expression"))
            return text

    def many(self, texts: list[str], path: DataPath) -> list[str]:
        return [self(text, (*path, i)) for i, text in enumerate(texts)]


YearValues = dict[int, dict[str, Decimal | None]]


def compose(report: Report, base_dir: Path, years: YearValues | None = None) -> tuple[Content, list[Problem]]:
    """The report's content, and the problems found in its figures and expressions (all of them).
    ``years``: the unit's values of the trend and chart indicators in every year on file (this one included)."""
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
    for i, indicator in enumerate(report.indicators):
        figure = figures.get(indicator.name)
        message = change_overflow(indicator, figure.change) if figure is not None else None
        if message:
            problems.append(Problem(message, ("indicators", i, "previous"), code="change-overflow"))
    unfilled = {i.name for i in report.indicators if i.value is None and i.change is None}
    text = _Texts(TextExpander(report, figures), unfilled)
    with memory_ceiling():  # the last line behind the sandbox's checks, once for all the texts
        content = _content(report, base_dir, years, figures, text, problems)
    keep_compiled()  # the texts' compiled code, for the next build of this year
    return content, problems + text.problems


def _content(
    report: Report, base_dir: Path, years: YearValues | None, figures: dict[str, Figure], text: _Texts,
    problems: list[Problem],
) -> Content:  # fmt: skip
    outlook = report.outlook
    return Content(
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
                [
                    SubsectionContent(
                        text(sub.heading, ("sections", i, "subsections", j, "heading")),
                        text.many(sub.paragraphs, ("sections", i, "subsections", j, "paragraphs")),
                        chinese_numeral(j + 1),
                    )
                    for j, sub in enumerate(s.subsections)
                ],
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
            PhotoContent(
                data_relative(base_dir, p.file),
                text(p.caption, ("photos", i, "caption")),
                ("photos", i, "file"),
                p.file,
            )
            for i, p in enumerate(report.photos)
        ],
        title=text(report.title, ("title",)) or f"{report.organization.name}{report.year}年工作总结",
        date=report.date,
        outlook_ordinal=chinese_numeral(len(report.sections) + 1),
        trend=_trend_table(report, figures, years or {}),
        charts=_charts(report, figures, years or {}, problems),
        figures=figures,
    )


def _trend_table(report: Report, figures: dict[str, Figure], years: YearValues) -> TableContent | None:
    if not report.trend:
        return None
    ordered = sorted(years) or [report.year]
    rows = []
    for name in (n for n in report.trend if n in figures):  # unknown names are reported by the model check
        values = [years.get(year, {}).get(name) for year in ordered]
        rows.append([name, figures[name].unit, *(written_number(v) if v is not None else NO_DATA for v in values)])
    return TableContent(f"{ordered[0]}—{ordered[-1]}年主要指标", ["指标", "单位", *(f"{y}年" for y in ordered)], rows)


def _charts(
    report: Report, figures: dict[str, Figure], years: YearValues, problems: list[Problem]
) -> list[ChartContent]:
    charts = []
    for c, chart in enumerate(report.charts):
        if any(name not in figures for name in chart.indicators):
            continue  # an unknown name is reported by the model check
        if chart.kind == "trend":
            ordered = sorted(years) or [report.year]
            series = [(name, [years.get(year, {}).get(name) for year in ordered]) for name in chart.indicators]
            charts.append(ChartContent(chart.title, "trend", [f"{y}年" for y in ordered], series))
            continue
        previous, current = [], []
        for j, name in enumerate(chart.indicators):
            figure = figures[name]
            for what, value in (("上年", figure.previous), ("本年", figure.value)):
                if value is None:
                    problems.append(Problem(
                        f"图表“{chart.title}”比较本年与上年，指标“{name}”还没有{what}数值（只有同比的指标画不出对比图）",
                        ("charts", c, "indicators", j), code="chart-data"))  # fmt: skip
            previous.append(figure.previous)
            current.append(figure.value)
        charts.append(ChartContent(chart.title, "compare", list(chart.indicators),
                                   [(f"{report.year - 1}年", previous), (f"{report.year}年", current)]))  # fmt: skip
    return charts


def _summary(figures: list[Figure]) -> list[SummaryRow]:
    rows = []
    for figure in (f for f in figures if f.in_summary):
        rows.append(
            SummaryRow(
                number=len(rows) + 1,
                name=figure.name,
                unit=figure.unit,
                value=written_number(figure.value) if figure.value is not None else NO_DATA,
                previous=written_number(figure.previous) if figure.previous is not None else NO_DATA,
                change=table_change(figure),
            )
        )
    return rows
