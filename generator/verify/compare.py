"""Each figure of the report against the year's data, with the phrasing and half-up rounding ``build`` uses.

A change agrees when its direction, unit (% or 个百分点) and magnitude are what build would write for the indicator
(13% agrees with a stated 13.0); a count when its number is the indicator's value (9759.5万元 is 97,595,000元, and
4万余份 agrees with anything from 40,001 to 49,999); a rate's value when it is the value. A figure no indicator is
named near is not compared: it is listed as unexplained. For a disagreement the sentence is rewritten with what
build would write there, keeping the writer's own verbs (提升, 减少) where the direction is right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from generator.figures.figure import Figure
from generator.figures.numerals import approximate, chinese_numeral, in_wan, written_number
from generator.figures.phrasing import change_phrase, parallel_phrase
from generator.reading.amounts import APPROX_AFTER, Amount
from generator.reading.docx_text import Passage
from generator.reading.statements import Statement, clean_name, statements
from generator.reading.text import INVISIBLE, excerpt
from generator.verify.findings import Finding
from generator.verify.matching import Agrees, Allowed, Match, NameIndex

WAN, YI = 10_000, 100_000_000
WINDOW = 160  # characters of a clause or sentence around a figure that may name it: a name is never longer
_PLAIN_CONNECTORS = {"", "同比", "分别同比", "均同比", "同比分别", "同比均", "分别", "均"}


@dataclass
class Pair:
    name: str
    amount: Amount | None  # None for 持平
    direction: str
    verb: str


class Checker:
    def __init__(self, figures: dict[str, Figure], short_name: str, year: int) -> None:
        self.figures = list(figures.values())
        self.by_name = figures
        self.short_name = short_name
        self.year = year
        self.index = NameIndex(self.figures)

    # -- paragraphs ---------------------------------------------------------------------------------------------

    def passage(self, passage: Passage, context: str = "") -> list[Finding]:
        """The figures of one paragraph (or of a table cell, with its row and column words as ``context``)."""
        text = passage.plain
        found: list[Finding] = []
        named: dict[tuple[int, int], set[str]] = {}  # indicators each sentence has already named
        for statement in statements(text, self.short_name):
            taken = named.setdefault(statement.sentence, set())
            if statement.kind in {"change", "flat"}:
                findings = self._change(statement, passage, context, taken)
            else:
                findings = self._amount(statement, passage, context, taken)
            for finding in findings:
                taken.update(finding.indicators)
            found += findings
        return found

    def _where(self, passage: Passage, position: int) -> str:
        if passage.where.story == "表格":
            return str(passage.where)
        return f"{passage.where_at(position)}“{excerpt(passage.plain, position)}”"

    def _found(self, passage: Passage, statement: Statement) -> str:
        """The statement as the document writes it (a count with no words before it, with the words after)."""
        end = statement.end
        if statement.kind == "count" and not clean_name(statement.before) and statement.after:
            end += len(statement.after)
        shown = passage.text.source(statement.start, end) or passage.plain[statement.start : end]
        return "".join(c for c in shown if c not in INVISIBLE)

    def _pairs(self, statement: Statement) -> list[Pair]:
        names = statement.names or [""]
        if statement.kind == "flat":
            return [Pair(n, None, "flat", "持平") for n in names]
        items = list(zip(statement.amounts, statement.directions, statement.verbs, strict=True))
        if statement.same and len(items) == 1:
            return [Pair(n, items[0][0], items[0][1], items[0][2]) for n in names]
        return [
            Pair(names[i] if i < len(names) else "", amount, direction, verb)
            for i, (amount, direction, verb) in enumerate(items)
        ]

    def _change(self, statement: Statement, passage: Passage, context: str, taken: set[str]) -> list[Finding]:
        text = passage.plain
        pairs = self._pairs(statement)
        clause = text[max(statement.clause[0], statement.change_start - WINDOW) : statement.change_start]
        # the whole sentence names a figure only when its own clause names nothing (同比增长20% after 697起)
        own = statement.subject and not statement.inherited
        sentence = (
            "" if own else text[max(statement.sentence[0], statement.change_start - WINDOW) : statement.change_start]
        )
        windows = []
        for pair in pairs:
            if len(pairs) > 1:
                windows.append([pair.name, "", context, ""])
            else:
                windows.append([pair.name, statement.subject + context, clause + context, sentence])
        agrees = [_agrees_change_of(pair) for pair in pairs]

        def allowed(figure: Figure) -> bool:
            return figure.change is not None

        matches = self.index.assign(windows, allowed, agrees, set() if statement.inherited else taken)
        return self._outcome(statement, passage, pairs, matches, agrees)

    def _outcome(
        self,
        statement: Statement,
        passage: Passage,
        pairs: list[Pair],
        matches: list[Match | None],
        agrees: Sequence[Agrees],
    ) -> list[Finding]:
        # the place of the figure that disagrees (of a sentence broken over paragraphs, the part that holds it)
        wrong = [p.amount for i, (p, m) in enumerate(zip(pairs, matches, strict=True)) if m and not agrees[i](m.figure)]
        figure_at = next((a.start for a in wrong if a is not None), None)
        if figure_at is None:
            figure_at = statement.amounts[0].start if statement.amounts else statement.start
        where = self._where(passage, figure_at)
        found_text = self._found(passage, statement)
        matched = [(p, m.figure) for p, m in zip(pairs, matches, strict=True) if m is not None]
        findings = []
        if any(not agrees[i](m.figure) for i, m in enumerate(matches) if m is not None):
            expected = "；".join(_says(figure) for _, figure in matched)
            findings.append(
                Finding(
                    "disagrees",
                    where,
                    found_text,
                    expected,
                    self._rewrite(statement, passage, pairs, matches),
                    tuple(f.name for _, f in matched),
                )
            )
        elif matched:
            findings.append(Finding("agrees", where, found_text, "", "", tuple(f.name for _, f in matched)))
        loose = [p for p, m in zip(pairs, matches, strict=True) if m is None]
        if loose:
            findings.append(Finding("unexplained", where, found_text))
        return findings

    def _rewrite(self, statement: Statement, passage: Passage, pairs: list[Pair], matches: list[Match | None]) -> str:
        """The sentence with what build would write for the matched indicators."""
        text = passage.plain
        if statement.kind in {"value", "count"}:
            return self._sentence(text, statement, self._replacements_amount(statement, matches))
        if all(m is not None for m in matches):
            figures = [m.figure for m in matches if m is not None]
            up = next((p.verb for p in pairs if p.direction == "up"), None)
            down = next((p.verb for p in pairs if p.direction == "down"), None)
            kinds = {f.kind for f in figures}
            up = up if up and not (up in {"增长", "增加"} and kinds == {"rate"}) else None
            connector = statement.connector if statement.kind == "change" else ""
            verb_start = statement.change_start + len(connector)
            if connector in _PLAIN_CONNECTORS or statement.kind == "flat":
                prefix = "同比" if "同比" in connector or statement.kind == "flat" else ""
                phrase = (
                    change_phrase(figures[0], prefix, up, down)
                    if len(figures) == 1
                    else parallel_phrase(figures, prefix, each="分别" in connector, up=up, down=down)
                )
                return self._sentence(text, statement, [(statement.change_start, statement.end, phrase)])
            phrase = (
                change_phrase(figures[0], "", up, down)
                if len(figures) == 1
                else parallel_phrase(figures, "", up=up, down=down)
            )
            return self._sentence(text, statement, [(verb_start, statement.end, phrase)])
        # some names matched nothing: put the matched figures' magnitudes in place, leave the rest as written
        replacements = []
        for pair, match in zip(pairs, matches, strict=True):
            if match is None or pair.amount is None or match.figure.change is None:
                continue
            change = match.figure.change
            if change.amount is not None:
                replacements.append((pair.amount.start, pair.amount.end, change.magnitude))
        return self._sentence(text, statement, replacements)

    def _sentence(self, text: str, statement: Statement, replacements: list[tuple[int, int, str]]) -> str:
        start, end = statement.sentence
        if end - start > 100:  # a long sentence: the clause with the figure is enough to find and fix it
            start, end = statement.clause[0], max(statement.clause[1], statement.end)
        pieces = []
        position = start
        for a, b, new in sorted(replacements):
            if a < position:
                continue
            pieces += [text[position:a], new]
            position = b
        pieces.append(text[position:end])
        written = "".join(pieces)
        return ("…" if start > statement.sentence[0] else "") + written + ("…" if end < statement.sentence[1] else "")

    # -- counts and rates ---------------------------------------------------------------------------------------

    def _amount(self, statement: Statement, passage: Passage, context: str, taken: set[str]) -> list[Finding]:
        text = passage.plain
        amount = statement.amounts[0]
        allowed: Allowed
        if statement.kind == "value":

            def allowed(figure: Figure) -> bool:
                return rate_with_value(figure)

            names = statement.names or [""]
        else:

            def allowed(figure: Figure) -> bool:
                return _unit_fits(amount, figure) and _number_of(figure, statement) is not None

            names = statement.names[:1] or [""]
        clause = text[
            max(statement.clause[0], statement.start - WINDOW) : min(statement.clause[1], statement.end + WINDOW)
        ]
        sentence = text[max(statement.sentence[0], statement.end - WINDOW) : statement.end]
        nearby = statement.before + statement.after
        windows = [
            [name, nearby + context if len(names) == 1 else context, clause + context, sentence] for name in names
        ]

        def agree(figure: Figure) -> bool:
            return _amount_agrees(amount, figure, statement)

        matches = self.index.assign(windows, allowed, [agree] * len(names), taken)
        pairs = [Pair(name, amount, "flat", "") for name in names]
        return self._outcome(statement, passage, pairs, matches, [agree] * len(names))

    def _replacements_amount(self, statement: Statement, matches: list[Match | None]) -> list[tuple[int, int, str]]:
        match = next((m for m in matches if m is not None), None)
        if match is None:
            return []
        amount = statement.amounts[0]
        number = _number_of(match.figure, statement)
        if number is None:
            return []
        end = amount.number_end if amount.approx == "第" else amount.end
        return [(amount.number_start, end, _written_like(number, amount, match.figure))]


# ---------------------------------------------------------------------------------------------------------------


def rate_with_value(figure: Figure) -> bool:
    return (figure.kind == "rate" or figure.unit == "%") and figure.value is not None


def _agrees_change_of(pair: Pair) -> Agrees:
    return lambda figure: change_agrees(pair, figure)


def _says(figure: Figure) -> str:
    """What the data gives for an indicator, as build writes it."""
    parts = []
    if figure.value is not None:
        parts.append(f"{written_number(figure.value)}{figure.unit}")
    if figure.change is not None:
        parts.append(change_phrase(figure))
    return f"{figure.name} " + "，".join(parts)


def change_agrees(pair: Pair, figure: Figure) -> bool:
    change = figure.change
    if change is None:
        return False
    if pair.direction == "flat" or pair.amount is None:
        return change.direction in {"flat", "about-flat"}
    if change.direction not in {"down", "up"} or change.amount is None:
        return False
    direction = pair.direction
    if pair.amount.negative:  # 增长-5% means a fall: the convention check says so separately
        direction = "down" if direction == "up" else "up"
    if direction != change.direction:
        return False
    number, unit = pair.amount.number, pair.amount.unit
    if unit == "倍":
        number, unit = number * 100, "%"
    if unit != change.unit:
        return False
    return number == abs(change.amount)


def _unit_fits(amount: Amount, figure: Figure) -> bool:
    if figure.kind == "rate" or amount.percent:
        return False
    if amount.approx == "第":
        return figure.unit == amount.unit
    return figure.unit in {amount.unit, "万" + amount.unit, "亿" + amount.unit}


def _number_of(figure: Figure, statement: Statement) -> Decimal | None:
    return figure.previous if statement.previous_year else figure.value


def _in_units(figure: Figure, number: Decimal) -> Decimal:
    """The indicator's number in plain units: 9759.5 (万元) -> 97595000."""
    if figure.unit.startswith("万") and len(figure.unit) > 1:
        return number * WAN
    if figure.unit.startswith("亿") and len(figure.unit) > 1:
        return number * YI
    return number


def _amount_agrees(amount: Amount, figure: Figure, statement: Statement) -> bool:
    number = _number_of(figure, statement) if statement.kind == "count" else figure.value
    if number is None:
        return False
    data = _in_units(figure, number) if statement.kind == "count" else number
    text = amount.value
    if amount.approx in {"", "第"}:
        return data == text
    if amount.approx in {"余", "多"}:
        step = Decimal(10) ** _last_digit_place(amount.number) * amount.scale
        return text < data < text + step
    if amount.approx in {"以上", "超过", "逾", "超"}:
        return data >= text
    if amount.approx in {"以下", "以内", "近", "将近"}:
        return data <= text
    return abs(data - text) <= abs(text) / 10  # 约, 左右


def _last_digit_place(number: Decimal) -> int:
    """300 -> 2, 1500 -> 2, 4 -> 0, 2.5 -> -1: the place of the last digit that is not zero."""
    return int(number.normalize().as_tuple().exponent)


def _written_like(number: Decimal, amount: Amount, figure: Figure) -> str:
    """The indicator's number written the way the text wrote this figure (万, 余, 以上), unit included."""
    plain = _in_units(figure, number) if not amount.percent else number
    after = amount.approx if amount.approx in APPROX_AFTER else ""
    if amount.approx in {"余", "多"}:
        digits = len(amount.number.normalize().as_tuple().digits)
        return approximate(plain, max(1, digits), amount.approx) + amount.unit
    if amount.approx == "第":
        return chinese_numeral(int(plain))
    if amount.scale == WAN:
        return in_wan(plain) + amount.unit + after
    return written_number(number if amount.scale == 1 else plain) + amount.unit + after
