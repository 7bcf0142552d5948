"""Native, editable Word charts: a placeholder chart drawn in the template is refilled with each chart's data.

Word and WPS draw a chart from the values cached in its XML and open the embedded workbook for "Edit data", so both
are rewritten: series, categories and caches in the chart XML (keeping the placeholder's look: type, colours,
fonts, axes), and a new embedded workbook with the same numbers. The placeholder's name says which charts it takes:
one named with 趋势 takes trend charts, one with 对比 takes this-year-against-last charts, any other takes all.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from lxml import etree

from generator.figures.content import ChartContent
from generator.figures.numerals import format_number
from generator.ooxml import escape_text, put_text

if TYPE_CHECKING:
    from generator.render.engine import Additions

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


@dataclass(frozen=True)
class Placeholder:
    rid: str
    xml: bytes


def placeholders(rels: bytes | None, parts: dict[str, bytes]) -> dict[str, Placeholder]:
    """The template's charts by relationship id (their drawings in the body decide where they go), read from the
    body's relationships by an XML parser: any prefix, quotes or encoding."""
    from generator.render.package import read_relationships

    if rels is None:
        return {}
    found = {}
    for rel in read_relationships("word/_rels/document.xml.rels", rels):
        if rel.kind == "chart" and not rel.external and rel.part() in parts:
            found[rel.id] = Placeholder(rel.id, parts[rel.part()])
    return found


def place_charts(xml: str, templates: dict[str, Placeholder], charts: list[ChartContent], additions: Additions) -> str:
    """Each drawing of a placeholder chart in the rendered body becomes a chart of its own, in order; drawings
    left over when the data has fewer charts are removed."""
    queues = {"trend": [c for c in charts if c.kind == "trend"], "compare": [c for c in charts if c.kind == "compare"],
              "any": list(charts)}  # fmt: skip
    pieces, position = [], 0
    # the body as lxml wrote it (double quotes); the prefixes are the template's own
    pattern = re.compile(r'<(?:[\w.-]+:)?chart\b[^>]*?\s[\w.-]+:id="(' + "|".join(re.escape(r) for r in templates)
                         + r')"[^>]*/>')  # fmt: skip
    for match in pattern.finditer(xml):
        start = xml.rfind("<w:drawing", 0, match.start())
        end = xml.find("</w:drawing>", match.end())
        if start < position or end < 0:
            continue
        end += len("</w:drawing>")
        label = re.search(r'<wp:docPr\b[^>]*\bname="([^"]*)"', xml[start : match.start()])
        kind = (
            "trend"
            if label and "趋势" in label.group(1)
            else "compare"
            if label and "对比" in label.group(1)
            else "any"
        )
        pieces.append(xml[position:start])
        if queues[kind]:
            chart = queues[kind].pop(0)
            if kind != "any":
                queues["any"].remove(chart)
            rid = _add_chart(additions, templates[match.group(1)].xml, chart)
            drawing = xml[start:end]
            pieces.append(drawing[: match.start() - start] + match.group(0).replace(match.group(1), rid)
                          + drawing[match.end() - start :])  # fmt: skip
        position = end
    pieces.append(xml[position:])
    return "".join(pieces)


def _add_chart(additions: Additions, placeholder: bytes, chart: ChartContent) -> str:
    number = additions.next_id()
    part = f"word/charts/chartAR{number}.xml"
    additions.parts[part] = refill(placeholder, chart)
    additions.parts[f"word/embeddings/chartAR{number}.xlsx"] = chart_workbook(chart)
    additions.extensions.add("xlsx")
    additions.overrides[part] = CHART_TYPE
    additions.part_rels[part] = (
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"'
        f' Target="../embeddings/chartAR{number}.xlsx"/>'
    )
    return additions.relate("chart", f"charts/chartAR{number}.xml")


# ---------------------------------------------------------------------------------------------------------------
# The chart XML and its workbook


def _cache(parent: etree._Element, values: list[str | None], formula: str, numeric: bool) -> None:
    ref = etree.SubElement(parent, f"{{{C}}}{'numRef' if numeric else 'strRef'}")
    etree.SubElement(ref, f"{{{C}}}f").text = formula
    cache = etree.SubElement(ref, f"{{{C}}}{'numCache' if numeric else 'strCache'}")
    if numeric:
        etree.SubElement(cache, f"{{{C}}}formatCode").text = "General"
    etree.SubElement(cache, f"{{{C}}}ptCount").set("val", str(len(values)))
    for i, value in enumerate(values):
        if value is None:
            continue  # a gap: the point is left out of the cache
        point = etree.SubElement(cache, f"{{{C}}}pt")
        point.set("idx", str(i))
        etree.SubElement(point, f"{{{C}}}v").text = value if numeric else escape_text(value)


def refill(placeholder: bytes, chart: ChartContent) -> bytes:
    from openpyxl.utils import get_column_letter

    root = etree.fromstring(placeholder, etree.XMLParser(resolve_entities=False))
    plot = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.startswith(f"{{{C}}}")
                and e.tag.endswith("Chart") and e.find(f"{{{C}}}ser") is not None)  # fmt: skip
    styles = plot.findall(f"{{{C}}}ser")
    anchor = list(plot).index(styles[0])
    for old in styles:
        plot.remove(old)
    rows = len(chart.categories)
    for i, (name, values) in enumerate(chart.series):
        ser = copy.deepcopy(styles[min(i, len(styles) - 1)])
        if i >= len(styles):  # more series than the placeholder styles: let Word and WPS pick the colour
            for fill in ser.findall(f"{{{C}}}spPr"):
                ser.remove(fill)
        for tag in ("tx", "cat", "val", "dPt", "extLst", "xVal", "yVal"):
            for old in ser.findall(f"{{{C}}}{tag}"):
                ser.remove(old)
        ser.find(f"{{{C}}}idx").set("val", str(i))
        ser.find(f"{{{C}}}order").set("val", str(i))
        column = get_column_letter(i + 2)  # series in columns B, C, … of the chart's workbook
        tx = etree.Element(f"{{{C}}}tx")
        _cache(tx, [name], f"Sheet1!${column}$1", numeric=False)
        ser.insert(2, tx)
        cat = etree.SubElement(ser, f"{{{C}}}cat")
        _cache(cat, list(chart.categories), f"Sheet1!$A$2:$A${rows + 1}", numeric=False)
        val = etree.SubElement(ser, f"{{{C}}}val")
        shown = [format_number(v) if isinstance(v, Decimal) else None for v in values]
        _cache(val, shown, f"Sheet1!${column}$2:${column}${rows + 1}", numeric=True)
        for tail in ("shape", "smooth", "extLst"):  # these follow the values in the schema's order
            for element in ser.findall(f"{{{C}}}{tail}"):
                ser.remove(element)
                ser.append(element)
        plot.insert(anchor + i, ser)
    external = root.find(f"{{{C}}}externalData")
    if external is not None:
        external.set(f"{{{R}}}id", "rId1")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def chart_workbook(chart: ChartContent) -> bytes:
    """The chart's data as the workbook Word opens for "Edit data" (Sheet1: categories down, series across)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.cell(1, 1, "")
    for i, (name, values) in enumerate(chart.series, start=2):
        put_text(sheet.cell(1, i), name)  # an indicator named "=WEBSERVICE(…)" is text, never a formula
        for row, value in enumerate(values, start=2):
            if value is not None:
                sheet.cell(row, i, int(value) if value == value.to_integral_value() else float(value))
    for row, category in enumerate(chart.categories, start=2):
        put_text(sheet.cell(row, 1), category)
    return stable_workbook_bytes(book)


def stable_workbook_bytes(book) -> bytes:
    """The workbook with fixed dates inside and fixed zip timestamps: the same data gives the same bytes."""
    import datetime as dt

    fixed = dt.datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()
