"""Next year's data from this year's: the structure and text kept as a draft, this year's values as 上年."""

from __future__ import annotations

from generator.model import Report


def next_year(report: Report) -> Report:
    """Year + 1; each indicator's value becomes its previous value; values and stated changes cleared; headline,
    sections and paragraphs kept as the draft to rewrite; honors and photos emptied (they are this year's)."""
    indicators = [
        indicator.model_copy(update={"previous": indicator.value, "value": None, "change": None})
        for indicator in report.indicators
    ]
    return report.model_copy(update={"year": report.year + 1, "indicators": indicators, "honors": [], "photos": []})
