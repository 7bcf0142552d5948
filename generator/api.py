"""What the command line and the tests call: validate a year's data, build its report.

read (YAML or workbook) -> one validated model -> figures (changes, phrasing, expressions) -> render -> write.
No function here prints or exits; every failure is a ReportError carrying all the problems found.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator.errors import Place, Problem, ReportError, raise_if
from generator.figures import Content, compose
from generator.history import History
from generator.model import Report, validate_report
from generator.output import output_path, require_libreoffice, write_atomically, write_pdf
from generator.render import TemplateSource, load_template, render_docx
from generator.rollover import next_year
from generator.sources import RawDocument, read_source
from generator.sources.raw import display_name

if TYPE_CHECKING:
    from generator.verify import Verification


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
    raise_if(_in_order(raw.locate(problems + disagreements + more)), notes=[*raw.warnings, *history.notes])
    return Loaded(raw, report, content, history.notes)


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
            raise ReportError(raw.locate(exc.problems), kind=exc.kind, notes=raw.warnings) from None
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


# --- checking a report against its data, and importing a hand-written one (issue 13) ------------------------------

REPORT_DATA_SUFFIXES = (".xlsx", ".yaml", ".yml")


@dataclass
class VerifyResult:
    """A report compared with its year's data: every finding, as data (the CLI prints it, a web page can show it)."""

    verification: Verification
    data: Path
    notes: list[str] = field(default_factory=list)  # which data file was chosen, where 上年 values came from

    @property
    def ok(self) -> bool:
        return self.verification.ok


def data_file_for(report: Path) -> tuple[Path, list[str]]:
    """The data file of the same name beside a report (2019.docx -> 2019.xlsx, 2019.yaml or 2019.yml)."""
    found = [report.with_suffix(suffix) for suffix in REPORT_DATA_SUFFIXES if report.with_suffix(suffix).is_file()]
    if not found:
        names = "、".join(report.with_suffix(s).name for s in REPORT_DATA_SUFFIXES[:2])
        raise ReportError(
            Problem(
                f"报告旁边没有同名的数据文件（{names}）；请在报告后面写上数据文件，"
                f"如 annual-report verify {report.name} 数据.xlsx",
                place=Place(display_name(report)),
                code="verify-no-data",
            )
        )
    notes = []
    if len(found) > 1:
        others = "、".join(p.name for p in found[1:])
        notes.append(f"旁边有几个同名的数据文件，用的是 {found[0].name}（没有用 {others}）；要用另一个请写在命令里")
    return found[0], notes


def verify(report: Path, data: Path | None = None, skip: Sequence[str] = ()) -> VerifyResult:
    """Every figure of the .docx ``report`` compared with the year's data (default: the file of the same name beside
    it), and the writing conventions not named in ``skip``. Raises ReportError when either file cannot be read."""
    from generator.reading.docx_text import read_docx
    from generator.verify import CHECKS, verify_document

    unknown = [name for name in skip if name not in CHECKS]
    if unknown:
        known = "、".join(CHECKS)
        raise ReportError(
            Problem(f"没有名为“{'、'.join(unknown)}”的检查；可以关闭的有：{known}", code="verify-unknown-check")
        )
    notes: list[str] = []
    if data is None:
        data, notes = data_file_for(report)
    document = read_docx(report)
    loaded = load(data)
    verification = verify_document(document, loaded.content, display_name(data), skip)
    return VerifyResult(verification, data, [*notes, *loaded.notes])


@dataclass
class ImportResult:
    output: Path
    report: Report
    sources: dict[str, list[str]]  # indicator name -> the sentences it was read from (each 待确认)
    unplaced: list[tuple[str, str, str]]  # (where, text, why) of what has no place in the model
    replaced: int  # figures of the text now written by expressions
    covered: int  # sentences of the original a build of the draft says word for word
    sentences: int
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def import_report(
    source: Path,
    output: Path | None = None,
    *,
    year: int | None = None,
    organization: str | None = None,
    force: bool = False,
) -> ImportResult:
    """A hand-written report (.docx) as a draft data file (workbook by default, or YAML), with its figures as
    indicators marked 待确认 and its paragraphs reading them through expressions."""
    from generator.importer import coverage, draft_report
    from generator.importer.output import draft_workbook, draft_yaml
    from generator.reading.docx_text import docx_text, read_docx

    document = read_docx(source)
    draft = draft_report(document, year=year, organization=organization)
    report = draft.report
    target = output if output is not None else source.with_name(f"{report.year}.xlsx")
    if output is not None and output.is_dir():
        target = output / f"{report.year}.xlsx"
    _check_target(source, target, force)
    content, problems = compose(report, target.parent)
    if problems:  # every expression was evaluated before it was kept: this would be a fault of ours
        raise ReportError([Problem(f"导入的草稿无法生成报告：{p}", code="import-invalid") for p in problems])
    style = "official" if report.date is not None else None  # a formal report (it had a sign-off) is built as one
    built = docx_text(render_docx(content, load_template(style)), "草稿")
    covered, total, missing = coverage(document, built)
    heading = (
        f"{report.year}年的数据草稿，由 annual-report 从 {source.name} 导入。\n"
        "指标是从正文中找出的数字，都标为“待确认”：请逐项核对名称、数值和单位，不要的删掉（正文里用到它的表达式也一并改回文字）。"
    )
    if DATA_SUFFIXES.get(target.suffix.lower()) == "yaml":
        data = draft_yaml(report, draft.sources, heading)
    else:
        data = draft_workbook(report, draft.sources)
    write_atomically(target, data)
    unplaced = [(u.where, u.text, u.why) for u in draft.unplaced]
    return ImportResult(target, report, draft.sources, unplaced, draft.replaced, covered, total, missing, draft.notes)
