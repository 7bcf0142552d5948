"""Changes in words, as the seed articles write them.

One figure: 同比下降25.8% / 同比增长20% / 与上年持平 / 与上年基本持平 / 同比新增5起.
Parallel figures in one clause: 刑事、治安发案同比下降25.8%、23.9%; 有效警情数、刑事发案数分别同比下降10.9%、13.0%;
试点企业警情、发案均同比下降70%. When directions differ the clause is split, one per indicator:
刑事发案数同比下降25.8%，治安发案数同比增长3.1%.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.figures.changes import Change
from generator.figures.figure import Figure
from generator.figures.numerals import written_number

NO_DATA = "—"


class PhrasingError(ValueError):
    """A phrase cannot be made from the data (no change known); the message is for the user."""

    def __init__(self, message: str, indicator: str | None = None) -> None:
        super().__init__(message)
        self.indicator = indicator


def _change(figure: Figure) -> Change:
    if figure.change is None:
        raise PhrasingError(f"指标“{figure.name}”没有同比数据：请填写上年数值，或直接填写同比变化", figure.name)
    return figure.change


def _up_word(figure: Figure, up: str | None) -> str:
    return up or ("提高" if figure.kind == "rate" else "增长")


def _bare(figure: Figure, up: str | None, down: str | None) -> str:
    """The change without subject or 同比: 下降25.8% / 增长20% / 持平 / 基本持平 / 新增5起."""
    change = _change(figure)
    direction = change.direction
    if direction == "down":
        return (down or "下降") + change.magnitude
    if direction == "up":
        return _up_word(figure, up) + change.magnitude
    if direction == "flat":
        return "持平"
    if direction == "about-flat":
        return "基本持平"
    value = written_number(figure.value) if figure.value is not None else ""
    return f"新增{value}{figure.unit}"


def change_phrase(figure: Figure, prefix: str = "同比", up: str | None = None, down: str | None = None) -> str:
    """One figure: 同比下降25.8%; 与上年持平 when unchanged (持平 without a prefix)."""
    bare = _bare(figure, up, down)
    if bare in {"持平", "基本持平"}:
        return ("与上年" if prefix else "") + bare
    return prefix + bare


def parallel_phrase(
    figures: Sequence[Figure],
    prefix: str = "同比",
    subject: str = "",
    each: bool = False,
    up: str | None = None,
    down: str | None = None,
) -> str:
    """Several figures in one clause, or split into one clause each when their directions differ.

    ``subject`` (主语) is put in front of a shared clause; a split clause names each indicator instead.
    ``each`` writes 分别 (有效警情数、刑事发案数分别同比下降10.9%、13.0%)."""
    if not figures:
        raise PhrasingError("至少要给出一个指标")
    if len(figures) == 1:
        return subject + change_phrase(figures[0], prefix, up, down)
    changes = [_change(f) for f in figures]
    directions = {c.direction for c in changes}
    if len(directions) == 1 and directions <= {"down", "up", "flat", "about-flat"}:
        direction = directions.pop()
        if direction in {"flat", "about-flat"}:
            return subject + "均" + change_phrase(figures[0], prefix, up, down)
        verb = (down or "下降") if direction == "down" else _up_word(figures[0], up)
        magnitudes = [c.magnitude for c in changes]
        if len(set(magnitudes)) == 1:
            return f"{subject}均{prefix}{verb}{magnitudes[0]}"
        return f"{subject}{'分别' if each else ''}{prefix}{verb}{'、'.join(magnitudes)}"
    if subject:
        return "，".join(f.name + change_phrase(f, prefix, up, down) for f in figures)
    return prefix + "分别" + "、".join(_bare(f, up, down) for f in figures)


def table_change(figure: Figure) -> str:
    """The 同比 column of the summary table: 下降25.8% / 增长20% / 提高1.2个百分点 / 持平 / 新增 / —."""
    if figure.change is None:
        return NO_DATA
    if figure.change.direction == "new":
        return "新增"
    return _bare(figure, None, None)
