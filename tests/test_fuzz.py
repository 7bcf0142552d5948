"""Fuzzing both readers and the whole build: whatever YAML text or workbook arrives, the result is either a document
(a valid package, opened by LibreOffice at the end of the session: tests/test_outputs.py) or a ReportError whose
every problem is in Chinese and names the file; never any other exception.

The number of examples follows the hypothesis profile (tests/conftest.py): a few hundred in all by default (CI),
thousands with HYPOTHESIS_PROFILE=slow.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given, reject, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from generator import api
from generator.errors import ReportError
from generator.sources import layout
from tests.conftest import SLOW
from tests.fixtures import odd_workbooks as odd
from tests.helpers import check_document, docx_lines, squeeze


def examples(count: int) -> Callable[[Any], Any]:
    """``count`` examples in CI, 25 times as many in the slow profile."""
    return settings(max_examples=count * 25 if SLOW else count)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@contextmanager
def folder(workspace: Path) -> Iterator[Path]:
    """A fresh folder per example (hypothesis runs many examples in one test), removed afterwards: the documents
    it built are already in the session's ledger."""
    path = Path(tempfile.mkdtemp(dir=workspace))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def assert_refused_well(error: ReportError, source: Path) -> None:
    """A refusal of data: each problem in Chinese, each naming the file (and with a built-in template, never the
    template's fault)."""
    assert error.problems
    assert error.kind == "data", f"a built-in template failed on data: {error}"
    for problem in error.problems:
        text = str(problem)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message), text
        assert source.name in text, text


def build_or_refuse(source: Path, template: str = "newspaper") -> None:
    """The whole build, as the command does it: a valid document whose title text is the data's, or a refusal."""
    try:
        result = api.build(source, template, source.with_name("报告.docx"))
    except ReportError as error:
        assert_refused_well(error, source)
        event("refused")
        return
    event("built")
    assert result.output is not None
    data = result.output.read_bytes()
    check_document(data)
    content = result.loaded.content
    wanted = squeeze(content.headline if template == "newspaper" else content.title)
    assert wanted in squeeze("".join(docx_lines(data))), f"{wanted[:40]!r} is not in the document"


def load_or_refuse(source: Path) -> None:
    try:
        api.load(source)
    except ReportError as error:
        assert_refused_well(error, source)


# --- text as people type it --------------------------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "yes",
    "no",
    "~",
    "null",
    "0123",
    "12:30",
    "1e3",
    ".inf",
    "-.inf",
    ".nan",
    "NaN",
    "Infinity",
    "1e999",
    "2019-12-01",
    "2020年1月15日",
    "1,234",
    "１２３",
    "12.5万",
    "25.8%",
    "−5",
    "- 列表",
    "键: 值",
    "# 注释",
    "&锚",
    "*别名",
    "!!python/object/apply:os.system",
    "@",
    "`",
    "%",
    "'",
    '"',
    "{",
    "}",
    "[",
    "]",
    "|",
    ">",
    "Tom & Jerry <b>粗体</b> ]]> &amp; <!-- -->",
    "עברית العربية \u200f\u200e\u202e反向\u202c",
    "零宽\u200b\u200c\u200d\ufeff字符",
    "控制\x00\x07\x08\x0b\x0c\x1b\x7f\x85字符",
    "回车\r\n换行\r",
    "\t制表",
    "{{ 刑事发案数.同比 }}",
    "{{ 同比(刑事发案数, 治安发案数) }}",
    "{{ 同比(刑事发案数, 治安发案数, 主语='刑事、治安发案', 分别=true) }}",
    "{{ 变化(破案率) }}{{ 破案率.幅度 }}{{ 破案率.趋势 }}",
    "{{ 万(刑事发案数) }}{{ 约(刑事发案数) }}{{ 中文(年份) }}",
    "{{ 指标['治安发案数'].本年 }}",
    "{% if 刑事发案数.change < 0 %}降{% else %}升{% endif %}",
    "{{ 刑事发案数.本念 }}",
    "{{ 不存在 }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ 'x' * 100000000 }}",
    "{{ 10 ** 1000000 }}",
    "{% for i in range(100000000) %}x{% endfor %}",
    "{{",
    "{%",
    "}}",
    "{#",
    "{{ 1/0 }}",
    "{{ 年份 + '1' }}",
    "{{ 刑事发案数 }}{{ 治安发案数 }}",
]

texts = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=60),
    st.lists(st.sampled_from(TRICKY) | st.text(max_size=8), min_size=2, max_size=5).map("".join),
    st.builds(lambda c, n: c * n, st.sampled_from(["长", "x", "\u200b", "&"]), st.integers(1000, 30_000)),
)
numbers = st.one_of(
    st.integers(-(10**6), 10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**6), max_value=10**6).map(str),
    st.sampled_from(["0", "-0", "0.0", "13.0", "1,234", "１２３", "25.8%", "12.5万", "NaN", ".inf", "1e999", "很多"]),
    st.floats(allow_nan=True, allow_infinity=True),
)
# A value of the wrong shape: what a person writes in the wrong place.
wrong = st.one_of(st.none(), st.booleans(), st.integers(), st.lists(st.text(max_size=4), max_size=2),
                  st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2))  # fmt: skip
NAMES = ["刑事发案数", "治安发案数", "破案率", "指标", "同比", "年份", "1号指标", "a b", ""]


def maybe_wrong(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually the right kind of value, now and then the wrong one (so that some years build and some do not)."""
    return st.one_of(*[strategy] * 12, wrong)


def _text_or_paragraphs() -> st.SearchStrategy[Any]:
    return maybe_wrong(st.one_of(texts, st.lists(texts, min_size=0, max_size=3)))


indicators = st.fixed_dictionaries(
    {"name": maybe_wrong(st.sampled_from(NAMES) | texts)},
    optional={
        "unit": maybe_wrong(st.sampled_from(["起", "人", "%", ""]) | texts),
        "value": maybe_wrong(numbers),
        "previous": maybe_wrong(numbers),
        "change": maybe_wrong(numbers),
        "kind": maybe_wrong(st.sampled_from(["count", "rate", "比率", "数量", "率", "其他"])),
        "in_summary": maybe_wrong(st.sampled_from([True, False, "是", "否", "也许"])),
    },
)
sections = st.fixed_dictionaries(
    {"heading": maybe_wrong(texts), "paragraphs": _text_or_paragraphs()}, optional={"extra": texts}
)
tables = st.fixed_dictionaries(
    {"title": maybe_wrong(texts), "columns": maybe_wrong(st.lists(texts, min_size=0, max_size=4))},
    optional={"rows": maybe_wrong(st.lists(st.lists(maybe_wrong(texts | numbers), max_size=4), max_size=4))},
)
hostile_years = st.fixed_dictionaries(
    {
        "organization": maybe_wrong(
            st.fixed_dictionaries({"name": maybe_wrong(texts)}, optional={"short_name": maybe_wrong(texts)})
        ),
        "year": maybe_wrong(st.sampled_from([2019, 2023, "2023", "二〇二三", 1899, 2201, "2023-01-01"]) | numbers),
        "headline": maybe_wrong(texts),
        "sections": maybe_wrong(st.lists(sections, min_size=0, max_size=3)),
    },
    optional={
        "kicker": maybe_wrong(texts),
        "subtitle": maybe_wrong(texts),
        "lead": _text_or_paragraphs(),
        "event": _text_or_paragraphs(),
        "outlook": maybe_wrong(
            st.fixed_dictionaries({"paragraphs": _text_or_paragraphs()}, optional={"heading": maybe_wrong(texts)})
        ),
        "indicators": maybe_wrong(st.lists(indicators, max_size=6)),
        "honors": maybe_wrong(
            st.lists(
                st.fixed_dictionaries(
                    {"recipient": maybe_wrong(texts), "honor": maybe_wrong(texts)},
                    optional={"level": maybe_wrong(st.sampled_from(["全国", "省级", "国家级", "宇宙级"]) | texts)},
                ),
                max_size=3,
            )
        ),
        "photos": maybe_wrong(
            st.lists(
                st.fixed_dictionaries(
                    {"file": maybe_wrong(st.sampled_from(["照片.jpg", "没有.jpg", "/etc/hostname", "..", ""]))},
                    optional={"caption": maybe_wrong(texts)},
                ),
                max_size=2,
            )
        ),
        "byline": maybe_wrong(
            st.fixed_dictionaries(
                {"names": maybe_wrong(st.lists(texts, max_size=3) | texts)}, optional={"label": maybe_wrong(texts)}
            )
        ),
        "tables": maybe_wrong(st.lists(tables, max_size=2)),
        "title": maybe_wrong(texts),
        "date": maybe_wrong(st.sampled_from(["2020-01-15", "2020年1月15日", "2020-02-30", "明天"]) | texts),
        "headlin": texts,
    },
)


# A year as a careful person writes it, with odd text everywhere: most of these build.
SAFE = [t for t in TRICKY if "{" not in t and "}" not in t] + [
    "{{ 刑事发案数.同比 }}",
    "{{ 同比(刑事发案数, 治安发案数) }}",
    "{{ 同比(刑事发案数, 治安发案数, 主语='刑事、治安发案', 分别=true) }}",
    "{{ 变化(破案率) }}，{{ 破案率.幅度 }}{{ 破案率.趋势 }}",
    "{{ 万(刑事发案数) }}、{{ 约(刑事发案数) }}、{{ 中文(年份) }}",
    "{{ 指标['治安发案数'].本年 }}",
    "{% if 刑事发案数.change < 0 %}降{% else %}升{% endif %}",
    "{{ 刑事发案数 }}{{ 治安发案数 }}{{ 年份 + 1 }}{{ 单位 }}{{ 简称 }}",
]
safe_texts = st.one_of(
    st.sampled_from(SAFE),
    st.text(st.characters(blacklist_characters="{}"), max_size=60),
    st.lists(st.sampled_from(SAFE) | st.text(st.characters(blacklist_characters="{}"), max_size=8), max_size=5).map(
        "".join
    ),
    st.builds(lambda c, n: c * n, st.sampled_from(["长", "x", "\u200b", "&"]), st.integers(1000, 30_000)),
)
# never empty once cleaned (a required text of only spaces or control characters is rightly refused)
filled = st.builds(
    lambda word, rest: word + rest, st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6), safe_texts
)
FIXED_INDICATORS = [
    {"name": "刑事发案数", "unit": "起", "value": 120, "previous": 150},
    {"name": "治安发案数", "unit": "起", "value": "1,234", "previous": "１２００"},
    {"name": "破案率", "kind": "rate", "value": "85.3", "previous": 80.1},
]
extra_indicators = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8),
            "value": st.decimals(-(10**9), 10**9, places=2).map(str) | st.integers(0, 10**9),
        },
        optional={
            "unit": safe_texts,
            "previous": st.decimals(1, 10**9, places=1).map(str),
            "change": st.decimals(-100, 100, places=1).map(str),
            "in_summary": st.booleans(),
        },
    )
    # a stated change beside both figures must agree with them: leave it out then (the hostile years try that)
    .map(lambda i: {k: v for k, v in i.items() if k != "change" or "previous" not in i}),
    max_size=5,
    unique_by=lambda i: i["name"],
).map(lambda extra: [i for i in extra if i["name"] not in {"刑事发案数", "治安发案数", "破案率", *NAMES}])


@st.composite
def plausible_years(draw: st.DrawFn) -> dict[str, Any]:
    year: dict[str, Any] = {
        "organization": {"name": draw(filled), "short_name": draw(safe_texts)},
        "year": draw(st.integers(1990, 2100)),
        "headline": draw(filled),
        "sections": draw(
            st.lists(
                st.fixed_dictionaries({"heading": filled, "paragraphs": st.lists(filled, min_size=1, max_size=3)}),
                min_size=1,
                max_size=3,
            )
        ),
        "indicators": FIXED_INDICATORS + draw(extra_indicators),
    }
    optional = {
        "kicker": safe_texts,
        "subtitle": safe_texts,
        "lead": st.lists(filled, max_size=2),
        "event": filled,
        "outlook": st.fixed_dictionaries(
            {"paragraphs": st.lists(filled, min_size=1, max_size=2)}, optional={"heading": safe_texts}
        ),
        "honors": st.lists(
            st.fixed_dictionaries({"recipient": filled, "honor": filled, "level": st.sampled_from(["全国", "省级"])}),
            max_size=3,
        ),
        "photos": st.just([{"file": "照片.jpg", "caption": "会议现场"}]),
        "byline": st.fixed_dictionaries({"names": st.lists(filled, min_size=1, max_size=3)}),
        "title": safe_texts,
        "date": st.sampled_from(["2020-01-15", "2020年1月15日"]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            year[key] = draw(strategy)
    if draw(st.booleans()):
        width = draw(st.integers(1, 4))
        year["tables"] = [
            {
                "title": draw(filled),
                "columns": draw(st.lists(filled, min_size=width, max_size=width)),
                "rows": draw(st.lists(st.lists(filled, min_size=width, max_size=width), max_size=4)),
            }
        ]
    return year


years = st.one_of(plausible_years(), plausible_years(), hostile_years)


def _photo(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (120, 80), (200, 30, 30)).save(path, "JPEG")


# --- YAML -----------------------------------------------------------------------------------------------------------


YAML_PIECES = [*TRICKY, "\n", "\n  ", "\n- ", ": ", "- ", "headline", "sections:", "year: 2023", "'", '"\\ud800"']


@examples(60)
@given(data=st.binary(max_size=3000))
def test_any_bytes_named_yaml_are_read_or_refused(workspace: Path, data: bytes) -> None:
    with folder(workspace) as here:
        source = here / "2023.yaml"
        source.write_bytes(data)
        load_or_refuse(source)


@examples(60)
@given(text=st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=10), max_size=30).map("".join))
def test_any_text_is_read_or_refused(workspace: Path, text: str) -> None:
    with folder(workspace) as here:
        source = here / "2023.yaml"
        source.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        load_or_refuse(source)


@examples(100)
@given(report=years, template=st.sampled_from(["newspaper", "official"]), style=st.sampled_from(["block", "flow"]))
def test_any_yaml_year_builds_or_is_refused(workspace: Path, report: dict[str, Any], template: str, style: str) -> None:
    text = yaml.safe_dump(report, allow_unicode=True, sort_keys=False, default_flow_style=style == "flow", width=70)
    year = report.get("year")
    with folder(workspace) as here:
        _photo(here / "照片.jpg")
        source = here / (f"{year}.yaml" if isinstance(year, int) else "2023.yaml")  # named by its year, as users do
        source.write_text(text, encoding="utf-8")
        build_or_refuse(source, template)


# --- workbooks ------------------------------------------------------------------------------------------------------


def _cell_text(value: str) -> str:
    """What openpyxl can write: control characters travel as Excel's _x0007_ escapes instead."""
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)[:32767]


cells = st.one_of(
    st.none(),
    texts.map(_cell_text),
    st.integers(-(10**17), 10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),
    st.booleans(),
    st.sampled_from(["=1+2", "=A1", "=NOW()", "=1/0", '=HYPERLINK("http://example.com")']),
)
SHEET_HEADERS = {
    layout.BASICS_SHEET: [c.header for c in layout.BASIC_COLUMNS],
    layout.TEXT_SHEET: [c.header for c in layout.TEXT_COLUMNS],
    layout.INDICATOR_SHEET: [c.header for c in layout.INDICATOR_COLUMNS],
    layout.HONOR_SHEET: [c.header for c in layout.HONOR_COLUMNS],
    layout.PHOTO_SHEET: [c.header for c in layout.PHOTO_COLUMNS],
    "附表1": [layout.TABLE_TITLE_LABEL, "表题"],
    "其他": ["随便"],
}
FIRST_COLUMN = {
    layout.BASICS_SHEET: [item.label for item in layout.BASIC_ITEMS] + ["大标题", "不认识的项目"],
    layout.TEXT_SHEET: [*layout.TEXT_KINDS, "结尾", None],
    layout.INDICATOR_SHEET: NAMES,
    layout.HONOR_SHEET: ["巡特警大队", None],
    layout.PHOTO_SHEET: ["照片.jpg", "没有.jpg", None],
}


@st.composite
def workbook_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A workbook of the tool's sheets (some missing, some extra), headers usually right, rows of anything: as a
    plain description, so that a failing example reads as what the workbook holds."""
    names = draw(st.lists(st.sampled_from(list(SHEET_HEADERS)), unique=True, min_size=1, max_size=6))
    if draw(st.booleans()):  # usually the two required sheets
        names = list(dict.fromkeys([layout.BASICS_SHEET, layout.TEXT_SHEET, *names]))
    spec: dict[str, Any] = {}
    for name in names:
        header = list(SHEET_HEADERS[name])
        if draw(st.integers(0, 4)) == 0:
            header = draw(st.permutations([*header, "多出来的列"]))
        rows = [header]
        for _ in range(draw(st.integers(0, 6))):
            first = draw(st.sampled_from(FIRST_COLUMN.get(name, [None])) | cells)
            rows.append([first, *draw(st.lists(cells, max_size=7))])
        merge = None
        if draw(st.integers(0, 3)) == 0:
            top, left = draw(st.integers(1, 6)), draw(st.integers(1, 4))
            merge = (top, left, top + draw(st.integers(0, 3)), left + draw(st.integers(0, 2)))
        number_format = draw(st.sampled_from([None, "0.0%", "0.00", '0.0"%"', "@"]))
        spec[name] = {"rows": rows, "merge": merge, "format": number_format}
    return spec


def workbook_bytes(spec: dict[str, Any]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, sheet_spec in spec.items():
        sheet = book.create_sheet(name)
        for row in sheet_spec["rows"]:
            sheet.append(row)
        if sheet_spec["merge"]:
            top, left, bottom, right = sheet_spec["merge"]
            sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
        if sheet_spec["format"]:
            for row in range(1, 4):
                sheet.cell(row=row, column=3).number_format = sheet_spec["format"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


edits = st.lists(
    st.tuples(st.sampled_from(list(FIRST_COLUMN)), st.integers(1, 12), st.integers(1, 8), cells), max_size=4
)


def edited_workbook(year: dict[str, Any], changes: list[tuple[str, int, int, Any]]) -> bytes:
    """The workbook the tool writes for ``year``, then a few cells changed, as a person in Excel would."""
    from openpyxl import load_workbook

    from generator.model import Report
    from generator.writers.workbook import workbook_bytes as written

    try:
        data = written(Report.model_validate(year))
    except ReportError as error:  # the writer's own refusal: a text longer than an Excel cell holds
        assert all("32767" in p.message for p in error.problems), error
        reject()
    book = load_workbook(io.BytesIO(data))
    for sheet, row, column, value in changes:
        if sheet in book.sheetnames:
            book[sheet].cell(row=row, column=column).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@examples(80)
@given(
    spec=st.one_of(st.tuples(plausible_years(), edits), workbook_specs()),
    template=st.sampled_from(["newspaper", "official"]),
)
def test_any_workbook_builds_or_is_refused(workspace: Path, spec: Any, template: str) -> None:
    with folder(workspace) as here:
        _photo(here / "照片.jpg")
        source = here / "2023.xlsx"
        if isinstance(spec, tuple):
            year, changes = spec
            source = here / f"{year['year']}.xlsx"
            source.write_bytes(edited_workbook(year, changes))
        else:
            source.write_bytes(workbook_bytes(spec))
        build_or_refuse(source, template)


# made once: openpyxl stamps the time into every file it saves, and the examples must draw from the same bytes
GOOD_WORKBOOK = odd.save(odd.workbook({"指标": [*odd.INDICATORS, ["治安发案数", "起", 80, 90, None, None, "是"]]}))


@examples(60)
@given(data=st.data())
def test_damaged_workbooks_are_read_or_refused(workspace: Path, data: st.DataObject) -> None:
    """A valid workbook with bytes changed inside one of its XML parts, or the zip itself cut or changed."""
    good = GOOD_WORKBOOK
    archive = zipfile.ZipFile(io.BytesIO(good))
    names = archive.namelist()
    if data.draw(st.booleans()):
        part = data.draw(st.sampled_from(names))
        content = bytearray(archive.read(part))
        for _ in range(data.draw(st.integers(1, 8))):
            position = data.draw(st.integers(0, max(len(content) - 1, 0)))
            replacement = data.draw(
                st.binary(min_size=0, max_size=6) | st.sampled_from([b"<", b">", b'"', b"&", b"NaN"])
            )
            content[position : position + data.draw(st.integers(0, 4))] = replacement
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as damaged:
            for name in names:
                damaged.writestr(name, bytes(content) if name == part else archive.read(name))
        package = out.getvalue()
    else:
        package = bytearray(good)
        for _ in range(data.draw(st.integers(1, 4))):
            position = data.draw(st.integers(0, len(package) - 1))
            package[position] = data.draw(st.integers(0, 255))
        package = package[: data.draw(st.integers(1, len(package)))]
    with folder(workspace) as here:
        source = here / "2023.xlsx"
        source.write_bytes(bytes(package))
        build_or_refuse(source)
