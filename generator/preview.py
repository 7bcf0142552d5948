"""A report's pages as pictures, for the web page's preview: the PDF LibreOffice made, drawn by PDFium.

pypdfium2 installs from PyPI on every system with PDFium inside it, so previews need nothing but LibreOffice
(which made the PDF). PDFium is not safe to use from two threads at once: call this from one thread per process
(the web page calls it in its worker processes).
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import Place, Problem, ReportError
from generator.sources.raw import display_name

PAGE_WIDTH = 900  # pixels: sharp at the width the page shows a sheet (about 640 px), twice that on a zoomed screen
MAX_PAGES = 200  # a preview, not a print: a 10,000-row table's hundreds of pages stop here


def page_images(pdf: Path, folder: Path, width: int = PAGE_WIDTH, limit: int = MAX_PAGES) -> list[Path]:
    """Each page of ``pdf`` as ``folder/1.png``, ``2.png`` …, ``width`` pixels wide; the paths, in page order."""
    import pypdfium2  # only the page with previews pays for it

    folder.mkdir(parents=True, exist_ok=True)
    try:
        document = pypdfium2.PdfDocument(str(pdf))
    except (pypdfium2.PdfiumError, OSError) as exc:
        raise ReportError(
            Problem(f"无法读取 PDF 来显示页面：{exc}", place=Place(display_name(pdf)), code="preview"), kind="output"
        ) from None
    written = []
    try:
        for number in range(min(len(document), limit)):
            page = document[number]
            try:
                scale = width / page.get_width()
                image = page.render(scale=scale).to_pil()
            finally:
                page.close()
            target = folder / f"{number + 1}.png"
            image.save(target, format="PNG", compress_level=3)  # level 3: a fifth of level 9's time, 10% larger
            written.append(target)
    finally:
        document.close()
    return written
