"""The ``annual-report`` command. The only place that prints or exits.

Exit codes: 0 done; 1 bad data, template or output path (every problem listed, no traceback); 2 bad usage.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from generator import __version__, api
from generator.cli_chinese import ChineseGroup, Count, usage_message
from generator.errors import ReportError
from generator.launcher import stop_code
from generator.render import BUILTIN_TEMPLATES, DEFAULT_TEMPLATE
from generator.sources.raw import display_name

EXIT_PROBLEMS = 1
MEMORY_MESSAGE = "处理这份数据或模板需要的内存超过了上限（其中可能有异常巨大的内容），没有写出任何文件"
EXIT_USAGE = 2

_KIND_HEADINGS = {"data": "数据有误", "template": "模板有误", "output": "无法写出文件"}


def _help(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.help_option("-h", "--help", help="显示这段帮助并退出")(function)


# Paths are checked by the readers and writers, which say what is wrong in Chinese (click would say it in English).
PATH = click.Path(path_type=Path, readable=False)

TEMPLATE_HELP = (
    f"报告样式：内置样式名（{'、'.join(BUILTIN_TEMPLATES)}，默认：{DEFAULT_TEMPLATE}）或自己的 .docx 模板文件"
)
FORCE_HELP = "输出文件已存在时覆盖它"


@click.group(cls=ChineseGroup, help="把一年的数据（Excel 工作簿或 YAML 文件）生成为机关工作报道的 Word 文档。")
@click.version_option(__version__, "-V", "--version", message="annual-report %(version)s", help="显示版本号")
@_help
def main() -> None:
    pass


@main.command(
    short_help="生成报告（.docx，可同时生成 PDF）",
    help="生成报告：默认写在输入文件旁边（2019.yaml → 2019.docx；其他样式的报告在文件名后加样式名，"
    "如 2019-official.docx）。输入是文件夹时，生成其中（含子文件夹）所有以年份命名的数据文件"
    "（2019.yaml、2020.xlsx……）的报告，多个进程并行，最后列出成功和失败。"
    "报告正在 Word/WPS 中打开或是只读文件时不覆盖，除非加 --force。",
)
@click.argument("input_file", metavar="输入文件或文件夹", type=PATH)
@click.option(
    "-o",
    "--output",
    metavar="路径",
    type=PATH,
    help="报告写到这里（.docx 文件或文件夹）",
)
@click.option("-t", "--template", metavar="样式", help=TEMPLATE_HELP)
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF，写在 .docx 旁边")
@click.option("-j", "--jobs", type=Count(1), metavar="N", help="批量生成时同时运行的进程数（默认：CPU 核数）")
@click.option("--force", is_flag=True, help="报告正在 Word/WPS 中打开（旁边有锁文件）或是只读文件时，仍然覆盖它")
@_help
def build(
    input_file: Path, output: Path | None, template: str | None, pdf: bool, jobs: int | None, force: bool
) -> None:
    if input_file.is_dir():
        if output is not None:
            raise click.UsageError("批量生成时报告写在各数据文件旁边，不能用 -o")
        _build_folder(input_file, template, pdf, jobs, force)
        return
    result = _run(lambda: api.build(input_file, template, output, pdf=pdf, force=force))
    _print_warnings(result.warnings)
    for note in result.loaded.notes:
        click.echo(note, err=True)
    assert result.output is not None
    report = result.loaded.content
    click.echo(
        f"已生成 {display_name(result.output)}（{report.year}年，{len(report.sections)} 个部分，"
        f"{len(report.summary)} 项主要指标，{result.photos} 张照片，样式：{result.template}）"
    )
    if result.pdf is not None:
        click.echo(f"已生成 {display_name(result.pdf)}")
    if result.pdf_problem is not None:  # the .docx is there (said above); the PDF is not
        click.echo(str(result.pdf_problem), err=True)
        sys.exit(EXIT_PROBLEMS)


def _build_folder(folder: Path, template: str | None, pdf: bool, jobs: int | None, force: bool) -> None:
    from rich.console import Console  # a single build does not pay for rich
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from generator import batch

    console = Console(stderr=True, highlight=False)
    from generator.output import require_libreoffice
    from generator.render import load_template

    if template is not None:
        _run(lambda: load_template(template))  # a wrong template fails once, not once per unit
    if pdf:
        _run(lambda: require_libreoffice(folder / "报告.pdf"))
    inputs, outcomes = batch.find_inputs(folder)
    if not inputs and not outcomes:
        click.echo(f"{display_name(folder)} 中没有以年份命名的数据文件（如 2019.yaml、2020.xlsx）", err=True)
        sys.exit(EXIT_PROBLEMS)
    columns = (TextColumn("正在生成"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=len(inputs))
        outcomes += batch.build_all(inputs, template, pdf, jobs, lambda _: progress.advance(task), force)
    outcomes.sort(key=lambda o: str(o.source))
    table = Table(title=f"{display_name(folder)}：{len(outcomes)} 份数据", show_lines=False)
    table.add_column("数据文件")
    table.add_column("结果")
    table.add_column("报告 / 第一个问题", overflow="fold")

    def within(path: Path) -> str:  # the title names the folder as given; rows say where below it
        try:
            return str(path.relative_to(folder))
        except ValueError:
            return display_name(path)

    for outcome in outcomes:
        source = within(outcome.source)
        if outcome.ok:
            table.add_row(source, "[green]成功[/green]", within(outcome.output))
        else:
            more = f"（共 {outcome.problems} 处）" if outcome.problems > 1 else ""
            table.add_row(source, "[red]失败[/red]", outcome.problem + more)
    Console(highlight=False).print(table)
    failed = sum(1 for o in outcomes if not o.ok)
    click.echo(f"成功 {len(outcomes) - failed} 份，失败 {failed} 份")
    if failed:
        sys.exit(EXIT_PROBLEMS)


@main.command(
    short_help="检查数据文件，不写任何文件",
    help="检查数据文件（与 build 做同样的检查，包括照片和模板），不写任何文件。",
)
@click.argument("input_file", metavar="输入文件", type=PATH)
@click.option("-t", "--template", metavar="样式", help=TEMPLATE_HELP)
@_help
def validate(input_file: Path, template: str | None) -> None:
    result = _run(lambda: api.validate(input_file, template))
    _print_warnings(result.warnings)
    for note in result.loaded.notes:
        click.echo(note)
    content = result.loaded.content
    paragraphs = len(content.lead) + len(content.event) + sum(len(s.paragraphs) for s in content.sections)
    click.echo(
        f"{display_name(input_file)} 检查通过：{content.year}年，{len(content.sections)} 个部分、{paragraphs} 段正文，"
        f"{len(content.figures)} 项指标，{len(content.honors)} 项荣誉，{len(content.photos)} 张照片，"
        f"{len(content.tables)} 张附表"
    )


@main.command(
    short_help="在工作簿（.xlsx）和 YAML 之间转换",
    help="在工作簿（.xlsx）和 YAML 之间转换同一年的数据，例如 2019.yaml → 2019.xlsx，或反过来。",
)
@click.argument("input_file", metavar="输入文件", type=PATH)
@click.argument("output_file", metavar="输出文件", type=PATH)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@_help
def convert(input_file: Path, output_file: Path, force: bool) -> None:
    result = _run(lambda: api.convert(input_file, output_file, force=force))
    _print_warnings(result.warnings)
    report = result.report
    click.echo(f"已写出 {display_name(result.output)}（{report.year}年，{len(report.indicators)} 项指标）")


@main.command(
    "new-year",
    short_help="从今年的文件开始明年的文件",
    help="从今年的文件开始明年的：年份加一，今年的数值成为“上年”，本年数值和同比清空待填，"
    "标题和正文留作草稿，荣誉和照片清空。默认写在旁边（2022.yaml → 2023.yaml）。",
)
@click.argument("input_file", metavar="输入文件", type=PATH)
@click.option(
    "-o",
    "--output",
    metavar="路径",
    type=PATH,
    help="写到别处，也可以换格式（.xlsx 或 .yaml）",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@_help
def new_year(input_file: Path, output: Path | None, force: bool) -> None:
    result = _run(lambda: api.new_year(input_file, output, force=force))
    _print_warnings(result.warnings)
    filled = sum(1 for i in result.report.indicators if i.previous is not None)
    click.echo(
        f"已写出 {display_name(result.output)}：{result.report.year}年，{len(result.report.indicators)} 项指标"
        f"（{filled} 项已填好上年数值）。填写本年数值后运行 annual-report build {display_name(result.output)}"
    )


@main.command(
    short_help="在浏览器里处理各年数据（本机网页）",
    help="在浏览器里处理本单位的各年数据：上传工作簿并查看问题、生成报告、预览各页、下载 Word 和 PDF、开始新的一年。"
    "文件夹默认是当前文件夹（放各年数据文件 2023.xlsx 等的那个）。只在本机打开；要让局域网里的同事打开，用 --host。",
)
@click.argument("folder", metavar="[文件夹]", type=PATH, default=Path("."), required=False)
@click.option(
    "--host",
    metavar="地址",
    help="在这个地址上开放页面给局域网（如 0.0.0.0）；此时访问需要启动时显示的令牌，"
    "或环境变量 ANNUAL_REPORT_PASSWORD 设置的密码",
)
@click.option("--port", type=Count(1, 65535), metavar="端口", help="端口（默认 8000 起第一个空闲的）")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器")
@click.option("-j", "--jobs", type=Count(1), metavar="N", help="同时生成报告的进程数（默认 2）")
@_help
def serve(folder: Path, host: str | None, port: int | None, no_browser: bool, jobs: int | None) -> None:
    from generator.web import Started
    from generator.web import serve as run

    def started(where: Started) -> None:
        click.echo(f"页面已启动：{where.url}")
        if where.token:
            click.echo("这是局域网地址，打开时需要其中的令牌（token=…）；把整行地址发给要使用的同事。")
        else:
            click.echo("只有本机可以打开。")
        click.echo("按 Ctrl-C 停止。")

    _run(lambda: run(folder, host=host, port=port, open_browser=not no_browser, jobs=jobs, on_start=started))
    click.echo("页面已停止。")


@main.group(
    cls=ChineseGroup,
    short_help="报告样式（Word 模板）：列出、复制、检查",
    help="报告样式（Word 模板）：列出、复制一份来改、检查改过的模板。",
)
@_help
def template() -> None:
    pass


@template.command("list", short_help="列出内置样式", help="列出内置样式。")
@_help
def template_list() -> None:
    for name, description in BUILTIN_TEMPLATES.items():
        click.echo(f"{name:<10} {description}")


@template.command(
    "copy",
    short_help="把内置样式复制一份来改",
    help="把内置样式复制一份，在 Word、WPS 或 LibreOffice 里修改后用 build -t 文件 生成。",
)
@click.argument("name", metavar="样式名")
@click.argument("output_file", metavar="输出文件", type=PATH)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@_help
def template_copy(name: str, output_file: Path, force: bool) -> None:
    target = _run(lambda: api.template_copy(name, output_file, force=force))
    click.echo(
        f"已写出 {display_name(target)}：修改样式后运行 annual-report template check {display_name(target)} 检查"
    )


@template.command(
    "check",
    short_help="检查改过的模板",
    help="检查一个 Word 模板：标签写法、用到的名称，并用示例数据试生成一次。",
)
@click.argument("template_file", metavar="模板", type=PATH)
@click.option(
    "-d",
    "--data",
    metavar="数据文件",
    type=PATH,
    help="用这份数据试生成（默认用内置示例）",
)
@_help
def template_check(template_file: Path, data: Path | None) -> None:
    problems = _run(lambda: api.template_check(template_file, data))
    if problems:
        _fail(ReportError(problems, kind="template"))
    shown = display_name(template_file)
    click.echo(f"{shown} 检查通过：可以用 annual-report build 数据文件 -t {shown} 生成")


# --- verify and import (issue 13) -----------------------------------------------------------------------------

_CHECK_NAMES = ("百分点", "约数", "增减", "数字写法", "标点")  # generator.verify.CHECKS, named here for --help


def _skipped(values: Sequence[str]) -> list[str]:
    names = [n.strip() for value in values for n in value.replace("，", ",").replace("、", ",").split(",") if n.strip()]
    if any(n in {"全部", "all"} for n in names):
        return list(_CHECK_NAMES)
    unknown = [n for n in names if n not in _CHECK_NAMES]
    if unknown:
        raise click.UsageError(
            f"--skip 后面的“{'、'.join(unknown)}”不是检查的名称；可以写：{'、'.join(_CHECK_NAMES)}、全部"
        )
    return names


@main.command(
    short_help="核对报告里的数字与数据是否一致，并检查写法",
    help="核对报告（.docx）里的每个数字是否与数据一致：正文、标题、表格、文本框、页眉页脚里的百分比、个百分点和带单位的数，"
    "逐个对应到指标，与 build 的算法（四舍五入）比较，写明位置、原文、数据和应改成的句子；没有对应指标的数字另外列出；"
    "同时检查写法（比率用个百分点、约数、增减、数字写法、标点）。默认用报告旁边同名的数据文件（2019.docx → 2019.xlsx "
    "或 2019.yaml）。全部一致时退出码为 0，有不一致时为 1。",
)
@click.argument("report_file", metavar="报告", type=PATH)
@click.argument("data_file", metavar="[数据文件]", type=PATH, required=False)
@click.option(
    "--skip",
    "skip",
    multiple=True,
    metavar="检查",
    help=f"不做某项写法检查：{'、'.join(_CHECK_NAMES)}，或“全部”；可以写多次，也可以用逗号隔开",
)
@click.option("--all", "show_all", is_flag=True, help="也列出与数据一致的数字")
@_help
def verify(report_file: Path, data_file: Path | None, skip: tuple[str, ...], show_all: bool) -> None:
    skipped = _skipped(skip)
    result = _run(lambda: api.verify(report_file, data_file, skipped))
    for note in result.notes:
        click.echo(note, err=True)
    found = result.verification
    disagreements, unexplained, warnings = found.disagreements, found.unexplained, found.warnings
    counted = len(found.agreements) + len(disagreements) + len(unexplained)
    click.echo(
        f"核对 {display_name(report_file)} 与 {display_name(result.data)}：共 {counted} 处数字，"
        f"{len(found.agreements)} 处与数据一致，{len(disagreements)} 处不一致，{len(unexplained)} 处没有对应的指标"
        + (f"；写法提示 {len(warnings)} 处" if warnings else "")
    )
    if disagreements:
        click.echo(f"\n{click.style('与数据不一致', fg='red')}（{len(disagreements)} 处）：")
        for number, finding in enumerate(disagreements, start=1):
            click.echo(f"{number}. {finding.where}")
            click.echo(f"   原文：{finding.found}")
            click.echo(f"   数据：{finding.expected}")
            click.echo(f"   应改为：{finding.suggestion}")
    if warnings:
        click.echo(f"\n{click.style('写法提示', fg='yellow')}（{len(warnings)} 处，可用 --skip 名称 关闭）：")
        for finding in warnings:
            suggestion = f"；应为“{finding.suggestion}”" if finding.suggestion else ""
            click.echo(f"  [{finding.check}] {finding.where}：{finding.message}（原文“{finding.found}”{suggestion}）")
    if unexplained:
        click.echo(f"\n没有对应指标的数字（不算错误，{len(unexplained)} 处）：")
        for finding in unexplained:
            click.echo(f"  {finding.where}：{finding.found}")
    if show_all and found.agreements:
        click.echo(f"\n与数据一致（{len(found.agreements)} 处）：")
        for finding in found.agreements:
            click.echo(f"  {finding.where}：{finding.found}（{'、'.join(finding.indicators)}）")
    if disagreements:
        sys.exit(EXIT_PROBLEMS)
    click.echo("\n所有与指标对应的数字都与数据一致。")


@main.command(
    "import",
    short_help="把手写的报道导入为这一年的数据草稿",
    help="把手写的报道或工作报告（.docx）导入为这一年的数据草稿（工作簿或 YAML）：引题、主题、署名、导语、小标题和段落"
    "各归其位，正文中带同比或单位的数字提取为指标（都标为“待确认”，原句写在批注或注释里），正文里的这些数字换成表达式，"
    "明年 new-year 和 build 会自动更新它们；放不进去的文字保留在一张附表里并逐条列出。",
)
@click.argument("input_file", metavar="报告", type=PATH)
@click.option(
    "-o",
    "--output",
    metavar="路径",
    type=PATH,
    help="写到这里：.xlsx 或 .yaml 文件，或文件夹（默认在报告旁边，以年份命名，如 2022.xlsx）",
)
@click.option("--year", metavar="年份", help="报告是哪一年的（默认从正文判断）")
@click.option("--organization", metavar="单位全称", help="单位全称（默认从正文推测）")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它")
@_help
def import_(input_file: Path, output: Path | None, year: str | None, organization: str | None, force: bool) -> None:
    chosen_year = None
    if year is not None:
        if not year.strip().isdigit() or not 1900 <= int(year.strip()) <= 2200:
            raise click.UsageError(f"--year 应为四位年份，如 2022，实际是“{year}”")
        chosen_year = int(year.strip())
    result = _run(
        lambda: api.import_report(input_file, output, year=chosen_year, organization=organization, force=force)
    )
    report = result.report
    paragraphs = sum(len(s.paragraphs) + sum(len(p.paragraphs) for p in s.subsections) for s in report.sections)
    parts = sum(len(s.subsections) for s in report.sections)
    outlook = len(report.outlook.paragraphs) if report.outlook else 0
    click.echo(
        f"已写出 {display_name(result.output)}（草稿）：{report.year}年，主题“{report.headline}”，"
        f"{len(report.sections)} 个部分" + (f"（{parts} 个二级标题）" if parts else "") + f"、{paragraphs} 段正文，"
        f"导语 {len(report.lead)} 段，活动 {len(report.event)} 段，展望 {outlook} 段"
        + (f"，荣誉 {len(report.honors)} 项" if report.honors else "")
    )
    where = "YAML 注释" if result.output.suffix.lower() in {".yaml", ".yml"} else "“指标”表名称单元格的批注"
    click.echo(
        f"  提取了 {len(report.indicators)} 项指标，都标为“待确认”，原句写在{where}里；"
        f"正文中 {result.replaced} 处数字已改为表达式"
    )
    for note in result.notes:
        click.echo(f"  {note}")
    share = result.covered / result.sentences if result.sentences else 1.0
    click.echo(f"  按草稿生成的报告重现了原文 {share:.0%} 的句子（{result.covered}/{result.sentences}）")
    if result.unplaced:
        click.echo(f"未能归位的文字（{len(result.unplaced)} 处，保留在附表“导入时未能归位的文字”中）：")
        for where_, text, why in result.unplaced:
            click.echo(f"  {where_}：{text}（{why}）")
    click.echo(f"请核对后运行 annual-report build {display_name(result.output)}")


def _run(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except ReportError as exc:
        _fail(exc)
    except KeyboardInterrupt as stop:
        written = getattr(stop, "written", [])
        done = "、".join(display_name(p) for p in written)
        click.echo(f"已中断：{done} 已经生成，PDF 没有生成。" if written else "已中断，没有写出任何文件。", err=True)
        sys.exit(stop_code(stop))
    except MemoryError:  # past the sandbox's checks and its memory ceiling: still the input's doing, not a bug
        click.echo(f"内存不足：{MEMORY_MESSAGE}", err=True)
        sys.exit(EXIT_PROBLEMS)
    except Exception as exc:
        if os.environ.get("ANNUAL_REPORT_DEBUG"):
            raise
        click.echo(
            f"程序内部错误（这不是您数据的问题，请把这条信息告诉维护者）：{type(exc).__name__}: {exc}\n"
            "设置环境变量 ANNUAL_REPORT_DEBUG=1 再运行可看到详细信息。",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)


def _fail(error: ReportError) -> NoReturn:
    _print_warnings(error.notes)  # first: a sheet or column ignored often explains the problems below
    count = len(error.problems)
    heading = _KIND_HEADINGS.get(error.kind, "出错")
    click.echo(
        f"{heading}，共 {count} 处问题，没有写出任何文件：" if count > 1 else f"{heading}，没有写出任何文件：", err=True
    )
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(EXIT_PROBLEMS)


def _print_warnings(warnings: Sequence[str]) -> None:
    for warning in warnings:
        click.echo(f"{click.style('注意', fg='yellow')}：{warning}", err=True)


def run(argv: Sequence[str] | None = None) -> int:
    """Entry point: runs the command; usage errors in Chinese with exit code 2. Standard output closed or full ends
    quietly with a non-zero code: the command did its work but could not say so. Standard error that cannot be
    written loses its messages, never the exit code."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = stdout if stdout is not None else _Closed()  # closed at start: fails as a full disk does
    sys.stderr = _Forgiving(stderr if stderr is not None else io.StringIO())
    try:
        code = _main(argv)
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno != errno.EPIPE:  # a reader that went away (| head) needs no explanation
            click.echo("无法写出命令的输出：标准输出已关闭或所在磁盘已满。", err=True)
        return EXIT_PROBLEMS
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    return code


class _Closed(io.TextIOBase):
    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


class _Forgiving:
    """Standard error whose writes never fail: there is nowhere left to report that they did."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except (OSError, ValueError):
            return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _main(argv: Sequence[str] | None) -> int:
    try:
        main.main(args=list(argv) if argv is not None else None, prog_name="annual-report", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click >= 8.2
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        return EXIT_USAGE
    except click.UsageError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
            click.echo(f"运行 {exc.ctx.command_path} --help 查看帮助。", err=True)
        click.echo(f"用法错误：{usage_message(exc)}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort as exc:
        click.echo("已中断，没有写出任何文件。", err=True)
        return stop_code(exc.__cause__ or exc.__context__)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_PROBLEMS
    return 0


if __name__ == "__main__":
    sys.exit(run())
