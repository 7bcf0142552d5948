"""Year-over-year arithmetic and Chinese number phrasing: tables of cases, and properties where one exists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.figures.changes import computed_change, disagreement, indicator_change
from generator.figures.figure import Figure, figure_of
from generator.figures.numerals import approximate, chinese_numeral, format_number, in_wan, round_half_up
from generator.figures.phrasing import PhrasingError, change_phrase, parallel_phrase, table_change
from generator.model import Indicator

D = Decimal


def indicator(name: str = "刑事发案数", **fields: object) -> Indicator:
    return Indicator.model_validate({"name": name, "unit": fields.pop("unit", "起"), **fields})


def figure(name: str = "刑事发案数", **fields: object) -> Figure:
    return figure_of(indicator(name, **fields))


# --- arithmetic -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "previous", "expected"),
    [
        ("1234", "1663", "-25.8"),  # -25.796… -> -25.8
        ("697", "580", "20.2"),
        ("100", "80", "25.0"),
        ("1", "8", "-87.5"),
        ("1005", "1000", "0.5"),  # exactly .5 of the last place rounds up, not to even
        ("1015", "1000", "1.5"),
        ("10025", "10000", "0.3"),  # 0.25 -> 0.3 half-up (round() would give 0.2)
        ("5", "5", "0.0"),
    ],
)
def test_percent_change_is_half_up_to_one_decimal(value: str, previous: str, expected: str) -> None:
    change = computed_change(D(value), D(previous), "count")
    assert change.amount == D(expected)
    assert str(change.amount) == expected


def test_rate_changes_in_points_not_percent() -> None:
    change = computed_change(D("85.3"), D("80.1"), "rate")
    assert change.amount == D("5.2")
    assert change.unit == "个百分点"
    assert change.magnitude == "5.2个百分点"


def test_previous_zero_never_divides() -> None:
    assert computed_change(D(5), D(0), "count").amount is None
    assert computed_change(D(5), D(0), "count").direction == "new"
    flat = computed_change(D(0), D(0), "count")
    assert flat.amount == 0 and flat.direction == "flat"


def test_stated_change_keeps_its_precision() -> None:
    assert indicator_change(indicator(change="-13.0")).magnitude == "13.0%"
    assert indicator_change(indicator(change="-15")).magnitude == "15%"
    assert indicator_change(indicator(change="20")).magnitude == "20%"


@pytest.mark.parametrize(
    ("fields", "agrees"),
    [
        ({"value": "1234", "previous": "1663", "change": "-25.8"}, True),
        ({"value": "1234", "previous": "1663", "change": "-25.9"}, False),
        ({"value": "1234", "previous": "1663", "change": "-26"}, True),  # compared at the stated precision
        ({"value": "1234", "previous": "1663", "change": "-25.80"}, True),
        ({"value": "5", "previous": "0", "change": "10"}, False),  # no change exists from zero
        ({"value": "85.3", "previous": "80.1", "change": "5.2", "kind": "rate"}, True),
        ({"value": "85.3", "previous": "80.1", "change": "6.5", "kind": "rate"}, False),
        ({"value": "1234", "change": "-25.8"}, True),  # nothing to compare with
    ],
)
def test_stated_change_must_agree_with_values(fields: dict[str, str], agrees: bool) -> None:
    message = disagreement(indicator(**fields))
    assert (message is None) is agrees
    if message:
        assert "刑事发案数" in message  # names the indicator


@given(
    value=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    previous=st.decimals(min_value=D("0.01"), max_value=10**9, places=2, allow_nan=False),
)
def test_computed_change_always_agrees_with_itself(value: Decimal, previous: Decimal) -> None:
    computed = computed_change(value, previous, "count").amount
    assert computed is not None
    assert disagreement(indicator(value=value, previous=previous, change=computed)) is None


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False))
def test_round_half_up_matches_the_schoolbook_rule(number: Decimal) -> None:
    rounded = round_half_up(number, 1)
    assert abs(rounded - number) <= D("0.05")
    if abs(number * 100) % 10 == 5 and number.as_tuple().exponent >= -2:  # exactly half: away from zero
        assert abs(rounded) > abs(number)


# --- phrasing ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"change": "-25.8"}, "同比下降25.8%"),
        ({"change": "20"}, "同比增长20%"),
        ({"value": "697", "previous": "580"}, "同比增长20.2%"),
        ({"value": "100", "previous": "100"}, "与上年持平"),
        ({"value": "10000", "previous": "10001"}, "与上年基本持平"),  # -0.01% rounds to 0.0
        ({"value": "5", "previous": "0"}, "同比新增5起"),
        ({"value": "85.3", "previous": "80.1", "kind": "rate"}, "同比提高5.2个百分点"),
        ({"value": "80.1", "previous": "85.3", "kind": "rate"}, "同比下降5.2个百分点"),
    ],
)
def test_one_figure(fields: dict[str, str], expected: str) -> None:
    assert change_phrase(figure(**fields)) == expected


def test_one_figure_without_prefix_and_with_own_words() -> None:
    assert change_phrase(figure(change="-41"), prefix="") == "下降41%"
    assert change_phrase(figure(change="10"), up="提升") == "同比提升10%"
    assert change_phrase(figure(value="3", previous="3"), prefix="") == "持平"


def test_parallel_figures_as_the_seeds_write_them() -> None:
    criminal, public_order = figure("刑事发案数", change="-25.8"), figure("治安发案数", change="-23.9")
    assert parallel_phrase([criminal, public_order]) == "同比下降25.8%、23.9%"
    calls, cases = figure("有效警情数", change="-10.9"), figure("刑事发案数", change="-13.0")
    assert parallel_phrase([calls, cases], each=True) == "分别同比下降10.9%、13.0%"
    alarms, cases = figure("试点企业警情数", change="-70"), figure("试点企业发案数", change="-70")
    assert parallel_phrase([alarms, cases]) == "均同比下降70%"
    assert parallel_phrase([criminal, public_order], subject="刑事、治安发案") == "刑事、治安发案同比下降25.8%、23.9%"


def test_parallel_figures_split_when_directions_differ() -> None:
    down, up = figure("刑事发案数", change="-25.8"), figure("治安发案数", change="3.1")
    assert parallel_phrase([down, up], subject="刑事、治安发案") == "刑事发案数同比下降25.8%，治安发案数同比增长3.1%"
    assert parallel_phrase([down, up]) == "同比分别下降25.8%、增长3.1%"
    flat = figure("治安发案数", value="7", previous="7")
    assert parallel_phrase([down, flat], subject="两项") == "刑事发案数同比下降25.8%，治安发案数与上年持平"
    assert parallel_phrase([flat, flat]) == "均与上年持平"


def test_phrase_without_change_names_the_indicator() -> None:
    with pytest.raises(PhrasingError, match="刑事发案数"):
        change_phrase(figure(value="1234"))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"change": "-25.8"}, "下降25.8%"),
        ({"value": "85.3", "previous": "80.1", "kind": "rate"}, "提高5.2个百分点"),
        ({"value": "5", "previous": "5"}, "持平"),
        ({"value": "5", "previous": "0"}, "新增"),
        ({"value": "5"}, "—"),
    ],
)
def test_table_change_column(fields: dict[str, str], expected: str) -> None:
    assert table_change(figure(**fields)) == expected


# --- numerals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [("13.0", "13.0"), ("1E+3", "1000"), ("-0", "0"), ("10.16", "10.16"), ("9759.5", "9759.5"), ("0.000", "0.000")],
)
def test_format_number_keeps_precision_and_never_uses_exponents(number: str, expected: str) -> None:
    assert format_number(D(number)) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (3523, "3523"),
        (9999, "9999"),
        (10000, "1万"),
        (40000, "4万"),
        (97595000, "9759.5万"),
        (123456, "12.35万"),
        (230000000, "2.3亿"),
        (100000000, "1亿"),
        (-50000, "-5万"),
    ],
)
def test_in_wan(number: int, expected: str) -> None:
    assert in_wan(number) == expected


@pytest.mark.parametrize(
    ("number", "digits", "word", "expected"),
    [
        (41234, 1, "余", "4万余"),  # 累计减少群众证明4万余份
        (23456789, 2, "余", "2300余万"),  # 挽回经济损失2300余万元
        (10234, 1, "多", "1万多"),  # 走访群众1万多人
        (1523, 2, "余", "1500余"),  # 监控探头1500余路
        (634, 1, "余", "600余"),  # 600余名
        (34, 1, "余", "30余"),  # 30余次
        (215, 1, "多", "200多"),  # 200多场
        (40000, 1, "余", "4万"),  # nothing cut off: no 余
        (200, 1, "余", "200"),
        (23001234, 4, "余", "2300万余"),  # only the part below one 万 cut
        (123456789, 2, "余", "1.2亿余"),
    ],
)
def test_approximate(number: int, digits: int, word: str, expected: str) -> None:
    assert approximate(number, digits, word) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "零"),
        (2, "二"),
        (10, "十"),
        (14, "十四"),
        (17, "十七"),
        (20, "二十"),
        (70, "七十"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1004, "一千零四"),
        (10000, "一万"),
        (100000, "十万"),
        (100010, "十万零一十"),
        (20190, "二万零一百九十"),
        (100000000, "一亿"),
    ],
)
def test_chinese_numerals(n: int, expected: str) -> None:
    assert chinese_numeral(n) == expected


def test_chinese_numeral_refuses_fractions() -> None:
    with pytest.raises(ValueError):
        chinese_numeral(D("1.5"))


def test_each_distinct_text_expression_is_compiled_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch renders many reports whose texts are alike: the same text is compiled once, and evaluated with each
    report's own figures (issue 11)."""
    from generator import sandbox
    from generator.figures.expressions import TextExpander
    from generator.model import Report

    compiled: list[str] = []
    original = sandbox.ReportSandbox.compile

    def counting(self: sandbox.ReportSandbox, source: str, *args: object, **kwargs: object) -> object:
        compiled.append(source)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(sandbox.ReportSandbox, "compile", counting)
    monkeypatch.setattr(sandbox, "_COMPILED", {})
    monkeypatch.setenv("ANNUAL_REPORT_CACHE", "")  # the process alone: no code kept from earlier ones (test_cache.py)
    monkeypatch.setattr(sandbox, "_STORED", sandbox._StoredCodes())
    texts = ["{{ 年份 }}年发案{{ 发案数 }}起，{{ 同比(发案数) }}", "{{ 简称 }}共破案{{ 破案数.value }}起"]
    results = []
    for year, cases in ((2021, 90), (2022, 120), (2023, 75)):
        report = Report.model_validate({
            "organization": {"name": f"第{year}局", "short_name": "本局"}, "year": year, "headline": "标题",
            "sections": [{"heading": "一", "paragraphs": texts}],
            "indicators": [{"name": "发案数", "unit": "起", "value": str(cases), "previous": "100"},
                           {"name": "破案数", "unit": "起", "value": str(cases // 2)}],
        })  # fmt: skip
        from generator.figures.figure import figure_of

        expander = TextExpander(report, {i.name: figure_of(i) for i in report.indicators})
        results.append([expander.expand(text) for text in texts])
    assert sorted(compiled) == sorted(texts)  # each once, for three reports
    assert [r[0][:4] for r in results] == ["2021", "2022", "2023"]
    assert ["90起" in results[0][0], "120起" in results[1][0], "75起" in results[2][0]] == [True] * 3
    assert results[1][1] == "本局共破案60起"
