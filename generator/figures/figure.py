"""An indicator with its change worked out: what phrasing, expressions and tables read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from generator.figures.changes import Change, indicator_change
from generator.model import Indicator, Report


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str
    kind: str  # "count" | "rate"
    value: Decimal | None
    previous: Decimal | None
    change: Change | None
    in_summary: bool = True


def figure_of(indicator: Indicator) -> Figure:
    unit = indicator.unit or ("%" if indicator.kind == "rate" else "")
    return Figure(
        indicator.name,
        unit,
        indicator.kind,
        indicator.value,
        indicator.previous,
        indicator_change(indicator),
        indicator.in_summary,
    )


def figures_of(report: Report) -> dict[str, Figure]:
    """Every indicator of the year by name (names are unique once the model is checked)."""
    return {indicator.name: figure_of(indicator) for indicator in report.indicators}
