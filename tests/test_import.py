"""import: the seed articles typed into Word by hand, read back as a draft year of data.

The documents come from tests/fixtures/seed_articles.py (the scanned text, typed in three hands), never from our
own reports. A build of each draft must say at least 90% of the article's sentences word for word; every change the
articles state must be an indicator with its value and direction; every paragraph with figures must read them
through expressions that write the same sentence again, and change when the data changes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook

from generator import api
from generator.figures.expressions import TextExpander
from generator.figures.figure import figures_of
from generator.reading.text import sentences, squeeze
from tests.fixtures.seed_articles import CHANGES, HANDS, PASTED, article, pasted_docx, scan_sentences, seed_docx
from tests.helpers import command, docx_lines, environment

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "reports" / "yongkang-police"
YEARS = ("2019", "2022")
BODY = {"lead", "event", "paragraph", "outlook"}


def imported(tmp_path: Path, year: str, hand: str, suffix: str = ".yaml", spaces: bool = False) -> api.ImportResult:
    document = seed_docx(year, tmp_path / f"报道{year}.docx", hand, with_spaces=spaces)
    return api.import_report(document, tmp_path / f"{year}{suffix}")


def article_sentences(year: str) -> list[str]:
    return [s for _, text in article(year) for s in sentences(squeeze(text)) if len(s) >= 2]


@pytest.mark.parametrize("spaces", [False, True])
@pytest.mark.parametrize("hand", HANDS)
@pytest.mark.parametrize("year", YEARS)
def test_a_build_of_the_draft_reproduces_the_article(tmp_path: Path, year: str, hand: str, spaces: bool) -> None:
    result = imported(tmp_path, year, hand, spaces=spaces)
    built = api.build(result.output).output
    said = squeeze("".join(docx_lines(built)))
    wanted = article_sentences(year)
    missing = [s for s in wanted if s not in said]
    assert len(missing) <= 0.1 * len(wanted), missing
    assert result.covered / result.sentences >= 0.9  # what the command itself reports
    assert len(wanted) > 40


@pytest.mark.parametrize("how", PASTED)
@pytest.mark.parametrize("year", YEARS)
def test_the_scan_pasted_into_word_is_imported_whole(tmp_path: Path, year: str, how: str) -> None:
    """No structure to go by (every line or block a plain paragraph, in the scan's order): nothing is lost, the
    sentences broken across paragraphs are whole again, and every change is still extracted."""
    result = api.import_report(pasted_docx(year, tmp_path / "报道.docx", how), tmp_path / f"{year}.yaml")
    said = squeeze("".join(docx_lines(api.build(result.output).output)))
    wanted = scan_sentences(year)
    missing = [s for s in wanted if s not in said]
    assert len(missing) <= 0.1 * len(wanted), missing
    changes = {i.name: i.change for i in result.report.indicators if i.change is not None}
    for words, change, _ in CHANGES[year]:
        assert Decimal(change) in {v for n, v in changes.items() if words in n}, words


@pytest.mark.parametrize("hand", HANDS)
@pytest.mark.parametrize("year", YEARS)
def test_the_parts_are_in_their_places(tmp_path: Path, year: str, hand: str) -> None:
    result = imported(tmp_path, year, hand)
    report = result.report
    parts = article(year)
    headings = [text for part, text in parts if part == "heading"]
    assert api.load(result.output).content.kicker == next(text for part, text in parts if part == "kicker")
    assert report.headline == next(text for part, text in parts if part == "headline")
    byline = next(text for part, text in parts if part == "byline")
    assert report.byline is not None and report.byline.names == byline.split()[1:]
    outlook_heading = report.outlook.heading if report.outlook else ""
    assert [s.heading for s in report.sections] + ([outlook_heading] if outlook_heading else []) == headings
    counts = {kind: sum(1 for part, _ in parts if part == kind) for kind in BODY}
    assert len(report.lead) == counts["lead"]
    assert len(report.event) == counts["event"]
    assert sum(len(s.paragraphs) for s in report.sections) == counts["paragraph"]
    assert report.outlook is not None and len(report.outlook.paragraphs) == counts["outlook"]
    assert report.year == int(year)
    assert report.organization.name == "永康市公安局"
    assert report.organization.short_name == "市公安局"


@pytest.mark.parametrize("year", YEARS)
def test_every_change_of_the_seed_is_an_indicator_with_its_value_and_direction(tmp_path: Path, year: str) -> None:
    report = imported(tmp_path, year, "styles").report
    changes = {i.name: i.change for i in report.indicators if i.change is not None}
    for words, change, _unit in CHANGES[year]:
        named = {name: value for name, value in changes.items() if words in name}
        assert named, f"no indicator named with {words}: {sorted(changes)}"
        assert Decimal(change) in named.values(), (words, named)
        assert any(str(value) == change for value in named.values())  # 13.0 keeps its precision
    assert len(changes) == len(CHANGES[year])  # and nothing else was taken for a change


@pytest.mark.parametrize("hand", HANDS)
@pytest.mark.parametrize("year", YEARS)
def test_paragraphs_read_their_figures_through_expressions_that_write_them_back(
    tmp_path: Path, year: str, hand: str
) -> None:
    report = imported(tmp_path, year, hand).report
    expander = TextExpander(report, figures_of(report))
    originals = {squeeze(text) for part, text in article(year) if part in BODY | {"kicker"}}
    texts = [report.kicker, *report.lead, *report.event, *(p for s in report.sections for p in s.paragraphs)]
    texts += report.outlook.paragraphs if report.outlook else []
    with_expressions = [t for t in texts if "{{" in t]
    assert len(with_expressions) >= (10 if year == "2019" else 5)
    for text in with_expressions:
        assert squeeze(expander.expand(text)) in originals
        outside = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text)
        assert not re.search(r"\d+(\.\d+)?(%|个百分点)", outside), text  # no change is left typed in


def test_changing_the_data_changes_the_text(tmp_path: Path) -> None:
    """The point of the expressions: next year's figures land in the sentences without retyping them."""
    result = imported(tmp_path, "2019", "styles")
    data = yaml.safe_load(result.output.read_text(encoding="utf-8"))
    for indicator in data["indicators"]:
        if indicator["name"] == "刑事发案":
            indicator["change"] = 4.2
        if indicator["name"] == "治安发案":
            indicator["change"] = -30.1
    (tmp_path / "changed.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    text = "\n".join(docx_lines(api.build(tmp_path / "changed.yaml").output))
    assert "刑事发案同比增长4.2%，治安发案同比下降30.1%" in text  # the kicker and the lead, split by direction
    assert "25.8" not in text


def test_next_year_starts_from_the_draft(tmp_path: Path) -> None:
    result = imported(tmp_path, "2022", "bold")
    following = api.new_year(result.output)
    draft = following.report
    assert draft.year == 2023
    assert next(i.previous for i in draft.indicators if "护航团队" in i.name) == Decimal(46)


@pytest.mark.parametrize("year", YEARS)
def test_the_workbook_draft_marks_each_indicator_and_reads_back_the_same(tmp_path: Path, year: str) -> None:
    as_yaml = imported(tmp_path, year, "numbered")
    as_book = api.import_report(tmp_path / f"报道{year}.docx", tmp_path / f"{year}.xlsx")
    assert api.load_model(as_book.output)[1] == as_yaml.report  # the two formats hold the same draft
    book = load_workbook(as_book.output)
    sheet = book["指标"]
    names = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert len(names) == len(as_book.report.indicators)
    for cell in names:
        assert cell.comment is not None and cell.comment.text.startswith("待确认"), cell.coordinate
    shown = {cell.value: cell.comment.text for cell in names}
    for words, change, _ in CHANGES[year]:
        name = next(n for n in shown if words in n)
        assert change.lstrip("-") in shown[name]  # the source sentence is in the note
    yaml_text = as_yaml.output.read_text(encoding="utf-8")
    assert yaml_text.count("# 待确认") == len(as_yaml.report.indicators)
    api.convert(as_book.output, tmp_path / "back.yaml")
    assert api.load_model(tmp_path / "back.yaml")[1] == as_yaml.report


def test_what_has_no_place_is_kept_and_listed(tmp_path: Path) -> None:
    result = imported(tmp_path, "2022", "styles")
    captions = [text for part, text in article("2022") if part == "caption"]
    assert [text for _, text, _ in result.unplaced] == captions
    table = result.report.tables[-1]
    assert table.title.startswith("导入时未能归位的文字")
    assert [row[1] for row in table.rows] == captions
    built = "\n".join(docx_lines(api.build(result.output).output))
    assert all(caption in built for caption in captions)


def _hand_made(tmp_path: Path) -> Path:
    """A report typed by hand with 一、（一） headings, a lead, an indicator table and an honors table."""
    document = Document()
    document.add_paragraph("县财政局2023年工作总结", style="Title")
    document.add_paragraph("2023年，县财政局坚持稳中求进，全县一般公共预算收入12.5亿元，同比增长6.2%。")
    document.add_paragraph("一、收入稳步增长")
    document.add_paragraph("（一）组织收入")
    document.add_paragraph("税收收入完成9.8亿元，同比增长5.1%；非税收入占比21.6%，比上年提高1.3个百分点。")
    document.add_paragraph("（二）盘活资产")
    document.add_paragraph("盘活闲置资产37处，处置收入{{ 不是表达式 }}2800余万元。")
    document.add_paragraph("二、支出结构优化")
    document.add_paragraph("民生支出占比达78.4%，教育支出同比下降2.5%。")
    document.add_paragraph("主要指标")
    table = document.add_table(rows=3, cols=5)
    for r, row in enumerate(
        [["指标", "单位", "本年", "上年", "同比"], ["一般公共预算收入", "亿元", "12.5", "11.77", "增长6.2%"],
         ["民生支出占比", "%", "78.4", "77.1", "提高1.3个百分点"]]
    ):  # fmt: skip
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("获得荣誉")
    honors = document.add_table(rows=2, cols=3)
    for c, text in enumerate(["获奖集体或个人", "荣誉名称", "级别"]):
        honors.cell(0, c).text = text
    for c, text in enumerate(["预算股", "全省财政系统先进集体", "省级"]):
        honors.cell(1, c).text = text
    document.add_paragraph("三、2024年工作打算")
    document.add_paragraph("2024年，县财政局将继续深化预算管理改革。")
    path = tmp_path / "总结.docx"
    document.save(str(path))
    return path


def test_a_formal_report_with_numbered_headings_and_tables(tmp_path: Path) -> None:
    result = api.import_report(_hand_made(tmp_path), tmp_path / "2023.yaml")
    report = result.report
    assert report.year == 2023
    assert report.headline == "县财政局2023年工作总结"
    assert [s.heading for s in report.sections] == ["收入稳步增长", "支出结构优化"]
    assert [p.heading for p in report.sections[0].subsections] == ["组织收入", "盘活资产"]
    assert report.outlook is not None and report.outlook.heading == "2024年工作打算"
    assert [(h.recipient, h.level) for h in report.honors] == [("预算股", "省级")]
    indicators = {i.name: i for i in report.indicators}
    assert indicators["一般公共预算收入"].value == Decimal("12.5")
    assert indicators["一般公共预算收入"].previous == Decimal("11.77")
    assert indicators["民生支出占比"].kind == "rate"
    assert indicators["民生支出占比"].change == Decimal("1.3")
    # the lead's figure is the table's indicator, read by the same name
    assert "{{ 一般公共预算收入.同比 }}" in report.lead[0] or "一般公共预算收入" in report.lead[0]
    assert any(i.change == Decimal("-2.5") for i in report.indicators)
    assert any(i.kind == "rate" and i.change == Decimal("1.3") for i in report.indicators)
    built = squeeze("".join(docx_lines(api.build(result.output).output)))
    assert squeeze("处置收入{{ 不是表达式 }}2800余万元") in built  # the author's braces stay text
    assert report.sections[0].subsections[1].paragraphs[0].count('{{ "{{" }}') == 1  # the author's {{ escaped
    assert result.covered / result.sentences >= 0.9


def test_our_own_report_imported_reads_its_summary_table(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "photos", tmp_path / "photos")
    shutil.copy(EXAMPLES / "2019.yaml", tmp_path / "source.yaml")
    built = api.build(tmp_path / "source.yaml", output=tmp_path / "报道.docx").output
    result = api.import_report(built, tmp_path / "2019.yaml")
    names = {i.name for i in result.report.indicators}
    assert {"刑事发案数", "治安发案数", "拘留所化解社会矛盾"} <= names
    assert result.covered / result.sentences >= 0.9
    assert "{{ 同比(刑事发案数, 治安发案数" in result.report.kicker


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=environment())


def test_the_command_writes_a_draft_and_says_what_it_did(tmp_path: Path) -> None:
    seed_docx("2022", tmp_path / "去年的报道.docx", "styles")
    done = run("import", "去年的报道.docx", "-o", "2022.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "已写出 2022.xlsx（草稿）" in done.stdout
    assert "都标为“待确认”" in done.stdout
    assert re.search(r"重现了原文 (9\d|100)% 的句子", done.stdout)
    assert "未能归位的文字（5 处" in done.stdout and "会议现场" in done.stdout
    again = run("import", "去年的报道.docx", "-o", "2022.xlsx", cwd=tmp_path)
    assert again.returncode == 1 and "文件已存在" in again.stderr
    built = run("build", "2022.xlsx", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    beside = run(
        "import",
        "去年的报道.docx",
        cwd=tmp_path,
    )
    assert beside.returncode == 1 and "2022.xlsx" in beside.stderr  # the default name is taken: not overwritten
    assert run("import", "去年的报道.docx", "--year", "2021", cwd=tmp_path).returncode == 0
    assert (tmp_path / "2021.xlsx").is_file()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["import", "无此文件.docx"], 1, "找不到这个文件"),
        (["import", "数据.yaml"], 1, "不是 .docx 文件"),
        (["import", "旧.doc"], 1, "旧版 Word"),
        (["import", "空白.docx"], 1, "没有找到正文段落"),
        (["import", "无年份.docx"], 1, "--year"),
        (["import", "无年份.docx", "--year", "二〇二二"], 2, "四位年份"),
        (["import", "无年份.docx", "--year", "2022", "-o", "草稿.txt"], 1, "扩展名"),
    ],
)
def test_the_command_says_what_is_wrong_in_chinese(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    (tmp_path / "数据.yaml").write_text("year: 2022\n", encoding="utf-8")
    (tmp_path / "旧.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    Document().save(str(tmp_path / "空白.docx"))
    no_year = Document()
    no_year.add_paragraph("工作总结", style="Title")
    no_year.add_paragraph("一年来，局里做了很多工作，破获案件12起。")
    no_year.save(str(tmp_path / "无年份.docx"))
    done = run(*args, cwd=tmp_path)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["数据.yaml", "旧.doc", "空白.docx", "无年份.docx"])


def test_the_readme_shows_what_import_prints(tmp_path: Path) -> None:
    seed_docx("2022", tmp_path / "2022年报道.docx", "styles")
    done = run("import", "2022年报道.docx", "-o", "2022.xlsx", cwd=tmp_path)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command_line = "$ annual-report import 2022年报道.docx -o 2022.xlsx"
    start = readme.index(command_line) + len(command_line)
    block = readme[start : readme.index("```", start)]
    shown = done.stdout.splitlines()
    for line in (line for line in block.splitlines() if line.strip() and "……" not in line):
        assert line in shown, line
    done = run("import", "2022年报道.docx", "-o", "2022.yaml", cwd=tmp_path)
    text = (tmp_path / "2022.yaml").read_text(encoding="utf-8")
    for line in readme[readme.index("草稿里的一段（YAML）") :].split("```yaml")[1].split("```")[0].splitlines():
        for piece in filter(None, (p.strip() for p in line.split("…"))):
            assert piece in text, piece


@pytest.mark.parametrize("year", YEARS)
def test_a_formal_report_with_its_sign_off_and_attachments(tmp_path: Path, year: str) -> None:
    """The formal style (一、 headings, 附件 list, sign-off, attachment tables): the sign-off gives the unit's full
    name and the date, the attachments' labels are kept aside, the rest reads as the sections it was."""
    shutil.copytree(EXAMPLES / "photos", tmp_path / "photos")
    shutil.copy(EXAMPLES / f"{year}.yaml", tmp_path / "source.yaml")
    built = api.build(tmp_path / "source.yaml", "official", tmp_path / "正式报告.docx").output
    source = api.load(tmp_path / "source.yaml").report
    result = api.import_report(built, tmp_path / f"{year}.yaml")
    report = result.report
    assert report.organization.name == source.organization.name
    assert report.date == source.date
    assert [s.heading for s in report.sections] == [s.heading for s in source.sections]
    assert report.outlook is not None and len(report.outlook.paragraphs) == len(source.outlook.paragraphs)
    assert all(why.startswith("附件说明") for _, _, why in result.unplaced)
    assert result.covered == result.sentences
    assert len(report.honors) == len(source.honors)
