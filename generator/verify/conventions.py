"""Writing conventions a machine can check (GB/T 15835-2011 and 公文 usage), each a warning that can be turned off.

- 百分点: a rate (破案率, 覆盖率) changes in 个百分点; "破案率提高3.2%" says something else (a relative change).
- 约数: one approximation word at a time: not 约……左右, 近……余.
- 增减: 增长/增加 never carry a negative figure (增长-5% is 下降5%), and a decrease is never in 倍.
- 数字写法: one document writes figures one way: 千分撇 for five digits and more either always or never, no
  full-width digits beside half-width ones, counts in Arabic digits (三十五起 beside 35起).
- 标点: half-width , ; : ? ! ( ) in Chinese text, where the full-width mark belongs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from generator.reading.amounts import protected_spans
from generator.reading.docx_text import Passage
from generator.reading.statements import UP_VERBS, statements
from generator.reading.text import excerpt
from generator.verify.findings import Finding

_CJK = "\u4e00-\u9fff\u3400-\u4dbf“”‘’（）《》、。，；："
_HALF_WIDTH = re.compile(rf"(?<=[{_CJK}])[,;:?!()]|[,;:?!()](?=[{_CJK}])")
_FULL_FORM = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_DOUBLE_APPROX = re.compile(
    r"(?:(?:大约|约|将近|近|超过)(?:为|有)?\d[\d.,]*(?:万|亿)?(?:余|多)?[^\d，。；、,;]{0,6}?(?:左右|余|多|以上))"
    r"|(?:\d[\d.,]*(?:万|亿)?(?:余|多)[^\d，。；、,;]{0,6}?左右)"
)
_NEGATIVE_RISE = re.compile(
    rf"(?:{'|'.join(v for v in UP_VERBS if len(v) > 1)})了?(?:[-−－]|负)\d[\d.]*(?:%|个百分点)?"
)
_NEGATIVE_GROWTH = re.compile(r"负增长")
_FALL_TIMES = re.compile(r"(?:下降|减少|降低|减小|缩小)了?\d[\d.]*倍")
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){1,}(?:\.\d+)?(?![\d,])")
_LONG = re.compile(r"(?<![\d.,])\d{5,}(?:\.\d+)?(?![\d,])")
_FULL_DIGIT = re.compile(r"[０-９]")
_HALF_DIGIT = re.compile(r"[0-9]")
_CHINESE_COUNT = re.compile(
    r"(?<![第一二三四五六七八九十百千两零])([一二三四五六七八九两][百千][一二三四五六七八九十零]*|[一二三四五六七八九]?十[一二三四五六七八九]?)"
    r"(起|人|名|件|个|项|次|辆|处|家|份|支|户|场|条|台|套|宗|例)"
)
_ARABIC_COUNT = re.compile(r"\d(起|人|名|件|个|项|次|辆|处|家|份|支|户|场|条|台|套|宗|例)")


def _where(passage: Passage, position: int) -> str:
    if passage.where.story == "表格":
        return str(passage.where)
    return f"{passage.where_at(position)}“{excerpt(passage.plain, position)}”"


def passage_warnings(passage: Passage, skip: set[str], taken: set[tuple[str, int]]) -> list[Finding]:
    """The conventions one paragraph breaks. ``taken``: (place, position) already reported as disagreeing."""
    text = passage.plain
    found: list[Finding] = []
    if "百分点" not in skip:
        for statement in statements(text):
            if statement.kind != "change" or (str(passage.where), statement.start) in taken:
                continue
            for name, amount in zip(statement.names or [""], statement.amounts, strict=False):
                if amount.unit == "%" and (name.endswith("率") or statement.subject.endswith("率")):
                    piece = text[statement.start : statement.end]
                    found.append(
                        Finding(
                            "warning",
                            _where(passage, statement.start),
                            piece,
                            suggestion=piece.replace(f"{amount.number}%", f"{amount.number}个百分点", 1)
                            + "（若指两年比率之差）",
                            check="百分点",
                            message="比率的变化应以“个百分点”表示（两年的比率相减），而不是 %",
                        )
                    )
                    break
    if "约数" not in skip:
        for match in _DOUBLE_APPROX.finditer(text):
            found.append(
                Finding(
                    "warning",
                    _where(passage, match.start()),
                    match.group(0),
                    check="约数",
                    message="约、近、余、多、左右、以上表示约数，只用其中一个（如“约300人”或“300人左右”）",
                )
            )
    if "增减" not in skip:
        for pattern, message in (
            (_NEGATIVE_RISE, "增长、增加、提高后面不带负数：数字减少了就写“下降”“减少”"),
            (_NEGATIVE_GROWTH, "“负增长”应写作“下降”"),
            (_FALL_TIMES, "减少不能用“倍”表示，应改用百分数（如“下降50%”）"),
        ):
            for match in pattern.finditer(text):
                found.append(Finding("warning", _where(passage, match.start()), match.group(0), check="增减",
                                     message=message))  # fmt: skip
    if "标点" not in skip:
        for match in _HALF_WIDTH.finditer(text):
            mark = match.group(0)
            if mark == ":" and re.match(r"\d", text[match.end() : match.end() + 1]):
                continue  # 12:30
            start = max(0, match.start() - 6)
            piece = text[start : match.end() + 6]
            found.append(
                Finding(
                    "warning",
                    _where(passage, match.start()),
                    piece,
                    suggestion=piece.replace(mark, _FULL_FORM[mark]),
                    check="标点",
                    message=f"中文里用了半角标点“{mark}”，应为全角“{_FULL_FORM[mark]}”",
                )
            )
    return found


def document_warnings(passages: Sequence[Passage], skip: set[str]) -> list[Finding]:
    """Number forms mixed across the document: one warning per kind of mixing, with an example of each form."""
    if "数字写法" in skip:
        return []
    found: list[Finding] = []

    def first(pattern: re.Pattern[str], original: bool = False) -> tuple[Passage, re.Match[str]] | None:
        for passage in passages:
            if passage.where.header in {"序号", "编号", "排名", "名次"}:
                continue  # row numbers are not figures written one way or another
            text = passage.text.original if original else passage.plain
            spans = protected_spans(text)
            for match in pattern.finditer(text):
                if not any(a <= match.start() < b for a, b in spans):  # “十条刚性措施” is a name
                    return passage, match
        return None

    pairs = (
        (_GROUPED, _LONG, False, "五位以上的数字有的用千分撇分节（97,595,000），有的不用；同一份文件应一致"),
        (_FULL_DIGIT, _HALF_DIGIT, True, "有的数字是全角（１２３），有的是半角（123）；应一律用半角数字"),
        (
            _CHINESE_COUNT,
            _ARABIC_COUNT,
            False,
            "计数有的用汉字（三十五起），有的用阿拉伯数字（35起）；计数应一律用阿拉伯数字",
        ),
    )
    for one, other, original, message in pairs:
        a, b = first(one, original), first(other, original)
        if a and b:
            (pa, ma), (pb, mb) = a, b
            found.append(
                Finding(
                    "warning",
                    _where(pa, ma.start() if not original else 0),
                    f"{ma.group(0)}（{pa.where_at(ma.start())}）与 {mb.group(0)}（{pb.where_at(mb.start())}）",
                    check="数字写法",
                    message=message,
                )
            )
    return found
