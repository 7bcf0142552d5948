"""Which indicator a figure in the text is about, from the words that name it.

Reports never write an indicator's name exactly: 刑事发案数 is "刑事发案" in 刑事、治安发案同比下降……,
拘留所化解社会矛盾 is "化解各类社会矛盾" two clauses after "市拘留所", 信用修复企业数 is
"为40家企业修复信用". A name matches a window of text by the runs of two or more characters they share in
order, by the pairs of characters they share in any order, and, in a short window, by the characters they share;
the best of the three, 0 to 1. Words near the figure are tried first, wider windows (the clause, the sentence)
only when no indicator is named near it, and then only with a stricter bar, so a figure is never put on an
indicator a sentence merely mentions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from generator.figures.figure import Figure

MATCH = 0.6  # a name this similar to the words near a figure is what the figure is about
WIDE_MATCH = 0.8  # the bar for a whole clause or sentence
ASSIST = 0.35  # enough when the figure also equals the indicator's value: the text then agrees with it
NEAR = 200  # at most this many indicators are compared with one window


def core(figure: Figure) -> str:
    """The part of an indicator's name a text repeats: 社区警务车代办服务人次 -> 社区警务车代办服务,
    刑事发案数 -> 刑事发案."""
    name = figure.name
    for ending in (figure.unit, "数量", "数", "量"):
        if ending and len(ending) < len(name) - 1 and name.endswith(ending):
            name = name[: -len(ending)]
    return name


_DIGITS = str.maketrans("", "", "0123456789.,")


def similarity(name: str, window: str) -> float:
    """0 to 1 (a little more for a window that is mostly the name). Digits are left out of both: 指标12 is not
    named by 第12项."""
    name, window = name.translate(_DIGITS), window.translate(_DIGITS)
    if not name or not window:
        return 0.0
    if len(name) < 2:
        return 1.0 if name == window else 0.0
    blocks = SequenceMatcher(None, name, window, autojunk=False).get_matching_blocks()
    runs = sum(b.size for b in blocks if b.size >= 2) / len(name)
    pairs = {name[i : i + 2] for i in range(len(name) - 1)}
    shared_pairs = sum(1 for p in pairs if p in window) / len(pairs)
    score = max(runs, 0.9 * shared_pairs)
    if len(window) <= 2 * len(name) + 4:
        score = max(score, 0.7 * sum(1 for c in name if c in window) / len(name))
        # a window that is mostly this name, rather than a longer name containing it: 破案率 is 破案率, not 破案数
        covered = sum(b.size for b in blocks) / len(window)
        score += 0.1 * covered
    return min(score, 1.1)


@dataclass(frozen=True)
class Match:
    figure: Figure
    score: float
    assisted: bool = False  # matched only because the value agrees


Allowed = Callable[[Figure], bool]
Agrees = Callable[[Figure], bool]


def _pairs(text: str) -> set[str]:
    plain = text.translate(_DIGITS)
    return {plain[i : i + 2] for i in range(len(plain) - 1)} if len(plain) > 1 else {plain} if plain else set()


class NameIndex:
    """The indicators by the pairs of characters of their names: a window is only compared with the indicators
    it shares a pair with, so a report with thousands of indicators is matched as fast as one with twenty."""

    def __init__(self, figures: Iterable[Figure]) -> None:
        self.order: dict[str, int] = {}
        self.figures: dict[str, Figure] = {}
        self.cores: dict[str, str] = {}
        self.by_pair: dict[str, set[str]] = defaultdict(set)
        for figure in figures:
            self.order[figure.name] = len(self.order)
            self.figures[figure.name] = figure
            name = self.cores[figure.name] = core(figure)
            for pair in _pairs(name):
                self.by_pair[pair].add(figure.name)

    def near(self, window: str) -> list[Figure]:
        """The indicators sharing a pair of characters with ``window``; of very many (thousands named 指标1,
        指标2 …), those sharing the most pairs, so that no window costs more than NEAR comparisons."""
        hits: Counter[str] = Counter()
        for pair in _pairs(window):
            hits.update(self.by_pair.get(pair, ()))
        if len(hits) > NEAR:
            chosen = [name for name, _ in sorted(hits.items(), key=lambda h: (-h[1], self.order[h[0]]))[:NEAR]]
        else:
            chosen = list(hits)
        return [self.figures[n] for n in sorted(chosen, key=self.order.__getitem__)]

    def best(
        self,
        windows: Sequence[str],
        allowed: Allowed,
        agrees: Agrees,
        exclude: set[str] = frozenset(),
        named: set[str] = frozenset(),
    ) -> Match | None:
        """The indicator the nearest window names; ``agrees`` says whether the figure agrees with a candidate (a
        weaker name then suffices, and among equals the one that agrees wins). ``named``: indicators other figures
        of the sentence are about, which a wide window (clause, sentence) does not name again."""
        for tier, window in enumerate(windows):
            if not window:
                continue
            bar = MATCH if tier < 2 else WIDE_MATCH
            top: tuple[float, Figure] | None = None
            for figure in self.near(window):
                if figure.name in exclude or not allowed(figure) or (tier >= 2 and figure.name in named):
                    continue
                score = similarity(self.cores[figure.name], window) + (0.05 if agrees(figure) else 0.0)
                if top is None or score > top[0]:
                    top = (score, figure)
            if top is not None and top[0] >= bar:
                return Match(top[1], top[0])
        for window in windows:
            for figure in self.near(window) if window else []:
                if figure.name in exclude | named or not allowed(figure) or not agrees(figure):
                    continue
                if similarity(self.cores[figure.name], window) >= ASSIST:
                    return Match(figure, ASSIST, assisted=True)
        return None

    def assign(
        self,
        windows_per_name: Sequence[Sequence[str]],
        allowed: Allowed,
        agrees: Sequence[Agrees],
        named: set[str] = frozenset(),
    ) -> list[Match | None]:
        """Parallel names of one statement to distinct indicators, the surest pairs first."""
        result: list[Match | None] = [None] * len(windows_per_name)
        taken: set[str] = set()
        pending = list(range(len(windows_per_name)))
        while pending:
            options = [(self.best(windows_per_name[i], allowed, agrees[i], taken, named), i) for i in pending]
            found = [(m, i) for m, i in options if m is not None]
            if not found:
                break
            match, i = max(found, key=lambda pair: (not pair[0].assisted, pair[0].score))
            result[i] = match
            taken.add(match.figure.name)
            pending.remove(i)
        return result
