"""Text of a finished report, made comparable: the forms a figure takes in Word are brought to one.

A report typed by hand, or ours after editing, writes the same figure in many ways: full-width digits (２５．８％),
spaces around numbers ("下降 25.8 %", as text pasted from a PDF has them), zero-width spaces (our renderer puts one
after 、 between figures so lines may break there), no-break and ideographic spaces. ``normalize`` keeps a map from
every character of the result back to the original, so a place can still be shown as the user wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_SPACES = set(" \t\n\r\u00a0\u3000\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９％．－＋−", "0123456789%.-+-")
_ASCII_WORD = re.compile(r"[0-9A-Za-z]")

# Where a sentence ends, and where a clause inside it does.
SENTENCE_END = "。！？!?"
CLAUSE_END = SENTENCE_END + "，；;,：:\n"


@dataclass(frozen=True)
class Normalized:
    text: str
    index: tuple[int, ...]  # index[i]: where text[i] stands in the original
    original: str

    def source(self, start: int, end: int) -> str:
        """The original text behind text[start:end]."""
        if start >= end or not self.index:
            return ""
        return self.original[self.index[start] : self.index[end - 1] + 1]


def _keeps_space(before: str, after: str) -> bool:
    """A space between two Latin letters or digits is a word space (S2 平台, 1 093); elsewhere it is layout."""
    return bool(before and after and _ASCII_WORD.match(before) and _ASCII_WORD.match(after))


_FIGURE_SIDE = re.compile(r"[0-9%.,，。、；：！？（）“”《》]")


def normalize(text: str, keep_word_spaces: bool = False) -> Normalized:
    """One form for the same words: ASCII digits, %, no invisible characters, no layout spaces.

    ``keep_word_spaces`` keeps one space between two words of Chinese (“立信义 弃陋习 扬正气”, a two-part headline)
    and drops only those beside a figure or a mark (下降 25.8 %): the form kept when the text is stored again."""
    chars: list[str] = []
    index: list[int] = []
    pending_space: int | None = None
    for i, char in enumerate(text):
        if char in INVISIBLE:
            continue
        if char in _SPACES:
            if pending_space is None:
                pending_space = i
            continue
        char = char.translate(_FULL_WIDTH)
        if pending_space is not None:
            before = chars[-1] if chars else ""
            kept = keep_word_spaces and before and not (_FIGURE_SIDE.match(before) or _FIGURE_SIDE.match(char))
            if kept or _keeps_space(before, char):
                chars.append(" ")
                index.append(pending_space)
            pending_space = None
        chars.append(char)
        index.append(i)
    # full-width 。 or ， inside a number (２５。８ is rare, "97，595" happens) would break it; only the dot form
    # is unambiguous, so only ．was translated above.
    return Normalized("".join(chars), tuple(index), text)


def squeeze(text: str) -> str:
    """The normalised text alone."""
    return normalize(text).text


def sentences(text: str) -> list[str]:
    """Sentences of a normalised text, each with its closing mark."""
    found = []
    start = 0
    for i, char in enumerate(text):
        if char in SENTENCE_END:
            # a closing quote or bracket right after the mark belongs to the sentence
            end = i + 1
            while end < len(text) and text[end] in "”’」』）)":
                end += 1
            if text[start:end].strip():
                found.append(text[start:end])
            start = end
    if text[start:].strip():
        found.append(text[start:])
    return found


def excerpt(text: str, start: int = 0, width: int = 24) -> str:
    """A short piece of a paragraph around ``start`` for finding it in Word: “……刑事、治安发案同比增长25.8%……”."""
    if len(text) <= width:
        return text
    begin = min(max(0, start - width // 3), len(text) - width)
    piece = text[begin : begin + width]
    return ("…" if begin > 0 else "") + piece + ("…" if begin + width < len(text) else "")
