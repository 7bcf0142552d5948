"""Placeholder charts for a template: real, editable Word charts (chart part + embedded workbook) with sample
data, which annual-report refills with each report's figures. Their look (type, colours, fonts) is what users
restyle in Word; the name on the drawing (对比图, 趋势图) says which charts a placeholder takes."""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from openpyxl import Workbook

from generator.render.charts import stable_workbook_bytes

CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NS = ('xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')  # fmt: skip
SAMPLE_CATEGORIES = ["指标甲", "指标乙", "指标丙"]


def _text_properties(size: int) -> str:
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"><a:latin typeface="Times New Roman"/>'
            '<a:ea typeface="宋体"/></a:defRPr></a:pPr><a:endParaRPr lang="zh-CN"/></a:p></c:txPr>')  # fmt: skip


def _series(index: int, name: str, values: list[int], color: str, line: bool) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(values))
    categories = "".join(f'<c:pt idx="{i}"><c:v>{c}</c:v></c:pt>' for i, c in enumerate(SAMPLE_CATEGORIES))
    column = chr(66 + index)
    if line:
        look = (f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln></c:spPr>'
                f'<c:marker><c:symbol val="circle"/><c:size val="6"/><c:spPr><a:solidFill><a:srgbClr val="{color}"/>'
                "</a:solidFill></c:spPr></c:marker>")  # fmt: skip
    else:
        look = f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>'
    position = "t" if line else "outEnd"  # values above the points and bars, clear of the markers
    labels = ('<c:dLbls><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
              f'<c:dLblPos val="{position}"/><c:showLegendKey val="0"/>'
              '<c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/>'
              '<c:showBubbleSize val="0"/></c:dLbls>')  # fmt: skip
    return (
        f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
        f'<c:tx><c:strRef><c:f>Sheet1!${column}$1</c:f><c:strCache><c:ptCount val="1"/>'
        f'<c:pt idx="0"><c:v>{name}</c:v></c:pt></c:strCache></c:strRef></c:tx>{look}{labels}'
        f'<c:cat><c:strRef><c:f>Sheet1!$A$2:$A$4</c:f><c:strCache><c:ptCount val="3"/>{categories}</c:strCache>'
        f"</c:strRef></c:cat><c:val><c:numRef><c:f>Sheet1!${column}$2:${column}$4</c:f><c:numCache>"
        f'<c:formatCode>General</c:formatCode><c:ptCount val="3"/>{points}</c:numCache></c:numRef></c:val>'
        + ('<c:smooth val="0"/>' if line else "")
        + "</c:ser>"
    )


def chart_xml(line: bool) -> bytes:
    """A clustered column chart (this year against last) or a line chart (trend) with sample data."""
    series = [("上年", [120, 80, 95], "A6A6A6"), ("本年", [100, 90, 70], "C00000"),
              ("指标三", [60, 70, 80], "1F4E79"), ("指标四", [30, 45, 40], "BF8F00")]  # fmt: skip
    count = 4 if line else 2
    body = "".join(_series(i, n, v, c, line) for i, (n, v, c) in enumerate(series[:count]))
    if line:
        plot = (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{body}'
                '<c:marker val="1"/><c:axId val="50001"/><c:axId val="50002"/></c:lineChart>')  # fmt: skip
    else:
        plot = (
            f'<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>{body}'
            '<c:gapWidth val="80"/><c:overlap val="-10"/><c:axId val="50001"/><c:axId val="50002"/></c:barChart>'
        )
    axes = (
        '<c:catAx><c:axId val="50001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{_text_properties(900)}<c:crossAx val="50002"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="50002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="l"/><c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="D9D9D9"/>'
        '</a:solidFill></a:ln></c:spPr></c:majorGridlines><c:numFmt formatCode="General" sourceLinked="1"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{_text_properties(900)}<c:crossAx val="50001"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/></c:valAx>'
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<c:chartSpace {NS}>'
        '<c:date1904 val="0"/><c:roundedCorners val="0"/><c:chart><c:autoTitleDeleted val="1"/>'
        f"<c:plotArea><c:layout/>{plot}{axes}</c:plotArea>"
        '<c:legend><c:legendPos val="t"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/>'
        f'<c:dispBlanksAs val="gap"/></c:chart>{_text_properties(900)}'
        '<c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData></c:chartSpace>'
    )
    return xml.encode("utf-8")


def sample_workbook(line: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    names = ["上年", "本年", "指标三", "指标四"][: 4 if line else 2]
    rows = [[None, *names], ["指标甲", 120, 100, 60, 30], ["指标乙", 80, 90, 70, 45], ["指标丙", 95, 70, 80, 40]]
    for row in rows:
        sheet.append(row[: len(names) + 1])
    return stable_workbook_bytes(book)


def add_chart(doc: DocumentObject, paragraph: Paragraph, number: int, name: str, line: bool,
              width=None, height=None) -> None:  # fmt: skip
    """An inline chart in ``paragraph``: a chart part with its embedded workbook, related from the body."""
    width = width or Mm(150)
    height = height or Mm(80)
    package = doc.part.package
    chart = Part(PackURI(f"/word/charts/chart{number}.xml"), CHART_TYPE, chart_xml(line), package)
    workbook = Part(PackURI(f"/word/embeddings/chart{number}.xlsx"), XLSX_TYPE, sample_workbook(line), package)
    assert chart.relate_to(workbook, RT.PACKAGE) == "rId1"  # the id chart_xml's externalData names
    rid = doc.part.relate_to(chart, RT.CHART)
    drawing = parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        f"{NS}><w:drawing>"
        f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{int(width)}" cy="{int(height)}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{900 + number}" name="{name}" descr="annual-report 按数据重画这张图"/>'
        "<wp:cNvGraphicFramePr/><a:graphic>"
        f'<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart r:id="{rid}"/>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )
    paragraph._p.append(drawing)
