"""The one Jinja sandbox, for expressions in data and for Word templates alike.

Templates and data come from strangers: no Python internals, files, environment or network (Jinja's immutable
sandbox; include, import and extends find no file), and no cheap memory or time bombs: no value larger than MAX_SIZE
(characters, or items counted through nested lists) is passed to or returned by a filter or method, joined with ~ or
+, or written out; a render's whole output is capped; and a render that runs too long (nested loops) is stopped.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, Template, TemplateSyntaxError
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.nodes import Concat
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SIZE = 200_000  # characters or items a single operation may produce
MAX_OUTPUT = 64_000_000  # characters one render may write (a 10,000-indicator report's body is about 15 million)
MAX_EXPONENT = 64
_SIZED_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_REFUSED_METHODS = {"format", "format_map"}  # width specifiers allocate without bound; use the ~ operator instead
_REFUSED_FILTERS = ("format", "center", "indent", "wordwrap", "xmlattr", "urlize", "filesizeformat")


def size(value: Any, seen: dict[int, int] | None = None) -> int:
    """Characters of a text, or items of a list counted through its nested lists: what writing it out costs.
    A shared sublist counts each time it appears ([x] * 1000 is 1000 times x) but is measured once, so measuring
    costs no more than the objects that exist."""
    if isinstance(value, str | bytes):
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


def _check_growth(result: Any, inputs: list[Any], what: str = "生成的内容过长") -> None:
    """Refuse a result over MAX_SIZE that is bigger than what went in: passing a large text (a table's XML) along
    is fine, making one is not."""
    produced = size(result)
    if produced > MAX_SIZE and produced > _sizes(inputs):
        raise SecurityError(what)


def _replace_size(text: Any, old: Any, new: Any) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    if not old:
        return len(text) + (len(text) + 1) * len(new)
    return len(text) + text.count(old) * max(len(new) - len(old), 0)


def _join_size(items: Any, separator: Any) -> int:
    if not isinstance(items, list | tuple):
        return 0
    return size(items) + (len(separator) if isinstance(separator, str) else 0) * len(items)


def _guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses oversized arguments and results; replace and join are measured before they run."""

    @functools.wraps(function)  # keeps jinja_pass_arg: Jinja still passes the context first where it should
    def guarded(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in (*args, *kwargs.values()) if not hasattr(a, "environment")]  # leave out the context
        limit = max(MAX_SIZE, _sizes(values))
        if name == "replace" and len(values) >= 3 and _replace_size(*values[:3]) > limit:
            raise SecurityError("替换生成的文字过长")
        if name == "join" and values and _join_size(values[0], values[1] if len(values) > 1 else "") > limit:
            raise SecurityError("连接生成的文字过长")
        result = function(*args, **kwargs)
        _check_growth(result, values)
        return result

    return guarded


class _NoFiles(BaseLoader):
    """include, import and extends read other templates: here there are none, and never a file."""

    def get_source(self, environment: Any, template: str) -> Any:
        raise SecurityError("不能用 include、import 或 extends 读取其他模板或文件")


class _CheckedConcat(CodeGenerator):
    """The ~ operator compiles to a plain join that Jinja cannot intercept: have the result measured."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.checked_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class _TimedTemplate(Template):
    """A render stopped after its environment's time_limit: loops inside loops would otherwise never end."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with _time_limit(self.environment):
            return super().render(*args, **kwargs)


@contextlib.contextmanager
def _time_limit(environment: Any) -> Iterator[None]:
    """SIGALRM in the main thread (the command's); in other threads, or inside a limit already running, none.

    The alarm repeats every 50 ms once due, because one that lands in a finalizer is lost; and it stops the render
    only while the render's own code is on the stack, never the code around it."""
    seconds = getattr(environment, "time_limit", 0)
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        while frame is not None:
            if frame.f_globals.get("environment") is environment:  # the template's compiled code
                raise SecurityError(f"计算超过 {seconds:g} 秒仍未完成（可能是循环套循环），已停止")
            frame = frame.f_back

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ReportSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})
    intercepted_unops = frozenset()
    code_generator_class = _CheckedConcat
    template_class = _TimedTemplate
    time_limit = 10.0  # seconds one render may take

    def __init__(self, plain_types: tuple[type, ...] = (), **options: Any) -> None:
        options.setdefault("loader", _NoFiles())
        super().__init__(undefined=StrictUndefined, finalize=_finalize, **options)
        # Types holding nothing but data (our rows and records, dicts): their public fields are read directly,
        # which matters when a template loops over 10,000 table rows.
        self.plain_types = frozenset(plain_types)
        for name in _REFUSED_FILTERS:
            self.filters.pop(name, None)
        self.filters = {name: _guard_filter(name, function) for name, function in self.filters.items()}
        self.globals.pop("cycler", None)
        self.globals.pop("joiner", None)
        self.globals.pop("lipsum", None)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError("乘方的指数过大")
        if operator == "**" and isinstance(left, int) and left.bit_length() * abs(right) > 4 * MAX_SIZE:
            raise SecurityError("乘方的结果过大")
        if operator == "%" and isinstance(left, str):
            raise SecurityError("不支持用 % 格式化文字，请用 ~ 连接")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and size(seq) * times > MAX_SIZE:
                    raise SecurityError("重复生成的内容过长")
        if operator == "+" and isinstance(left, str | list | tuple) and _sizes((left, right)) > MAX_SIZE:
            raise SecurityError("相加生成的内容过长")
        return super().call_binop(context, operator, left, right)

    def checked_concat(self, joined: str) -> str:
        if len(joined) > MAX_SIZE:
            raise SecurityError("用 ~ 连接生成的文字过长")
        return joined

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]  # all a render writes
        collected: list[str] = []
        total = 0
        pieces = iter(parts)
        while chunk := list(itertools.islice(pieces, 4096)):  # measured a few thousand pieces at a time
            total += sum(map(len, chunk))
            if total > MAX_OUTPUT:
                raise SecurityError("生成的内容过长")
            collected += chunk
        return "".join(collected)

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind in self.plain_types and attribute[:1] != "_":
            if kind is dict:
                if attribute in obj:
                    return obj[attribute]
            elif attribute in getattr(kind, "__dataclass_fields__", ()):
                return getattr(obj, attribute)
        if isinstance(obj, str) and attribute in _REFUSED_METHODS:
            raise SecurityError(f"不允许调用文字的 {attribute}() 方法，请用 ~ 连接文字")
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, str) and argument in _REFUSED_METHODS:
            raise SecurityError(f"不允许调用文字的 {argument}() 方法，请用 ~ 连接文字")
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str) and name in _SIZED_METHODS and any(isinstance(a, int) and a > MAX_SIZE for a in args):
            raise SecurityError("生成的文字过长")
        inputs = [owner, *args, *kwargs.values()]
        limit = max(MAX_SIZE, _sizes(inputs))
        if isinstance(owner, str) and name == "replace" and len(args) >= 2 and _replace_size(owner, *args[:2]) > limit:
            raise SecurityError("替换生成的文字过长")
        if isinstance(owner, str) and name == "join" and args and _join_size(args[0], owner) > limit:
            raise SecurityError("连接生成的文字过长")
        result = super().call(__context, __obj, *args, **kwargs)
        _check_growth(result, inputs)
        return result


def _finalize(value: Any) -> Any:
    """Every {{ }} value, before it becomes text: a nested list can be far bigger written out than in memory."""
    if isinstance(value, list | tuple | dict | set | frozenset) and size(value) > MAX_SIZE:
        raise SecurityError("输出的内容过长")
    return value


def text_environment() -> ReportSandbox:
    """For expressions in data text: the result is plain text, escaped later by the renderer."""
    environment = ReportSandbox(autoescape=False, keep_trailing_newline=True)
    environment.time_limit = 2.0  # an expression in a field takes microseconds
    return environment


def template_environment(plain_types: tuple[type, ...] = ()) -> ReportSandbox:
    """For Word templates: everything inserted is XML-escaped."""
    return ReportSandbox(plain_types=plain_types, autoescape=True)


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
]  # fmt: skip


def _tags(listing: str) -> str:
    return "、".join(f"{{% {name} %}}" for name in re.findall(r"'(\w+)'", listing))


def syntax_message(exc: TemplateSyntaxError) -> str:
    """A Jinja syntax error in words a template author can act on (the original kept in brackets)."""
    original = exc.message or str(exc)
    for pattern, words in _SYNTAX:
        found = pattern.search(original)
        if found:
            return f"{words(found)}（{original.splitlines()[0]}）"
    return original
