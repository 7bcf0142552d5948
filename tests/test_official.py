"""The formal work report (GB/T 9704-2012): geometry and fonts from the XML, and the page as LibreOffice lays it."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from generator import api
from generator.render.context import signoff_lines
from tests.helpers import check_package, docx_lines, to_pdf

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "official.docx"
EXAMPLES = ROOT / "reports" / "yongkang-police"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def mm(twips: int) -> float:
    return twips / 56.6929


def part(name: str, source: Path = TEMPLATE) -> etree._Element:
    with zipfile.ZipFile(source) as archive:
        return etree.fromstring(archive.read(name))


def style(name: str) -> etree._Element:
    for element in part("word/styles.xml").iter(f"{W}style"):
        if element.find(f"{W}name").get(f"{W}val") == name:
            return element
    raise AssertionError(f"no style {name}")


def test_page_geometry_is_gbt_9704() -> None:
    section = part("word/document.xml").find(f"{W}body/{W}sectPr")
    size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")
    assert (round(mm(int(size.get(f"{W}w")))), round(mm(int(size.get(f"{W}h"))))) == (210, 297)
    got = {side: round(mm(int(margins.get(f"{W}{side}")))) for side in ("top", "bottom", "left", "right")}
    assert got == {"top": 37, "bottom": 35, "left": 28, "right": 26}  # text block 156 x 225 mm
    grid = section.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "lines" and grid.get(f"{W}linePitch") == "579"  # 22 lines of 28.95 pt


@pytest.mark.parametrize(
    ("name", "face", "half_points"),
    [("公文标题", "方正小标宋简体", 44), ("公文正文", "仿宋_GB2312", 32), ("一级标题", "黑体", 32),
     ("二级标题", "楷体_GB2312", 32), ("附件标识", "黑体", 32), ("页码", "宋体", 28)],
)  # fmt: skip
def test_fonts_and_sizes(name: str, face: str, half_points: int) -> None:
    element = style(name)
    assert element.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == face
    assert int(element.find(f"{W}rPr/{W}sz").get(f"{W}val")) == half_points
    assert not [a for f in part("word/styles.xml").iter(f"{W}rFonts") for a in f.attrib if "heme" in a]


def test_body_lines_are_exact_with_two_character_indent() -> None:
    body = style("公文正文")
    spacing = body.find(f"{W}pPr/{W}spacing")
    assert spacing.get(f"{W}line") == "579" and spacing.get(f"{W}lineRule") == "exact"
    assert body.find(f"{W}pPr/{W}ind").get(f"{W}firstLineChars") == "200"
    assert body.find(f"{W}pPr/{W}widowControl").get(f"{W}val") in {"0", "false"}
    assert int(body.find(f"{W}rPr/{W}spacing").get(f"{W}val")) < 0  # 28 characters fit the 156 mm line
    assert style("公文标题").find(f"{W}pPr/{W}jc").get(f"{W}val") == "center"


def test_page_numbers_on_the_outer_side_of_odd_and_even_pages() -> None:
    assert part("word/settings.xml").find(f"{W}evenAndOddHeaders") is not None
    section = part("word/document.xml").find(f"{W}body/{W}sectPr")
    references = {r.get(f"{W}type"): r.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
                  for r in section.iter(f"{W}footerReference")}  # fmt: skip
    assert set(references) == {"default", "even"}
    rels = {r.get("Id"): r.get("Target") for r in part("word/_rels/document.xml.rels")}
    for kind, side, align in (("default", "right", "right"), ("even", "left", "left")):
        footer = part("word/" + rels[references[kind]])
        paragraph = footer.find(f"{W}p")
        text = "".join(t.text for t in paragraph.iter(f"{W}t"))
        assert text == "— 1 —"
        assert [f.get(f"{W}fldCharType") for f in paragraph.iter(f"{W}fldChar")] == ["begin", "separate", "end"]
        assert paragraph.find(f"{W}pPr/{W}ind").get(f"{W}{side}") == "280"  # one 四号 character in
        jc = paragraph.find(f"{W}pPr/{W}jc")
        assert (jc.get(f"{W}val") if jc is not None else "right") in {align, "start" if align == "left" else "end"}


@pytest.fixture(scope="module")
def formal_2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    unit = tmp_path_factory.mktemp("formal")
    shutil.copytree(EXAMPLES, unit, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.docx", "*.pdf", "preview"))
    source = unit / "2022.yaml"
    text = source.read_text(encoding="utf-8")
    assert "date: 2023-01-12" in text
    source.write_text(text.replace("date: 2023-01-12", "date: 2023-03-24"), encoding="utf-8")
    return api.build(source, template="official", output=unit / "2022-formal.docx").output


def test_formal_report_numbers_sections_and_has_attachments_and_sign_off(formal_2022: Path) -> None:
    check_package(formal_2022.read_bytes())
    lines = docx_lines(formal_2022)
    assert lines[0] == "永康市公安局2022年工作总结"
    headings = [line for line in lines if re.match(r"^[一二三四五六七八九十]+、", line)]
    assert headings == ["一、护航大局冲锋在前 围绕中心担当有为", "二、平安建设扎实有力 改革创新亮点纷呈",
                        "三、作风素养全面加强 队伍形象持续向好", "四、奋进姿态展望未来 不懈努力谱写新章"]  # fmt: skip
    assert "附件：1. 2022年主要指标" in lines and "　　　2. 2022年获得荣誉情况" in lines
    unit_line, date_line = signoff_lines("永康市公安局", "2023年3月24日")
    assert unit_line in lines and date_line in lines
    assert lines.index(date_line) == lines.index(unit_line) + 1
    assert "附件1" in lines and "附件3" in lines
    assert any(line.startswith("1 | 有效警情数 | 起 | — | 下降10.9%") for line in lines)  # no 上年 column
    document = Document(str(formal_2022))
    assert len(document.inline_shapes) == 0  # no photos in the formal style
    assert "推进现代化先行 护航五金之都建设" not in lines  # the newspaper's kicker is not a formal title


@pytest.mark.parametrize(
    ("unit", "date", "unit_start", "date_start"),
    [("永康市公安局", "2023年3月24日", 17, 19), ("浙江省永康市人民政府办公室", "2024年1月5日", 13, 15)],
)
def test_sign_off_layout(unit: str, date: str, unit_start: int, date_start: int) -> None:
    unit_line, date_line = signoff_lines(unit, date)
    assert len(unit_line) - len(unit) == unit_start and len(date_line) - len(date) == date_start
    width = sum(1 if ord(c) > 255 else 0.5 for c in date_line)
    assert width <= 26  # never closer than two characters to the right edge


@pytest.mark.libreoffice
def test_libreoffice_lays_out_22_lines_of_28_characters(formal_2022: Path, soffice: str, tmp_path: Path) -> None:
    pdf = to_pdf(soffice, formal_2022, tmp_path)
    boxes = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    words = [tuple(float(v) for v in m) for m in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">', boxes)]  # fmt: skip
    lines: dict[int, list[tuple[float, float]]] = {}
    for x_min, y_min, x_max in words:
        lines.setdefault(round(y_min), []).append((x_min, x_max))
    body = {y: spans for y, spans in lines.items() if y < 760}  # above the page number
    assert len(body) == 22, sorted(body)  # a full page of body text
    left, right = 28 / 25.4 * 72, (210 - 26) / 25.4 * 72  # the text block: 28 mm from the left, 26 from the right
    for spans in body.values():  # a closing punctuation mark may hang one character into the margin (标点溢出)
        assert min(x for x, _ in spans) >= left - 1 and max(x for _, x in spans) <= right + 16.5
    full = [max(x for _, x in s) - min(x for x, _ in s) for s in body.values()]
    assert sum(1 for width in full if width > 0.97 * (right - left)) >= 15  # most lines run the full 156 mm
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "4", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    widths = [sum(1 if ord(c) > 255 else 0.5 for c in re.sub(r"\s", "", line)) for line in text.splitlines()]
    assert widths.count(28) >= 20  # a plain line holds 28 characters (line-end punctuation may be squeezed in)
    assert "一、护航大局冲锋在前" in text.replace(" ", "") and "四、奋进姿态展望未来" in text.replace(" ", "")
