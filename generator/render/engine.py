"""A Word template prepared once and rendered many times: the only module that knows docxtpl.

docxtpl re-reads the .docx, re-patches and recompiles the Jinja source and re-parses the result on every render
(about 26 ms for a small report, and superlinear in table rows). Here a template is read, patched with docxtpl's
own tag repair and compiled once; a report is then one Jinja render per part plus a zip: the parts that carry no
tags are copied as they are, pictures and charts are added as new parts. Everything renders in the sandboxed,
autoescaping, StrictUndefined environment (body, headers, footers, footnotes, document properties), so data can
never inject markup or code.
"""

from __future__ import annotations

import bisect
import io
import marshal
import re
import secrets
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import unquote

from jinja2 import Template, TemplateSyntaxError, meta
from lxml import etree
from markupsafe import Markup

from generator import cache
from generator.errors import Place, Problem, ReportError
from generator.figures.content import ChartContent, TableContent
from generator.ooxml import BrokenXML, UnsafeXML, check_xml, parse, serialize
from generator.render.charts import place_charts, placeholders
from generator.render.keep import keep_text_with_sign_off
from generator.render.package import (
    InvalidReport,
    StreamedPart,
    check_parts,
    check_report,
    checked_pieces,
    describe,
    plain_content_types,
    plain_relationships,
    read_relationships,
    rels_name,
    slices,
    xml_invalid,
)
from generator.render.styles import HEADING, NUMBER, SIGN_OFF, TEXT, TableStyles, style_ids, table_styles
from generator.render.tables import table_pieces, table_xml
from generator.render.templates import TemplateSource
from generator.sandbox import NOT_XML, limits, not_xml_message, template_environment

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Parts that can hold tags, as docxtpl renders them: the body, headers, footers, notes, document properties.
_RENDERED = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml|docProps/core\.xml")
_PARAGRAPH = re.compile(r"<w:p([ >])")
_PROPERTY = re.compile(r"<((?:dc|cp|dcterms):)")  # one document property a line, as one paragraph a line
_PROPERTY_LINE = re.compile(r"\n(<(?:dc|cp|dcterms):)")
_CORE = "docProps/core.xml"
MAX_TAGS = 10_000  # {{ }} and {% %} in one template (ours have about 60)
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_PRINTED_BODY = re.compile(r"\{\{-?\s*[A-Za-z_][\w.]*\.body\s*-?\}\}")
# A paragraph as docxtpl's resolve_listing finds one, and the tag that opens it
_LISTING_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.S)
_PARAGRAPH_OPEN = re.compile(r"<w:p(?: [^>]*)?>")
_DOC_PR = re.compile(r'(<wp:docPr\b[^>]*?\bid=")\d+(")')
_DOCUMENT = "word/document.xml"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_RELS = "word/_rels/document.xml.rels"
_TYPES = "[Content_Types].xml"
# Cells from which a table is streamed: at least 150 bytes of XML a cell, so a streamed body is always over the
# 1 MB from which it is compressed at the fastest level (_write), as a whole one would be.
STREAMED_CELLS = 10_000
_MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "bmp": "image/bmp",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


@dataclass
class Additions:
    """Parts one render adds to the package: pictures, charts and their relationships."""

    parts: dict[str, bytes] = field(default_factory=dict)  # part name -> bytes
    relationships: list[tuple[str, str, str]] = field(default_factory=list)  # (id, type, target) in document.xml
    overrides: dict[str, str] = field(default_factory=dict)  # part name -> its content type
    extensions: set[str] = field(default_factory=set)
    part_rels: dict[str, str] = field(default_factory=dict)  # part name -> its own .rels XML
    charts: list[ChartContent] = field(default_factory=list)  # the data of the charts to draw, in order
    # Long tables made only as the body is written (see StreamedBody): the engine allows it for a template that
    # prints each table's body as it is; the body holds a marker (a comment with a number no template can guess).
    stream_tables: bool = False
    tables: list[Callable[[], Iterator[str]]] = field(default_factory=list)
    _nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    _count: int = 0

    def table_body(self, table: TableContent, width: int, styles: TableStyles | None, *, box: bool = False) -> Markup:
        """A finished table's XML for the template; a long one, where the template allows, as a marker for it."""
        if not self.stream_tables or len(table.rows) * len(table.columns) < STREAMED_CELLS:
            return Markup(table_xml(table, width, styles, box=box))
        self.tables.append(partial(table_pieces, table, width, styles, box=box))
        return Markup(f"<!--annual-report-table {self._nonce} {len(self.tables) - 1}-->")

    def whole_table(self, marker: re.Match[str]) -> str:
        return "".join(self.tables[int(marker.group(1))]())

    def marker(self) -> re.Pattern[str]:
        return re.compile(f"<!--annual-report-table {self._nonce} (\\d+)-->")

    def next_id(self) -> int:
        self._count += 1
        return self._count

    def relate(self, kind: str, target: str) -> str:
        rid = f"rIdAR{self.next_id()}"  # a prefix no template uses
        self.relationships.append((rid, f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}",
                                   target))  # fmt: skip
        return rid


class PreparedTemplate:
    """A template read, repaired and compiled once."""

    def __init__(self, source: TemplateSource) -> None:
        self.name = source.name
        self.data = source.data
        # A stranger's template can produce broken XML from some data (a {%p %} block closed in the wrong
        # place); every document it makes is parsed before it is written. Ours are proven by the tests.
        self.check_output = not source.builtin
        self._document: Any = None
        try:
            archive = zipfile.ZipFile(io.BytesIO(source.data))
            self.entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise ReportError(Problem(f"模板无法作为 Word 文档打开：{exc}", place=Place(self.name),
                                      code="template-corrupt"), kind="template") from None  # fmt: skip
        names = [name for name, _ in self.entries]
        if _DOCUMENT not in names or _TYPES not in names:
            missing = "正文（word/document.xml）" if _DOCUMENT not in names else "内容类型表（[Content_Types].xml）"
            raise ReportError(Problem(f"模板里没有{missing}", place=Place(self.name),
                                      code="template-corrupt"), kind="template")  # fmt: skip
        self.entries = [(name, _plain_package_part(name, data)) for name, data in self.entries]
        self._types: dict[tuple[Any, ...], bytes] = {}  # the report's content types, by the parts it adds
        self.checked = self._checked_parts()  # the parts copied unchanged are proven once, not in every report
        from generator.figures.content import HonorRow, SummaryRow

        environment = template_environment(plain_types=(dict, SummaryRow, HonorRow))
        self.environment = environment
        self.compiled: dict[str, Template] = {}
        self.sources: dict[str, list[str]] = {}
        self.names: set[str] = set()  # the context names the template uses: only those are worked out
        entry = cache.key(source.data)
        cached = cache.load(entry)
        if cached is None:
            cached = self._prepare(environment, shipped_sources(source))
            cache.store(entry, cached)
        template_globals = environment.make_globals(None)
        for name, (text, code) in cached["parts"].items():
            self.sources[name] = text.splitlines()
            self.compiled[name] = environment.template_class.from_code(
                environment, marshal.loads(code), template_globals
            )
        self.names = set(cached["names"])
        if any(".photos" in line for lines in self.sources.values() for line in lines):
            self.names.add("section.photos")  # pictures are prepared and packed only for a template that shows them
        self.column_loops = any("{%tc" in "".join(lines) for lines in self.sources.values())
        # Long tables are streamed into the body (StreamedBody) when the template does nothing with a table's body
        # but print it there, as ours do: {{ summary_table.body }}, nothing that measures or cuts it.
        uses = {name: [tag for tag in _TAG.findall("\n".join(lines)) if "body" in tag]
                for name, lines in self.sources.items()}  # fmt: skip
        self.streams_tables = not self.column_loops and all(
            (name == _DOCUMENT and all(_PRINTED_BODY.fullmatch(tag) for tag in tags)) or not tags
            for name, tags in uses.items()
        )
        parts = dict(self.entries)
        body = "".join(self.sources.get(_DOCUMENT, []))
        self.charts = {rid: chart for rid, chart in placeholders(parts.get(_RELS), parts).items()
                       if re.search(rf':id="{re.escape(rid)}"', body)}  # fmt: skip
        self.text_width = _last_text_width(parts[_DOCUMENT])
        self.table_styles = table_styles(parts.get("word/styles.xml"))
        self.sign_off = style_ids(parts.get("word/styles.xml"), SIGN_OFF)
        self.table_style_ids = {style_id for role in (HEADING, TEXT, NUMBER)
                                if (style_id := self.table_styles.id(role)) is not None}  # fmt: skip
        if self.charts:
            self.entries = _without_placeholders(self.entries, set(self.charts))

    def _checked_parts(self) -> set[str]:
        """The template's parts proven once (XML well-formed without a DTD, relationships resolving, ids used
        defined), so that each report checks only what it changed. A stranger's template was already refused for
        anything unsafe by load_template; this holds for every template however it arrived."""
        parts = dict(self.entries)
        try:
            check_parts(parts, parts)
        except InvalidReport as exc:
            raise ReportError(Problem(f"模板不是完好的 Word 文档（{exc}）", place=Place(self.name),
                                      code="template-corrupt"), kind="template") from None  # fmt: skip
        return set(parts)

    def _prepare(self, environment: Any, shipped: dict[str, str] | None = None) -> dict[str, Any]:
        """Each part with tags repaired by docxtpl and compiled: {"parts": {name: (source, code)}, "names": […]}.
        ``shipped``: the repaired sources that came with a built-in template (no docxtpl needed)."""
        parts: dict[str, tuple[str, bytes]] = {}
        names: set[str] = set()
        tags = 0
        repaired = shipped if shipped is not None else repaired_sources(self.entries, self.name)
        for name, source_text in repaired.items():
            self.sources[name] = source_text.splitlines()
            tags += source_text.count("{{") + source_text.count("{%")
            if tags > MAX_TAGS:  # compiling costs about 12 KB and 0.1 ms a tag
                message = f"模板中的标签过多（超过 {MAX_TAGS} 个），一份模板用不了这么多"
                place = Place(f"{self.name} {_part_label(name)}")
                raise ReportError(Problem(message, place=place, code="template-too-many-tags"), kind="template")
            try:
                names |= meta.find_undeclared_variables(environment.parse(source_text))
                parts[name] = (source_text, marshal.dumps(environment.compile(source_text)))
            except TemplateSyntaxError as exc:
                raise ReportError(self.problem(exc, name), kind="template") from None
            except RecursionError:
                raise ReportError(Problem("模板中的标签嵌套过深（如几千层 {% if %}），无法读取",
                                          place=Place(f"{self.name} {_part_label(name)}"), code="template-too-deep"),
                                  kind="template") from None  # fmt: skip
        return {"parts": parts, "names": sorted(names)}

    def document(self) -> Any:
        """The template as python-docx reads it, for finding the paragraph an error is in (only on error)."""
        if self._document is None:
            from docx import Document

            self._document = Document(io.BytesIO(self.data))
        return self._document

    def problem(self, exc: BaseException, part: str) -> Problem:
        from generator.render.template_errors import failing_line, template_problem

        lineno = getattr(exc, "lineno", None) if isinstance(exc, TemplateSyntaxError) else failing_line(exc)
        if lineno and part in self.sources:
            lines = self.sources[part]
            start = max(lineno - 4, 0)
            exc.docx_context = lines[start : start + 7]  # type: ignore[attr-defined]  # what docxtpl attaches
            if 0 < lineno <= len(lines):
                exc.docx_line = lines[lineno - 1]  # type: ignore[attr-defined]  # the paragraph that failed
        exc.docx_part = part  # type: ignore[attr-defined]
        try:
            return template_problem(exc, self.name, self.document())
        except Exception:  # a template too broken for python-docx still gets a message
            return Problem(f"模板出错：{exc}", place=Place(self.name), code="template-error")

    def render(self, context: dict[str, Any], additions: Additions) -> bytes:
        rendered: dict[str, bytes | StreamedPart] = {}
        drawing_ids = iter(range(1001, 10**9))  # unique across body, headers and footers
        # One time limit, one count of work and of output for all the parts together; the address space capped.
        self.environment.deadline = time.monotonic() + self.environment.time_limit
        try:
            with limits(self.environment):
                outputs = {}
                for name, template in self.compiled.items():
                    try:
                        outputs[name] = template.render(context)
                    except Exception as exc:  # whatever a template's own expressions raise, MemoryError included
                        raise ReportError(self.problem(exc, name), kind="template") from None
        finally:
            self.environment.deadline = None
        for name, xml in outputs.items():
            self._check_characters(name, xml)
            if name == _DOCUMENT and additions.tables:
                streamed = self._streamed_body(xml, drawing_ids, additions)
                if streamed is not None:
                    rendered[name] = streamed
                    continue
                # a table's place the finishing steps would see into: the body made whole, as it always was
                xml = additions.marker().sub(additions.whole_table, xml)
                self._check_characters(name, xml)
            rendered[name] = (_DECLARATION + self._finish(name, xml, drawing_ids, additions)).encode("utf-8")
        del outputs
        checked = set()
        if self.check_output:
            # A stranger's template can produce broken XML from some data (a {%p %} block closed in the wrong
            # place): say so in its words. Ours are proven by the tests; check_report proves every report.
            for name, data in rendered.items():
                if isinstance(data, StreamedPart):
                    continue  # checked as it is written, in the same words
                try:
                    check_xml(slices(data))
                except (BrokenXML, UnsafeXML) as exc:
                    raise ReportError(self._broken_output(name, exc), kind="template") from None
                checked.add(name)
        return self._package(rendered, additions, checked)

    def _broken_output(self, name: str, exc: BrokenXML | UnsafeXML) -> Problem:
        where = f"，{describe(name)}第 {exc.line} 行" if isinstance(exc, BrokenXML) and exc.line else ""
        message = f"模板生成的文档结构无效{where}；请检查模板中的 {{%p %}} 和 {{%tr %}} 标签是否成对"
        return Problem(message, place=Place(self.name), code="template-xml")

    def _streamed_body(self, xml: str, drawing_ids: Iterator[int], additions: Additions) -> StreamedPart | None:
        """The body with its long tables made only as it is written: the rendered body holds a marker in each
        table's place; it is finished as a whole body would be, and each table, made part by part, goes through the
        same steps (docxtpl's escapes and line breaks in its text). None when a finishing step would see into a
        table's place (a marker inside a paragraph, a table just before the sign-off): then the body is made whole.
        Written by _package, checked as it is written (package.checked_pieces)."""
        marker = additions.marker()
        places = [found.start() for found in marker.finditer(xml)]
        if not places or not _between_paragraphs(xml, places) or not self._clear_of_sign_off(xml, places):
            return None
        pieces = marker.split(self._finish(_DOCUMENT, xml, drawing_ids, additions))  # text, table, text, …

        def made() -> Iterator[bytes]:
            yield (_DECLARATION + pieces[0]).encode("utf-8")
            for at in range(1, len(pieces), 2):
                for part in additions.tables[int(pieces[at])]():
                    self._check_characters(_DOCUMENT, part)
                    yield _data_text(part).encode("utf-8")
                if pieces[at + 1]:
                    yield pieces[at + 1].encode("utf-8")

        return StreamedPart(made, "".join(pieces[::2]).encode("utf-8"))

    def _clear_of_sign_off(self, xml: str, places: list[int]) -> bool:
        """Whether keep_text_with_sign_off finds the same paragraphs with the tables in place as with the markers:
        no table between the text's last paragraph and the sign-off, none styled as the sign-off."""
        if not self.sign_off:
            return True
        if self.table_style_ids & set(self.sign_off):
            return False
        marks = [at for style_id in self.sign_off if (at := xml.find(f'<w:pStyle w:val="{style_id}"/>')) >= 0]
        if not marks:
            return True
        text = _paragraph_before(xml, _paragraph_before(xml, min(marks)))
        return not any(max(text, 0) <= at < min(marks) for at in places)

    def _check_characters(self, name: str, xml: str) -> None:
        """A character XML cannot hold, made where no {{ }} value shows it (a {% filter %} block): refused with the
        paragraph it is in, as the output shows it."""
        found = NOT_XML.search(xml)
        if found is None:
            return
        from generator.render.template_errors import part_label

        message = not_xml_message(found.group())
        at = found.start()
        start = max(xml.rfind("\n", 0, at), 0)  # each paragraph of the output starts a line
        end = xml.find("</w:p>", at)
        shown = NOT_XML.sub("", re.sub(r"<[^>]+>", "", xml[start : end if end > 0 else at + 200])).strip()
        where = part_label(name) + (f"“{shown[:60]}{'…' if len(shown) > 60 else ''}”" if shown else "")
        raise ReportError(Problem(f"模板中的表达式{message}", place=Place(f"{self.name} {where}"),
                                  code="template-character"), kind="template")  # fmt: skip

    def _finish(self, name: str, xml: str, drawing_ids: Iterator[int], additions: Additions) -> str:
        xml = xml.replace("\n<w:p", "<w:p")
        if name == _CORE:
            xml = _PROPERTY_LINE.sub(r"\1", xml)
        xml = _data_text(xml)
        if not name.startswith("word/"):
            return xml
        if self.column_loops and name == _DOCUMENT:
            from docxtpl import DocxTemplate

            tree = DocxTemplate.fix_tables(None, xml)  # columns added by {%tc %} loops need grid columns
            xml = etree.tostring(tree, encoding="unicode")
        if self.charts and name == _DOCUMENT:
            xml = place_charts(xml, self.charts, additions.charts, additions)
        if self.sign_off and name == _DOCUMENT:
            xml = keep_text_with_sign_off(xml, self.sign_off)
        if "<wp:docPr" in xml:
            xml = _DOC_PR.sub(lambda m: f"{m.group(1)}{next(drawing_ids)}{m.group(2)}", xml)  # loops copy ids
        return xml

    def _package(self, rendered: dict[str, bytes], additions: Additions, checked: set[str]) -> bytes:
        """The report's parts: the template's, rendered ones in their place, the new pictures and charts with their
        relationships and content types (the template's relationships and content types read and written by an XML
        parser, whatever prefix, quotes or encoding they came in); checked as a whole, then zipped."""
        parts = {name: rendered.get(name, data) for name, data in self.entries}
        if additions.relationships:
            parts[_RELS] = plain_relationships(parts.get(_RELS), additions.relationships)
        key = (tuple(sorted(additions.extensions)), tuple(additions.overrides.items()))
        if key not in self._types:  # reports of one shape share them: worked out once
            media = {extension: _MEDIA_TYPES[extension] for extension in additions.extensions}
            if len(self._types) > 64:
                self._types.clear()
            self._types[key] = plain_content_types(parts[_TYPES], media, additions.overrides)
        parts[_TYPES] = self._types[key]
        parts.update(additions.parts)
        for name, xml in additions.part_rels.items():
            parts[rels_name(name)] = _relationships(xml).encode()
        out = io.BytesIO()
        try:
            check_report(parts, (self.checked - rendered.keys() - {_RELS, _TYPES}) | checked)
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in parts.items():
                    if isinstance(data, StreamedPart):
                        self._write_streamed(archive, name, parts)
                    else:
                        _write(archive, name, data, compress=not name.startswith("word/media/"))
        except InvalidReport as exc:
            message = f"生成的报告没有通过最后的检查（{exc}），没有写出；请检查模板"
            problem = Problem(message, place=Place(self.name), code="report-invalid")
            raise ReportError(problem, kind="template") from None
        return out.getvalue()

    def _write_streamed(self, archive: zipfile.ZipFile, name: str, parts: dict[str, bytes | StreamedPart]) -> None:
        """A streamed part made, checked and compressed piece by piece (more than 1 MB: the fastest level, as
        _write compresses a body that large)."""
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = 1  # type: ignore[attr-defined]  # what writestr(compresslevel=1) sets (3.13: an alias)
        try:
            with archive.open(info, "w") as stream:
                for piece in checked_pieces(name, parts):
                    stream.write(piece)
        except (BrokenXML, UnsafeXML) as exc:
            if self.check_output:
                raise ReportError(self._broken_output(name, exc), kind="template") from None
            raise xml_invalid(name, exc) from None


def repaired_sources(entries: list[tuple[str, bytes]], template: str) -> dict[str, str]:
    """The Jinja source of each part that holds tags, repaired by docxtpl (tags Word split into runs joined), one
    paragraph a line. Built-in templates ship this (templates/*.prepared.json), so that docxtpl is imported only
    for a user's own template."""
    from docxtpl import DocxTemplate

    sources: dict[str, str] = {}
    for name, data in entries:
        if not _RENDERED.fullmatch(name) or not any(tag in data for tag in (b"{{", b"{%", b"{#")):
            continue
        try:  # re-serialized as docxtpl does, which also undoes &apos; and &quot; that LibreOffice writes
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))
        except etree.XMLSyntaxError as exc:
            raise ReportError(Problem(f"模板中的 {name} 已损坏（{exc.msg}）", place=Place(template),
                                      code="template-corrupt"), kind="template") from None  # fmt: skip
        xml = etree.tostring(root, encoding="unicode")
        if name.startswith("word/"):
            xml = DocxTemplate.patch_xml(None, xml)  # docxtpl's repair of tags Word split into runs
        source_text = _PARAGRAPH.sub(r"\n<w:p\1", xml)  # one paragraph a line: errors can name it
        if name == _CORE:
            source_text = _PROPERTY.sub(r"\n<\1", source_text)
        sources[name] = source_text
    return sources


def prepared_json(data: bytes) -> str:
    """What ships beside a built-in template (templates/build_templates.py writes it; a test proves it current)."""
    import hashlib
    import json

    entries = [(name, _plain_package_part(name, part)) for name, part in _zip_entries(data)]
    parts = repaired_sources(entries, "template")
    return json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "parts": parts}, ensure_ascii=False, indent=0)


def _zip_entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def shipped_sources(source: TemplateSource) -> dict[str, str] | None:
    """The repaired sources shipped beside a built-in template, if they were made from these very bytes."""
    if not source.builtin or source.path is None:
        return None
    import hashlib
    import json

    try:
        shipped = json.loads(source.path.with_suffix(".prepared.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(shipped, dict) or shipped.get("sha256") != hashlib.sha256(source.data).hexdigest():
        return None  # the template was changed and not prepared again: docxtpl repairs it, as for any other
    parts = shipped.get("parts")
    return parts if isinstance(parts, dict) else None


def _without_placeholders(entries: list[tuple[str, bytes]], rids: set[str]) -> list[tuple[str, bytes]]:
    """The template's parts without its placeholder charts: each is drawn again, as a new part, for every chart of
    the data, so the placeholder itself (its chart part, the workbook behind it, their relationships and content
    types) would only be dead weight in every report, and a stale chart for anyone who looks inside."""
    parts = dict(entries)
    dropped: set[str] = set()
    for rel in read_relationships(_RELS, parts[_RELS]):
        if rel.id in rids and not rel.external:
            chart = rel.part()
            dropped |= {chart, rels_name(chart)}
            if rels_name(chart) in parts:
                dropped |= {r.part() for r in read_relationships(rels_name(chart), parts[rels_name(chart)])
                            if not r.external}  # fmt: skip
    relationships = parse(parts[_RELS])
    for element in list(relationships):
        if element.get("Id") in rids:
            relationships.remove(element)
    types = parse(parts[_TYPES])
    for element in list(types):
        if unquote(element.get("PartName", "")).lstrip("/") in dropped:
            types.remove(element)
    kept = {_RELS: serialize(relationships), _TYPES: serialize(types)}
    return [(name, kept.get(name, data)) for name, data in entries if name not in dropped]


def _plain_package_part(name: str, data: bytes) -> bytes:
    """Relationships and content types as every client reads them (see package.plain_relationships)."""
    try:
        if name.endswith(".rels"):
            return plain_relationships(data)
        if name == _TYPES:
            return plain_content_types(data)
    except (BrokenXML, UnsafeXML):
        pass  # a broken part stays as it is, and the check that follows names it
    return data


def _part_label(name: str) -> str:
    from generator.render.template_errors import part_label

    return part_label(name)


def _write(archive: zipfile.ZipFile, name: str, data: bytes, compress: bool = True) -> None:
    """Fixed timestamps: the same data and template give the same bytes; pictures are already compressed; a
    body of megabytes (a table of thousands of rows) is compressed at the fastest level."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    archive.writestr(info, data, compresslevel=1 if len(data) > 1_000_000 else 6)


def _data_text(xml: str) -> str:
    """docxtpl's escapes for literal braces undone, and line breaks and tabs inside data text made Word's."""
    if "{_" in xml or "_}" in xml:  # each replace copies the text
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if any(mark in xml for mark in ("\n", "\t", "\a", "\f")):
        from docxtpl import DocxTemplate

        xml = DocxTemplate.resolve_listing(None, xml)
    return xml


def _between_paragraphs(xml: str, places: list[int]) -> bool:
    """Whether each place stands between paragraphs as docxtpl's resolve_listing finds them (none open at it): a
    table there is outside every paragraph it rewrites, whatever the table holds."""
    ends = [found.end() for found in _LISTING_PARAGRAPH.finditer(xml)]
    for at in places:
        before = bisect.bisect_right(ends, at)
        if _PARAGRAPH_OPEN.search(xml, ends[before - 1] if before else 0, at):
            return False
    return True


def _paragraph_before(xml: str, position: int) -> int:
    """As keep_text_with_sign_off finds it."""
    return max(xml.rfind("<w:p>", 0, position), xml.rfind("<w:p ", 0, position))


def _relationships(inner: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{inner}'
            "</Relationships>")  # fmt: skip


def _last_text_width(document: bytes) -> int:
    """Twips between the margins of the last section, where full-width tables go (A4 with 2 cm margins if the
    template does not say)."""
    sections = re.findall(rb"<w:sectPr\b.*?</w:sectPr>", document, re.S)
    if sections:
        size = re.search(rb'<w:pgSz\b[^>]*\bw:w="(\d+)"', sections[-1])
        left = re.search(rb'<w:pgMar\b[^>]*\bw:left="(\d+)"', sections[-1])
        right = re.search(rb'<w:pgMar\b[^>]*\bw:right="(\d+)"', sections[-1])
        if size and left and right:
            return int(size.group(1)) - int(left.group(1)) - int(right.group(1))
    return 9071


_CACHE: dict[tuple[str, int], PreparedTemplate] = {}


def prepared(source: TemplateSource) -> PreparedTemplate:
    """The prepared template, once per process (a batch renders hundreds of reports with it)."""
    key = (source.name, hash(source.data))
    if key not in _CACHE:
        _CACHE.clear()  # one template at a time is the common case; never hold many
        _CACHE[key] = PreparedTemplate(source)
    return _CACHE[key]
