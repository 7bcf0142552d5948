"""Checking a Word template a person restyled: what is wrong and where, before a report depends on it.

Four passes, all problems collected: tags broken by editing (a brace split off, a tag spread over paragraphs);
Jinja syntax of every part; names the template uses that the data does not provide; and a trial render with a
sample year, which finds misspelt attributes (section.headng) and tags docxtpl cannot place.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

from docx.document import Document as DocumentObject
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, meta
from PIL import Image

from generator.errors import Place, Problem, ReportError
from generator.figures.content import (
    Content,
    HonorRow,
    PhotoContent,
    SectionContent,
    SummaryRow,
    TableContent,
)
from generator.render.context import TEMPLATE_NAMES
from generator.render.styles import BOX, HEADING, NUMBER, TABLE, TEXT, table_styles
from generator.render.template_errors import template_paragraphs, template_problem
from generator.render.templates import TemplateSource
from generator.render.word import render_docx
from generator.sandbox import template_environment

_SPACED_BRACES = re.compile(r"\{\s+[{%]|[}%]\s+\}")


def check_template(template: TemplateSource, sample: Content | None = None) -> list[Problem]:
    try:
        document = DocxTemplate(io.BytesIO(template.data))
        docx = document.get_docx()
    except Exception as exc:  # python-docx raises many kinds for a broken package
        return [Problem(f"模板无法作为 Word 文档打开：{exc}", place=Place(template.name), code="template-corrupt")]
    problems = _broken_tags(template.name, docx)
    environment = template_environment()
    names: set[str] = set()
    for part_name, xml in _parts(document, docx):
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)  # one paragraph a line, as docxtpl renders it
        try:
            names |= meta.find_undeclared_variables(environment.parse(source))
        except TemplateSyntaxError as exc:
            lines = source.splitlines()
            line = max((exc.lineno or 1) - 4, 0)
            exc.docx_context = lines[line : line + 7]  # what docxtpl attaches: the source around the error
            problem = template_problem(exc, template.name, docx)
            problems.append(
                problem
                if problem.place and problem.place.file != template.name
                else Problem(problem.message, place=Place(f"{template.name} {part_name}"), code=problem.code)
            )
    for name in sorted(names - set(TEMPLATE_NAMES)):
        problems += _unknown_name(template.name, docx, name)
    problems += _missing_styles(template, docx, names)
    if not problems:
        try:
            render_docx(sample or sample_content(), template)
        except ReportError as exc:
            problems += exc.problems
    return problems


def _parts(document: DocxTemplate, docx: DocumentObject) -> list[tuple[str, str]]:
    """(where, patched Jinja source) of the body, headers, footers and document properties, as docxtpl sees them."""
    parts = [("正文", document.patch_xml(document.get_xml()))]
    for uri, label in ((document.HEADER_URI, "页眉"), (document.FOOTER_URI, "页脚")):
        for _, part in document.get_headers_footers(uri):
            parts.append((label, document.patch_xml(document.get_part_xml(part))))
    properties = docx.core_properties
    for label, value in (
        ("标题", properties.title),
        ("主题", properties.subject),
        ("作者", properties.author),
        ("备注", properties.comments),
    ):
        if value:
            parts.append((f"文档属性“{label}”", value))
    return parts


def _broken_tags(name: str, docx: DocumentObject) -> list[Problem]:
    """Tags that editing broke so that they would print as text or swallow the text after them."""
    problems = []
    for where, text in template_paragraphs(docx):
        shown = text.strip()[:60]
        place = Place(f"{name} {where}“{shown}”")
        if _SPACED_BRACES.search(text):
            problems.append(
                Problem(
                    "标签的两个括号之间多了空格（如“{ {”），它会原样印在报告里；请删去空格",
                    place=place,
                    code="template-broken-tag",
                )
            )
        for opening, closing in (("{{", "}}"), ("{%", "%}")):
            if text.count(opening) != text.count(closing):
                problems.append(
                    Problem(
                        f"这一段的 {opening} 与 {closing} 数目不相等：标签可能被拆到了两段，"
                        "或删掉了一半；一个标签要完整地写在同一段里",
                        place=place,
                        code="template-split-tag",
                    )
                )
                break
    return problems


_TABLE_NAMES = {"tables", "trend", "attachments", "summary_table", "honors_table"}
_KIND_WORDS = {"paragraph": "段落", "table": "表格"}


def _missing_styles(template: TemplateSource, docx: DocumentObject, names: set[str]) -> list[Problem]:
    """The styles the finished tables need that the template does not hold (by name: ids change when an office
    suite saves the file), reported at the paragraph that inserts a table."""
    uses = names & _TABLE_NAMES
    if not uses:
        return []
    with zipfile.ZipFile(io.BytesIO(template.data)) as archive:
        styles = table_styles(archive.read("word/styles.xml") if "word/styles.xml" in archive.namelist() else None)
    missing = [role for role in (HEADING, TEXT, NUMBER) if styles.id(role) is None]
    if uses - {"summary_table", "honors_table"} and styles.id(TABLE) is None:
        missing.insert(0, TABLE)
    elif uses & {"summary_table", "honors_table"} and styles.id(BOX) is None and styles.id(TABLE) is None:
        missing.insert(0, BOX)
    places = [f"{where}“{text.strip()[:60]}”" for where, text in template_paragraphs(docx)
              if re.search(r"\{\{p?\s*[\w.]+\.body\b", text)]  # fmt: skip
    place = Place(f"{template.name} {places[0]}" if places else template.name)
    return [
        Problem(
            f"模板里没有{_KIND_WORDS[role.kind]}样式“{role.name}”（{role.purpose}用它），表格将以默认格式排出；"
            f"请在 Word/WPS 的“样式”窗格中新建名为“{role.name}”的{_KIND_WORDS[role.kind]}样式，"
            "或用 annual-report template copy 复制一份内置样式重新修改",
            place=place,
            code="template-style-missing",
        )
        for role in missing
    ]


def _unknown_name(name: str, docx: DocumentObject, missing: str) -> list[Problem]:
    import difflib

    close = difflib.get_close_matches(missing, TEMPLATE_NAMES, n=1)
    hint = f"；是否想写“{close[0]}”？" if close else "；可用的名称见 README“模板和版式”一节"
    pattern = re.compile(r"\{[{%][^}]*\b" + re.escape(missing) + r"\b")
    places = [f"{where}“{text.strip()[:60]}”" for where, text in template_paragraphs(docx) if pattern.search(text)]
    message = f"模板使用了数据中没有的名称“{missing}”{hint}"
    return [Problem(message, place=Place(f"{name} {p}"), code="template-undefined") for p in places[:3]] or [
        Problem(message, place=Place(name), code="template-undefined")
    ]


def sample_content() -> Content:
    """A small year with every part filled in, to try a template on."""
    photo = Path(tempfile.gettempdir()) / "annual-report-sample-photo.png"
    if not photo.exists():
        Image.new("RGB", (400, 300), (180, 180, 180)).save(photo)
    summary = [
        SummaryRow(1, "刑事发案数", "起", "1234", "1663", "下降25.8%"),
        SummaryRow(2, "破案率", "%", "85.3", "80.1", "提高5.2个百分点"),
    ]
    return Content(
        organization="示例县公安局", short_name="县公安局", year=2024, kicker="全年刑事发案同比下降25.8%",
        headline="示例标题", subtitle="示例副题", lead=["导语。"], event=["活动段落。"],
        sections=[SectionContent("第一部分", ["段落一。", "段落二。"], "一"),
                  SectionContent("第二部分", ["段落。"], "二")],
        outlook_heading="展望", outlook=["展望段落。"], byline_label="通讯员", byline_names=["张三", "李四"],
        summary=summary, honors=[HonorRow("巡特警大队", "先进集体", "省级")],
        tables=[TableContent("附表", ["甲", "乙"], [["一", "1"]])],
        photos=[PhotoContent(photo, "示例照片", ("photos", 0, "file"))],
        title="示例县公安局2024年工作总结", outlook_ordinal="三",
    )  # fmt: skip
