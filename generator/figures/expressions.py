"""Expressions in data text: ``全年全市刑事、治安发案{{ 同比(刑事发案数, 治安发案数) }}``.

Any text field is a small Jinja template evaluated in the sandbox against the year's indicators, so a figure is
typed once (in the indicator) and read everywhere it appears. The names an expression can use are listed in
``NAMES`` and documented in the README.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from jinja2 import TemplateSyntaxError, UndefinedError, meta, nodes

from generator.figures.figure import Figure
from generator.figures.numerals import approximate, chinese_numeral, in_wan, written_number
from generator.figures.phrasing import PhrasingError, change_phrase, parallel_phrase
from generator.model import Report
from generator.sandbox import (
    ReportSandbox,
    TimeLimit,
    failure_message,
    limits,
    not_xml_message,
    syntax_message,
    text_environment,
)


class ExpressionProblem(Exception):
    """Raised inside an expression for a problem the user must fix; the message is Chinese and complete.
    ``indicator`` names the indicator whose missing figure caused it, if that is the cause."""

    def __init__(self, message: str, indicator: str | None = None, repeated: bool = False) -> None:
        super().__init__(message)
        self.indicator = indicator
        self.repeated = repeated  # the same limit as an earlier text, already reported there


def _missing(figure: Figure, what: str, key: str) -> ExpressionProblem:
    """``key`` is the YAML key of ``what``; messages name only the words both the workbook's columns (本年, 上年,
    同比) and the README's YAML reference use."""
    return ExpressionProblem(f"指标“{figure.name}”没有填写{what}，表达式无法读取", figure.name)


class IndicatorView:
    """What an expression sees of one indicator. English attributes give numbers, Chinese ones text."""

    __slots__ = ("_figure",)

    def __init__(self, figure: Figure) -> None:
        self._figure = figure

    @property
    def figure(self) -> Figure:
        return self._figure

    @property
    def name(self) -> str:
        return self._figure.name

    @property
    def unit(self) -> str:
        return self._figure.unit

    @property
    def value(self) -> Decimal:
        if self._figure.value is None:
            raise _missing(self._figure, "本年数值", "value")
        return self._figure.value

    @property
    def previous(self) -> Decimal:
        if self._figure.previous is None:
            raise _missing(self._figure, "上年数值", "previous")
        return self._figure.previous

    @property
    def change(self) -> Decimal:
        change = self._figure.change
        if change is None or change.amount is None:
            raise _missing(self._figure, "同比变化或上年数值", "change / previous")
        return change.amount

    def __getattr__(self, name: str) -> str:
        reader = _CHINESE_ATTRIBUTES.get(name)
        if reader is None:
            known = "、".join(_CHINESE_ATTRIBUTES) + "、value、previous、change、name、unit"
            raise ExpressionProblem(f"指标没有“{name}”这一项；可用的有：{known}")
        return reader(self)

    def __str__(self) -> str:
        return written_number(self.value) + self.unit

    def __repr__(self) -> str:
        return f"<指标 {self._figure.name}>"


def _magnitude(view: IndicatorView) -> str:
    change = view.figure.change
    if change is None:
        raise _missing(view.figure, "同比变化或上年数值", "change / previous")
    if change.amount is None:
        raise ExpressionProblem(f"指标“{view.name}”上年为 0，没有同比幅度", view.name)
    return change.magnitude


def _trend(view: IndicatorView) -> str:
    change = view.figure.change
    if change is None:
        raise _missing(view.figure, "同比变化或上年数值", "change / previous")
    return {
        "down": "下降",
        "up": "提高" if view.figure.kind == "rate" else "增长",
        "flat": "持平",
        "about-flat": "基本持平",
        "new": "新增",
    }[change.direction]


def _phrase(view: IndicatorView) -> str:
    try:
        return change_phrase(view.figure)
    except PhrasingError as exc:
        raise ExpressionProblem(str(exc), exc.indicator) from None


_CHINESE_ATTRIBUTES: dict[str, Callable[[IndicatorView], str]] = {
    "本年": lambda v: written_number(v.value),
    "上年": lambda v: written_number(v.previous),
    "单位": lambda v: v.unit,
    "名称": lambda v: v.name,
    "幅度": _magnitude,
    "趋势": _trend,
    "同比": _phrase,
}


class IndicatorTable(Mapping[str, IndicatorView]):
    """``指标["名称"]``: every indicator, also those whose names are not valid expression names."""

    def __init__(self, views: dict[str, IndicatorView]) -> None:
        self._views = views

    def __getitem__(self, name: str) -> IndicatorView:
        try:
            return self._views[name]
        except KeyError:
            raise ExpressionProblem(_unknown_name_message(name, list(self._views), "指标")) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._views)

    def __len__(self) -> int:
        return len(self._views)


def _unknown_name_message(name: str, candidates: list[str], what: str = "名称") -> str:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    hint = f"；是否想写“{close[0]}”？" if close else "；请检查拼写，或先在指标表中添加它"
    return f"表达式中的{what}“{name}”不存在{hint}"


def _views(args: tuple[Any, ...], table: IndicatorTable, function: str) -> list[Figure]:
    figures = []
    for arg in args:
        if isinstance(arg, str):
            arg = table[arg]
        if not isinstance(arg, IndicatorView):
            raise ExpressionProblem(f"{function}() 的参数应为指标，例如 {function}(刑事发案数)；实际是“{arg}”")
        figures.append(arg.figure)
    return figures


def _number(value: Any, function: str) -> Decimal:
    if isinstance(value, IndicatorView):
        return value.value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", ""))  # .本年 of a large figure reads 97,595,000
        except ArithmeticError:
            pass
    raise ExpressionProblem(f"{function}() 需要一个数字或指标，实际是“{value}”")


def _helpers(table: IndicatorTable) -> dict[str, Callable[..., str]]:
    def change(
        *indicators: Any,
        主语: str = "",
        分别: bool = False,
        升: str | None = None,
        降: str | None = None,
        _prefix: str = "同比",
        _name: str = "同比",
    ) -> str:
        figures = _views(indicators, table, _name)
        try:
            return parallel_phrase(figures, _prefix, subject=str(主语), each=bool(分别), up=升, down=降)
        except PhrasingError as exc:
            raise ExpressionProblem(str(exc), exc.indicator) from None

    def year_on_year(
        *indicators: Any, 主语: str = "", 分别: bool = False, 升: str | None = None, 降: str | None = None
    ) -> str:
        return change(*indicators, 主语=主语, 分别=分别, 升=升, 降=降)

    def bare_change(
        *indicators: Any, 主语: str = "", 分别: bool = False, 升: str | None = None, 降: str | None = None
    ) -> str:
        return change(*indicators, 主语=主语, 分别=分别, 升=升, 降=降, _prefix="", _name="变化")

    def wan(value: Any, 位: int = 2) -> str:
        return in_wan(_number(value, "万"), int(位))

    def about(value: Any, 位: int = 1, 词: str = "余") -> str:
        try:
            return approximate(_number(value, "约"), int(位), str(词))
        except ValueError as exc:
            raise ExpressionProblem(f"约()：{exc}") from None

    def chinese(value: Any) -> str:
        try:
            return chinese_numeral(_number(value, "中文"))
        except ValueError as exc:
            raise ExpressionProblem(f"中文()：{exc}") from None

    return {"同比": year_on_year, "变化": bare_change, "万": wan, "约": about, "中文": chinese}


# The names every text can use besides the indicators themselves (an indicator may not take one of them).
NAMES = ("指标", "年份", "单位", "简称", "同比", "变化", "万", "约", "中文")


# A year's texts expand in bounded time and to bounded text, however many there are (a file can repeat one
# paragraph 20,000 times through YAML aliases): the limits of all its expressions together.
TIME_BUDGET = 6.0  # seconds for all the expressions of one report, compiling included
MAX_EXPANDED = 20_000_000  # characters all expressions of one report may produce
MAX_TAGS = 1_000  # {{ }} and {% %} in one text (a paragraph has a handful)


class TextExpander:
    """Evaluates the expressions of one year's texts. Built once per report."""

    def __init__(self, report: Report, figures: Mapping[str, Figure], environment: ReportSandbox | None = None) -> None:
        self.environment = environment or text_environment()
        views = {name: IndicatorView(figure) for name, figure in figures.items()}
        table = IndicatorTable(views)
        helpers = _helpers(table)
        self.context: dict[str, Any] = {
            name: view for name, view in views.items() if name.isidentifier() and name not in NAMES
        }
        self.context.update(
            {"指标": table, "年份": report.year, "单位": report.organization.name, "简称": report.organization.short}
        )
        self.context.update(helpers)
        for name, function in helpers.items():
            self.environment.filters[name] = function
            self.environment.allow(function)
        self.environment.methods[IndicatorTable] = frozenset({"get", "items", "keys", "values"})
        self.environment.deadline = time.monotonic() + TIME_BUDGET
        self._candidates = list(self.context)
        self._done: dict[str, str | ExpressionProblem] = {}  # the same text gives the same result: once is enough
        self._expanded = 0
        self._exhausted = ""  # why no more expressions are evaluated (already reported once)

    def expand(self, text: str) -> str:
        """The text with its expressions evaluated; raises ExpressionProblem with a message for the user."""
        if "{" not in text:
            return text  # most paragraphs hold no expression: skip Jinja entirely
        done = self._done.get(text)
        if done is None:
            try:
                done = self._evaluate(text)
            except ExpressionProblem as exc:
                done = exc
            self._done[text] = done
        if isinstance(done, ExpressionProblem):
            raise ExpressionProblem(str(done), done.indicator, done.repeated)
        if self._exhausted:  # the budget is spent: a text evaluated before is not given out again either
            raise ExpressionProblem(self._exhausted, repeated=True)
        self._count(len(done))  # the same long result used 20,000 times is written 20,000 times
        return done

    def every_problem(self, text: str) -> list[ExpressionProblem]:
        """Every problem in a text, not only the first that stops its evaluation: each {{ … }} is evaluated on its
        own, and every name that does not exist is named (同比(刑事发案数, 治安发案数) with neither indicator gives
        two messages). A text with {% %} blocks, whose later parts may read what a block sets, is evaluated whole."""
        try:
            self.expand(text)
            return []
        except ExpressionProblem as first:
            try:
                tree = self.environment.parse(text)
            except TemplateSyntaxError:
                return [first]
            found: dict[str, ExpressionProblem] = {}
            if first.repeated:  # the budget is spent: nothing more is evaluated
                return [first]
            if all(isinstance(node, nodes.Output) for node in tree.body):
                parts = [n for output in tree.body for n in output.nodes if not isinstance(n, nodes.TemplateData)]
            else:
                parts, found[str(first)] = [tree], first
            try:
                unknown = meta.find_undeclared_variables(tree) - set(self.context)
                with limits(self.environment):  # one limit for all the parts together, as for the whole text
                    for part in parts:
                        if part is not tree:
                            piece = nodes.Template([nodes.Output([part], lineno=part.lineno)], lineno=1)
                            try:
                                self._evaluate(text, piece.set_environment(self.environment))
                            except ExpressionProblem as exc:
                                found.setdefault(str(exc), exc)
                        for name in part.find_all(nodes.Name):
                            if name.ctx == "load" and name.name in unknown:
                                exc = ExpressionProblem(_unknown_name_message(name.name, self._candidates))
                                found.setdefault(str(exc), exc)
            except (TemplateSyntaxError, TimeLimit):  # an unknown filter; the time is up: what was found stands
                found.setdefault(str(first), first)
            return list(found.values()) or [first]

    def _evaluate(self, text: str, piece: nodes.Template | None = None) -> str:
        if self._exhausted:
            raise ExpressionProblem(self._exhausted, repeated=True)
        if text.count("{{") + text.count("{%") > MAX_TAGS:  # compiling costs about 12 KB and 0.1 ms a tag
            raise ExpressionProblem(f"一段文字里的表达式过多（超过 {MAX_TAGS} 个），请分成几段或改写")
        try:
            with limits(self.environment):
                compiled = self.environment.compile_text(text) if piece is None else self.environment.from_string(piece)
                result = compiled.render(self.context)
        except ExpressionProblem:
            raise
        except TemplateSyntaxError as exc:
            line = f"（第 {exc.lineno} 行）" if text.count("\n") and exc.lineno else ""
            raise ExpressionProblem(f"表达式写法有误{line}：{syntax_message(exc)}") from None
        except UndefinedError as exc:
            raise ExpressionProblem(self._undefined_message(exc)) from None
        except PhrasingError as exc:
            raise ExpressionProblem(f"表达式计算出错：{exc}", exc.indicator) from None
        except TimeLimit as exc:
            if self.environment.deadline is not None and time.monotonic() >= self.environment.deadline:
                self._exhausted = f"表达式被安全沙箱拒绝：{exc}"
            raise ExpressionProblem(f"表达式被安全沙箱拒绝：{exc}") from None
        except Exception as exc:  # whatever else an expression raised, Jinja's own filters included
            raise ExpressionProblem(f"表达式{failure_message(exc)}") from None
        problem = not_xml_message(result)
        if problem:
            raise ExpressionProblem(f"表达式{problem}；请删除它")
        return result

    def _count(self, characters: int) -> None:
        self._expanded += characters
        if self._expanded > MAX_EXPANDED and not self._exhausted:
            self._exhausted = f"表达式生成的文字合计超过 {MAX_EXPANDED // 10_000} 万字，已停止"
            raise ExpressionProblem(self._exhausted)

    def _undefined_message(self, exc: UndefinedError) -> str:
        message = exc.message or ""
        if message.endswith(" is undefined") and message.startswith("'"):
            name = message[1 : -len("' is undefined")]
            return _unknown_name_message(name, self._candidates)
        attribute = re.search(r"has no attribute '(.*?)'", message)
        if attribute:
            return f"表达式读取了不存在的一项“{attribute.group(1)}”"
        key = re.search(r"has no element (.*)$", message)
        if key:
            return f"表达式读取了不存在的一项（{key.group(1)}）"
        return "表达式读取了不存在的内容"
