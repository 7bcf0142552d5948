"""The workbook as a file, before any parser sees it: what kind of file it is (an old .xls, a CSV or web page named
.xlsx, a lock file…), whether it is safe to open (sizes, compression ratios, entity declarations), and what
openpyxl's read-only mode does not tell (merged ranges, formulas without a cached value, damaged cells)."""

from __future__ import annotations

import codecs
import io
import itertools
import math
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree

from generator.errors import Place, Problem, ReportError
from generator.ooxml import CHUNK, BrokenXML, UnsafeXML, XMLCheck, chunks_of, is_xml_part, parse

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 150  # sheet XML compresses well, but not a thousandfold
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL = re.compile(r"([A-Z]+)(\d+)")


OLE_MESSAGE = (
    "这是旧版 Excel（.xls）、WPS 表格（.et）或设置了打开密码的工作簿，无法读取；"
    "请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx），不要设置密码"
)
UNSAFE_XML_MESSAGE = "工作簿中含有不安全的 XML 声明（DOCTYPE/ENTITY），已拒绝读取"
STRICT_MESSAGE = (
    "不是按常见的 Excel 工作簿格式保存的（可能是“Strict Open XML”格式），无法读取；"
    "请在 Excel 中“另存为”Excel 工作簿（.xlsx），不要选 Strict Open XML"
)


def problem(name: str, message: str, code: str, sheet: str | None = None, cell: str | None = None) -> Problem:
    return Problem(message, place=Place(name, sheet=sheet, cell=cell), code=code)


# ---------------------------------------------------------------------------------------------------------------
# Before any parser: what kind of file is this, and is it safe to open?


def read_checked(path: Path, name: str) -> bytes:
    if path.name.startswith("~$"):
        raise ReportError(
            problem(
                name,
                "这是 Excel/WPS 打开工作簿时生成的临时锁文件（以 ~$ 开头），不是工作簿；请选择不带 ~$ 的那个文件",
                "xlsx-lock-file",
            )
        )
    try:
        info = path.stat()
        size = info.st_size
        if stat.S_ISDIR(info.st_mode):
            raise ReportError(problem(name, "这是一个文件夹，不是工作簿", "not-file"))
        if not stat.S_ISREG(info.st_mode):
            # a named pipe blocks reading for ever, a device (/dev/zero) never ends: refuse before opening
            raise ReportError(problem(name, "这不是普通文件（而是管道或设备），不是工作簿", "not-file"))
        if size > MAX_FILE_BYTES:
            raise ReportError(
                problem(name, f"文件过大（{size // 1024 // 1024} MB），一年的数据不应超过 50 MB", "too-large")
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReportError(problem(name, "找不到这个文件", "not-found")) from None
    except PermissionError:
        raise ReportError(
            problem(name, "没有读取这个文件的权限；如果它正在 Excel 中打开，请先关闭", "no-permission")
        ) from None
    except OSError as exc:
        raise ReportError(problem(name, f"无法读取文件：{exc.strerror}", "unreadable")) from None
    if not data:
        raise ReportError(problem(name, "文件是空的（0 字节），不是工作簿", "empty-file"))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReportError(problem(name, OLE_MESSAGE, "xlsx-old-format"))
    if not data.startswith(b"PK"):
        raise ReportError(problem(name, _what_it_is(data), "xlsx-not-workbook"))
    return data


def _what_it_is(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in head[:512]:
        return (
            "这是网页（HTML/XML）文件，只是扩展名写成了 .xlsx；请用 Excel 或 WPS 打开，再“另存为”Excel 工作簿（.xlsx）"
        )
    if head.startswith(b"%pdf"):
        return "这是 PDF 文件，不是工作簿"
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data[:4096].decode("gb18030")
        except UnicodeDecodeError:
            text = ""
    if text and ("," in text or "\t" in text) and "\x00" not in text:
        return "这是 CSV 或文本文件，只是扩展名写成了 .xlsx；请用 Excel 或 WPS 打开，再“另存为”Excel 工作簿（.xlsx）"
    return "这不是 Excel 工作簿（.xlsx），内容无法识别"


# What a year's workbook never needs more of; beyond these, reading would take minutes and gigabytes (openpyxl
# keeps every shared string, and parses every row and cell a sheet lists, empty or not).
MAX_SHARED_STRINGS = 200_000  # texts in the shared string table: a year fills at most ~120,000 cells
# Tags ('<') in the sheets as the sheet reader (xlsx_sheet) will parse them, once the empty formatted rows after the
# last row with something in it are left out: 120,000 filled cells take about 700,000.
MAX_MARKUP = 1_000_000
MAX_ROWS = 200_000  # rows the sheet reader parses, all sheets together
MAX_MERGES = 20_000  # merged ranges, all sheets together
# Records in the styles part (cell formats, fonts, fills, borders…): Excel allows 64,000 cell formats; openpyxl
# keeps every record as objects (150,000 take 300 MB).
MAX_STYLE_RECORDS = 100_000
TRIM_WORTH = 1024 * 1024  # bytes of empty formatted rows at a sheet's end worth writing a lighter package for


@dataclass
class SheetScan:
    """What openpyxl's read-only mode does not tell: merged ranges and formulas without a cached value."""

    part: str = ""  # the sheet's XML in the package
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    uncached_formulas: set[str] = field(default_factory=set)


@dataclass
class PackageScan:
    sheets: dict[str, SheetScan]  # by sheet name
    package: bytes  # what openpyxl reads: the file itself, or the same workbook without its empty formatting


_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*\bref="([^"]+)"')
_FORMULA_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\b([^>]*)>((?:(?!</(?:[\w.-]+:)?c>).)*?<(?:[\w.-]+:)?f\b(?:(?!</(?:[\w.-]+:)?c>).)*?)"
    rb"</(?:[\w.-]+:)?c>",
    re.S,
)
_REFERENCE = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_CACHED = re.compile(rb"<(?:[\w.-]+:)?v>[^<]+</(?:[\w.-]+:)?v>|<(?:[\w.-]+:)?is>")
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
# The end of a value, of an inline text, of a formula: the bytes every cell with something in it holds. Rows after
# the last of them, up to the end of the sheet's data, are formatting only (a sheet formatted down to row 1,048,576:
# openpyxl would parse every one of them, a minute and half a gigabyte).
_CONTENT = (b"v>", b"is>", b"f>")
_DECLARED_ENCODING = re.compile(r"""^(<\?xml[^>]*?encoding\s*=\s*["'])[^"']*""")


def scan_package(data: bytes, name: str) -> PackageScan:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ReportError(problem(name, "文件已损坏，无法作为 .xlsx 打开", "xlsx-corrupt")) from None
    with archive:
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names:
            what = "Word 文档" if "word/document.xml" in names else "别的压缩包"
            raise ReportError(problem(name, f"这不是 Excel 工作簿（看起来是{what}）", "xlsx-not-workbook"))
        total = sum(info.file_size for info in infos)
        bomb = total > MAX_UNPACKED_BYTES or any(
            info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            for info in infos
        )
        if bomb:
            raise ReportError(problem(name, "文件解压后异常巨大（可能是“压缩炸弹”），已拒绝读取", "xlsx-zip-bomb"))
        try:
            return _Scanner(archive, name, data).scan()
        except UnsafeXML:
            raise ReportError(problem(name, UNSAFE_XML_MESSAGE, "xlsx-unsafe-xml")) from None
        except StrictWorkbook:
            raise ReportError(problem(name, f"这个工作簿{STRICT_MESSAGE}", "xlsx-strict")) from None
        except (*_DAMAGED, BrokenXML, UnicodeDecodeError):
            raise ReportError(problem(name, "工作簿已损坏，无法读取", "xlsx-corrupt")) from None


class StrictWorkbook(Exception):
    """The workbook part is in the namespace of Strict Open XML, which openpyxl and the sheet reader do not read."""


# What a damaged package raises when a part is read: a bad CRC, a broken deflate stream, an unknown compression
# method, a header that does not match the directory, a part cut short.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    OSError,
    ValueError,
    KeyError,
    etree.XMLSyntaxError,
)


class _Scanner:
    """One streaming pass over every part: each XML part checked whole for a DTD (UTF-16 parts read as UTF-16), the
    shared strings counted, each sheet searched for merges and uncached formulas and for where its data ends;
    memory stays flat however large a part is. Parts openpyxl should read otherwise (converted to UTF-8, or without
    a sheet's trailing formatted rows) go into a lighter copy of the package."""

    def __init__(self, archive: zipfile.ZipFile, name: str, data: bytes) -> None:
        self.archive = archive
        self.name = name
        self.data = data
        self.replaced: dict[str, bytes] = {}  # parts openpyxl should read in another form
        self.markup = 0  # tags in the sheets openpyxl will parse
        self.rows = 0  # rows in them
        self.merges = 0

    def refuse(self, message: str, code: str, sheet: str | None = None) -> ReportError:
        return ReportError(problem(self.name, message, code, sheet))

    def scan(self) -> PackageScan:
        names = set(self.archive.namelist())
        parts, shared, styles = _sheet_parts(self.archive)
        missing = [sheet for sheet, part in parts.items() if part not in names]
        if missing:  # openpyxl would drop such a sheet without a word, and its data with it
            raise ReportError(
                [
                    problem(self.name, "这张工作表的内容缺失，工作簿已损坏（可能没有复制完整）", "xlsx-corrupt", sheet)
                    for sheet in missing
                ]
            )
        sheet_of = {part: sheet for sheet, part in parts.items()}
        scans = {}
        for info in self.archive.infolist():
            if info.is_dir():
                continue
            with self.archive.open(info) as stream:
                head = stream.read(64)
            if not is_xml_part(info.filename, head):
                continue
            with self.archive.open(info) as stream:
                chunks, transcoded = _utf8_chunks(stream)
                if info.filename in sheet_of:
                    scans[sheet_of[info.filename]] = self.sheet(sheet_of[info.filename], info, chunks, transcoded)
                elif info.filename == shared:
                    self.shared_strings(info.filename, chunks, transcoded)
                elif info.filename == styles:
                    self.styles(info.filename, chunks, transcoded)
                else:
                    kept = _checked(chunks, keep=transcoded)
                    if transcoded:
                        self.replaced[info.filename] = kept
        return PackageScan({sheet: scans.get(sheet, SheetScan(part)) for sheet, part in parts.items()}, self.package())

    def shared_strings(self, part: str, chunks: Iterator[bytes], transcoded: bool) -> None:
        count = 0
        pieces = []
        for piece in _pieces(_checking(chunks)):
            count += len(_SHARED_STRING.findall(piece))
            if count > MAX_SHARED_STRINGS:
                raise self.refuse(f"共享文字表里的文字过多（超过 {MAX_SHARED_STRINGS} 条），一年的数据不会有这么多；"
                                  "工作簿不会被读取。请在 Excel 或 WPS 中把数据复制到新工作簿再保存",
                                  "xlsx-too-many-strings")  # fmt: skip
            if transcoded:
                pieces.append(piece)
        if transcoded:
            self.replaced[part] = b"".join(pieces)

    def styles(self, part: str, chunks: Iterator[bytes], transcoded: bool) -> None:
        records = 0
        pieces = []
        for piece in _pieces(_checking(chunks)):
            records += piece.count(b"<") - piece.count(b"</") - piece.count(b"<?") - piece.count(b"<!")
            if records > MAX_STYLE_RECORDS:
                message = f"单元格格式过多（超过 {MAX_STYLE_RECORDS} 条格式记录），工作簿不会被读取；"
                raise self.refuse(message + "请在 Excel 或 WPS 中清除多余的格式后另存", "xlsx-too-many-styles")
            if transcoded:
                pieces.append(piece)
        if transcoded:
            self.replaced[part] = b"".join(pieces)

    def sheet(self, sheet: str, info: zipfile.ZipInfo, chunks: Iterator[bytes], transcoded: bool) -> SheetScan:
        """Merges and uncached formulas found by searching the sheet's XML (much cheaper than parsing it a second
        time: openpyxl parses it for the values); and where its data really ends."""
        scan = SheetScan(info.filename)
        offset = tags = rows = 0  # bytes, tags and rows before the current piece
        keep: tuple[int, int, int] | None = None  # (offset, tags, rows) just after the last row with something in it
        rest: tuple[int, int, int] | None = None  # (offset, tags, rows) where </sheetData> starts
        open_row = False  # the last content found is in a row that has not ended yet (a row larger than a piece)
        for piece in _pieces(_checking(chunks)):
            if b"mergeCell" in piece:
                for found in _MERGE.finditer(piece):
                    self.merges += 1
                    bounds = _range(found.group(1).decode())
                    if bounds:
                        scan.merges.append(bounds)
                if self.merges > MAX_MERGES:
                    raise self.refuse(f"合并单元格过多（超过 {MAX_MERGES} 处），工作簿不会被读取",
                                      "xlsx-too-many-merges", sheet)  # fmt: skip
            if (b"<f" in piece or b":f" in piece) and re.search(rb"<(?:[\w.-]+:)?f[\s>/]", piece):
                for found in _FORMULA_CELL.finditer(piece):  # formulas at all (not <formula1> of a drop-down)
                    reference = _REFERENCE.search(found.group(1))
                    if reference and not _CACHED.search(found.group(2)):
                        scan.uncached_formulas.add(reference.group(1).decode())
            if rest is None:
                begin = 0  # where the rows start in this piece
                if keep is None:
                    opening = re.search(rb"<(?:[\w.-]+:)?sheetData\b[^>]*>", piece)
                    if opening:
                        begin = opening.end()
                        keep = (offset + begin, tags + piece.count(b"<", 0, begin), rows + _rows(piece, begin))
                closing = re.search(rb"</(?:[\w.-]+:)?sheetData>", piece) if keep else None
                limit = closing.start() if closing else len(piece)
                last = max(piece.rfind(marker, begin, limit) for marker in _CONTENT) if keep else -1
                if last >= 0 or open_row:  # the row with the last content ends here, or in a later piece
                    end = _first_row_end(piece, max(last, 0), limit)
                    open_row = end < 0
                    cut = end if end >= 0 else limit
                    keep = (offset + cut, tags + piece.count(b"<", 0, cut), rows + _rows(piece, cut))
                if closing:
                    at = closing.start()
                    rest = (offset + at, tags + piece.count(b"<", 0, at), rows + _rows(piece, at))
            tags += piece.count(b"<")
            rows += _rows(piece, len(piece))
            offset += len(piece)
            if keep:  # refused as soon as the data alone is too much
                self.check_markup(sheet, keep[1], keep[2])
        trim = keep is not None and rest is not None and not open_row and rest[0] - keep[0] >= TRIM_WORTH
        if trim and keep and rest:
            self.markup += keep[1] + tags - rest[1]
            self.rows += keep[2] + rows - rest[2]
        else:
            self.markup += tags
            self.rows += rows
        self.check_markup(sheet, 0, 0)
        if trim or transcoded:
            start, end = (keep[0], rest[0]) if trim and keep and rest else (0, 0)
            with self.archive.open(info) as stream:
                self.replaced[info.filename] = b"".join(_without(_utf8_chunks(stream)[0], start, end))
        return scan

    def check_markup(self, sheet: str, tags: int, rows: int) -> None:
        if self.markup + tags > MAX_MARKUP or self.rows + rows > MAX_ROWS:
            what = f"{MAX_ROWS} 行" if self.rows + rows > MAX_ROWS else f"{MAX_MARKUP} 个单元格和标记"
            message = (f"工作表的内容过多（超过 {what}；最后一行数据之后只设了格式的空行不算），一年的数据"
                       "不会有这么多；工作簿不会被读取。请删除不需要的行再保存")  # fmt: skip
            raise self.refuse(message, "xlsx-too-many-cells", sheet)

    def package(self) -> bytes:
        """The workbook openpyxl reads: the file itself, or, when a part changed, the same package rebuilt."""
        if not self.replaced:
            return self.data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in self.archive.infolist():
                content = self.replaced.get(info.filename)
                target.writestr(info.filename, self.archive.read(info) if content is None else content,
                                compresslevel=1)  # fmt: skip
        return out.getvalue()


def _utf8_chunks(stream: IO[bytes]) -> tuple[Iterator[bytes], bool]:
    """The part's bytes as UTF-8 (a part saved as UTF-16 is decoded as it streams, its declaration made to say
    UTF-8), so the byte searches that follow see every tag; and whether it was converted."""
    first = stream.read(CHUNK)
    encoding = None
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif first.startswith(b"<\x00"):
        encoding = "utf-16-le"
    elif first.startswith(b"\x00<"):
        encoding = "utf-16-be"
    if encoding is None:
        return itertools.chain([first], chunks_of(stream)), False

    def converted() -> Iterator[bytes]:
        decoder = codecs.getincrementaldecoder(encoding)()
        text = _DECLARED_ENCODING.sub(r"\g<1>UTF-8", decoder.decode(first).lstrip("\ufeff"), count=1)
        yield text.encode("utf-8", "surrogatepass")
        for chunk in chunks_of(stream):
            yield decoder.decode(chunk).encode("utf-8", "surrogatepass")
        yield decoder.decode(b"", final=True).encode("utf-8", "surrogatepass")

    return converted(), True


def _checking(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks as they pass, each also fed to the streaming check (a DTD anywhere, or broken XML, raises)."""
    parser = XMLCheck()
    for chunk in chunks:
        parser.feed(chunk)
        yield chunk
    parser.close()


def _checked(chunks: Iterable[bytes], keep: bool) -> bytes:
    kept = []
    for chunk in _checking(chunks):
        if keep:
            kept.append(chunk)
    return b"".join(kept)


def _pieces(chunks: Iterable[bytes], limit: int = 8 * CHUNK) -> Iterator[bytes]:
    """The stream in pieces that end after a whole row (</row>), so that searches never see half a cell; a piece
    with no row end in it is cut after its last '>' once it grows past ``limit``, or at the end of a chunk when
    there are no rows at all (the shared strings)."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        cut = _after_last_row(buffer)
        if cut < 0:
            cut = buffer.rfind(b">") + 1 if len(buffer) > limit or b"row>" not in buffer else 0
        if cut > 0:
            yield buffer[:cut]
            buffer = buffer[cut:]
    if buffer:
        yield buffer


def _after_last_row(buffer: bytes) -> int:
    """Just after the last </row> (any prefix) in ``buffer``, or -1. '<' is never text in XML, so this is a tag."""
    end = buffer.rfind(b"row>")
    while end > 0:
        opening = buffer.rfind(b"<", 0, end)
        if opening >= 0 and buffer[opening + 1 : opening + 2] == b"/" and b">" not in buffer[opening:end]:
            return end + len(b"row>")
        end = buffer.rfind(b"row>", 0, end)
    return -1


def _first_row_end(piece: bytes, start: int, limit: int) -> int:
    """Just after the first </row> (any prefix) in ``piece`` from ``start``, or -1."""
    end = piece.find(b"row>", start, limit)
    while end >= 0:
        opening = piece.rfind(b"<", 0, end)
        if opening >= 0 and piece[opening + 1 : opening + 2] == b"/" and b">" not in piece[opening:end]:
            return end + len(b"row>")
        end = piece.find(b"row>", end + 1, limit)
    return -1


def _rows(piece: bytes, end: int) -> int:
    """Rows opened in ``piece`` before ``end`` (with a prefix, each row counts twice: an upper bound is enough)."""
    count = piece.count(b"<row", 0, end)
    return count + piece.count(b":row ", 0, end) + piece.count(b":row>", 0, end) if b":row" in piece else count


def _without(chunks: Iterable[bytes], start: int, end: int) -> Iterator[bytes]:
    """The stream less the bytes from ``start`` to ``end``."""
    offset = 0
    for chunk in chunks:
        low, high = offset, offset + len(chunk)
        if high <= start or low >= end:
            yield chunk
        else:
            yield chunk[: max(0, start - low)] + chunk[max(0, end - low) :]
        offset = high


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], str, str]:
    """Sheet name -> its part in the package (xl/worksheets/sheetN.xml); the shared strings' and the styles' part."""
    book = parse(archive.read("xl/workbook.xml"))
    if book.tag != f"{{{MAIN}}}workbook":  # Strict Open XML: its sheets would all be "missing", its rows none
        raise StrictWorkbook
    relationships = parse(archive.read("xl/_rels/workbook.xml.rels"))

    def part(target: str) -> str:
        return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))

    targets = {rel.get("Id"): rel.get("Target", "") for rel in relationships.iter(f"{{{PKG_REL}}}Relationship")}

    def target_of(kind: str, default: str) -> str:
        return next((part(rel.get("Target", "")) for rel in relationships.iter(f"{{{PKG_REL}}}Relationship")
                     if rel.get("Type", "").endswith(kind)), default)  # fmt: skip

    parts = {}
    for sheet in book.iter(f"{{{MAIN}}}sheet"):
        parts[sheet.get("name", "")] = part(targets.get(sheet.get(f"{{{REL}}}id"), ""))
    return parts, target_of("/sharedStrings", "xl/sharedStrings.xml"), target_of("/styles", "xl/styles.xml")


_CELL_XML = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTRIBUTE = re.compile(rb'\b(r|t)="([^"]*)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def damaged_cells(package: bytes, scan: SheetScan | None) -> list[tuple[str | None, str]]:
    """The cells of a sheet openpyxl could not read, with what is wrong with each: a number that is no number, an
    address beyond the last column. Only looked for once reading has failed."""
    if not package or scan is None or not scan.part:
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            xml = archive.read(scan.part)
    except (KeyError, zipfile.BadZipFile, OSError):
        return []
    found: list[tuple[str | None, str]] = []
    for cell in _CELL_XML.finditer(xml):
        attributes = {k.decode(): v.decode(errors="replace") for k, v in _ATTRIBUTE.findall(cell.group(1))}
        reference = attributes.get("r", "")
        matched = _CELL.fullmatch(reference)
        column = matched.group(1) if matched else ""
        if reference and (not column or len(column) > 3 or (len(column) == 3 and column > "XFD")):
            found.append((None, f"单元格地址“{reference[:20]}”超出了工作表的范围"))
            continue
        value = _VALUE.search(cell.group(2) or b"")
        if attributes.get("t", "n") == "n" and value is not None:
            text = value.group(1).decode(errors="replace").strip()
            try:
                damaged = not math.isfinite(float(text))  # float() takes "NaN" and "inf"; openpyxl does not
            except ValueError:
                damaged = True
            if damaged:
                found.append((reference or None, f"数字格里是“{text[:20]}”"))
    return found


def _range(reference: str) -> tuple[int, int, int, int] | None:
    from openpyxl.utils.cell import range_boundaries

    try:
        min_col, min_row, max_col, max_row = range_boundaries(reference)
    except (ValueError, TypeError):
        return None
    return min_row, min_col, max_row, max_col
