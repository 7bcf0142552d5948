"""A hand-written report's figures as draft indicators, and its paragraphs with expressions in their place.

Every figure stated with a change (同比下降25.8%, 提高3.2个百分点), every exact count with its unit (1093起) and
every rate's value (分流率达95.8%) becomes an indicator named by the words of its clause, marked 待确认 with the
sentence it came from: an extractor guesses. In the paragraph the figure is replaced by the expression that writes
it (``{{ 刑事发案.同比 }}``, ``{{ 同比(刑事发案, 治安发案, 主语="刑事、治安发案") }}``), so next year's new-year and
build update the text. Each expression is evaluated before it is kept: only one that writes back exactly the words
it replaces stays; any other figure is left as written (approximations such as 4万余份 always are).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.figures.expressions import NAMES, ExpressionProblem, TextExpander
from generator.figures.figure import figures_of
from generator.model import MAX_TEXT, Report, validate_report
from generator.reading.amounts import APPROX_AFTER
from generator.reading.statements import Statement, clean_name, statements
from generator.verify.matching import core, similarity

MAX_NAME = 16
_SEPARATORS = re.compile(r"(?:等|、|了|包括|对|将|从|在|把|向|给)")
_DURATIONS = {"年", "天", "小时", "分钟"}
_PLAIN_CONNECTORS = {"", "同比", "分别同比", "均同比", "同比分别", "同比均", "分别", "均"}
RATE_ENDINGS = ("率", "占比", "比重", "比例")


@dataclass
class DraftIndicator:
    name: str
    unit: str = ""
    value: Decimal | None = None
    previous: Decimal | None = None
    change: Decimal | None = None
    kind: str = "count"
    sources: list[str] = field(default_factory=list)  # the sentences it was read from
    from_table: bool = False
    weak: bool = False  # named by the words after its figure (为40家企业修复信用): another figure never joins it

    def data(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": self.name}
        if self.unit:
            entry["unit"] = self.unit
        for key in ("value", "previous", "change"):
            if getattr(self, key) is not None:
                entry[key] = getattr(self, key)
        if self.kind != "count":
            entry["kind"] = self.kind
        if not self.from_table and self.change is None and self.kind == "count":
            entry["in_summary"] = False  # a count the text merely mentions: readable, not a key figure
        return entry


@dataclass
class _Plan:
    start: int
    end: int
    expression: str


def indicator_name(raw: str, head: bool = False) -> str:
    """A name an expression can use: the clause's words without marks, at most 16 characters, never a built-in.
    Words before a figure are cut from their start (the name ends at the figure), words after it (``head``) from
    their end."""
    name = re.sub(r"\W", "", clean_name(raw))
    if len(name) > MAX_NAME:
        pieces = [p for p in _SEPARATORS.split(name) if len(p) >= 2]
        if pieces:
            name = pieces[0] if head else pieces[-1]
        name = name[:MAX_NAME] if head else name[-MAX_NAME:]
    if not name:
        return ""
    if name[0].isdigit():
        name = "指标" + name
    if name in NAMES:
        name += "数"
    return name


class Drafter:
    """Collects draft indicators from the texts of one report, then rewrites the texts with expressions."""

    def __init__(self, short_name: str) -> None:
        self.short_name = short_name
        self.indicators: dict[str, DraftIndicator] = {}
        self.plans: dict[int, list[_Plan]] = {}  # id of a text's slot -> its replacements
        self.table_pairs: dict[str, set[str]] = {}  # pairs of characters of table indicators' names -> names
        self.replaced = 0

    # -- indicators ---------------------------------------------------------------------------------------------

    def add_table_indicator(self, indicator: DraftIndicator) -> None:
        name = indicator.name
        number = 2
        while name in self.indicators:
            name = f"{indicator.name}{number}"
            number += 1
        indicator.name = name
        self.indicators[name] = indicator
        probe = core(_FigureName(name, indicator.unit))  # type: ignore[arg-type]
        for i in range(len(probe) - 1):
            self.table_pairs.setdefault(probe[i : i + 2], set()).add(name)

    def _claim(
        self, raw_name: str, key: str, number: Decimal, sentence: str, weak: bool = False, **fields: Any
    ) -> DraftIndicator | None:
        """The indicator that states ``key`` = ``number`` under this name: an existing one that agrees or has no
        such figure yet, or a new one (刑事发案2 when 刑事发案 already has another figure)."""
        base = indicator_name(raw_name, head=weak)
        if not base:
            return None
        number = Decimal(str(number))  # an object of its own: one figure stated twice is still two values
        for existing in self._similar(base):
            if existing.weak or weak:
                continue
            current = getattr(existing, key)
            if (current is None or current == number) and all(
                getattr(existing, k) in {v, "", None} for k, v in fields.items() if k != "kind"
            ):
                return self._record(existing, key, number, sentence, fields)
        name = base
        suffix = 2
        while name in self.indicators:
            name = f"{base}{suffix}"
            suffix += 1
        indicator = DraftIndicator(name, weak=weak)
        self.indicators[name] = indicator
        return self._record(indicator, key, number, sentence, fields)

    def _similar(self, name: str) -> list[DraftIndicator]:
        """The indicator of this name, and a table's indicators the text names in other words (刑事发案数)."""
        found = [self.indicators[name]] if name in self.indicators else []
        near: set[str] = set()
        for i in range(len(name) - 1):
            near |= self.table_pairs.get(name[i : i + 2], set())
        for other in sorted(near - {name}):
            indicator = self.indicators[other]
            if similarity(core(_FigureName(indicator.name, indicator.unit)), name) >= 0.95:  # type: ignore[arg-type]
                found.append(indicator)
        return found

    def _record(
        self, indicator: DraftIndicator, key: str, number: Decimal, sentence: str, fields: dict[str, Any]
    ) -> DraftIndicator:
        setattr(indicator, key, number)
        for k, v in fields.items():
            if (v and not getattr(indicator, k)) or (k == "kind" and v == "rate"):
                setattr(indicator, k, v)
        if sentence not in indicator.sources:
            indicator.sources.append(sentence)
        return indicator

    # -- reading one text ---------------------------------------------------------------------------------------

    def read(self, slot: int, text: str) -> None:
        """Find the figures of a text (kept in ``slot``) and plan their expressions."""
        plans: list[_Plan] = []
        by_sentence: dict[tuple[int, int], list[tuple[Statement, list[DraftIndicator]]]] = {}
        for statement in statements(text, self.short_name):
            sentence = _source(text, statement)
            if statement.kind == "change":
                plan = self._change(statement, text, sentence, by_sentence.get(statement.sentence, []))
            elif statement.kind == "count":
                plan = self._count(statement, text, sentence)
            elif statement.kind == "value":
                plan = self._value(statement, text, sentence)
            else:
                plan = None
            if plan is not None:
                plans.append(plan[0])
                by_sentence.setdefault(statement.sentence, []).append((statement, plan[1]))
        self.plans[slot] = plans

    def _change(
        self, statement: Statement, text: str, sentence: str, earlier: list[tuple[Statement, list[DraftIndicator]]]
    ) -> tuple[_Plan, list[DraftIndicator]] | None:
        amounts = statement.amounts
        if any(a.approx or a.negative or a.unit not in {"%", "个百分点"} for a in amounts):
            return None  # 约10%, 增长-5%, 增长1倍: left as written
        names = statement.names
        if statement.same and len(amounts) == 1:
            pairs = [(n, amounts[0], statement.directions[0]) for n in names]
        elif len(names) == len(amounts):
            pairs = list(zip(names, amounts, statement.directions, strict=True))
        else:
            return None
        inherited = statement.inherited and earlier and earlier[-1][1] and len(pairs) == 1
        chosen = []
        for name, amount, direction in pairs:
            signed = -amount.number if direction == "down" else amount.number
            kind = "rate" if amount.unit == "个百分点" else "count"
            if inherited:  # 化解各类社会矛盾697起，同比增长20%: the change of the count just before
                indicator = earlier[-1][1][0]
                if indicator.change is not None and indicator.change != signed:
                    return None
                indicator = self._record(indicator, "change", Decimal(str(signed)), sentence, {"kind": kind})
            else:
                indicator = self._claim(name, "change", signed, sentence, kind=kind)
            if indicator is None:
                return None
            chosen.append(indicator)
        if len({i.name for i in chosen}) != len(chosen):
            return None
        verbs = statement.verbs
        extra = _verb_arguments(verbs[0], statement.directions[0], chosen[0].kind)
        refs = ", ".join(_ref(i.name) for i in chosen)
        connector = statement.connector
        verb_start = statement.change_start + len(connector)
        if len(chosen) == 1:
            if connector == "同比":
                expression = f"{{{{ {_ref(chosen[0].name)}.同比 }}}}" if not extra else f"{{{{ 同比({refs}{extra}) }}}}"
                return _Plan(statement.change_start, statement.end, expression), chosen
            return _Plan(verb_start, statement.end, f"{{{{ 变化({refs}{extra}) }}}}"), chosen
        subject = text[statement.subject_start : statement.change_start]
        if connector in _PLAIN_CONNECTORS and not re.search(r"[{}\"\\\n]", subject):
            function = "同比" if "同比" in connector else "变化"
            each = ", 分别=true" if "分别" in connector else ""
            expression = f'{{{{ {function}({refs}, 主语="{subject}"{each}{extra}) }}}}'
            return _Plan(statement.subject_start, statement.end, expression), chosen
        return _Plan(verb_start, statement.end, f"{{{{ 变化({refs}{extra}) }}}}"), chosen

    def _count(self, statement: Statement, text: str, sentence: str) -> tuple[_Plan, list[DraftIndicator]] | None:
        amount = statement.amounts[0]
        if amount.approx or amount.negative or statement.previous_year or not statement.names:
            return None
        if amount.unit in _DURATIONS and "连续" not in statement.before:
            return None  # 38年“黑户”, 30分钟: durations, not figures of the year's work
        unit = {10_000: "万", 100_000_000: "亿"}.get(amount.scale, "") + amount.unit
        weak = len(clean_name(statement.before)) < 2
        indicator = self._claim(statement.names[0], "value", amount.number, sentence, weak=weak, unit=unit)
        if indicator is None or indicator.unit != unit:
            return None
        return _Plan(amount.start, amount.end, f"{{{{ {_ref(indicator.name)} }}}}"), [indicator]

    def _value(self, statement: Statement, text: str, sentence: str) -> tuple[_Plan, list[DraftIndicator]] | None:
        amount = statement.amounts[0]
        if amount.unit != "%" or amount.negative or amount.approx not in {"", *APPROX_AFTER}:
            return None
        if not statement.names or not all(n.endswith(RATE_ENDINGS) for n in statement.names):
            return None  # 达到35%: no indicator would be named well
        chosen = []
        for name in statement.names:
            indicator = self._claim(name, "value", amount.number, sentence, kind="rate")
            if indicator is None or indicator.kind != "rate":
                return None
            chosen.append(indicator)
        end = amount.number_end + 1  # the number and its %, not 以上
        refs = [_ref(i.name) for i in chosen]
        if len(refs) == 1:
            expression = f"{{{{ {refs[0]} }}}}"
        else:
            same = " and ".join(f"{refs[0]}.value == {r}.value" for r in refs[1:])
            listing = "、".join(f"{{{{ {r} }}}}" for r in refs)
            expression = f"{{% if {same} %}}{{{{ {refs[0]} }}}}{{% else %}}{listing}{{% endif %}}"
        return _Plan(amount.number_start, end, expression), chosen

    # -- writing the texts back ---------------------------------------------------------------------------------

    def indicator_data(self) -> list[dict[str, Any]]:
        return [i.data() for i in self.indicators.values()]

    def rewrite(self, slot: int, text: str, expander: TextExpander) -> str:
        """The text with every planned expression that evaluates to exactly the words it replaces."""
        plans: list[_Plan] = []
        position = 0
        for plan in sorted(self.plans.get(slot, []), key=lambda p: p.start):
            if plan.start >= position:
                plans.append(plan)
                position = plan.end
        written = _evaluated(plans, expander)
        pieces: list[str] = []
        position = 0
        kept = 0
        for plan, result in zip(plans, written, strict=True):
            if result != text[plan.start : plan.end]:
                continue
            pieces += [escape(text[position : plan.start]), plan.expression]
            position = plan.end
            kept += 1
        pieces.append(escape(text[position:]))
        rewritten = "".join(pieces)
        if len(rewritten) > MAX_TEXT:  # the expressions would make the paragraph too long to store: keep it as written
            return escape(text)
        try:
            if expander.expand(rewritten) != text:
                return escape(text)
        except ExpressionProblem:
            return escape(text)
        self.replaced += kept
        return rewritten


_SEPARATOR = "\x1f"  # a character no expression writes: the results of several evaluated in one render


def _evaluated(plans: list[_Plan], expander: TextExpander) -> list[str | None]:
    """What each plan's expression writes (None for one that fails): all in one render, one by one if any fails."""
    if not plans:
        return []
    try:
        together = expander.expand(_SEPARATOR.join(p.expression for p in plans)).split(_SEPARATOR)
        if len(together) == len(plans):
            return list(together)
    except ExpressionProblem:
        pass
    results: list[str | None] = []
    for plan in plans:
        try:
            results.append(expander.expand(plan.expression))
        except ExpressionProblem:
            results.append(None)
    return results


@dataclass(frozen=True)
class _FigureName:
    name: str
    unit: str


def _source(text: str, statement: Statement) -> str:
    """The sentence a figure was read from; of a long sentence, the clauses around the figure."""
    start, end = statement.sentence
    if end - start <= 80:
        return text[start:end]
    begin = min(statement.clause[0], statement.subject_start)
    finish = max(statement.clause[1], statement.end)
    while finish - begin < 40 and finish < end:  # a short clause: add the next, for context
        following = text.find("，", finish + 1, end)
        finish = following + 1 if following >= 0 else end
    return ("……" if begin > start else "") + text[begin:finish].rstrip("，；") + ("……" if finish < end else "")


def _ref(name: str) -> str:
    return name if name.isidentifier() and name not in NAMES else f'指标["{name}"]'


def _verb_arguments(verb: str, direction: str, kind: str) -> str:
    default = "下降" if direction == "down" else "提高" if kind == "rate" else "增长"
    if verb == default:
        return ""
    return f', 降="{verb}"' if direction == "down" else f', 升="{verb}"'


def escape(text: str) -> str:
    """Literal text in a field that is a template: {{, {% and {# written by the author stay as written."""
    return re.sub(r"\{[{%#]", lambda m: '{{ "' + m.group(0) + '" }}', text) if "{" in text else text


def expander_for(data: dict[str, Any]) -> TextExpander:
    """An expander over the draft's indicators, to check each expression before it is kept."""
    report, problems = validate_report(data)
    if report is None:
        raise ValueError("; ".join(str(p) for p in problems))
    return TextExpander(report, figures_of(report))


def check(data: dict[str, Any]) -> tuple[Report | None, list[Any]]:
    return validate_report(data)
