"""The two example years reproduce the seed articles, from data, with every figure read from the indicators.

Golden files (tests/golden/) hold the normalized text of each built report and a snapshot of its model;
after a deliberate change, rewrite them with ``pytest --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from generator import api
from generator.model import Report
from tests.helpers import check_package, docx_lines, pdf_column_lines, pdf_pages, pdf_text, squeeze, to_pdf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "reports" / "yongkang-police"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
GOLDEN = ROOT / "tests" / "golden"
YEARS = ["2019", "2022"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("examples")
    return {year: api.build(EXAMPLES / f"{year}.yaml", output=out / f"{year}.docx").output for year in YEARS}


def words(text: str) -> str:
    """Letters, digits and Chinese characters only."""
    return re.sub(r"[\W_]+", "", text)


def seed_lines(year: str) -> list[str]:
    """Every non-empty line of the scanned article, whitespace (layout noise) removed."""
    text = (SEEDS / f"{year}.txt").read_text(encoding="utf-8")
    return [squeeze(line) for line in text.splitlines() if squeeze(line)]


@pytest.mark.parametrize("year", YEARS)
def test_every_line_of_the_seed_article_is_in_the_report(built: dict[str, Path], year: str) -> None:
    text = squeeze("".join(docx_lines(built[year])))
    missing = [line for line in seed_lines(year) if line not in text]
    assert missing == []
    assert len(seed_lines(year)) > 100


@pytest.mark.parametrize("year", YEARS)
def test_report_matches_golden_text_and_model(built: dict[str, Path], year: str, update_golden: bool) -> None:
    text = "\n".join(docx_lines(built[year])) + "\n"
    model = api.load(EXAMPLES / f"{year}.yaml").report.model_dump(mode="json")
    snapshot = json.dumps(model, ensure_ascii=False, indent=1) + "\n"
    for path, produced in ((GOLDEN / f"{year}.txt", text), (GOLDEN / f"{year}.model.json", snapshot)):
        if update_golden:
            path.parent.mkdir(exist_ok=True)
            path.write_text(produced, encoding="utf-8")
        assert produced == path.read_text(encoding="utf-8"), f"{path.name} changed: run pytest --update-golden"


@pytest.mark.parametrize("year", YEARS)
def test_report_structure_and_package(built: dict[str, Path], year: str) -> None:
    data = built[year].read_bytes()
    check_package(data)
    from docx import Document

    document = Document(str(built[year]))
    styles = [p.style.name for p in document.paragraphs if p.text.strip()]
    report = api.load(EXAMPLES / f"{year}.yaml").report
    assert styles.count("小标题") == len(report.sections) + (1 if report.outlook and report.outlook.heading else 0)
    assert styles.count("主题") == 1
    assert [p.text for p in document.paragraphs if p.style.name == "署名"] == [
        "□通讯员 " + " ".join(report.byline.names)
    ]
    assert len(document.inline_shapes) == len(report.photos)
    # the body flows in two columns between continuous section breaks
    cols = [
        s._sectPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cols") for s in document.sections
    ]
    assert [c.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num") for c in cols] == [
        None,
        "2",
        "1",
    ]


@pytest.mark.parametrize("year", YEARS)
def test_no_percentage_is_typed_into_the_prose(year: str) -> None:
    """Every change the article states is an indicator the text reads through an expression."""
    report = api.load(EXAMPLES / f"{year}.yaml").report
    texts = [report.kicker, report.headline, *report.lead, *report.event]
    texts += [t for s in report.sections for t in (s.heading, *s.paragraphs)]
    texts += [*report.outlook.paragraphs] if report.outlook else []
    texts += [cell for table in report.tables for row in table.rows for cell in row]
    for text in texts:
        outside = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text)
        assert not re.search(r"\d\s*(%|个百分点)", outside), text


def test_summary_figures_in_the_text_come_from_indicators() -> None:
    """A figure shown in the summary table is not also typed into the text: the text reads it."""
    for year in YEARS:
        loaded = api.load(EXAMPLES / f"{year}.yaml")
        raw_text = "".join(
            re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", t) for s in loaded.report.sections for t in s.paragraphs
        )
        for figure in loaded.content.figures.values():
            if figure.in_summary and figure.value is not None and figure.unit not in {"", "%"}:
                typed = f"{figure.value}{figure.unit}"
                assert typed not in raw_text, f"{year}: {typed} typed in the text instead of read from {figure.name}"


def test_one_edit_of_an_indicator_changes_kicker_lead_and_table(tmp_path: Path) -> None:
    source = (EXAMPLES / "2019.yaml").read_text(encoding="utf-8")
    assert source.count("change: -25.8") == 1
    (tmp_path / "2019.yaml").write_text(source.replace("change: -25.8", "change: -31.4"), encoding="utf-8")
    before = "\n".join(docx_lines(api.build(EXAMPLES / "2019.yaml", output=tmp_path / "before.docx").output))
    after = "\n".join(docx_lines(api.build(tmp_path / "2019.yaml").output))
    assert before.count("同比下降25.8%、23.9%") == 2  # kicker and lead
    assert after.count("同比下降31.4%、23.9%") == 2
    assert "25.8" not in after
    assert "刑事发案数 | 起 | — | 下降31.4%" in after  # the summary table row (no 上年 column: no indicator has one)
    assert "刑事发案数 | 起 | — | 下降25.8%" in before


def test_directions_that_differ_split_the_kicker(tmp_path: Path) -> None:
    source = (EXAMPLES / "2019.yaml").read_text(encoding="utf-8").replace("change: -23.9", "change: 4.2")
    (tmp_path / "2019.yaml").write_text(source, encoding="utf-8")
    content = api.load(tmp_path / "2019.yaml").content
    assert content.kicker == "全年全市刑事发案数同比下降25.8%，治安发案数同比增长4.2%"
    assert content.lead[1].startswith("全年全市刑事发案数同比下降25.8%，治安发案数同比增长4.2%，现行命案")


def test_example_photos_exist_and_are_marked_as_placeholders() -> None:
    report = api.load(EXAMPLES / "2022.yaml").report
    for photo in report.photos:
        assert (EXAMPLES / photo.file).is_file()
    script = (EXAMPLES / "photos" / "make_placeholders.py").read_text(encoding="utf-8")
    assert "示例占位图片" in script


@pytest.mark.libreoffice
@pytest.mark.parametrize("year", YEARS)
def test_libreoffice_opens_the_report_and_shows_its_text(
    built: dict[str, Path], year: str, soffice: str, tmp_path: Path
) -> None:
    pdf = to_pdf(soffice, built[year], tmp_path)
    text = squeeze(pdf_text(pdf))
    report = api.load(EXAMPLES / f"{year}.yaml")
    content = report.content
    for line in [content.headline, content.kicker, *(s.heading for s in content.sections)]:
        assert squeeze(line) in text
    assert squeeze("□通讯员" + "".join(content.byline_names)) in text
    assert "数说" + year in text
    # Every line LibreOffice laid out, column by column, is text of ours in our order, and (almost) all of our
    # text was laid out. Punctuation is left out of the comparison: at line ends it may hang or be dropped.
    ours = words(squeeze("".join(docx_lines(built[year]))))
    shown = [words(line) for line in pdf_column_lines(pdf) if words(line)]
    header = words(f"{content.organization}{year}年工作综述")
    strays = [line for line in shown if line not in ours and line not in header and not line.isdigit()]
    assert strays == []
    assert len("".join(shown)) >= 0.98 * len(ours)
    assert pdf_pages(pdf) >= 2


def test_examples_can_be_built_from_a_copy_elsewhere(tmp_path: Path) -> None:
    """The data folder is self-contained: photos are found relative to the data file."""
    shutil.copytree(EXAMPLES, tmp_path / "unit")
    result = api.build(tmp_path / "unit" / "2022.yaml")
    assert result.output == tmp_path / "unit" / "2022.docx"
    assert result.output.stat().st_size > 50_000
    assert isinstance(api.load(tmp_path / "unit" / "2022.yaml").report, Report)
