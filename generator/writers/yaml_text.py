"""The validated model back to YAML text, as a person would have written it: block style, Chinese as is,
numbers with the precision they were given (13.0 stays 13.0), quotes only where YAML needs them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from generator.model import Report


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key, as people write them

    def ignore_aliases(self, data: Any) -> bool:
        return True  # one number object in two places is written twice, never as &id001 / *id001


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = f"{value:f}"
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    """Short rows of cells and lists of names on one line ([甲, 乙]); paragraphs one per line."""
    short = all(isinstance(v, str | Decimal) and "\n" not in str(v) for v in value)
    flow = short and bool(value) and sum(len(str(v)) + 2 for v in value) <= 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def report_data(report: Report) -> dict[str, Any]:
    """The model as the input contract's plain structure, defaults left out (as a person leaves them out)."""
    return report.model_dump(mode="python", exclude_defaults=True)


def yaml_text(report: Report, heading: str = "") -> str:
    body = yaml.dump(
        report_data(report),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=10**9,
        default_flow_style=False,
        indent=2,
    )
    comment = "".join(f"# {line}\n" for line in heading.splitlines()) if heading else ""
    return comment + body
