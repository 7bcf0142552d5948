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

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from generator.figures.figure import Figure

MATCH = 0.6  # a name this similar to the words near a figure is what the figure is about
WIDE_MATCH = 0.8  # the bar for a whole clause or sentence
ASSIST = 0.35  # enough when the figure also equals the indicator's value: the text then agrees with it


def core(figure: Figure) -> str:
    """The part of an indicator's name a text repeats: 社区警务车代办服务人次 -> 社区警务车代办服务,
    刑事发案数 -> 刑事发案."""
    name = figure.name
    for ending in (figure.unit, "数量", "数", "量"):
        if ending and len(ending) < len(name) - 1 and name.endswith(ending):
            name = name[: -len(ending)]
    return name


def similarity(name: str, window: str) -> float:
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


def best(
    windows: Sequence[str],
    candidates: Sequence[Figure],
    agrees: dict[str, bool] | None = None,
    exclude: set[str] = frozenset(),
) -> Match | None:
    """The indicator the nearest window names; ``agrees`` says which candidates the figure agrees with (a weaker
    name then suffices, and among equals the one that agrees wins)."""
    agrees = agrees or {}
    pool = [f for f in candidates if f.name not in exclude]
    if not pool:
        return None
    for tier, window in enumerate(windows):
        if not window:
            continue
        bar = MATCH if tier < 2 else WIDE_MATCH
        scored = sorted(
            ((similarity(core(f), window) + (0.05 if agrees.get(f.name) else 0.0), f) for f in pool),
            key=lambda pair: -pair[0],
        )
        top, figure = scored[0]
        if top >= bar:
            return Match(figure, top)
    for window in windows:
        for figure in pool:
            if agrees.get(figure.name) and window and similarity(core(figure), window) >= ASSIST:
                return Match(figure, ASSIST, assisted=True)
    return None


def assign(
    windows_per_name: Sequence[Sequence[str]], candidates: Sequence[Figure], agrees: Sequence[dict[str, bool]]
) -> list[Match | None]:
    """Parallel names of one statement to distinct indicators, the surest pairs first."""
    result: list[Match | None] = [None] * len(windows_per_name)
    taken: set[str] = set()
    pending = list(range(len(windows_per_name)))
    while pending:
        options = [(best(windows_per_name[i], candidates, agrees[i], taken), i) for i in pending]
        found = [(m, i) for m, i in options if m is not None]
        if not found:
            break
        match, i = max(found, key=lambda pair: (not pair[0].assisted, pair[0].score))
        result[i] = match
        taken.add(match.figure.name)
        pending.remove(i)
    return result
