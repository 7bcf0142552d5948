"""YAML reader: text -> raw structure with a line number for every value.

We only *compose* YAML into nodes and build the structure ourselves, so no YAML 1.1 rule ever changes a value:
``yes`` stays the text "yes", ``0123`` stays "0123", ``12:30`` stays "12:30" and ``13.0`` stays "13.0". Only an
empty value, ``~`` and ``null`` mean "nothing". Duplicate keys are problems, never a silent overwrite.
"""

from __future__ import annotations

import codecs
import stat
import sys
from pathlib import Path
from typing import Any

import yaml

from generator.errors import DataPath, Place, Problem, ReportError
from generator.sources.raw import RawDocument, display_name

MAX_BYTES = 20 * 1024 * 1024
# libyaml's parser when PyYAML was built with it (ten times faster); both give the same nodes and line marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Anchors and aliases let a small file expand without bound ("billion laughs"); a year's data is far below this.
MAX_NODES = 200_000
NULL_WORDS = {"", "~", "null", "Null", "NULL"}

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# PyYAML's messages, in words a person who edits the file can act on.
_YAML_HINTS = [
    ("nesting depth", "层次嵌套过深（方括号、花括号或缩进的层数太多），无法读取"),
    (
        "mapping values are not allowed",
        "这里不能出现“冒号+空格”。文字中含有半角冒号时，请把整段文字用引号括起来，或改用全角冒号“：”",
    ),
    ("found character '\\t'", "不能用 Tab 键缩进，请改用空格"),
    ("tab character", "不能用 Tab 键缩进，请改用空格"),
    ("did not find expected key", "缩进不一致：同一层的内容要对齐（文字中有“冒号+空格”时，请把整段文字用引号括起来）"),
    ("did not find expected '-' indicator", "列表的缩进不一致：同一个列表里的“- ”要上下对齐"),
    ("did not find expected node content", "这里缺少内容：可能多了一个“- ”或冒号"),
    ("could not find expected ':'", "缺少冒号，或上一行的引号没有配对"),
    ("expected <block end>", "缩进不一致：同一层的内容要对齐"),
    ("found undefined alias", "引用了未定义的别名（*名称）"),
    ("found unexpected end of stream", "文件意外结束：可能有引号或括号没有配对"),
    ("while scanning a quoted scalar", "引号没有配对"),
    ("expected a single document", "文件中只能有一份数据（不要使用 --- 分隔多份）"),
    ("found unhashable key", "键不能是列表或映射"),
    ("while parsing a flow", "方括号或花括号没有配对；文字以 [ 或 { 开头时请加引号"),
    (
        "found character that cannot start any token",
        "这一行以 YAML 的特殊符号（如 @、`、%）开头，请把整段文字用引号括起来",
    ),
    ("while scanning an alias", "以 * 开头的文字会被当作别名，请把整段文字用引号括起来"),
    ("while scanning an anchor", "以 & 开头的文字会被当作锚点，请把整段文字用引号括起来"),
    ("special characters are not allowed", "文件中有不允许的特殊字符（控制字符），请删除"),
    (
        "invalid Unicode character escape",
        "双引号中的 \\u 或 \\x 转义写的不是有效的字符（如单独的代理项 \\ud800），请删除或改正",
    ),
    ("unknown escape character", "双引号中的反斜杠 \\ 后面不是有效的转义；要写反斜杠本身请写两个 \\\\，或改用单引号"),
    ("while scanning a block scalar", "以 | 或 > 开头的多行文字写法不对；文字以 | 或 > 开头时请加引号"),
    ("while scanning a directive", "以 % 开头的行会被当作 YAML 指令，请把整段文字用引号括起来"),
    ("while scanning a tag", "以 ! 开头的文字会被当作标签，请把整段文字用引号括起来"),
    ("while scanning a simple key", "缺少冒号，或上一行的引号没有配对"),
    ("while scanning a plain scalar", "这段文字的写法无法识别；请把整段文字用引号括起来"),
    ("while parsing a block", "缩进不一致：同一层的内容要对齐"),
]
# What PyYAML says that none of the hints above covers still gets Chinese words (a newer PyYAML may word things
# differently); the line it names is kept.
_YAML_FALLBACK = "这里的写法无法识别（常见原因：缩进没有对齐、引号或括号没有配对、文字以特殊符号开头却没有加引号）"


def read_yaml(path: Path) -> RawDocument:
    name = display_name(path)
    data = _read_bytes(path, name)
    text, warnings = decode_text(data, name)
    if sum(text.count(mark) for mark in ",\n[{:-") > MAX_NODES:  # more separators than a year has items
        _count_nodes(text, name)
    fast = _read_plain(text)
    if fast is not None:
        structure, _count = fast
        return RawDocument(structure, path, warnings=warnings, find_places=lambda: _composed(text, name)[1].places)
    _root, builder, structure = _composed(text, name)
    doc = RawDocument(structure, path, builder.places, builder.problems, warnings)
    if not isinstance(structure, dict):
        raise ReportError(
            Problem("文件最外层应为“键: 值”形式的数据（如 year: 2019）", place=Place(name, 1), code="not-mapping")
        )
    return doc


def _composed(text: str, name: str) -> tuple[yaml.Node, _Builder, Any]:
    """The file composed into nodes and built with a place for every value: the way for every file the fast way
    does not take (see _read_plain), and for the places of one that it did, when a message needs them."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise ReportError(_syntax_problem(exc, name)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, pasted from another program
        position = exc.position if isinstance(exc.position, int) else 0
        if _LOADER is yaml.SafeLoader:
            line = text.count("\n", 0, position) + 1
        else:  # libyaml counts in bytes of UTF-8
            line = text.encode("utf-8").count(b"\n", 0, position) + 1
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "控制字符"
        message = f"YAML 格式错误：文字中有不允许的控制字符（{code}），多半是从别的程序粘贴来的，请删除"
        raise ReportError(Problem(message, place=Place(name, line), code="yaml-syntax")) from None
    except yaml.YAMLError:
        raise ReportError(Problem(f"YAML 格式错误：{_YAML_FALLBACK}", place=Place(name), code="yaml-syntax")) from None
    except RecursionError:
        raise ReportError(Problem("层次嵌套过深，无法读取", place=Place(name), code="too-deep")) from None
    if root is None:
        raise ReportError(Problem("文件是空的：没有任何数据", place=Place(name), code="empty-file"))
    builder = _Builder(name)
    try:
        structure = builder.build(root, ())
    except RecursionError:
        raise ReportError(Problem("层次嵌套过深，无法读取", place=Place(name), code="too-deep")) from None
    return root, builder, structure


class _NotPlain(Exception):
    """The file needs the full way: anchors or aliases, a key that is not text or comes twice, more than one
    document, too many items, or anything YAML itself refuses (the full way says it in its words)."""


def _read_plain(text: str) -> tuple[dict[str, Any], int] | None:
    """The common file — one mapping, no anchors, aliases or duplicate keys — read straight from the parser's
    events: no tree of nodes, no YAML type resolution, no place records (a 10,000-indicator year is 50,000 values;
    their places are worked out again only if a message needs one). None when the file needs the full way."""
    events = yaml.parse(text, Loader=_LOADER)
    count = 0

    def value(event: yaml.Event) -> Any:
        nonlocal count
        count += 1
        if count > MAX_NODES or getattr(event, "anchor", None) is not None:
            raise _NotPlain
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if not event.style and event.value in NULL_WORDS:  # plain: None in PyYAML, "" in libyaml
                return None
            return event.value
        if kind is yaml.SequenceStartEvent:
            items = []
            for item in events:
                if type(item) is yaml.SequenceEndEvent:
                    return items
                items.append(value(item))
        elif kind is yaml.MappingStartEvent:
            result: dict[str, Any] = {}
            for key in events:
                if type(key) is yaml.MappingEndEvent:
                    return result
                if type(key) is not yaml.ScalarEvent or key.anchor is not None or key.value in result:
                    raise _NotPlain
                count += 1
                # one copy of each key name (10,000 indicators are 40,000 keys): 2 MB of the year held less
                result[sys.intern(key.value)] = value(next(events))
        raise _NotPlain  # an alias, or a stream that ended early

    try:
        if type(next(events)) is not yaml.StreamStartEvent or type(next(events)) is not yaml.DocumentStartEvent:
            return None
        root = value(next(events))
        if type(next(events)) is not yaml.DocumentEndEvent or type(next(events)) is not yaml.StreamEndEvent:
            return None
    except (_NotPlain, yaml.YAMLError, StopIteration, RecursionError):
        return None
    if not isinstance(root, dict):
        return None
    return root, count


def _count_nodes(text: str, name: str) -> None:
    """Refuse a file of more than MAX_NODES items before composing it: composing builds every node at once (an
    18 MB file of short items took 28 s and 2.8 GB), counting parse events keeps none of them."""
    count = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.NodeEvent):  # scalars, aliases, starts of lists and mappings
                count += 1
                if count > MAX_NODES:
                    raise ReportError(
                        Problem(
                            f"数据项过多（超过 {MAX_NODES} 项），一年的数据不会有这么多；文件不会被读取",
                            place=Place(name, event.start_mark.line + 1),
                            code="too-many-items",
                        )
                    )
    except yaml.YAMLError:
        return  # composing reports it, with the words for it


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        info = path.stat()
        size = info.st_size
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            # a named pipe blocks reading for ever, a device (/dev/zero) never ends: refuse before opening
            raise ReportError(
                Problem("这不是普通文件（而是管道或设备），不是数据文件", place=Place(name), code="not-file")
            )
        if size > MAX_BYTES:
            raise ReportError(
                Problem(
                    f"文件过大（{size // 1024 // 1024} MB），一年的数据不应超过 20 MB",
                    place=Place(name),
                    code="too-large",
                )
            )
        return path.read_bytes()
    except ReportError:
        raise
    except IsADirectoryError:
        raise ReportError(Problem("这是一个文件夹，不是数据文件", place=Place(name), code="not-file")) from None
    except FileNotFoundError:
        raise ReportError(Problem("找不到这个文件", place=Place(name), code="not-found")) from None
    except PermissionError:
        raise ReportError(Problem("没有读取这个文件的权限", place=Place(name), code="no-permission")) from None
    except OSError as exc:
        raise ReportError(Problem(f"无法读取文件：{exc.strerror}", place=Place(name), code="unreadable")) from None


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM) and UTF-16/32 with BOM; GBK/GB18030, as Chinese Windows editors save, with a
    warning; anything else is refused with a message that says what to do."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:8192]:
        raise ReportError(
            Problem("这不是文本文件（含有二进制内容），YAML 数据应为文本", place=Place(name), code="binary")
        )
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    line = data[: utf8_error.start].count(b"\n") + 1
    if _mostly_utf8(data):
        # GB18030 decodes almost any bytes: a UTF-8 file with a few damaged bytes would become gibberish
        raise ReportError(
            Problem(
                "文件是 UTF-8 编码，但这一行有损坏的字节（可能是复制或保存时出错）；请在编辑器中找到并改正这一行",
                place=Place(name, line),
                code="encoding",
            )
        )
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ReportError(
            Problem(
                "文件编码无法识别：既不是 UTF-8，也不是 GBK。请在编辑器中“另存为”UTF-8 编码",
                place=Place(name, line),
                code="encoding",
            )
        ) from None
    return text, [f"{name}：文件不是 UTF-8 编码，已按 GBK（GB18030）读取；建议在编辑器中另存为 UTF-8"]


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few bad bytes, rather than GBK: GBK text read as UTF-8 gives far more errors than characters."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return sum(1 for ch in text if ch > "\x7f") - bad > 4 * bad


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
    hint = next((h for key, h in _YAML_HINTS if key in detail), None)
    message = f"YAML 格式错误：{hint or _YAML_FALLBACK}"
    return Problem(message, place=Place(name, line), code="yaml-syntax")


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.places: dict[DataPath, Place] = {}
        self.problems: list[Problem] = []
        self.count = 0

    def place(self, node: yaml.Node) -> Place:
        return Place(self.name, node.start_mark.line + 1)

    def build(self, node: yaml.Node, path: DataPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ReportError(
                Problem(
                    f"数据项过多（超过 {MAX_NODES} 项，别名 &、* 引用的内容每次都重新计数），文件不会被读取",
                    place=self.place(node),
                    code="alias-bomb",
                )
            )
        self.places.setdefault(path, self.place(node))
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.value in NULL_WORDS:  # plain: None in PyYAML, "" in libyaml
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem("键必须是文字", place=self.place(key_node), code="bad-key"))
                continue
            key = key_node.value
            key_place = self.place(key_node)
            if key in result:
                self.problems.append(
                    Problem(
                        f"键“{key}”重复出现（第一次在第 {first_line[key]} 行）；每个键只能写一次",
                        place=key_place,
                        code="duplicate-key",
                    )
                )
                continue
            first_line[key] = key_place.line or 0
            self.places[(*path, key)] = key_place
            result[key] = self.build(value_node, (*path, key))
        return result
