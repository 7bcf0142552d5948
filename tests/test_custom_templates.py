"""Templates people restyle: copied, edited by hand (and by Word, which splits runs), re-saved by LibreOffice,
checked; and the PDF beside the report."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Mm
from PIL import Image

from generator import api, output
from generator.errors import ReportError
from tests.helpers import check_package, docx_lines, libreoffice_convert, pdf_text, squeeze, to_pdf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "reports" / "yongkang-police" / "2022.yaml"
BUILTIN = {name: ROOT / "templates" / f"{name}.docx" for name in ("newspaper", "official")}


def report_lines(template: Path | str, tmp_path: Path, name: str = "out.docx") -> list[str]:
    return docx_lines(api.build(EXAMPLE, template=template, output=tmp_path / name).output)


def test_copy_writes_the_builtin_template_and_never_overwrites(tmp_path: Path) -> None:
    target = api.template_copy("official", tmp_path / "我的模板.docx")
    assert target.read_bytes() == BUILTIN["official"].read_bytes()
    with pytest.raises(ReportError, match="已存在"):
        api.template_copy("official", target)
    assert api.template_copy("newspaper", target, force=True).read_bytes() == BUILTIN["newspaper"].read_bytes()
    with pytest.raises(ReportError, match="没有名为“magazine”的内置样式"):
        api.template_copy("magazine", tmp_path / "x.docx")
    assert api.template_copy("newspaper", tmp_path).name == "newspaper.docx"


@pytest.mark.parametrize("name", ["newspaper", "official"])
def test_builtin_templates_pass_the_check(name: str) -> None:
    assert api.template_check(name) == []
    assert api.template_check(BUILTIN[name], EXAMPLE) == []


def edited(tmp_path: Path, change: Callable[[DocumentObject], None], name: str = "edited.docx") -> Path:
    document = Document(str(BUILTIN["newspaper"]))
    change(document)
    path = tmp_path / name
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("这里有错 {% if kicker %} 没有结束", "“{% if %}”没有结束：缺少"),
        ("局长：{{ director }}", "数据中没有的名称“director”"),
        ("{{ headlin }}", "是否想写“headline”"),
        ("拆开的 {{ headline", "数目不相等"),
        ("空格 { { headline }}", "多了空格"),
        ("{{ sections[0].headng }}", "数据中没有的名称“headng”"),
    ],
)
def test_check_names_the_paragraph_and_what_is_wrong(tmp_path: Path, paragraph: str, expected: str) -> None:
    template = edited(tmp_path, lambda d: d.add_paragraph(paragraph))
    problems = [str(p) for p in api.template_check(template)]
    assert any(expected in p and "edited.docx 正文第" in p and paragraph.strip()[:6] in p for p in problems), problems


def test_build_with_a_broken_template_points_at_the_paragraph(tmp_path: Path) -> None:
    template = edited(tmp_path, lambda d: d.add_paragraph("局长：{{ director }}"))
    with pytest.raises(ReportError) as caught:
        api.build(EXAMPLE, template=template, output=tmp_path / "r.docx")
    assert caught.value.kind == "template"
    assert "正文第" in str(caught.value) and "局长：{{ director }}" in str(caught.value)
    assert not (tmp_path / "r.docx").exists()


def split_runs(document: DocumentObject) -> None:
    """What Word does to a tag a person edits: the text ends up in several runs, even inside the braces."""
    for paragraph in document.paragraphs:
        if paragraph.text == "{{ headline }}":
            paragraph.text = ""
            for piece in ("{", "{ head", "line }", "}"):
                paragraph.add_run(piece)


def test_tags_split_across_runs_are_repaired(tmp_path: Path) -> None:
    template = edited(tmp_path, split_runs)
    assert api.template_check(template) == []
    assert "市公安局奋力书写公安工作高质量发展新篇章" in report_lines(template, tmp_path)


def restyle(document: DocumentObject) -> None:
    """A bureau's own look: body in 仿宋, a logo in the header, the byline moved to the end of the article."""
    fonts = document.styles["报道正文"].element.rPr.find(qn("w:rFonts"))
    fonts.set(qn("w:eastAsia"), "仿宋")
    logo = io.BytesIO()
    Image.new("RGB", (240, 80), (20, 60, 140)).save(logo, "PNG")
    logo.seek(0)
    document.sections[0].header.paragraphs[0].add_run().add_picture(logo, width=Mm(20))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    start = texts.index("{%p if byline_names %}")
    byline = paragraphs[start : start + 3]  # {%p if %}, the byline, {%p endif %}
    outlook_end = paragraphs[texts.index("{%p for paragraph in outlook %}") + 2]
    assert outlook_end.text == "{%p endfor %}"
    for paragraph in reversed(byline):
        outlook_end._p.addnext(paragraph._p)


def test_a_template_restyled_by_hand_still_builds(tmp_path: Path) -> None:
    template = edited(tmp_path, restyle, "restyled.docx")
    assert api.template_check(template) == []
    result = api.build(EXAMPLE, template=template, output=tmp_path / "restyled-report.docx")
    data = result.output.read_bytes()
    check_package(data)
    lines = docx_lines(result.output)
    outlook_last = next(i for i, line in enumerate(lines) if line.endswith("护航添彩。"))
    assert lines[outlook_last + 1] == "□通讯员 卞一夫 陈杰强 吕倍思"  # the block moved
    with zipfile.ZipFile(result.output) as archive:
        assert 'w:eastAsia="仿宋"' in archive.read("word/styles.xml").decode()
        headers = [n for n in archive.namelist() if n.startswith("word/header")]
        assert any(b"<pic:pic" in archive.read(n) for n in headers)  # the logo made it through
        assert len([n for n in archive.namelist() if n.startswith("word/media/")]) == 6  # logo + 5 photos


def libreoffice_resave(soffice: str, document: Path, outdir: Path) -> Path:
    return libreoffice_convert(soffice, document, outdir, "docx:MS Word 2007 XML")


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["newspaper", "official"])
def test_a_template_resaved_by_libreoffice_still_builds(tmp_path: Path, soffice: str, name: str) -> None:
    copy = tmp_path / "copy" / f"{name}.docx"
    copy.parent.mkdir()
    shutil.copy(BUILTIN[name], copy)
    resaved = libreoffice_resave(soffice, copy, tmp_path / "resaved")
    assert api.template_check(resaved) == []
    original = report_lines(name, tmp_path, "original.docx")
    again = report_lines(resaved, tmp_path, "again.docx")
    assert [line for line in again if line.strip()] == [line for line in original if line.strip()]


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("name", "faces"),
    [("official", {"NotoSerifCJK", "UMing", "NotoSansCJK"}),  # 小标宋/宋, 仿宋, 黑体
     ("newspaper", {"NotoSerifCJK", "UKai", "NotoSansCJK"})],  # 宋, 楷, 黑
)  # fmt: skip
def test_pdf_beside_the_report_shows_distinct_chinese_faces(tmp_path: Path, soffice: str, name: str,
                                                             faces: set[str]) -> None:  # fmt: skip
    unit = tmp_path / "unit"
    shutil.copytree(EXAMPLE.parent, unit, ignore=shutil.ignore_patterns("*.docx", "*.pdf", "preview"))
    result = api.build(unit / "2022.yaml", template=name, pdf=True)
    named = "2022.pdf" if name == "newspaper" else f"2022-{name}.pdf"  # each style a name of its own
    assert result.pdf == unit / named and result.pdf.stat().st_size > 10_000
    fonts = subprocess.run(["pdffonts", str(result.pdf)], capture_output=True, text=True, check=True).stdout
    assert {face for face in faces if face in fonts} == faces, fonts  # not one fallback face for everything
    assert squeeze("市公安局") in squeeze(pdf_text(result.pdf))


def test_pdf_without_libreoffice_says_so_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "libreoffice", lambda: None)
    unit = tmp_path / "unit"
    shutil.copytree(EXAMPLE.parent, unit, ignore=shutil.ignore_patterns("*.docx", "*.pdf", "preview"))
    with pytest.raises(ReportError) as caught:
        api.build(unit / "2022.yaml", pdf=True)
    assert "LibreOffice" in str(caught.value) and "apt-get install" in str(caught.value)
    assert not (unit / "2022.docx").exists() and not (unit / "2022.pdf").exists()


@pytest.mark.libreoffice
def test_a_restyled_template_renders_in_libreoffice(tmp_path: Path, soffice: str) -> None:
    template = edited(tmp_path, restyle, "restyled.docx")
    result = api.build(EXAMPLE, template=template, output=tmp_path / "restyled-report.docx")
    text = squeeze(pdf_text(to_pdf(soffice, result.output, tmp_path)))
    assert squeeze("□通讯员卞一夫陈杰强吕倍思") in text
