"""Readers: each turns one kind of input file into the same RawDocument (see raw.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.errors import Place, Problem, ReportError
from generator.sources.raw import RawDocument, display_name
from generator.sources.yaml_source import read_yaml

READERS: dict[str, Callable[[Path], RawDocument]] = {
    ".yaml": read_yaml,
    ".yml": read_yaml,
}

INPUT_SUFFIXES = tuple(READERS)


def read_source(path: Path) -> RawDocument:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReportError(
            Problem(
                f"不支持的输入文件类型“{path.suffix or '（无扩展名）'}”：应为 .yaml / .yml 数据文件",
                place=Place(display_name(path)),
                code="unsupported-input",
            )
        )
    return reader(path)


__all__ = ["INPUT_SUFFIXES", "RawDocument", "read_source"]
