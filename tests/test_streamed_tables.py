"""Long tables streamed into the body as it is written (render/engine.py StreamedBody): the report is the same,
byte for byte, as the body made whole; the final check still checks the streamed body; a template that could see
into a table's place gets the body made whole."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml

from generator import api
from generator.errors import ReportError
from generator.ooxml import BrokenXML, UnsafeXML
from generator.render import engine, package
from generator.render.package import InvalidReport, StreamedPart, checked_pieces
from generator.render.templates import load_template
from generator.render.word import render_docx

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"

# Text a table cell may hold that the finishing steps rewrite or escape: docxtpl's brace escapes, tabs, line
# breaks, markup characters, characters outside the BMP.
ODD = ["名称\t带制表符", "第一行\n第二行", "{_{ 括号 }_}", "{_% 百分 %_}", "A&B<C>\"D'", "表情😀", "很长的名称" * 12]


def _year(rows: int, odd: bool, seed: int) -> dict:
    names = [f"指标{i}" for i in range(rows)]
    if odd:
        names[: len(ODD)] = [f"{text}{seed}" for text in ODD]
    return {
        "organization": {"name": "示例县公安局", "short_name": "县公安局"},
        "year": 2023,
        "title": "县公安局2023年工作总结",
        "date": "2024-01-15",
        "headline": "年度工作综述",
        "lead": [f"全年{{{{ 指标{rows - 1} }}}}。"],
        "sections": [{"heading": "一、第一部分", "paragraphs": ["正文。"]}],
        "indicators": [
            {"name": name, "unit": "起", "value": str(1000 + i * (seed + 1)), "previous": str(900 + i)}
            if i % 3 or not odd
            else {"name": name, "unit": "万元", "value": str(i + 0.5), "change": "-3.5"}
            for i, name in enumerate(names)
        ],
        "honors": [
            {"recipient": f"集体{i}" + ("\t甲" if odd and i == 1 else ""), "honor": "先进集体", "level": "省级"}
            for i in range(3)
        ],
        "tables": [
            {
                "title": "各所警情",
                "columns": ["派出所\t名", "警情数", "同比"],
                "rows": [
                    [f"第{i}派出所", str(i * 7), "下降3.5%" if i % 2 else "增长1.2%"] for i in range(max(rows // 2, 1))
                ],
            }
        ],
    }


def _content(tmp_path: Path, data: dict):
    source = tmp_path / "2023.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return api.load(source).content


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _both(content, template, monkeypatch: pytest.MonkeyPatch, cells: int = 1) -> tuple[bytes, bytes, int]:
    """The report rendered with its body made whole and with its tables streamed (every table from ``cells``
    cells), and how many bodies were streamed."""
    streamed = []

    def counted(name, parts):
        streamed.append(name)
        return checked_pieces(name, parts)

    monkeypatch.setattr(engine, "checked_pieces", counted)
    monkeypatch.setattr(engine, "STREAMED_CELLS", cells)
    prepared = engine.prepared(template)
    allowed = prepared.streams_tables
    try:
        prepared.streams_tables = False
        whole = render_docx(content, template)
    finally:
        prepared.streams_tables = allowed
    return whole, render_docx(content, template), len(streamed)


@pytest.mark.parametrize("style", ["newspaper", "official"])
@pytest.mark.parametrize(("rows", "odd", "seed"), [(1, False, 0), (12, True, 1), (201, True, 2), (450, False, 3)])
def test_streamed_tables_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: str, rows: int, odd: bool, seed: int
) -> None:
    template = load_template(style)
    assert engine.prepared(template).streams_tables  # ours only print a table's body
    whole, streamed, count = _both(_content(tmp_path, _year(rows, odd, seed)), template, monkeypatch)
    assert count == 1
    # compressed at another level below 1 MB (never streamed so small outside this test): the parts are the same
    assert _parts(streamed) == _parts(whole)


def test_a_long_table_streamed_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _content(tmp_path, _year(2000, True, 4))
    whole, streamed, count = _both(content, load_template("newspaper"), monkeypatch, engine.STREAMED_CELLS)
    assert count == 1 and len(_parts(whole)["word/document.xml"]) > 1_000_000
    assert streamed == whole


def _custom(tmp_path: Path, base: str, old: str, new: str) -> Path:
    """A built-in template with one paragraph of its body rewritten, saved as a user's template."""
    data = (TEMPLATES / f"{base}.docx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in archive.infolist():
            part = archive.read(info)
            if info.filename == "word/document.xml":
                assert old.encode() in part
                part = part.replace(old.encode(), new.encode())
            target.writestr(info, part)
    path = tmp_path / f"我的{base}.docx"
    path.write_bytes(out.getvalue())
    return path


PRINTED = {"newspaper": "<w:p><w:r><w:t>{{p table.body }}</w:t></w:r></w:p>",
           "official": "<w:p><w:r><w:t>{{p attachment.body }}</w:t></w:r></w:p>"}  # fmt: skip


@pytest.mark.parametrize(
    ("base", "new"),
    [  # the table inside a paragraph: docxtpl's line-break step would see into it, so the body is made whole
        ("newspaper", '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>前</w:t></w:r>{{ table.body }}</w:p>'),
        ("official", "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>附</w:t></w:r>{{ attachment.body }}</w:p>"),
        # printed as it is, in a plain paragraph of its own: streamed
        ("newspaper", "<w:p><w:r><w:t>{{p table.body }}</w:t></w:r></w:p><w:p><w:r><w:t>后</w:t></w:r></w:p>"),
    ],
)
def test_a_users_template_gets_the_same_report_streamed_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base: str, new: str
) -> None:
    template = load_template(_custom(tmp_path, base, PRINTED[base], new))
    assert engine.prepared(template).streams_tables
    whole, streamed, count = _both(_content(tmp_path, _year(30, True, 5)), template, monkeypatch)
    assert count == (1 if "{{p" in new else 0)
    assert _parts(streamed) == _parts(whole)


@pytest.mark.parametrize(
    "new",
    ["<w:p><w:r><w:t>{{ table.body | length }}</w:t></w:r></w:p>",
     "<w:p><w:r><w:t>{{ table.body[:10] }}</w:t></w:r></w:p>{{ table.body }}"],
)  # fmt: skip
def test_a_template_that_measures_or_cuts_a_table_gets_it_whole(tmp_path: Path, new: str) -> None:
    template = load_template(_custom(tmp_path, "newspaper", PRINTED["newspaper"], new))
    assert not engine.prepared(template).streams_tables


def test_a_broken_body_from_a_users_template_is_named_the_same_streamed_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table printed inside an attribute: the body is not XML either way, and the message is the same."""
    new = '<w:bookmarkStart w:id="9" w:name="{{ attachment.body }}"/>'
    template = load_template(_custom(tmp_path, "official", PRINTED["official"], new))
    content = _content(tmp_path, _year(30, False, 6))
    monkeypatch.setattr(engine, "STREAMED_CELLS", 1)
    messages = []
    for streams in (False, True):
        engine.prepared(template).streams_tables = streams
        with pytest.raises(ReportError) as caught:
            render_docx(content, template)
        messages.append([str(problem) for problem in caught.value.problems])
    assert messages[0] == messages[1]
    assert "模板生成的文档结构无效" in messages[0][0] and "行" in messages[0][0]


# --- the final check of a streamed body ---------------------------------------------------------------------------

HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats'
        b'.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
        b"><w:body>")  # fmt: skip
TAIL = b"</w:body></w:document>"
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/styles" Target="styles.xml"/></Relationships>')  # fmt: skip


def _streamed(*middle: bytes, doctype: bool = False) -> dict:
    head = HEAD.replace(b"\n", b"\n<!DOCTYPE w:document [<!ENTITY e 'x'>]>") if doctype else HEAD
    pieces = [head, *middle, TAIL]
    return {"word/document.xml": StreamedPart(lambda: iter(pieces), HEAD + TAIL), "word/_rels/document.xml.rels": RELS}


@pytest.mark.parametrize(
    ("middle", "error"),
    [
        ((b"<w:p/>", b'<w:p><w:r><w:drawing r:id="rId1"/></w:r></w:p>'), None),
        ((b"<w:p/>", b'<w:p><w:r><w:drawing r:id="rId7"/></w:r></w:p>'), InvalidReport),  # no such relationship
        ((b"<w:p>", b"<w:r></w:p>"), BrokenXML),
        ((b"<w:p/>" * 3, b"<w:p><w:t>a</w:p>"), BrokenXML),
        ((b"<w:p/>",), UnsafeXML),
    ],
)
def test_a_streamed_body_is_checked_as_it_is_written(middle: tuple[bytes, ...], error: type | None) -> None:
    parts = _streamed(*middle, doctype=error is UnsafeXML)
    if error is None:
        assert b"".join(checked_pieces("word/document.xml", parts)) == b"".join([HEAD, *middle, TAIL])
    else:
        with pytest.raises(error):
            b"".join(checked_pieces("word/document.xml", parts))


def test_check_report_leaves_a_streamed_body_to_the_writing_and_checks_the_rest() -> None:
    parts = _streamed(b"<w:p/>")
    with pytest.raises(InvalidReport, match="内容类型"):
        package.check_report(parts)
