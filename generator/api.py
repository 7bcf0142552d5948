"""What the command line and the tests call: validate a year's data, build its report.

read (YAML or workbook) -> one validated model -> figures (changes, phrasing, expressions) -> render -> write.
No function here prints or exits; every failure is a ReportError carrying all the problems found.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.errors import Place, Problem, ReportError, raise_if
from generator.figures import Content, compose
from generator.history import History
from generator.model import Report, validate_report
from generator.output import check_target, output_path, require_libreoffice, write_atomically, write_pdf
from generator.paths import did_you_mean
from generator.render import BUILTIN_TEMPLATES, DEFAULT_TEMPLATE, TemplateSource, load_template, render_docx
from generator.rollover import next_year
from generator.sources import RawDocument, read_source
from generator.sources.raw import display_name


@dataclass
class Loaded:
    """A year's data, read, validated and worked out, ready to render."""

    raw: RawDocument
    report: Report
    content: Content
    notes: list[str] = field(default_factory=list)  # where values came from (上年 taken from last year's file)
    inputs: dict[Path, str] = field(default_factory=dict)  # every file read, and what it is: never an output

    @property
    def warnings(self) -> list[str]:
        return self.raw.warnings


@dataclass
class BuildResult:
    output: Path | None
    loaded: Loaded
    template: str
    size: int
    warnings: list[str] = field(default_factory=list)
    pdf: Path | None = None
    pdf_problem: Problem | None = None  # the .docx was written, the PDF asked for was not: why


def load(source: Path) -> Loaded:
    """Read, validate and compute; raises ReportError with every problem, each at its place in the file."""
    raw = read_source(source)
    report, problems = validate_report(raw.data)
    problems = raw.problems + problems
    if report is None:
        raise ReportError(_in_order(raw.locate(problems)), notes=raw.warnings)
    history = History(source, report.year)
    report, disagreements = history.fill_previous(report)
    wanted = list(
        dict.fromkeys([*report.trend, *(n for c in report.charts if c.kind == "trend" for n in c.indicators)])
    )
    known = {i.name for i in report.indicators}
    years = history.series(report, [n for n in wanted if n in known]) if wanted else None
    content, more = compose(report, source.parent, years)
    raise_if(
        _in_order(raw.locate(problems + disagreements + _year_in_name(source, report) + more)),
        notes=[*raw.warnings, *history.notes],
    )
    inputs = {source: "输入文件"}
    inputs.update({path: f"{year}年的数据文件" for year, path in history.read_files.items()})
    inputs.update({photo.file: "照片" for photo in content.photos})
    return Loaded(raw, report, content, history.notes, inputs)


YEAR_NAME = re.compile(r"\d{4}")


def _year_in_name(source: Path, report: Report) -> list[Problem]:
    """A file named after a year holds that year: other years' files and folder builds find years by name."""
    if not YEAR_NAME.fullmatch(source.stem) or int(source.stem) == report.year:
        return []
    message = (
        f"文件名是 {source.name}，年份（year）却是 {report.year}：请改正其中一个"
        "（上年数值、历年趋势和批量生成都按文件名认年份）"
    )
    return [Problem(message, ("year",), code="year-not-name")]


def report_style(template: str | Path | None) -> str:
    """What a report's file name carries besides the year: nothing for the default style, ``-official`` for another
    built-in style, ``-<template file name>`` for a user's template, so that two styles of one year never overwrite
    each other (2019.docx, 2019-official.docx, 2019-我局样式.docx)."""
    name = str(template) if template is not None else DEFAULT_TEMPLATE
    if name == DEFAULT_TEMPLATE:
        return ""
    return f"-{name}" if name in BUILTIN_TEMPLATES else f"-{Path(name).stem}"


def render(loaded: Loaded, template: TemplateSource) -> bytes:
    try:
        return render_docx(loaded.content, template)
    except ReportError as exc:  # problems with photos name the data entry: give them their place in the file
        raise ReportError(loaded.raw.locate(exc.problems), kind=exc.kind, notes=loaded.warnings) from None


def build(
    source: Path,
    template: str | Path | None = None,
    output: Path | None = None,
    *,
    write: bool = True,
    pdf: bool = False,
    force: bool = False,
) -> BuildResult:
    """Build the report of ``source``; with ``write=False`` do everything but write (what validate does);
    with ``pdf`` also a PDF beside the .docx, through LibreOffice; with ``force`` replace a report that is open
    in Word/WPS or read-only."""
    target = output_path(source, output, style=report_style(template)) if write else None
    pdf_target = target.with_suffix(".pdf") if pdf and target is not None else None
    if pdf_target is not None:
        require_libreoffice(pdf_target)  # say so before anything is written
    loaded = load(source)
    chosen = load_template(template)
    data = render(loaded, chosen)
    result = BuildResult(target, loaded, chosen.name, len(data), [*loaded.warnings, *chosen.notes])
    if target is None:
        return result
    inputs = dict(loaded.inputs)
    if chosen.path is not None:
        inputs.setdefault(chosen.path, "内置模板" if chosen.builtin else "模板")
    for each in (target, pdf_target):  # every target checked before any is written
        if each is not None:
            check_target(each, inputs, force=force)
    write_atomically(target, data)
    if pdf_target is not None:
        try:
            write_pdf(target, pdf_target)
        except KeyboardInterrupt as stop:
            stop.written = [target]  # type: ignore[attr-defined]  # what the message about the stop must say
            raise
        except ReportError as exc:
            result.pdf_problem = exc.problems[0]
        else:
            result.pdf = pdf_target
    return result


def validate(source: Path, template: str | Path | None = None) -> BuildResult:
    """Check everything build checks, photos and template included; write nothing."""
    return build(source, template, write=False)


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Sorted by line, so a person can fix them top to bottom; places without lines keep their order."""

    def key(problem: Problem) -> int:
        line = problem.place.line if problem.place else None
        return line if line is not None else 10**9

    return sorted(problems, key=key)


# --- converting and starting the next year --------------------------------------------------------------------

DATA_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx"}


@dataclass
class WriteResult:
    output: Path
    report: Report
    warnings: list[str] = field(default_factory=list)


def load_model(source: Path) -> tuple[RawDocument, Report]:
    """Read and validate the structure only: enough to convert or roll over a file whose figures are not all
    filled in yet (a new year's draft)."""
    raw = read_source(source)
    report, problems = validate_report(raw.data)
    if report is None or raw.problems:  # cross-item rules (duplicates, empty indicators) can be fixed after
        raise ReportError(_in_order(raw.locate(raw.problems + problems)), notes=raw.warnings)
    return raw, report


def convert(source: Path, target: Path, *, force: bool = False) -> WriteResult:
    """The same year in the other format (YAML <-> workbook); photo paths follow the new location."""
    _check_target(source, target, force)
    raw, report = load_model(source)
    _check_year_name(target, report.year)
    report = _rebase_photos(report, source.parent, target.parent)
    _write_data(raw, report, target, f"由 annual-report 从 {source.name} 转换生成")
    return WriteResult(target, report, list(raw.warnings))


def new_year(source: Path, output: Path | None = None, *, force: bool = False) -> WriteResult:
    """Next year's file beside this one (2022.yaml -> 2023.yaml), ready to fill in."""
    raw, report = load_model(source)
    following = next_year(report)
    target = output if output is not None else source.with_name(f"{following.year}{source.suffix.lower()}")
    if output is not None and output.is_dir():
        target = output / f"{following.year}{source.suffix.lower()}"
    _check_target(source, target, force)
    _check_year_name(target, following.year)
    following = _rebase_photos(following, source.parent, target.parent)
    heading = f"{following.year}年的数据，由 annual-report 从 {source.name} 生成：本年数值待填写，上年数值已填好"
    _write_data(raw, following, target, heading)
    return WriteResult(target, following, list(raw.warnings))


def _refuse(target: Path, message: str) -> ReportError:
    return ReportError(Problem(message, place=Place(display_name(target)), code="output"), kind="output")


def _check_target(source: Path, target: Path, force: bool) -> None:
    if target.suffix.lower() not in DATA_SUFFIXES:
        raise _refuse(target, "输出文件的扩展名应为 .xlsx（工作簿）或 .yaml")
    check_target(target, {source: "输入文件"}, force=True)  # never the input, whatever link leads there
    if os.path.lexists(target) and not force:
        raise _refuse(target, "文件已存在，没有覆盖；要覆盖请加 --force")


def _check_year_name(target: Path, year: int) -> None:
    if YEAR_NAME.fullmatch(target.stem) and int(target.stem) != year:
        raise _refuse(
            target,
            f"这是{year}年的数据，文件名却是 {target.name}：按年份命名的文件，程序按文件名认年份；"
            f"请用 {year}{target.suffix} 这样的名字",
        )


def _write_data(raw: RawDocument, report: Report, target: Path, heading: str) -> None:
    if DATA_SUFFIXES[target.suffix.lower()] == "yaml":
        from generator.writers.yaml_text import yaml_text

        data = yaml_text(report, heading).encode("utf-8")
    else:
        from generator.writers.workbook import workbook_bytes

        try:
            data = workbook_bytes(report)
        except ReportError as exc:  # text too long for a cell: name its place in the input
            raise ReportError(raw.locate(exc.problems), kind=exc.kind, notes=raw.warnings) from None
    write_atomically(target, data)


def _rebase_photos(report: Report, old: Path, new: Path) -> Report:
    """Photo paths are relative to the data file: keep them pointing at the same pictures from the new place."""
    if not report.photos or old.resolve() == new.resolve():
        return report
    photos = []
    for photo in report.photos:
        written = photo.file.replace("\\", "/")  # typed on Windows: photos\2022\会议.jpg
        if Path(written).is_absolute():
            photos.append(photo)
            continue
        moved = os.path.relpath(old.resolve() / written, new.resolve())
        photos.append(photo.model_copy(update={"file": PurePosixPath(*Path(moved).parts).as_posix()}))
    return report.model_copy(update={"photos": photos})


# --- templates ---------------------------------------------------------------------------------------------------


def template_copy(name: str, target: Path, *, force: bool = False) -> Path:
    """A copy of a built-in template to restyle in Word, WPS or LibreOffice."""
    if name not in BUILTIN_TEMPLATES:
        close = difflib.get_close_matches(name.casefold(), list(BUILTIN_TEMPLATES), n=1, cutoff=0.6)
        message = f"没有名为“{name}”的内置样式；可用的有：{'、'.join(BUILTIN_TEMPLATES)}{did_you_mean(close)}"
        raise ReportError(Problem(message, code="template-unknown"), kind="template")
    if target.is_dir():
        target = target / f"{name}.docx"
    if target.suffix.lower() != ".docx":
        raise _refuse(target, "模板文件的扩展名应为 .docx")
    builtin = load_template(name)
    check_target(target, {builtin.path: "内置模板"} if builtin.path else {}, force=True)
    if os.path.lexists(target) and not force:
        raise _refuse(target, "文件已存在，没有覆盖；要覆盖请加 --force")
    write_atomically(target, builtin.data)
    return target


def template_check(template: str | Path, data: Path | None = None) -> list[Problem]:
    """Everything wrong with a template, each at its paragraph; tried on ``data`` if given, else on a sample."""
    from generator.render.check import check_template

    sample = load(data).content if data is not None else None
    return check_template(load_template(template), sample)
