"""The raw structure every reader yields: plain dicts, lists, strings and None, plus where each value came from.

Readers never convert types: a number is still the text the user typed ("13.0", "1,234"), so the model decides
what it means and ``13.0`` keeps its precision. YAML and workbook readers produce the same shape, so one
validator serves both.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import DataPath, Place, Problem


@dataclass
class RawDocument:
    data: Any
    source: Path
    # A place, or for workbooks (sheet, row, column) made into a Place only when a message needs it: a workbook of
    # 10,000 rows has 70,000 cells, and nearly all of them are never named.
    places: dict[DataPath, Place | tuple[str, int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while reading, reported with validation
    warnings: list[str] = field(default_factory=list)
    # Where the places come from when the reader did not record them while reading (a YAML file read the fast
    # way): worked out the first time a message needs one, never for a file without problems.
    find_places: Callable[[], dict[DataPath, Place | tuple[str, int, int]]] | None = None

    def place_of(self, path: DataPath | None) -> Place:
        """The place of ``path``, or of its nearest ancestor that has one (a missing key is on its parent)."""
        if self.find_places is not None:
            self.places, self.find_places = self.find_places(), None
        if path is not None:
            for end in range(len(path), -1, -1):
                place = self.places.get(tuple(path[:end]))
                if isinstance(place, tuple):
                    sheet, row, column = place
                    return Place(self.display_name, sheet=sheet, cell=f"{column_letter(column)}{row}")
                if place is not None:
                    return place
        return Place(self.display_name)

    def locate(self, problems: list[Problem]) -> list[Problem]:
        return [p if p.place is not None else p.at(self.place_of(p.path)) for p in problems]

    @property
    def display_name(self) -> str:
        return display_name(self.source)


def display_name(path: Path) -> str:
    """A path as the user gave it: ``../数据/2023.yaml`` stays so and an absolute path stays absolute, only tidied
    (``./2023.yaml`` -> ``2023.yaml``). Links are never followed: ``-o 报告.docx`` that is a link is 报告.docx."""
    return os.path.normpath(path)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
