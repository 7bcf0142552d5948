"""Finished tables: they find the template's styles by name whatever ids an office suite gave them, their columns
fit their contents (numbers and change phrases never wrap), empty columns are left out, and large values are
grouped by thousands. The LibreOffice tests lay the reports out for real and read each table row back."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from generator import api
from generator.figures.content import TableContent
from generator.figures.numerals import written_number
from generator.render.styles import BOX, HEADING, NUMBER, TABLE, TEXT, TableStyles, table_styles
from generator.render.tables import column_layout, is_numeric, table_xml, text_em, without_empty_columns
from tests.helpers import (
    check_package,
    docx_lines,
    libreoffice_convert,
    pdf_column_lines,
    pdf_pages,
    squeeze,
    to_pdf,
)

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = {name: ROOT / "templates" / f"{name}.docx" for name in ("newspaper", "official")}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- numbers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "written"),
    [("97595000", "97,595,000"), ("2345.6", "2345.6"), ("12345.67", "12,345.67"), ("-123456", "-123,456"),
     ("1093", "1093"), ("10000", "10,000"), ("9999.99", "9999.99"), ("0.5", "0.5"), ("13.0", "13.0"),
     ("1E+5", "100,000"), ("123456789012", "123,456,789,012")],
)  # fmt: skip
def test_large_values_are_grouped_by_thousands_small_ones_not(number: str, written: str) -> None:
    assert written_number(Decimal(number)) == written


# --- widths -----------------------------------------------------------------------------------------------------


def test_width_counts_chinese_full_and_digits_half() -> None:
    assert text_em("刑事发案数") == 5
    assert text_em("1093") == pytest.approx(4 * 0.58)
    assert text_em("下降25.8%") == pytest.approx(2 + 3 * 0.58 + 0.28 + 0.85)
    assert text_em("第一行\n较长的第二行") == 6


@pytest.mark.parametrize("total", [9864, 8844, 7000])
@pytest.mark.parametrize(
    "rows",
    [
        [["1", "刑事发案数", "起", "97,595,000", "2345.6", "下降25.8%"]],
        [["12", "重点公共区域视频监控覆盖率" * 4, "%", "99.94", "99.5", "提高0.4个百分点"]],
        [["3", "拘留所化解社会矛盾", "人次", "123,456,789", "—", "新增"], ["4", "甲", "", "1", "2", "持平"]],
    ],
)
def test_numbers_get_their_one_line_width_and_names_share_the_rest(total: int, rows: list[list[str]]) -> None:
    table = TableContent("表", ["序号", "指标", "单位", "本年", "上年", "同比"], rows)
    styles = TableStyles(font_pt=12, cell_margin=85)
    widths = column_layout(table, total, styles).widths
    assert sum(widths) == total and all(w > 0 for w in widths)
    one_em = 12 * 20
    for c in (0, 3, 4, 5):  # numbers and changes: wide enough for the widest on one line, with the margins
        widest = max(text_em(row[c]) for row in rows)
        assert widths[c] >= widest * one_em + 2 * 85, (c, widths)
    longest_name = max(text_em(row[1]) for row in rows)
    if longest_name * one_em > total / 2:
        assert widths[1] < longest_name * one_em  # a very long name wraps instead


def test_empty_columns_are_left_out_but_the_first_ones_stay() -> None:
    table = TableContent("表", ["序号", "指标", "单位", "本年", "上年", "同比"],
                         [["1", "甲", "起", "5", "—", "下降1%"], ["2", "乙", "", "—", "—", "—"]])  # fmt: skip
    assert without_empty_columns(table, keep=2).columns == ["序号", "指标", "单位", "本年", "同比"]
    empty = TableContent("表", ["指标", "单位"], [["", ""]])
    assert without_empty_columns(empty, keep=1).columns == ["指标"]


@pytest.mark.parametrize(
    "text", ["下降25.8%", "提高0.4个百分点", "97,595,000", "2345.6", "—", "持平", "增长1.5倍", "30起"]
)
def test_what_counts_as_a_number(text: str) -> None:
    assert is_numeric(text)


@pytest.mark.parametrize("text", ["刑事发案数", "2019年度省级执法质量优秀单位", "巡特警大队", "约3成"])
def test_what_does_not(text: str) -> None:
    assert not is_numeric(text)


# --- styles found by name ------------------------------------------------------------------------------------------


def _styles_xml(template: Path) -> bytes:
    with zipfile.ZipFile(template) as archive:
        return archive.read("word/styles.xml")


def renamed_ids(data: bytes, new_id: callable, new_name: callable = lambda name: name) -> bytes:
    """The template as another office suite saves it: every style id replaced (LibreOffice: Style19; WPS: numbers;
    Word keeps custom ids but may localise built-in names), and every reference to an id with it."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    styles = etree.fromstring(archive.read("word/styles.xml"))
    mapping = {}
    for number, style in enumerate(styles.iter(f"{{{W}}}style"), start=1):
        old = style.get(f"{{{W}}}styleId")
        mapping[old] = new_id(old, number)
        style.set(f"{{{W}}}styleId", mapping[old])
        name = style.find(f"{{{W}}}name")
        if name is not None:
            name.set(f"{{{W}}}val", new_name(name.get(f"{{{W}}}val")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename.endswith(".xml"):
                root = etree.fromstring(etree.tostring(styles) if info.filename == "word/styles.xml" else content)
                for tag in ("pStyle", "rStyle", "tblStyle", "basedOn", "next", "link", "numStyleLink", "styleLink"):
                    for element in root.iter(f"{{{W}}}{tag}"):
                        value = element.get(f"{{{W}}}val")
                        if value in mapping:
                            element.set(f"{{{W}}}val", mapping[value])
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, content)
    return out.getvalue()


SUITES = {
    "libreoffice-ids": lambda old, n: f"Style{n + 7}",
    "wps-numbers": lambda old, n: str(n),
    "word-localised": lambda old, n: old,  # ids kept; the names change below
}
LOCALISED = {"Normal": "正文", "heading 1": "标题 1", "Table Grid": "网格型", "Normal Table": "普通表格"}


@pytest.mark.parametrize("name", ["newspaper", "official"])
@pytest.mark.parametrize("suite", list(SUITES))
def test_styles_are_found_by_their_names_whatever_their_ids(name: str, suite: str) -> None:
    data = renamed_ids(BUILTIN[name].read_bytes(), SUITES[suite], lambda n: LOCALISED.get(n, n))
    found = table_styles(_styles_xml_from(data))
    for role in (TABLE, HEADING, TEXT, NUMBER):
        assert found.id(role) is not None, role
        if suite != "word-localised":
            assert found.id(role) != role.style_id
    assert found.font_pt == (12 if name == "official" else 10)


def _styles_xml_from(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/styles.xml")


@pytest.mark.parametrize("spelling", ["表格文字", " 表格文字 ", "表格文字\u3000"])
def test_names_match_after_trimming_and_width_forms(spelling: str) -> None:
    xml = (f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="a7"><w:name w:val="{spelling}"/>'
           '</w:style></w:styles>').encode()  # fmt: skip
    assert table_styles(xml).id(TEXT) == "a7"


def test_a_template_without_the_styles_gets_tables_that_carry_their_own_formatting() -> None:
    styles = table_styles(b'<w:styles xmlns:w="%s"/>' % W.encode())
    assert styles.missing() == [TABLE, BOX, HEADING, TEXT, NUMBER]
    xml = table_xml(TableContent("表", ["指标", "本年"], [["甲", "12"]]), 9000, styles)
    root = etree.fromstring(f'<w:body xmlns:w="{W}">{xml}</w:body>')
    assert not list(root.iter(f"{{{W}}}pStyle")) and not list(root.iter(f"{{{W}}}tblStyle"))
    assert root.find(f".//{{{W}}}tblBorders") is not None
    aligned = [jc.get(f"{{{W}}}val") for jc in root.iter(f"{{{W}}}jc")]
    assert aligned == ["center", "center", "center", "left", "right"]  # the table, its two headings, text, number


def test_check_names_the_missing_style_at_the_paragraph_that_inserts_the_table(tmp_path: Path) -> None:
    data = BUILTIN["official"].read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename == "word/styles.xml":
                root = etree.fromstring(content)
                for style in list(root.iter(f"{{{W}}}style")):
                    if style.find(f"{{{W}}}name").get(f"{{{W}}}val") in {"表格数字", "报告表格"}:
                        root.remove(style)
                content = etree.tostring(root)
            target.writestr(info, content)
    template = tmp_path / "我局样式.docx"
    template.write_bytes(out.getvalue())
    problems = [str(p) for p in api.template_check(template)]
    assert len(problems) == 2, problems
    assert all("我局样式.docx 正文第" in p and "attachment.body" in p for p in problems)
    assert "表格样式“报告表格”" in problems[0] and "段落样式“表格数字”" in problems[1]
    report = api.build(ROOT / "reports" / "yongkang-police" / "2019.yaml", template, tmp_path / "r.docx").output
    check_package(report.read_bytes())  # the build still works, with the formatting carried by the tables
    assert "1 | 刑事发案数 | 起 | — | 下降25.8%" in docx_lines(report)


# --- laid out by LibreOffice --------------------------------------------------------------------------------------

YEAR = """\
organization: {{name: 示例县公安局, short_name: 县公安局}}
year: {year}
headline: 县公安局{year}年工作综述
lead: 全年全县刑事发案{{{{ 刑事发案数.同比 }}}}，涉案资金{{{{ 涉案资金 }}}}。
sections:
  - heading: 打防并举，守护平安
    paragraphs: ['破案率{{{{ 破案率.同比 }}}}。']
indicators:
  - {{name: 刑事发案数, unit: 起, value: {crimes}, previous: {crimes_before}}}
  - {{name: 涉案资金, unit: 元, value: {money}, previous: {money_before}}}
  - {{name: 破案率, kind: rate, value: {rate}, previous: {rate_before}}}
  - {{name: 全县重点公共区域视频监控覆盖点位联网率及智能感知设备接入率, kind: rate,
     value: {wide}, previous: {wide_before}}}
  - {{name: 财政专项资金执行数, unit: 万元, value: {fund}, previous: {fund_before}}}
honors:
  - {{recipient: 巡特警大队, honor: 全国优秀公安基层单位, level: 全国}}
trend: [刑事发案数, 涉案资金, 破案率]
tables:
  - title: 各派出所警情
    columns: [派出所, 警情数（起）, 同比]
    rows:
      - [城东派出所, '{{{{ 刑事发案数.本年 }}}}', '{{{{ 刑事发案数.幅度 }}}}']
      - [城西派出所, '1,234,567', '下降3.5%']
"""


def _year_folder(folder: Path) -> Path:
    """Five years of large values: the trend table has more figures than a line of the formal report holds at its
    own size."""
    values = {"crimes": 15000, "money": 88000000, "rate": Decimal("84.9"), "wide": Decimal("99.1"), "fund": 1980}
    steps = {"crimes": -1111, "money": 9595000, "rate": Decimal("0.4"), "wide": Decimal("0.16"), "fund": 123}
    for year in range(2019, 2024):
        now = {key: value + steps[key] for key, value in values.items()}
        numbers = {**{f"{k}_before": v for k, v in values.items()}, **now}
        text = YEAR.format(year=year, **numbers)
        (folder / f"{year}.yaml").write_text(text, encoding="utf-8")
        values = now
    return folder / "2023.yaml"


def _table_rows(report: Path) -> list[tuple[list[str], list[int]]]:
    """Every table row of the report: its cell texts and its table's column widths (twips)."""
    with zipfile.ZipFile(report) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    rows = []
    for table in root.iter(f"{{{W}}}tbl"):
        widths = [int(column.get(f"{{{W}}}w")) for column in table.iter(f"{{{W}}}gridCol")]
        for row in table.iter(f"{{{W}}}tr"):
            texts = ["".join(t.text or "" for t in cell.iter(f"{{{W}}}t")) for cell in row.iter(f"{{{W}}}tc")]
            rows.append((texts, widths))
    return rows


def _layout_lines(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout  # fmt: skip
    return [squeeze(line) for line in text.splitlines()]


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["newspaper", "official"])
def test_templates_resaved_by_libreoffice_keep_every_table_whole(
    soffice: str, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = _year_folder(tmp_path)
    copied = api.template_copy(name, tmp_path / "copied" / f"{name}.docx")
    resaved = libreoffice_convert(soffice, copied, tmp_path / "resaved", "docx:MS Word 2007 XML")
    ids = table_styles(_styles_xml(resaved))
    assert ids.id(TEXT) != TEXT.style_id  # LibreOffice did rename the ids: the test means something
    assert api.template_check(resaved) == []
    pages = {}
    for label, template in (("as shipped", name), ("re-saved", resaved)):
        report = api.build(source, template, tmp_path / label / "2023.docx").output
        pdf = to_pdf(soffice, report, tmp_path / label)
        pages[label] = pdf_pages(pdf)
        lines = _layout_lines(pdf)
        rows = _table_rows(report)
        firsts = {row[0] for row, _ in rows}
        assert {"指标", "派出所"} <= firsts and firsts & {"集体/个人", "序号"}, rows  # every kind of table is there
        size = 12 if name == "official" else 10
        one_line = 0
        for row, widths in rows:
            numbers = [squeeze(c) for c in row if c and is_numeric(c)]
            for number in numbers:  # every number and change on one line, never broken
                assert any(number in line for line in lines), (label, number, row)
            if all(text_em(c) * size * 20 + 170 <= w for c, w in zip(row, widths, strict=True)):
                one_line += 1  # a row whose texts fit their columns reads back on one line, cells in order
                pattern = ".*".join(re.escape(squeeze(c)) for c in row if c)
                assert any(re.search(pattern, line) for line in lines), (label, row)
        assert one_line >= len(rows) // 2  # the check above is not vacuous
        assert "135,975,000" in "".join(lines) and "1,234,567" in "".join(lines)  # grouped by thousands
    assert pages["re-saved"] == pages["as shipped"]


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["newspaper", "official"])
@pytest.mark.parametrize("suite", ["wps-numbers", "word-localised"])
def test_templates_with_other_suites_style_ids_lay_out_the_same(
    soffice: str, tmp_path: Path, name: str, suite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = _year_folder(tmp_path)
    template = tmp_path / f"{suite}.docx"
    template.write_bytes(renamed_ids(BUILTIN[name].read_bytes(), SUITES[suite], lambda n: LOCALISED.get(n, n)))
    assert api.template_check(template) == []
    shipped = to_pdf(soffice, api.build(source, name, tmp_path / "a" / "2023.docx").output, tmp_path / "a")
    other = to_pdf(soffice, api.build(source, template, tmp_path / "b" / "2023.docx").output, tmp_path / "b")
    assert _layout_lines(other) == _layout_lines(shipped)


# --- justified lines before a run of figures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "breaks"),
    [
        ("同比下降25.8%、23.9%，现行", ["25.8%、|23.9%"]),
        ("分别增长1.5%、2%、30%", ["1.5%、|2%", "2%、|30%"]),
        ("共1093起，2150起；311起：402起", ["1093起，2150起"]),  # a character after the figure: breaks anyway
        ("A级、B级", []),
        ("下降25.8%，23.9%；12.5%：7%", ["25.8%，|23.9%", "23.9%；|12.5%", "12.5%：|7%"]),
        ("1,234,567", []),  # a grouped number never breaks
    ],
)
def test_a_line_may_break_after_a_mark_between_figures(text: str, breaks: list[str]) -> None:
    from generator.render.context import breakable

    (made,) = breakable([text])
    assert made.replace("\u200b", "") == text
    for place in breaks:
        if "|" in place:
            assert place.replace("|", "\u200b") in made
    assert made.count("\u200b") == sum("|" in place for place in breaks)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["newspaper", "official"])
def test_the_2019_lead_breaks_after_the_mark_instead_of_stretching_the_line(
    soffice: str, tmp_path: Path, name: str
) -> None:
    report = api.build(ROOT / "reports" / "yongkang-police" / "2019.yaml", name, tmp_path / "2019.docx").output
    pdf = to_pdf(soffice, report, tmp_path)
    lines = [squeeze(line) for line in (pdf_column_lines(pdf) if name == "newspaper" else _layout_lines(pdf))]
    kicker = "全年全市刑事、治安发案同比下降25.8%、23.9%"
    (line,) = [line for line in lines if "治安发案同比下降" in line and line != kicker]
    assert "25.8%" in line, line  # the first figure stays on the line, which is not stretched to reach the margin


# --- long tables ------------------------------------------------------------------------------------------------


def _long(rows: int) -> TableContent:
    return TableContent(
        "表", ["序号", "指标", "本年"], [[str(i), f"指标{i}", str(1000 + i)] for i in range(1, rows + 1)]
    )


@pytest.mark.parametrize("rows", [1, 199, 200, 201, 450, 1000])
def test_long_tables_are_written_in_parts_that_read_as_one(rows: int) -> None:
    from generator.render.tables import PART_ROWS

    xml = table_xml(_long(rows), 9000)
    root = etree.fromstring(f'<w:body xmlns:w="{W}">{xml}</w:body>')
    tables = root.findall(f"{{{W}}}tbl")
    assert len(tables) == -(-rows // PART_ROWS)
    between = root.findall(f"{{{W}}}p")
    assert len(between) == len(tables) - 1  # one hidden paragraph between two parts, no gap
    assert all(p.find(f"{{{W}}}pPr/{{{W}}}rPr/{{{W}}}vanish") is not None for p in between)
    grids = {tuple(c.get(f"{{{W}}}w") for c in t.iter(f"{{{W}}}gridCol")) for t in tables}
    assert len(grids) == 1  # every part has the same widths
    numbers = []
    for table in tables:
        first, *rest = table.findall(f"{{{W}}}tr")
        assert first.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None  # each part starts with the header row
        assert "".join(t.text for t in first.iter(f"{{{W}}}t")) == "序号指标本年"
        numbers += [int(r.find(f".//{{{W}}}t").text) for r in rest]
    assert numbers == list(range(1, rows + 1))


@pytest.mark.libreoffice
def test_a_long_table_laid_out_by_libreoffice_keeps_every_row_in_order(soffice: str, tmp_path: Path) -> None:
    rows = "\n".join(f"  - {{name: 指标{i:04d}, unit: 起, value: {1000 + i}, previous: {900 + i}}}" for i in range(450))
    source = tmp_path / "2023.yaml"
    source.write_text(
        f"organization: {{name: 示例县公安局}}\nyear: 2023\nheadline: 标题\nsections:\n  - heading: 一\n"
        f"    paragraphs: [正文。]\nindicators:\n{rows}\n",
        encoding="utf-8",
    )
    pdf = to_pdf(soffice, api.build(source, "official", tmp_path / "2023.docx").output, tmp_path)
    lines = _layout_lines(pdf)
    found = [int(m.group(1)) for line in lines if (m := re.search(r"指标(\d{4})起", line))]
    assert found == list(range(450))
    pages = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")  # fmt: skip
    for page in pages:
        if "指标0" in page.replace(" ", ""):  # every page of the table starts with its header row
            first = next(squeeze(line) for line in page.splitlines() if "序号" in line or "指标0" in line)
            assert first.startswith("序号"), first
