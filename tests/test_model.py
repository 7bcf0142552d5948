"""The model's own checks (generator/model.py): every problem of a year at once, each at its data path, in the
order of the contract's keys; and the records' behaviour the rest of the program relies on (frozen, copies, dumps)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from generator import model, sandbox
from generator.model import Indicator, InvalidData, Report, validate_report

MINIMAL: dict[str, Any] = {
    "organization": {"name": "某县公安局"},
    "year": 2023,
    "headline": "标题",
    "sections": [{"heading": "一", "paragraphs": ["正文。"]}],
}


def problems(data: Any) -> list[tuple[str, tuple[Any, ...], str]]:
    _, found = validate_report(data)
    return [(p.message, tuple(p.path or ()), p.code) for p in found]


def with_(**changes: Any) -> dict[str, Any]:
    return {**MINIMAL, **changes}


def test_a_minimal_year_is_a_report_with_the_contracts_defaults() -> None:
    report, found = validate_report(MINIMAL)
    assert found == [] and report is not None
    assert report.organization.short == "某县公安局"
    assert (report.kicker, report.lead, report.indicators, report.outlook, report.date) == ("", [], [], None, None)
    assert report.sections[0].subsections == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # every problem of the year at once, in the order of the keys, nested ones at their full path
        (
            {"year": "二〇二三", "headline": "", "sections": [], "indicators": [{"value": "x"}], "extra": 1},
            [
                ("缺少单位（organization），这一项必须填写", ("organization",), "missing"),
                ("应为四位年份（如 2019），实际是“二〇二三”", ("year",), "year"),
                ("不能为空", ("headline",), "empty_text"),
                ("至少要有 1 项", ("sections",), "too-short"),
                ("缺少名称（name），这一项必须填写", ("indicators", 0, "name"), "missing"),
                ("“x” 不是数字", ("indicators", 0, "value"), "number_parsing"),
                (
                    "未知的键“extra”：这里可以写的键有 organization、year、kicker、headline、subtitle、"
                    "lead、event、sections、outlook、indicators、honors、photos、byline、tables、trend、charts、title、date",
                    ("extra",),
                    "unknown-key",
                ),
            ],
        ),
        (
            with_(organization="某局", sections={"heading": "一"}),
            [
                ("应为“键: 值”形式的内容，实际是“某局”", ("organization",), "type"),
                ("应为列表（每项另起一行，以“- ”开头），实际是“键: 值”形式的内容", ("sections",), "type"),
            ],
        ),
        (
            with_(indicators=[{"name": "甲", "value": 1, "kind": "百分比", "in_summary": "也许"}, "乙"]),
            [
                ("类型应为以下之一：数量（count）、比率（rate），实际是“百分比”", ("indicators", 0, "kind"), "choice"),
                ("应为“是”或“否”（true / false），实际是“也许”", ("indicators", 0, "in_summary"), "flag"),
                ("应为“键: 值”形式的内容，实际是“乙”", ("indicators", 1), "type"),
            ],
        ),
        (
            with_(byline={"names": []}, charts=[{"title": "图", "indicators": "甲、乙"}], tables=[{"title": "表"}]),
            [
                ("至少要有 1 项", ("byline", "names"), "too-short"),
                ("缺少列名（columns），这一项必须填写", ("tables", 0, "columns"), "missing"),
            ],
        ),
        (
            with_(sections=[{"heading": "一", "paragrahps": ["正文"]}], date="2023-02-30"),
            [
                ("未知的键“paragrahps”：是否想写“paragraphs”？", ("sections", 0, "paragrahps"), "unknown-key"),
                ("应为日期，如 2020-01-15 或 2020年1月15日，实际是“2023-02-30”", ("date",), "date"),
                (
                    "缺少段落（paragraphs），这一项必须填写：每个正文部分至少要有一段，或有二级标题（subsections）和它的段落",
                    ("sections", 0, "paragraphs"),
                    "missing",
                ),
            ],
        ),
        (
            with_(
                outlook={"paragraphs": "甲\n\n乙"},
                photos=[{"file": None}],
                tables=[{"title": "t", "columns": ["a"], "rows": [["1"], "2"]}],
                trend=["无此指标"],
            ),
            [
                ("应为一段文字，实际是空值", ("photos", 0, "file"), "text_type"),
                ("应为列表（每项另起一行，以“- ”开头），实际是“2”", ("tables", 0, "rows", 1), "type"),
            ],
        ),
        # a key that is not text (possible from a program handing us data): said in Chinese like any other
        (
            with_(indicators=[{"name": "甲", "value": 1, 5: "x"}]),
            [
                (
                    "未知的键“5”：这里可以写的键有 name、unit、value、previous、change、kind、in_summary",
                    ("indicators", 0, 5),
                    "unknown-key",
                )
            ],
        ),
    ],
    ids=["all-at-once", "wrong-shapes", "choices-and-flags", "lists", "unknown-key-and-date", "nested", "key-type"],
)
def test_every_problem_is_said_at_its_place(
    data: dict[str, Any], expected: list[tuple[str, tuple[Any, ...], str]]
) -> None:
    assert problems(data) == expected


def test_problems_across_items_follow_the_field_checks() -> None:
    data = with_(indicators=[{"name": "甲", "value": 1}, {"name": "甲 ", "value": 2}, {"name": "乙"}], trend="甲、丙")
    assert problems(data) == [
        ("指标名称“甲”与第 1 项重复；同一年的指标名称不能重复", ("indicators", 1, "name"), "duplicate-indicator"),
        ("指标“乙”还没有填写：至少要填本年数值或同比变化", ("indicators", 2, "value"), "indicator-empty"),
        ("没有名为“丙”的指标；请写“指标”中的名称", ("trend", 1), "unknown-indicator"),
    ]


def test_values_are_converted_as_people_type_them() -> None:
    report = Report.model_validate(with_(
        year="２０２３", date="2023年3月5日", byline={"names": "张三、李四"},
        indicators=[{"name": "\u200b破案率\u00a0", "value": "86.20%", "previous": "1,234", "kind": "比率",
                     "in_summary": "否"}],
    ))  # fmt: skip
    indicator = report.indicators[0]
    assert (report.year, report.date, report.byline.names) == (2023, dt.date(2023, 3, 5), ["张三", "李四"])
    assert (indicator.name, indicator.value, indicator.previous) == ("破案率", Decimal("86.20"), Decimal("1234"))
    assert (indicator.kind, indicator.in_summary) == ("rate", False)


def test_model_validate_raises_with_every_problem() -> None:
    with pytest.raises(InvalidData) as raised:
        Report.model_validate({"year": 2023})
    assert [p.path for p in raised.value.problems] == [("organization",), ("headline",), ("sections",)]


def test_records_are_frozen_compared_by_value_copied_and_dumped() -> None:
    report = Report.model_validate(with_(indicators=[{"name": "甲", "value": "13.0"}], date="2023-01-02"))
    with pytest.raises(AttributeError):
        report.year = 2024  # type: ignore[misc]
    assert report == Report.model_validate(with_(indicators=[{"name": "甲", "value": "13.0"}], date="2023-01-02"))
    later = report.model_copy(update={"year": 2024})
    assert (later.year, report.year, later.indicators) == (2024, 2023, report.indicators)
    assert later != report and hash(report) == hash(report.model_copy())
    assert report.model_dump(exclude_defaults=True) == {
        "organization": {"name": "某县公安局"}, "year": 2023, "headline": "标题",
        "sections": [{"heading": "一", "paragraphs": ["正文。"]}],
        "indicators": [{"name": "甲", "value": Decimal("13.0")}], "date": dt.date(2023, 1, 2),
    }  # fmt: skip
    dumped = report.model_dump(mode="json")
    assert dumped["indicators"][0]["value"] == "13.0" and dumped["date"] == "2023-01-02"
    assert dumped["outlook"] is None and dumped["tables"] == []
    assert Indicator.model_validate(dumped["indicators"][0]) == report.indicators[0]


def test_defaults_are_not_shared_between_records() -> None:
    first, second = Report.model_validate(MINIMAL), Report.model_validate(MINIMAL)
    assert first.indicators is not second.indicators


# The character classes are written as the characters XML 1.0 excludes (fast to compile); they must be exactly
# the complement of what XML allows, over every code point.
_XML_ALLOWS = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@pytest.mark.parametrize(
    ("pattern", "also_excluded"),
    [(model._NOT_XML, "\r"), (model._DROPPED, "".join(map(chr, range(0x7F, 0xA0)))), (sandbox.NOT_XML, "")],
    ids=["model-not-xml", "model-dropped", "sandbox-not-xml"],
)
def test_character_classes_are_the_complement_of_what_xml_allows(pattern: re.Pattern[str], also_excluded: str) -> None:
    wrong = [
        hex(code)
        for code in range(0x110000)
        if bool(pattern.match(chr(code))) != (not _XML_ALLOWS.match(chr(code)) or chr(code) in also_excluded)
    ]
    assert wrong == []
