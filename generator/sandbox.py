"""The one Jinja sandbox, for expressions in data and for Word templates alike.

Templates and data come from strangers: no Python internals, files, environment or network (Jinja's immutable
sandbox), and no cheap memory bombs ('x' * 10**9, 10**10**10, '%999999999s' % x, '{:>999999999}'.format(x)).
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SIZE = 200_000  # characters or items a single operation may produce
MAX_EXPONENT = 64
_SIZED_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_REFUSED_METHODS = {"format", "format_map"}  # width specifiers allocate without bound; use the ~ operator instead
_REFUSED_FILTERS = ("format", "center", "indent", "wordwrap", "xmlattr", "urlize", "filesizeformat")


class ReportSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})
    intercepted_unops = frozenset()

    def __init__(self, plain_types: tuple[type, ...] = (), **options: Any) -> None:
        super().__init__(undefined=StrictUndefined, **options)
        # Types holding nothing but data (our rows and records, dicts): their public fields are read directly,
        # which matters when a template loops over 10,000 table rows.
        self.plain_types = frozenset(plain_types)
        for name in _REFUSED_FILTERS:
            self.filters.pop(name, None)
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
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_SIZE:
                    raise SecurityError("重复生成的内容过长")
        return super().call_binop(context, operator, left, right)

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
        sized = isinstance(getattr(__obj, "__self__", None), str) and getattr(__obj, "__name__", "") in _SIZED_METHODS
        if sized and any(isinstance(a, int) and a > MAX_SIZE for a in args):
            raise SecurityError("生成的文字过长")
        return super().call(__context, __obj, *args, **kwargs)


def text_environment() -> ReportSandbox:
    """For expressions in data text: the result is plain text, escaped later by the renderer."""
    return ReportSandbox(autoescape=False, keep_trailing_newline=True)


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
