"""verify: reports built from the examples, then edited as people edit them, each edit found at its place.

Every kind of edit the issue names (a percentage retyped, 下降 turned into 增长, a rate's change in % instead of
个百分点, a table cell changed, a sentence pasted from last year's report, a count retyped) is made at several places
of both example years, in both styles, in body text, tables, a text box, the header and the footer; each must be
found where it was made, and nothing else. Unedited reports, and the seed articles typed as Word documents by hand,
verify clean.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from generator import api
from generator.reading.docx_text import read_docx
from generator.reading.statements import statements
from generator.reading.text import normalize
from tests.fixtures.seed_articles import HANDS, PASTED, pasted_docx, seed_docx
from tests.helpers import command, environment, libreoffice_convert

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "reports" / "yongkang-police"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STYLES = ("newspaper", "official")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Each example year built in each style, its data file beside it (as build leaves them)."""
    built = {}
    for style in STYLES:
        folder = tmp_path_factory.mktemp(style)
        shutil.copytree(EXAMPLES / "photos", folder / "photos")
        for year in ("2019", "2022"):
            shutil.copy(EXAMPLES / f"{year}.yaml", folder / f"{year}.yaml")
            built[(year, style)] = api.build(folder / f"{year}.yaml", style).output  # type: ignore[assignment]
    return built


def edited_copy(source: Path, target: Path, edit) -> Path:
    document = Document(str(source))
    edit(document)
    document.save(str(target))
    return target


def visible_number(document, paragraph) -> int:
    """The number verify gives a body paragraph: counting the paragraphs a reader sees (text or a picture)."""
    number = 0
    for element in document.element.body.iter(f"{W}p"):
        if any(a.tag == f"{W}tbl" or a.tag.endswith("txbxContent") for a in element.iterancestors()):
            continue
        text = "".join(t.text or "" for t in element.iter(f"{W}t"))
        if normalize(text).text or list(element.iter("{http://schemas.openxmlformats.org/drawingml/2006/picture}pic")):
            number += 1
        if element is paragraph._p:
            return number
    raise AssertionError("paragraph not in the body")


def replace_in(paragraph, old: str, new: str) -> None:
    """Retype part of a paragraph, as a person does in Word (the paragraph's text ends up in its first run)."""
    text = paragraph.text
    assert old in text, (old, text)
    runs = paragraph.runs
    runs[0].text = text.replace(old, new, 1)
    for run in runs[1:]:
        run.text = ""


def body_edit(old: str, new: str, found: dict):
    """An edit of the first body paragraph holding ``old``; records which paragraph it was."""

    def edit(document) -> None:
        for paragraph in document.paragraphs:
            if old in paragraph.text:
                found["place"] = f"正文第 {visible_number(document, paragraph)} 段"
                replace_in(paragraph, old, new)
                return
        raise AssertionError(f"{old!r} is in no paragraph")

    return edit


# (year, text before, text after, indicator the edit disagrees with, what the corrected sentence must say)
BODY_EDITS = [
    # a percentage retyped
    ("2019", "同比下降15%", "同比下降16%", "涉企案件警情数", "同比下降15%"),
    ("2019", "增长16.2%", "增长61.2%", "提前解除被拘人员数", "增长16.2%"),
    ("2019", "43.5%", "34.5%", "行政复议案件数", "下降43.5%"),
    ("2019", "25.8%", "28.5%", "刑事发案数", "下降25.8%"),
    ("2022", "同比下降18%", "同比下降8.1%", "涉企案件警情数", "同比下降18%"),
    ("2022", "10.9%", "19.0%", "有效警情数", "10.9%"),
    ("2022", "27.4%", "24.7%", "电信网络诈骗案损", "27.4%"),
    # 下降 turned into 增长 (and back)
    ("2019", "断崖式下降41%", "断崖式增长41%", "交通事故亡人数", "下降41%"),
    ("2019", "同比提升10%", "同比下降10%", "雪亮工程抓获嫌疑人数", "10%"),
    ("2019", "总警情数同比下降54%", "总警情数同比上升54%", "智安小区总警情数", "同比下降54%"),
    ("2022", "均同比下降70%", "均同比增长70%", "试点企业警情数", "均同比下降70%"),
    ("2022", "分别同比下降27.6%", "分别同比增长27.6%", "电信网络诈骗发案数", "27.6%"),
    # a count retyped
    ("2019", "化解各类社会矛盾697起", "化解各类社会矛盾679起", "拘留所化解社会矛盾", "697起"),
    ("2019", "提供代办服务3523人次", "提供代办服务3532人次", "社区警务车代办服务人次", "3523人次"),
    ("2019", "连续第十四年", "连续第十五年", "现行命案连续全破年数", "第十四年"),
    ("2019", "破门成功率达100%", "破门成功率达99%", "破门成功率", "100%"),
    ("2022", "建立护航团队46支", "建立护航团队64支", "护航团队数", "46支"),
    ("2022", "为40家企业", "为41家企业", "信用修复企业数", "40家"),
    ("2022", "治理道路隐患1221处", "治理道路隐患1212处", "治理道路隐患数", "1221处"),
    ("2022", "分流率达95.8%", "分流率达98.5%", "古山镇试点分流率", "95.8%"),
    ("2022", "共有29个集体", "共有92个集体", "金华市公安局及以上表彰集体数", "29个"),
    ("2022", "现行命案连续17年", "现行命案连续18年", "现行命案连续全破年数", "17年"),
    # a sentence pasted from last year's report (the other example year)
    ("2022", "有力维护了我市政治安全", "全年全市刑事、治安发案同比下降25.8%、23.9%，有力维护了我市政治安全",
     "刑事发案数", "13.0%"),
    ("2019", "五类案件全破", "五类案件全破，全市有效警情数、刑事发案数分别同比下降10.9%、13.0%", "刑事发案数",
     "25.8%"),
]  # fmt: skip


def _ids(case: tuple) -> str:
    return f"{case[0]}-{case[1]}->{case[2]}"


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("case", BODY_EDITS, ids=[_ids(c) for c in BODY_EDITS])
def test_an_edited_figure_is_found_at_its_paragraph(
    reports: dict[tuple[str, str], Path], tmp_path: Path, case: tuple, style: str
) -> None:
    year, old, new, indicator, corrected = case
    place: dict[str, str] = {}
    report = edited_copy(reports[(year, style)], tmp_path / f"{year}.docx", body_edit(old, new, place))
    result = api.verify(report, EXAMPLES / f"{year}.yaml")
    found = result.verification.disagreements
    assert len(found) == 1, [f.where + " " + f.found for f in found]
    finding = found[0]
    assert finding.where.startswith(place["place"] + "“"), (finding.where, place)
    assert indicator in finding.indicators
    assert indicator in finding.expected
    assert corrected in finding.suggestion, finding.suggestion
    assert not result.ok


def _cell(document, row_name: str, header: str):
    """The cell of the table row whose first text cell is ``row_name``, in the column headed ``header``."""
    for t, table in enumerate(document.tables, start=1):
        headers = [c.text for c in table.rows[0].cells]
        if header not in headers:
            continue
        column = headers.index(header)
        for r, row in enumerate(table.rows, start=1):
            texts = [c.text for c in row.cells]
            if row_name in texts:
                return row.cells[column], t, r
    raise AssertionError(f"no cell {row_name}/{header}")


# (year, row, column, new text, indicator, what to write)
TABLE_EDITS = [
    ("2019", "刑事发案数", "同比", "下降28.5%", "刑事发案数", "下降25.8%"),
    ("2019", "雪亮工程抓获嫌疑人数", "同比", "下降10%", "雪亮工程抓获嫌疑人数", "增长10%"),
    ("2019", "拘留所化解社会矛盾", "本年", "796", "拘留所化解社会矛盾", "697"),
    ("2019", "交通事故亡人数", "本年", "12", "交通事故亡人数", "—"),
    ("2019", "先锋项目", "参与项目数（个）", "82", "先锋项目数", "28"),
    ("2022", "涉企案件警情数", "同比", "下降8%", "涉企案件警情数", "下降18%"),
    ("2022", "古山镇试点分流率", "本年", "96.8", "古山镇试点分流率", "95.8"),
    ("2022", "护航团队数", "同比", "增长5%", "护航团队数", "—"),
    ("2022", "金华市公安局及以上", "集体（个）", "30", "金华市公安局及以上表彰集体数", "29"),
]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("case", TABLE_EDITS, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in TABLE_EDITS])
def test_an_edited_table_cell_is_found_at_its_row_and_column(
    reports: dict[tuple[str, str], Path], tmp_path: Path, case: tuple, style: str
) -> None:
    year, row_name, header, new, indicator, write = case
    where: dict[str, tuple[int, int]] = {}

    def edit(document) -> None:
        cell, table, row = _cell(document, row_name, header)
        where["cell"] = (table, row)
        paragraph = cell.paragraphs[0]
        paragraph.runs[0].text = new
        for run in paragraph.runs[1:]:
            run.text = ""

    report = edited_copy(reports[(year, style)], tmp_path / f"{year}.docx", edit)
    found = api.verify(report, EXAMPLES / f"{year}.yaml").verification.disagreements
    assert len(found) == 1, [f.where for f in found]
    table, row = where["cell"]
    assert found[0].where.startswith(f"第 {table} 张表格"), found[0].where
    assert f"第 {row} 行「{header}」列" in found[0].where
    assert found[0].found == new
    assert found[0].suggestion == write
    assert indicator in found[0].indicators


HEADER_EDITS = [
    ("2019", "header", "刑事发案数同比下降30%", "刑事发案数", "页眉"),
    ("2019", "footer", "交通事故亡人数下降14%", "交通事故亡人数", "页脚"),
    ("2022", "header", "全市有效警情数同比增长10.9%", "有效警情数", "页眉"),
    ("2022", "footer", "救回溺水人员11人", "救回溺水人员数", "页脚"),
]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("case", HEADER_EDITS, ids=[f"{c[0]}-{c[1]}" for c in HEADER_EDITS])
def test_a_figure_typed_into_the_header_or_footer_is_checked(
    reports: dict[tuple[str, str], Path], tmp_path: Path, case: tuple, style: str
) -> None:
    year, part, text, indicator, story = case

    def edit(document) -> None:
        container = getattr(document.sections[0], part)
        container.add_paragraph(text)

    report = edited_copy(reports[(year, style)], tmp_path / f"{year}.docx", edit)
    found = api.verify(report, EXAMPLES / f"{year}.yaml").verification.disagreements
    assert [f.where for f in found] == [f"{_place_of(report, text)}“{text}”"], found
    assert found[0].where.startswith(story)
    assert indicator in found[0].indicators


def _place_of(report: Path, text: str) -> str:
    return next(str(p.where) for p in read_docx(report).others if p.plain == text)


TEXT_BOX = """
<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
     xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
     xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
     xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
     xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
     xmlns:v="urn:schemas-microsoft-com:vml">
  <mc:AlternateContent>
    <mc:Choice Requires="wps">
      <w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>
        <w:p><w:r><w:t>数说</w:t></w:r></w:p>
        <w:p><w:r><w:t>{text}</w:t></w:r></w:p>
      </w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>
    </mc:Choice>
    <mc:Fallback>
      <w:pict><v:shape><v:textbox><w:txbxContent>
        <w:p><w:r><w:t>数说</w:t></w:r></w:p>
        <w:p><w:r><w:t>{text}</w:t></w:r></w:p>
      </w:txbxContent></v:textbox></v:shape></w:pict>
    </mc:Fallback>
  </mc:AlternateContent>
</w:r>
"""


@pytest.mark.parametrize(
    ("year", "text", "indicator"),
    [
        ("2019", "治安发案同比增长23.9%", "治安发案数"),
        ("2019", "社区警务车代办服务3000人次", "社区警务车代办服务人次"),
        ("2022", "刑事发案数同比下降31%", "刑事发案数"),
    ],
)
def test_a_figure_in_a_text_box_is_checked_once(
    reports: dict[tuple[str, str], Path], tmp_path: Path, year: str, text: str, indicator: str
) -> None:
    def edit(document) -> None:
        anchor = document.paragraphs[len(document.paragraphs) // 2]
        anchor._p.append(etree.fromstring(TEXT_BOX.format(text=text)))

    report = edited_copy(reports[(year, "newspaper")], tmp_path / f"{year}.docx", edit)
    found = api.verify(report, EXAMPLES / f"{year}.yaml").verification.disagreements
    assert len(found) == 1, found  # the VML copy of the shape is not read a second time
    assert found[0].where.startswith("文本框 1 第 2 段"), found[0].where
    assert indicator in found[0].indicators


@pytest.fixture(scope="module")
def rate_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2019 with a rate that changed: 破门成功率 from 98.5 to 100, written 同比提高1.5个百分点."""
    folder = tmp_path_factory.mktemp("rate")
    text = (EXAMPLES / "2019.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "破门成功率达{{ 破门成功率.本年 }}%", "破门成功率达{{ 破门成功率.本年 }}%，{{ 破门成功率.同比 }}"
    )
    text = text.replace("  - name: 破门成功率          # 巡特警大队破拆门攻坚团队\n    kind: rate\n    value: 100",
                        "  - name: 破门成功率\n    kind: rate\n    value: 100\n    previous: 98.5")  # fmt: skip
    assert "previous: 98.5" in text
    (folder / "2019.yaml").write_text(text, encoding="utf-8")
    api.build(folder / "2019.yaml")
    return folder / "2019.docx"


@pytest.mark.parametrize(
    ("old", "new"),
    [("提高1.5个百分点", "提高1.5%"), ("提高1.5个百分点", "提高2.5个百分点"), ("提高1.5个百分点", "下降1.5个百分点")],
)
def test_a_rate_change_retyped_is_found(rate_year: Path, tmp_path: Path, old: str, new: str) -> None:
    place: dict[str, str] = {}
    report = edited_copy(rate_year, tmp_path / "2019.docx", body_edit(old, new, place))
    found = api.verify(report, rate_year.with_suffix(".yaml")).verification.disagreements
    assert len(found) == 1, found
    assert found[0].where.startswith(place["place"])
    assert "同比提高1.5个百分点" in found[0].suggestion
    assert "破门成功率" in found[0].indicators


def test_the_rate_report_unedited_agrees(rate_year: Path) -> None:
    result = api.verify(rate_year, rate_year.with_suffix(".yaml"))
    assert result.ok
    assert any("破门成功率" in f.indicators and "个百分点" in f.found for f in result.verification.agreements)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("year", ["2019", "2022"])
def test_an_unedited_report_verifies_clean(reports: dict[tuple[str, str], Path], year: str, style: str) -> None:
    result = api.verify(reports[(year, style)])  # the data file of the same name beside it
    assert result.data.name == f"{year}.yaml"
    found = result.verification
    assert found.disagreements == []
    assert len(found.agreements) >= 50  # the text's figures and the summary table
    # the only convention broken is the original's: half-width : and ; kept as the 2019 article printed them
    assert {w.check for w in found.warnings} <= {"标点"}
    assert len(found.warnings) == (3 if year == "2019" else 0)


@pytest.mark.parametrize("hand", HANDS)
@pytest.mark.parametrize("year", ["2019", "2022"])
def test_a_seed_article_typed_in_word_verifies_against_its_example_data(tmp_path: Path, year: str, hand: str) -> None:
    """The newspaper's article, typed by hand (no data of ours in it), agrees with the data that reproduces it."""
    for spaces in (False, True):
        document = seed_docx(year, tmp_path / f"{year}-{hand}-{spaces}.docx", hand, with_spaces=spaces)
        found = api.verify(document, EXAMPLES / f"{year}.yaml").verification
        assert found.disagreements == []
        named = {name for f in found.agreements for name in f.indicators}
        data = {i.name for i in api.load(EXAMPLES / f"{year}.yaml").report.indicators if i.change is not None}
        assert data <= named  # every change the article states was matched to its indicator, and agrees


@pytest.mark.parametrize("how", PASTED)
@pytest.mark.parametrize("year", ["2019", "2022"])
def test_the_scan_pasted_into_word_verifies_and_each_edit_is_found(tmp_path: Path, year: str, how: str) -> None:
    """The scan as pasted, a paragraph mark at every line or block, sentences broken in the middle: each is read
    whole again, every change of the data is found in it and agrees; an edit is found in the paragraph it is in."""
    document = pasted_docx(year, tmp_path / f"{year}.docx", how)
    found = api.verify(document, EXAMPLES / f"{year}.yaml").verification
    assert found.disagreements == []
    named = {name for f in found.agreements for name in f.indicators}
    data = {i.name for i in api.load(EXAMPLES / f"{year}.yaml").report.indicators if i.change is not None}
    assert data <= named
    old, new = ("13.0%", "31.0%") if year == "2022" else ("53.8%", "58.3%")
    place: dict[str, str] = {}
    edited = edited_copy(document, tmp_path / "edited.docx", body_edit(old, new, place))
    disagreements = api.verify(edited, EXAMPLES / f"{year}.yaml").verification.disagreements
    assert [f.where.split("“")[0] for f in disagreements] == [place["place"]]


def test_the_seed_article_with_an_edit_disagrees(tmp_path: Path) -> None:
    document = seed_docx("2022", tmp_path / "2022.docx", "bold")
    edited = edited_copy(document, tmp_path / "edited.docx", body_edit("同比下降18%", "同比下降19%", {}))
    found = api.verify(edited, EXAMPLES / "2022.yaml").verification.disagreements
    assert [f.indicators for f in found] == [("涉企案件警情数",)]


# --- the writing conventions --------------------------------------------------------------------------------------

CONVENTIONS = [
    ("百分点", "全市刑事案件破案率同比提高3.2%，群众满意。"),
    ("百分点", "重点区域视频监控覆盖率较上年上升1.5%。"),
    ("约数", "全年共抓获嫌疑人约300人左右。"),
    ("约数", "化解矛盾纠纷近500余起。"),
    ("约数", "挽回经济损失大约2300余万元。"),
    ("增减", "全市刑事发案数同比增长-5.2%。"),
    ("增减", "交通事故起数负增长。"),
    ("增减", "电信诈骗案件下降2倍。"),
    ("标点", "工作成效显著,群众满意度提升。"),
    ("标点", "主要做法:一是强化巡逻。"),
    ("标点", "全面推进(试行)工作机制。"),
]
CLEAN = [
    "全市刑事案件破案率同比提高3.2个百分点，群众满意。",
    "全年共抓获嫌疑人约300人，化解矛盾纠纷500余起，出动警力100人次左右。",
    "全市刑事发案数同比下降5.2%，电信诈骗案件增长2倍。",
    "工作成效显著，群众满意度提升；主要做法：一是强化巡逻（试行）。时间为12:30。",
]


def _document_with(tmp_path: Path, paragraphs: list[str], name: str = "2019.docx") -> Path:
    document = Document()
    document.add_paragraph("测试报告", style="Title")
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / name
    document.save(str(path))
    return path


@pytest.mark.parametrize(("check", "text"), CONVENTIONS, ids=[c[1][:12] for c in CONVENTIONS])
def test_a_broken_convention_is_a_warning_that_can_be_turned_off(tmp_path: Path, check: str, text: str) -> None:
    path = _document_with(tmp_path, ["第一段没有数字。", text])
    warnings = api.verify(path, EXAMPLES / "2019.yaml").verification.warnings
    assert {w.check for w in warnings} == {check}, warnings
    assert all(w.where.startswith("正文第 3 段") for w in warnings)
    assert api.verify(path, EXAMPLES / "2019.yaml", skip=[check]).verification.warnings == []


def test_conventions_kept_give_no_warning(tmp_path: Path) -> None:
    path = _document_with(tmp_path, CLEAN)
    assert api.verify(path, EXAMPLES / "2019.yaml").verification.warnings == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("涉案金额97,595,000元。", "挽回损失12345678元。"),
        ("抓获１２３人。", "破获45起。"),
        ("抓获三十五人。", "破获45起。"),
    ],
)
def test_number_forms_mixed_in_one_document_are_a_warning(tmp_path: Path, first: str, second: str) -> None:
    path = _document_with(tmp_path, [first, "中间一段。", second])
    warnings = api.verify(path, EXAMPLES / "2019.yaml").verification.warnings
    assert [w.check for w in warnings] == ["数字写法"]
    assert "正文第 2 段" in warnings[0].found and "正文第 4 段" in warnings[0].found
    alone = _document_with(tmp_path, [first, "中间一段。"], "alone.docx")
    assert api.verify(alone, EXAMPLES / "2019.yaml").verification.warnings == []


# --- figures written in other forms --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def money_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2019 with a large amount in 元: build writes 97,595,000元 (千分撇)."""
    folder = tmp_path_factory.mktemp("money")
    text = (EXAMPLES / "2019.yaml").read_text(encoding="utf-8")
    text = text.replace("涉案金额9759.5万元", "涉案金额{{ 涉案金额 }}")
    text = text.replace("indicators:\n", "indicators:\n  - {name: 涉案金额, unit: 元, value: 97595000}\n", 1)
    (folder / "2019.yaml").write_text(text, encoding="utf-8")
    return api.build(folder / "2019.yaml").output  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("written", "agrees"),
    [
        ("97,595,000元", True),
        ("97595000元", True),
        ("９７,５９５,０００元", True),
        ("9759.5万元", True),
        ("97,595,500元", False),
        ("9759.6万元", False),
        ("9700余万元", True),
        ("9800余万元", False),
    ],
)
def test_a_large_amount_in_any_written_form(money_year: Path, tmp_path: Path, written: str, agrees: bool) -> None:
    report = edited_copy(money_year, tmp_path / "2019.docx", body_edit("97,595,000元", written, {}))
    found = api.verify(report, money_year.with_suffix(".yaml")).verification
    amounts = [f for f in found.findings if "涉案金额" in f.indicators and f.where.startswith("正文")]
    assert [f.outcome for f in amounts] == ["agrees" if agrees else "disagrees"]


def test_the_report_as_built_writes_thousands_separators_and_agrees(money_year: Path) -> None:
    text = "".join(p.plain for p in read_docx(money_year).passages())
    assert "97,595,000元" in text
    assert api.verify(money_year).ok


# --- through LibreOffice, and through the installed command ---------------------------------------------------------


@pytest.mark.libreoffice
def test_edits_are_found_after_libreoffice_saved_the_report(
    reports: dict[tuple[str, str], Path], tmp_path: Path, soffice: str
) -> None:
    places: dict[str, dict[str, str]] = {"a": {}, "b": {}}

    def edit(document) -> None:
        body_edit("同比下降15%", "同比下降16%", places["a"])(document)
        body_edit("化解各类社会矛盾697起", "化解各类社会矛盾679起", places["b"])(document)
        cell, _, _ = _cell(document, "刑事发案数", "同比")
        cell.paragraphs[0].runs[0].text = "增长25.8%"

    edited = edited_copy(reports[("2019", "newspaper")], tmp_path / "edited.docx", edit)
    saved = libreoffice_convert(soffice, edited, tmp_path / "saved", "docx:MS Word 2007 XML")
    found = api.verify(saved, EXAMPLES / "2019.yaml").verification
    assert len(found.disagreements) == 3, [f.where for f in found.disagreements]
    wheres = [f.where for f in found.disagreements]
    assert any(w.startswith(places["a"]["place"] + "“") and "16%" in w for w in wheres)
    assert any(w.startswith(places["b"]["place"] + "“") for w in wheres)
    assert any(w.startswith("第 1 张表格") and "「同比」列" in w for w in wheres)
    assert len(found.agreements) >= 50  # the rest of the report still reads and agrees after the re-save


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=environment())


def test_the_command_exits_0_when_all_agree_and_1_when_not(
    reports: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    folder = reports[("2019", "newspaper")].parent
    done = run("verify", "2019.docx", "2019.yaml", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "所有与指标对应的数字都与数据一致" in done.stdout
    assert "[标点]" in done.stdout and "没有对应指标的数字" in done.stdout
    quiet = run("verify", "2019.docx", "2019.yaml", "--skip", "标点", cwd=folder)
    assert "[标点]" not in quiet.stdout
    shutil.copy(EXAMPLES / "2019.yaml", tmp_path / "报告.yaml")
    edited_copy(reports[("2019", "newspaper")], tmp_path / "报告.docx", body_edit("同比下降15%", "同比增长15%", {}))
    done = run("verify", "报告.docx", cwd=tmp_path)  # the data file of the same name beside it
    assert done.returncode == 1, done.stderr
    assert "与数据不一致（1 处）" in done.stdout
    assert "原文：涉企案件警情数同比增长15%" in done.stdout
    assert "数据：涉企案件警情数 同比下降15%" in done.stdout
    assert "应改为：" in done.stdout and "涉企案件警情数同比下降15%" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["verify", "无此文件.docx", "2019.yaml"], 1, "找不到这个文件"),
        (["verify", "2019.yaml", "2019.yaml"], 1, "不是 .docx 文件"),
        (["verify", "孤单.docx"], 1, "报告旁边没有同名的数据文件"),
        (["verify", "孤单.docx", "2019.yaml", "--skip", "拼写"], 2, "不是检查的名称"),
        (["verify"], 2, "缺少参数"),
        (["verify", "孤单.docx", "不存在.yaml"], 1, "不存在.yaml"),
    ],
)
def test_the_command_says_what_is_wrong_in_chinese(
    reports: dict[tuple[str, str], Path], tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    shutil.copy(EXAMPLES / "2019.yaml", tmp_path / "2019.yaml")
    shutil.copy(reports[("2019", "newspaper")], tmp_path / "孤单.docx")
    done = run(*args, cwd=tmp_path)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr


# --- reading figures: the pure functions ---------------------------------------------------------------------------

STATEMENTS = [
    ("全年全市刑事、治安发案同比下降25.8%、23.9%", "change", ["刑事发案", "治安发案"], ["-25.8", "-23.9"]),
    ("有效警情数、刑事发案数分别同比下降10.9%、13.0%", "change", ["有效警情数", "刑事发案数"], ["-10.9", "-13.0"]),
    ("试点企业警情、发案均同比下降70%", "change", ["试点企业警情", "试点企业发案"], ["-70"]),
    ("行政复议、行政诉讼“断崖式”下降43.5%、53.8%", "change", ["行政复议", "行政诉讼"], ["-43.5", "-53.8"]),
    ("破案率同比提高3.2个百分点", "change", ["破案率"], ["3.2"]),
    ("盗窃、诈骗案件同比下降10%", "change", ["盗窃、诈骗案件"], ["-10"]),
    ("刑事发案数较上年减少 12.5 %", "change", ["刑事发案数"], ["-12.5"]),
    ("刑事发案数同比下降２５．８％", "change", ["刑事发案数"], ["-25.8"]),
    ("化解各类社会矛盾697起", "count", ["化解各类社会矛盾"], ["697"]),
    ("涉案金额9759.5万元", "count", ["涉案金额"], ["97595000"]),
    ("涉案金额97,595,000元", "count", ["涉案金额"], ["97595000"]),
    ("为40家企业修复信用", "count", ["企业修复信用"], ["40"]),
    ("古山镇试点分流率达95.8%", "value", ["古山镇试点分流率"], ["95.8"]),
    ("重点公共区域视频监控覆盖率、联网率达100%", "value", ["重点公共区域视频监控覆盖率", "重点公共区域视频监控联网率"],
     ["100"]),
    ("与上年持平", "flat", [], []),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "names", "values"), STATEMENTS, ids=[s[0][:14] for s in STATEMENTS])
def test_statements_are_read_with_their_names_and_values(text: str, kind: str, names: list, values: list) -> None:
    found = statements(normalize(text).text)
    assert len(found) == 1
    statement = found[0]
    assert statement.kind == kind
    assert statement.names == names
    signed = [a.value if d != "down" else -a.value for a, d in zip(statement.amounts, statement.directions)]  # noqa: B905
    assert signed == [Decimal(v) for v in values]
    if all(a.scale == 1 for a in statement.amounts):  # 13.0 keeps its precision
        assert [str(v) for v in signed if "." in str(v)] == [v for v in values if "." in v]


@pytest.mark.parametrize(
    "text",
    [
        "2019年12月",
        "3月24日",
        "连续第二年",
        "占全市的1/3",
        "“6.14”案件",
        "《十一条举措》",
        "1+3+N",
        "数说2019",
        "2至5天",
    ],
)
def test_dates_ordinals_fractions_and_names_are_not_figures(text: str) -> None:
    assert [s for s in statements(normalize(text).text) if s.kind != "count" or s.amounts[0].approx != "第"] == []


def test_the_reader_takes_each_story_once(reports: dict[tuple[str, str], Path]) -> None:
    document = read_docx(reports[("2022", "newspaper")])
    stories = {p.where.story for p in document.others}
    assert "页眉" in stories
    body = "".join(p.plain for p in document.passages())
    assert body.count("市公安局奋力书写公安工作高质量发展新篇章") == 1
    assert "\u200b" not in body


def test_hidden_and_deleted_text_is_not_read(tmp_path: Path) -> None:
    document = Document()
    paragraph = document.add_paragraph("刑事发案数同比下降")
    hidden = paragraph.add_run("99%")
    hidden.font.hidden = True
    paragraph.add_run("25.8%")
    deleted = etree.fromstring(
        '<w:del xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:id="1" w:author="x">'
        "<w:r><w:delText>30%</w:delText></w:r></w:del>"
    )
    paragraph._p.append(copy.deepcopy(deleted))
    path = tmp_path / "x.docx"
    document.save(str(path))
    assert read_docx(path).body[0].plain == "刑事发案数同比下降25.8%"


# --- every figure the data explains, edited in turn ---------------------------------------------------------------

SWAPS = [("下降", "增长"), ("增长", "下降"), ("提升", "下降"), ("提高", "降低"), ("上升", "下降")]


def _mutations(found: str) -> list[str]:
    """The statement with its first figure retyped, its last figure retyped, its verb turned round."""
    numbers = list(re.finditer(r"\d+", found))
    edits = []
    for match in {id(m): m for m in (numbers[:1] + numbers[-1:])}.values():
        edits.append(found[: match.start()] + str(int(match.group()) + 1) + found[match.end() :])
    for old, new in SWAPS:
        if old in found:
            edits.append(found.replace(old, new, 1))
            break
    return edits


@pytest.mark.parametrize("source", ["newspaper", "official", "bold", "numbered"])
@pytest.mark.parametrize("year", ["2019", "2022"])
def test_every_explained_figure_edited_in_turn_is_found_at_its_paragraph(
    reports: dict[tuple[str, str], Path], tmp_path: Path, year: str, source: str
) -> None:
    """A generator of variants: each figure of the body that agrees with an indicator is retyped (first and last
    number) and has its verb turned round, one edit per document; each edit must be the one disagreement found,
    at its paragraph, on its indicator."""
    data = EXAMPLES / f"{year}.yaml"
    original = reports[(year, source)] if source in STYLES else seed_docx(year, tmp_path / "seed.docx", source)
    explained = [f for f in api.verify(original, data).verification.agreements if f.where.startswith("正文")]
    assert len(explained) >= 15
    tried = 0
    for finding in explained:
        number = int(re.match(r"正文第 (\d+) 段", finding.where).group(1))  # type: ignore[union-attr]
        for edited in _mutations(finding.found):

            def edit(document, number: int = number, before: str = finding.found, after: str = edited) -> None:
                paragraph = next(p for p in document.paragraphs if p.text and visible_number(document, p) == number)
                text = paragraph.text.replace("\u200b", "")
                paragraph.runs[0].text = text.replace(before, after, 1)
                for run in paragraph.runs[1:]:
                    run.text = ""

            report = edited_copy(original, tmp_path / "edited.docx", edit)
            found = api.verify(report, data).verification.disagreements
            assert len(found) == 1, (finding.found, edited, [f.where for f in found])
            assert found[0].where.startswith(f"正文第 {number} 段"), (edited, found[0].where)
            assert set(finding.indicators) & set(found[0].indicators), (edited, found[0].indicators)
            tried += 1
    assert tried > len(explained)  # every figure at least once, most of them twice or three times


# (year, text before, the same with a figure no indicator of the year is about)
NEW_FIGURES = [
    ("2019", "五类案件全破", "五类案件全破，破案率同比提高3.2个百分点"),
    ("2019", "阻碍重点工程项目案件连续第二年", "全市盗抢案件同比下降12.4%，阻碍重点工程项目案件连续第二年"),
    ("2019", "清理僵尸车479辆", "清理僵尸车479辆，查处酒驾1234起"),
    ("2022", "有力维护了我市政治安全", "全市火灾起数同比下降9.9%，有力维护了我市政治安全"),
    ("2022", "救回溺水人员10人", "救回溺水人员10人，走访群众3.2万人次"),
    ("2022", "助企“123”模式", "企业满意率提高2.1个百分点，助企“123”模式"),
]


@pytest.mark.parametrize("case", NEW_FIGURES, ids=[c[2][-16:] for c in NEW_FIGURES])
def test_a_figure_the_data_does_not_explain_is_listed_not_an_error(
    reports: dict[tuple[str, str], Path], tmp_path: Path, case: tuple
) -> None:
    """Not even in a sentence that names an indicator elsewhere (全年全市刑事、治安发案……，破案率……)."""
    year, old, new = case
    place: dict[str, str] = {}
    report = edited_copy(reports[(year, "newspaper")], tmp_path / f"{year}.docx", body_edit(old, new, place))
    before = api.verify(reports[(year, "newspaper")]).verification
    after = api.verify(report, EXAMPLES / f"{year}.yaml").verification
    assert after.disagreements == []
    added = [f for f in after.unexplained if f.found not in {b.found for b in before.unexplained}]
    assert [f.where.split("“")[0] for f in added] == [place["place"]], added
    assert len(after.agreements) == len(before.agreements)


def readme_block(command_line: str) -> list[str]:
    """The lines of the README's example output after ``command_line`` (elided lines, with ……, left out)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(command_line) + len(command_line)
    block = readme[start : readme.index("```", start)]
    return [line for line in block.splitlines() if line.strip() and "……" not in line]


def test_the_readme_shows_what_verify_prints(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "2019.yaml", tmp_path / "2019.yaml")
    api.build(tmp_path / "2019.yaml")

    def edit(document) -> None:
        body_edit("全市涉企案件警情数同比下降15%", "全市涉企案件警情数同比增长15%", {})(document)
        body_edit("化解各类社会矛盾697起", "化解各类社会矛盾679起", {})(document)
        body_edit("五类案件全破", "五类案件全破，破案率同比提高3.2%，约300人左右受到表彰", {})(document)
        cell, _, _ = _cell(document, "治安发案数", "同比")
        cell.paragraphs[0].runs[0].text = "下降32.9%"

    edited_copy(tmp_path / "2019.docx", tmp_path / "2019.docx", edit)
    done = run("verify", "2019.docx", cwd=tmp_path)
    assert done.returncode == 1
    shown = done.stdout.splitlines()
    for line in readme_block("$ annual-report verify 2019.docx"):
        assert line in shown, line


def test_the_workbook_beside_the_report_is_its_data(reports: dict[tuple[str, str], Path], tmp_path: Path) -> None:
    shutil.copy(reports[("2022", "newspaper")], tmp_path / "2022.docx")
    api.convert(EXAMPLES / "2022.yaml", tmp_path / "2022.xlsx")
    result = api.verify(tmp_path / "2022.docx")
    assert result.data.name == "2022.xlsx" and result.ok and result.notes == []
    shutil.copy(EXAMPLES / "2022.yaml", tmp_path / "2022.yaml")
    both = api.verify(tmp_path / "2022.docx")
    assert both.data.name == "2022.xlsx"
    assert any("没有用 2022.yaml" in note for note in both.notes)


# (a sentence typed by hand under a plain title line, what verify says to write instead) against 2019.yaml
REWRITES = [
    ("全市涉企案件警情数与上年持平，其他。", "全市涉企案件警情数同比下降15%，其他。"),
    ("全市涉企案件警情数较上年增长15%，其他。", "全市涉企案件警情数较上年下降15%，其他。"),
    ("刑事、治安发案分别同比下降25.8%、32.9%。", "刑事、治安发案分别同比下降25.8%、23.9%。"),
    ("刑事、治安发案均同比下降25.8%。", "刑事、治安发案同比下降25.8%、23.9%。"),
    ("交通事故亡人数同比下降4.1个百分点。", "交通事故亡人数同比下降41%。"),
    ("拘留所化解社会矛盾697起，同比下降20%。", "拘留所化解社会矛盾697起，同比增长20%。"),
    ("雪亮工程抓获嫌疑人同比提升1%。", "雪亮工程抓获嫌疑人同比提升10%。"),
    ("社区警务车代办服务3,532人次。", "社区警务车代办服务3523人次。"),
]


@pytest.mark.parametrize(("text", "write"), REWRITES, ids=[r[0][:12] for r in REWRITES])
def test_the_sentence_to_write_instead_is_what_build_would_write(tmp_path: Path, text: str, write: str) -> None:
    path = _document_with(tmp_path, [text])  # under a plain short title line: a paragraph of its own
    found = api.verify(path, EXAMPLES / "2019.yaml").verification.disagreements
    assert [(f.where.split("“")[0], f.suggestion) for f in found] == [("正文第 2 段", write)]
