"""What strangers' data and templates cannot do: break the document, run code, or leave a half-written file."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
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


# --- issue 10: a template cannot reach outside the document, run macros or hide a DTD; every report is sound ------

from lxml import etree  # noqa: E402

from generator.render.package import DOCUMENT_MAIN, InvalidReport, StreamedPart, check_report  # noqa: E402
from tests.fixtures import corpus_package as package  # noqa: E402
from tests.helpers import check_document  # noqa: E402

PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def refusal(tmp_path: Path, template: bytes, source: str = MINIMAL) -> str:
    """The message a build with ``template`` ends with; nothing may have been written."""
    path = tmp_path / "我局 模板.docx"
    path.write_bytes(template)
    with pytest.raises(ReportError) as caught:
        api.build(write(tmp_path, source), template=path)
    assert caught.value.kind == "template"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023.yaml", "我局 模板.docx"]
    return str(caught.value)


def built(tmp_path: Path, template: bytes, source: str = MINIMAL) -> tuple[api.BuildResult, bytes]:
    path = tmp_path / "我局 模板.docx"
    path.write_bytes(template)
    result = api.build(write(tmp_path, source), template=path)
    data = result.output.read_bytes()
    check_document(data)
    return result, data


def relationships(data: bytes, part: str) -> list[etree._Element]:
    folder, _, base = part.rpartition("/")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = f"{folder}/_rels/{base}.rels"
        if name not in archive.namelist():
            return []
        return list(etree.fromstring(archive.read(name)).iter(f"{PKG_RELS}Relationship"))


@pytest.mark.parametrize(("part", "kind", "target"), package.EXTERNALS)
def test_a_template_reaching_outside_is_refused_naming_the_part(
    tmp_path: Path, part: str, kind: str, target: str
) -> None:
    message = refusal(tmp_path, package.external_template(part, kind, target))
    assert part.rsplit("/", 1)[-1] in message and "访问网络" in message, message
    assert target[:20] in message  # what it reaches for, as the template has it


@pytest.mark.parametrize(("part", "field"), package.FIELDS)
def test_a_field_that_includes_outside_content_is_refused(tmp_path: Path, part: str, field: bytes) -> None:
    message = refusal(tmp_path, package.field_template(part, field))
    assert "引用外部内容的域" in message and part.rsplit("/", 1)[-1] in message, message


# Data that would turn a field whose instruction is a tag into one that reaches outside.
HOSTILE_FIELDS = MINIMAL.replace(
    "headline: 县公安局工作综述",
    'headline: INCLUDETEXT "C:\\\\Windows\\\\win.ini"\nkicker: INCLUDEPICTURE "http://127.0.0.1:9/x.png" \\d\n'
    "subtitle: INCLUDETEXT '/etc/passwd'",
)


@pytest.mark.parametrize(("part", "field"), package.TAGGED_FIELDS)
def test_a_field_whose_instruction_is_a_tag_is_refused_before_any_data_fills_it(
    tmp_path: Path, part: str, field: bytes
) -> None:
    message = refusal(tmp_path, package.field_template(part, field), HOSTILE_FIELDS)
    assert "域的指令里写了标签" in message and part.rsplit("/", 1)[-1] in message, message


@pytest.mark.parametrize(
    "field",
    [
        package._instr(' INCLUDEPICTURE "http://127.0.0.1:9/x.png" \\d '),
        package._instr(" includetext 'c:/windows/win.ini' ", split=5),
        package._simple(" DDEAUTO c:\\windows\\system32\\cmd.exe &quot;/k calc&quot; "),
        package._instr(' IF 1 = 1 "a" "b" ').replace(
            b"<w:r><w:t>", package._instr(" LINK Excel x ")[5:-6] + b"<w:r><w:t>", 1
        ),
    ],
    ids=["includepicture", "includetext-split", "ddeauto-simple", "link-nested"],
)
def test_a_report_with_a_field_reaching_outside_is_never_written(field: bytes) -> None:
    """The last net, for whatever way a field could come out of rendering: check_report refuses the package."""
    data = package.field_template("word/document.xml", field)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    with pytest.raises(InvalidReport, match="引用外部内容的域"):
        check_report(parts)
    streamed = StreamedPart(lambda: iter([]), parts["word/document.xml"])  # a body with long tables made on the way
    with pytest.raises(InvalidReport, match="引用外部内容的域"):
        check_report({**parts, "word/document.xml": streamed})  # type: ignore[dict-item]
    ordinary = package.field_template("word/document.xml", package._instr(" PAGE \\* MERGEFORMAT "))
    with zipfile.ZipFile(io.BytesIO(ordinary)) as archive:
        check_report({name: archive.read(name) for name in archive.namelist()})


@pytest.mark.parametrize(("part", "change"), package.DTDS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(package.DTDS)])
def test_a_dtd_anywhere_in_any_part_in_any_encoding_is_refused(tmp_path: Path, part: str, change: object) -> None:
    message = refusal(tmp_path, package.dtd_template(part, change))  # type: ignore[arg-type]
    assert "不安全的 XML 声明" in message and part in message, message


@pytest.mark.parametrize("changes", package.EMBEDDED, ids=lambda c: next(iter(c)))
def test_a_package_embedded_in_the_template_keeps_the_same_doors_shut(tmp_path: Path, changes: dict) -> None:
    message = refusal(tmp_path, package.embedded_template(changes))
    assert "嵌入的文件 word/embeddings/chart1.xlsx" in message and ("XML 声明" in message or "外部" in message)


@pytest.mark.parametrize("kind", package.MACROS)
def test_macros_and_activex_are_refused_however_named(tmp_path: Path, kind: str) -> None:
    message = refusal(tmp_path, package.macro_template(kind))
    assert "宏" in message and "另存为" in message, message


@pytest.mark.parametrize("name", list(package.ODD_PACKAGES))
def test_an_odd_but_valid_package_gives_a_sound_report_with_its_picture_and_chart(tmp_path: Path, name: str) -> None:
    (tmp_path / "照片").mkdir()
    (tmp_path / "照片" / "会议.png").write_bytes(package.small_png())
    source = package.charts_year() + "photos:\n  - {file: 照片/会议.png, caption: 会议现场}\n"
    _, data = built(tmp_path, package.edited(package.ODD_PACKAGES[name]), source)
    targets = {r.get("Target") for r in relationships(data, "word/document.xml")}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
        charts = [n for n in archive.namelist() if n.startswith("word/charts/chartAR")]
        body = archive.read("word/document.xml")
    assert pictures and all(p.removeprefix("word/") in targets for p in pictures)
    assert charts and all(c.removeprefix("word/") in targets for c in charts)
    assert b"r:embed=" in body and "会议现场" in "".join(docx_lines(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # written the way every client reads (LibreOffice needs it)
        for part in ("word/_rels/document.xml.rels", "[Content_Types].xml"):
            written = archive.read(part)
            assert written.startswith(b"<?xml") and etree.fromstring(written).prefix is None, part


@pytest.mark.parametrize("target", package.ATTACHED)
def test_an_attached_template_is_dropped_with_a_note(tmp_path: Path, target: str) -> None:
    result, data = built(tmp_path, package.attached_template(target))
    assert any("外部模板" in note and target[:20] in note for note in result.warnings), result.warnings
    assert not [r for r in relationships(data, "word/settings.xml") if r.get("TargetMode") == "External"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"attachedTemplate" not in archive.read("word/settings.xml")


@pytest.mark.parametrize("target", package.WEB_LINKS)
def test_hyperlinks_to_web_pages_and_mail_stay(tmp_path: Path, target: str) -> None:
    _, data = built(tmp_path, package.external_template("word/document.xml", "hyperlink", target))
    kept = [r for r in relationships(data, "word/document.xml") if r.get("TargetMode") == "External"]
    assert [r.get("Target") for r in kept] == [target]


def test_a_template_using_a_relationship_it_does_not_define_is_refused(tmp_path: Path) -> None:
    missing = package._LINKED_PICTURE.replace('r:link="{rid}"', 'r:embed="rIdNowhere"').encode()
    message = refusal(tmp_path, package.edited({"word/document.xml": package._in_body(missing)}))
    assert "rIdNowhere" in message and "word/document.xml" in message, message


def test_a_report_that_would_use_a_missing_relationship_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last check before writing catches what the engine itself gets wrong: here a picture whose relationship
    is never added."""
    from generator.render.engine import Additions

    def forgetful(self: Additions, kind: str, target: str) -> str:
        return f"rIdLost{self.next_id()}"

    monkeypatch.setattr(Additions, "relate", forgetful)
    (tmp_path / "会议.png").write_bytes(package.small_png())
    source = write(tmp_path, MINIMAL + "photos:\n  - {file: 会议.png, caption: 会议现场}\n")
    with pytest.raises(ReportError) as caught:
        api.build(source)
    message = str(caught.value)
    assert "最后的检查" in message and "rIdLost" in message, message
    assert not (tmp_path / "2023.docx").exists()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize(
    ("name", "change", "words"),
    [
        ("word/styles.xml", lambda d: d[:-40], "不是格式正确的 XML"),
        ("word/numbering.xml", package._doctype_after(b" " * 9000, package._XXE), "DTD"),
        ("[Content_Types].xml", package._main_type("docm"), "不是普通 Word 文档"),
        ("[Content_Types].xml", package._main_type("dotx"), "不是普通 Word 文档"),
        ("word/_rels/document.xml.rels", package._add_relationship(package._relationship("rIdX", "image", "file:///x")),
         "指向外部"),
        ("word/_rels/document.xml.rels", lambda d: d.replace(b'Target="styles.xml"', b'Target="nowhere.xml"'),
         "不存在的部件"),
        ("word/vbaProject.bin", lambda _: b"macro", "宏"),
        ("docProps/custom.bin", lambda _: b"x", "没有内容类型"),
    ],
)  # fmt: skip
def test_the_last_check_refuses_every_kind_of_unsound_package(name: str, change: object, words: str) -> None:
    parts = _parts(BUILTIN.read_bytes())
    check_report(parts)  # the built-in template itself is a sound package
    parts[name] = change(parts.get(name, b""))  # type: ignore[operator]
    with pytest.raises(InvalidReport) as caught:
        check_report(parts)
    assert words in str(caught.value)


def test_every_report_names_the_plain_document_type() -> None:
    types = etree.fromstring(_parts(BUILTIN.read_bytes())["[Content_Types].xml"])
    assert DOCUMENT_MAIN in {e.get("ContentType") for e in types}
