"""Numbers as Chinese reports write them (GB/T 15835-2011): Arabic digits for counts, 万/亿 for large numbers,
余/多 for approximations, Chinese numerals for ordinals such as 连续第十四年. Pure functions."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def format_number(number: Decimal) -> str:
    """Plain digits, never an exponent, keeping the precision given: 13.0 -> '13.0', 1E+3 -> '1000'."""
    if number == 0:
        number = abs(number)  # no "-0"
    text = f"{number:f}"
    return text


# Digits enough for any figure the model accepts (under 10^15, at most 15 decimals) and any change between two
# of them (10^15 over 10^-15 is 10^32 %, to 15 decimals): the default 28 are not.
PRECISION = 80


def written_number(number: Decimal) -> str:
    """A figure as the report prints it (GB/T 15835-2011): integer parts of five or more digits grouped by
    thousands with 千分撇 (97,595,000; 12,345.6), four digits or fewer as they are (2019, 1093); decimals as
    given. 万/亿 are the writer's choice, through 万() and 约(), as the seed articles do (9759.5万元)."""
    text = format_number(number)
    sign = "-" if text.startswith("-") else ""
    whole, dot, fraction = text.lstrip("-").partition(".")
    if len(whole) < 5:
        return text
    return f"{sign}{int(whole):,}{dot}{fraction}"


def round_half_up(number: Decimal, places: int) -> Decimal:
    """四舍五入 to ``places`` decimals (Python's round() rounds half to even)."""
    with localcontext() as context:
        context.prec = PRECISION
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _trim(number: Decimal) -> str:
    text = format_number(number)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def in_wan(number: Decimal | int, places: int = 2) -> str:
    """Large numbers in 万 or 亿, rounded half-up to ``places`` decimals: 97595000 -> '9759.5万', 3523 -> '3523'."""
    number = Decimal(number)
    sign = "-" if number < 0 else ""
    number = abs(number)
    if number >= YI:
        return sign + _trim(round_half_up(number / YI, places)) + "亿"
    if number >= WAN:
        return sign + _trim(round_half_up(number / WAN, places)) + "万"
    return sign + _trim(number)


def approximate(number: Decimal | int, digits: int = 1, word: str = "余") -> str:
    """A count cut to ``digits`` significant digits, with 余/多 when something was cut off, the way reports write
    approximations: 41234 -> '4万余', 23456789 (2 digits) -> '2300余万', 1523 (2) -> '1500余', 40000 -> '4万'.

    余 goes after 万/亿 when only the part below one 万 (亿) was cut (4万余 = four 万 and a bit), and before it
    when the cut reaches into the 万 (亿) digits themselves (2300余万 = 2300-odd 万)."""
    if word not in {"余", "多"}:
        raise ValueError("词 只能是“余”或“多”")
    if digits < 1:
        raise ValueError("位 至少为 1")
    number = Decimal(number)
    if number < 0:
        raise ValueError("约数只用于正数")
    number = number.to_integral_value(rounding=ROUND_DOWN)
    if number == 0:
        return "0"
    cut_place = max(len(str(int(number))) - digits, 0)  # digits below 10**cut_place are dropped
    step = Decimal(10) ** cut_place
    kept = (number / step).to_integral_value(rounding=ROUND_DOWN) * step
    cut = number != kept
    for unit, name in ((YI, "亿"), (WAN, "万")):
        if kept >= unit:
            amount = _trim(kept / unit)
            if not cut:
                return amount + name
            return amount + (name + word if step <= unit else word + name)
    return _trim(kept) + (word if cut else "")


_DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ["", "十", "百", "千"]


def _under_wan(n: int) -> str:
    """0 < n < 10000 in Chinese numerals, with 零 for gaps (一百零一)."""
    text = ""
    zero = False
    for power in range(3, -1, -1):
        digit = n // 10**power % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + _SMALL_UNITS[power]
    return text


def chinese_numeral(n: int) -> str:
    """Integers in Chinese numerals for ordinals and the like: 14 -> '十四', 2 -> '二', 105 -> '一百零五'."""
    if isinstance(n, Decimal):
        if n != n.to_integral_value():
            raise ValueError(f"{n} 不是整数")
        n = int(n)
    if not isinstance(n, int) or isinstance(n, bool):
        raise ValueError(f"{n!r} 不是整数")
    if n < 0:
        return "负" + chinese_numeral(-n)
    if n == 0:
        return "零"
    if n >= 10**16:
        raise ValueError("数字过大")
    groups = []
    for unit in ("", "万", "亿", "万亿"):
        groups.append((n % 10_000, unit))
        n //= 10_000
        if n == 0:
            break
    text = ""
    need_zero = False
    for value, unit in reversed(groups):
        if value == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or value < 1000):
            text += "零"
        text += _under_wan(value) + unit
        need_zero = False
    if text.startswith("一十"):  # 十四, not 一十四
        text = text[1:]
    return text
