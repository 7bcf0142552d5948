"""What the tests use to look inside the documents we produce, as a reader would."""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
FONTS_CONF = ROOT / "tests" / "fixtures" / "cjk-fonts.conf"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def command() -> str:
    """The installed ``annual-report`` command, as a user would run it."""
    found = shutil.which("annual-report")
    if found is None:
        pytest.fail("the annual-report command is not installed: pip install '.[test]' first (see README)")
    return found


@functools.cache
def installed_builtin_dir() -> Path:
    """Where the installed command keeps its built-in templates (inside the installed package when installed from
    a wheel, the checkout's templates/ when installed editable): the test process itself imports the checkout."""
    shebang = Path(command()).read_text(encoding="utf-8", errors="replace").splitlines()[0]
    python = shebang[2:].strip() if shebang.startswith("#!") else sys.executable
    env = {k: v for k, v in environment().items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [python, "-c", "from generator.render.templates import builtin_dir; print(builtin_dir())"],
        capture_output=True, text=True, check=True, cwd=tempfile.gettempdir(), env=env, timeout=60,
    )  # fmt: skip
    return Path(done.stdout.strip())


def environment() -> dict[str, str]:
    """The user's environment, without the switch that lets tracebacks through."""
    return {k: v for k, v in os.environ.items() if k != "ANNUAL_REPORT_DEBUG"}


def docx_lines(source: Path | bytes) -> list[str]:
    """The document's text in reading order, as a reader sees it: each paragraph, and each table row as cells
    joined by ' | '. Zero-width spaces (line-break opportunities the renderer adds between figures) are left out."""
    document = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines = []
    for block in document.element.body.iterchildren():
        if block.tag == f"{W}p":
            lines.append("".join(t.text or "" for t in block.iter(f"{W}t")))
        elif block.tag == f"{W}tbl":
            for row in block.iter(f"{W}tr"):
                cells = ["".join(t.text or "" for t in cell.iter(f"{W}t")) for cell in row.iter(f"{W}tc")]
                lines.append(" | ".join(cells))
    return [line.replace("\u200b", "") for line in lines]


def squeeze(text: str) -> str:
    """Text without any whitespace, to compare with scanned newspaper text."""
    return re.sub(r"[\s\u200b]+", "", text)  # zero-width spaces too: docx_lines leaves them out


def check_package(data: bytes) -> None:
    """Every XML part parses, every relationship target exists, drawing ids are unique."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        ids: list[str] = []
        for name in names:
            if not (name.endswith(".xml") or name.endswith(".rels")):
                continue
            root = etree.fromstring(archive.read(name), _SAFE_XML)
            if name.endswith(".rels"):
                base = Path(name).parent.parent
                for rel in root:
                    if rel.get("TargetMode") == "External":
                        continue
                    target = os.path.normpath(base / rel.get("Target")).lstrip("/")
                    assert target in names, f"{name}: relationship to missing part {target}"
            ids += [
                e.get("id")
                for e in root.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
            ]
        assert len(ids) == len(set(ids)), f"duplicate drawing ids: {ids}"
    check_closed_doors(data)


# What every document we write keeps shut (issue 10): no way out of the file, no code, no formula.
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WEB_SCHEMES = ("http:", "https:", "mailto:")


def _relationships_of(archive: zipfile.ZipFile, part: str) -> dict[str, etree._Element]:
    folder, _, base = part.rpartition("/")
    rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if rels not in archive.namelist():
        return {}
    root = etree.fromstring(archive.read(rels), _SAFE_XML)
    return {r.get("Id"): r for r in root.iter(f"{PACKAGE_RELS}Relationship")}


def check_closed_doors(data: bytes) -> None:
    """A .docx or .xlsx we wrote: every XML part (by name or by its first bytes, any encoding) parses whole without
    a DTD; no relationship leaves the package except a hyperlink to a web page or a mail address; every relationship
    id a part uses is defined for it; no macros or ActiveX; a report's main part is a plain Word document; no cell of
    any workbook (the file itself, or one embedded in a report) holds a formula or links to another workbook."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        for name in names:
            lower = name.lower()
            assert not lower.endswith(("vbaproject.bin", "vbadata.xml")) and "/activex/" not in lower, name
            assert not lower.startswith("xl/externallinks/"), f"{name}: a link to another workbook"
            part = archive.read(name)
            head = part[:4].lstrip(b"\xef\xbb\xbf")
            if not (name.endswith((".xml", ".rels", ".vml")) or head.startswith((b"<", b"\xff\xfe", b"\xfe\xff"))):
                continue
            root = _well_formed(name, part)
            if name.endswith(".rels"):
                for rel in root.iter(f"{PACKAGE_RELS}Relationship"):
                    if rel.get("TargetMode") == "External":
                        target = rel.get("Target", "").strip().lower()
                        assert rel.get("Type", "").endswith("/hyperlink") and target.startswith(WEB_SCHEMES), (
                            f"{name}: external {rel.get('Type', '').rsplit('/', 1)[-1]} relationship to {target!r}"
                        )
                    assert not rel.get("Type", "").endswith(("/vbaProject", "/control")), f"{name}: macros"
                continue
            used = {v for e in root.iter() for k, v in e.attrib.items() if k.startswith(f"{{{R_NS}}}")}
            if used:
                defined = _relationships_of(archive, name)
                assert used <= defined.keys(), f"{name}: uses undefined relationships {sorted(used - defined.keys())}"
            if name.startswith("xl/worksheets/"):
                formulas = root.findall(".//{http://schemas.openxmlformats.org/spreadsheetml/2006/main}f")
                assert not formulas, f"{name}: a cell holds a formula: {formulas[0].text!r}"
        if "word/document.xml" in names:
            types = etree.fromstring(archive.read("[Content_Types].xml"), _SAFE_XML)
            main = [e.get("ContentType") for e in types.iter(f"{CONTENT_TYPES}Override")
                    if e.get("PartName", "").lower() == "/word/document.xml"]  # fmt: skip
            assert main == [DOCUMENT_MAIN], f"the main part is declared {main}"
            package = _relationships_of(archive, "")
            mains = [r for r in package.values() if r.get("Type", "").endswith("/officeDocument")]
            assert [r.get("Target", "").lstrip("/") for r in mains] == ["word/document.xml"], "main part"
            for name in names:
                if name.startswith("word/embeddings/") and name.endswith(".xlsx"):
                    check_closed_doors(archive.read(name))


def libreoffice_convert(soffice: str, document: Path, outdir: Path, target: str) -> Path:
    """Open ``document`` in LibreOffice and save it as ``target`` ("pdf", "docx:MS Word 2007 XML", …) into
    ``outdir``, with a profile of its own (two soffice sharing one profile interfere) and the CJK font map."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF)) if FONTS_CONF.exists() else None
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", target,
             "--outdir", str(outdir), str(document)],
            check=True, capture_output=True, timeout=240, env=env,
        )  # fmt: skip
    produced = outdir / f"{document.stem}.{target.split(':')[0]}"
    assert produced.exists(), f"LibreOffice made no {target} of {document}"
    return produced


def to_pdf(soffice: str, document: Path, outdir: Path) -> Path:
    return libreoffice_convert(soffice, document, outdir, "pdf")


def pdf_text(pdf: Path) -> str:
    """The PDF's text through poppler's pdftotext (installed with LibreOffice by .ci/run)."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def pdf_column_lines(pdf: Path) -> list[str]:
    """Lines of the left and of the right half of every A4 page: one newspaper column each, where plain
    pdftotext would interleave the two columns."""
    lines = []
    for x in (0, 298):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-x", str(x), "-y", "0", "-W", "297", "-H", "842", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        lines += text.splitlines()
    return lines


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True, timeout=60).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


# --- every document the tests produce (tests/test_outputs.py, tests/test_corpus.py, tests/test_fuzz.py) ----------

CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Our documents never declare a DTD: a DOCTYPE passed through from a template would let Word or LibreOffice expand
# entities (or fetch files) when the report is opened.
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def check_document(data: bytes) -> str:
    """A .docx or .xlsx as a reader needs it: a sound zip; every part with a content type; every XML part well
    formed and without a DOCTYPE anywhere in it; relationships that resolve, with unique ids; unique drawing ids;
    nothing that leaves the file or runs (check_closed_doors); and python-docx or openpyxl opens it. Returns "docx"
    or "xlsx"."""
    assert data.startswith(b"PK\x03\x04"), "not a zip package"
    check_package(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None, "a part fails its CRC check"
        names = archive.namelist()
        assert len(names) == len(set(names)), "a part is stored twice"
        types = etree.fromstring(archive.read("[Content_Types].xml"), _SAFE_XML)
        defaults = {
            e.get("Extension", "").lower(): e.get("ContentType", "") for e in types.iter(f"{CONTENT_TYPES}Default")
        }
        overrides = {
            e.get("PartName", "").lstrip("/"): e.get("ContentType", "") for e in types.iter(f"{CONTENT_TYPES}Override")
        }
        for name in names:
            if name.endswith("/") or name == "[Content_Types].xml":
                continue
            content_type = overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1].lower())
            assert content_type, f"{name}: no content type"
            if content_type.endswith(("+xml", "/xml")):
                _well_formed(name, archive.read(name))
            if name.endswith(".rels"):
                ids = [
                    r.get("Id")
                    for r in etree.fromstring(archive.read(name), _SAFE_XML).iter(f"{PACKAGE_RELS}Relationship")
                ]
                assert len(ids) == len(set(ids)), f"{name}: duplicate relationship ids"
        for name in overrides:
            assert name in names, f"[Content_Types].xml names a missing part {name}"
        kind = "docx" if "word/document.xml" in names else "xlsx" if "xl/workbook.xml" in names else ""
    assert kind, "neither a Word document nor a workbook"
    if kind == "docx":
        Document(io.BytesIO(data))
    else:
        from openpyxl import load_workbook

        load_workbook(io.BytesIO(data)).close()
    return kind


def first_text(data: bytes) -> str:
    """A line of text any reader of the document shows: the first paragraph of a report, or the first cell of the
    first sheet of a workbook (what the LibreOffice check looks for)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        is_docx = "word/document.xml" in archive.namelist()
    if is_docx:
        return next((line for line in docx_lines(data) if line.strip() and " | " not in line), "")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        for row in book.worksheets[0].iter_rows(max_row=5, values_only=True):
            for value in row:
                if isinstance(value, str) and value.strip():
                    return value
    finally:
        book.close()
    return ""


def libreoffice_opens(soffice: str, documents: list[Path], workdir: Path, timeout: int = 600) -> dict[Path, str]:
    """Open every document in LibreOffice, in one run per kind (starting LibreOffice once per document would take
    most of the suite's time): reports are converted to text, workbooks to CSV. Returns what went wrong, by
    document: no output means LibreOffice could not open it; its text must hold the document's first line."""
    failures: dict[Path, str] = {}
    for suffix, target in ((".docx", "txt:Text"), (".xlsx", "csv:Text - txt - csv (StarCalc):44,34,76,1")):
        batch = [d for d in documents if d.suffix == suffix]
        if not batch:
            continue
        outdir = workdir / suffix.lstrip(".")
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF)) if FONTS_CONF.exists() else None
        with tempfile.TemporaryDirectory() as profile:
            command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                       "--convert-to", target, "--outdir", str(outdir)]  # fmt: skip
            for start in range(0, len(batch), 200):  # keep the command line short
                subprocess.run([*command, *map(str, batch[start : start + 200])], capture_output=True,
                               timeout=timeout, env=env, check=False)  # fmt: skip
        for document in batch:
            produced = outdir / (document.stem + (".txt" if suffix == ".docx" else ".csv"))
            if not produced.is_file():
                failures[document] = "LibreOffice could not open it (no output)"
                continue
            wanted = squeeze(first_text(document.read_bytes()))
            shown = squeeze(produced.read_bytes().decode("utf-8", errors="replace"))
            if wanted and wanted[:40] not in shown:
                failures[document] = f"LibreOffice shows other text: {shown[:80]!r}, expected {wanted[:40]!r}"
    return failures


def _well_formed(name: str, part: bytes) -> etree._Element:
    """The part's root, asserting it is well-formed XML without a DOCTYPE."""
    try:
        root = etree.fromstring(part, _SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise AssertionError(f"{name}: not well-formed XML: {exc}") from None
    assert not root.getroottree().docinfo.doctype, f"{name}: declares a DOCTYPE"
    return root
