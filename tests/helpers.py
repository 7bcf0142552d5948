"""What the tests use to look inside the documents we produce, as a reader would."""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

from docx import Document
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
FONTS_CONF = ROOT / "tests" / "fixtures" / "cjk-fonts.conf"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_lines(source: Path | bytes) -> list[str]:
    """The document's text in reading order: each paragraph, and each table row as cells joined by ' | '."""
    document = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines = []
    for block in document.element.body.iterchildren():
        if block.tag == f"{W}p":
            lines.append("".join(t.text or "" for t in block.iter(f"{W}t")))
        elif block.tag == f"{W}tbl":
            for row in block.iter(f"{W}tr"):
                cells = ["".join(t.text or "" for t in cell.iter(f"{W}t")) for cell in row.iter(f"{W}tc")]
                lines.append(" | ".join(cells))
    return lines


def squeeze(text: str) -> str:
    """Text without any whitespace, to compare with scanned newspaper text."""
    return re.sub(r"\s+", "", text)


def check_package(data: bytes) -> None:
    """Every XML part parses, every relationship target exists, drawing ids are unique."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        ids: list[str] = []
        for name in names:
            if not (name.endswith(".xml") or name.endswith(".rels")):
                continue
            root = etree.fromstring(archive.read(name))
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


def to_pdf(soffice: str, document: Path, outdir: Path) -> Path:
    """Convert through LibreOffice with its own profile (two soffice sharing one profile interfere)."""
    with tempfile.TemporaryDirectory() as profile:
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF)) if FONTS_CONF.exists() else None
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(document),
            ],
            check=True,
            capture_output=True,
            timeout=240,
            env=env,
        )
    pdf = outdir / (document.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF of {document}"
    return pdf


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
