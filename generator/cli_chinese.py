"""Click, made to speak Chinese: the help laid out by the width Chinese characters take on a terminal, option values
checked with Chinese messages, and every kind of usage error (bad value, unknown option, missing or extra argument,
unknown command) told in Chinese with the fix, never click's English. cli.py declares the commands with these."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import click

_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
# Never at the start of a line (closing marks), never at the end (opening marks): the usual Chinese line rules.
_NO_START = set("，。、；：？！）」』》〉】”’…％%,.;:?!)]}")
_NO_END = set("（「『《〈【“‘([{")


def cells(text: str) -> int:
    """How many terminal columns ``text`` takes: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: Chinese breaks between any two characters (keeping the line rules),
    other text at spaces."""
    pieces: list[str] = []
    word = ""
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        if ch == " " or wide:
            if word:
                pieces.append(word)
                word = ""
            pieces.append(ch)
        else:
            word += ch
    if word:
        pieces.append(word)
    units: list[str] = []  # what must stay together on a line
    for piece in pieces:
        if units and (piece[0] in _NO_START or units[-1][-1] in _NO_END) and piece != " ":
            units[-1] += piece
        else:
            units.append(piece)
    lines: list[str] = []
    line = ""
    for unit in units:
        if line and cells(line + unit) > width:
            lines.append(line.rstrip())
            line = "" if unit == " " else unit
        else:
            line += unit if line or unit != " " else ""
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


class ChineseFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        self.write(f"{'':>{self.current_indent}}用法：{prog} {args}".rstrip() + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for number, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
            if number:
                self.write("\n")
            for line in wrap(" ".join(paragraph.split("\n")), max(self.width - self.current_indent, 20)):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first = min(max((cells(term) for term, _ in rows), default=0), col_max)
        start = self.current_indent + first + col_spacing
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if cells(term) <= first:
                self.write(" " * (first - cells(term) + col_spacing))
            else:
                self.write("\n" + " " * start)
            lines = wrap(text, max(self.width - start, 20))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * start + line + "\n")


class ChineseContext(click.Context):
    formatter_class = ChineseFormatter


class ExtraArguments(click.UsageError):
    def __init__(self, extra: Sequence[str], ctx: click.Context) -> None:
        wanted = [p.human_readable_name for p in ctx.command.params if isinstance(p, click.Argument)]
        need = f"只需要{'和'.join(f'“{w}”' for w in wanted)}" if wanted else "不需要参数"
        shown = "、".join(f"“{a}”" for a in extra)
        super().__init__(f"多余的参数{shown}：{ctx.command_path} {need}（路径中有空格时请用引号括起来）", ctx)


class ChineseCommand(click.Command):
    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("context_settings", {}).setdefault("allow_extra_args", True)  # said in Chinese below
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            rest = super().parse_args(ctx, args)
        except click.UsageError as error:
            error.ctx = error.ctx or ctx  # the parser's errors come without it: the usage line and options need it
            raise
        if ctx.args and not ctx.resilient_parsing:
            raise ExtraArguments(ctx.args, ctx)
        return rest


class ChineseGroup(click.Group):
    context_class = ChineseContext
    command_class = ChineseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            commands = self.list_commands(ctx)
            close = difflib.get_close_matches(name, commands, n=1, cutoff=0.5)
            hint = f"是否想用“{close[0]}”？" if close else "可用的命令：" + "、".join(commands)
            raise click.UsageError(f"没有“{name}”这个命令；{hint}", ctx)
        return super().resolve_command(ctx, args)


class Count(click.ParamType):
    """A whole number of at least ``least`` (and at most ``most``), told in Chinese (click's IntRange says ``x>=1``
    in its help and English when the value is wrong)."""

    name = "count"

    def __init__(self, least: int = 1, most: int | None = None) -> None:
        self.least = least
        self.most = most

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            try:
                number = int(text)
            except ValueError:
                self.fail(f"应为整数，而不是“{value}”", param, ctx)
        if number < self.least:
            self.fail(f"至少为 {self.least}，而不是 {number}", param, ctx)
        if self.most is not None and number > self.most:
            self.fail(f"最大为 {self.most}，而不是 {number}", param, ctx)
        return number


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _option(ctx: click.Context | None, name: str) -> click.Parameter | None:
    if ctx is None:
        return None
    return next((p for p in ctx.command.params if name in (*p.opts, *p.secondary_opts)), None)


def _options_of(ctx: click.Context | None) -> list[str]:
    if ctx is None:
        return []
    return [name for p in ctx.command.get_params(ctx) if isinstance(p, click.Option) for name in p.opts]


def usage_message(error: click.UsageError) -> str:
    """Any usage error, in Chinese, with what to do. Messages click writes in English are recognised by the kind of
    error and what it carries, never passed on."""
    ctx = error.ctx
    if isinstance(error, click.MissingParameter) and error.param is not None:
        if isinstance(error.param, click.Argument):
            return f"缺少参数“{error.param.human_readable_name}”"
        return f"缺少选项“{error.param.opts[0]}”"
    if isinstance(error, click.NoSuchOption):
        known = _options_of(ctx)
        close = difflib.get_close_matches(error.option_name, known, n=1, cutoff=0.5)
        hint = f"是否想用“{close[0]}”？" if close else ("可用的选项：" + "、".join(known) if known else "")
        return f"没有这个选项“{error.option_name}”" + (f"；{hint}" if hint else "")
    if isinstance(error, click.BadOptionUsage):
        option = _option(ctx, error.option_name)
        if isinstance(option, click.Option) and option.is_flag:
            return f"选项“{error.option_name}”不带值：只写 {error.option_name} 即可"
        return f"选项“{error.option_name}”后面需要一个值"
    if isinstance(error, click.BadParameter):
        name = error.param.opts[0] if error.param is not None and error.param.opts else "参数"
        if isinstance(error.param, click.Option):
            name = "/".join(error.param.opts)
        detail = error.message if _has_chinese(error.message) else "不正确"
        return f"“{name}”的值{detail}"
    if _has_chinese(error.message):
        return error.message
    if isinstance(ctx, click.Context) and isinstance(ctx.command, click.Group):
        return "缺少命令；可用的命令：" + "、".join(ctx.command.list_commands(ctx))
    return "命令的写法不对"
