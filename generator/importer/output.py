"""The draft written out: every indicator marked 待确认 with the sentence it came from, as a comment above it in
YAML and as a note on its name cell (shaded) in the workbook."""

from __future__ import annotations

import re

from generator.importer import CHECK_MARK
from generator.model import Report


def note(sources: list[str]) -> str:
    if not sources:
        return f"{CHECK_MARK}：导入时从原文找出的指标"
    shown = "”；“".join(sources[:3]) + ("”等" if len(sources) > 3 else "”")
    return f"{CHECK_MARK}：导入时从原文找出，原句“{shown}"


def draft_yaml(report: Report, sources: dict[str, list[str]], heading: str) -> bytes:
    from generator.writers.yaml_text import yaml_text

    lines = yaml_text(report, heading).splitlines()
    out: list[str] = []
    inside = False
    index = 0
    for line in lines:
        if not line.startswith((" ", "#")):
            inside = line.startswith("indicators:")
        if inside and re.match(r"^  - name: ", line) and index < len(report.indicators):
            name = report.indicators[index].name
            out.append(f"  # {note(sources.get(name, []))}".replace("\n", " "))
            index += 1
        out.append(line)
    return ("\n".join(out) + "\n").encode("utf-8")


def draft_workbook(report: Report, sources: dict[str, list[str]]) -> bytes:
    from generator.writers.workbook import workbook_bytes

    notes = {i: note(sources.get(indicator.name, [])) for i, indicator in enumerate(report.indicators)}
    return workbook_bytes(report, notes)
