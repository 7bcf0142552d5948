"""What the command line and the tests call: validate a year's data, build its report.

read (YAML or workbook) -> one validated model -> figures (changes, phrasing, expressions) -> render -> write.
No function here prints or exits; every failure is a ReportError carrying all the problems found.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from generator.errors import Place, Problem, ReportError, raise_if
from generator.figures import Content, compose
from generator.history import History
from generator.model import Report, dropped_characters, validate_report
from generator.output import check_target, output_path, require_libreoffice, write_atomically
from generator.paths import did_you_mean
from generator.render import (
    BUILTIN_TEMPLATES,
    DEFAULT_TEMPLATE,
    TemplateSource,
    load_template,
    photos_shown,
    render_docx,
)
from generator.rollover import next_year
from generator.sources import RawDocument, read_source
from generator.sources.raw import display_name

if TYPE_CHECKING:
    from generator.unit import Stored
    from generator.verify import Verification

# What the web page uses of a unit's folder, through api like everything else. Loaded when first asked for: a build
# from the command line never needs it, and every module a build loads is part of its start-up time.
_UNIT_NAMES = {"TEMPLATE_FOLDER", "FileInfo", "ReportFiles", "Stored", "YearFiles", "fingerprint", "year_files",
               "year_signature"}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _UNIT_NAMES:
        from generator import unit

        return getattr(unit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    photos: int = 0  # how many of the year's photos the report shows (the formal style shows none)


def load(source: Path) -> Loaded:
    """Read, validate and compute; raises ReportError with every problem, each at its place in the file."""
    raw = read_source(source)
    _note_dropped_characters(raw)
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
    to_pdf: Callable[[Path, Path], object] | None = None,
) -> BuildResult:
    """Build the report of ``source``; with ``write=False`` do everything but write (what validate does);
    with ``pdf`` also a PDF beside the .docx, through LibreOffice; with ``force`` replace a report that is open
    in Word/WPS or read-only. ``to_pdf`` converts (document, target): by default the per-user warm converter
    (generator/pdf_service.py), which falls back to a plain ``soffice --convert-to``; a batch passes its worker's
    own LibreOffice (generator/converter.py)."""
    target = output_path(source, output, style=report_style(template)) if write else None
    pdf_target = target.with_suffix(".pdf") if pdf and target is not None else None
    if pdf_target is not None:
        require_libreoffice(pdf_target)  # say so before anything is written
        if to_pdf is None:
            from generator.pdf_service import warm_up

            warm_up()  # the user's LibreOffice starts (if it is not running yet) while the report is built
    loaded = load(source)
    chosen = load_template(template)
    data = render(loaded, chosen)
    result = BuildResult(target, loaded, chosen.name, len(data), [*loaded.warnings, *chosen.notes],
                         photos=photos_shown(loaded.content, chosen))  # fmt: skip
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
            (to_pdf or _service_pdf)(target, pdf_target)
        except KeyboardInterrupt as stop:
            stop.written = [target]  # type: ignore[attr-defined]  # what the message about the stop must say
            raise
        except ReportError as exc:
            result.pdf_problem = exc.problems[0]
        else:
            result.pdf = pdf_target
    return result


def _service_pdf(document: Path, target: Path) -> None:
    from generator.pdf_service import convert

    convert(document, target)


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
    """The data file of the same name beside a report (2019.docx -> 2019.xlsx, 2019.yaml or 2019.yml); a report in
    another style is named after it with the style's name (2019-official.docx), so that is left off too."""
    stems = list(dict.fromkeys([report.stem, report.stem.split("-")[0]]))
    found = [
        report.with_name(stem + suffix)
        for stem in stems
        for suffix in REPORT_DATA_SUFFIXES
        if report.with_name(stem + suffix).is_file()
    ]
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


def verify_for_page(report: Path, data: Path, shown: str) -> VerifyResult:
    """verify, for the web page: the report (an uploaded copy, or a report of the year's folder) called by the name
    the person knows it by."""
    try:
        result = verify(report, data)
    except ReportError as exc:  # named as the person knows the file, never by the uploaded copy's own name
        raise ReportError(_renamed(exc.problems, report, shown), kind=exc.kind) from None
    result.verification.report = shown
    result.verification.data = data.name  # a file of the unit's folder: its name says it
    return result


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


# --- the web page: a unit's folder of years ----------------------------------------------------------------------
# What `annual-report serve` shows and does, as plain functions over the same stages as the commands above. Each
# returns a small result (picklable: the page runs them in worker processes); none prints, none knows HTTP.


@dataclass
class Checked:
    """A year's data checked as `validate` checks it, in the order a person fixes it: notes first (a sheet or
    column that was not read explains the problems below it), then problems from the top of the file down."""

    source: str  # the file's name as the person knows it
    year: int | None
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    organization: str = ""
    headline: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # 部分, 段正文, 指标, 荣誉, 照片, 附表 when it passes

    @property
    def ok(self) -> bool:
        return not self.problems


def check(source: Path, template: str | Path | None = None, *, shown: str | None = None) -> Checked:
    """Everything `validate` checks (the year's file, last year's values, photos, the template), kept as a result
    instead of raised. ``shown`` names the file in the messages when it is not its own name (an upload)."""
    name = shown or source.name
    try:
        loaded = validate(source, template).loaded
    except ReportError as exc:
        notes = list(getattr(exc, "notes", []))  # ReportError carries the reader's notes where it can
        problems = _fixing_order(_renamed(exc.problems, source, name))
        return Checked(name, _year_of(source), _renamed_notes(notes, source, name), problems)
    content = loaded.content
    counts = {
        "部分": len(content.sections),
        "段正文": len(content.lead) + len(content.event) + sum(len(s.paragraphs) for s in content.sections),
        "项指标": len(content.figures),
        "项荣誉": len(content.honors),
        "张照片": len(content.photos),
        "张附表": len(content.tables),
    }
    notes = _renamed_notes([*loaded.warnings, *loaded.notes], source, name)
    return Checked(name, content.year, notes, [], content.organization, content.headline, counts)


def _year_of(source: Path) -> int | None:
    """The year a file with problems says it holds, if it says it clearly enough to be read."""
    try:
        raw = read_source(source)
        year = raw.data.get("year") if isinstance(raw.data, dict) else None
        return int(str(year).strip()) if year is not None and str(year).strip().isdigit() else None
    except (ReportError, ValueError, OSError):
        return None


def _renamed(problems: list[Problem], source: Path, name: str) -> list[Problem]:
    """Problems that name ``source`` (by its path or its bare name) name it ``name`` instead."""
    shown = sorted({display_name(source), source.name, str(source), str(source.resolve())}, key=len, reverse=True)

    def rename(place: Place) -> Place:
        for old in shown:
            if place.file == old or place.file.startswith(old + " "):
                return Place(name + place.file[len(old) :], place.line, place.sheet, place.cell)
        return place

    home = str(source.resolve().parent)  # a message may name a folder by its full path: within the unit, say less

    def shorten(message: str) -> str:
        return message.replace(home + os.sep, "").replace(home, "本文件夹")

    return [replace(p, message=shorten(p.message), place=rename(p.place) if p.place else None) for p in problems]


def _renamed_notes(notes: list[str], source: Path, name: str) -> list[str]:
    shown = sorted({display_name(source), source.name, str(source), str(source.resolve())}, key=len, reverse=True)

    def rename(note: str) -> str:
        for old in shown:
            note = note.replace(old, name)
        return note

    return list(dict.fromkeys(rename(note) for note in notes))


def _fixing_order(problems: list[Problem]) -> list[Problem]:
    """Top to bottom: what concerns the whole file first, then the workbook's sheets in the order they are filled
    in and each sheet by row and column, or the YAML file by line."""
    from generator.sources import layout

    sheets = [layout.BASICS_SHEET, layout.TEXT_SHEET, layout.INDICATOR_SHEET, layout.HONOR_SHEET,
              layout.PHOTO_SHEET, layout.CHART_SHEET]  # fmt: skip

    def key(problem: Problem) -> tuple[int, int, int, int, str]:
        place = problem.place
        if place is None or (place.sheet is None and place.line is None):
            return (0, 0, 0, 0, "")
        if place.line is not None:
            return (1, 0, place.line, 0, "")
        sheet = place.sheet or ""
        rank = sheets.index(sheet) if sheet in sheets else len(sheets)
        found = re.fullmatch(r"([A-Z]+)(\d+)", place.cell or "")
        row, column = (int(found.group(2)), _column_number(found.group(1))) if found else (0, 0)
        return (1, rank, row, column, sheet)

    return sorted(problems, key=key)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_year(folder: Path, year: int) -> Checked | None:
    """The year's data file in ``folder`` checked; None when the year has none. Two data files for one year
    (2019.yaml and 2019.xlsx) are a problem of their own: a build would not know which to use."""
    from generator.unit import year_files

    found = year_files(folder).get(year)
    if found is None:
        return None
    if len(found.data) > 1:
        names = [p.name for p in found.data]
        message = f"{year}年有两个数据文件（{'、'.join(names)}），生成时不知用哪一个；请只保留一个"
        return Checked(names[0], year, problems=[Problem(message, place=Place(names[0]), code="year-clash")])
    return check(found.data[0])


@dataclass
class Style:
    key: str  # what the page sends back: a built-in style's name, or "模板/<file name>"
    label: str  # 报纸通讯, 正式工作报告, 自定义：我局样式
    template: str  # what build takes: a built-in name, or the template's path relative to the unit's folder
    detail: str = ""


def unit_styles(folder: Path) -> list[Style]:
    """The built-in styles and the unit's own templates (in <unit>/模板/)."""
    from generator.render.templates import BUILTIN_TEMPLATES

    styles = []
    for name, description in BUILTIN_TEMPLATES.items():
        label, _, detail = description.partition("：")
        styles.append(Style(name, label, name, detail))
    from generator.unit import TEMPLATE_FOLDER, templates

    for path in templates(folder):
        relative = f"{TEMPLATE_FOLDER}/{path.name}"
        styles.append(Style(relative, f"自定义：{path.stem}", relative, f"本单位的模板 {relative}"))
    return styles


def office_available() -> bool:
    """Whether LibreOffice is here to make PDFs (and so the page's previews)."""
    from generator.output import libreoffice

    return libreoffice() is not None


@dataclass
class PageBuild:
    """A report built from the page: the same .docx `annual-report build` writes, its PDF and its pages as
    pictures when LibreOffice is there. Copies of the .docx and the PDF stay with the pictures, so that the person
    who built it downloads what they saw, even if someone builds the year again a moment later."""

    year: int
    style: str
    report: str | None = None  # the .docx, beside the data (and its copy in the build's folder)
    pdf: str | None = None  # the PDF, beside it (and its copy)
    pdf_problem: str = ""  # why there is no PDF
    pages: int = 0  # pictures in the build's folder: 1.png, 2.png …
    checked: Checked | None = None  # the data's notes, or its problems when nothing was built
    pdf_way: str = ""  # "warm" or "cold": how LibreOffice made the PDF (for the benchmark)


def build_for_page(source: Path, template: str | None, keep: Path) -> PageBuild:
    """Build ``source`` exactly as `annual-report build SOURCE -t TEMPLATE` does (same file, same bytes), then the
    PDF beside it through this process's warm LibreOffice; copies of both and the pages as pictures go to ``keep``."""
    import shutil

    style = template or DEFAULT_STYLE
    try:
        result = build(source, template)
    except ReportError as exc:
        checked = check(source, template)
        if checked.ok:  # the problem is with writing (the report is open in Word, a read-only folder…)
            checked.problems = list(exc.problems)
        return PageBuild(_year_of(source) or 0, style, checked=checked)
    assert result.output is not None
    loaded = result.loaded
    checked = Checked(source.name, loaded.content.year, [*loaded.warnings, *loaded.notes])
    page = PageBuild(loaded.content.year, style, result.output.name, checked=checked)
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(result.output, keep / result.output.name)
    if not office_available():
        page.pdf_problem = "本机没有安装 LibreOffice，不能生成 PDF 和页面预览"
        return page
    from generator.converter import convert_pdf
    from generator.preview import page_images

    pdf = result.output.with_suffix(".pdf")
    try:
        page.pdf_way = convert_pdf(result.output, pdf)
        shutil.copyfile(pdf, keep / pdf.name)
        page.pdf = pdf.name
        page.pages = len(page_images(keep / pdf.name, keep))
    except ReportError as exc:
        page.pdf_problem = exc.problems[0].message if exc.problems else str(exc)
    return page


DEFAULT_STYLE = "newspaper"


@dataclass
class Download:
    name: str
    data: bytes


def next_year_workbook(source: Path) -> Download:
    """Next year's workbook, started from ``source`` as `annual-report new-year SOURCE -o NEXT.xlsx` writes it."""
    from generator.writers.workbook import workbook_bytes

    raw, report = load_model(source)
    following = next_year(report)
    try:
        data = workbook_bytes(following)
    except ReportError as exc:
        raise ReportError(raw.locate(exc.problems), kind=exc.kind) from None
    return Download(f"{following.year}.xlsx", data)


def data_workbook(source: Path) -> Download:
    """A year's data as a workbook: the file itself when it is one, else as `annual-report convert` makes it."""
    if source.suffix.lower() == ".xlsx":
        return Download(source.name, source.read_bytes())
    from generator.writers.workbook import workbook_bytes

    raw, report = load_model(source)
    try:
        data = workbook_bytes(report)
    except ReportError as exc:
        raise ReportError(raw.locate(exc.problems), kind=exc.kind) from None
    return Download(source.with_suffix(".xlsx").name, data)


def check_template_file(template: Path, *, shown: str) -> list[Problem]:
    """What `annual-report template check` says about a template file, naming it ``shown``."""
    try:
        problems = template_check(template)
    except ReportError as exc:
        problems = exc.problems
    return _renamed(problems, template, shown)


def store_data(staged: Path, year: int, expected: str | None) -> Stored:
    """A checked upload made the year's data file (2023.xlsx), replacing what the year had (kept, dated)."""
    folder = staged.parent
    from generator.unit import store, year_files

    existing = year_files(folder).get(year)
    return store(staged, folder / f"{year}{staged.suffix.lower()}", existing.data if existing else [], expected)


def store_template(staged: Path, folder: Path, stem: str, expected: str | None) -> Stored:
    """A checked template stored as <unit>/模板/<stem>.docx, replacing (and keeping) one of the same name."""
    from generator.unit import TEMPLATE_FOLDER, store

    target = folder / TEMPLATE_FOLDER / f"{stem}.docx"
    target.parent.mkdir(exist_ok=True)
    return store(staged, target, [target] if target.exists() else [], expected)


def replaced_by_data(folder: Path, year: int) -> tuple[list[str], str]:
    """The files an upload for ``year`` would replace, and their fingerprint (to ask the person with)."""
    from generator.unit import fingerprint, year_files

    existing = year_files(folder).get(year)
    paths = existing.data if existing else []
    return [p.name for p in paths], fingerprint(paths) if paths else ""
