"""Reading workbooks as people and programs leave them: every value found, every error at its sheet and cell."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from generator import api
from generator.errors import ReportError
from generator.sources import layout
from generator.sources.xlsx_source import number_text
from tests.fixtures import odd_workbooks as odd
from tests.helpers import command, docx_lines, environment


def put(tmp_path: Path, data: bytes, name: str = "2023.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ReportError) as caught:
        api.load(path)
    return [str(p) for p in caught.value.problems]


def test_minimal_workbook_builds_a_report(tmp_path: Path) -> None:
    result = api.build(put(tmp_path, odd.save(odd.workbook())))
    assert result.output.name == "2023.docx"
    content = result.loaded.content
    assert content.headline == "县公安局工作综述" and content.short_name == "县公安局"
    assert content.summary[0].change == "下降20.0%"


def test_error_names_sheet_and_cell_without_the_yaml_path(tmp_path: Path) -> None:
    rows = [odd.INDICATORS[0], ["刑事发案数", "起", "12.5万", 150]]
    (found,) = problems(put(tmp_path, odd.save(odd.workbook({"指标": rows}))))
    assert found.endswith("2023.xlsx 「指标」C2：“12.5万” 不是数字")


def test_missing_required_item_points_at_the_cell_to_fill(tmp_path: Path) -> None:
    basics = [row for row in odd.BASICS if row[0] != "主题"] + [["主题", None, "大标题（必填）"]]
    (found,) = problems(put(tmp_path, odd.save(odd.workbook({"基本信息": basics}))))
    assert "「基本信息」B5" in found and "缺少主题" in found


def test_unfilled_indicator_points_at_its_value_cell(tmp_path: Path) -> None:
    rows = [odd.INDICATORS[0], ["刑事发案数", "起", 120, 150], ["治安发案数", "起"]]
    (found,) = problems(put(tmp_path, odd.save(odd.workbook({"指标": rows}))))
    assert "「指标」C3" in found and "治安发案数" in found and "还没有填写" in found


def test_all_problems_at_once(tmp_path: Path) -> None:
    basics = [*odd.BASICS[:3], ["年份", "明年"], odd.BASICS[4]]
    rows = [odd.INDICATORS[0], ["刑事发案数", "起", "很多", 150, None, "比例"]]
    found = problems(put(tmp_path, odd.save(odd.workbook({"基本信息": basics, "指标": rows}))))
    assert len(found) == 3
    assert any("「基本信息」B4" in p and "四位年份" in p for p in found)
    assert any("「指标」C2" in p and "“很多” 不是数字" in p for p in found)
    assert any("「指标」F2" in p and "类型应为以下之一：数量（count）、比率（rate），实际是“比例”" in p for p in found)


def test_percent_cells_are_read_as_percent(tmp_path: Path) -> None:
    report = api.load(put(tmp_path, odd.percent_cells())).report
    assert report.indicators[0].change == Decimal("-25.8")


def test_numbers_typed_as_text(tmp_path: Path) -> None:
    report = api.load(put(tmp_path, odd.numbers_as_text())).report
    first, second = report.indicators
    assert (first.value, first.previous) == (Decimal(1234), Decimal(123))
    assert (second.value, second.change) == (Decimal(12), Decimal("-25.8"))


def test_blank_rows_and_a_formatted_tail_are_skipped(tmp_path: Path) -> None:
    """How long it takes is the benchmark's business (python -m generator.bench), never a test's."""
    path = put(tmp_path, odd.blank_rows_and_formatted_tail())
    report = api.load(path).report
    assert [i.name for i in report.indicators] == ["甲", "乙"]


def test_merged_cells_carry_their_value(tmp_path: Path) -> None:
    report = api.load(put(tmp_path, odd.merged_headings())).report
    assert [s.heading for s in report.sections] == ["第一部分", "第二部分"]
    assert report.sections[0].paragraphs == ["第一段。", "第二段。", "第三段。"]


def test_rich_text_and_escapes(tmp_path: Path) -> None:
    report = api.load(put(tmp_path, odd.rich_text_and_escapes())).report
    assert report.sections[0].paragraphs == ["加粗的普通的段落。", "回车\n换行。"]


def test_hidden_and_reordered_sheets(tmp_path: Path) -> None:
    report = api.load(put(tmp_path, odd.hidden_and_reordered_sheets())).report
    assert report.sections[0].paragraphs == ["第一段。"] and report.indicators[0].name == "刑事发案数"


def test_columns_a_user_added_are_ignored_with_a_warning(tmp_path: Path) -> None:
    loaded = api.load(put(tmp_path, odd.added_columns()))
    assert loaded.report.indicators[0].value == 120
    assert any("「指标」C1" in w and "备注" in w and "已忽略" in w for w in loaded.warnings)


def test_columns_are_found_by_header_not_position(tmp_path: Path) -> None:
    indicator = api.load(put(tmp_path, odd.reordered_columns())).report.indicators[0]
    assert (indicator.name, indicator.unit, indicator.value, indicator.previous) == ("刑事发案数", "起", 120, 150)


def test_formula_without_cached_value_names_the_cell(tmp_path: Path) -> None:
    found = problems(put(tmp_path, odd.uncached_formula()))
    assert any("「指标」C2" in p and "公式没有计算结果" in p and "保存一次" in p for p in found)


def test_extra_table_sheet(tmp_path: Path) -> None:
    (table,) = api.load(put(tmp_path, odd.extra_table())).report.tables
    assert table.title == "表彰情况" and table.columns == ["级别", "集体", "个人"]
    assert table.rows == [["金华市公安局及以上", "29", "154"], ["永康市级", "14", "51"]]


def test_text_sheet_rules(tmp_path: Path) -> None:
    rows = [
        odd.TEXT[0],
        ["导语", None, "导语一段。"],
        ["正文", None, "没有小标题的一段。"],
        ["正文", "第一部分", "一段。"],
        [None, None, "同一部分的第二段。"],
        ["展望", "展望标题", "明年。"],
        ["结尾", None, "什么？"],
    ]
    found = problems(put(tmp_path, odd.save(odd.workbook({"正文": rows}))))
    assert any("「正文」B3" in p and "第一行要写小标题" in p for p in found)
    assert any("「正文」A7" in p and "类别应为导语、活动、正文、展望之一" in p for p in found)


def test_missing_sheet_and_missing_column(tmp_path: Path) -> None:
    book = odd.workbook({"指标": [["指标", "本年"], ["刑事发案数", 1]]})
    del book["正文"]
    found = problems(put(tmp_path, odd.save(book)))
    assert any("缺少工作表“正文”" in p for p in found)
    book = odd.workbook({"指标": [["本年", "上年"], [1, 2]]})
    found = problems(put(tmp_path, odd.save(book)))
    assert any("「指标」" in p and "缺少列“指标名称”" in p for p in found)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("old_excel", "另存为"),
        ("csv_named_xlsx", "CSV"),
        ("html_named_xlsx", "网页"),
        ("empty_file", "空的"),
        ("word_document_named_xlsx", "Word 文档"),
        ("truncated", "损坏"),
        ("zip_bomb", "压缩炸弹"),
        ("billion_laughs", "不安全的 XML"),
    ],
)
def test_wrong_files_get_one_clear_message(tmp_path: Path, case: str, expected: str) -> None:
    found = problems(put(tmp_path, odd.WRONG[case]()))
    assert len(found) == 1 and expected in found[0] and "2023.xlsx" in found[0]


@pytest.mark.parametrize("name", ["~$2023.xlsx", "2023.xls", "2023.et"])
def test_lock_files_and_old_formats_by_name(tmp_path: Path, name: str) -> None:
    (found,) = problems(put(tmp_path, odd.save(odd.workbook()), name=name))
    assert "锁文件" in found or "另存为" in found


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (0.258, "0.0%", "25.8"),
        (-0.258, "0.0%", "-25.8"),
        (0.2, "0%", "20"),
        (13, "0.0", "13.0"),
        (13.0, "General", "13"),
        (12.5, "0", "12.5"),  # a format never cuts what was typed
        (10.16, "General", "10.16"),
        (-25.8, '0.0"%"', "-25.8"),  # a quoted % is a label, not a percent format
        (0.1 + 0.2, "General", "0.3"),
        (1234567, "#,##0", "1234567"),
        (3, '0.00"个百分点"', "3.00"),
    ],
)
def test_number_cells_as_the_text_people_see(value: float, number_format: str, expected: str) -> None:
    assert number_text(value, number_format) == expected


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML, "defusedxml must be installed: it stops entity expansion in openpyxl"


@pytest.mark.libreoffice
def test_formula_is_read_by_its_cached_value_once_saved_by_a_spreadsheet_program(tmp_path: Path, soffice: str) -> None:
    from tests.test_roundtrip import libreoffice_resave

    (tmp_path / "by-program").mkdir()
    written = put(tmp_path / "by-program", odd.uncached_formula())
    resaved = libreoffice_resave(soffice, written, tmp_path / "resaved")
    assert api.load(resaved).report.indicators[0].value == Decimal(120)


# --- renamed sheets, headers and items: never data changed or dropped in silence (issue 9, point 3) -------------
# Each variant edits the workbook `annual-report convert` makes of the 2019 example, as a clerk would in Excel, and
# runs the installed command on it.

EXAMPLE_2019 = Path(__file__).resolve().parents[1] / "reports" / "yongkang-police" / "2019.yaml"
Edit = Callable[[Workbook], None]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=environment())


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2019 example as the workbook the tool writes, and the text of its report."""
    folder = tmp_path_factory.mktemp("example")
    done = run(["convert", str(EXAMPLE_2019), "2019.xlsx"], folder)
    assert done.returncode == 0, done.stderr
    done = run(["build", "2019.xlsx", "-o", "原样.docx"], folder)
    assert done.returncode == 0 and not done.stderr, done.stderr
    return folder / "2019.xlsx"


def edited(example: Path, folder: Path, *edits: Edit, name: str = "2019.xlsx") -> Path:
    book = load_workbook(example)
    for edit in edits:
        edit(book)
    book.save(folder / name)
    return folder / name


def header(sheet: str, old: str | None, new: str) -> Edit:
    """A header cell renamed; ``old`` None: the first empty header cell filled in (a column added)."""

    def edit(book: Workbook) -> None:
        row = book[sheet][1]
        cell = next(c for c in row if c.value == old) if old else book[sheet].cell(1, len(row) + 1)
        cell.value = new

    return edit


def delete_column(sheet: str, old: str) -> Edit:
    def edit(book: Workbook) -> None:
        (cell,) = [c for c in next(book[sheet].iter_rows(max_row=1)) if c.value == old]
        book[sheet].delete_cols(cell.column)

    return edit


def label(old: str, new: str) -> Edit:
    """A 基本信息 item renamed in column A."""

    def edit(book: Workbook) -> None:
        (cell,) = [row[0] for row in book["基本信息"].iter_rows() if row[0].value == old]
        cell.value = new

    return edit


def sheet_named(old: str, new: str) -> Edit:
    def edit(book: Workbook) -> None:
        book[old].title = new

    return edit


def cell(sheet: str, reference: str, value: object) -> Edit:
    def edit(book: Workbook) -> None:
        book[sheet][reference] = value

    return edit


def new_sheet(name: str, rows: list[list[object]], remove: str | None = None) -> Edit:
    def edit(book: Workbook) -> None:
        if remove:
            del book[remove]
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)

    return edit


HONOR_ROWS = [["获奖集体或个人", "荣誉名称", "级别"], ["交警大队", "全国优秀交警队", "全国"]]

# A name or header written differently but meaning the same: read as if nothing had changed.
SAME = {
    "sheet-trailing-space": [sheet_named("荣誉", "荣誉 ")],
    "sheet-leading-ideographic-space": [sheet_named("荣誉", "\u3000荣誉")],
    "sheet-zero-width-space": [sheet_named("指标", "指标\u200b")],
    "sheet-nbsp": [sheet_named("正文", "\u00a0正文")],
    "sheet-remark-in-brackets": [sheet_named("附表1", "附表１（续）")],
    "header-trailing-space": [header("指标", "类型", "类型 ")],
    "header-ideographic-space-inside": [header("指标", "单位", "单\u3000位")],
    "header-nbsp": [header("指标", "本年", "\u00a0本年")],
    "header-bom": [header("荣誉", "级别", "\ufeff级别")],
    "header-full-width-brackets": [header("指标", "同比（%或个百分点）", "同比（％）")],
    "header-half-width-brackets": [header("指标", "同比（%或个百分点）", "同比(%)")],
    "header-open-remark": [header("指标", "列入主要指标表", "列入主要指标表（是/否")],
    "item-label-spaces": [label("单位简称", " 单位 简称 ")],
}


@pytest.mark.parametrize("edits", SAME.values(), ids=SAME.keys())
def test_names_written_differently_are_read_the_same(example: Path, tmp_path: Path, edits: list[Edit]) -> None:
    edited(example, tmp_path, *edits)
    done = run(["build", "2019.xlsx"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "缺少" not in done.stderr
    assert docx_lines(tmp_path / "2019.docx") == docx_lines(example.parent / "原样.docx")


# A sheet, column or item renamed beyond recognition: its data would be left out or read differently (类型 makes a
# rate 同比增长0.4%, 单位 takes every unit away). Refused, at the sheet and header row, with a did-you-mean.
RENAMED = {
    "kind-to-种类": ([header("指标", "类型", "种类")], "「指标」F1", "第 1 行的表头中缺少列“类型”", "是否想写“类型”"),
    "kind-to-类别": ([header("指标", "类型", "类别")], "「指标」F1", "缺少列“类型”", "是否想写“类型”"),
    "unit-to-计量单位": ([header("指标", "单位", "计量单位")], "「指标」B1", "缺少列“单位”", "是否想写“单位”"),
    "unit-to-量纲": ([header("指标", "单位", "量纲")], "「指标」B1", "缺少列“单位”", "是否想写“单位”"),
    "value-to-今年": ([header("指标", "本年", "今年")], "「指标」C1", "缺少列“本年”", "是否想写“本年”"),
    "previous-to-去年": (
        [header("指标", "上年", "去年"), cell("指标", "D3", 3)],
        "「指标」D1",
        "缺少列“上年”",
        "是否想写“上年”",
    ),
    "change-to-增幅": (
        [header("指标", "同比（%或个百分点）", "增幅")],
        "「指标」E1",
        "缺少列“同比（%或个百分点）”",
        "是否想写“同比（%或个百分点）”",
    ),
    "in-summary-to-是否列入": (
        [header("指标", "列入主要指标表", "是否列入")],
        "「指标」G1",
        "缺少列“列入主要指标表”",
        "是否想写“列入主要指标表”",
    ),
    "name-to-项目名称": (
        [header("指标", "指标名称", "项目名称")],
        "「指标」A1",
        "缺少列“指标名称”",
        "是否想写“指标名称”",
    ),
    "level-to-等级": ([header("荣誉", "级别", "等级")], "「荣誉」C1", "缺少列“级别”", "是否想写“级别”"),
    "paragraph-to-段落文字": ([header("正文", "段落", "段落文字")], "「正文」D1", "缺少列“段落”", "是否想写“段落”"),
    "basics-value-to-填写": (
        [header("基本信息", "内容", "填写内容")],
        "「基本信息」B1",
        "缺少列“内容”",
        "是否想写“内容”",
    ),
    "item-单位简称-to-简称": (
        [label("单位简称", "简称")],
        "「基本信息」A3",
        "缺少项目“单位简称”",
        "是否想写“单位简称”",
    ),
    "item-主题-to-大题目": ([label("主题", "大题目")], "「基本信息」A6", "缺少项目“主题”", "是否想写“主题”"),
    "sheet-荣誉-to-荣誉表": ([sheet_named("荣誉", "荣誉表")], "「荣誉表」", "缺少工作表“荣誉”", "是否想写“荣誉”"),
    "sheet-荣誉-to-Sheet1": ([sheet_named("荣誉", "Sheet1")], "「Sheet1」", "缺少工作表“荣誉”", "是否想写“荣誉”"),
    "sheet-指标-to-指票": ([sheet_named("指标", "指票")], "「指票」", "缺少工作表“指标”", "是否想写“指标”"),
    "sheet-正文-to-正文内容": ([sheet_named("正文", "正文内容")], "「正文内容」", "缺少工作表“正文”", "是否想写“正文”"),
    "sheet-附表1-to-表1": ([sheet_named("附表1", "表1")], "「表1」", "不以“附表”开头", "是否想写“附表1”"),
    "table-label-to-标题": ([cell("附表1", "A1", "标题")], "「附表1」A1", "应在 A 列写“表题”", "是否想写“表题”"),
    "honors-typed-into-Sheet1": (
        [new_sheet("Sheet1", HONOR_ROWS)],
        "「Sheet1」",
        "表头与“荣誉”表相同，填了 1 行",
        "只有“荣誉”表会被读取",
    ),
    "honors-in-Sheet1-荣誉-deleted": (
        [new_sheet("Sheet1", HONOR_ROWS, remove="荣誉")],
        "「Sheet1」",
        "缺少工作表“荣誉”",
        "是否想写“荣誉”",
    ),
    "kind-renamed-说明-in-its-place": (
        [header("指标", "类型", "说明"), cell("指标", "F2", "科室填的说明")],
        "「指标」F1",
        "第 1 行的表头中缺少列“类型”",
        "是否想写“类型”",
    ),
    "kind-deleted-and-a-remark-column-added": (
        [delete_column("指标", "类型"), header("指标", None, "备注"), cell("指标", "G2", "科室填的说明")],
        "「指标」",
        "第 1 行的表头中缺少列“类型”",
        "“备注”（G 列）不是本工具的列，填了内容却不会进入报告",
    ),
}


@pytest.mark.parametrize(("edits", "place", "missing", "hint"), RENAMED.values(), ids=RENAMED.keys())
def test_renamed_sheets_and_columns_are_refused_with_a_did_you_mean(
    example: Path, tmp_path: Path, edits: list[Edit], place: str, missing: str, hint: str
) -> None:
    edited(example, tmp_path, *edits)
    done = run(["build", "2019.xlsx"], tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "2019.docx").exists()
    lines = [line for line in done.stderr.splitlines() if f"2019.xlsx {place}" in line]
    assert any(missing in line and hint in line for line in lines), done.stderr
    # read as the sheet or column it is taken for: no flood of follow-on errors pointing elsewhere
    assert done.stderr.count("名称不存在") + done.stderr.count("还没有填写") == 0, done.stderr


def test_the_issue_examples_no_longer_publish_a_wrong_report(example: Path, tmp_path: Path) -> None:
    """类型 renamed: a rate was published as 同比增长0.4% instead of 提高0.4个百分点; 单位 renamed: every unit gone."""
    for edits in ([header("指标", "类型", "种类")], [header("指标", "单位", "计量单位")]):
        edited(example, tmp_path, *edits)
        done = run(["build", "2019.xlsx"], tmp_path)
        assert done.returncode == 1 and not (tmp_path / "2019.docx").exists(), done.stderr


def test_notes_that_explain_errors_come_first(example: Path, tmp_path: Path) -> None:
    """The new year's workbook, 本年 still empty and renamed 今年: the note naming the column comes before the
    errors about indicators not yet filled in, which it explains."""
    done = run(["new-year", str(example), "-o", str(tmp_path / "2020.xlsx")], tmp_path)
    assert done.returncode == 0, done.stderr
    edited(tmp_path / "2020.xlsx", tmp_path, header("指标", "本年", "今年"), name="2020.xlsx")
    done = run(["build", "2020.xlsx"], tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("数据有误"))
    note = next(i for i, line in enumerate(lines) if "没有列“本年”" in line)
    assert note < heading, done.stderr
    assert lines[note].startswith("注意：2020.xlsx 「指标」") and "C1 的“今年”是不是它" in lines[note]
    assert any("还没有填写" in line for line in lines[heading:])


def without(sheet: str) -> Edit:
    def edit(book: Workbook) -> None:
        del book[sheet]

    return edit


def test_last_years_workbook_with_a_renamed_column_is_not_read_in_silence(tmp_path: Path) -> None:
    """上年 is taken from last year's file: one with a renamed column is left out with a note, printed before the
    errors it causes."""
    demo = EXAMPLE_2019.parents[1] / "demo-county"
    assert run(["convert", str(demo / "2022.yaml"), "2022.xlsx"], tmp_path).returncode == 0
    edited(tmp_path / "2022.xlsx", tmp_path, header("指标", "本年", "数值"), name="2022.xlsx")
    (tmp_path / "2023.yaml").write_bytes((demo / "2023.yaml").read_bytes())
    done = run(["validate", "2023.yaml"], tmp_path)
    assert done.returncode == 1
    first, heading = done.stderr.splitlines()[:2]
    assert first.startswith("注意：2022.xlsx 有错误，没有从中取2022年的数值：2022.xlsx 「指标」C1：")
    assert "是否想写“本年”" in first and heading.startswith("数据有误")


@pytest.mark.parametrize(
    ("edits", "note"),
    [
        ([new_sheet("草稿", [["随便", "记点"], ["什么", "东西"]])], "「草稿」：这张工作表不是本工具的表格，已忽略"),
        ([header("指标", None, "备注"), cell("指标", "H3", "科室自填")], "「指标」H1：列“备注”不是本工具的列，已忽略"),
        ([without("照片")], "2019.xlsx：没有工作表“照片”"),
        ([delete_column("指标", "列入主要指标表")], "「指标」：第 1 行的表头中没有列“列入主要指标表”"),
    ],
    ids=["sheet-added", "column-added", "sheet-deleted", "column-deleted"],
)
def test_notes_are_printed_with_the_errors_before_them(
    example: Path, tmp_path: Path, edits: list[Edit], note: str
) -> None:
    edited(example, tmp_path, cell("指标", "C2", "很多"), *edits)
    done = run(["validate", "2019.xlsx"], tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("数据有误"))
    assert heading > 0 and all(line.startswith("注意：") for line in lines[:heading]), done.stderr
    assert any(note in line for line in lines[:heading]), done.stderr
    assert lines[heading + 1 :] == ["  2019.xlsx 「指标」C2：“很多” 不是数字"]


def test_every_problem_in_a_cell_is_reported(example: Path, tmp_path: Path) -> None:
    edited(
        example,
        tmp_path,
        cell("正文", "D3", "{{ 刑事发案 }}下降，{{ 治安发案 }}也下降，{{ 先锋项目数.上年 }}个"),
        cell("基本信息", "B5", "{{ 同比(刑事发案甲, 治安发案乙) }}"),
    )
    done = run(["validate", "2019.xlsx"], tmp_path)
    assert done.returncode == 1
    c3 = [line for line in done.stderr.splitlines() if "「正文」D3" in line]
    assert len(c3) == 3, done.stderr
    assert "“刑事发案”不存在" in c3[0] and "“治安发案”不存在" in c3[1] and "没有填写上年数值" in c3[2]
    b5 = [line for line in done.stderr.splitlines() if "「基本信息」B5" in line]
    assert len(b5) == 2 and "刑事发案甲" in b5[0] and "治安发案乙" in b5[1], done.stderr


def test_an_optional_column_or_sheet_deleted_is_a_note(example: Path, tmp_path: Path) -> None:
    def without_photos_and_kind(book: Workbook) -> None:
        del book["照片"]
        book["指标"].delete_cols(7)  # 列入主要指标表

    edited(example, tmp_path, without_photos_and_kind)
    done = run(["validate", "2019.xlsx"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "没有工作表“照片”" in done.stderr and "没有列“列入主要指标表”" in done.stderr


def test_a_copy_of_a_sheet_is_a_note_while_it_is_the_same(example: Path, tmp_path: Path) -> None:
    def copy(book: Workbook) -> None:
        book.copy_worksheet(book["荣誉"]).title = "荣誉 (2)"

    edited(example, tmp_path, copy)
    done = run(["validate", "2019.xlsx"], tmp_path)
    assert done.returncode == 0 and "「荣誉 (2)」：这张工作表的表头与“荣誉”表相同，与它内容相同" in done.stderr
    edited(example, tmp_path, copy, cell("荣誉 (2)", "A3", "另一个集体"))
    done = run(["validate", "2019.xlsx"], tmp_path)
    assert done.returncode == 1 and "「荣誉 (2)」：这张工作表的表头与“荣誉”表相同，填了 2 行" in done.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" 荣誉 ", "荣誉"),
        ("\u3000荣\u00a0誉\u200b\ufeff", "荣誉"),
        ("同比（％或个百分点）", "同比"),
        ("同比 (%)", "同比"),
        ("列入主要指标表【是/否】", "列入主要指标表"),
        ("列入主要指标表（是/否", "列入主要指标表"),
        ("ＵＮＩＴ", "unit"),
        ("附表１", "附表1"),
    ],
)
def test_names_are_compared_without_spaces_widths_and_remarks(text: str, expected: str) -> None:
    assert layout.normalize_header(text) == expected


def test_the_error_carries_the_readers_notes(tmp_path: Path) -> None:
    rows = [[*odd.INDICATORS[0][:2], "备注", *odd.INDICATORS[0][2:]], ["刑事发案数", "起", "科室自填", "很多", 150]]
    with pytest.raises(ReportError) as caught:
        api.load(put(tmp_path, odd.save(odd.workbook({"指标": rows}))))
    assert any("「指标」C1" in note and "备注" in note for note in caught.value.notes)


@pytest.mark.libreoffice
def test_renamed_in_a_workbook_saved_by_libreoffice(example: Path, tmp_path: Path, soffice: str) -> None:
    """Edited with openpyxl, then opened and saved by LibreOffice Calc, as a clerk's file comes back: a tab with a
    trailing space and headers with odd spaces are still read; a renamed 类型 is still refused."""
    edits = {
        "same.xlsx": [
            sheet_named("荣誉", "荣誉 "),
            header("指标", "单位", "单\u00a0位"),
            header("指标", "本年", "本年 "),
        ],
        "renamed.xlsx": [header("指标", "类型", "种类"), sheet_named("荣誉", "荣誉表")],
    }
    sources = tmp_path / "edited"
    sources.mkdir()
    for name, changes in edits.items():
        edited(example, sources, *changes, name=name)
    resaved = libreoffice_resave_all(soffice, sorted(sources.iterdir()), tmp_path / "resaved")
    book = load_workbook(resaved / "same.xlsx", read_only=True)
    assert "荣誉 " in book.sheetnames  # LibreOffice kept the trailing space: the test tests what it means to
    book.close()
    done = run(["build", "same.xlsx", "-o", "same.docx"], resaved)
    assert done.returncode == 0, done.stderr
    assert docx_lines(resaved / "same.docx") == docx_lines(example.parent / "原样.docx")
    done = run(["build", "renamed.xlsx"], resaved)
    assert done.returncode == 1
    assert "renamed.xlsx 「指标」F1：第 1 行的表头中缺少列“类型”" in done.stderr
    assert "renamed.xlsx 「荣誉表」：缺少工作表“荣誉”" in done.stderr


def libreoffice_resave_all(soffice: str, workbooks: list[Path], outdir: Path) -> Path:
    """Every workbook opened and saved again by LibreOffice Calc, in one run (its own profile)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to",
             "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), *map(str, workbooks)],
            check=True, capture_output=True, timeout=240,
        )  # fmt: skip
    for workbook in workbooks:
        assert (outdir / workbook.name).exists(), f"LibreOffice did not save {workbook.name}"
    return outdir


@pytest.mark.parametrize(
    ("wanted", "cells", "expected"),
    [
        # both missing columns may stand where the renamed cell stands; 段落 is the name it is like: 段落 takes it
        ([("二级标题", 2), ("段落", 2)], [(2, "正文段落")], {"段落": (2, "正文段落")}),
        # each cell is taken once, by the most alike
        ([("主题", 9), ("副题", 9)], [(4, "主标题"), (5, "副标题")], {"主题": (4, "主标题"), "副题": (5, "副标题")}),
        # standing in place is enough for a name quite unlike
        ([("单位", 1)], [(1, "计量")], {"单位": (1, "计量")}),
        ([("单位", 1)], [(5, "备注")], {}),
    ],
)
def test_near_misses_are_paired_most_alike_first(
    wanted: list[tuple[str, int]], cells: list[tuple[int, str]], expected: dict
) -> None:
    from generator.sources.xlsx_source import _paired

    paired = _paired([(name, (name,), cells, lambda key, at=at: key == at) for name, at in wanted])
    assert paired == expected
