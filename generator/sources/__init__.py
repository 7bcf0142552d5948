"""Readers: each turns one kind of input file into the same RawDocument (see raw.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from generator.errors import Place, Problem, ReportError
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
    return reader(path)


__all__ = ["INPUT_SUFFIXES", "RawDocument", "read_source"]
