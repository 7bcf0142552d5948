"""Problems found in a user's data or template, and the one error that carries them.

Every stage reports what is wrong as a list of Problems, each naming where it is; the CLI prints them all at
once. A stage that works on the validated model knows only a data path (``indicators[3].change``); the place in
the file (``2019.yaml:45``, ``「指标」D7``) is filled in from the reader's index of places.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

DataPath = tuple[str | int, ...]


def format_path(path: DataPath) -> str:
    """``("indicators", 3, "value")`` -> ``indicators[3].value``: how a YAML user finds the field."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Place:
    """Where something is: a file, and a line in it or a cell of a sheet."""

    file: str
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            where = f"「{self.sheet}」{self.cell}" if self.cell else f"「{self.sheet}」"
            return f"{self.file} {where}"
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong: what was expected and what was found, in Chinese, and where."""

    message: str
    path: DataPath | None = None
    place: Place | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        where = []
        if self.place is not None:
            where.append(str(self.place))
        # A YAML user finds a field by its key path; a workbook user by the cell, which says it all.
        if self.path and (self.place is None or self.place.sheet is None):
            where.append(f"（{format_path(self.path)}）" if self.place else format_path(self.path))
        prefix = "".join(where)
        return f"{prefix}：{self.message}" if prefix else self.message

    def at(self, place: Place | None) -> Problem:
        return replace(self, place=place)


class ReportError(Exception):
    """Bad data, template or output path: the user can fix it. Carries every problem found, and the notes the
    reader made on the way (a sheet or column ignored), which often explain the problems: printed before them."""

    def __init__(self, problems: Problem | Sequence[Problem], *, kind: str = "data", notes: Sequence[str] = ()) -> None:
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        self.kind = kind  # "data", "template" or "output": only changes the heading the CLI prints
        self.notes: list[str] = list(notes)
        super().__init__("\n".join(str(p) for p in self.problems))

    def noted(self, notes: Sequence[str]) -> ReportError:
        """This error with ``notes`` before its own (each once)."""
        self.notes = list(dict.fromkeys([*notes, *self.notes]))
        return self


def raise_if(problems: Iterable[Problem], *, kind: str = "data", notes: Sequence[str] = ()) -> None:
    found = list(problems)
    if found:
        raise ReportError(found, kind=kind, notes=notes)
