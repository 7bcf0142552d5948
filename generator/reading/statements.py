"""The figures a sentence states, read the way the seed articles write them.

- changes: 刑事、治安发案同比下降25.8%、23.9% / 有效警情数、刑事发案数分别同比下降10.9%、13.0% /
  试点企业警情、发案均同比下降70% / 破案率提高3.2个百分点 / 行政复议、行政诉讼“断崖式”下降43.5%、53.8% /
  与上年持平;
- counts with their unit: 化解各类社会矛盾697起 / 涉案金额9759.5万元 / 4万余份 (an approximation);
- values of rates: 古山镇试点分流率达95.8% / 覆盖率、联网率达100%.

Each statement keeps its subject (the words before the figure that name what changed), split into the parallel
names it stands for (刑事、治安发案 -> 刑事发案, 治安发案), and the spans a correction or an expression replaces.
The figures themselves are found by generator.reading.amounts. Pure functions over normalised text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from generator.reading.amounts import Amount, amounts, boundaries, protected_spans
from generator.reading.text import CLAUSE_END, SENTENCE_END

Direction = Literal["down", "up", "flat"]
Kind = Literal["change", "count", "value", "flat"]

DOWN_VERBS = ("下降", "减少", "降低", "回落", "下滑", "下跌", "减", "降")
UP_VERBS = ("增长", "增加", "上升", "提高", "提升", "上涨", "攀升", "增", "升")
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
