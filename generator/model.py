"""The one validated model of a year's report, and the translation of validation failures into Problems.

Both readers hand over text exactly as the user typed it; the types here decide what it means. Numbers are
Decimal from the typed text, so ``13.0`` keeps its precision and no float ever rounds a figure.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from generator.errors import DataPath, Problem

# ---------------------------------------------------------------------------------------------------------------
# Values as people type them

# Characters XML 1.0 cannot hold (control characters pasted from other programs, lone surrogates): dropped, or
# Word refuses the whole document.
_NOT_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_C1_CONTROLS = re.compile("[\x7f-\x9f]")
_DROPPED = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # both of the above
MAX_TEXT = 200_000  # characters in one text field; far above any real paragraph, well below trouble


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "“键: 值”形式的内容"
    if isinstance(value, list):
        return "一个列表"
    if value is None:
        return "空值"
    text = str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def clean_text(value: Any) -> str:
    """Text as it may stand in a Word document: line ends unified, control characters removed, trimmed."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise PydanticCustomError("text_type", "应为一段文字，实际是{found}", {"found": _describe(value)})
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _C1_CONTROLS.sub("", _NOT_XML.sub("", text))
    if len(text) > MAX_TEXT:
        raise PydanticCustomError(
            "text_too_long",
            "文字过长（{length} 字），一段不能超过 {limit} 字",
            {"length": len(text), "limit": MAX_TEXT},
        )
    return text.strip()


def dropped_characters(data: Any, path: DataPath = ()) -> Iterator[tuple[DataPath, str]]:
    """Where clean_text will drop characters from the raw data: (data path, the first such character). A text
    shared through YAML aliases is searched once."""
    if not _any_dropped(data):  # the usual case, found without building paths
        return
    seen: set[int] = set()
    stack: list[tuple[DataPath, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if id(value) in seen:
                continue
            seen.add(id(value))
            found = _DROPPED.search(value)
            if found:
                yield where, found.group()
        elif isinstance(value, dict):
            stack.extend(((*where, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*where, i), item) for i, item in reversed(list(enumerate(value))))


_SPACE = re.compile(r"[^\S ]|  ")  # a space other than one plain space


def _any_dropped(data: Any) -> bool:
    search = _DROPPED.search
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _required_text(value: Any) -> str:
    text = clean_text(value)
    if not text:
        raise PydanticCustomError("empty_text", "不能为空", {})
    return text


# Characters that show nothing (Unicode's default-ignorable code points: zero-width spaces and joiners, BOM,
# direction marks, variation selectors, fillers): in a name they are always an accident of copying.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)


def _name(value: Any) -> str:
    """An indicator's name: invisible characters dropped, every kind of space (no-break, ideographic…) one
    plain space, so that what looks the same is the same name (two that differ only in spaces: see check_report)."""
    text = _required_text(value)
    if _INVISIBLE.search(text) or _SPACE.search(text) or not unicodedata.is_normalized("NFC", text):
        text = re.sub(r"\s+", " ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text))).strip()
    if not text:
        raise PydanticCustomError("empty_text", "不能为空（只有看不见的字符）", {})
    return text


def _optional_text(value: Any) -> str:
    return "" if value is None else clean_text(value)


def _paragraphs(value: Any) -> list[str]:
    """A list of paragraphs; a single string is one paragraph, or several when separated by blank lines."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in (clean_text(part) for part in re.split(r"\n[ \t\u3000]*\n", value)) if p]
    if not isinstance(value, list):
        raise PydanticCustomError(
            "paragraphs_type", "应为段落列表（每段以“- ”开头）或一段文字，实际是{found}", {"found": _describe(value)}
        )
    return value  # items are checked one by one as Text, so each error names its item


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [n for n in re.split(r"[\s、，,]+", clean_text(value)) if n]
    return value


def _indicator_names(value: Any) -> list[str]:
    """Indicator names as a list, or in one cell separated by 、 or commas (names may hold spaces)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [n.strip() for n in re.split(r"[、，,;；\n]+", clean_text(value)) if _name_or_empty(n)]
    return value


def _name_or_empty(text: str) -> str:
    return _INVISIBLE.sub("", text).strip()


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．－＋，％", "0123456789.-+,%")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
MAX_NUMBER = Decimal("1e15")
MAX_DECIMALS = 20  # a figure in a report has a few; more than Excel's 15 digits are kept as typed


def parse_number(value: Any) -> Decimal | None:
    """'1234', '1,234', '１２３４', '-25.8', '25.8%', ' 13.0 ' -> Decimal keeping the typed precision."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PydanticCustomError("number_type", "应为数字，实际是{found}", {"found": _describe(value)})
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).translate(_FULLWIDTH_DIGITS).strip().replace("−", "-")
        text = text.replace(" ", "")
        if not text:
            return None
        if text.endswith("%"):
            text = text[:-1]
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        if not _NUMBER.fullmatch(text):
            raise PydanticCustomError("number_parsing", "{found} 不是数字", {"found": _describe(value)})
        number = Decimal(text)
    else:
        raise PydanticCustomError("number_type", "应为数字，实际是{found}", {"found": _describe(value)})
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise PydanticCustomError("number_range", "数字{found}超出范围", {"found": _describe(value)})
    if -number.as_tuple().exponent > MAX_DECIMALS:  # type: ignore[operator]  # finite: the exponent is an int
        raise PydanticCustomError(
            "number_decimals",
            "数字{found}的小数位数过多（最多 {limit} 位；在工作簿中，也可能是单元格格式显示了太多位小数）",
            {"found": _describe(value), "limit": MAX_DECIMALS},
        )
    return number


def _year(value: Any) -> int:
    try:
        number = parse_number(value)
    except PydanticCustomError:
        number = None
    if number is None or number != number.to_integral_value() or not 1900 <= number <= 2200:
        raise PydanticCustomError("year", "应为四位年份（如 2019），实际是{found}", {"found": _describe(value)})
    return int(number)


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s+\d{1,2}:\d{2}(:\d{2})?)?")


def _date(value: Any) -> dt.date | None:
    """2020-01-15, 2020/1/15, 2020.1.15, 2020年1月15日 (and a date cell's 2020-01-15 00:00:00)."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    found = _DATE.fullmatch(text)
    try:
        if found:
            return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        pass
    raise PydanticCustomError(
        "date", "应为日期，如 2020-01-15 或 2020年1月15日，实际是{found}", {"found": _describe(value)}
    )


_TRUE = {"true", "yes", "y", "on", "1", "是", "对", "√", "✓"}
_FALSE = {"false", "no", "n", "off", "0", "否", "不", "×", "✗"}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise PydanticCustomError("flag", "应为“是”或“否”（true / false），实际是{found}", {"found": _describe(value)})


def _choice(aliases: dict[str, str], label: str) -> BeforeValidator:
    # in the words of the workbook, and the YAML key beside a word that differs: 数量（count）、比率（rate）
    words = {
        value: next((k for k, v in aliases.items() if v == value and not k.isascii()), value)
        for value in aliases.values()
    }
    allowed = "、".join(word if word == value else f"{word}（{value}）" for value, word in words.items())

    def pick(value: Any) -> str:
        text = clean_text(value) if value is not None else ""
        if text in aliases:
            return aliases[text]
        raise PydanticCustomError(
            "choice",
            "{label}应为以下之一：{allowed}，实际是{found}",
            {"label": label, "allowed": allowed, "found": _describe(value)},
        )

    return BeforeValidator(pick)


CHART_KINDS = {"compare": "compare", "对比": "compare", "本年与上年": "compare", "同比": "compare",
               "trend": "trend", "趋势": "trend", "历年": "trend", "历年趋势": "trend"}  # fmt: skip
KIND_ALIASES = {"count": "count", "数量": "count", "计数": "count", "rate": "rate", "比率": "rate", "率": "rate"}
LEVELS = ["全国", "省级", "市级", "县级", "其他"]
LEVEL_ALIASES = {
    **{level: level for level in LEVELS},
    "国家级": "全国",
    "部级": "全国",
    "全国性": "全国",
    "省": "省级",
    "全省": "省级",
    "省部级": "省级",
    "市": "市级",
    "地市级": "市级",
    "地级": "市级",
    "地市": "市级",
    "县": "县级",
    "县市级": "县级",
    "县（市）级": "县级",
    "县(市)级": "县级",
    "区级": "县级",
    "其它": "其他",
}

Text = Annotated[str, BeforeValidator(_required_text)]
OptionalText = Annotated[str, BeforeValidator(_optional_text)]
Paragraphs = Annotated[list[Text], BeforeValidator(_paragraphs)]
Number = Annotated[Decimal | None, BeforeValidator(parse_number)]
Name = Annotated[str, BeforeValidator(_name)]
Cell = Annotated[str, BeforeValidator(_optional_text)]


# ---------------------------------------------------------------------------------------------------------------
# The model. Keys are the public YAML contract (PRODUCT.md): add freely, never rename.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organization(_Strict):
    name: Text
    short_name: OptionalText = ""

    @property
    def short(self) -> str:
        """What the text calls the unit itself (市公安局); the full name when none is given."""
        return self.short_name or self.name


class Subsection(_Strict):
    """A part of a section under a second-level heading: （一）（二） in the formal report."""

    heading: Text
    paragraphs: Annotated[Paragraphs, Field(min_length=1)]


class Section(_Strict):
    heading: Text
    paragraphs: Paragraphs = []  # before the first second-level heading; may be empty when subsections follow
    subsections: list[Subsection] = []


class Outlook(_Strict):
    heading: OptionalText = ""
    paragraphs: Annotated[Paragraphs, Field(min_length=1)]


class Indicator(_Strict):
    name: Name
    unit: OptionalText = ""
    value: Number = None
    previous: Number = None
    change: Number = None  # stated change: % for counts, 个百分点 for rates
    kind: Annotated[Literal["count", "rate"], _choice(KIND_ALIASES, "类型")] = "count"
    in_summary: Annotated[bool, BeforeValidator(_flag)] = True


class Honor(_Strict):
    recipient: Text
    honor: Text
    level: Annotated[str, _choice(LEVEL_ALIASES, "级别")]


class Photo(_Strict):
    file: Text
    caption: OptionalText = ""


class Byline(_Strict):
    label: Text = "通讯员"
    names: Annotated[list[Text], BeforeValidator(_names), Field(min_length=1)]


class Table(_Strict):
    title: Text
    columns: Annotated[list[Text], Field(min_length=1)]
    rows: list[list[Cell]] = []


class Chart(_Strict):
    """An editable Word chart: this year against last (compare) or every year on file (trend)."""

    title: Text
    kind: Annotated[Literal["compare", "trend"], _choice(CHART_KINDS, "图表类型")] = "compare"
    indicators: Annotated[list[Name], BeforeValidator(_indicator_names), Field(min_length=1)]


class Report(_Strict):
    organization: Organization
    year: Annotated[int, BeforeValidator(_year)]
    kicker: OptionalText = ""
    headline: Text
    subtitle: OptionalText = ""
    lead: Paragraphs = []
    event: Paragraphs = []
    sections: Annotated[list[Section], Field(min_length=1)]
    outlook: Outlook | None = None
    indicators: list[Indicator] = []
    honors: list[Honor] = []
    photos: list[Photo] = []
    byline: Byline | None = None
    tables: list[Table] = []
    trend: Annotated[list[Name], BeforeValidator(_indicator_names)] = []  # indicators in the 历年趋势 table
    charts: list[Chart] = []
    title: OptionalText = ""  # the formal report's title; 单位 + 年份 + 年工作总结 when empty
    date: Annotated[dt.date | None, BeforeValidator(_date)] = None  # the formal report's 成文日期


# What each key is called in the users' words, for messages.
FIELD_LABELS = {
    "organization": "单位",
    "name": "名称",
    "short_name": "简称",
    "year": "年份",
    "kicker": "引题",
    "headline": "主题，即大标题",
    "subtitle": "副题",
    "lead": "导语",
    "event": "活动段落",
    "sections": "正文部分",
    "heading": "小标题",
    "paragraphs": "段落",
    "subsections": "二级标题下的部分",
    "outlook": "展望",
    "indicators": "指标",
    "unit": "单位",
    "value": "本年数值",
    "previous": "上年数值",
    "change": "同比变化",
    "kind": "类型",
    "in_summary": "是否列入主要指标表",
    "honors": "荣誉",
    "recipient": "获奖集体或个人",
    "honor": "荣誉名称",
    "level": "级别",
    "photos": "照片",
    "file": "图片文件",
    "caption": "图片说明",
    "byline": "署名",
    "label": "署名前缀",
    "names": "姓名",
    "tables": "附表",
    "title": "标题",
    "columns": "列名",
    "rows": "行",
    "date": "成文日期",
    "trend": "历年趋势指标",
    "charts": "图表",
}


# ---------------------------------------------------------------------------------------------------------------
# From raw structure to model, every failure a Problem with its data path


def validate_report(data: Any) -> tuple[Report | None, list[Problem]]:
    empty = _sections_without_text(data)
    try:
        report = Report.model_validate(data)
    except ValidationError as exc:
        return None, [*(_problem(error) for error in exc.errors()), *empty]
    if empty:  # as a missing key: no model, so neither convert nor build goes on
        return None, empty + check_report(report)
    return report, check_report(report)


def _sections_without_text(data: Any) -> list[Problem]:
    """A section needs paragraphs, or second-level parts (subsections) holding them: said even when other values
    are wrong, as a missing key would be."""
    sections = data.get("sections") if isinstance(data, dict) else None
    problems = []
    for s, section in enumerate(sections if isinstance(sections, list) else []):
        if isinstance(section, dict) and not section.get("paragraphs") and not section.get("subsections"):
            problems.append(
                Problem(
                    "缺少段落（paragraphs），这一项必须填写：每个正文部分至少要有一段，或有二级标题（subsections）和它的段落",
                    ("sections", s, "paragraphs"),
                    code="missing",
                )
            )
    return problems


def check_report(report: Report) -> list[Problem]:
    """Rules across items that field types cannot express."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, indicator in enumerate(report.indicators):
        key = indicator.name.replace(" ", "")  # names are cleaned (_name): spaces are all that may still differ
        if key in seen:
            first = report.indicators[seen[key]].name
            alike = "" if first == indicator.name else f"（与“{first}”只差空格或看不见的字符，算作同一个名称）"
            problems.append(
                Problem(
                    f"指标名称“{indicator.name}”与第 {seen[key] + 1} 项重复{alike}；同一年的指标名称不能重复",
                    ("indicators", i, "name"),
                    code="duplicate-indicator",
                )
            )
        seen.setdefault(key, i)
        if indicator.value is None and indicator.change is None:
            problems.append(
                Problem(
                    f"指标“{indicator.name}”还没有填写：至少要填本年数值（value）或同比变化（change）",
                    ("indicators", i, "value"),
                    code="indicator-empty",
                )
            )
    names = {indicator.name for indicator in report.indicators}
    for j, name in enumerate(report.trend):
        if name not in names:
            problems.append(Problem(_no_such_indicator(name, names), ("trend", j), code="unknown-indicator"))
    for c, chart in enumerate(report.charts):
        for j, name in enumerate(chart.indicators):
            if name not in names:
                problems.append(Problem(_no_such_indicator(name, names), ("charts", c, "indicators", j),
                                        code="unknown-indicator"))  # fmt: skip
    for t, table in enumerate(report.tables):
        for r, row in enumerate(table.rows):
            if row and not any(cell for cell in row):
                problems.append(
                    Problem(
                        f"表“{table.title}”的这一行全是空的；请删除这一行", ("tables", t, "rows", r), code="row-empty"
                    )
                )
            if len(row) != len(table.columns):
                problems.append(
                    Problem(
                        f"表“{table.title}”有 {len(table.columns)} 列，这一行却有 {len(row)} 个单元格",
                        ("tables", t, "rows", r),
                        code="row-length",
                    )
                )
    return problems


def _no_such_indicator(name: str, names: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.5)
    hint = f"；是否想写“{close[0]}”？" if close else "；请写“指标”中的名称"
    return f"没有名为“{name}”的指标{hint}"


def _problem(error: Any) -> Problem:
    loc: DataPath = tuple(error["loc"])
    kind = error["type"]
    found = _describe(error.get("input"))
    if kind == "missing":
        key = str(loc[-1])
        label = FIELD_LABELS.get(key)
        named = f"{label}（{key}）" if label else f"“{key}”"
        return Problem(f"缺少{named}，这一项必须填写", loc, code="missing")
    if kind == "extra_forbidden":
        return Problem(_unknown_key_message(loc), loc, code="unknown-key")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return Problem(f"应为“键: 值”形式的内容，实际是{found}", loc, code="type")
    if kind == "list_type":
        return Problem(f"应为列表（每项另起一行，以“- ”开头），实际是{found}", loc, code="type")
    if kind == "too_short":
        return Problem(f"至少要有 {error['ctx']['min_length']} 项", loc, code="too-short")
    if kind == "literal_error":
        return Problem(f"应为 {error['ctx']['expected']} 之一，实际是{found}", loc, code="choice")
    return Problem(error["msg"], loc, code=kind)


def _unknown_key_message(loc: DataPath) -> str:
    key = str(loc[-1])
    allowed = list(_model_at(loc[:-1]).model_fields) if _model_at(loc[:-1]) else []
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"未知的键“{key}”：是否想写“{close[0]}”？"
    listing = "、".join(allowed)
    return f"未知的键“{key}”：这里可以写的键有 {listing}" if listing else f"未知的键“{key}”"


def _model_at(path: DataPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (for listing the keys allowed there)."""
    current: Any = Report
    for part in path:
        current = _unwrap(current)
        if isinstance(part, int):
            args = [a for a in typing.get_args(current) if a is not type(None)]
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


__all__ = ["LEVELS", "Indicator", "Report", "parse_number", "validate_report"]
