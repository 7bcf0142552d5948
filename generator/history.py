"""The other years of the same unit: last year's values as 上年 where this year's file leaves them out, and every
year's values for trend tables and charts.

A unit keeps one file per year side by side (reports/<unit>/2019.yaml, 2020.xlsx …); indicators are matched by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from generator.errors import Problem, ReportError
from generator.figures.numerals import format_number
from generator.model import Report, validate_report
from generator.sources import read_source
from generator.sources.raw import RawDocument, display_name

YEAR_FILE = re.compile(r"(\d{4})\.(yaml|yml|xlsx|xlsm)", re.IGNORECASE)
# Named after a year and meant as a year's data, but not a format we read (an old .xls, a CSV, a WPS .et …):
# reported, never silently passed over.
YEAR_DATA_LIKE = re.compile(
    r"(\d{4})\.(xls|xlsb|xlt|xltx|xltm|et|ett|ods|fods|csv|tsv|txt|json|numbers)", re.IGNORECASE
)


@dataclass
class OtherYear:
    year: int
    path: Path
    raw: RawDocument
    report: Report


class History:
    """The files of one unit, found beside this year's and read only when needed."""

    def __init__(self, source: Path, year: int) -> None:
        self.source = source
        self.year = year
        self.notes: list[str] = []
        self._loaded: dict[int, OtherYear | None] = {}
        self._files: dict[int, Path] = {}
        self.read_files: dict[int, Path] = {}  # the files actually read: never to be written over
        preference = {source.suffix.lower(): 0, ".xlsx": 1, ".yaml": 2, ".yml": 3, ".xlsm": 4}
        try:
            candidates = sorted(source.parent.iterdir())
        except OSError:
            candidates = []
        for path in candidates:
            found = YEAR_FILE.fullmatch(path.name) or YEAR_DATA_LIKE.fullmatch(path.name)
            if not found or not path.is_file() or path.name.startswith("~$") or path.name == source.name:
                continue  # never this year's own file, whatever year it says it holds
            year = int(found.group(1))
            if year == self.year:
                continue
            current = self._files.get(year)
            if current is None or preference.get(path.suffix.lower(), 9) < preference.get(current.suffix.lower(), 9):
                self._files[year] = path  # one file a year: the same format as this one first

    def load(self, year: int) -> OtherYear | None:
        if year not in self._loaded:
            self._loaded[year] = self._read(year)
        return self._loaded[year]

    def _read(self, year: int) -> OtherYear | None:
        path = self._files.get(year)
        if path is None:
            return None
        self.read_files[year] = path
        try:
            raw = read_source(path)
            report, problems = validate_report(raw.data)
        except ReportError as exc:
            self.notes.append(f"{display_name(path)} 无法读取，没有从中取{year}年的数值：{exc.problems[0].message}")
            return None
        if report is None or raw.problems:  # a renamed column there must not leave 上年 out without a word
            (first,) = raw.locate([(raw.problems + problems)[0]])
            self.notes.append(f"{display_name(path)} 有错误，没有从中取{year}年的数值：{first}")
            return None
        if report.year != year:  # which year a file holds is known by its name: a wrong year is not used
            self.notes.append(
                f"{display_name(path)} 里的年份（year）是 {report.year}，与文件名不符，没有从中取{year}年的数值"
            )
            return None
        return OtherYear(year, path, raw, report)

    def fill_previous(self, report: Report) -> tuple[Report, list[Problem]]:
        """上年 from last year's file where this year's leaves it out; a disagreement names both files."""
        last = self.load(self.year - 1) if report.indicators else None
        if last is None:
            return report, []
        values = {i.name: (n, i.value) for n, i in enumerate(last.report.indicators) if i.value is not None}
        problems: list[Problem] = []
        indicators, filled = [], []
        for n, indicator in enumerate(report.indicators):
            found = values.get(indicator.name)
            if found is None:
                indicators.append(indicator)
                continue
            index, value = found
            if indicator.previous is None:
                indicators.append(indicator.model_copy(update={"previous": value}))
                filled.append(indicator.name)
            else:
                indicators.append(indicator)
                if indicator.previous != value:
                    where = last.raw.place_of(("indicators", index, "value"))
                    problems.append(Problem(
                        f"指标“{indicator.name}”的上年数值 {format_number(indicator.previous)} 与 {where} 中"
                        f"{last.year}年的本年数值 {format_number(value)} 不一致；请改正其中一个，或删去这里的上年数值，"
                        "让程序从上一年的文件中读取",
                        ("indicators", n, "previous"), code="history-disagrees"))  # fmt: skip
        if filled:
            self.notes.append(f"上年数值取自 {display_name(last.path)}：{'、'.join(filled)}（共 {len(filled)} 项）")
        return report.model_copy(update={"indicators": indicators}), problems

    def series(self, report: Report, names: list[str]) -> dict[int, dict[str, Decimal | None]]:
        """Each year on file up to this one -> the values of ``names`` (this year's from ``report``)."""
        years: dict[int, dict[str, Decimal | None]] = {}
        for year in sorted(y for y in self._files if y < self.year):
            other = self.load(year)
            if other is None:
                continue
            values = {i.name: i.value for i in other.report.indicators}
            years[year] = {name: values.get(name) for name in names}
        values = {i.name: i.value for i in report.indicators}
        years[self.year] = {name: values.get(name) for name in names}
        used = [y for y in years if any(v is not None for v in years[y].values())]
        if len(used) < len(years):
            skipped = sorted(set(years) - set(used))
            self.notes.append(f"历年趋势：{'、'.join(str(y) for y in skipped)}年的文件里没有这些指标，已略去")
        return {year: years[year] for year in used}
