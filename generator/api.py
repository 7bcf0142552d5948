"""What the command line and the tests call: validate a year's data, build its report.

read (YAML or workbook) -> one validated model -> figures (changes, phrasing, expressions) -> render -> write.
No function here prints or exits; every failure is a ReportError carrying all the problems found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import Problem, ReportError, raise_if
from generator.figures import Content, compose
from generator.model import Report, validate_report
from generator.output import output_path, write_atomically
from generator.render import TemplateSource, load_template, render_docx
from generator.sources import RawDocument, read_source


@dataclass
class Loaded:
    """A year's data, read, validated and worked out, ready to render."""

    raw: RawDocument
    report: Report
    content: Content

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


def load(source: Path) -> Loaded:
    """Read, validate and compute; raises ReportError with every problem, each at its place in the file."""
    raw = read_source(source)
    report, problems = validate_report(raw.data)
    problems = raw.problems + problems
    if report is None:
        raise ReportError(_in_order(raw.locate(problems)))
    content, more = compose(report, source.parent)
    raise_if(_in_order(raw.locate(problems + more)))
    return Loaded(raw, report, content)


def render(loaded: Loaded, template: TemplateSource) -> bytes:
    try:
        return render_docx(loaded.content, template)
    except ReportError as exc:  # problems with photos name the data entry: give them their place in the file
        raise ReportError(loaded.raw.locate(exc.problems), kind=exc.kind) from None


def build(
    source: Path, template: str | Path | None = None, output: Path | None = None, *, write: bool = True
) -> BuildResult:
    """Build the report of ``source``; with ``write=False`` do everything but write (what validate does)."""
    target = output_path(source, output) if write else None
    loaded = load(source)
    chosen = load_template(template)
    data = render(loaded, chosen)
    if target is not None:
        write_atomically(target, data)
    return BuildResult(target, loaded, chosen.name, len(data), list(loaded.warnings))


def validate(source: Path, template: str | Path | None = None) -> BuildResult:
    """Check everything build checks, photos and template included; write nothing."""
    return build(source, template, write=False)


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Sorted by line, so a person can fix them top to bottom; places without lines keep their order."""

    def key(problem: Problem) -> int:
        line = problem.place.line if problem.place else None
        return line if line is not None else 10**9

    return sorted(problems, key=key)
