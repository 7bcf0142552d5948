"""A unit's folder as the web page sees and changes it (generator/unit.py and the page's api functions): which files
are a year's, storing a new file with the replaced one kept, names from uploads, problems in fixing order."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from generator import api, unit
from generator.errors import Place, Problem, ReportError
from tests.web_support import unit_folder, workbook_of


def upload(label: str, suffix: str = ".xlsx") -> bytes:
    """What a clerk uploads: a real workbook (every .xlsx the program stores is checked to be one), or YAML text."""
    if suffix != ".xlsx":
        return label.encode()
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = label
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(name.encode())


def test_year_files_are_the_years_reports_and_kept_versions(tmp_path: Path) -> None:
    touch(tmp_path, "2019.yaml", "2019.docx", "2019.pdf", "2019-official.docx", "2020.xlsx", "2020.yaml",
          "2019（2024-05-01 10.30.00 替换前）.yaml", "~$2021.xlsx", ".~annual-report-upload-x.xlsx", "2022.xls",
          "notes.docx", "sub/2023.yaml", "2019（旧）.yaml", "模板/我局样式.docx")  # fmt: skip
    os.symlink("/etc/hostname", tmp_path / "2024.yaml")  # a link out of the folder is never offered
    years = unit.year_files(tmp_path)
    assert list(years) == [2019, 2020]
    assert [p.name for p in years[2019].data] == ["2019.yaml"]
    assert sorted(r.docx.name for r in years[2019].reports) == ["2019-official.docx", "2019.docx"]
    assert {r.docx.name: r.pdf.name if r.pdf else None for r in years[2019].reports}["2019.docx"] == "2019.pdf"
    assert [k.name for k in years[2019].kept] == ["2019（2024-05-01 10.30.00 替换前）.yaml"]
    assert sorted(p.name for p in years[2020].data) == ["2020.xlsx", "2020.yaml"]  # a clash, shown as such
    assert [p.name for p in unit.templates(tmp_path)] == ["我局样式.docx"]


def test_a_clash_is_a_problem_of_the_year(tmp_path: Path) -> None:
    touch(tmp_path, "2020.xlsx", "2020.yaml")
    checked = api.check_year(tmp_path, 2020)
    assert checked is not None and not checked.ok
    assert "两个数据文件" in checked.problems[0].message
    assert api.check_year(tmp_path, 2031) is None


@pytest.mark.parametrize(
    ("existing", "suffix", "left"),
    [
        ([], ".xlsx", ["2023.xlsx"]),
        (["2023.xlsx"], ".xlsx", ["2023.xlsx", "2023（*替换前）.xlsx"]),
        (["2023.yaml"], ".xlsx", ["2023.xlsx", "2023（*替换前）.yaml"]),
        (["2023.yml"], ".yaml", ["2023.yaml", "2023（*替换前）.yml"]),
        (["2023.yaml", "2023.xlsx"], ".xlsx", ["2023.xlsx", "2023（*替换前）.xlsx", "2023（*替换前）.yaml"]),
    ],
)
def test_storing_keeps_every_replaced_file(tmp_path: Path, existing: list[str], suffix: str, left: list[str]) -> None:
    touch(tmp_path, *existing)
    before = {name: (tmp_path / name).read_bytes() for name in existing}
    new = upload("new year data", suffix)
    staged = unit.stage(tmp_path, io.BytesIO(new), suffix)
    _, fingerprint = api.replaced_by_data(tmp_path, 2023)
    stored = api.store_data(staged, 2023, fingerprint or None)
    assert stored.path == tmp_path / f"2023{suffix}" and stored.path.read_bytes() == new
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == len(left)
    for pattern in left:
        assert list(tmp_path.glob(pattern)), (pattern, names)
    assert sorted(before.values()) == sorted(p.read_bytes() for p in stored.kept)
    assert not staged.exists()


def test_storing_over_files_that_changed_since_the_question_does_nothing(tmp_path: Path) -> None:
    touch(tmp_path, "2023.xlsx")
    _, seen = api.replaced_by_data(tmp_path, 2023)
    (tmp_path / "2023.xlsx").write_bytes(b"someone else's upload")
    staged = unit.stage(tmp_path, io.BytesIO(upload("mine")), ".xlsx")
    stored = api.store_data(staged, 2023, seen)
    assert stored.path is None and stored.current != seen
    assert (tmp_path / "2023.xlsx").read_bytes() == b"someone else's upload"
    assert api.store_data(staged, 2023, stored.current).path is not None  # asked again, and agreed


def test_kept_names_never_collide(tmp_path: Path) -> None:
    versions = [upload(f"version {n}") for n in range(3)]
    for version in versions:
        staged = unit.stage(tmp_path, io.BytesIO(version), ".xlsx")
        _, fingerprint = api.replaced_by_data(tmp_path, 2023)
        api.store_data(staged, 2023, fingerprint or None)
    kept = sorted(p.read_bytes() for p in tmp_path.glob("2023（*替换前）.xlsx"))
    assert kept == sorted(versions[:2])


def test_an_upload_over_the_limit_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as caught:
        unit.stage(tmp_path, io.BytesIO(b"x" * 2000), ".xlsx", limit=1000)
    assert "MB" in caught.value.problems[0].message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("我局样式.docx", "我局样式"),
        ("../../etc/passwd.docx", "passwd"),
        ("C:\\Users\\x\\模板 (1).docx", "模板1"),
        ("a/b\\c:d*e?.docx", "cde"),
        ("2019.docx", "我的样式"),  # would look like a year's report
        ("....docx", "我的样式"),
        ("\x00\x1b.docx", "我的样式"),
        ("长" * 100 + ".docx", "长" * 40),
        ("con.docx", "con"),
    ],
)
def test_template_names_from_uploads(name: str, stem: str) -> None:
    assert unit.safe_stem(name, "我的样式") == stem


@pytest.mark.parametrize(
    ("name", "shown"),
    [("../../x.xlsx", "x.xlsx"), ("C:\\a\\b.xlsx", "b.xlsx"), ("a\x00\x1bb.xlsx", "ab.xlsx"), ("", "上传的文件"),
     (None, "上传的文件"), ("年" * 300, "年" * 80)],
)  # fmt: skip
def test_uploaded_names_are_shown_cleaned(name: str | None, shown: str) -> None:
    assert unit.shown_name(name) == shown


def test_problems_in_fixing_order() -> None:
    def at(sheet: str | None = None, cell: str | None = None, line: int | None = None) -> Problem:
        return Problem(f"{sheet}{cell}{line}", place=Place("f", line=line, sheet=sheet, cell=cell))

    given = [at("指标", "C10"), at("荣誉", "A2"), at("指标", "C9"), at("指标", "AA2"), at("指标", "B9"),
             at("基本信息", "B6"), at("附表1", "A3"), Problem("whole file"), at("正文", "C4")]  # fmt: skip
    ordered = [p.message for p in api._fixing_order(given)]
    assert ordered == ["whole file", "基本信息B6None", "正文C4None", "指标AA2None", "指标B9None", "指标C9None",
                       "指标C10None", "荣誉A2None", "附表1A3None"]  # fmt: skip
    lines = [at(line=40), at(line=3), at(line=17)]
    assert [p.place.line for p in api._fixing_order(lines)] == [3, 17, 40]


def test_an_uploads_problems_name_it_as_uploaded_not_as_staged(tmp_path: Path) -> None:
    folder = unit_folder(tmp_path / "unit")
    data = workbook_of(folder / "2019.yaml", cells={("指标", "C3"): "十二"})
    staged = unit.stage(folder, io.BytesIO(data), ".xlsx")
    checked = api.check(staged, shown="我的工作簿.xlsx")
    assert not checked.ok
    assert all(p.place.file == "我的工作簿.xlsx" for p in checked.problems if p.place)
    assert all(unit.STAGED_PREFIX not in str(p) and str(folder) not in str(p) for p in checked.problems)


def test_a_valid_years_check_says_what_it_holds(tmp_path: Path) -> None:
    folder = unit_folder(tmp_path / "unit")
    checked = api.check(folder / "2022.yaml")
    assert checked.ok and checked.year == 2022 and checked.organization == "永康市公安局"
    assert checked.counts["部分"] > 0 and checked.counts["项指标"] > 0
