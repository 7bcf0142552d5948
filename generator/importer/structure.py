"""The parts of a hand-written report: kicker, headline, byline, lead, sections, outlook, tables.

Word documents written by hand mark their parts in several ways, all read here: heading styles (标题 1, Heading 2,
小标题), numbering (一、 for a section, （一） for a part of one), and bold short lines; the headline is the Title
style or the largest type of the opening lines, the kicker the line above it, the subtitle the line below it (often
begun with ——). A paragraph starting with a date (3月24日，…) before the first section is an event; one starting
with next year (2020年，市公安局将……), or a last section headed 展望/打算, is the outlook. Picture captions, lines
before the headline and text boxes have no place in the model: they are kept for the caller to list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.reading.docx_text import DocxText, Passage, TableBlock
from generator.reading.fragments import ATTACHMENT, DATE_LINE
from generator.reading.text import normalize

_BYLINE = re.compile(
    r"^[□■◇◆○●]?\s*(?:本报)?(通讯员|记者|特约通讯员|作者|撰稿|撰稿人|供稿|文/图|文图|文)\s*[：:/]?\s*(.+)$"
)
_LEVEL_ONE = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*")
_LEVEL_TWO = re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*")
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = {"title", "标题", "主题", "主标题", "文章标题", "公文标题"}
_KICKER_STYLES = {"引题", "肩题", "眉题"}
_SUBTITLE_STYLES = {"subtitle", "副标题", "副题"}
_SECTION_STYLES = {"小标题", "一级标题"}
_PART_STYLES = {"二级标题", "分题"}
_CAPTION_STYLES = {"caption", "题注", "图注", "图片说明"}
_DATE_START = re.compile(r"^\d{1,2}月\d{1,2}日")
_OUTLOOK_HEADING = re.compile(r"展望|打算|计划|思路|下一步|新的一年|明年|谋划")
_SENTENCE_END = tuple("。！？；!?")


@dataclass
class Part:
    heading: str
    paragraphs: list[Passage] = field(default_factory=list)


@dataclass
class SectionDraft:
    heading: str
    paragraphs: list[Passage] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    def last_paragraphs(self) -> list[Passage]:
        return self.parts[-1].paragraphs if self.parts else self.paragraphs


@dataclass
class Unplaced:
    where: str
    text: str
    why: str  # 图片说明, 标题前的文字, 文本框 …


@dataclass
class Article:
    kicker: str = ""
    headline: str = ""
    subtitle: str = ""
    byline_label: str = ""
    byline_names: list[str] = field(default_factory=list)
    lead: list[Passage] = field(default_factory=list)
    event: list[Passage] = field(default_factory=list)
    sections: list[SectionDraft] = field(default_factory=list)
    outlook_heading: str = ""
    outlook: list[Passage] = field(default_factory=list)
    date: str = ""  # the formal report's 成文日期 from its sign-off (2020年1月15日)
    signed: str = ""  # the unit's full name from the sign-off
    tables: list[tuple[str, TableBlock]] = field(default_factory=list)  # (title, table)
    unplaced: list[Unplaced] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def shown(passage: Passage) -> str:
    """A line as it should be stored: spaces between Chinese words kept, layout spaces and invisibles gone."""
    return normalize(passage.text.original, keep_word_spaces=True).text.strip()


def _style(passage: Passage) -> str:
    return passage.style.strip().lower()


def _heading_level(passage: Passage, bold_level: int) -> int | None:
    """1 for a section heading, 2 for a part of a section, None for body text."""
    text = passage.plain
    if not text or len(text) > 40 or passage.where.story != "正文":
        return None
    style = _style(passage)
    found = _HEADING_STYLE.match(style)
    if found:
        return 1 if found.group(1) == "1" else 2
    if style in _SECTION_STYLES:
        return 1
    if style in _PART_STYLES:
        return 2
    if passage.outline is not None and passage.outline < 9 and style not in _TITLE_STYLES:
        return 1 if passage.outline == 0 else 2
    if _LEVEL_ONE.match(text) and not text.endswith(_SENTENCE_END):
        return 1
    if _LEVEL_TWO.match(text) and not text.endswith(_SENTENCE_END):
        return 2
    if passage.bold and len(text) <= 30 and not text.endswith(_SENTENCE_END):
        return bold_level
    return None


def heading_text(text: str) -> str:
    """A heading without its number: the formal report numbers sections itself (一、 （一）)."""
    return _LEVEL_TWO.sub("", _LEVEL_ONE.sub("", text, count=1), count=1).strip()


def byline(text: str) -> tuple[str, list[str]] | None:
    found = _BYLINE.match(text)
    if not found or len(text) > 40:
        return None
    names = [n for n in re.split(r"[\s、，,；;]+", found.group(2)) if n]
    if not names or any(len(n) > 8 for n in names):
        return None
    return found.group(1), names


def read_article(document: DocxText) -> Article:
    article = Article()
    blocks = list(document.body)
    consumed: set[int] = set()

    # tables, with the short line above each as its title
    for i, block in enumerate(blocks):
        if isinstance(block, TableBlock):
            title = ""
            if i > 0 and isinstance(blocks[i - 1], Passage) and len(blocks[i - 1].plain) <= 30:
                title = shown(blocks[i - 1])
                consumed.add(i - 1)
            article.tables.append((title, block))
            consumed.add(i)

    passages = [(i, b) for i, b in enumerate(blocks) if isinstance(b, Passage) and i not in consumed]

    # the byline, pictures and their captions
    for k, (i, passage) in enumerate(passages):
        if i in consumed:
            continue  # a caption already taken with its picture
        found = byline(shown(passage)) if not article.byline_names else None
        if found:
            article.byline_label, article.byline_names = found
            consumed.add(i)
            continue
        if passage.picture:
            consumed.add(i)
            if passage.plain:
                article.unplaced.append(Unplaced(str(passage.where), shown(passage), "与图片在同一段；图片没有导入"))
            following = passages[k + 1][1] if k + 1 < len(passages) else None
            if following is not None and _caption(following):
                consumed.add(passages[k + 1][0])
                article.unplaced.append(Unplaced(str(following.where), shown(following), "图片说明；图片没有导入"))
        elif _style(passage) in _CAPTION_STYLES:
            consumed.add(i)
            article.unplaced.append(Unplaced(str(passage.where), shown(passage), "图片说明；图片没有导入"))
    passages = [(i, p) for i, p in passages if i not in consumed]
    passages = _sign_off(passages, article)

    explicit = any(
        (_HEADING_STYLE.match(_style(p)) and _HEADING_STYLE.match(_style(p)).group(1) == "1")  # type: ignore[union-attr]
        or _style(p) in _SECTION_STYLES
        or (_LEVEL_ONE.match(p.plain) and len(p.plain) <= 40)
        for _, p in passages
    )
    bold_level = 2 if explicit else 1
    levels = [_heading_level(p, bold_level) for _, p in passages]
    first_text = next((k for k, (_, p) in enumerate(passages) if _text_paragraph(p)), len(passages))
    for k in range(first_text + 1, len(passages) - 1):  # a plain short line over a paragraph of text, once text
        line, following = passages[k][1], passages[k + 1][1]  # has begun (above it: the title block), is a heading
        if levels[k] is None and _plain_heading(line) and _text_paragraph(following):
            levels[k] = bold_level

    # the title block: the short lines before the first paragraph of text or the first numbered heading
    opening: list[Passage] = []
    for k, (_, passage) in enumerate(passages):
        style = _style(passage)
        if style in _TITLE_STYLES | _KICKER_STYLES | _SUBTITLE_STYLES:
            opening.append(passage)
            continue
        explicit_heading = levels[k] is not None and not passage.bold
        if len(passage.plain) > 40 or passage.plain.endswith(_SENTENCE_END) or explicit_heading:
            break
        opening.append(passage)
    used = _title_block(opening, article)
    start = next(k for k, (_, p) in enumerate(passages) if p is opening[used - 1]) + 1 if used else 0
    body = passages[start:]
    levels = levels[start:]

    # lead or event, then sections
    current: SectionDraft | None = None
    for (_, passage), level in zip(body, levels, strict=True):
        if level == 1 or (level == 2 and current is None):
            current = SectionDraft(heading_text(shown(passage)))
            article.sections.append(current)
        elif level == 2 and current is not None:
            current.parts.append(Part(heading_text(shown(passage))))
        elif current is None:
            if article.event or (not article.lead and _DATE_START.match(passage.plain)):
                article.event.append(passage)
            else:
                article.lead.append(passage)
        else:
            current.last_paragraphs().append(passage)
    _outlook(article)
    _sections_with_text(article)
    for passage in document.others:
        if passage.where.story in {"页眉", "页脚"}:
            continue  # the template writes its own; page numbers and running heads are not content
        article.unplaced.append(Unplaced(str(passage.where), shown(passage), passage.where.story))
    return article


def _sign_off(passages: list[tuple[int, Passage]], article: Article) -> list[tuple[int, Passage]]:
    """A formal report's attachment list and sign-off (unit, then date) are not text: the date is the report's
    成文日期, the unit its full name; 附件 lines are kept with what has no place."""
    kept = []
    listing = False  # inside the list of attachments (附件：1. …  2. …)
    for k, (i, passage) in enumerate(passages):
        text = passage.plain
        listing = listing and bool(re.match(r"^\d+[.．、]", text))
        if DATE_LINE.match(text) and k >= len(passages) // 2:
            article.date = text
            previous = kept[-1][1] if kept else None
            if previous is not None and len(previous.plain) <= 30 and not previous.plain.endswith(_SENTENCE_END):
                article.signed = previous.plain
                kept.pop()
            continue
        if ATTACHMENT.match(text) or listing:
            listing = True
            article.unplaced.append(Unplaced(str(passage.where), shown(passage), "附件说明；附件的表格另行导入"))
            continue
        kept.append((i, passage))
    return kept


def _caption(passage: Passage) -> bool:
    text = passage.plain
    return bool(text) and len(text) <= 30 and not text.endswith(_SENTENCE_END) and "，" not in text


def _plain_heading(passage: Passage) -> bool:
    text = passage.plain
    return (
        2 <= len(text) <= 30
        and not text.endswith((*_SENTENCE_END, "：", ":", "，", "、"))
        and not _DATE_START.match(text)
        and passage.where.story == "正文"
    )


def _text_paragraph(passage: Passage) -> bool:
    return len(passage.plain) > 40 and passage.plain.endswith((*_SENTENCE_END, "”", "）"))


def _subtitle_like(passage: Passage) -> bool:
    return _style(passage) in _SUBTITLE_STYLES or passage.plain.startswith(("—", "－", "--"))


def _title_block(opening: list[Passage], article: Article) -> int:
    """Kicker, headline and subtitle from the opening lines; how many of them it used (the rest are body)."""
    if not opening:
        return 0
    headline = next((p for p in opening if _style(p) in _TITLE_STYLES), None)
    if headline is None:
        sizes = [p.size for p in opening]
        bold = [p for p in opening if p.bold]
        if any(sizes) and max(sizes) > min(sizes):
            headline = max(opening, key=lambda p: p.size)
        elif len(bold) == 1:
            headline = bold[0]
        elif len(opening) >= 2 and not _subtitle_like(opening[1]):
            headline = opening[1]
        else:
            headline = opening[0]
    position = opening.index(headline)
    article.headline = shown(headline)
    kicker = next((p for p in opening[:position] if _style(p) in _KICKER_STYLES), None)
    if kicker is None and position > 0:
        kicker = opening[position - 1]
    if kicker is not None:
        article.kicker = shown(kicker)
    for passage in opening[:position]:
        if passage is not kicker:
            article.unplaced.append(Unplaced(str(passage.where), shown(passage), "标题前的文字"))
    used = position + 1
    if used < len(opening) and _subtitle_like(opening[used]):
        article.subtitle = shown(opening[used]).lstrip("—－- ")
        used += 1
    return used


def _outlook(article: Article) -> None:
    if not article.sections:
        return
    last = article.sections[-1]
    if (_OUTLOOK_HEADING.search(last.heading) and len(article.sections) > 1) or (
        _OUTLOOK_HEADING.search(last.heading) and not last.parts
    ):
        article.sections.pop()
        article.outlook_heading = last.heading
        article.outlook = last.paragraphs + [p for part in last.parts for p in part.paragraphs]
        if len(article.sections) == 0:
            article.sections.append(SectionDraft(last.heading, article.outlook))
            article.outlook, article.outlook_heading = [], ""
        return
    paragraphs = last.last_paragraphs()
    years = [
        int(m.group(1)) for s in article.sections for p in s.paragraphs[:1] if (m := re.match(r"(\d{4})年", p.plain))
    ]
    years += [int(m.group(1)) for p in article.lead if (m := re.match(r"(\d{4})年", p.plain))]
    year = min(years) if years else None
    cut = len(paragraphs)
    while cut > 1:  # the section keeps at least one paragraph of its own
        text = paragraphs[cut - 1].plain
        next_year = year is not None and text.startswith(f"{year + 1}年")
        if next_year or text.startswith(("新的一年", "下一步", "展望", "明年", "今后")):
            cut -= 1
        else:
            break
    if cut < len(paragraphs):
        article.outlook = paragraphs[cut:]
        del paragraphs[cut:]


def _sections_with_text(article: Article) -> None:
    """Every section and part has a paragraph (the model requires it): an empty one is kept as a heading to check."""
    for section in article.sections:
        for part in list(section.parts):
            if not part.paragraphs:
                section.parts.remove(part)
                article.unplaced.append(Unplaced(f"小标题“{section.heading}”下", part.heading, "没有正文的二级标题"))
    for section in list(article.sections):
        if not section.paragraphs and not section.parts:
            article.sections.remove(section)
            article.unplaced.append(Unplaced("小标题", section.heading, "没有正文的小标题"))
