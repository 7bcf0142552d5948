"""Office Open XML packages (.docx templates, .xlsx workbooks) read as hostile input, and the text we write into
spreadsheet cells. Shared by the readers and the renderer; imports nothing of ours.

Every XML part is checked whole, in whatever encoding it declares (UTF-8, UTF-16 with or without a byte order mark),
by a streaming parser that stops at the first DOCTYPE: a declaration hidden after megabytes of comments is found as
surely as one in the first line, and nothing is expanded or fetched on the way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pyexpat import ExpatError, ParserCreate, errors
from typing import IO, Any

from lxml import etree

CHUNK = 1 << 20  # bytes read from a part at a time: memory stays flat however large the part
# Names that are XML whatever a package's content types claim; any other part is XML if its first bytes say so.
XML_SUFFIXES = (".xml", ".rels", ".vml", ".svg")
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"


class UnsafeXML(Exception):
    """A part declares a DTD (DOCTYPE, and with it ENTITY declarations): refused, never expanded."""


class BrokenXML(Exception):
    """A part is not well-formed XML (or is in an encoding no parser here reads)."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"{reason} (line {line})" if line else reason)


def is_xml_part(name: str, head: bytes) -> bool:
    """Whether a parser would read this part as XML: by its name, or by its first bytes (UTF-8 or UTF-16, with or
    without a byte order mark), so that a DOCTYPE in a part named .bin or .dat is still found."""
    if name.lower().endswith(XML_SUFFIXES):
        return True
    for mark in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(mark):
            return True
    stripped = head.lstrip(b" \t\r\n")
    return stripped.startswith(b"<") or head.startswith((b"<\x00", b"\x00<"))


def _refuse_dtd(*_: Any) -> None:
    raise UnsafeXML


class XMLCheck:
    """A streaming check of one XML document fed in pieces: raises UnsafeXML at a DTD anywhere, BrokenXML if it
    is not well-formed. expat stops at the DOCTYPE itself, before any entity is declared, let alone expanded."""

    def __init__(self) -> None:
        self.parser = ParserCreate()
        self.parser.StartDoctypeDeclHandler = _refuse_dtd
        self.parser.EntityDeclHandler = _refuse_dtd  # cannot come without a DOCTYPE; kept as a second lock
        self.parser.ExternalEntityRefHandler = lambda *_: 0  # never resolve: expat reports an error instead

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except ExpatError as exc:
            raise BrokenXML(errors.messages[exc.code] if exc.code else str(exc), exc.lineno) from None

    def close(self) -> None:
        self.feed(b"", True)


def check_xml(chunks: Iterable[bytes]) -> None:
    """Raise UnsafeXML if the XML declares a DTD anywhere, BrokenXML if it is not well-formed."""
    check = XMLCheck()
    for chunk in chunks:
        check.feed(chunk)
    check.close()


def chunks_of(stream: IO[bytes], size: int = CHUNK) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def safe_parser(**options: Any) -> etree.XMLParser:
    """lxml with every door shut: no entity resolution, no DTD loaded or validated, no network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, **options)


def parse(data: bytes) -> etree._Element:
    """A small part (relationships, content types, settings) as a tree; UnsafeXML if it declares a DTD,
    BrokenXML if it is not well-formed. lxml reads the encoding the part declares, UTF-16 included."""
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise BrokenXML(exc.msg or "not well-formed", exc.lineno) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXML
    return root


def serialize(root: etree._Element) -> bytes:
    """A part written back as Word and Excel write them: UTF-8 with a standalone declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------------------------------------------------------
# Text in spreadsheet cells

# OOXML spreadsheets and charts store a character as _xHHHH_ (ST_Xstring): text that already has that shape is
# decoded by every reader (Excel, LibreOffice, ours) unless its underscore is itself escaped as _x005F_.
# Every underscore that starts such a shape is escaped, overlapping ones too (_x005f_x0041_ holds two).
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
# Text that a spreadsheet program would take for a formula (=, +, -, @; a DDE link such as =cmd|' /C calc'!A0
# starts the same way), an error value or a number when a person edits the cell: marked with the quote prefix,
# Excel's own "this is text" flag.
_REINTERPRETED = re.compile(r"[=+\-@#\t\r\n]|[\d.,:/%\s]+$")


def escape_text(text: str) -> str:
    """``_x0041_`` typed as text stays ``_x0041_`` after a spreadsheet program reads it (not ``A``)."""
    return _LOOKS_ESCAPED.sub("_x005F_", text) if "_x" in text else text


def put_text(cell: Any, text: str) -> None:
    """An openpyxl cell holding ``text`` as a string, never a formula, an error value or a number: openpyxl turns
    "=…" into a formula unless the type is forced."""
    cell.value = escape_text(text)
    cell.data_type = "s"
    if _REINTERPRETED.match(text):
        cell.quotePrefix = True
