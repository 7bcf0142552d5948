"""What strangers' data and templates cannot do: break the document, run code, or leave a half-written file."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from docx import Document

from generator import api
from generator.errors import ReportError
from generator.output import write_atomically
from tests.helpers import check_package, docx_lines, pdf_text, squeeze, to_pdf
from tests.test_input import MINIMAL, write

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = ROOT / "templates" / "newspaper.docx"

NASTY = "Tom & Jerry <b>粗体</b> \"引号\" 'single' ]]> &amp; <!-- --> 【】"


def _yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def year_with(tmp_path: Path, paragraph: str) -> Path:
    text = MINIMAL.replace("- 第一段。", "- " + _yaml_quote(paragraph))
    text += "tables:\n  - title: " + _yaml_quote("表" + NASTY) + "\n    columns: [甲, 乙]\n"
    text += "    rows:\n      - [" + _yaml_quote(NASTY) + ", '1 & 2']\n"
    text += "honors:\n  - {recipient: " + _yaml_quote("A<B>&C") + ", honor: " + _yaml_quote(NASTY) + ", level: 省级}\n"
    return write(tmp_path, text)


def test_markup_characters_and_quotes_reach_the_document_as_text(tmp_path: Path) -> None:
    result = api.build(year_with(tmp_path, NASTY))
    data = result.output.read_bytes()
    check_package(data)
    lines = docx_lines(data)
    assert NASTY in lines
    assert "表" + NASTY in lines
    assert any(line.startswith(NASTY + " | 1 & 2") for line in lines)
    assert any(line.startswith("A<B>&C | ") for line in lines)


def test_control_characters_and_very_long_text_never_break_the_document(tmp_path: Path) -> None:
    long = "长" * 100_000
    paragraph = "控制\x00字\x08符\x0b\x0c\x1f\x7f\x85\ud800" + long
    path = write(tmp_path, MINIMAL.replace("- 第一段。", '- "控制\\0字\\b符\\v\\f\\x1f\\x7f\\x85"\n      - ' + long))
    result = api.build(path)
    data = result.output.read_bytes()
    check_package(data)
    lines = docx_lines(data)
    assert "控制字符" in lines and long in lines
    assert paragraph  # the YAML escapes above are these characters


@pytest.mark.libreoffice
def test_libreoffice_opens_a_document_made_of_hostile_text(tmp_path: Path, soffice: str) -> None:
    path = write(tmp_path, MINIMAL.replace("- 第一段。", "- " + _yaml_quote(NASTY)))
    result = api.build(path)
    text = squeeze(pdf_text(to_pdf(soffice, result.output, tmp_path)))
    assert squeeze("Tom & Jerry <b>粗体</b>") in text


def test_atomic_write_keeps_the_earlier_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"earlier")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(ReportError) as caught:
        write_atomically(target, b"new")
    assert "磁盘空间不足" in str(caught.value)
    assert target.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"]


def test_atomic_write_replaces_in_one_step_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"earlier")
    target.chmod(0o640)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"]


# --- templates from strangers ---------------------------------------------------------------------------------

PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ organization.__class__.__base__.__subclasses__() }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{{ config.items() }}",
    "{{ request.application.__globals__ }}",
]


def hostile_template(tmp_path: Path, payload: str, where: str) -> Path:
    document = Document(str(BUILTIN))
    if where == "body":
        document.add_paragraph(payload)
    elif where == "header":
        document.sections[0].header.paragraphs[0].add_run(payload)
    elif where == "properties":
        document.core_properties.title = payload
    path = tmp_path / f"hostile-{where}.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize("where", ["body", "header", "properties"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_injection_is_refused(tmp_path: Path, payload: str, where: str) -> None:
    template = hostile_template(tmp_path, payload, where)
    source = write(tmp_path, MINIMAL)
    with pytest.raises(ReportError) as caught:
        api.build(source, template=template)
    assert caught.value.kind == "template"
    message = str(caught.value)
    assert "模板" in message and template.name in message
    assert not (tmp_path / "2023.docx").exists()


def test_template_error_points_at_the_paragraph(tmp_path: Path) -> None:
    document = Document(str(BUILTIN))
    document.add_paragraph("这一段写错了 {{ headline ")
    template = tmp_path / "broken.docx"
    document.save(str(template))
    with pytest.raises(ReportError) as caught:
        api.build(write(tmp_path, MINIMAL), template=template)
    message = str(caught.value)
    assert "broken.docx" in message and "段" in message and "这一段写错了" in message


def test_template_using_a_name_the_data_does_not_provide(tmp_path: Path) -> None:
    document = Document(str(BUILTIN))
    document.add_paragraph("局长：{{ director }}")
    template = tmp_path / "extra.docx"
    document.save(str(template))
    with pytest.raises(ReportError) as caught:
        api.build(write(tmp_path, MINIMAL), template=template)
    assert "“director”" in str(caught.value) and "局长" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "旧版 Word"),
        (b"PK\x03\x04broken", "已损坏"),
        (b"<html>not a document</html>", "不是 .docx"),
        (b"", "不是 .docx"),
    ],
)
def test_files_that_are_not_word_templates(tmp_path: Path, content: bytes, expected: str) -> None:
    template = tmp_path / "t.docx"
    template.write_bytes(content)
    with pytest.raises(ReportError) as caught:
        api.build(write(tmp_path, MINIMAL), template=template)
    assert expected in str(caught.value)


def test_zip_bomb_template_is_refused_before_parsing(tmp_path: Path) -> None:
    import zipfile

    template = tmp_path / "bomb.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(BUILTIN) as builtin:
            for name in builtin.namelist():
                archive.writestr(name, builtin.read(name))
        archive.writestr("word/media/padding.xml", b"<a>" + b" " * 50_000_000 + b"</a>")
    template.write_bytes(buffer.getvalue())
    with pytest.raises(ReportError) as caught:
        api.build(write(tmp_path, MINIMAL), template=template)
    assert "压缩炸弹" in str(caught.value)


def test_builtin_template_is_a_copyable_file(tmp_path: Path) -> None:
    copy = tmp_path / "copy.docx"
    shutil.copy(BUILTIN, copy)
    assert api.build(write(tmp_path, MINIMAL), template=copy).output.exists()
