"""Readers: each turns one kind of input file into the same RawDocument (see raw.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.errors import DataPath, Place, Problem, ReportError
from generator.paths import did_you_mean, nearest
from generator.sources.raw import RawDocument, display_name
from generator.sources.yaml_source import read_yaml


def read_workbook(path: Path) -> RawDocument:
    from generator.sources.xlsx_source import read_workbook as read  # only workbook users pay for it

    return read(path)


def refuse_old_format(path: Path) -> RawDocument:
    from generator.sources.xlsx_source import refuse_old_format as refuse

    return refuse(path)


READERS: dict[str, Callable[[Path], RawDocument]] = {
    ".yaml": read_yaml,
    ".yml": read_yaml,
    ".xlsx": read_workbook,
    ".xlsm": read_workbook,
    ".xls": refuse_old_format,
    ".et": refuse_old_format,
}

INPUT_SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm")


def read_source(path: Path) -> RawDocument:
    if not os.path.lexists(path):  # a mistyped name: say which data file is there (2023.xslx -> 2023.xlsx)
        hint = did_you_mean(nearest(path, INPUT_SUFFIXES))
        raise ReportError(Problem(f"找不到这个文件{hint}", place=Place(display_name(path)), code="not-found"))
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReportError(
            Problem(
                f"不支持的输入文件类型“{path.suffix or '（无扩展名）'}”："
                "应为 Excel 工作簿（.xlsx）或 YAML 数据文件（.yaml）"
                + (did_you_mean(nearest(path.with_name(path.stem), INPUT_SUFFIXES)) if path.stem else ""),
                place=Place(display_name(path)),
                code="unsupported-input",
            )
        )
    raw = reader(path)
    _check_characters(raw)
    return raw


def _total_characters(data: Any) -> int:
    total = 0
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return total


# All the text of a year, counted as the model will see it (a text used through YAML aliases counts each time): a
# 20 MB file cannot hold more, and 20 million characters build in about a second and 200 MB.
MAX_CHARACTERS = 20_000_000


def _check_characters(raw: RawDocument) -> None:
    if _total_characters(raw.data) <= MAX_CHARACTERS:  # the usual case, counted without building paths
        return
    total = 0
    stack: list[tuple[DataPath, Any]] = [((), raw.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            total += len(value)
            if total > MAX_CHARACTERS:
                message = (f"文字合计超过 {MAX_CHARACTERS // 10_000} 万字（别名 *引用的文字每引用一次计一次），"
                           "一年的数据不会有这么多；数据不会被处理")  # fmt: skip
                raise ReportError(Problem(message, path, code="too-much-text").at(raw.place_of(path)))
        elif isinstance(value, dict):
            stack.extend(((*path, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*path, i), item) for i, item in reversed(list(enumerate(value))))


__all__ = ["INPUT_SUFFIXES", "RawDocument", "read_source"]
