"""Years together: 上年 from last year's file, trend tables and native charts across the unit's years."""

from __future__ import annotations

import io
import posixpath
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook

from generator import api
from generator.errors import ReportError
from tests.helpers import check_package, docx_lines, pdf_text, squeeze, to_pdf

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "reports" / "demo-county"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


@pytest.fixture
def unit(tmp_path: Path) -> Path:
    target = tmp_path / "示例县"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("*.docx", "*.pdf"))
    return target


def typed_in(unit: Path) -> Path:
    """2023 with 上年 typed in, as the person would have without the history lookup."""
    text = (unit / "2023.yaml").read_text(encoding="utf-8")
    for name, previous in (("刑事发案数", 1187), ("治安发案数", 2236), ("电信诈骗发案数", 402), ("破案率", "84.0")):
        text = re.sub(rf"(name: {name}, [^}}]*value: [\d.]+)", rf"\1, previous: {previous}", text)
    target = unit / "typed" / "2023.yaml"
    target.parent.mkdir()
    target.write_text(text, encoding="utf-8")
    return target


def test_previous_values_come_from_last_years_file(unit: Path) -> None:
    loaded = api.load(unit / "2023.yaml")
    figures = loaded.content.figures
    assert figures["刑事发案数"].previous == Decimal(1187)
    assert figures["破案率"].previous == Decimal("84.0")
    assert any("2022.yaml" in note and "刑事发案数" in note for note in loaded.notes)
    assert loaded.content.kicker == "全年刑事、治安发案同比下降7.9%、3.8%"


def test_a_file_without_previous_builds_the_same_report_as_one_with_it(unit: Path, tmp_path: Path) -> None:
    looked_up = api.build(unit / "2023.yaml", output=tmp_path / "a.docx").output
    typed = typed_in(unit)
    shutil.copy(unit / "2021.yaml", typed.parent)  # the trend reads the same years
    shutil.copy(unit / "2022.yaml", typed.parent)
    assert api.load(typed).report.indicators[0].previous == Decimal(1187)
    given = api.build(typed, output=tmp_path / "b.docx").output
    with zipfile.ZipFile(looked_up) as a, zipfile.ZipFile(given) as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}


def test_last_year_in_a_workbook_counts_too(unit: Path) -> None:
    api.convert(unit / "2022.yaml", unit / "2022.xlsx")
    (unit / "2022.yaml").unlink()
    loaded = api.load(unit / "2023.yaml")
    assert loaded.content.figures["治安发案数"].previous == Decimal(2236)
    assert any("2022.xlsx" in note for note in loaded.notes)


def test_disagreeing_files_name_both_and_the_indicator(unit: Path) -> None:
    text = (unit / "2023.yaml").read_text(encoding="utf-8").replace("value: 1093}", "value: 1093, previous: 1190}")
    (unit / "2023.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        api.load(unit / "2023.yaml")
    (problem,) = [str(p) for p in caught.value.problems]
    assert "2023.yaml:" in problem and "刑事发案数" in problem and "1190" in problem
    assert "2022.yaml:" in problem and "1187" in problem


def test_trend_table_across_every_year_on_file(unit: Path) -> None:
    content = api.load(unit / "2023.yaml").content
    assert content.trend is not None
    assert content.trend.columns == ["指标", "单位", "2021年", "2022年", "2023年"]
    assert content.trend.rows[0] == ["刑事发案数", "起", "1320", "1187", "1093"]
    assert content.trend.rows[3] == ["破案率", "%", "81.4", "84.0", "86.2"]
    (unit / "2021.yaml").unlink()  # a year missing from the folder is simply not a column
    content = api.load(unit / "2023.yaml").content
    assert content.trend.columns == ["指标", "单位", "2022年", "2023年"]


def chart_parts(docx: Path) -> list[tuple[etree._Element, bytes]]:
    """(chart XML, embedded workbook) of every chart the body draws, in order."""
    with zipfile.ZipFile(docx) as archive:
        body = archive.read("word/document.xml").decode()
        rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        charts = []
        for rid in re.findall(r'<c:chart [^>]*r:id="([^"]+)"', body):
            name = "word/" + targets[rid]
            chart_rels = etree.fromstring(archive.read(name.replace("charts/", "charts/_rels/") + ".rels"))
            workbook = posixpath.normpath("word/charts/" + chart_rels[0].get("Target"))
            charts.append((etree.fromstring(archive.read(name)), archive.read(workbook)))
        return charts


def series_of(chart: etree._Element) -> dict[str, list[str | None]]:
    out = {}
    for ser in chart.iter(f"{C}ser"):
        name = ser.find(f"{C}tx").find(f".//{C}v").text
        cache = ser.find(f"{C}val").find(f".//{C}numCache")
        count = int(cache.find(f"{C}ptCount").get("val"))
        values: list[str | None] = [None] * count
        for point in cache.iter(f"{C}pt"):
            values[int(point.get("idx"))] = point.find(f"{C}v").text
        out[name] = values
    return out


def test_charts_are_native_and_their_cache_and_workbook_hold_the_data(unit: Path, tmp_path: Path) -> None:
    docx = api.build(unit / "2023.yaml", output=tmp_path / "2023.docx").output
    check_package(docx.read_bytes())
    (compare, compare_book), (trend, trend_book) = chart_parts(docx)
    assert compare.find(f".//{C}barChart") is not None and trend.find(f".//{C}lineChart") is not None
    assert series_of(compare) == {"2022年": ["1187", "2236", "402"], "2023年": ["1093", "2150", "311"]}
    categories = [v.text for v in compare.find(f".//{C}cat").iter(f"{C}v")]
    assert categories == ["刑事发案数", "治安发案数", "电信诈骗发案数"]
    assert series_of(trend) == {"刑事发案数": ["1320", "1187", "1093"], "治安发案数": ["2410", "2236", "2150"]}
    sheet = load_workbook(io.BytesIO(compare_book)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [None, "2022年", "2023年"],
        ["刑事发案数", 1187, 1093],
        ["治安发案数", 2236, 2150],
        ["电信诈骗发案数", 402, 311],
    ]
    sheet = load_workbook(io.BytesIO(trend_book)).active
    assert [c.value for c in sheet[1]] == [None, "刑事发案数", "治安发案数"]
    assert [c.value for c in sheet["A"]][1:] == ["2021年", "2022年", "2023年"]


def test_no_charts_leaves_no_placeholder_drawing(tmp_path: Path) -> None:
    docx = api.build(ROOT / "reports" / "yongkang-police" / "2019.yaml", output=tmp_path / "x.docx").output
    assert chart_parts(docx) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("indicators: [刑事发案数, 治安发案数, 电信诈骗发案数]", "indicators: [刑事发案数, 治安发按数]"),
         "没有名为“治安发按数”的指标；是否想写“治安发案数”"),
        (("trend: [刑事发案数,", "trend: [刑侦发案数,"), "没有名为“刑侦发案数”的指标"),
        (("kind: 对比", "kind: 饼图"), "图表类型应为以下之一"),
    ],
)  # fmt: skip
def test_chart_and_trend_errors_name_the_place(unit: Path, edit: tuple[str, str], expected: str) -> None:
    text = (unit / "2023.yaml").read_text(encoding="utf-8")
    assert edit[0] in text
    (unit / "2023.yaml").write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        api.load(unit / "2023.yaml")
    assert any(expected in str(p) and "2023.yaml:" in str(p) for p in caught.value.problems), caught.value


def test_compare_chart_needs_both_years(unit: Path) -> None:
    (unit / "2022.yaml").unlink()  # no 上年 anywhere now
    with pytest.raises(ReportError) as caught:
        api.load(unit / "2023.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert any("主要案件本年与上年对比" in m and "刑事发案数" in m and "上年" in m for m in messages)


@pytest.mark.libreoffice
def test_libreoffice_draws_the_charts_with_this_years_numbers(unit: Path, tmp_path: Path, soffice: str) -> None:
    text = (
        (unit / "2023.yaml")
        .read_text(encoding="utf-8")
        .replace("trend: [刑事发案数, 治安发案数, 电信诈骗发案数, 破案率]\n", "")
    )
    (unit / "2023.yaml").write_text(text, encoding="utf-8")  # no trend table: the years below come from the chart
    docx = api.build(unit / "2023.yaml", output=tmp_path / "2023.docx").output
    shown = squeeze(pdf_text(to_pdf(soffice, docx, tmp_path)))
    for label in ("2021年", "2022年", "1320", "2410", "311", "电信诈骗发案数"):
        assert label in shown  # axis labels and data labels that only the charts carry
    assert docx_lines(docx).count("刑事、治安发案历年趋势") == 1


def test_a_file_is_never_its_own_last_year(unit: Path) -> None:
    """2023.yaml whose data says 2024 looks for 2023 elsewhere, not in itself."""
    text = (unit / "2023.yaml").read_text(encoding="utf-8").replace("year: 2023", "year: 2024")
    (unit / "2023.yaml").write_text(text, encoding="utf-8")
    (unit / "2022.yaml").unlink()
    with pytest.raises(ReportError) as caught:
        api.load(unit / "2023.yaml")
    assert not any("不一致" in str(p) for p in caught.value.problems)  # no comparison with itself
    assert any("还没有上年数值" in str(p) for p in caught.value.problems)
