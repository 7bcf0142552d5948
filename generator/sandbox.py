"""The one Jinja sandbox, for expressions in data and for Word templates alike.

Templates and data come from strangers. Beyond Jinja's immutable sandbox (no Python internals; include, import and
extends find no file), an expression may only call what a report needs, and nothing may take the machine:

- an allow-list of callables: the filters, functions and methods of text, lists and dicts listed below, our own
  helpers (同比, 约, …) and macros; anything else is refused by name;
- sizes are checked *before* each operation that makes something: ``*``, ``**``, ``+``, ``%``, ``~``, every filter
  and method; no single result may exceed MAX_SIZE characters (or items, counted through nested lists) unless it is
  no larger than what went in (a table's XML passed along);
- everything one render (or all the parts of a report together) makes is added up (``work_limit``), what it writes
  is capped in bytes of memory (``max_output``), and a render that runs too long (loops in loops) is stopped;
- around rendering, the address space of the process is capped (``memory_ceiling``): an allocation that escapes
  the checks above fails with MemoryError, which becomes a message naming the text, instead of taking the machine.

``failure_message`` words whatever an expression raised in Chinese, for data and templates alike.
"""

from __future__ import annotations

import contextlib
import decimal
import functools
import hashlib
import itertools
import os
import re
import signal
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, Template, TemplateSyntaxError
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError, TemplateRuntimeError, UndefinedError
from jinja2.filters import FILTERS
from jinja2.nodes import Concat
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import Namespace

try:
    import resource
except ImportError:  # Windows: no address-space ceiling, the size checks still hold
    resource = None  # type: ignore[assignment]

MAX_SIZE = 200_000  # characters or items a single operation may make
# What one render may write, in bytes of memory (a character takes 1, 2 or 4): a 10,000-indicator report's body is
# about 15 million characters, 30 MB.
MAX_OUTPUT = 64_000_000
TEXT_TIME_LIMIT = 2.0  # seconds for one text in the data (an expression takes microseconds)
TEXT_MAX_OUTPUT = 4_000_000  # one text in the data (two million Chinese characters)
MAX_WORK = 40_000_000  # characters (or items) all operations of one render may make together
MAX_EXPONENT = 64
MAX_INT_BITS = 15_000  # about 4500 digits: Python will not even print a larger number
MEMORY_LIMIT = 400 * 1024 * 1024  # resident memory the process may reach while rendering (the README says 500 MB)
MIN_HEADROOM = 96 * 1024 * 1024  # what a render may always allocate, however much the process holds already

# Characters XML 1.0 cannot hold: a document.xml with one of them is one Word and LibreOffice refuse to open. (All
# but \t \n \r, U+0020–U+D7FF, U+E000–U+FFFD and the supplementary planes; listed so, it compiles in microseconds.)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ForbiddenCharacter(SecurityError):
    """An expression produced a character a Word document cannot hold."""


class TimeLimit(SecurityError):
    pass


class WorkLimit(SecurityError):
    pass


def not_xml_message(text: str) -> str | None:
    found = NOT_XML.search(text)
    if found is None:
        return None
    return f"生成了 Word 文档不能容纳的字符（U+{ord(found.group()):04X}，控制字符或孤立的代理项）"


# --- sizes ----------------------------------------------------------------------------------------------------------


def size(value: Any, seen: dict[int, int] | None = None) -> int:
    """Characters of a text, or items of a list counted through its nested lists: what writing it out costs.
    A shared sublist counts each time it appears ([x] * 1000 is 1000 times x) but is measured once, so measuring
    costs no more than the objects that exist."""
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if not isinstance(value, list | tuple | dict | set | frozenset):
        return 1
    seen = {} if seen is None else seen
    key = id(value)
    if key not in seen:
        seen[key] = 0  # a list that holds itself counts once
        items = list(value.items()) if isinstance(value, dict) else value
        seen[key] = len(items) + sum(size(item, seen) for item in items)
    return seen[key]


def _sizes(values: Iterable[Any]) -> int:
    seen: dict[int, int] = {}
    return sum(size(v, seen) for v in values)


def _refuse_if(condition: bool, message: str) -> None:
    if condition:
        raise SecurityError(message)


def _check_growth(result: Any, inputs: list[Any], what: str = "生成的内容过长") -> int:
    """Refuse a result over MAX_SIZE that is bigger than what went in: passing a large text (a table's XML) along
    is fine, making one is not. Returns the result's size."""
    produced = size(result)
    if produced > MAX_SIZE and produced > _sizes(inputs):
        raise SecurityError(what)
    return produced


def _bounded_list(value: Any, characters: bool = False) -> Any:
    """A lazy sequence (map, select, a generator, a dict's values) as a list, refused as soon as what it yields grows
    past MAX_SIZE; lists, tuples, dicts and texts are left as they are. With ``characters`` (a filter that takes a
    text apart, one object per character) a text longer than MAX_SIZE is refused."""
    if isinstance(value, str):
        _refuse_if(characters and len(value) > MAX_SIZE, "要逐字处理的文字过长")
        return value
    if isinstance(value, list | tuple | dict) or not isinstance(value, Iterable):
        return value  # measured as it is; anything else (a generator, range, dict view, set) is taken item by item
    items: list[Any] = []
    total = 0
    for item in value:
        total += size(item) + 1
        _refuse_if(total > MAX_SIZE, "生成的列表过长")
        items.append(item)
    return items


# --- filters ----------------------------------------------------------------------------------------------------

# Filters a report can use (Jinja's own; our helpers 同比, 万, 约, 中文 are added by the data's expander). Each has a
# check that runs before it: ``check(environment, value, *args, **kwargs)`` raises SecurityError if what it would
# make is too large. Filters not listed are refused with their name.


def _check_join(value: Any, separator: Any = "", attribute: Any = None) -> None:
    joined = size(value) + (len(separator) if isinstance(separator, str) else 0) * len(value)
    _refuse_if(joined > max(MAX_SIZE, size(value)), "连接生成的文字过长")


def _replace_size(text: Any, old: Any, new: Any, count: Any = None) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    times = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        times = min(times, count)
    return len(text) + times * max(len(new) - len(old), 0)


def _check_replace(value: Any, old: Any = "", new: Any = "", count: Any = None) -> None:
    _refuse_if(_replace_size(value, old, new, count) > max(MAX_SIZE, size(value)), "替换生成的文字过长")


def _check_batch(value: Any, linecount: Any = 1, fill_with: Any = None) -> None:
    _refuse_if(not isinstance(linecount, int), "batch 的每组个数应为整数")
    if fill_with is not None:
        _refuse_if(linecount * (size(fill_with) + 1) > MAX_SIZE, "batch 补齐生成的内容过长")


def _check_slice(value: Any, slices: Any = 1, fill_with: Any = None) -> None:
    _refuse_if(not isinstance(slices, int), "slice 的组数应为整数")
    _refuse_if(slices * (size(fill_with) + 1) > MAX_SIZE, "slice 的组数过多")


def _check_string(value: Any) -> None:
    _refuse_if(size(value) > MAX_SIZE and not isinstance(value, str), "转换成文字的内容过长")


@functools.cache
def _sizes_of(kind: type) -> tuple[int, int]:
    """What a one-character text of ``kind`` (str, Markup) takes with two-byte and with four-byte characters."""
    return sys.getsizeof(kind("长")), sys.getsizeof(kind("😀"))


def _width(text: str) -> int:
    """Bytes a character of ``text`` takes in memory (1, 2 or 4), from its size: Python does not say it directly."""
    if text.isascii():
        return 1
    two, four = _sizes_of(type(text))
    size = sys.getsizeof(text) - len(text)
    if size == four + 3 * len(text) - 4:
        return 4
    return 2 if size == two + len(text) - 2 else 1


def _template_line(frame: Any) -> int | None:
    """The template line a frame of template code is at; between two lines (a loop's jump back, where Python
    records no line and Jinja could not say) the line before."""
    template = frame.f_globals.get("__jinja_template__")
    if template is None:
        return None
    line = frame.f_lineno
    if line is None:
        for start, _, number in frame.f_code.co_lines():
            if start > frame.f_lasti:
                break
            line = number if number is not None else line
    try:
        return int(template.get_corresponding_lineno(line)) if line is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


def _writing_line(pieces: Any) -> int | None:
    """The template line a suspended render was writing at (the innermost generator), for messages."""
    while getattr(pieces, "gi_yieldfrom", None) is not None and hasattr(pieces.gi_yieldfrom, "gi_frame"):
        pieces = pieces.gi_yieldfrom
    frame = getattr(pieces, "gi_frame", None)
    return _template_line(frame) if frame is not None else None


def _none(*args: Any, **kwargs: Any) -> None:
    return None


def _linear_sum(function: Callable[..., Any]) -> Callable[..., Any]:
    """sum(start=[]) adds lists one to the next in C, in time that grows with the square of the items (and no
    alarm stops a C call): lists and tuples are joined in one pass instead."""

    @functools.wraps(function)
    def summed(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        if not isinstance(start, list | tuple):
            return function(environment, iterable, attribute, start)
        if attribute is not None:
            iterable = [environment.getattr(item, attribute) for item in iterable]
        items = list(iterable)
        _refuse_if(size(start) + _sizes(items) > MAX_SIZE, "求和生成的列表过长")
        if not all(isinstance(item, type(start)) for item in items):
            raise TypeError("sum: items are not all of the start's type")
        return type(start)(itertools.chain(start, *items))

    return summed


FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "abs": _none, "capitalize": _none, "count": _none, "d": _none, "default": _none, "dictsort": _none,
    "e": _none, "escape": _none, "first": _none, "float": _none, "forceescape": _none, "groupby": _none,
    "int": _none, "items": _none, "join": _check_join, "last": _none, "length": _none, "list": _none,
    "lower": _none, "map": _none, "max": _none, "min": _none, "reject": _none, "rejectattr": _none,
    "replace": _check_replace, "reverse": _none, "round": _none, "select": _none, "selectattr": _none,
    "slice": _check_slice, "batch": _check_batch, "sort": _none, "string": _check_string, "striptags": _none,
    "sum": _none, "title": _none, "trim": _none, "truncate": _none, "unique": _none, "upper": _none,
    "wordcount": _none,
}  # fmt: skip
# Filters that take their value lazily and stay lazy: the filters after them take what they yield, bounded.
_LAZY_FILTERS = {"map", "select", "reject", "selectattr", "rejectattr", "first", "d", "default"}
# Filters that take a text apart into characters (a list of 20 million one-character texts is gigabytes).
_CHARACTER_FILTERS = {"list", "sort", "unique", "batch", "slice", "groupby", "join", "sum", "max", "min"}


def _guard_filter(name: str, function: Callable[..., Any], check: Callable[..., None]) -> Callable[..., Any]:
    """A filter whose arguments are checked before it runs and whose result is measured after."""
    passes = getattr(function, "jinja_pass_arg", None)
    if name == "sum":
        function = _linear_sum(function)

    @functools.wraps(function)  # keeps jinja_pass_arg: Jinja still passes the context first where it should
    def guarded(*args: Any, **kwargs: Any) -> Any:
        head, args = (args[:1], args[1:]) if passes is not None else ((), args)
        if args and name not in _LAZY_FILTERS:
            args = (_bounded_list(args[0], name in _CHARACTER_FILTERS), *args[1:])
        check(*args, **kwargs)
        result = function(*head, *args, **kwargs)
        values = [*args, *kwargs.values()]
        if isinstance(result, str | list | tuple | dict):
            _charge(head[0] if head else None, _check_growth(result, values))
        if isinstance(result, str) and NOT_XML.search(result):  # a {% filter %} block writes it unseen by finalize
            raise ForbiddenCharacter(not_xml_message(result) or "")
        return result

    return guarded


def _refused_filter(name: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise SecurityError(f"不允许使用过滤器“{name}”")

    return refused


def _charge(passed: Any, amount: int) -> None:
    """Adds to the work of the render the filter runs in (the environment reached through what Jinja passed)."""
    environment = getattr(passed, "environment", passed)
    if isinstance(environment, ReportSandbox):
        environment.charge(amount)


# --- methods ------------------------------------------------------------------------------------------------------

_TEXT_METHODS = frozenset({
    "capitalize", "casefold", "center", "count", "endswith", "find", "index", "isalnum", "isalpha", "isascii",
    "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper",
    "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
    "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "striptags",
    "swapcase", "title", "unescape", "upper", "zfill",
})  # fmt: skip
_SEQUENCE_METHODS = frozenset({"count", "index"})
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
_PADDING = {"center", "ljust", "rjust", "zfill"}
_SPLITS = {"split", "rsplit", "splitlines"}


def _check_text_method(text: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    limit = max(MAX_SIZE, len(text))
    if name in _PADDING:
        width = args[0] if args else kwargs.get("width", 0)
        _refuse_if(isinstance(width, int) and width > limit, "补齐生成的文字过长")
    elif name == "replace":
        _refuse_if(_replace_size(text, *args[:3]) > limit, "替换生成的文字过长")
    elif name == "join" and args and isinstance(args[0], Sized):
        items = args[0]
        _refuse_if(size(items) + len(text) * len(items) > max(MAX_SIZE, size(items)), "连接生成的文字过长")
    elif name in _SPLITS and len(text) > MAX_SIZE:
        most = args[1] if len(args) > 1 else kwargs.get("maxsplit", -1)
        _refuse_if(not (isinstance(most, int) and 0 <= most <= MAX_SIZE), "要拆分的文字过长")


class ReportSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})
    intercepted_unops = frozenset()
    time_limit = 8.0  # seconds one render (or, with a deadline, all renders together) may take
    max_output = MAX_OUTPUT
    work_limit = MAX_WORK

    def __init__(self, plain_types: tuple[type, ...] = (), **options: Any) -> None:
        options.setdefault("loader", _NoFiles())
        super().__init__(undefined=StrictUndefined, finalize=_finalize, **options)
        # Types holding nothing but data (our rows and records, dicts): their public fields are read directly,
        # which matters when a template loops over 10,000 table rows.
        self.plain_types = frozenset(plain_types)
        self.filters = {name: _refused_filter(name) for name in FILTERS}
        self.filters.update({name: _guard_filter(name, FILTERS[name], check) for name, check in FILTER_CHECKS.items()})
        self.globals = {"range": safe_range, "dict": dict, "namespace": Namespace}
        self.functions: set[Any] = {safe_range, dict, Namespace}  # what may be called besides methods and macros
        self.methods: dict[type, frozenset[str]] = {}  # our own types' methods an expression may call
        self.deadline: float | None = None  # when all renders must be done (a build's time budget)
        self.stoppable: set[Any] = set()  # code objects besides templates' that the time limit may stop
        self.work = 0
        self.written = 0
        self._active = False

    def allow(self, function: Callable[..., Any]) -> None:
        """Let expressions call ``function`` (a helper such as 同比)."""
        self.functions.add(function)

    def count_written(self, text: str) -> None:
        """What the renders under one set of limits (the parts of one report) wrote together, capped as one."""
        self.written += len(text) * _width(text)
        if self.written > self.max_output:
            raise SecurityError("生成的内容过长")

    def charge(self, amount: int) -> None:
        """Counts what an operation made; the render is refused once all it made together passes work_limit."""
        self.work += amount
        if self.work > self.work_limit:
            raise WorkLimit("计算过程中生成的内容总量过大")

    # -- operators --

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        numbers = (int, float, decimal.Decimal)
        if operator == "**" and isinstance(right, numbers) and abs(right) > MAX_EXPONENT:
            raise SecurityError("乘方的指数过大")
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            _refuse_if(left.bit_length() * abs(right) > MAX_INT_BITS, "乘方的结果过大")
        if operator == "%" and isinstance(left, str | bytes):
            raise SecurityError("不支持用 % 格式化文字，请用 ~ 连接")
        if operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                _refuse_if(left.bit_length() + right.bit_length() > MAX_INT_BITS, "乘积过大")
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | bytes | bytearray | list | tuple) and isinstance(times, int):
                    made = size(sequence) * times
                    _refuse_if(made > MAX_SIZE, "重复生成的内容过长")
                    self.charge(made)
        if operator == "+" and isinstance(left, str | bytes | list | tuple):
            made = _sizes((left, right))
            _refuse_if(made > MAX_SIZE, "相加生成的内容过长")
            self.charge(made)
        return super().call_binop(context, operator, left, right)

    def measured(self, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        """The parts of a ~ before they are joined: refused if the text would be too long."""
        made = _sizes(parts)
        _refuse_if(made > MAX_SIZE, "用 ~ 连接生成的文字过长")
        self.charge(made)
        return parts

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]  # all a render (or block) writes
        """The pieces a render writes, measured one by one as they come (each {{ }} of a long text may be a new
        copy of it) in bytes of memory: a character of emoji takes four, and once one is in, so does every
        character of the joined text."""
        collected: list[str] = []
        append = collected.append
        characters = 0
        width = 0  # worked out only once the text is long enough for it to matter
        carefree = self.max_output // 4
        pieces = iter(parts)
        try:
            for piece in pieces:
                characters += len(piece)
                append(piece)
                if characters > carefree:
                    width = max(width, _width(piece)) if width else max(map(_width, collected))
                    if characters * width > self.max_output:
                        raise SecurityError("生成的内容过长")
                    if self.work + characters > self.work_limit:
                        raise WorkLimit("计算过程中生成的内容总量过大")
            self.charge(characters)
        except SecurityError as exc:
            exc.template_line = _writing_line(pieces)  # type: ignore[attr-defined]  # no template frame is on the stack
            raise
        return "".join(collected)

    # -- attributes, items and calls --

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind in self.plain_types and attribute[:1] != "_":
            if kind is dict:
                if attribute in obj:
                    return obj[attribute]
            elif attribute in getattr(kind, "__dataclass_fields__", ()):
                return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if isinstance(argument, slice) and isinstance(value, str | list | tuple):
            self.charge(len(value))
        return value

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str) and name in _TEXT_METHODS:
            if name == "join" and args:
                args = (_bounded_list(args[0], characters=True), *args[1:])
            _check_text_method(owner, name, args, kwargs)
        elif not __self._callable(__obj, owner, name):
            raise SecurityError(_not_callable(__obj, owner, name))
        result = super().call(__context, __obj, *args, **kwargs)
        if owner is not None and isinstance(result, str | list | tuple | dict):
            __self.charge(_check_growth(result, [owner, *args, *kwargs.values()]))
        return result

    def _callable(self, obj: Any, owner: Any, name: str) -> bool:
        if isinstance(obj, Macro | BlockReference | LoopContext):
            return True
        if owner is None or isinstance(owner, type):
            try:
                return obj in self.functions
            except TypeError:  # unhashable
                return False
        if isinstance(owner, list | tuple):
            return name in _SEQUENCE_METHODS
        if isinstance(owner, dict):
            return name in _MAPPING_METHODS
        if isinstance(owner, LoopContext):
            return name in {"cycle", "changed"}
        for kind, names in self.methods.items():
            if isinstance(owner, kind):
                return name in names
        return False

    # -- time --

    def compile_text(self, source: str) -> Template:
        """from_string, in a frame the time limit may stop (compiling 20,000 tags takes seconds). Each distinct
        text is compiled once per process: a batch renders hundreds of reports whose texts are mostly alike, and
        compiling was most of the work of a report's expressions. The code depends on the text, the settings and
        the names of the filters and tests (a missing filter fails at compile time), all part of the key; it reads
        everything else (filters, globals, limits) from the environment it is bound to, at render time."""
        key = (type(self), self.autoescape, self.keep_trailing_newline, frozenset(self.filters),
               frozenset(self.tests), source)  # fmt: skip
        code = _COMPILED.get(key)
        if code is None:
            digest = _STORED.digest(key)
            code = _STORED.get(digest)
            if code is None:
                code = self.compile(source)
                _STORED.put(digest, code)
            if len(_COMPILED) >= _COMPILED_KEPT:
                _COMPILED.clear()  # a bound, never a growing heap; the common texts come back at once
            _COMPILED[key] = code
        return self.template_class.from_code(self, code, self.make_globals(None), None)


_COMPILED: dict[tuple[Any, ...], Any] = {}  # the code of each text compiled in this process
_COMPILED_KEPT = 4096


class _StoredCodes:
    """Compiled texts kept between processes in the per-user cache (generator/cache.py), as prepared templates are:
    compiling a year's expressions from scratch was a third of a single build's own work. One small entry per text
    (a build reads only the texts it has, however many others the cache holds), named by the version of Python,
    Jinja, annual-report and this module (whose code generator the compiled code comes from) and by a digest of the
    text and the settings it was compiled with."""

    KEPT = 4096  # entries of about 2 KB; the oldest beyond these go

    def __init__(self) -> None:
        self.version = ""
        self.new: dict[str, Any] = {}

    def digest(self, key: tuple[Any, ...]) -> str:
        kind, autoescape, newline, filters, tests, source = key
        settings = f"{kind.__module__}.{kind.__qualname__}|{autoescape!r}|{newline}|{sorted(filters)}|{sorted(tests)}"
        return hashlib.sha256(f"{settings}\0{source}".encode("utf-8", "surrogatepass")).hexdigest()

    def _entry(self, digest: str) -> str:
        if not self.version:
            from generator import cache

            self.version = cache.code_digest(sys.modules[__name__]).hexdigest()[:32]
        return f"{self.version}-{digest[:32]}"

    def get(self, digest: str) -> Any:
        from generator import cache

        stored = cache.load(self._entry(digest), "code")
        code = stored.get("code") if stored else None
        return code if isinstance(code, types.CodeType) else None

    def put(self, digest: str, code: Any) -> None:
        self.new[digest] = code

    def save(self) -> None:
        if not self.new:
            return
        from generator import cache

        for digest, code in self.new.items():
            cache.store(self._entry(digest), {"code": code}, "code", keep=None)
        cache.prune("code", self.KEPT)
        self.new.clear()


_STORED = _StoredCodes()


def keep_compiled() -> None:
    """Store the texts compiled since the last call in the per-user cache (when there is one)."""
    _STORED.save()


def _not_callable(obj: Any, owner: Any, name: str) -> str:
    if name in ("format", "format_map"):
        return "不允许调用文字的 format() 方法，请用 ~ 连接文字"
    if isinstance(owner, str):
        return f"不允许调用文字的 {name}() 方法"
    return f"不允许调用“{name or type(obj).__name__}”"


class _CheckedCode(CodeGenerator):
    """The ~ operator compiles to a plain join Jinja cannot intercept: its parts are measured before the join."""

    @optimizeconst
    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            function = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            function = "markup_join"
        else:
            function = "str_join"
        self.write(f"{function}(environment.measured((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write(")))")


ReportSandbox.code_generator_class = _CheckedCode


class _NoFiles(BaseLoader):
    """include, import and extends read other templates: here there are none, and never a file."""

    def get_source(self, environment: Any, template: str) -> Any:
        raise SecurityError("不能用 include、import 或 extends 读取其他模板或文件")


class _LimitedTemplate(Template):
    """A render under its environment's limits: time, work and memory."""

    def get_corresponding_lineno(self, lineno: int | None) -> int:  # type: ignore[override]
        # An alarm can stop a render between two lines, where Python records none: Jinja would fail on it.
        return super().get_corresponding_lineno(lineno) if lineno is not None else 1

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            with limits(self.environment):
                written = super().render(*args, **kwargs)
                self.environment.count_written(written)
                return written
        except TypeError as exc:  # Jinja failed to place our stop in the template: the stop is what happened
            if isinstance(exc.__context__, SecurityError | MemoryError | RecursionError):
                raise exc.__context__ from None
            raise


ReportSandbox.template_class = _LimitedTemplate


def _finalize(value: Any) -> Any:
    """Every {{ }} value, before it becomes text: a nested list can be far bigger written out than in memory, and
    a character XML cannot hold would break the document."""
    if isinstance(value, str):
        message = not_xml_message(value)
        if message:
            raise ForbiddenCharacter(message)
    elif isinstance(value, list | tuple | dict | set | frozenset) and size(value) > MAX_SIZE:
        raise SecurityError("输出的内容过长")
    return value


# --- limits around a render ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def limits(environment: ReportSandbox) -> Iterator[None]:
    """The work count, output, time limit and memory ceiling of one render, or of several together (the parts of a
    report): inside limits already in place, those hold."""
    if environment._active:
        yield
        return
    environment._active = True
    environment.work = environment.written = 0
    try:
        with _time_limit(environment), memory_ceiling():
            yield
    finally:
        environment._active = False


@contextlib.contextmanager
def _time_limit(environment: ReportSandbox) -> Iterator[None]:
    """SIGALRM in the main thread (the command's); in other threads, or inside a limit already running, none.

    The alarm repeats every 50 ms once due, because one that lands in a finalizer is lost; and it stops the render
    only while the render's own code (or a compile the environment marked stoppable) is on the stack, never the code
    around it."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return
    seconds = environment.time_limit
    message = f"计算超过 {seconds:g} 秒仍未完成（可能是循环套循环），已停止"
    if environment.deadline is not None and environment.deadline - time.monotonic() < seconds:
        seconds = environment.deadline - time.monotonic()
        message = "计算时间已用完（一份报告中所有表达式合计的时间有上限），已停止"
    if seconds <= 0:
        raise TimeLimit(message)

    def stop(signum: int, frame: Any) -> None:
        while frame is not None:
            if frame.f_globals.get("environment") is environment or frame.f_code in environment.stoppable:
                stopped = TimeLimit(message)
                stopped.template_line = _template_line(frame)  # type: ignore[attr-defined]
                raise stopped
            frame = frame.f_back

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_ceiling_active = False


@contextlib.contextmanager
def memory_ceiling() -> Iterator[None]:
    """The process's address space capped (RLIMIT_AS) for the duration: the last line behind the size checks. Only
    where the resource module and /proc exist (Linux), in the main thread, and never above a limit already set;
    inside a ceiling already in place, nothing changes."""
    global _ceiling_active
    if resource is None or _ceiling_active or threading.current_thread() is not threading.main_thread():
        yield
        return
    usage = _memory_now()
    if usage is None:
        yield
        return
    virtual, resident = usage
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = virtual + max(MIN_HEADROOM, MEMORY_LIMIT - resident)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    _ceiling_active = True
    try:
        yield
    finally:
        _ceiling_active = False
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _memory_now() -> tuple[int, int] | None:
    """(address space, resident memory) of this process in bytes, where /proc says."""
    try:
        with open("/proc/self/statm", "rb") as stream:
            fields = stream.read().split()
        page = os.sysconf("SC_PAGE_SIZE")
        return int(fields[0]) * page, int(fields[1]) * page
    except (OSError, ValueError, IndexError, AttributeError):
        return None


# --- environments -------------------------------------------------------------------------------------------------


def text_environment() -> ReportSandbox:
    """For expressions in data text: the result is plain text, escaped later by the renderer."""
    environment = ReportSandbox(autoescape=False, keep_trailing_newline=True)
    environment.time_limit = TEXT_TIME_LIMIT
    environment.max_output = TEXT_MAX_OUTPUT
    environment.work_limit = 10_000_000
    environment.stoppable.add(ReportSandbox.compile_text.__code__)
    return environment


def template_environment(plain_types: tuple[type, ...] = ()) -> ReportSandbox:
    """For Word templates: everything inserted is XML-escaped."""
    return ReportSandbox(plain_types=plain_types, autoescape=True)


# --- messages -----------------------------------------------------------------------------------------------------

_SYNTAX = [
    (re.compile(r"Unexpected end of template.*looking for the following tags: (.*?)\. The innermost block that needs "
                r"to be closed is '(\w+)'", re.S),
     lambda m: f"“{{% {m.group(2)} %}}”没有结束：缺少 {_tags(m.group(1))}"),
    (re.compile(r"Encountered unknown tag '(\w+)'.*?looking for the following tags: (.*?)\.", re.S),
     lambda m: f"这里的标签“{m.group(1)}”不对，应为 {_tags(m.group(2))}"),
    (re.compile(r"Encountered unknown tag '(\w+)'"), lambda m: f"不认识的标签“{{% {m.group(1)} %}}”"),
    (re.compile(r"unexpected end of template, expected '(.*?)'"), lambda m: f"标签没有写完，缺少“{m.group(1)}”"),
    (re.compile(r"expected token 'end of print statement', got '(.*?)'"),
     lambda m: f"{{{{ … }}}} 里多了“{m.group(1)}”，或少了运算符/逗号"),
    (re.compile(r"unexpected '(.*?)'"), lambda m: f"这里不该出现“{m.group(1)}”（括号或引号可能没有配对）"),
    (re.compile(r"unexpected char '(.*?)'"), lambda m: f"这里不该出现字符“{m.group(1)}”"),
    (re.compile(r"No filter named '(.*?)'"), lambda m: f"没有名为“{m.group(1)}”的过滤器"),
    (re.compile(r"No test named '(.*?)'"), lambda m: f"没有名为“{m.group(1)}”的判断（is 后面的词）"),
]  # fmt: skip


def _tags(listing: str) -> str:
    return "、".join(f"{{% {name} %}}" for name in re.findall(r"'(\w+)'", listing))


def syntax_message(exc: TemplateSyntaxError) -> str:
    """A Jinja syntax error in words a template author can act on (Jinja's own words only when none fit)."""
    original = exc.message or str(exc)
    for pattern, words in _SYNTAX:
        found = pattern.search(original)
        if found:
            return words(found)
    return original


_RUNTIME = [
    (re.compile(r"No filter named '(.*?)'"), lambda m: f"没有名为“{m.group(1)}”的过滤器"),
    (re.compile(r"No test named '(.*?)'"), lambda m: f"没有名为“{m.group(1)}”的判断（is 后面的词）"),
    (re.compile(r"cannot assign attribute on non-namespace", re.I),
     lambda m: "只能给 namespace() 的属性赋值（{% set ns.x = … %} 要求 ns = namespace()）"),
    (re.compile(r"access to attribute '(.*?)' of '(.*?)' object is unsafe"),
     lambda m: f"不允许读取“{m.group(1)}”"),
    (re.compile(r"Range too big"), lambda m: "循环次数过多（range 最多 100000 项）"),
    (re.compile(r"Exceeds the limit \(\d+ digits\)|int too large|too large to convert", re.I),
     lambda m: "数字过大"),
]  # fmt: skip


def failure_message(exc: BaseException) -> str:
    """What an expression raised at run time, in Chinese (no English from Jinja or Python passes through): the
    words that follow “表达式” or “模板中的表达式”."""
    original = str(exc)
    if isinstance(exc, ForbiddenCharacter):
        return original
    if isinstance(exc, SecurityError):
        for pattern, words in _RUNTIME:
            found = pattern.search(original)
            if found:
                return f"被安全沙箱拒绝：{words(found)}"
        return f"被安全沙箱拒绝：{original}" if re.search("[\u4e00-\u9fff]", original) else "被安全沙箱拒绝"
    if isinstance(exc, MemoryError):
        return "占用的内存超过上限，已停止"
    return f"计算出错：{_runtime_words(exc, original)}"


def _runtime_words(exc: BaseException, original: str) -> str:
    if isinstance(exc, RecursionError):
        return "嵌套或调用自身的层次过深（宏不能无限地调用自己）"
    for pattern, words in _RUNTIME:
        found = pattern.search(original)
        if found:
            return words(found)
    if isinstance(exc, ZeroDivisionError | decimal.DivisionByZero | decimal.DivisionUndefined):
        return "除数为 0"
    if isinstance(exc, OverflowError | decimal.Overflow):
        return "数字过大"
    if isinstance(exc, decimal.InvalidOperation):
        return "数字运算无法完成（数字过大，或要保留的小数位数过多）"
    if isinstance(exc, TemplateRuntimeError | AssertionError):
        return "过滤器或标签的参数不对"
    if isinstance(exc, UndefinedError):
        return "读取了不存在的内容"
    if isinstance(exc, TypeError):
        return "值的类型不对（例如文字与数字相加，或参数的个数、类型不对）"
    if isinstance(exc, ValueError | LookupError):
        return "值不合适（例如把不是数字的文字当作数字，或取了不存在的一项）"
    if re.search("[\u4e00-\u9fff]", original):
        return original
    return "无法计算"


__all__ = [
    "MAX_SIZE",
    "NOT_XML",
    "ForbiddenCharacter",
    "ReportSandbox",
    "TimeLimit",
    "failure_message",
    "limits",
    "memory_ceiling",
    "not_xml_message",
    "size",
    "syntax_message",
    "template_environment",
    "text_environment",
]
