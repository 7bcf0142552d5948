"""Paragraphs broken in the middle of a sentence, joined again: text pasted from a PDF or a scan has a paragraph
mark at the end of every line (“……分别同比下降” / “10.9%、13.0%，……”), and a figure is only read whole."""

from __future__ import annotations

import re

from generator.reading.docx_text import DocxText, Passage, TableBlock
from generator.reading.text import normalize

_ENDS = "。！？；：!?;:…"
_CLOSING = "”’」』）)》"
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)])")
_MARKED_STYLES = re.compile(r"heading|标题|title|caption|题注|图注|引题|主题|副题|小标题|署名", re.IGNORECASE)
_BYLINE_START = re.compile(r"^[□■◇◆○●]?\s*(?:本报)?(?:通讯员|记者|作者|撰稿)")
DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
ATTACHMENT = re.compile(r"^附件\s*[：:\d一二三四五六七八九十]")
_SET_IN = re.compile(r"^(?:\u3000{3,}| {6,})")  # a line placed by spaces (a formal report's sign-off); 2 indent


FRAGMENTED = 0.4  # this share of paragraphs ending no sentence: a paste (0.6 to 0.9 measured; a typed report < 0.2)
LONG = 40  # a paragraph this long that ends no sentence was broken, not a heading


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSING)
    return bool(stripped) and stripped[-1] in _ENDS


def marked(passage: Passage) -> bool:
    """A line set apart by its look (a heading style, bold, centred, numbered, a byline): never a fragment."""
    return bool(
        passage.picture
        or passage.outline is not None
        or passage.bold
        or passage.centered
        or _MARKED_STYLES.search(passage.style)
        or _NUMBERED.match(passage.plain)
        or _BYLINE_START.match(passage.plain)
        or DATE_LINE.match(passage.plain)
        or ATTACHMENT.match(passage.plain)
        or _SET_IN.match(passage.text.original)
    )


def joined(document: DocxText) -> DocxText:
    """The document with body paragraphs broken mid-sentence joined again: text pasted from a PDF or a scan
    has a paragraph mark at the end of every line (“……分别同比下降” / “10.9%、13.0%，……”). A paragraph that does not
    end a sentence is joined to the next, unless either is set apart by its look; places still name each part.

    A short line that ends no sentence is usually a plain heading or a caption, and stays on its own, unless most
    paragraphs of the document end no sentence (a paste, line by line or column by column)."""
    paragraphs = [b for b in document.body if isinstance(b, Passage)]
    open_ended = [p for p in paragraphs if not ends_sentence(p.plain) and not marked(p)]
    broken = len(paragraphs) >= 10 and len(open_ended) >= FRAGMENTED * len(paragraphs)
    body: list[Passage | TableBlock] = []
    group: list[Passage] = []

    def flush() -> None:
        if not group:
            return
        if len(group) == 1:
            body.append(group[0])
        else:
            pieces, offset = [], 0
            for part in group:
                pieces.append((offset, part.where))
                offset += len(part.text.original)
            text = normalize("".join(p.text.original for p in group))
            body.append(Passage(group[0].where, text, group[0].style, size=group[0].size, pieces=tuple(pieces)))
        group.clear()

    for block in document.body:
        if isinstance(block, TableBlock) or marked(block):
            flush()
            body.append(block)
            continue
        group.append(block)
        if ends_sentence(block.plain) or (not broken and len(block.plain) < LONG):
            flush()
    flush()
    return DocxText(document.name, body, document.others)
