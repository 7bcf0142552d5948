"""The .docx as a package of parts: what a stranger's template may carry, and what every report we write must be.

A template is refused, each problem naming its part, when it could make Word or LibreOffice run code or reach beyond
the document: a DTD in any XML part (whatever its encoding or length), macros or ActiveX controls, a relationship to
an external target (a picture linked to file:/// or http://, an altChunk, a linked OLE object, a subdocument, a
frame) or a field that pulls in outside content (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE). Hyperlinks to web pages
and mail addresses stay: nothing follows one unless a reader clicks it. A link to the template a document was made
from (Word's "attached template") is dropped, with a note: the report does not need it, and Word would fetch it.

Every report is checked as the last step before it is written: every XML part well-formed and without a DTD, every
relationship resolving to a part inside the package, every part with a content type, the main part a plain Word
document, nothing external but those hyperlinks, no macros.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lxml import etree

from generator.errors import Place, Problem
from generator.ooxml import (
    CONTENT_TYPES,
    PACKAGE_RELATIONSHIPS,
    BrokenXML,
    UnsafeXML,
    XMLCheck,
    check_xml,
    chunks_of,
    is_xml_part,
    parse,
    serialize,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOCUMENT = "word/document.xml"
TYPES = "[Content_Types].xml"
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Main parts a report may be made from: a document or a template (.dotx) renamed; the report is always a document.
PLAIN_MAINS = {DOCUMENT_MAIN, "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"}
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
OFFICE_DOCUMENT = "/officeDocument"  # the relationship type (its last path segment) of the main part
HYPERLINK = "/hyperlink"
ATTACHED_TEMPLATE = "/attachedTemplate"
SAFE_LINK_SCHEMES = {"http", "https", "mailto"}

# What an external relationship does, by the last segment of its type, in the words of Word's menus.
_EXTERNAL_KINDS = {
    "image": "链接（而不是嵌入）的图片",
    "aFChunk": "外部内容块（altChunk）",
    "oleObject": "链接的 OLE 对象",
    "package": "链接的文件",
    "subDocument": "子文档",
    "frame": "框架（网页）",
    "hyperlink": "指向本机文件或网络共享的超链接",
    "video": "链接的视频",
    "audio": "链接的音频",
    "media": "链接的媒体",
    "externalLinkPath": "外部数据链接",
    "oleObjectLink": "链接的 OLE 对象",
}
# Fields whose result Word (and LibreOffice on import) fetches from outside the document.
_OUTSIDE_FIELDS = {"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "LINK", "DDE", "DDEAUTO", "IMPORT"}
_MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex", "ms-office.control")
_MACRO_RELS = ("/vbaProject", "/wordVbaData", "/control", "/activeXControlBinary", "/keyMapCustomizations")
_FIELD_WORD = re.compile(r"\s*([A-Za-z]+)")
# Attributes of the relationships namespace (r:id, r:embed, r:link…) name a relationship of their part; searched
# as text, prefix first (a literal the regex engine finds fast even in a body of megabytes).
_REFERENCE = rb"""%s:(?:id|embed|link|pict|dm|lo|qs|cs|href)\s*=\s*["']([^"']*)["']"""
_R_PREFIX = re.compile(rb"""xmlns:([\w.-]+)\s*=\s*["']""" + re.escape(R.encode()) + rb"""["']""")


@dataclass(frozen=True)
class Relationship:
    source: str  # the part the relationship belongs to ("" for the package itself)
    id: str
    type: str
    target: str
    external: bool

    @property
    def kind(self) -> str:
        return self.type.rstrip("/").rsplit("/", 1)[-1]

    def part(self) -> str:
        """The part an internal relationship points at, as a name in the zip."""
        if self.target.startswith("/"):
            return posixpath.normpath(unquote(self.target)).lstrip("/")
        folder = posixpath.dirname(self.source)
        return posixpath.normpath(posixpath.join(folder, unquote(self.target))).lstrip("/")


def rels_name(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def source_of(rels: str) -> str:
    """word/_rels/document.xml.rels -> word/document.xml; _rels/.rels -> "" (the package)."""
    folder, _, base = rels.rpartition("/")
    parent = folder.rpartition("/")[0] if folder.endswith("_rels") else folder
    name = base[: -len(".rels")]
    return f"{parent}/{name}" if parent else name


def read_relationships(rels: str, data: bytes) -> list[Relationship]:
    """A relationships part as an XML parser reads it: any encoding, any prefix, either quote."""
    root = parse(data)
    source = source_of(rels)
    return [
        Relationship(source, e.get("Id", ""), e.get("Type", ""), e.get("Target", ""), e.get("TargetMode") == "External")
        for e in root.iter(f"{{{PACKAGE_RELATIONSHIPS}}}Relationship")
    ]


def read_content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """(extension -> type, part name -> type), extensions lower-cased, part names without the leading slash."""
    root = parse(data)
    defaults = {
        e.get("Extension", "").lower(): e.get("ContentType", "") for e in root.iter(f"{{{CONTENT_TYPES}}}Default")
    }
    overrides = {
        unquote(e.get("PartName", "")).lstrip("/").lower(): e.get("ContentType", "")
        for e in root.iter(f"{{{CONTENT_TYPES}}}Override")
    }
    return defaults, overrides


def content_type(name: str, defaults: Mapping[str, str], overrides: Mapping[str, str]) -> str:
    return overrides.get(name.lower()) or defaults.get(name.rsplit(".", 1)[-1].lower() if "." in name else "", "")


def external_allowed(rel: Relationship) -> bool:
    """A hyperlink to a web page or a mail address: followed only when a reader clicks it."""
    if not rel.type.endswith(HYPERLINK):
        return False
    scheme = urlsplit(rel.target.strip()).scheme.lower()
    return scheme in SAFE_LINK_SCHEMES


def describe(part: str) -> str:
    """A part as a person who knows Word can place it: 正文（word/document.xml）."""
    base = part.rsplit("/", 1)[-1]
    if part.endswith(".rels"):
        owner = source_of(part)
        return f"{describe(owner)}的关系表（{part}）" if owner else f"文件的关系表（{part}）"
    words = {
        "document.xml": "正文",
        "styles.xml": "样式",
        "settings.xml": "文档设置",
        "numbering.xml": "编号",
        "footnotes.xml": "脚注",
        "endnotes.xml": "尾注",
        "core.xml": "文档属性",
        TYPES: "内容类型表",
    }
    word = words.get(base) or ("页眉" if base.startswith("header") else "页脚" if base.startswith("footer") else "")
    return f"{word}（{part}）" if word else part


# ---------------------------------------------------------------------------------------------------------------
# A template from a stranger


@dataclass
class TemplateAudit:
    problems: list[Problem]
    attached: list[Relationship]  # attached-template links to drop
    checked_xml: set[str]  # parts proven well-formed and free of any DTD


def audit_template(archive: zipfile.ZipFile, name: str) -> TemplateAudit:
    """Everything in the package that could run code or reach outside the document, each problem naming its part."""
    place = Place(name)
    problems: list[Problem] = []

    def refuse(message: str, code: str) -> None:
        problems.append(Problem(message, place=place, code=code))

    infos = [i for i in archive.infolist() if not i.is_dir()]
    parts: dict[str, bytes] = {}  # the small structural parts, read once
    checked: set[str] = set()
    for info in infos:
        with archive.open(info) as stream:
            head = stream.read(64)
        if not is_xml_part(info.filename, head):
            continue
        try:
            with archive.open(info) as stream:
                check_xml(chunks_of(stream))
        except UnsafeXML:
            refuse(f"{describe(info.filename)}中含有不安全的 XML 声明（DOCTYPE/ENTITY），已拒绝", "template-unsafe-xml")
            continue
        except BrokenXML as exc:
            where = f"，第 {exc.line} 行" if exc.line else ""
            refuse(f"{describe(info.filename)}已损坏（XML 格式错误{where}）", "template-corrupt")
            continue
        checked.add(info.filename)
        if info.filename.endswith(".rels") or info.filename == TYPES or info.filename == "word/settings.xml":
            parts[info.filename] = archive.read(info)
    if problems:
        return TemplateAudit(problems, [], checked)

    macros = [i.filename for i in infos if _is_macro_part(i.filename)]
    defaults, overrides = read_content_types(parts[TYPES]) if TYPES in parts else ({}, {})
    macros += [p for p, kind in overrides.items() if any(m in kind.lower() for m in _MACRO_TYPES) and p not in macros]
    relationships = [rel for rels, data in parts.items() if rels.endswith(".rels")
                     for rel in read_relationships(rels, data)]  # fmt: skip
    macros += [rel.target for rel in relationships if rel.type.endswith(_MACRO_RELS) and rel.target not in macros]
    main_type = content_type(DOCUMENT, defaults, overrides)
    if macros or "macroenabled" in main_type.lower():
        shown = "、".join(sorted(set(macros))[:3]) or DOCUMENT
        refuse(f"模板是启用宏的文档（含有宏代码或 ActiveX 控件：{shown}），报告不能带宏；请在 Word 中“另存为”，"
               "类型选“Word 文档（*.docx）”，再用另存的文件", "template-macro")  # fmt: skip
    mains = [rel for rel in relationships if rel.source == "" and rel.type.endswith(OFFICE_DOCUMENT)]
    if mains and (mains[0].external or mains[0].part() != DOCUMENT):
        refuse(f"文件的主体部分是 {mains[0].target}，而不是 Word 正文 word/document.xml；请在 Word 中另存为 .docx",
               "template-not-docx")  # fmt: skip
    attached = []
    for rel in relationships:
        if not rel.external or external_allowed(rel):
            continue
        if rel.type.endswith(ATTACHED_TEMPLATE):
            attached.append(rel)
            continue
        what = _EXTERNAL_KINDS.get(rel.kind, f"指向外部的链接（{rel.kind}）")
        refuse(f"{describe(rels_name(rel.source))}中有{what}，目标是“{_shown(rel.target)}”：Word 或 LibreOffice "
               "打开报告时会去读取这个文件或访问网络。请在 Word 中删去它，或改为嵌入文档中的内容",
               "template-external")  # fmt: skip
    for info in infos:
        if info.filename.startswith("word/") and info.filename in checked and not info.filename.endswith(".rels"):
            data = archive.read(info)
            if b"instrText" in data or b"fldSimple" in data:
                for code in field_codes(data):
                    if outside_field(code):
                        refuse(f"{describe(info.filename)}中有引用外部内容的域“{_shown(code)}”：Word 或 LibreOffice "
                               "打开报告时会去读取文件或访问网络。请删去这个域", "template-external")  # fmt: skip
                    elif "{{" in code or "{%" in code:
                        refuse(f"{describe(info.filename)}中有一个域的指令里写了标签（“{_shown(code)}”）：生成时数据"
                               "会变成域指令，可能让 Word 去读取文件或访问网络。请把标签移到域的外面",
                               "template-field-tag")  # fmt: skip
    for info in infos:
        if info.filename not in checked:
            with archive.open(info) as stream:
                if stream.read(4) == b"PK\x03\x04":
                    problems += _embedded_problems(info.filename, archive.read(info), place)
    return TemplateAudit(problems, attached, checked)


def _embedded_problems(name: str, data: bytes, place: Place) -> list[Problem]:
    """A package embedded in the template (a chart's workbook, an embedded document): Word or LibreOffice open it
    too, so the same doors stay shut inside it, one level deep: no DTD in any part, no external target, no macros."""
    found: list[Problem] = []

    def refuse(what: str, code: str) -> None:
        found.append(Problem(f"模板中嵌入的文件 {name} 里{what}，已拒绝", place=place, code=code))

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as nested:
            infos = [i for i in nested.infolist() if not i.is_dir()]
            if sum(i.file_size for i in infos) > 20 * max(len(data), 1024 * 1024):
                refuse("解压后异常巨大（可能是压缩炸弹）", "template-zip-bomb")
                return found
            for info in infos:
                part = nested.read(info)
                if _is_macro_part(info.filename) or info.filename.lower().endswith("vbaproject.bin"):
                    refuse(f"含有宏代码（{info.filename}）", "template-macro")
                if not is_xml_part(info.filename, part[:64]):
                    continue
                try:
                    check_xml(slices(part))
                except UnsafeXML:
                    refuse(f"的 {info.filename} 含有不安全的 XML 声明（DOCTYPE/ENTITY）", "template-unsafe-xml")
                    continue
                except BrokenXML:
                    continue  # a damaged embedded file is the program that opens it's business, not a door
                if info.filename.endswith(".rels"):
                    for rel in read_relationships(info.filename, part):
                        if rel.external and not external_allowed(rel):
                            refuse(f"有指向外部的链接（{rel.kind}：{_shown(rel.target)}），打开时会去读取文件或访问网络",
                                   "template-external")  # fmt: skip
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
        pass  # not a package after all: an embedded file of some other kind
    return found


def outside_field(code: str) -> bool:
    """A field instruction that pulls content from outside: INCLUDEPICTURE, INCLUDETEXT, LINK, DDE…"""
    word = _FIELD_WORD.match(code)
    return bool(word) and word.group(1).upper() in _OUTSIDE_FIELDS  # type: ignore[union-attr]


def field_codes(data: bytes) -> list[str]:
    """Every field instruction in a part: complex fields spread over runs (nested ones each on its own), and simple
    fields."""
    root = parse(data)
    found: list[str] = []
    stack: list[list[str]] = []
    for element in root.iter(f"{{{W}}}fldChar", f"{{{W}}}instrText", f"{{{W}}}fldSimple"):
        if element.tag == f"{{{W}}}fldSimple":
            found.append(element.get(f"{{{W}}}instr", ""))
        elif element.tag == f"{{{W}}}instrText":
            if stack:
                stack[-1].append(element.text or "")
            else:
                found.append(element.text or "")
        else:
            kind = element.get(f"{{{W}}}fldCharType")
            if kind == "begin":
                stack.append([])
            elif kind in ("separate", "end") and stack:
                pieces = stack.pop() if kind == "end" else stack[-1]
                found.append("".join(pieces))
                if kind == "separate":
                    stack[-1] = []  # taken once; the result that follows is no instruction
    found.extend("".join(pieces) for pieces in stack)
    return [code.strip() for code in found if code.strip()]


def outside_fields(data: bytes) -> list[str]:
    """Field instructions in a part that pull content from outside."""
    return [code for code in field_codes(data) if outside_field(code)]


def drop_attached_templates(
    entries: list[tuple[str, bytes]], attached: Iterable[Relationship]
) -> list[tuple[str, bytes]]:
    """The parts without the attached-template links: the relationships, and the settings that point at them."""
    by_rels: dict[str, set[str]] = {}
    for rel in attached:
        by_rels.setdefault(rels_name(rel.source), set()).add(rel.id)
    changed = []
    for name, data in entries:
        if name in by_rels:
            root = parse(data)
            for element in list(root.iter(f"{{{PACKAGE_RELATIONSHIPS}}}Relationship")):
                if element.get("Id") in by_rels[name]:
                    element.getparent().remove(element)
            data = serialize(root)
        elif any(source_of(rels) == name for rels in by_rels):
            root = parse(data)
            ids = set().union(*(ids for rels, ids in by_rels.items() if source_of(rels) == name))
            for element in list(root.iter(f"{{{W}}}attachedTemplate")):
                if element.get(f"{{{R}}}id") in ids:
                    element.getparent().remove(element)
            data = serialize(root)
        changed.append((name, data))
    return changed


def _is_macro_part(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(("vbaproject.bin", "vbadata.xml")) or "/activex/" in lower


def _shown(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------------------------
# Every report, before it is written


class InvalidReport(Exception):
    """The package about to be written breaks a rule every report keeps; the message says which, for the log."""


class StreamedPart:
    """A part made piece by piece as it is written, never held whole: a report's body with a table of thousands of
    rows (12 million characters for 10,000 rows). check_report checks everything about it but its content; its
    content is checked as it is written, through checked_pieces, by the same rules. ``skeleton``: the part without
    the pieces made on the way (its namespace declarations are all there)."""

    def __init__(self, pieces: Callable[[], Iterator[bytes]], skeleton: bytes) -> None:
        self.pieces = pieces
        self.skeleton = skeleton


def check_report(parts: Mapping[str, bytes], checked: Iterable[str] = ()) -> None:
    """Raise InvalidReport unless the package is one Word opens without a question: every XML part well-formed and
    without a DTD, every part with a content type, the main part a plain document, every relationship resolving
    inside the package or a hyperlink to the web, no macros, and every relationship id a part uses present in its
    relationships. ``checked`` names parts already proven by check_parts (a template's parts copied unchanged into
    every report: proven once, not once per report)."""
    if TYPES not in parts:
        raise InvalidReport("缺少内容类型表 [Content_Types].xml")
    done = set(checked)
    check_parts(parts, [name for name in parts if name not in done])
    for name in parts:  # a field's instruction written by the data (a template is refused for it; the last net)
        if name not in done and name.startswith("word/") and name.endswith(".xml"):
            part = parts[name]  # a streamed body: its skeleton (the long tables made on the way are our own cells)
            data = part.skeleton if isinstance(part, StreamedPart) else part
            if b"instrText" in data or b"fldSimple" in data:
                for code in outside_fields(data):
                    raise InvalidReport(f"{name} 中有引用外部内容的域“{_shown(code)}”")
    defaults, overrides = read_content_types(parts[TYPES])
    for name in parts:
        if _is_macro_part(name):
            raise InvalidReport(f"{name} 是宏代码")
        if name != TYPES and not content_type(name, defaults, overrides):
            raise InvalidReport(f"{name} 没有内容类型")
    if content_type(DOCUMENT, defaults, overrides) != DOCUMENT_MAIN:
        raise InvalidReport(f"正文的内容类型是“{content_type(DOCUMENT, defaults, overrides)}”，不是普通 Word 文档")
    mains = [rel for rel in read_relationships("_rels/.rels", parts.get("_rels/.rels", b"<r/>"))
             if rel.type.endswith(OFFICE_DOCUMENT)]  # fmt: skip
    if len(mains) != 1 or mains[0].external or mains[0].part() != DOCUMENT:
        raise InvalidReport("文件的主体部分不是 word/document.xml")


def check_parts(parts: Mapping[str, bytes], names: Iterable[str]) -> None:
    """The parts ``names`` of the package ``parts``: XML well-formed and without a DTD; relationships unique, resolving
    inside the package (or hyperlinks to the web), none to macros; every relationship id used defined (searched in
    the parts named, and in any part whose relationships are named)."""
    names = list(names)
    for name in names:
        data = parts[name]
        if isinstance(data, StreamedPart) or not is_xml_part(name, data[:64]):
            continue  # a streamed part is checked as it is written (checked_pieces)
        try:
            check_xml(slices(data))
        except (UnsafeXML, BrokenXML) as exc:
            raise xml_invalid(name, exc) from None
    ids_by_part: dict[str, set[str]] = {}
    for name in names:
        if not name.endswith(".rels"):
            continue
        relationships = read_relationships(name, parts[name])
        ids = [rel.id for rel in relationships]
        if len(ids) != len(set(ids)):
            raise InvalidReport(f"{name} 中有重复的关系编号")
        ids_by_part[source_of(name)] = set(ids)
        for rel in relationships:
            if rel.external:
                if not external_allowed(rel):
                    raise InvalidReport(f"{name} 中有指向外部的 {rel.kind} 关系（{_shown(rel.target)}）")
            elif rel.part() not in parts:
                raise InvalidReport(f"{name} 中的关系 {rel.id} 指向不存在的部件 {rel.part()}")
            if rel.type.endswith(_MACRO_RELS):
                raise InvalidReport(f"{name} 中的关系 {rel.id} 指向宏代码")
    for name in {*names, *(source for source in ids_by_part if source in parts)}:
        if name.endswith(".rels") or isinstance(parts[name], StreamedPart) or not is_xml_part(name, parts[name][:64]):
            continue
        data = _as_utf8(parts[name])
        prefixes = set(_R_PREFIX.findall(data))
        if not prefixes:
            continue
        if name not in ids_by_part:
            ids_by_part[name] = _relationship_ids(name, parts)
        _check_references(name, data, prefixes, ids_by_part[name])


def checked_pieces(name: str, parts: Mapping[str, bytes | StreamedPart]) -> Iterator[bytes]:
    """The pieces of the streamed part ``name`` as they are made, checked as check_parts checks a part: XML
    well-formed and without a DTD (UnsafeXML, BrokenXML: see xml_invalid), every relationship id used defined
    (InvalidReport). The last piece is followed by the end of the check."""
    part = parts[name]
    assert isinstance(part, StreamedPart)
    check = XMLCheck()
    prefixes = set(_R_PREFIX.findall(part.skeleton))
    ids = _relationship_ids(name, parts) if prefixes else set()
    for piece in part.pieces():
        check.feed(piece)
        if prefixes:
            _check_references(name, piece, prefixes, ids)
        yield piece
    check.close()


def xml_invalid(name: str, exc: UnsafeXML | BrokenXML) -> InvalidReport:
    if isinstance(exc, UnsafeXML):
        return InvalidReport(f"{name} 含有 DTD 声明")
    return InvalidReport(f"{name} 不是格式正确的 XML（第 {exc.line} 行）")


def _relationship_ids(name: str, parts: Mapping[str, bytes | StreamedPart]) -> set[str]:
    rels = rels_name(name)
    return {rel.id for rel in read_relationships(rels, parts[rels])} if rels in parts else set()  # type: ignore[arg-type]


def _check_references(name: str, data: bytes, prefixes: set[bytes], ids: set[str]) -> None:
    for prefix in prefixes:
        for found in re.finditer(_REFERENCE % re.escape(prefix), data):
            rid = found.group(1).decode("utf-8", "replace")
            if found.start() == 0 or data[found.start() - 1 : found.start()] not in b" \t\r\n":
                continue  # the end of a longer prefix (xr:id), not this one
            if rid and rid not in ids:
                raise InvalidReport(f"{name} 用到的关系 {rid} 在 {rels_name(name)} 中不存在")


def _as_utf8(data: bytes) -> bytes:
    """A part saved as UTF-16 in UTF-8, for the searches that look for ASCII markup."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace").encode("utf-8")
    if data.startswith(b"<\x00"):
        return data.decode("utf-16-le", "replace").encode("utf-8")
    if data.startswith(b"\x00<"):
        return data.decode("utf-16-be", "replace").encode("utf-8")
    return data


def slices(data: bytes, size: int = 1 << 20) -> Iterable[bytes]:
    """A part in pieces for the streaming parser, which is faster on pieces than on one large buffer."""
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield view[start : start + size].tobytes()
    if not data:
        yield b""


# Every client reads the plain form (LibreOffice, for one, does not open a package whose relationships carry a
# namespace prefix): relationships and content types are always written in it, whatever form the template used.
_KEPT = {"Relationship": ("Id", "Type", "Target", "TargetMode"), "Default": ("Extension", "ContentType"),
         "Override": ("PartName", "ContentType")}  # fmt: skip


def _plain(data: bytes | None, namespace: str, root: str, children: tuple[str, ...]) -> etree._Element:
    """The part rebuilt in the default namespace, UTF-8, with only the attributes the format defines."""
    plain = etree.Element(f"{{{namespace}}}{root}", nsmap={None: namespace})
    if data is not None:
        for element in parse(data).iter(*(f"{{{namespace}}}{child}" for child in children)):
            kind = etree.QName(element).localname
            attributes = {key: element.get(key) for key in _KEPT[kind] if element.get(key) is not None}
            etree.SubElement(plain, f"{{{namespace}}}{kind}", attributes)
    return plain


def plain_relationships(data: bytes | None, added: Iterable[tuple[str, str, str]] = ()) -> bytes:
    """A relationships part (or a new one) in the plain form, with (id, type, target) relationships appended."""
    root = _plain(data, PACKAGE_RELATIONSHIPS, "Relationships", ("Relationship",))
    for rid, kind, target in added:
        etree.SubElement(root, f"{{{PACKAGE_RELATIONSHIPS}}}Relationship", Id=rid, Type=kind, Target=target)
    return serialize(root)


def plain_content_types(
    data: bytes, extensions: Mapping[str, str] | None = None, overrides: Mapping[str, str] | None = None
) -> bytes:
    """The content types in the plain form, with a Default for each new extension, an Override for each new part,
    and the main part declared a plain Word document (a template saved as .dotx and renamed is made a document)."""
    root = _plain(data, CONTENT_TYPES, "Types", ("Default", "Override"))
    known = {e.get("Extension", "").lower() for e in root.iter(f"{{{CONTENT_TYPES}}}Default")}
    declared = {**(overrides or {}), DOCUMENT: DOCUMENT_MAIN}
    wanted = {f"/{part}".lower(): (f"/{part}", kind) for part, kind in declared.items()}
    for element in list(root.iter(f"{{{CONTENT_TYPES}}}Override")):
        if unquote(element.get("PartName", "")).lower() in wanted:
            root.remove(element)
    for extension, kind in sorted((extensions or {}).items()):
        if extension.lower() not in known:
            etree.SubElement(root, f"{{{CONTENT_TYPES}}}Default", Extension=extension, ContentType=kind)
    for name, kind in wanted.values():
        etree.SubElement(root, f"{{{CONTENT_TYPES}}}Override", PartName=name, ContentType=kind)
    return serialize(root)
