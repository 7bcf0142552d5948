"""YAML and workbook describe the same year: converting either way, and through LibreOffice, loses nothing."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from generator import api
from generator.errors import ReportError
from generator.model import Report, clean_text
from generator.writers.workbook import workbook_bytes
from generator.writers.yaml_text import yaml_text
from tests.helpers import docx_lines, libreoffice_convert

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "reports" / "yongkang-police"
YEARS = ["2019", "2022"]


def unit_copy(tmp_path: Path) -> Path:
    target = tmp_path / "unit"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("*.docx", "*.pdf", "preview"))
    return target


def document_parts(path: Path) -> dict[str, bytes]:
    """The parts of a .docx that carry content (the zip's timestamps differ between any two saves)."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def libreoffice_resave(soffice: str, workbook: Path, outdir: Path) -> Path:
    """Open and save the workbook in LibreOffice Calc, as a person with LibreOffice would."""
    return libreoffice_convert(soffice, workbook, outdir, "xlsx:Calc MS Excel 2007 XML")


@pytest.mark.parametrize("year", YEARS)
def test_yaml_to_workbook_to_yaml_keeps_the_model_and_the_report(tmp_path: Path, year: str) -> None:
    unit = unit_copy(tmp_path)
    original = api.load(unit / f"{year}.yaml").report
    api.convert(unit / f"{year}.yaml", unit / f"{year}.xlsx")
    from_workbook = api.load(unit / f"{year}.xlsx").report
    assert from_workbook == original
    api.convert(unit / f"{year}.xlsx", unit / "back" / f"{year}.yaml")
    back = api.load(unit / "back" / f"{year}.yaml").report
    assert back.model_copy(update={"photos": []}) == original.model_copy(update={"photos": []})
    assert [str((unit / "back" / p.file).resolve()) for p in back.photos] == [
        str((unit / p.file).resolve()) for p in original.photos
    ]  # photo paths follow the new location
    yaml_report = api.build(unit / f"{year}.yaml", output=tmp_path / "from-yaml.docx").output
    workbook_report = api.build(unit / f"{year}.xlsx", output=tmp_path / "from-workbook.docx").output
    assert document_parts(yaml_report) == document_parts(workbook_report)


@pytest.mark.libreoffice
@pytest.mark.parametrize("year", YEARS)
def test_libreoffice_resave_keeps_the_model(tmp_path: Path, year: str, soffice: str) -> None:
    unit = unit_copy(tmp_path)
    api.convert(unit / f"{year}.yaml", unit / f"{year}.xlsx")
    resaved = libreoffice_resave(soffice, unit / f"{year}.xlsx", tmp_path / "resaved")
    shutil.copy(resaved, unit / f"{year}-resaved.xlsx")
    assert api.load(unit / f"{year}-resaved.xlsx").report == api.load(unit / f"{year}.yaml").report


@pytest.mark.libreoffice
def test_a_person_edits_the_workbook_and_the_report_follows(tmp_path: Path, soffice: str) -> None:
    """Change a value and insert a paragraph row, as in Excel; save through LibreOffice; build."""
    unit = unit_copy(tmp_path)
    api.convert(unit / "2019.yaml", unit / "2019.xlsx")
    book = load_workbook(unit / "2019.xlsx")
    indicators = book["指标"]
    row = next(r for r in range(2, indicators.max_row + 1) if indicators.cell(r, 1).value == "拘留所化解社会矛盾")
    indicators.cell(row, 3).value = 712
    text = book["正文"]
    text.insert_rows(5)  # rows 2-3 hold the lead, row 4 the first section's heading and first paragraph
    text.cell(5, 1).value = "正文"
    text.cell(5, 3).value = "这是插入的一段。"
    edited = tmp_path / "edited" / "2019.xlsx"
    edited.parent.mkdir()
    book.save(edited)
    resaved = libreoffice_resave(soffice, edited, tmp_path / "resaved")
    shutil.copy(resaved, unit / "2019-edited.xlsx")
    before = docx_lines(api.build(unit / "2019.yaml", output=tmp_path / "before.docx").output)
    after = docx_lines(api.build(unit / "2019-edited.xlsx", output=tmp_path / "after.docx").output)
    changed = [(b, a) for b, a in zip(before, after, strict=False) if b != a]
    added = [line for line in after if line not in before]
    assert "这是插入的一段。" in after
    assert any("化解各类社会矛盾712起" in line for line in after)
    assert any(line.startswith("11 | 拘留所化解社会矛盾 | 起 | 712 |") for line in after)
    assert len(after) == len(before) + 1
    assert len(added) == 3  # the new paragraph, the paragraph reading the value, the table row
    assert changed  # sanity: the comparison saw the edit


def test_new_year_from_the_2022_example(tmp_path: Path) -> None:
    unit = unit_copy(tmp_path)
    result = api.new_year(unit / "2022.yaml", unit / "2023.xlsx")
    report = api.load_model(result.output)[1]
    original = api.load(unit / "2022.yaml").report
    assert report.year == 2023 and report.honors == [] and report.photos == []
    assert report.headline == original.headline and report.sections == original.sections
    for new, old in zip(report.indicators, original.indicators, strict=True):
        assert (new.name, new.previous, new.value, new.change) == (old.name, old.value, None, None)
    with pytest.raises(ReportError) as caught:
        api.build(result.output)
    found = [str(p) for p in caught.value.problems]
    assert len(found) == len(original.indicators)  # one clear line per indicator still to fill, nothing else
    assert all("还没有填写" in p and "「指标」C" in p for p in found)


def test_new_year_writes_beside_and_never_over(tmp_path: Path) -> None:
    unit = unit_copy(tmp_path)
    assert api.new_year(unit / "2022.yaml").output == unit / "2023.yaml"
    with pytest.raises(ReportError, match="已存在"):
        api.new_year(unit / "2022.yaml")
    assert api.new_year(unit / "2022.yaml", force=True).output == unit / "2023.yaml"


# --- any model survives both formats --------------------------------------------------------------------------

_CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80)
_ODD = st.sampled_from([*"=+-@'\"&<>{}[]:#%|*!?,\\ \u3000“”、。：；（）—…\t", "\n"])
_ANY = st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"))
_TEXT = st.text(st.one_of(_CHINESE, _ODD, _ANY), min_size=1, max_size=60).map(clean_text).filter(bool)
_LONG_TEXT = st.text(_CHINESE, min_size=3000, max_size=6000)
_NUMBER = st.decimals(
    min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False
) | st.sampled_from([Decimal("13.0"), Decimal("0"), Decimal("0.50"), Decimal("100"), Decimal("-25.8")])
_NAME = st.text(_CHINESE, min_size=2, max_size=8)
# \d also matches digits of other scripts (١٢): those must stay text, never become numbers
_CELL = st.one_of(_TEXT, st.just(""), st.from_regex(r"-?[1-9]\d{0,5}(\.\d{1,2})?", fullmatch=True))


@st.composite
def reports(draw: st.DrawFn) -> Report:
    indicators = []
    for name in draw(st.lists(_NAME, max_size=5, unique=True)):
        fields = {k: draw(_NUMBER) for k in ("value", "previous", "change") if draw(st.booleans())}
        indicators.append(
            {
                "name": name,
                "unit": draw(st.sampled_from(["", "起", "人次"])),
                **fields,
                "kind": draw(st.sampled_from(["count", "rate"])),
                "in_summary": draw(st.booleans()),
            }
        )
    width = draw(st.integers(1, 4))
    data = {
        "organization": {"name": draw(_TEXT), "short_name": draw(st.sampled_from(["", "本局"]))},
        "year": draw(st.integers(1990, 2100)),
        "kicker": draw(st.sampled_from(["", "引题"])),
        "headline": draw(_TEXT),
        "lead": draw(st.lists(_TEXT, max_size=2)),
        "event": draw(st.lists(st.one_of(_TEXT, _LONG_TEXT), max_size=1)),
        "sections": [
            {"heading": draw(_TEXT), "paragraphs": draw(st.lists(_TEXT, min_size=1, max_size=3))}
            for _ in range(draw(st.integers(1, 3)))
        ],
        "indicators": indicators,
        "honors": [
            {"recipient": draw(_TEXT), "honor": draw(_TEXT), "level": draw(st.sampled_from(["全国", "县级"]))}
            for _ in range(draw(st.integers(0, 2)))
        ],
        "tables": [
            {
                "title": draw(_TEXT),
                "columns": [draw(_TEXT) for _ in range(width)],
                # a row with nothing in it is an error in either format (a workbook skips blank rows)
                "rows": draw(st.lists(st.lists(_CELL, min_size=width, max_size=width).filter(any), max_size=2)),
            }
            for _ in range(draw(st.integers(0, 1)))
        ],
    }
    names = [i["name"] for i in indicators]
    if names and draw(st.booleans()):
        data["trend"] = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    if names and draw(st.booleans()):
        data["charts"] = [
            {
                "title": draw(_TEXT),
                "kind": draw(st.sampled_from(["compare", "trend"])),
                "indicators": draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)),
            }
        ]
    if draw(st.booleans()):
        data["title"] = draw(_TEXT)
    if draw(st.booleans()):
        data["date"] = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
    if draw(st.booleans()):
        data["outlook"] = {"heading": draw(st.sampled_from(["", "展望"])), "paragraphs": [draw(_TEXT)]}
    if draw(st.booleans()):
        data["byline"] = {"label": "记者", "names": draw(st.lists(_NAME, min_size=1, max_size=3))}
    return Report.model_validate(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(report=reports())
def test_any_model_survives_yaml_and_workbook(report: Report) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        (path / "x.yaml").write_text(yaml_text(report), encoding="utf-8")
        assert api.load_model(path / "x.yaml")[1] == report
        (path / "x.xlsx").write_bytes(workbook_bytes(report))
        assert api.load_model(path / "x.xlsx")[1] == report


def test_workbook_bytes_are_a_real_workbook() -> None:
    report = api.load(EXAMPLES / "2022.yaml").report
    book = load_workbook(io.BytesIO(workbook_bytes(report)))
    assert book.sheetnames[:7] == ["填写说明", "基本信息", "正文", "指标", "荣誉", "照片", "图表"]
