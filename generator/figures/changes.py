"""Year-over-year change of an indicator (同比): computed in Decimal, rounded half-up, or as stated.

Counts change in percent: (value − previous) / previous × 100, one decimal unless the indicator states its own
precision. Rates (破案率, 覆盖率) change in 个百分点: value − previous. A stated change keeps the precision it was
given with; when value and previous are known too, the two must agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal

from generator.figures.numerals import PRECISION, format_number, round_half_up
from generator.model import Indicator

DEFAULT_PLACES = 1

Direction = Literal["down", "up", "flat", "about-flat", "new"]


@dataclass(frozen=True)
class Change:
    """A change ready to phrase. ``amount`` is signed, already rounded; None when last year was zero."""

    amount: Decimal | None
    unit: Literal["%", "个百分点"]
    stated: bool
    exact_zero: bool  # the unrounded change is zero (与上年持平), not just rounded to zero (基本持平)

    @property
    def direction(self) -> Direction:
        if self.amount is None:
            return "new"
        if self.amount == 0:
            return "flat" if self.exact_zero else "about-flat"
        return "up" if self.amount > 0 else "down"

    @property
    def magnitude(self) -> str:
        """'25.8%' or '1.2个百分点'; empty for a change from zero."""
        if self.amount is None:
            return ""
        return format_number(abs(self.amount)) + self.unit


def computed_change(value: Decimal, previous: Decimal, kind: str, places: int = DEFAULT_PLACES) -> Change:
    unit: Literal["%", "个百分点"] = "个百分点" if kind == "rate" else "%"
    if kind == "rate":
        exact = value - previous
    elif previous == 0:
        return Change(None if value != 0 else Decimal(0), unit, stated=False, exact_zero=value == 0)
    else:
        with localcontext() as context:  # 999999999999999 over 0.00000000000001 needs more than 28 digits
            context.prec = PRECISION
            exact = (value - previous) / abs(previous) * 100
    return Change(round_half_up(exact, places), unit, stated=False, exact_zero=exact == 0)


def indicator_change(indicator: Indicator) -> Change | None:
    """The stated change if there is one, else the one computed from value and previous, else None."""
    unit: Literal["%", "个百分点"] = "个百分点" if indicator.kind == "rate" else "%"
    if indicator.change is not None:
        return Change(indicator.change, unit, stated=True, exact_zero=indicator.change == 0)
    if indicator.value is not None and indicator.previous is not None:
        return computed_change(indicator.value, indicator.previous, indicator.kind)
    return None


def disagreement(indicator: Indicator) -> str | None:
    """Why a stated change contradicts value and previous, in Chinese; None when they agree or cannot be compared."""
    if indicator.change is None or indicator.value is None or indicator.previous is None:
        return None
    stated = indicator.change
    places = max(-int(stated.as_tuple().exponent), 0)  # compare at the precision the change was stated with
    computed = computed_change(indicator.value, indicator.previous, indicator.kind, places)
    if computed.amount is None:
        return (
            f"指标“{indicator.name}”上年为 0，无法计算同比，却填写了同比 {format_number(stated)}%；"
            "请删除同比，或改正上年数值"
        )
    if computed.amount != stated:
        unit = computed.unit
        return (
            f"指标“{indicator.name}”的同比与数值不一致：本年 {format_number(indicator.value)}、"
            f"上年 {format_number(indicator.previous)} 算得 {format_number(computed.amount)}{unit}，"
            f"填写的却是 {format_number(stated)}{unit}"
        )
    return None


MAX_DIGITS = 28  # what a change may need (Decimal's usual precision): more means a figure was mistyped


def change_overflow(indicator: Indicator, change: Change | None) -> str | None:
    """Why the change worked out from value and previous cannot be right (999999999999999 over 0.00000000000001
    is a change of 10^31 %), in Chinese; None when it can."""
    if change is None or change.stated or change.amount is None:
        return None
    if len(change.amount.as_tuple().digits) <= MAX_DIGITS:
        return None
    return (
        f"指标“{indicator.name}”的同比变化过大：本年 {format_number(indicator.value or 0)}、上年 "
        f"{format_number(indicator.previous or 0)} 算得的变化超过 {MAX_DIGITS} 位数字；请检查上年数值是否填错"
    )
