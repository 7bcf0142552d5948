"""The names a Word template can use: Content as plain values, plus what only layout needs (photos as images,
generated tables, the formal report's numbering, attachments and sign-off). Documented in the README."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from generator.errors import Problem, raise_if
from generator.figures.content import Content, PhotoContent, TableContent
from generator.render.drawings import picture
from generator.render.engine import Additions
from generator.render.photos import prepare_photo
from generator.render.styles import TableStyles
from generator.render.tables import without_empty_columns

PHOTO_WIDTH_MM = 80  # a newspaper column
LINE_CHARACTERS = 28  # GB/T 9704: 28 characters to the line, which the sign-off is laid out on
SUMMARY_COLUMNS = ["序号", "指标", "单位", "本年", "上年", "同比"]
HONOR_COLUMNS = ["序号", "获奖集体或个人", "荣誉", "级别"]
BOX_HONOR_COLUMNS = ["集体/个人", "荣誉", "级别"]

# Every name template_context gives, for `template check` and the README.
TEMPLATE_NAMES = (
    "organization", "short_name", "year", "kicker", "headline", "subtitle", "lead", "event", "sections",
    "outlook_heading", "outlook", "outlook_ordinal", "byline_label", "byline_names", "summary", "honors", "tables",
    "photos", "title", "date_text", "signoff_unit", "signoff_date", "attachments", "trend", "charts",
    "summary_table", "honors_table",
)  # fmt: skip


def template_context(
    content: Content,
    additions: Additions,
    width: int,
    today: dt.date | None = None,
    needed: set[str] | None = None,
    styles: TableStyles | None = None,
) -> dict[str, Any]:
    """``width``: twips between the margins where full-width tables go; pictures are added to ``additions``.
    ``needed``: the names the template uses; the costly ones (pictures, finished tables) are made only if used.
    ``styles``: the template's own styles for the finished tables."""
    wanted = set(TEMPLATE_NAMES) if needed is None else needed

    def finished(table: TableContent | None, name: str, *, box: bool = False) -> dict[str, Any] | None:
        if table is None:
            return None
        body = additions.table_body(table, width, styles, box=box) if name in wanted else ""
        return {"title": table.title, "columns": table.columns, "rows": table.rows, "body": body}

    images, problems = _photos(content.photos, additions) if wanted & {"photos", "section.photos"} else ([], [])
    raise_if(problems)
    per_section = _distribute(images, len(content.sections))
    date = content.date or today or dt.date.today()
    date_text = f"{date.year}年{date.month}月{date.day}日"  # GB/T 9704: Arabic numerals, no zero padding
    unit_line, date_line = signoff_lines(content.organization, date_text)
    context = {
        "organization": content.organization,
        "short_name": content.short_name,
        "year": content.year,
        "kicker": content.kicker,
        "headline": content.headline,
        "subtitle": content.subtitle,
        "lead": breakable(content.lead),
        "event": breakable(content.event),
        "sections": [
            {"heading": s.heading, "paragraphs": breakable(s.paragraphs), "photos": per_section[i], "number": i + 1,
             "ordinal": s.ordinal,
             "subsections": [{"heading": sub.heading, "paragraphs": breakable(sub.paragraphs), "ordinal": sub.ordinal,
                              "number": j + 1} for j, sub in enumerate(s.subsections)]}
            for i, s in enumerate(content.sections)
        ],
        "outlook_heading": content.outlook_heading,
        "outlook": breakable(content.outlook),
        "outlook_ordinal": content.outlook_ordinal,
        "byline_label": content.byline_label,
        "byline_names": content.byline_names,
        "summary": content.summary,
        "honors": content.honors,
        "tables": [finished(t, "tables") for t in content.tables],
        "photos": images,
        "title": content.title,
        "date_text": date_text,
        "signoff_unit": unit_line,
        "signoff_date": date_line,
        "attachments": _attachments(content, additions, width, styles) if "attachments" in wanted else [],
        "trend": finished(content.trend and without_empty_columns(content.trend, keep=2), "trend"),
        "charts": [{"title": c.title, "kind": c.kind} for c in content.charts],
        "summary_table": finished(summary_table(content), "summary_table", box=True),
        "honors_table": finished(honors_table(content, BOX_HONOR_COLUMNS), "honors_table", box=True),
    }  # fmt: skip
    assert set(context) == set(TEMPLATE_NAMES)
    return context


def summary_table(content: Content) -> TableContent | None:
    """The 主要指标 table, without the columns no indicator fills (上年 when only changes are stated)."""
    if not content.summary:
        return None
    rows = [[str(r.number), r.name, r.unit, r.value, r.previous, r.change] for r in content.summary]
    return without_empty_columns(TableContent(f"{content.year}年主要指标", SUMMARY_COLUMNS, rows), keep=2)


def honors_table(content: Content, columns: list[str] = HONOR_COLUMNS) -> TableContent | None:
    if not content.honors:
        return None
    rows = [[h.recipient, h.honor, h.level] for h in content.honors]
    if len(columns) == len(HONOR_COLUMNS):
        rows = [[str(i), *row] for i, row in enumerate(rows, start=1)]
    return TableContent(f"{content.year}年获得荣誉情况", columns, rows)


# 25.8%、23.9% is one unbreakable word to LibreOffice: a justified line before it is stretched to 全 年 全 市 …
# A zero-width space after the mark between two figures lets the line break there, as Word and WPS break it.
_BETWEEN_FIGURES = re.compile(r"(?<=[0-9%‰A-Za-z])([、，；：])(?=[0-9A-Za-z])")


def breakable(paragraphs: list[str]) -> list[str]:
    """Body paragraphs with a line-break opportunity after 、，；： between figures."""
    return [_BETWEEN_FIGURES.sub("\\1\u200b", text) for text in paragraphs]


def _attachments(
    content: Content, additions: Additions, width: int, styles: TableStyles | None
) -> list[dict[str, Any]]:
    """The summary tables as the formal report's 附件 1, 2, 3 …, each a finished table."""
    tables = [t for t in (summary_table(content), honors_table(content)) if t is not None]
    if content.trend:
        tables.append(without_empty_columns(content.trend, keep=2))
    tables += content.tables
    return [
        {"number": n, "title": t.title, "body": additions.table_body(t, width, styles)}
        for n, t in enumerate(tables, start=1)
    ]


def _characters(text: str) -> float:
    """Width in full-width characters: half-width letters and digits count a half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def signoff_lines(unit: str, date_text: str) -> tuple[str, str]:
    """The unit and the date laid out on the 28-character line as GB/T 9704 has them without a seal: the unit two
    characters in from the right, the date below it starting two characters further right; when the date is the
    longer, the date two characters in and the unit moved left to match. Padded with ideographic spaces."""
    u, d = _characters(unit), _characters(date_text)
    if d + 2 <= u:
        unit_start, date_start = LINE_CHARACTERS - 2 - u, LINE_CHARACTERS - u
    else:
        date_start = LINE_CHARACTERS - 2 - d
        unit_start = date_start - 2
    return "\u3000" * max(int(unit_start), 0) + unit, "\u3000" * max(int(date_start), 0) + date_text


def _photos(photos: list[PhotoContent], additions: Additions) -> tuple[list[dict[str, Any]], list[Problem]]:
    images, problems = [], []
    for photo in photos:
        prepared, problem = prepare_photo(photo)
        if prepared is None:
            problems.append(problem)
            continue
        image = picture(additions, prepared.data, prepared.extension, (prepared.width, prepared.height), PHOTO_WIDTH_MM)
        images.append({"image": image, "caption": photo.caption})
    return images, problems


def _distribute(items: list[Any], buckets: int) -> list[list[Any]]:
    """Spread photos over the sections in order, as a layout desk would (5 over 3 sections: 2, 2, 1)."""
    spread: list[list[Any]] = [[] for _ in range(max(buckets, 1))]
    for k, item in enumerate(items):
        spread[k * len(spread) // len(items)].append(item)
    return spread
