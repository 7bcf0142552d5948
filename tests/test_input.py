"""Reading a YAML year: every problem found at once, each with its line, in Chinese; YAML 1.1 traps disarmed."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from generator import api
from generator.errors import ReportError
from tests.fixtures.bad_inputs import YEAR as MINIMAL  # the smallest valid year; its line numbers are used below


def write(tmp_path: Path, text: str, name: str = "2023.yaml", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ReportError) as caught:
        api.load(path)
    return [str(p) for p in caught.value.problems]


def test_minimal_file_loads(tmp_path: Path) -> None:
    loaded = api.load(write(tmp_path, MINIMAL))
    assert loaded.report.organization.short == "县公安局"
    assert loaded.content.summary[0].change == "下降20.0%"


def test_unknown_key_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    found = problems(write(tmp_path, MINIMAL.replace("headline:", "headlin:")))
    assert any("2023.yaml:3" in p and "未知的键“headlin”" in p and "是否想写“headline”" in p for p in found)
    assert any("缺少主题，即大标题（headline）" in p for p in found)


def test_unknown_key_far_from_any_lists_the_keys_allowed_there(tmp_path: Path) -> None:
    text = MINIMAL.replace("unit: 起,", "unit: 起, colour: red,")
    (found,) = problems(write(tmp_path, text))
    assert "2023.yaml:9" in found and "indicators[0].colour" in found
    assert "name" in found and "previous" in found  # lists what may stand there


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    (found,) = problems(write(tmp_path, MINIMAL + "year: 2024\n"))
    assert "2023.yaml:10" in found and "“year”重复" in found and "第 2 行" in found


def test_all_problems_are_reported_at_once_in_line_order(tmp_path: Path) -> None:
    text = MINIMAL.replace("year: 2023", "year: 二〇二三").replace("value: 120", "value: 12.5万")
    text = text.replace("    paragraphs:\n      - 第一段。\n", "")
    found = problems(write(tmp_path, text))
    assert len(found) == 3
    assert "2023.yaml:2" in found[0] and "四位年份" in found[0]
    assert "2023.yaml:5" in found[1] and "缺少段落（paragraphs）" in found[1]
    assert "2023.yaml:7" in found[2] and "“12.5万” 不是数字" in found[2]


@pytest.mark.parametrize(
    ("yaml_value", "text"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("0123", "0123"),
        ("12:30", "12:30"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("2019-12-01", "2019-12-01"),
        ("13.0", "13.0"),
        (".inf", ".inf"),
        ("~", None),
    ],
)
def test_yaml_11_traps_keep_the_text_as_typed(tmp_path: Path, yaml_value: str, text: str | None) -> None:
    path = write(tmp_path, MINIMAL.replace("headline: 县公安局工作综述", f"headline: 综述\nsubtitle: {yaml_value}"))
    assert api.load(path).report.subtitle == (text or "")


def test_numbers_keep_the_precision_typed(tmp_path: Path) -> None:
    text = MINIMAL.replace("value: 120, previous: 150", "change: -13.0")
    loaded = api.load(write(tmp_path, text))
    assert loaded.report.indicators[0].change == Decimal("-13.0")
    assert str(loaded.report.indicators[0].change) == "-13.0"
    assert loaded.content.summary[0].change == "下降13.0%"


@pytest.mark.parametrize(
    ("typed", "number"),
    [("'1,234'", "1234"), ("１２３４", "1234"), ("' 25.8 '", "25.8"), ("25.8%", "25.8"), ("'+20'", "20"), ("−5", "-5")],
)
def test_numbers_typed_as_text_are_read(tmp_path: Path, typed: str, number: str) -> None:
    loaded = api.load(write(tmp_path, MINIMAL.replace("value: 120", f"value: {typed}")))
    assert loaded.report.indicators[0].value == Decimal(number)


@pytest.mark.parametrize("typed", ["12.5万", "abc", ".nan", "NaN", "Infinity", "1e999", "2019-12-01", "'1,23'"])
def test_what_is_not_a_number_is_refused_with_its_line(tmp_path: Path, typed: str) -> None:
    (found,) = problems(write(tmp_path, MINIMAL.replace("value: 120", f"value: {typed}")))
    assert "2023.yaml:9" in found and "indicators[0].value" in found
    assert "不是数字" in found or "超出范围" in found


def test_a_single_string_is_one_paragraph_and_blank_lines_separate_paragraphs(tmp_path: Path) -> None:
    text = MINIMAL + "lead: 只有一段导语。\nevent: |\n  第一段。\n\n  第二段。\n"
    report = api.load(write(tmp_path, text)).report
    assert report.lead == ["只有一段导语。"]
    assert report.event == ["第一段。", "第二段。"]


def test_gbk_file_is_read_with_a_warning(tmp_path: Path) -> None:
    loaded = api.load(write(tmp_path, MINIMAL, encoding="gbk"))
    assert loaded.report.headline == "县公安局工作综述"
    assert any("GBK" in w for w in loaded.warnings)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_files_with_a_byte_order_mark_are_read(tmp_path: Path, encoding: str) -> None:
    assert api.load(write(tmp_path, MINIMAL, encoding=encoding)).report.year == 2023


def test_undecodable_file_is_refused_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "2023.yaml"
    path.write_bytes(MINIMAL.encode("utf-8") + b"\x81\xff\xfe\x80\n")
    (found,) = problems(path)
    assert "编码" in found and "UTF-8" in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("headline: 标题: 副标题\n", "冒号"),
        ("year: 2023\n\tkicker: x\n", "Tab"),
        ("headline: '没有结束\n", "引号"),
        ("- 一\n- 二\n", "最外层"),
        ("", "空的"),
        ("a: &x [*x]\n", ""),
    ],
)
def test_syntax_errors_say_what_to_do_with_the_line(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(write(tmp_path, text))
    assert found and all("2023.yaml" in p for p in found)
    assert expected in found[0]


# Every way PyYAML can refuse a file, in its own words; none of them may reach the user in English, whatever the
# installed PyYAML calls them (6.0.4 added a nesting limit with words of its own).
_BROKEN_YAML = [
    "a: " + "[" * 2000 + "]" * 2000 + "\n",
    "a: " + "{x: " * 1500 + "1" + "}" * 1500 + "\n",
    "a: |x\n  text\n",
    "%FOO bar\n---\na: 1\n",
    "a: !<tag:x> b\n",
    "a: !!python/object:os.system x\n",
    "a: 'x\n",
    "a: [1, 2\n",
    "a: {b: 1\n",
    "? [a, b]\n: c\n",
    "a: b: c\n",
    "- a\nb: c\n",
    "a:\n  - b\n c: d\n",
    "a: *nothing\n",
    "a: &\n",
    "a: @x\n",
    "a: `x\n",
    'a: "\\q"\n',
    "a: >-1\n  x\n",
    "--- a\n--- b\n",
    'a: "\\ud800"\n',
]


@pytest.mark.parametrize("text", _BROKEN_YAML)
def test_every_parser_message_is_chinese_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.chdir(tmp_path)
    found = problems(Path(write(tmp_path, text).name))  # named as given: relative to the working folder
    assert found
    for message in found:
        assert message.startswith("2023.yaml"), message
        if "YAML" not in message:
            continue  # the file parsed: what the data says about it is tested elsewhere
        said = re.sub(r"（[A-Za-z_.\[\]0-9]+）", "", message)  # key paths name YAML keys, which are English
        words = re.findall(r"[A-Za-z]{3,}", said.replace("2023.yaml", "").replace("YAML", "").replace("UTF", ""))
        assert not [w for w in words if w not in {"Tab"}], message


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (found,) = problems(write(tmp_path, "\n".join(lines) + "\n"))
    assert "别名" in found


def test_expression_with_unknown_name_names_the_field_and_the_name(tmp_path: Path) -> None:
    text = MINIMAL.replace("- 第一段。", "- 发案{{ 刑事发按数.同比 }}。")
    (found,) = problems(write(tmp_path, text))
    assert "2023.yaml:7" in found and "sections[0].paragraphs[0]" in found
    assert "“刑事发按数”不存在" in found and "是否想写“刑事发案数”" in found


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{{ 刑事发案数.同比 }}", "同比下降20.0%"),
        ("{{ 刑事发案数 }}", "120起"),
        ("{{ 刑事发案数.本年 }}/{{ 刑事发案数.上年 }}", "120/150"),
        ("{{ 刑事发案数.幅度 }}{{ 刑事发案数.趋势 }}", "20.0%下降"),
        ('{{ 指标["刑事发案数"].同比 }}', "同比下降20.0%"),
        ("{{ 变化(刑事发案数) }}", "下降20.0%"),
        ("{{ 年份 }}年{{ 简称 }}{{ 单位 }}", "2023年县公安局测试县公安局"),
        ("{{ 中文(14) }}", "十四"),
        ("{{ 万(97595000) }}", "9759.5万"),
        ("{{ 约(41234) }}", "4万余"),
        ("{{ 约(23456789, 位=2) }}", "2300余万"),
        ("{{ 14 | 中文 }}", "十四"),
        ("{% if 刑事发案数.change < 0 %}降{% else %}升{% endif %}", "降"),
    ],
)
def test_expressions_read_indicators(tmp_path: Path, expression: str, expected: str) -> None:
    text = MINIMAL.replace("- 第一段。", f"- '{expression}'")
    assert api.load(write(tmp_path, text)).content.sections[0].paragraphs == [expected]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{{ 刑事发案数.本念 }}", "没有“本念”这一项"),
        ("{{ 刑事发案数.同比 ", "写法有误"),
        ("{{ 同比('不存在') }}", "“不存在”不存在"),
        ("{{ 同比(3) }}", "参数应为指标"),
        ("{{ ''.__class__.__mro__ }}", "安全沙箱"),
        ("{{ 刑事发案数.__init__.__globals__ }}", "安全沙箱"),
        ("{{ 'x' * 100000000 }}", "安全沙箱"),
        ("{{ 10 ** 1000000 }}", "安全沙箱"),
        ("{{ ((10 ** 64) ** 64) ** 64 }}", "安全沙箱"),
        ("{{ 'x'.center(1000000000) }}", "安全沙箱"),
        ("{{ '{:>999999999}'.format(1) }}", "安全沙箱"),
    ],
)
def test_bad_expressions_are_refused_with_the_field(tmp_path: Path, expression: str, expected: str) -> None:
    text = MINIMAL.replace("- 第一段。", f'- "{expression}"')
    (found,) = problems(write(tmp_path, text))
    assert "sections[0].paragraphs[0]" in found and expected in found


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{{ 甲 }}和{{ 乙 }}", ["“甲”不存在", "“乙”不存在"]),
        ("{{ 同比(刑事发按数, 治安发案数) }}", ["“刑事发按数”不存在；是否想写“刑事发案数”", "“治安发案数”不存在"]),
        ("{{ 刑事发按数.同比 }}，{{ 刑事发案数.本念 }}", ["“刑事发按数”不存在", "没有“本念”这一项"]),
        ("{% if 甲 %}{{ 乙 }}{% endif %}{{ 丙 }}", ["“甲”不存在", "“乙”不存在", "“丙”不存在"]),
        ("{{ 'x' * 100000000 }}{{ 丙 }}", ["安全沙箱", "“丙”不存在"]),
        ("{{ 甲 }}又{{ 甲 }}", ["“甲”不存在"]),
        ("{% set 乙 = 1 %}{{ 乙 }}{{ 甲 }}", ["“甲”不存在"]),
        ("{{ 刑事发案数.同比 }}{{ 中文(1.5) }}{{ 约('多') }}", ["中文()", "约()"]),
    ],
)
def test_every_problem_in_a_text_is_reported(tmp_path: Path, expression: str, expected: list[str]) -> None:
    """Evaluation stops at the first problem; the report does not: each {{ }} and each unknown name."""
    text = MINIMAL.replace("- 第一段。", f'- "{expression}"')
    found = problems(write(tmp_path, text))
    assert len(found) == len(expected), found
    for message, words in zip(found, expected, strict=True):
        assert "2023.yaml:7（sections[0].paragraphs[0]）" in message and words in message, found


def test_reading_a_value_that_is_not_filled_in_is_an_error(tmp_path: Path) -> None:
    text = MINIMAL.replace("value: 120, previous: 150", "change: -5").replace("- 第一段。", "- '{{ 刑事发案数.本年 }}'")
    (found,) = problems(write(tmp_path, text))
    assert "刑事发案数" in found and "本年数值" in found


def test_stated_change_that_disagrees_is_an_error_naming_the_indicator(tmp_path: Path) -> None:
    (found,) = problems(write(tmp_path, MINIMAL.replace("previous: 150", "previous: 150, change: -25")))
    assert "2023.yaml:9" in found and "刑事发案数" in found and "-20%" in found and "-25%" in found


def test_duplicate_indicator_names_and_empty_indicators(tmp_path: Path) -> None:
    text = MINIMAL + "  - {name: 刑事发案数, value: 1}\n  - {name: 治安发案数, unit: 起}\n"
    found = problems(write(tmp_path, text))
    assert any("2023.yaml:10" in p and "重复" in p for p in found)
    assert any("2023.yaml:11" in p and "治安发案数" in p and "还没有填写" in p for p in found)


def test_rows_must_match_columns(tmp_path: Path) -> None:
    text = MINIMAL + "tables:\n  - title: 表\n    columns: [甲, 乙]\n    rows:\n      - [1, 2]\n      - [1, 2, 3]\n"
    (found,) = problems(write(tmp_path, text))
    assert "2023.yaml:15" in found and "2 列" in found and "3 个单元格" in found


@pytest.mark.parametrize(
    ("level", "normal"),
    [("全国", "全国"), ("国家级", "全国"), ("省级", "省级"), ("地市级", "市级"), ("县（市）级", "县级")],
)
def test_honor_levels_accept_common_wordings(tmp_path: Path, level: str, normal: str) -> None:
    text = MINIMAL + f"honors:\n  - {{recipient: 巡特警大队, honor: 先进集体, level: {level}}}\n"
    assert api.load(write(tmp_path, text)).report.honors[0].level == normal


def test_unknown_honor_level_lists_the_choices(tmp_path: Path) -> None:
    text = MINIMAL + "honors:\n  - {recipient: 巡特警大队, honor: 先进集体, level: 宇宙级}\n"
    (found,) = problems(write(tmp_path, text))
    assert "2023.yaml:11" in found and "全国、省级、市级、县级、其他" in found


def test_control_characters_are_removed_from_text(tmp_path: Path) -> None:
    text = MINIMAL.replace("- 第一段。", '- "第一\\x07段\\x1b。\\u0085"')
    assert api.load(write(tmp_path, text)).report.sections[0].paragraphs == ["第一段。"]


@pytest.mark.parametrize("name", ["2023.txt", "2023.csv", "2023"])
def test_unsupported_input_types_are_refused(tmp_path: Path, name: str) -> None:
    (found,) = problems(write(tmp_path, MINIMAL, name=name))
    assert "不支持的输入文件类型" in found


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "找不到" in problems(tmp_path / "nope.yaml")[0]
    (tmp_path / "dir.yaml").mkdir()
    assert "文件夹" in problems(tmp_path / "dir.yaml")[0]


# --- a big year read the fast way (issue 11): places worked out only when a message needs one ---------------------

_PLAIN_YEAR = """organization:
  name: 测试局
year: 2023
headline: 标题
sections:
  - heading: 一
    paragraphs:
      - 段落
indicators:
{indicators}
"""


@pytest.mark.parametrize(
    "indicators",
    [
        "  - {name: 甲, unit: 起, value: '1'}\n  - {name: 乙, unit: 起, value: 'x'}",
        "  - name: 甲\n    value: 1\n  - name: 乙\n    value: 二",
        "  - &a {name: 甲, value: 1}\n  - {name: 乙, value: x}",  # an anchor: the full way
        "  - {name: 甲, value: 1}\n  - {name: 乙, value: x, name: 丙}",  # a key twice: the full way
    ],
)
def test_a_plain_file_finds_the_places_of_its_problems_as_the_full_way_does(tmp_path: Path, indicators: str) -> None:
    from generator.sources import yaml_source

    source = tmp_path / "2023.yaml"
    source.write_text(_PLAIN_YEAR.format(indicators=indicators), encoding="utf-8")
    text = source.read_text(encoding="utf-8")
    raw = yaml_source.read_yaml(source)
    plain = yaml_source._read_plain(text) is not None
    assert (raw.find_places is not None) == plain and (raw.places == {}) == plain  # nothing recorded up front
    full = yaml_source._composed(text, "2023.yaml")[1]
    for path in [("indicators", 1, "value"), ("indicators", 0), ("sections", 0, "heading"), ("year",), ()]:
        expected = full.places.get(path)
        assert expected is None or raw.place_of(path).line == expected.line, path
    with pytest.raises(ReportError) as caught:
        api.build(source, write=False)
    lines = {p.place.line for p in caught.value.problems if p.place is not None}
    assert full.places[("indicators", 1, "value")].line in lines, [str(p) for p in caught.value.problems]
