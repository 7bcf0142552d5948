"""The workbook as a file, before any parser sees it: what kind of file it is (an old .xls, a CSV or web page named
.xlsx, a lock file…), whether it is safe to open (sizes, compression ratios, entity declarations), and what
openpyxl's read-only mode does not tell (merged ranges, formulas without a cached value, damaged cells)."""

from __future__ import annotations

import io
import math
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from generator.errors import Place, Problem, ReportError

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


@dataclass
class SheetScan:
    """What openpyxl's read-only mode does not tell: merged ranges and formulas without a cached value."""

    part: str = ""  # the sheet's XML in the package
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    uncached_formulas: set[str] = field(default_factory=set)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([^"]+)"')
_FORMULA_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>((?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f\b(?:(?!</(?:\w+:)?c>).)*?)</(?:\w+:)?c>", re.S
)
_REFERENCE = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_CACHED = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>|<(?:\w+:)?is>")


def scan_package(data: bytes, name: str) -> dict[str, SheetScan]:
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
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    with archive.open(info) as stream:
                        head = stream.read(4096)
                except _DAMAGED:
                    raise ReportError(problem(name, "工作簿已损坏，无法读取", "xlsx-corrupt")) from None
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ReportError(
                        problem(name, "工作簿中含有不安全的 XML 声明（DOCTYPE/ENTITY），已拒绝读取", "xlsx-unsafe-xml")
                    )
        try:
            parts = _sheet_parts(archive)
            missing = [sheet for sheet, part in parts.items() if part not in names]
            if missing:  # openpyxl would drop such a sheet without a word, and its data with it
                raise ReportError(
                    [
                        problem(name, "这张工作表的内容缺失，工作簿已损坏（可能没有复制完整）", "xlsx-corrupt", sheet)
                        for sheet in missing
                    ]
                )
            return {sheet: _scan_sheet(archive, part) for sheet, part in parts.items()}
        except _DAMAGED:
            raise ReportError(problem(name, "工作簿已损坏，无法读取", "xlsx-corrupt")) from None


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


def _parse(archive: zipfile.ZipFile, part: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(archive.read(part), parser)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package (xl/worksheets/sheetN.xml)."""
    book = _parse(archive, "xl/workbook.xml")
    rels = _parse(archive, "xl/_rels/workbook.xml.rels")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{PKG_REL}}}Relationship")}
    parts = {}
    for sheet in book.iter(f"{{{MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{REL}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts[sheet.get("name", "")] = part
    return parts


def _scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetScan:
    """Merges and uncached formulas found by searching the sheet's XML, which is much cheaper than parsing it a
    second time (openpyxl parses it for the values)."""
    scan = SheetScan(part)
    if part not in archive.namelist():
        return scan
    data = archive.read(part)
    for found in _MERGE.finditer(data):
        bounds = _range(found.group(1).decode())
        if bounds:
            scan.merges.append(bounds)
    if re.search(rb"<(?:\w+:)?f[ >]", data):  # formulas at all (not <formula1> of a drop-down list)
        for found in _FORMULA_CELL.finditer(data):
            reference = _REFERENCE.search(found.group(1))
            if reference and not _CACHED.search(found.group(2)):
                scan.uncached_formulas.add(reference.group(1).decode())
    return scan


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
