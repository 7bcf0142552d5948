"""What the command line and the tests call: validate a year's data, build its report.

read (YAML or workbook) -> one validated model -> figures (changes, phrasing, expressions) -> render -> write.
No function here prints or exits; every failure is a ReportError carrying all the problems found.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.errors import Place, Problem, ReportError, raise_if
from generator.figures import Content, compose
from generator.history import History
from generator.model import Report, dropped_characters, validate_report
from generator.output import output_path, require_libreoffice, write_atomically, write_pdf
from generator.render import TemplateSource, load_template, render_docx
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


def load(source: Path) -> Loaded:
    """Read, validate and compute; raises ReportError with every problem, each at its place in the file."""
    raw = read_source(source)
    _note_dropped_characters(raw)
    report, problems = validate_report(raw.data)
    problems = raw.problems + problems
    if report is None:
        raise ReportError(_in_order(raw.locate(problems)))
    history = History(source, report.year)
    report, disagreements = history.fill_previous(report)
    wanted = list(
        dict.fromkeys([*report.trend, *(n for c in report.charts if c.kind == "trend" for n in c.indicators)])
    )
    known = {i.name for i in report.indicators}
    years = history.series(report, [n for n in wanted if n in known]) if wanted else None
    content, more = compose(report, source.parent, years)
    raise_if(_in_order(raw.locate(problems + disagreements + more)))
    return Loaded(raw, report, content, history.notes)


def render(loaded: Loaded, template: TemplateSource) -> bytes:
    try:
        return render_docx(loaded.content, template)
    except ReportError as exc:  # problems with photos name the data entry: give them their place in the file
        raise ReportError(loaded.raw.locate(exc.problems), kind=exc.kind) from None


def build(
    source: Path,
    template: str | Path | None = None,
    output: Path | None = None,
    *,
    write: bool = True,
    pdf: bool = False,
) -> BuildResult:
    """Build the report of ``source``; with ``write=False`` do everything but write (what validate does);
    with ``pdf`` also a PDF beside the .docx, through LibreOffice."""
    target = output_path(source, output) if write else None
    if pdf and target is not None:
        require_libreoffice(target.with_suffix(".pdf"))  # say so before anything is written
    loaded = load(source)
    chosen = load_template(template)
    data = render(loaded, chosen)
    result = BuildResult(target, loaded, chosen.name, len(data), list(loaded.warnings))
    if target is not None:
        write_atomically(target, data)
        if pdf:
            result.pdf = target.with_suffix(".pdf")
            write_pdf(target, result.pdf)
    return result


def validate(source: Path, template: str | Path | None = None) -> BuildResult:
    """Check everything build checks, photos and template included; write nothing."""
    return build(source, template, write=False)


SHOWN_DROPS = 5


def _note_dropped_characters(raw: RawDocument) -> None:
    """Control characters and lone surrogates that no Word document can hold are dropped from the text (the model
    does it); the user is told where, so that nothing disappears unnoticed."""
    found = list(dropped_characters(raw.data))
    for path, character in found[:SHOWN_DROPS]:
        message = f"删除了 Word 文档不能容纳的字符（U+{ord(character):04X}，控制字符或孤立的代理项）"
        raw.warnings.append(str(Problem(message, path).at(raw.place_of(path))))
    if len(found) > SHOWN_DROPS:
        raw.warnings.append(f"{raw.display_name}：另有 {len(found) - SHOWN_DROPS} 处文字中的这类字符也已删除")


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
    _note_dropped_characters(raw)
    report, problems = validate_report(raw.data)
    if report is None or raw.problems:  # cross-item rules (duplicates, empty indicators) can be fixed after
        raise ReportError(_in_order(raw.locate(raw.problems + problems)))
    return raw, report


def convert(source: Path, target: Path, *, force: bool = False) -> WriteResult:
    """The same year in the other format (YAML <-> workbook); photo paths follow the new location."""
    _check_target(source, target, force)
    raw, report = load_model(source)
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
    following = _rebase_photos(following, source.parent, target.parent)
    heading = f"{following.year}年的数据，由 annual-report 从 {source.name} 生成：本年数值待填写，上年数值已填好"
    _write_data(raw, following, target, heading)
    return WriteResult(target, following, list(raw.warnings))


def _check_target(source: Path, target: Path, force: bool) -> None:
    def refuse(message: str) -> ReportError:
        return ReportError(Problem(message, place=Place(display_name(target)), code="output"), kind="output")

    if target.suffix.lower() not in DATA_SUFFIXES:
        raise refuse("输出文件的扩展名应为 .xlsx（工作簿）或 .yaml")
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise refuse("输出文件不能是输入文件本身")
    if target.is_dir():
        raise refuse("输出路径是一个文件夹")
    if target.exists() and not force:
        raise refuse("文件已存在，没有覆盖；要覆盖请加 --force")


def _write_data(raw: RawDocument, report: Report, target: Path, heading: str) -> None:
    if DATA_SUFFIXES[target.suffix.lower()] == "yaml":
        from generator.writers.yaml_text import yaml_text

        data = yaml_text(report, heading).encode("utf-8")
    else:
        from generator.writers.workbook import workbook_bytes

        try:
            data = workbook_bytes(report)
        except ReportError as exc:  # text too long for a cell: name its place in the input
            raise ReportError(raw.locate(exc.problems), kind=exc.kind) from None
    write_atomically(target, data)


def _rebase_photos(report: Report, old: Path, new: Path) -> Report:
    """Photo paths are relative to the data file: keep them pointing at the same pictures from the new place."""
    if not report.photos or old.resolve() == new.resolve():
        return report
    photos = []
    for photo in report.photos:
        if Path(photo.file).is_absolute():
            photos.append(photo)
            continue
        moved = os.path.relpath(old.resolve() / photo.file, new.resolve())
        photos.append(photo.model_copy(update={"file": PurePosixPath(*Path(moved).parts).as_posix()}))
    return report.model_copy(update={"photos": photos})


# --- templates ---------------------------------------------------------------------------------------------------


def template_copy(name: str, target: Path, *, force: bool = False) -> Path:
    """A copy of a built-in template to restyle in Word, WPS or LibreOffice."""
    from generator.render.templates import BUILTIN_TEMPLATES

    def refuse(message: str, kind: str = "output") -> ReportError:
        return ReportError(Problem(message, place=Place(display_name(target)), code="output"), kind=kind)

    if name not in BUILTIN_TEMPLATES:
        known = "、".join(BUILTIN_TEMPLATES)
        raise ReportError(
            Problem(f"没有名为“{name}”的内置样式；可用的有：{known}", code="template-unknown"), kind="template"
        )
    if target.is_dir():
        target = target / f"{name}.docx"
    if target.suffix.lower() != ".docx":
        raise refuse("模板文件的扩展名应为 .docx")
    if target.exists() and not force:
        raise refuse("文件已存在，没有覆盖；要覆盖请加 --force")
    write_atomically(target, load_template(name).data)
    return target


def template_check(template: str | Path, data: Path | None = None) -> list[Problem]:
    """Everything wrong with a template, each at its paragraph; tried on ``data`` if given, else on a sample."""
    from generator.render.check import check_template

    sample = load(data).content if data is not None else None
    return check_template(load_template(template), sample)
