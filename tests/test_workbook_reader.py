"""Reading workbooks as people and programs leave them: every value found, every error at its sheet and cell."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from generator import api
from generator.errors import ReportError
from generator.sources.xlsx_source import number_text
from tests.fixtures import odd_workbooks as odd


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
    assert any(("「指标」F2" in p and "数量、比率" in p) or "count、rate" in p for p in found)


def test_percent_cells_are_read_as_percent(tmp_path: Path) -> None:
    report = api.load(put(tmp_path, odd.percent_cells())).report
    assert report.indicators[0].change == Decimal("-25.8")


def test_numbers_typed_as_text(tmp_path: Path) -> None:
    report = api.load(put(tmp_path, odd.numbers_as_text())).report
    first, second = report.indicators
    assert (first.value, first.previous) == (Decimal(1234), Decimal(123))
    assert (second.value, second.change) == (Decimal(12), Decimal("-25.8"))


def test_blank_rows_and_a_formatted_tail_are_skipped_quickly(tmp_path: Path) -> None:
    path = put(tmp_path, odd.blank_rows_and_formatted_tail())
    started = time.perf_counter()
    report = api.load(path).report
    assert [i.name for i in report.indicators] == ["甲", "乙"]
    assert time.perf_counter() - started < 5  # a bound against reading every formatted row, not a benchmark


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
