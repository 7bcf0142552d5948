"""import: a hand-written report (.docx) as a draft year of data, so a unit can start from what it has.

structure.py finds the parts (kicker, headline, byline, lead, sections, outlook, tables); draft.py turns figures
into draft indicators and paragraphs into text with expressions. Here they are put together into the one model,
with the year and the unit's name read from the text (or given), and whatever has no place kept in a table of its
own, so nothing of the original is lost. ``coverage`` measures how much of the original a build of the draft says.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.errors import Place, Problem, ReportError
from generator.importer.draft import Drafter, DraftIndicator, escape, expander_for, indicator_name
from generator.importer.structure import Article, Unplaced, heading_text, read_article, shown
from generator.model import LEVEL_ALIASES, MAX_TEXT, Invalid, Report, parse_number, validate_report
from generator.reading.docx_text import DocxText, Passage, TableBlock
from generator.reading.fragments import joined
from generator.reading.statements import statements
from generator.reading.text import sentences, squeeze

PIECE = MAX_TEXT // 2  # characters of a paragraph kept in one field: room for the expressions that replace figures
UNPLACED_TITLE = "导入时未能归位的文字（请移到合适的位置后删除本表）"
CHECK_MARK = "待确认"
NAME_HEADERS = {"指标", "指标名称", "名称", "项目", "主要指标", "统计指标"}
UNIT_HEADERS = {"单位", "计量单位"}
VALUE_HEADERS = {"本年", "本年数值", "本年数", "今年", "数值", "本期", "本年度", "实绩"}
PREVIOUS_HEADERS = {"上年", "上年数值", "上年数", "去年", "上期", "上年同期"}
CHANGE_HEADERS = {"同比", "同比增减", "增减", "增幅", "同比变化", "增减幅度", "变化", "同比增长", "增减率"}
RECIPIENT_HEADERS = {
    "集体/个人",
    "获奖集体或个人",
    "集体或个人",
    "获奖单位",
    "单位/个人",
    "获奖者",
    "对象",
    "姓名",
    "单位",
}
HONOR_HEADERS = {"荣誉", "荣誉名称", "奖项", "称号", "荣誉称号", "表彰", "表彰名称"}
LEVEL_HEADERS = {"级别", "层级", "等级"}
_GENERIC_PLACE = set("全我本该各市县区省时")
_GENERIC_WORDS = {"上级", "下级", "同级", "有关", "相关", "所属", "基层", "广大", "新的", "一年", "今年", "去年"}


@dataclass
class Draft:
    report: Report
    sources: dict[str, list[str]]  # indicator name -> the sentences it was read from
    unplaced: list[Unplaced]
    notes: list[str] = field(default_factory=list)
    replaced: int = 0  # figures in the text now written by expressions


def _header(text: str) -> str:
    for mark in ("（", "("):
        text = text.split(mark)[0]
    return text.strip()


def draft_report(document: DocxText, *, year: int | None = None, organization: str | None = None) -> Draft:
    """The draft year of ``document``; ReportError when it holds no report text at all."""
    article = read_article(joined(document))  # a sentence broken over two paragraphs is one paragraph again
    texts = [p.plain for p in document.passages()]
    if not article.sections and not article.lead and not article.event:
        raise ReportError(Problem("文档里没有找到正文段落，无法导入", place=Place(document.name), code="import-empty"))
    notes = list(article.notes)
    if year is None:
        year = guess_year(article) or _year_anywhere(document)
        if year is None:
            raise ReportError(
                Problem(
                    "无法从正文判断这是哪一年的报告，请用 --year 指定（如 --year 2022）",
                    place=Place(document.name),
                    code="import-year",
                )
            )
        notes.append(f"年份按正文判断为 {year} 年；不对时请用 --year 指定")
    if organization or article.signed:
        name = organization or article.signed
        short = _short_name(name, texts)
        if not organization:
            notes.append(f"单位名称取自落款“{name}”")
    else:
        name, short = guess_organization(texts)
        notes.append(f"单位名称按正文推测为“{name}”（简称“{short}”），请核对；可用 --organization 指定")

    drafter = Drafter(short)
    honors: list[dict[str, str]] = []
    tables: list[dict[str, Any]] = []
    unplaced = list(article.unplaced)
    for title, block in article.tables:
        if not _summary_table(block, drafter) and not _honors_table(block, honors):
            tables.append(_plain_table(title, block, len(tables) + 1))

    slots: list[tuple[tuple[Any, ...], str]] = []  # (the list in the data it goes to, stored text)

    def slot(container: tuple[Any, ...], passage: Passage | str) -> None:
        text = shown(passage) if isinstance(passage, Passage) else passage
        for piece in _pieces(text):  # a paragraph longer than a field holds is kept as several
            slots.append((container, piece))
            drafter.read(len(slots) - 1, piece)

    if article.kicker:
        slot(("kicker",), article.kicker)
    for passage in article.lead:
        slot(("lead",), passage)
    for passage in article.event:
        slot(("event",), passage)
    for s, section in enumerate(article.sections):
        for passage in section.paragraphs:
            slot(("sections", s), passage)
        for j, part in enumerate(section.parts):
            for passage in part.paragraphs:
                slot(("sections", s, j), passage)
    for passage in article.outlook:
        slot(("outlook",), passage)

    if unplaced:
        tables.append(
            {
                "title": UNPLACED_TITLE,
                "columns": ["原来的位置", "文字", "说明"],
                "rows": [[escape(u.where), escape(u.text), u.why] for u in unplaced],
            }
        )

    def assemble(texts_by_slot: list[str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "organization": {"name": name, **({"short_name": short} if short and short != name else {})},
            "year": year,
            "headline": escape(article.headline) or "（请填写主题）",
            "sections": [],
            "indicators": drafter.indicator_data(),
            "honors": honors,
            "tables": tables,
        }
        if article.subtitle:
            data["subtitle"] = escape(article.subtitle)
        if article.date:
            data["date"] = article.date
        if article.byline_names:
            data["byline"] = {"label": article.byline_label, "names": article.byline_names}
        lists: dict[tuple[Any, ...], list[str]] = {}
        for (container, _), text in zip(slots, texts_by_slot, strict=True):
            lists.setdefault(container, []).append(text)
        if ("kicker",) in lists:
            data["kicker"] = "".join(lists[("kicker",)])
        data["lead"], data["event"] = lists.get(("lead",), []), lists.get(("event",), [])
        outlook = lists.get(("outlook",), [])
        for s, section in enumerate(article.sections):
            data["sections"].append(
                {
                    "heading": escape(section.heading),
                    "paragraphs": lists.get(("sections", s), []),
                    "subsections": [
                        {"heading": escape(part.heading), "paragraphs": lists.get(("sections", s, j), [])}
                        for j, part in enumerate(section.parts)
                    ],
                }
            )
        if outlook:
            data["outlook"] = {"heading": escape(article.outlook_heading), "paragraphs": outlook}
        if not data["sections"]:  # a report of lead paragraphs only: the model needs one section
            data["sections"] = [{"heading": "（请填写小标题）", "paragraphs": data["lead"] or data["event"]}]
            data["lead"], data["event"] = [], []
        return data

    if not article.headline:
        notes.append("没有找到主题（大标题），已暂填“（请填写主题）”")
    literal = assemble([escape(text) for _, text in slots])
    try:
        expander = expander_for(literal)
    except ValueError:
        expander = None
    if expander is not None:
        final = assemble([drafter.rewrite(i, text, expander) for i, (_, text) in enumerate(slots)])
    else:
        final = literal
    report, problems = validate_report(final)
    if report is None or problems:
        raise ReportError(
            [Problem(f"导入的草稿不完整：{p}", place=Place(document.name), code="import-invalid") for p in problems]
            or Problem("导入的草稿不完整", place=Place(document.name), code="import-invalid")
        )
    sources = {i.name: i.sources for i in drafter.indicators.values()}
    return Draft(report, sources, unplaced, notes, drafter.replaced)


# ---------------------------------------------------------------------------------------------------------------


def _pieces(text: str) -> list[str]:
    """A paragraph as pieces a field holds (split between sentences); almost always the paragraph itself."""
    if len(text) <= PIECE:
        return [text]
    pieces, current = [], ""
    for sentence in re.split(r"(?<=[。！？；])", text):
        while len(sentence) > PIECE:  # one sentence longer than a field: cut it (it is kept, not dropped)
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:PIECE])
            sentence = sentence[PIECE:]
        if len(current) + len(sentence) > PIECE:
            pieces.append(current)
            current = ""
        current += sentence
    return [p for p in [*pieces, current] if p]


def guess_year(article: Article) -> int | None:
    """The year a paragraph opens with (2019年，市公安局……); else the year written most often."""
    openings = [*article.lead, *article.event, *(p for s in article.sections for p in s.paragraphs[:1])]
    starts = [int(m.group(1)) for p in openings if (m := re.match(r"(\d{4})\s*年", p.plain))]
    starts = [y for y in starts if 1990 <= y <= 2100]
    if starts:
        return min(starts)
    every = [p for s in article.sections for p in s.paragraphs] + article.lead + article.event
    years = Counter(
        int(y) for p in every for y in re.findall(r"(?<!\d)((?:19|20)\d\d)\s*年", p.plain) if 1990 <= int(y) <= 2100
    )
    return years.most_common(1)[0][0] if years else None


def _year_anywhere(document: DocxText) -> int | None:
    """The year a running head or a table title names (县公安局 2023年工作综述, 数说2023)."""
    years: Counter[int] = Counter()
    for passage in document.passages():
        for found in re.findall(r"(?<!\d)((?:19|20)\d\d)(?:\s*年|$)", passage.plain):
            years[int(found)] += 1
    return years.most_common(1)[0][0] if years else None


def guess_organization(texts: list[str]) -> tuple[str, str]:
    """(full name, short name) from the text: the short name it calls itself most (市公安局), and the place name
    written before its middle part (永康公安) or before 市/县 (永康市). A guess, flagged for checking."""
    joined = "\n".join(texts)
    shorts = Counter(re.findall(r"[市县区][\u4e00-\u9fff]{2,6}?局", joined))
    if not shorts:
        return "（请填写单位名称）", ""
    short = shorts.most_common(1)[0][0]
    middle = short[1:-1]
    places: Counter[str] = Counter()
    for match in re.finditer(rf"([\u4e00-\u9fff]{{2}})(?={re.escape(middle)})", joined):
        places[match.group(1)] += 10  # 永康公安: the unit by its place name, the surest sign
    for match in re.finditer(r"([\u4e00-\u9fff]{2})(?=[市县区])", joined):
        places[match.group(1)] += 1
    for candidate in list(places):
        if set(candidate) & _GENERIC_PLACE or candidate in _GENERIC_WORDS:
            del places[candidate]
        else:
            places[candidate] += joined.count(candidate)  # a place name recurs (平安永康, 永康新腾飞)
    if not places:
        return short, short
    place = places.most_common(1)[0][0]
    return place + short, short


def _short_name(organization: str, texts: list[str]) -> str:
    joined = "\n".join(texts)
    for cut in range(2, min(len(organization) - 2, 5) + 1):
        short = organization[cut:]
        if short in joined and short[:1] in "市县区":
            return short
    return ""


def _columns(block: TableBlock) -> dict[str, int]:
    return {_header(c.plain): c.where.column for c in block.rows[0]} if block.rows else {}


def _cells(row: list[Passage]) -> dict[int, str]:
    return {c.where.column: c.plain for c in row}


def _pick(columns: dict[str, int], names: set[str]) -> int | None:
    return next((column for header, column in columns.items() if header in names), None)


def _summary_table(block: TableBlock, drafter: Drafter) -> bool:
    columns = _columns(block)
    name_col = _pick(columns, NAME_HEADERS)
    value_col, previous_col = _pick(columns, VALUE_HEADERS), _pick(columns, PREVIOUS_HEADERS)
    change_col, unit_col = _pick(columns, CHANGE_HEADERS), _pick(columns, UNIT_HEADERS)
    if name_col is None or not (value_col or previous_col or change_col):
        return False
    for row in block.rows[1:]:
        cells = _cells(row)
        name = indicator_name(cells.get(name_col, ""))
        if not name:
            continue
        unit = cells.get(unit_col, "") if unit_col else ""
        indicator = DraftIndicator(name, unit=unit if unit not in {"—", "-"} else "", from_table=True)
        indicator.value = _number(cells.get(value_col, "") if value_col else "")
        indicator.previous = _number(cells.get(previous_col, "") if previous_col else "")
        change, rate = _table_change(cells.get(change_col, "") if change_col else "")
        indicator.change = change
        if rate or indicator.unit == "%":
            indicator.kind, indicator.unit = "rate", ""
        if indicator.value is None and indicator.change is None:
            continue
        indicator.sources.append(f"表格：{' | '.join(c.plain for c in row)}")
        drafter.add_table_indicator(indicator)
    return True


def _number(text: str) -> Decimal | None:
    if text.strip() in {"", "—", "-", "/", "无"}:
        return None
    try:
        return parse_number(text)
    except Invalid:  # text that is not a number: not a figure
        return None


def _table_change(text: str) -> tuple[Decimal | None, bool]:
    if text in {"持平", "基本持平"}:
        return Decimal(0), False
    found = statements(text)
    if found and found[0].kind == "change" and len(found[0].amounts) == 1:
        amount = found[0].amounts[0]
        signed = -amount.number if found[0].directions[0] == "down" else amount.number
        return signed, amount.unit == "个百分点"
    rate = text.endswith("个百分点")
    return _number(text.removesuffix("个百分点")), rate


def _honors_table(block: TableBlock, honors: list[dict[str, str]]) -> bool:
    columns = _columns(block)
    recipient_col, honor_col = _pick(columns, RECIPIENT_HEADERS), _pick(columns, HONOR_HEADERS)
    level_col = _pick(columns, LEVEL_HEADERS)
    if recipient_col is None or honor_col is None:
        return False
    for row in block.rows[1:]:
        cells = _cells(row)
        recipient, honor = cells.get(recipient_col, ""), cells.get(honor_col, "")
        if not recipient or not honor:
            continue
        level = cells.get(level_col, "") if level_col else ""
        honors.append({"recipient": escape(recipient), "honor": escape(honor), "level": _level(level, honor)})
    return True


def _level(level: str, honor: str) -> str:
    if level in LEVEL_ALIASES:
        return LEVEL_ALIASES[level]
    for word, value in (
        ("全国", "全国"),
        ("国家", "全国"),
        ("省", "省级"),
        ("市", "市级"),
        ("县", "县级"),
        ("区", "县级"),
    ):
        if word in level or (not level and word in honor):
            return value
    return "其他"


def _plain_table(title: str, block: TableBlock, number: int) -> dict[str, Any]:
    rows = [[escape(c.text.original.strip()) for c in row] for row in block.rows]
    width = max((len(r) for r in rows), default=1)
    rows = [r + [""] * (width - len(r)) for r in rows]
    columns = [c or f"第{k + 1}列" for k, c in enumerate(rows[0])] if rows else ["内容"]
    body = [r for r in rows[1:] if any(r)]
    return {"title": escape(title) or f"附表{number}", "columns": columns, "rows": body}


def coverage(original: DocxText, built: DocxText) -> tuple[int, int, list[str]]:
    """How many sentences of the original report a build of the draft says word for word, out of how many, and
    the ones it does not."""
    said = squeeze("".join(p.plain for p in built.passages()))
    wanted = []
    blocks = original.body
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if isinstance(block, TableBlock) or (isinstance(following, TableBlock) and len(block.plain) <= 30):
            continue  # tables (and their titles) are laid out anew: the summary table, the honors
        wanted += [s for s in sentences(squeeze(heading_text(block.plain))) if len(s) >= 2]
    for passage in original.others:
        if passage.where.story not in {"页眉", "页脚"}:
            wanted += [s for s in sentences(squeeze(passage.plain)) if len(s) >= 2]
    missing = [s for s in wanted if s not in said]
    return len(wanted) - len(missing), len(wanted), missing


__all__ = ["CHECK_MARK", "Draft", "coverage", "draft_report"]
