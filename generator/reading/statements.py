"""The figures a sentence states, read the way the seed articles write them.

- changes: 刑事、治安发案同比下降25.8%、23.9% / 有效警情数、刑事发案数分别同比下降10.9%、13.0% /
  试点企业警情、发案均同比下降70% / 破案率提高3.2个百分点 / 行政复议、行政诉讼“断崖式”下降43.5%、53.8% /
  与上年持平;
- counts with their unit: 化解各类社会矛盾697起 / 涉案金额9759.5万元 / 4万余份 (an approximation);
- values of rates: 古山镇试点分流率达95.8% / 覆盖率、联网率达100%.

Each statement keeps its subject (the words before the figure that name what changed), split into the parallel
names it stands for (刑事、治安发案 -> 刑事发案, 治安发案), and the spans a correction or an expression replaces.
Years (2019年), dates (3月24日), ordinals (第14), fractions (1/3), and figures inside quotation marks or book titles
(“6.14”案件, 《十一条举措》) are not figures of the year's work and are left out. Pure functions over normalised text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from generator.reading.text import CLAUSE_END, SENTENCE_END

Direction = Literal["down", "up", "flat"]
Kind = Literal["change", "count", "value", "flat"]

DOWN_VERBS = ("下降", "减少", "降低", "回落", "下滑", "下跌", "减", "降")
UP_VERBS = ("增长", "增加", "上升", "提高", "提升", "上涨", "攀升", "增", "升")
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

# Words between a subject and its verb: kept as they are, never part of a name.
PREFIXES = ("与上年相比", "与去年相比", "与去年同期相比", "与上年同期相比", "较上年同期", "较去年同期", "比上年同期",
            "比去年同期", "较上年", "比上年", "较去年", "比去年", "同比", "环比", "同期")  # fmt: skip
ADVERBS = ("分别", "均", "都", "也", "还", "继续", "持续", "大幅", "明显", "显著", "稳步", "进一步", "断崖式", "有所",
           "略有", "小幅", "实现", "双", "共", "了")  # fmt: skip
# Words that open a clause without naming anything: left out of a subject's name.
FILLERS = ("一年来", "过去一年", "截至目前", "全年", "全市", "全县", "全区", "全局", "全省", "今年", "去年", "其中",
           "同时", "此外", "另外", "累计", "共有", "共", "我市", "本市", "该局", "该市", "通过", "年内", "本年",
           "当年", "并", "和", "及", "与", "实现", "有效", "成功", "全力")  # fmt: skip
FILLERS_KEPT = ("有效", "成功")  # openers that can also begin a name (有效警情数): only dropped before a verb

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


@dataclass
class Statement:
    """A figure (or parallel figures) with what it is about."""

    kind: Kind
    amounts: list[Amount]
    directions: list[Direction]  # per amount (change), or ["flat"]
    verbs: list[str]  # per amount, as written (下降, 提升 …)
    subject: str  # the subject as written, fillers left out ("刑事、治安发案")
    subject_start: int  # where the subject (without fillers) begins; the whole statement ends at end
    connector: str  # between subject and the first verb: "同比", "分别同比", "“断崖式”" …
    change_start: int  # where the connector begins: a correction replaces text[change_start:end]
    end: int
    names: list[str] = field(default_factory=list)  # the parallel names the subject stands for
    clause: tuple[int, int] = (0, 0)
    sentence: tuple[int, int] = (0, 0)
    previous_year: bool = False  # a count stated for last year (上年/去年 …)
    inherited: bool = False  # the subject was taken from the clause before (697起，同比增长20%)
    before: str = ""  # count: the text naming it, before the figure in its clause
    after: str = ""  # count: the text after the figure in its clause

    @property
    def start(self) -> int:
        return self.subject_start

    @property
    def each(self) -> bool:
        return "分别" in self.connector

    @property
    def same(self) -> bool:
        """均: one figure for every name."""
        return "均" in self.connector

    @property
    def prefix(self) -> str:
        return next((p for p in PREFIXES if p in self.connector), "")


# ---------------------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------------------


def _verb_before(text: str, position: int, floor: int) -> tuple[str, int] | None:
    """The change verb that ends at ``position`` (了/达 may stand between), and where it begins."""
    head = text[floor:position]
    for filler in ("了", "达", "约", "近", ""):
        if filler and not head.endswith(filler):
            continue
        stem = head[: len(head) - len(filler)] if filler else head
        for verb in sorted((*DOWN_VERBS, *UP_VERBS), key=len, reverse=True):
            if stem.endswith(verb):
                return verb, floor + len(stem) - len(verb)
    return None


def _strip_connector(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> int:
    """Where the subject ends: prefixes (同比, 较上年), adverbs (分别, 均, 断崖式) and a short quoted adverb
    (“断崖式”) stripped from the end of text[start:end]."""
    position = end
    while position > start:
        piece = text[start:position]
        quoted = re.search(r"“[^“”]{1,5}”$", piece)
        if quoted and piece[-1] == "”":
            position -= len(quoted.group(0))
            continue
        year = re.search(r"[较比]\d{4}年(同期)?$", piece)
        if year:
            position -= len(year.group(0))
            continue
        word = next((w for w in (*PREFIXES, *ADVERBS) if piece.endswith(w)), None)
        if word is None:
            break
        position -= len(word)
    return position


def strip_fillers(text: str, short_name: str = "", keep: bool = True) -> int:
    """How many leading characters of a subject are fillers (全年全市, 一年来, 2019年, 市公安局 …)."""
    position = 0
    words = [w for w in (short_name, *FILLERS) if w]
    while position < len(text):
        rest = text[position:]
        if rest[0] in "、，,；;":
            position += 1
            continue
        year = re.match(r"\d{4}年度?", rest)
        if year:
            position += len(year.group(0))
            continue
        word = next((w for w in words if rest.startswith(w) and not (keep and w in FILLERS_KEPT)), None)
        if word is None:
            break
        position += len(word)
    return position


def split_names(subject: str) -> list[str]:
    """刑事、治安发案 -> [刑事发案, 治安发案]; 试点企业警情、发案 -> [试点企业警情, 试点企业发案]; 行政复议、行政诉讼
    as they are. A shared ending is carried to the shorter first names, a shared beginning to the shorter last."""
    spans = protected_spans(subject)
    parts = [subject[a:b].rstrip("、") for a, b in boundaries(subject, "、", spans)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return parts
    first, last = parts[0], parts[-1]
    names = list(parts)
    if len(last) > len(first):
        suffix = last[len(first) :]
        names = [p + suffix if len(p) <= len(first) else p for p in parts[:-1]] + [last]
    elif len(first) > len(last):
        prefix = first[: len(first) - len(last)]
        names = [first] + [prefix + p if len(p) <= len(last) else p for p in parts[1:]]
    return names


def clean_name(name: str) -> str:
    """A name as an indicator would carry it: no quotation marks, spaces or trailing particles."""
    name = re.sub(r"[“”‘’「」《》\"'\s]", "", name)
    name = re.sub(r"^[的和及与、，]+|[的和及与、，]+$", "", name)
    return name


def statements(text: str, short_name: str = "") -> list[Statement]:
    """Every statement of figures in a normalised text, in order."""
    spans = protected_spans(text)
    clauses = boundaries(text, CLAUSE_END, spans)
    sentence_spans = boundaries(text, SENTENCE_END, spans)
    found: list[Statement] = []
    figures = amounts(text, spans)
    starts = [a.start for a in figures]
    sentence_starts = [start for start, _ in sentence_spans]
    for clause_start, clause_end in clauses:
        inside = figures[bisect.bisect_left(starts, clause_start) : bisect.bisect_left(starts, clause_end)]
        k = bisect.bisect_right(sentence_starts, clause_start) - 1
        sentence = sentence_spans[k] if k >= 0 else (clause_start, clause_end)
        floor = clause_start
        i = 0
        while i < len(inside):
            amount = inside[i]
            statement = None
            if amount.percent:
                statement = _change(text, inside, i, floor, spans)
                if statement is not None:
                    i += len(statement.amounts)
                else:
                    statement = _value(text, amount, floor, spans)
                    i += 1
            else:
                statement = _count(text, inside, i, floor, clause_end)
                i += 1
            statement.clause = (clause_start, clause_end)
            statement.sentence = sentence
            _name(statement, text, short_name)
            found.append(statement)
            floor = statement.end
        for match in re.finditer(
            r"(同比|与上年|与去年|和上年|较上年|比上年)?(基本)?持平", text[clause_start:clause_end]
        ):
            start = clause_start + match.start()
            if any(s.subject_start <= start < s.end for s in found):
                continue
            subject_end = start
            statement = Statement("flat", [], ["flat"], ["持平"], "", clause_start, match.group(0), start,
                                  clause_start + match.end())  # fmt: skip
            statement.subject = text[clause_start:subject_end]
            statement.clause, statement.sentence = (clause_start, clause_end), sentence
            _name(statement, text, short_name)
            found.append(statement)
    found.sort(key=lambda s: s.change_start)
    _after_names(found)
    _inherit(found, text)
    return found


def _after_names(found: list[Statement]) -> None:
    """29个集体和154人次受到……表彰: the words between two counts name the first (集体), not the second, which is
    named by what follows it."""
    for earlier, statement in itertools.pairwise(found):
        if (
            earlier.kind == statement.kind == "count"
            and earlier.clause == statement.clause
            and not clean_name(earlier.before)
            and earlier.after
            and statement.before == earlier.after.strip()
        ):
            statement.before = ""
            base = clean_name(statement.after)
            statement.names = [base] if base else []


def _change(text: str, inside: list[Amount], i: int, floor: int, spans: list[tuple[int, int]]) -> Statement | None:
    first = inside[i]
    found = _verb_before(text, first.start, floor)
    if found is None:
        return None
    verb, verb_start = found
    after_verb = text[verb_start + len(verb) : first.start]
    if any(w in after_verb for w in ("至", "到", "为")):
        return None  # 提高到95%: a value, not a change
    chosen = [first]
    verbs = [verb]
    position = first.end
    for later in inside[i + 1 :]:
        gap = text[position : later.start]
        separator = next((w for w in ("、", "和", "与", "及") if gap.startswith(w)), None)
        if not later.percent or separator is None:
            break
        own = gap[len(separator) :]
        if own and own not in (*DOWN_VERBS, *UP_VERBS):
            break
        chosen.append(later)
        verbs.append(own or verbs[-1])
        position = later.end
    directions: list[Direction] = ["down" if v in DOWN_VERBS else "up" for v in verbs]
    subject_end = _strip_connector(text, floor, verb_start, spans)
    return Statement(
        "change",
        chosen,
        directions,
        verbs,
        text[floor:subject_end],
        floor,
        text[subject_end:verb_start],
        subject_end,
        position,
    )


def _value(text: str, amount: Amount, floor: int, spans: list[tuple[int, int]]) -> Statement:
    """A rate's value: 分流率达95.8%, 覆盖率、联网率达100%, 占比35%."""
    head = text[floor : amount.start]
    verb = re.search(
        r"(达到|达|为|是|保持在|保持|提高到|提高至|提升至|上升到|上升至|升至|下降到|下降至|降至|降到|至|到)$", head
    )
    subject_end = amount.start - (len(verb.group(0)) if verb else 0)
    subject_end = _strip_connector(text, floor, subject_end, spans)
    return Statement(
        "value", [amount], ["flat"], [verb.group(0) if verb else ""], text[floor:subject_end], floor,
        text[subject_end : amount.start], subject_end, amount.end,
    )  # fmt: skip


def _count(text: str, inside: list[Amount], i: int, floor: int, clause_end: int) -> Statement:
    amount = inside[i]
    following = inside[i + 1].start if i + 1 < len(inside) else clause_end
    before = text[floor : amount.start]
    after = text[amount.end : following]
    # what follows names this figure up to where the next statement begins (7个已建智安小区总警情数同比下降54%)
    after = re.split("|".join((*PREFIXES, *(v for v in DOWN_VERBS + UP_VERBS if len(v) > 1))), after)[0]
    after = after.rstrip("，。；;,：:！？!?\n")
    previous = bool(re.search(r"(上年|去年|上一年|前一年)(同期)?(为|是|有|共)?$", before))
    statement = Statement("count", [amount], ["flat"], [""], before, floor, "", amount.start, amount.end)
    statement.previous_year = previous
    statement.before, statement.after = before, after
    return statement


def _name(statement: Statement, text: str, short_name: str) -> None:
    """The subject without fillers, and the parallel names it stands for."""
    subject = statement.subject
    skip = strip_fillers(subject, short_name, keep=statement.kind != "count")
    statement.subject_start += skip
    statement.subject = subject[skip:]
    if statement.kind == "count":
        statement.before = statement.subject
        before, after = clean_name(statement.before), clean_name(statement.after)
        base = before if len(before) >= 2 else after or before  # 为40家企业: named by what follows
        statement.names = [base] if base else []
        return
    names = split_names(statement.subject) if statement.subject else []
    count = len(statement.amounts)
    if statement.kind == "change" and len(names) > 1 and not statement.same and count == 1:
        names = [statement.subject]  # 盗窃、诈骗案件同比下降10%: one figure for the whole list
    elif statement.kind == "change" and len(names) > count > 1 and not statement.same:
        names = names[-count:]
    statement.names = [clean_name(n) for n in names if clean_name(n)]


def _inherit(found: list[Statement], text: str) -> None:
    """A change with no subject of its own (化解各类社会矛盾697起，同比增长20%) is about the figure just before it
    in the same sentence."""
    for k, statement in enumerate(found):
        if statement.kind in {"change", "flat"} and not statement.names and k > 0:
            earlier = found[k - 1]
            if earlier.sentence == statement.sentence and earlier.names:
                statement.names = list(earlier.names[: max(1, len(statement.amounts))])
                statement.inherited = True


def sentence_of(text: str, statement: Statement) -> str:
    start, end = statement.sentence
    return text[start:end]
