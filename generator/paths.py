"""Paths as people write them: a photo path typed on Windows (``photos\\2022\\会议.jpg``, any letter case) found on
every system, and the nearest existing name when a path is mistyped (``2023.xslx`` -> ``2023.xlsx``)."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path


def parts_of(written: str) -> list[str]:
    """The components of a path as written, with ``\\`` and ``/`` both separators (Windows users write ``\\``)."""
    return [part for part in written.replace("\\", "/").split("/") if part not in ("", ".")]


def data_relative(base: Path, written: str) -> Path:
    """``written`` (relative to the data file's folder ``base``, or absolute) as a path on this system. Windows
    separators are understood everywhere; where a component does not exist as typed, a single entry of its folder
    that differs only in letter case is taken, as Windows and macOS would."""
    normal = written.replace("\\", "/")
    if Path(normal).is_absolute():
        return Path(normal)
    path = base / normal
    if os.sep == "\\" or _exists(path):
        return path
    found = base
    for part in parts_of(normal):
        candidate = found / part
        if part != ".." and not _exists(candidate):
            matches = [name for name in _entries(found) if name.casefold() == part.casefold()]
            if len(matches) == 1:
                candidate = found / matches[0]
        found = candidate
    return found


def nearest(path: Path, suffixes: Iterable[str] = (), written: str | None = None) -> list[str]:
    """What the user probably meant by ``path``, which does not exist: for each component from the first one
    missing, the closest name in its folder (``photo/2022/会义.jpg`` -> ``photos/2022/会议.jpg``). With
    ``suffixes``, the last component must have one of them, and a name given without one (``2023``) finds
    ``2023.xlsx`` and ``2023.yaml``. The answers are written as the user wrote ``path`` (or ``written``):
    the same folder part, the same separators."""
    wanted = tuple(s.lower() for s in suffixes)
    text = written if written is not None else str(path)
    parts = parts_of(text)
    if not parts:
        return []
    head = path
    for _ in parts:
        head = head.parent
    # walk down from the last folder that exists, replacing what is missing with its nearest neighbour
    options: list[tuple[Path, list[str]]] = [(head, [])]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following: list[tuple[Path, list[str]]] = []
        for folder, chosen in options:
            here = folder / part
            if _exists(here) and (not last or not wanted or here.suffix.lower() in wanted):
                following.append((here, [*chosen, part]))
                continue
            for name in _close(part, folder, wanted if last else ()):
                following.append((folder / name, [*chosen, name]))
        options = following[:3]
        if not options:
            return []
    separator = "\\" if "\\" in text and "/" not in text else "/"
    prefix = text[: len(text) - len(separator.join(parts))] if text.endswith(separator.join(parts)) else ""
    answers = []
    for found, chosen in options:
        if _exists(found) and chosen != parts:
            answers.append(prefix + separator.join(chosen))
    return answers


def _close(name: str, folder: Path, suffixes: tuple[str, ...]) -> list[str]:
    entries = [e for e in _entries(folder) if not e.startswith((".", "~$"))]
    if suffixes:
        entries = [e for e in entries if Path(e).suffix.lower() in suffixes]
        stems = {name.casefold(), Path(name).stem.casefold()}
        same_stem = [e for e in entries if Path(e).stem.casefold() in stems]
        if same_stem:  # 2023 or 2023.xslx: the data files of that name, the most alike first
            alike = difflib.SequenceMatcher(None, "", name.casefold())

            def rank(entry: str) -> tuple[float, int]:
                alike.set_seq1(entry.casefold())
                return -alike.ratio(), suffixes.index(Path(entry).suffix.lower())

            # a suffix mistyped (2023.xslx): the likeliest file; no suffix at all (2023): each of them
            return sorted(same_stem, key=rank)[: 1 if Path(name).suffix else 2]
    folded = {e.casefold(): e for e in entries}
    cutoff = 0.5 if len(name) <= 4 else 0.6  # a short name (数剧 for 数据) differs a lot by one character
    close = difflib.get_close_matches(name.casefold(), list(folded), n=2, cutoff=cutoff)
    return [folded[c] for c in close]


def _entries(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _exists(path: Path) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def did_you_mean(options: list[str]) -> str:
    """``；是否想用“2023.xlsx”？`` to append to a message, or nothing."""
    if not options:
        return ""
    return "；是否想用" + "或".join(f"“{option}”" for option in options) + "？"
