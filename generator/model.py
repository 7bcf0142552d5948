"""The one validated model of a year's report: every failure a Problem with its data path, all of them at once.

Both readers hand over text exactly as the user typed it; the fields here decide what it means. Numbers are
Decimal from the typed text, so ``13.0`` keeps its precision and no float ever rounds a figure.

The validation is our own, a few small classes rather than a library: the model is eleven flat records whose every
field is "convert this value or say why not", and a validation library (pydantic, used until issue 11) cost 0.12 s of
every start of the command, more than the rest of a report's work. Its messages were translated into ours anyway.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, ClassVar

from generator.errors import DataPath, Problem


class Invalid(ValueError):
    """A value that does not fit its field: what is wrong, in the user's words, and a short code for tests."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _invalid(code: str, template: str, values: dict[str, Any]) -> Invalid:
    return Invalid(code, template.format(**values))


# ---------------------------------------------------------------------------------------------------------------
# Values as people type them

# Characters XML 1.0 cannot hold (control characters pasted from other programs, lone surrogates): dropped, or
# Word refuses the whole document. Written as the few characters excluded, not as "all but what XML allows": the
# same set, and a negated class over all of Unicode takes milliseconds to compile at every start.
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")  # \r too: line ends are unified first
_C1_CONTROLS = re.compile("[\x7f-\x9f]")
_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # both of the above
MAX_TEXT = 200_000  # characters in one text field; far above any real paragraph, well below trouble


_MAX_INT_BITS = 13_000  # about 3,900 digits: Python refuses to make an int of more than 4,300 digits text


def _as_text(value: Any) -> str:
    """str(value), but an integer too long to become text (from the Python API) is said to be one, not a crash."""
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise _invalid(
            "number_range", "数字过大（约 {digits} 位），超出范围", {"digits": int(value.bit_length() * 0.30103)}
        )
    return str(value)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "“键: 值”形式的内容"
    if isinstance(value, list):
        return "一个列表"
    if value is None:
        return "空值"
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        return f"一个约 {int(value.bit_length() * 0.30103)} 位的数字"
    text = str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def clean_text(value: Any) -> str:
    """Text as it may stand in a Word document: line ends unified, control characters removed, trimmed."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _invalid("text_type", "应为一段文字，实际是{found}", {"found": _describe(value)})
    text = _as_text(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _C1_CONTROLS.sub("", _NOT_XML.sub("", text))
    if len(text) > MAX_TEXT:
        raise _invalid(
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
        raise _invalid("empty_text", "不能为空", {})
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
        raise _invalid("empty_text", "不能为空（只有看不见的字符）", {})
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
        raise _invalid(
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
        raise _invalid("number_type", "应为数字，实际是{found}", {"found": _describe(value)})
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
            raise _invalid("number_parsing", "{found} 不是数字", {"found": _describe(value)})
        number = Decimal(text)
    else:
        raise _invalid("number_type", "应为数字，实际是{found}", {"found": _describe(value)})
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise _invalid("number_range", "数字{found}超出范围", {"found": _describe(value)})
    if -number.as_tuple().exponent > MAX_DECIMALS:  # type: ignore[operator]  # finite: the exponent is an int
        raise _invalid(
            "number_decimals",
            "数字{found}的小数位数过多（最多 {limit} 位；在工作簿中，也可能是单元格格式显示了太多位小数）",
            {"found": _describe(value), "limit": MAX_DECIMALS},
        )
    return number


def _year(value: Any) -> int:
    try:
        number = parse_number(value)
    except Invalid:
        number = None
    if number is None or number != number.to_integral_value() or not 1900 <= number <= 2200:
        raise _invalid("year", "应为四位年份（如 2019），实际是{found}", {"found": _describe(value)})
    return int(number)


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s+\d{1,2}:\d{2}(:\d{2})?)?")


def _date(value: Any) -> dt.date | None:
    """2020-01-15, 2020/1/15, 2020.1.15, 2020年1月15日 (and a date cell's 2020-01-15 00:00:00)."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    if not text:
        return None
    found = _DATE.fullmatch(text)
    try:
        if found:
            return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        pass
    raise _invalid("date", "应为日期，如 2020-01-15 或 2020年1月15日，实际是{found}", {"found": _describe(value)})


_TRUE = {"true", "yes", "y", "on", "1", "是", "对", "√", "✓"}
_FALSE = {"false", "no", "n", "off", "0", "否", "不", "×", "✗"}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _as_text(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _invalid("flag", "应为“是”或“否”（true / false），实际是{found}", {"found": _describe(value)})


def _choice(aliases: dict[str, str], label: str) -> Callable[[Any], str]:
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
        raise _invalid(
            "choice",
            "{label}应为以下之一：{allowed}，实际是{found}",
            {"label": label, "allowed": allowed, "found": _describe(value)},
        )

    return pick


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

# ---------------------------------------------------------------------------------------------------------------
# How a field is checked: a value converted, a list of items, a nested record. Each shape says what it found wrong
# into ``problems`` at its data path and returns _FAILED, so that one pass finds every problem.

_FAILED: Any = object()
_REQUIRED: Any = object()


class _Shape:
    def check(self, value: Any, path: DataPath, problems: list[Problem]) -> Any:
        raise NotImplementedError


class _Value(_Shape):
    def __init__(self, convert: Callable[[Any], Any]) -> None:
        self.convert = convert

    def check(self, value: Any, path: DataPath, problems: list[Problem]) -> Any:
        try:
            return self.convert(value)
        except Invalid as wrong:
            problems.append(Problem(wrong.message, path, code=wrong.code))
            return _FAILED


class _List(_Shape):
    def __init__(self, item: _Shape, before: Callable[[Any], Any] | None = None, min_length: int = 0) -> None:
        self.item, self.before, self.min_length = item, before, min_length

    def check(self, value: Any, path: DataPath, problems: list[Problem]) -> Any:
        if self.before is not None:
            try:
                value = self.before(value)
            except Invalid as wrong:
                problems.append(Problem(wrong.message, path, code=wrong.code))
                return _FAILED
        if not isinstance(value, list | tuple):
            found = _describe(value)
            problems.append(Problem(f"应为列表（每项另起一行，以“- ”开头），实际是{found}", path, code="type"))
            return _FAILED
        items = [self.item.check(item, (*path, i), problems) for i, item in enumerate(value)]
        if len(items) < self.min_length:
            problems.append(Problem(f"至少要有 {self.min_length} 项", path, code="too-short"))
            return _FAILED
        return _FAILED if any(item is _FAILED for item in items) else items


class _Nested(_Shape):
    def __init__(self, record: type[_Record], optional: bool = False) -> None:
        self.record, self.optional = record, optional

    def check(self, value: Any, path: DataPath, problems: list[Problem]) -> Any:
        if value is None and self.optional:
            return None
        return self.record._checked(value, path, problems)


class _Field:
    def __init__(self, shape: _Shape, default: Any = _REQUIRED) -> None:
        self.shape, self.default = shape, default

    def default_value(self) -> Any:
        return list(self.default) if isinstance(self.default, list) else self.default


def _field(convert: Callable[[Any], Any], default: Any = _REQUIRED) -> Any:
    return _Field(_Value(convert), default)


def _list(item: Callable[[Any], Any] | _Shape, default: Any = _REQUIRED, *, before: Callable[[Any], Any] | None = None,
          min_length: int = 0) -> Any:  # fmt: skip
    shape = item if isinstance(item, _Shape) else _Value(item)
    return _Field(_List(shape, before, min_length), default)


def _record(record: type[_Record], default: Any = _REQUIRED) -> Any:
    return _Field(_Nested(record, optional=default is None), default)


class _Record:
    """A frozen record whose fields are declared as class attributes (``name: str = _field(convert)``), in order."""

    model_fields: ClassVar[dict[str, _Field]] = {}

    def __init_subclass__(cls) -> None:
        cls.model_fields = {name: value for name, value in vars(cls).items() if isinstance(value, _Field)}
        for name in cls.model_fields:
            delattr(cls, name)

    @classmethod
    def _checked(cls, data: Any, path: DataPath, problems: list[Problem]) -> Any:
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            problems.append(Problem(f"应为“键: 值”形式的内容，实际是{_describe(data)}", path, code="type"))
            return _FAILED
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            if name in data:
                values[name] = field.shape.check(data[name], (*path, name), problems)
            elif field.default is _REQUIRED:
                label = FIELD_LABELS.get(name)
                named = f"{label}（{name}）" if label else f"“{name}”"
                problems.append(Problem(f"缺少{named}，这一项必须填写", (*path, name), code="missing"))
                values[name] = _FAILED
            else:
                values[name] = field.default_value()
        for key in data:
            if key not in cls.model_fields:
                problems.append(Problem(_unknown_key_message(key, cls), (*path, key), code="unknown-key"))
                values[key] = _FAILED
        if any(value is _FAILED for value in values.values()):
            return _FAILED
        return cls._made(values)

    @classmethod
    def _made(cls, values: dict[str, Any]) -> Any:
        record = object.__new__(cls)
        object.__setattr__(record, "__dict__", values)
        return record

    @classmethod
    def model_validate(cls, data: Any) -> Any:
        """The record from raw data, or ``InvalidData`` carrying every problem."""
        problems: list[Problem] = []
        record = cls._checked(data, (), problems)
        if record is _FAILED:
            raise InvalidData(problems)
        return record

    def model_copy(self, update: dict[str, Any] | None = None) -> Any:
        """A copy with some fields replaced (not checked again, as the caller builds them from checked values)."""
        return self._made({**self.__dict__, **(update or {})})

    def model_dump(self, mode: str = "python", exclude_defaults: bool = False) -> dict[str, Any]:
        """Plain dicts and lists; ``mode="json"`` also makes numbers and dates text, as JSON holds them."""
        dumped = {}
        for name, field in self.model_fields.items():
            value = self.__dict__[name]
            if exclude_defaults and field.default is not _REQUIRED and value == field.default:
                continue
            dumped[name] = _dumped(value, mode, exclude_defaults)
        return dumped

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((type(self), tuple(_hashable(v) for v in self.__dict__.values())))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


class InvalidData(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def _dumped(value: Any, mode: str, exclude_defaults: bool) -> Any:
    if isinstance(value, _Record):
        return value.model_dump(mode, exclude_defaults)
    if isinstance(value, list):
        return [_dumped(item, mode, exclude_defaults) for item in value]
    if mode == "json" and isinstance(value, Decimal):
        return str(value)
    if mode == "json" and isinstance(value, dt.date):
        return value.isoformat()
    return value


def _hashable(value: Any) -> Any:
    return tuple(_hashable(item) for item in value) if isinstance(value, list) else value


def _text(default: Any = _REQUIRED) -> Any:
    return _field(_required_text, default)


def _optional(default: str = "") -> Any:
    return _field(_optional_text, default)


def _paragraph_list(min_length: int = 0) -> Any:
    return _list(_required_text, [] if min_length == 0 else _REQUIRED, before=_paragraphs, min_length=min_length)


# ---------------------------------------------------------------------------------------------------------------
# The model. Keys are the public YAML contract (PRODUCT.md): add freely, never rename.


class Organization(_Record):
    name: str = _text()
    short_name: str = _optional()

    @property
    def short(self) -> str:
        """What the text calls the unit itself (市公安局); the full name when none is given."""
        return self.short_name or self.name


class Subsection(_Record):
    """A part of a section under a second-level heading: （一）（二） in the formal report."""

    heading: str = _text()
    paragraphs: list[str] = _paragraph_list(min_length=1)


class Section(_Record):
    heading: str = _text()
    paragraphs: list[str] = _paragraph_list()  # before the first second-level heading; may be empty before subsections
    subsections: list[Subsection] = _list(_Nested(Subsection), [])


class Outlook(_Record):
    heading: str = _optional()
    paragraphs: list[str] = _paragraph_list(min_length=1)


class Indicator(_Record):
    name: str = _field(_name)
    unit: str = _optional()
    value: Decimal | None = _field(parse_number, None)
    previous: Decimal | None = _field(parse_number, None)
    change: Decimal | None = _field(parse_number, None)  # stated change: % for counts, 个百分点 for rates
    kind: str = _field(_choice(KIND_ALIASES, "类型"), "count")  # count or rate
    in_summary: bool = _field(_flag, True)


class Honor(_Record):
    recipient: str = _text()
    honor: str = _text()
    level: str = _field(_choice(LEVEL_ALIASES, "级别"))


class Photo(_Record):
    file: str = _text()
    caption: str = _optional()


class Byline(_Record):
    label: str = _text("通讯员")
    names: list[str] = _list(_required_text, before=_names, min_length=1)


class Table(_Record):
    title: str = _text()
    columns: list[str] = _list(_required_text, min_length=1)
    rows: list[list[str]] = _list(_List(_Value(_optional_text)), [])


class Chart(_Record):
    """An editable Word chart: this year against last (compare) or every year on file (trend)."""

    title: str = _text()
    kind: str = _field(_choice(CHART_KINDS, "图表类型"), "compare")  # compare or trend
    indicators: list[str] = _list(_name, before=_indicator_names, min_length=1)


class Report(_Record):
    organization: Organization = _record(Organization)
    year: int = _field(_year)
    kicker: str = _optional()
    headline: str = _text()
    subtitle: str = _optional()
    lead: list[str] = _paragraph_list()
    event: list[str] = _paragraph_list()
    sections: list[Section] = _list(_Nested(Section), min_length=1)
    outlook: Outlook | None = _record(Outlook, None)
    indicators: list[Indicator] = _list(_Nested(Indicator), [])
    honors: list[Honor] = _list(_Nested(Honor), [])
    photos: list[Photo] = _list(_Nested(Photo), [])
    byline: Byline | None = _record(Byline, None)
    tables: list[Table] = _list(_Nested(Table), [])
    trend: list[str] = _list(_name, [], before=_indicator_names)  # indicators in the 历年趋势 table
    charts: list[Chart] = _list(_Nested(Chart), [])
    title: str = _optional()  # the formal report's title; 单位 + 年份 + 年工作总结 when empty
    date: dt.date | None = _field(_date, None)  # the formal report's 成文日期


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
    problems: list[Problem] = []
    report = Report._checked(data, (), problems)
    if report is _FAILED:
        return None, [*problems, *empty]
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
                    f"指标“{indicator.name}”还没有填写：至少要填本年数值或同比变化",
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


def _unknown_key_message(key: Any, record: type[_Record]) -> str:
    allowed = list(record.model_fields)
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        return f"未知的键“{key}”：是否想写“{close[0]}”？"
    return f"未知的键“{key}”：这里可以写的键有 {'、'.join(allowed)}"


__all__ = ["LEVELS", "Indicator", "Invalid", "InvalidData", "Report", "parse_number", "validate_report"]
