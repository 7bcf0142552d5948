"""The figures of a text, each with its unit: 25.8% / 3.2个百分点 / 697起 / 9759.5万元 / 4万余份 / 第十四年.

Years (2019年), dates (3月24日), ordinals written in digits (第14), ranges (2至5天), fractions (1/3) and figures inside
quotation marks or book titles (“6.14”案件, 《十一条举措》) are not figures of the year's work and are left out; a
number without a unit (数说2019) is not a figure either. Pure functions over normalised text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Measure words a count is written with (longest first, so 人次 is not read as 人).
UNITS = sorted(
    ("元", "人次", "户次", "车次", "架次", "台次", "辆次", "起", "人", "名", "位", "个", "件", "辆", "处", "家", "份",
     "支", "项", "次", "户", "场", "路", "条", "台", "套", "部", "批", "只", "头", "吨", "公斤", "千克", "平方米",
     "平方公里", "亩", "公里", "千米", "米", "小时", "天", "分钟", "年", "所", "座", "栋", "间", "张", "本", "篇",
     "期", "轮", "班", "宗", "单", "笔", "枚", "例", "门", "把"),
    key=len,
    reverse=True,
)  # fmt: skip
PERCENT_UNITS = ("个百分点", "百分点", "%", "倍")
APPROX_AFTER = ("以上", "以下", "以内", "左右", "之多")
APPROX_BEFORE = ("大约", "将近", "超过", "约", "近", "逾", "超")

_QUOTED = re.compile(r"“[^“”]{0,40}”|‘[^‘’]{0,40}’|《[^《》]{0,60}》|「[^「」]{0,40}」|\"[^\"]{0,40}\"")
_NUMBER = re.compile(r"(?<![\d.,A-Za-z/:])(?P<sign>[-+]|负)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
_CHINESE_DIGITS = "零一二三四五六七八九"
_ORDINAL = re.compile(r"第(?P<num>[一二三四五六七八九十百零两]+)(?P<unit>年|次|届|个)")
_YEAR = re.compile(r"(19|20|21)\d\d")


@dataclass(frozen=True)
class Amount:
    """One figure as written: 25.8% / 3.2个百分点 / 697起 / 9759.5万元 / 4万余份."""

    number: Decimal  # as written, in its scale (9759.5 for 9759.5万元)
    scale: int  # 1, 10**4 (万), 10**8 (亿)
    unit: str  # %, 个百分点, 倍, or a measure word (起, 人, 元 …); "" for none
    approx: str  # 余, 多, 以上, 约 …; "" when exact
    start: int  # the figure's span, approximation words included
    end: int
    number_start: int  # the digits' span
    number_end: int
    negative: bool = False  # written with a minus sign or 负

    @property
    def value(self) -> Decimal:
        """The number in its unit without the scale: 9759.5万 -> 97595000."""
        return self.number * self.scale

    @property
    def percent(self) -> bool:
        return self.unit in PERCENT_UNITS


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Quotations and titles: figures inside them are names (“6.14”案件, 《十一条举措》), not figures."""
    return [m.span() for m in _QUOTED.finditer(text)]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``position`` is inside one of the (sorted, disjoint) spans: a binary search."""
    k = bisect.bisect_right(spans, (position, len(spans) + 10**12)) - 1
    return k >= 0 and spans[k][0] <= position < spans[k][1]


def boundaries(text: str, marks: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans between the given marks, ignoring marks inside quotations."""
    found = []
    start = 0
    for i, char in enumerate(text):
        if char in marks and not _inside(i, spans):
            found.append((start, i + 1))
            start = i + 1
    if start < len(text):
        found.append((start, len(text)))
    return found


def _chinese_number(text: str) -> int | None:
    """十四 -> 14, 二 -> 2, 一百零五 -> 105 (ordinals up to 999)."""
    total, current = 0, 0
    for char in text:
        if char in _CHINESE_DIGITS or char == "两":
            current = 2 if char == "两" else _CHINESE_DIGITS.index(char)
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def amounts(text: str, spans: list[tuple[int, int]] | None = None) -> list[Amount]:
    """Every figure of the text with its unit; years, dates, ordinals, fractions and quoted figures left out."""
    spans = protected_spans(text) if spans is None else spans
    found = []
    for match in _NUMBER.finditer(text):
        start, end = match.span("num")
        if _inside(start, spans):
            continue
        rest = text[end : end + 8]
        before = text[max(0, match.start() - 2) : match.start()]
        if (rest[:1] in {"/", ":", "-", "."} and rest[1:2].isdigit()) or (rest[:1].isascii() and rest[:1].isalpha()):
            continue  # 1/3, 12:30, 2-3, 5G
        if before.endswith("第") or re.fullmatch(r"\d[至到~～]", before):
            continue  # 第14, the upper end of a range (2至5天)
        if re.match(r"[至到~～-]\d", rest):
            continue  # the lower end of a range
        if rest[:1] in {"月", "日", "号", "时", "点", "届", "季", "周", "岁"} or rest.startswith(("年前", "年代")):
            continue
        digits = match.group("num")
        if rest.startswith("年") and _YEAR.fullmatch(digits):
            continue  # 2019年, also 2019年度
        try:
            number = Decimal(digits.replace(",", ""))
        except InvalidOperation:
            continue
        position = end
        scale = 1
        if text[position : position + 1] in {"万", "亿"}:
            scale = 10_000 if text[position] == "万" else 100_000_000
            position += 1
        approx = ""
        if text[position : position + 1] in {"余", "多"}:
            approx = text[position]
            position += 1
            if scale == 1 and text[position : position + 1] in {"万", "亿"}:  # 2300余万元
                scale = 10_000 if text[position] == "万" else 100_000_000
                position += 1
        unit = ""
        written = ""
        for candidate in (*PERCENT_UNITS, *UNITS):
            if text.startswith(candidate, position):
                unit = written = candidate
                break
        if unit in {"元", "人", "个"} and text.startswith(unit + "次", position):
            unit = written = unit + "次"
        if not unit and scale == 1:
            continue  # a bare number (数说2019) is not a figure of the text
        position += len(written)
        if unit == "百分点":
            unit = "个百分点"
        for word in APPROX_AFTER:
            if text.startswith(word, position):
                approx = approx or word
                position += len(word)
                break
        begin = match.start()
        for word in APPROX_BEFORE:
            if text[:begin].endswith(word):
                approx = approx or word
                begin -= len(word)
                break
        negative = match.group("sign") in {"-", "负"}
        found.append(Amount(number, scale, unit, approx, begin, position, start, end, negative))
    for match in _ORDINAL.finditer(text):  # 连续第十四年: an ordinal a count indicator may give
        if _inside(match.start(), spans):
            continue
        value = _chinese_number(match.group("num"))
        if value is not None:
            s, e = match.span("num")
            found.append(Amount(Decimal(value), 1, match.group("unit"), "第", s, e, s, e))
    found.sort(key=lambda a: a.start)
    return found
