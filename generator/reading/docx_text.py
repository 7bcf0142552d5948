"""Every piece of text of a .docx a reader can see, in reading order, with where it is.

Body paragraphs and tables (cell by cell), text boxes (``w:txbxContent``; Word stores each twice, as a DrawingML
shape and a VML fallback, and only the first is read), headers, footers, footnotes and endnotes. Deleted revisions,
field codes, ruby annotations and hidden runs are left out: they are not on the page. Works on the XML directly, so
any Word, WPS or LibreOffice file reads, whatever content types it declares; the package is checked first (old
.doc, not a zip, zip bombs, DOCTYPE declarations), as a template is.
"""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from generator.errors import Place, Problem, ReportError
from generator.reading.text import Normalized, normalize
from generator.sources.raw import display_name

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
V = "{urn:schemas-microsoft-com:vml}"
REL_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

MAX_DOCX_BYTES = 50 * 1024 * 1024
MAX_UNPACKED = 300 * 1024 * 1024
MAX_PART = 100 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)

# Elements whose text is not on the page, or is read elsewhere (text boxes get places of their own).
_SKIP = {
    f"{W}txbxContent",
    f"{MC}Fallback",
    f"{W}del",
    f"{W}moveFrom",
    f"{W}instrText",
    f"{W}delInstrText",
    f"{W}rt",
    f"{W}footnoteReference",
    f"{W}endnoteReference",
}


@dataclass(frozen=True)
class Where:
    """A place in the document a person can find: 正文第 12 段, 第 2 张表格（数说2019）第 3 行第 5 列, 页眉."""

    story: str  # 正文, 表格, 文本框, 页眉, 页脚, 脚注, 尾注
    number: int = 0  # paragraph number within the story (1-based), or the table's number
    row: int = 0
    column: int = 0
    title: str = ""  # a table's title (the short paragraph above it), a column's header
    header: str = ""

    def __str__(self) -> str:
        if self.story == "表格":
            title = f"（{self.title}）" if self.title else ""
            column = f"「{self.header}」列" if self.header else f"第 {self.column} 列"
            return f"第 {self.number} 张表格{title}第 {self.row} 行{column}"
        if self.story == "正文":
            return f"正文第 {self.number} 段"
        return f"{self.story}第 {self.number} 段" if self.number else self.story


@dataclass(frozen=True)
class Passage:
    """One paragraph (or one table cell) as read: its text normalised, and how it looks."""

    where: Where
    text: Normalized
    style: str = ""  # the paragraph style's name (Heading 1, 标题 1, 小标题 …)
    outline: int | None = None  # 0 for a first-level heading, from the paragraph or its style
    bold: bool = False  # every character of it is bold
    size: float = 0.0  # the largest font size in points (0: not known)
    centered: bool = False
    picture: bool = False  # holds an inline picture
    pieces: tuple[tuple[int, Where], ...] = ()  # paragraphs joined into this one: (offset in the original, place)

    @property
    def plain(self) -> str:
        return self.text.text

    def where_at(self, position: int) -> Where:
        """The paragraph that holds ``position`` of the text (one of several joined, or this one)."""
        if not self.pieces or not self.text.index:
            return self.where
        original = self.text.index[min(position, len(self.text.index) - 1)]
        found = self.where
        for offset, where in self.pieces:
            if offset <= original:
                found = where
        return found


@dataclass
class TableBlock:
    where: Where  # story 表格, number, title
    rows: list[list[Passage]]


@dataclass
class DocxText:
    name: str  # how messages call the file
    body: list[Passage | TableBlock] = field(default_factory=list)  # in reading order
    others: list[Passage] = field(default_factory=list)  # text boxes, headers, footers, notes

    def passages(self) -> list[Passage]:
        """Every paragraph and table cell, body first."""
        found: list[Passage] = []
        for block in self.body:
            if isinstance(block, TableBlock):
                found += [cell for row in block.rows for cell in row]
            else:
                found.append(block)
        return found + self.others


# ---------------------------------------------------------------------------------------------------------------
# The package


def _refuse(name: str, message: str, code: str) -> ReportError:
    return ReportError(Problem(message, place=Place(name), code=code))


def read_bytes(path: Path) -> bytes:
    name = display_name(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _refuse(name, "这是一个文件夹，不是 Word 文档", "docx-not-file")
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(name, "这不是普通文件（而是管道或设备），不是 Word 文档", "docx-not-file")
        if info.st_size > MAX_DOCX_BYTES:
            raise _refuse(name, "文件过大（超过 50 MB），不像是一份工作报告", "docx-too-large")
        data = path.read_bytes()
    except FileNotFoundError:
        raise _refuse(name, "找不到这个文件", "docx-not-found") from None
    except PermissionError:
        raise _refuse(
            name, "没有读取这个文件的权限；如果它正在 Word 或 WPS 中打开，请先关闭", "docx-unreadable"
        ) from None
    except OSError as exc:
        raise _refuse(name, f"无法读取文件：{exc.strerror}", "docx-unreadable") from None
    return data


def read_docx(path: Path) -> DocxText:
    """The text of the .docx at ``path``; ReportError (in Chinese, naming the file) for anything else."""
    name = display_name(path)
    if path.name.startswith("~$"):
        raise _refuse(
            name, "这是 Word/WPS 打开文档时生成的临时锁文件（以 ~$ 开头），请选择不带 ~$ 的那个文件", "docx-lock"
        )
    return docx_text(read_bytes(path), name)


def docx_text(data: bytes, name: str) -> DocxText:
    if not data:
        raise _refuse(name, "文件是空的（0 字节），不是 Word 文档", "docx-empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            name, "这是旧版 Word（.doc）、WPS 文字（.wps）或加了密码的文档，请在 Word/WPS 中另存为 .docx", "docx-old"
        )
    if not data.startswith(b"PK"):
        raise _refuse(name, "这不是 .docx 文件（内容不是 Word 文档）", "docx-not-docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _Reader(archive, name).read()
    except ReportError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, etree.LxmlError, RuntimeError):
        raise _refuse(name, "文件已损坏，无法作为 .docx 打开", "docx-corrupt") from None


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.archive = archive
        self.name = name
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        packed = max(sum(i.compress_size for i in infos), 1)
        if total > MAX_UNPACKED or total > 200 * max(packed, 1024 * 1024):
            raise _refuse(name, "文件解压后异常巨大（可能是压缩炸弹），已拒绝", "docx-zip-bomb")
        self.parts = {i.filename: i for i in infos}
        self.styles: dict[str, _Style] = {}
        self.text_boxes = 0
        self.paragraphs = 0

    def xml(self, part: str) -> etree._Element | None:
        info = self.parts.get(part)
        if info is None:
            return None
        if info.file_size > MAX_PART:
            raise _refuse(self.name, "文档中有异常巨大的部分，已拒绝", "docx-zip-bomb")
        data = self.archive.read(info)
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
            raise _refuse(self.name, "文档中含有不安全的 XML 声明（DOCTYPE/ENTITY），已拒绝", "docx-unsafe-xml")
        return etree.fromstring(data, _PARSER)

    def relationships(self, part: str) -> list[tuple[str, str]]:
        """(type, target part) of the relationships of ``part``."""
        folder, base = posixpath.split(part)
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        if rels is None:
            return []
        found = []
        for rel in rels.iter(f"{PKG_REL}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            resolved = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
            found.append((rel.get("Type", "").rsplit("/", 1)[-1], resolved))
        return found

    def read(self) -> DocxText:
        main = next((t for kind, t in self.relationships("") if kind == "officeDocument"), "word/document.xml")
        root = self.xml(main)
        if root is None:
            raise _refuse(self.name, "这不是 Word 文档（缺少正文部分）", "docx-not-docx")
        related = self.relationships(main)
        for kind, target in related:
            if kind == "styles":
                self.styles = _styles(self.xml(target))
        result = DocxText(self.name)
        body = root.find(f"{W}body")
        if body is not None:
            self._blocks(body, result)
            result.others += self._text_boxes(body)
        for kind, label in (("header", "页眉"), ("footer", "页脚"), ("footnotes", "脚注"), ("endnotes", "尾注")):
            number = 0
            for rel_kind, target in related:
                if rel_kind != kind:
                    continue
                part = self.xml(target)
                if part is None:
                    continue
                for p in _paragraphs_in(part):
                    passage = self._passage(p, Where(label))
                    if passage.plain:
                        number += 1
                        result.others.append(self._passage(p, Where(label, number)))
                result.others += self._text_boxes(part)
        return result

    # -- body

    def _blocks(self, container: etree._Element, result: DocxText) -> None:
        for child in container:
            if child.tag == f"{W}p":
                passage = self._passage(child, Where("正文", self.paragraphs + 1))
                if passage.plain or passage.picture:
                    self.paragraphs += 1
                    result.body.append(passage)
            elif child.tag == f"{W}tbl":
                self._table(child, result)
            elif child.tag in {f"{W}sdt", f"{W}customXml", f"{W}sdtContent", f"{W}ins", f"{W}smartTag"}:
                self._blocks(child.find(f"{W}sdtContent") if child.tag == f"{W}sdt" else child, result)

    def _table(self, table: etree._Element, result: DocxText) -> None:
        number = sum(1 for b in result.body if isinstance(b, TableBlock)) + 1
        title = ""
        previous = next((b for b in reversed(result.body) if isinstance(b, Passage)), None)
        if previous is not None and previous is result.body[-1] and len(previous.plain) <= 30:
            title = previous.plain
        rows: list[list[Passage]] = []
        nested: list[etree._Element] = []
        headers: list[str] = []
        for r, tr in enumerate(table.iterchildren(f"{W}tr"), start=1):
            cells: list[Passage] = []
            column = 1
            for tc in tr.iterchildren(f"{W}tc"):
                span = tc.find(f"{W}tcPr/{W}gridSpan")
                width = int(span.get(f"{W}val", "1")) if span is not None and span.get(f"{W}val", "1").isdigit() else 1
                merged = tc.find(f"{W}tcPr/{W}vMerge")
                continued = merged is not None and merged.get(f"{W}val", "continue") == "continue"
                nested += list(tc.iter(f"{W}tbl"))
                if not continued:
                    header = headers[column - 1] if r > 1 and column - 1 < len(headers) else ""
                    where = Where("表格", number, r, column, title, header)
                    paragraphs = [self._passage(p, where) for p in tc.iterchildren(f"{W}p")]
                    cells.append(_joined(paragraphs, where))
                column += max(width, 1)
            if r == 1:
                headers = [""] * (column - 1)
                for cell in cells:
                    headers[cell.where.column - 1] = cell.plain
            rows.append(cells)
        result.body.append(TableBlock(Where("表格", number, title=title), rows))
        for inner in nested:
            if inner.getparent() is not None:
                self._table(inner, result)

    def _text_boxes(self, root: etree._Element) -> list[Passage]:
        found = []
        for box in root.iter(f"{W}txbxContent"):
            if any(a.tag == f"{MC}Fallback" for a in box.iterancestors()):
                continue  # the VML copy of a shape already read
            self.text_boxes += 1
            number = 0
            for p in box.iter(f"{W}p"):
                passage = self._passage(p, Where(f"文本框 {self.text_boxes} "))
                if passage.plain:
                    number += 1
                    found.append(self._passage(p, Where(f"文本框 {self.text_boxes} ", number)))
        return found

    # -- one paragraph

    def _passage(self, p: etree._Element, where: Where) -> Passage:
        style = self.styles.get(_val(p.find(f"{W}pPr/{W}pStyle")) or "", _Style())
        pieces: list[str] = []
        bold_chars = 0
        chars = 0
        size = 0.0
        picture = False
        for run, text in _runs(p):
            if run is None:
                picture = True
                continue
            pieces.append(text)
            visible = len(text.strip())
            chars += visible
            rpr = run.find(f"{W}rPr")
            bold = _flag(rpr.find(f"{W}b")) if rpr is not None and rpr.find(f"{W}b") is not None else style.bold
            if bold:
                bold_chars += visible
            run_size = _size(rpr) if rpr is not None else None
            size = max(size, run_size or style.size)
        outline = _val(p.find(f"{W}pPr/{W}outlineLvl"))
        level = int(outline) if outline and outline.isdigit() else style.outline
        jc = _val(p.find(f"{W}pPr/{W}jc")) or style.jc
        return Passage(
            where,
            normalize("".join(pieces)),
            style=style.name,
            outline=level if level is not None and level < 9 else None,
            bold=chars > 0 and bold_chars == chars,
            size=size,
            centered=jc == "center",
            picture=picture,
        )


def _joined(paragraphs: list[Passage], where: Where) -> Passage:
    text = "\n".join(p.text.original for p in paragraphs if p.plain)
    first = next((p for p in paragraphs if p.plain), None)
    return Passage(where, normalize(text), bold=first.bold if first else False)


def _paragraphs_in(root: etree._Element) -> list[etree._Element]:
    """Paragraphs of a header, footer or notes part, outside text boxes (read on their own)."""
    return [p for p in root.iter(f"{W}p") if not any(a.tag == f"{W}txbxContent" for a in p.iterancestors())]


def _runs(p: etree._Element):
    """The visible text of a paragraph run by run, in order; (None, "") where a picture stands."""
    stack = [iter([p])]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == f"{W}r":
            rpr = element.find(f"{W}rPr")
            if rpr is not None and rpr.find(f"{W}vanish") is not None and _flag(rpr.find(f"{W}vanish")):
                continue
            text = []
            for child in element.iter():
                if any(a.tag in _SKIP for a in _between(child, element)):
                    continue
                if child.tag == f"{W}t":
                    text.append(child.text or "")
                elif child.tag == f"{W}tab":
                    text.append("\t")
                elif child.tag in {f"{W}br", f"{W}cr"}:
                    text.append("\n")
                elif child.tag == f"{W}noBreakHyphen":
                    text.append("-")
                elif child.tag in {f"{PIC}pic", f"{V}imagedata"}:
                    yield None, ""
            yield element, "".join(text)
            continue
        if tag == f"{W}p" and element is not p:
            continue  # a paragraph inside (a text box): read as its own
        stack.append(iter(element))


def _between(child: etree._Element, top: etree._Element) -> list[etree._Element]:
    """The ancestors of ``child`` up to (not including) ``top``, and child itself."""
    chain = [child]
    for ancestor in child.iterancestors():
        if ancestor is top:
            break
        chain.append(ancestor)
    return chain


def _val(element: etree._Element | None) -> str | None:
    return element.get(f"{W}val") if element is not None else None


def _flag(element: etree._Element | None) -> bool:
    if element is None:
        return False
    return element.get(f"{W}val", "true").lower() not in {"0", "false", "off", "none"}


def _size(rpr: etree._Element) -> float | None:
    for tag in (f"{W}sz", f"{W}szCs"):
        value = _val(rpr.find(tag))
        if value and value.isdigit():
            return int(value) / 2
    return None


@dataclass(frozen=True)
class _Style:
    name: str = ""
    outline: int | None = None
    bold: bool = False
    size: float = 0.0
    jc: str | None = None


def _styles(root: etree._Element | None) -> dict[str, _Style]:
    """Paragraph styles by id, with what they inherit (basedOn) resolved."""
    if root is None:
        return {}
    raw: dict[str, dict[str, object]] = {}
    for style in root.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        if not style_id:
            continue
        rpr = style.find(f"{W}rPr")
        outline = _val(style.find(f"{W}pPr/{W}outlineLvl"))
        raw[style_id] = {
            "name": _val(style.find(f"{W}name")) or style_id,
            "based": _val(style.find(f"{W}basedOn")),
            "outline": int(outline) if outline and outline.isdigit() else None,
            "bold": _flag(rpr.find(f"{W}b")) if rpr is not None and rpr.find(f"{W}b") is not None else None,
            "size": _size(rpr) if rpr is not None else None,
            "jc": _val(style.find(f"{W}pPr/{W}jc")),
        }

    def resolve(style_id: str, key: str, depth: int = 0) -> object:
        entry = raw.get(style_id)
        if entry is None or depth > 20:
            return None
        value = entry[key]
        if value is None and entry["based"]:
            return resolve(str(entry["based"]), key, depth + 1)
        return value

    return {
        style_id: _Style(
            name=str(entry["name"]),
            outline=resolve(style_id, "outline"),  # type: ignore[arg-type]
            bold=bool(resolve(style_id, "bold")),
            size=float(resolve(style_id, "size") or 0.0),  # type: ignore[arg-type]
            jc=resolve(style_id, "jc"),  # type: ignore[arg-type]
        )
        for style_id, entry in raw.items()
    }
