"""Inline drawings added to a report: pictures (and, in charts.py, charts), as WordprocessingML runs."""

from __future__ import annotations

from markupsafe import Markup, escape

from generator.render.engine import Additions

EMU_PER_MM = 36_000
_NS = (
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def inline_run(graphic: str, number: int, name: str, width: int, height: int) -> Markup:
    """A drawing in a run of its own. A tag sits inside <w:t>, so the text run is closed around the drawing and
    opened again after it (as docxtpl's InlineImage does)."""
    return Markup(
        "</w:t></w:r><w:r><w:drawing>"
        f'<wp:inline {_NS} distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{width}" cy="{height}"/>'
        f'<wp:docPr id="{number}" name="{escape(name)}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        f'{graphic}</wp:inline></w:drawing></w:r><w:r><w:t xml:space="preserve">'
    )


def picture(additions: Additions, data: bytes, extension: str, pixels: tuple[int, int], width_mm: float) -> Markup:
    """A picture ``width_mm`` wide, its height from its own proportions."""
    number = additions.next_id()
    part = f"word/media/picture{number}.{extension}"
    additions.parts[part] = data
    additions.extensions.add(extension)
    rid = additions.relate("image", f"media/picture{number}.{extension}")
    width = round(width_mm * EMU_PER_MM)
    height = round(width * pixels[1] / max(pixels[0], 1))
    graphic = (
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        f'<pic:nvPicPr><pic:cNvPr id="0" name="picture{number}.{extension}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{width}" cy="{height}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
    )
    return inline_run(graphic, number, f"照片 {number}", width, height)
