"""The formal report finished: the sign-off never alone on a page, second-level headings from the data, the
examples dated, and what the formal style leaves out left out of the file too."""

from __future__ import annotations

import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml

from generator import api
from generator.render.context import signoff_lines
from tests.fixtures.bad_inputs import YEAR
from tests.helpers import FONTS_CONF, docx_lines

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "reports" / "yongkang-police"

SUBSECTIONS = """\
organization: {name: 示例县公安局, short_name: 县公安局}
year: 2023
date: 2024-01-05
headline: 县公安局工作综述
sections:
  - heading: 打防并举，守护平安
    paragraphs: [全年严打各类违法犯罪。]
    subsections:
      - heading: 严打电信网络诈骗
        paragraphs: [电信诈骗发案明显下降。, 劝阻群众上万人次。]
      - heading: 守护校园安全
        paragraphs: [校园周边警情下降。]
  - heading: 服务发展，优化环境
    subsections:
      - heading: 护航重点项目
        paragraphs: [重点项目零发案。]
"""


def test_second_level_headings_are_numbered_from_the_data(tmp_path: Path) -> None:
    source = tmp_path / "2023.yaml"
    source.write_text(SUBSECTIONS, encoding="utf-8")
    formal = docx_lines(api.build(source, "official", tmp_path / "formal.docx").output)
    headings = [line for line in formal if line.startswith(("一、", "二、", "（"))]
    assert headings == ["一、打防并举，守护平安", "（一）严打电信网络诈骗", "（二）守护校园安全",
                        "二、服务发展，优化环境", "（一）护航重点项目"]  # fmt: skip
    assert formal.index("（一）严打电信网络诈骗") == formal.index("全年严打各类违法犯罪。") + 1
    assert formal.index("劝阻群众上万人次。") == formal.index("（二）守护校园安全") - 1
    newspaper = docx_lines(api.build(source, "newspaper", tmp_path / "news.docx").output)
    assert newspaper.index("严打电信网络诈骗") == newspaper.index("全年严打各类违法犯罪。") + 1
    assert "护航重点项目" in newspaper and "重点项目零发案。" in newspaper


def test_second_level_headings_survive_the_round_trip_through_yaml(tmp_path: Path) -> None:
    source = tmp_path / "2023.yaml"
    source.write_text(SUBSECTIONS, encoding="utf-8")
    api.convert(source, tmp_path / "again.yaml")
    assert api.load_model(tmp_path / "again.yaml")[1] == api.load_model(source)[1]


def test_second_level_headings_survive_the_round_trip_through_the_workbook(tmp_path: Path) -> None:
    import openpyxl

    source = tmp_path / "2023.yaml"
    source.write_text(SUBSECTIONS, encoding="utf-8")
    api.convert(source, tmp_path / "2023.xlsx")
    assert api.load_model(tmp_path / "2023.xlsx")[1] == api.load_model(source)[1]
    sheet = openpyxl.load_workbook(tmp_path / "2023.xlsx")["正文"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_col=4)]
    assert rows[0] == ["类别", "小标题", "二级标题", "段落"]
    assert rows[1:3] == [["正文", "打防并举，守护平安", None, "全年严打各类违法犯罪。"],
                         ["正文", None, "严打电信网络诈骗", "电信诈骗发案明显下降。"]]  # fmt: skip
    assert ["正文", "服务发展，优化环境", "护航重点项目", "重点项目零发案。"] in rows  # a part that starts with one
    report = api.build(tmp_path / "2023.xlsx", "official", tmp_path / "2023.docx").output
    assert "（二）守护校园安全" in docx_lines(report)


def test_a_workbook_of_an_earlier_version_without_the_column_still_builds(tmp_path: Path) -> None:
    import openpyxl

    api.convert(EXAMPLES / "2019.yaml", tmp_path / "2019.xlsx")
    book = openpyxl.load_workbook(tmp_path / "2019.xlsx")
    book["正文"].delete_cols(3)  # the 二级标题 column, which earlier workbooks do not have
    book.save(tmp_path / "2019.xlsx")
    result = api.build(tmp_path / "2019.xlsx", "official", tmp_path / "2019.docx")
    assert docx_lines(result.output) == docx_lines(api.build(EXAMPLES / "2019.yaml", "official", tmp_path / "y.docx")
                                                   .output)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("    subsections: []\n", "缺少段落"),
        ("    subsections:\n      - heading: 空的\n", "paragraphs"),
        ("    subsections:\n      - paragraphs: [一段。]\n", "heading"),
    ],
)
def test_a_section_needs_text_and_a_subsection_a_heading_and_text(tmp_path: Path, change: str, expected: str) -> None:
    text = YEAR.replace("    paragraphs:\n      - 第一段。\n", change)
    assert text != YEAR
    (tmp_path / "2023.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as caught:
        api.load(tmp_path / "2023.yaml")
    assert expected in str(caught.value) and "2023.yaml:" in str(caught.value)


def test_the_examples_are_dated_and_the_readme_quotes_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for year in ("2019", "2022"):
        data = yaml.safe_load((EXAMPLES / f"{year}.yaml").read_text(encoding="utf-8"))
        assert data.get("date"), f"{year}.yaml has no 成文日期"
    quoted = yaml.safe_load((EXAMPLES / "2019.yaml").read_text(encoding="utf-8"))["date"]
    assert f"date: {quoted}" in readme


def test_the_readme_example_is_what_the_file_it_names_holds() -> None:
    """Every line of the README's annotated example is in reports/yongkang-police/2019.yaml, except those marked
    （示意） (and the lines of an item or key they mark)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml", readme.index("下面是带注释的完整例子"))
    block = readme[start + len("```yaml") : readme.index("```", start + 7)]
    example = re.sub(r"\s+", "", (EXAMPLES / "2019.yaml").read_text(encoding="utf-8"))
    marked_indent = None
    for line in block.splitlines():
        code, _, comment = line.partition(" #")
        indent = len(code) - len(code.lstrip(" "))
        if marked_indent is not None and indent <= marked_indent and code.strip():
            marked_indent = None
        if "示意" in comment:
            marked_indent = indent
        if marked_indent is not None or not code.strip() or "……" in code or code.strip().endswith(":"):
            continue
        assert re.sub(r"\s+", "", code) in example, f"README example line not in 2019.yaml: {code.strip()}"


def test_the_formal_report_packs_no_photos_it_does_not_show(tmp_path: Path) -> None:
    report = api.build(EXAMPLES / "2022.yaml", "official", tmp_path / "formal.docx").output
    with zipfile.ZipFile(report) as archive:
        names = archive.namelist()
        relationships = archive.read("word/_rels/document.xml.rels").decode()
    assert not [n for n in names if n.startswith("word/media/")], names
    assert "image" not in relationships
    newspaper = api.build(EXAMPLES / "2022.yaml", "newspaper", tmp_path / "news.docx").output
    with zipfile.ZipFile(newspaper) as archive:
        assert [n for n in archive.namelist() if n.startswith("word/media/")]  # the newspaper does show them


@pytest.mark.parametrize(
    ("source", "charts"), [(EXAMPLES / "2019.yaml", 0), (ROOT / "reports/demo-county/2023.yaml", 2)]
)
@pytest.mark.parametrize("template", ["newspaper", "official"])
def test_no_report_carries_the_placeholder_charts(tmp_path: Path, source: Path, charts: int, template: str) -> None:
    report = api.build(source, template, tmp_path / "r.docx").output
    with zipfile.ZipFile(report) as archive:
        names = archive.namelist()
        relationships = archive.read("word/_rels/document.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    wanted = charts if template == "newspaper" else 0
    assert len([n for n in names if n.startswith("word/charts/chart")]) == wanted, names
    assert len([n for n in names if n.startswith("word/embeddings/")]) == wanted, names
    assert relationships.count("/relationships/chart") == wanted
    assert types.count("drawingml.chart+xml") == wanted


# --- the sign-off on the page -------------------------------------------------------------------------------------


def _year_with(filler: int) -> str:
    """A formal report whose text ends at a different line of the page for each ``filler``: one of them puts the
    sign-off at the top of a page of its own unless the last lines of text go with it."""
    paragraphs = "\n".join(f"      - 第{n}段，写满一行的工作总结文字一二三四五六七八九十。" for n in range(filler))
    return f"""\
organization: {{name: 示例县公安局}}
year: 2023
date: 2024-01-05
headline: 县公安局工作综述
sections:
  - heading: 打防并举，守护平安
    paragraphs:
{paragraphs}
      - 最后一段文字，它的最后几行要和落款排在同一页上，这一段写得长一些，占两行以上的位置才能看出效果来。
"""


@pytest.mark.libreoffice
def test_the_sign_off_never_stands_alone_on_a_page(soffice: str, tmp_path: Path) -> None:
    reports = []
    for filler in range(14, 40):  # the text's end walks down the first page and onto the second
        source = tmp_path / f"{filler}.yaml"
        source.write_text(_year_with(filler), encoding="utf-8")
        reports.append(api.build(source, "official", tmp_path / f"{filler}.docx").output)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf",
             "--outdir", str(tmp_path / "pdf"), *map(str, reports)],
            check=True, capture_output=True, timeout=600, env={**__import__("os").environ,
                                                               "FONTCONFIG_FILE": str(FONTS_CONF)},
        )  # fmt: skip
    unit, date = (line.strip("\u3000") for line in signoff_lines("示例县公安局", "2024年1月5日"))
    for report in reports:
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "pdf" / f"{report.stem}.pdf"), "-"],
                              check=True, capture_output=True, text=True).stdout  # fmt: skip
        pages = text.split("\f")
        (page,) = [p for p in pages if date in p.replace(" ", "")]
        lines = [line.replace(" ", "") for line in page.splitlines() if line.strip()]
        text_lines = [line for line in lines if line not in {unit, date} and not line.startswith("—")]
        assert text_lines, f"{report.name}: the sign-off stands alone on page {pages.index(page) + 1}"
