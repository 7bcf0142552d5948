"""verify: a finished report (ours after hand edits, or one written by hand) against the year's data.

Reads every story of the .docx (generator.reading), finds each figure the text states, names the indicator it is
about, and compares it with what the figures stage computes for that indicator (the same rounding and phrasing as
build). Knows nothing of the renderer or of how the report was made.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.figures.content import Content
from generator.reading.docx_text import DocxText, Passage, TableBlock
from generator.reading.fragments import joined
from generator.verify.compare import Checker
from generator.verify.conventions import document_warnings, passage_warnings
from generator.verify.findings import CHECKS, Finding, Verification
from generator.verify.tables import check_table

__all__ = ["CHECKS", "Finding", "Verification", "verify_document"]


def verify_document(document: DocxText, content: Content, data_name: str, skip: Iterable[str] = ()) -> Verification:
    """Every figure of ``document`` compared with ``content``'s indicators, and the conventions not in ``skip``."""
    skipped = set(skip)
    document = joined(document)  # a sentence broken over two paragraphs (pasted from a PDF) is read whole
    checker = Checker(content.figures, content.short_name, content.year)
    result = Verification(document.name, data_name)
    passages: list[Passage] = []
    for block in document.body:
        if isinstance(block, TableBlock):
            result.findings += check_table(checker, block)
            passages += [cell for row in block.rows for cell in row]
        else:
            result.findings += checker.passage(block)
            passages.append(block)
    for passage in document.others:
        result.findings += checker.passage(passage)
        passages.append(passage)
    taken = {(f.where, 0) for f in result.disagreements}
    for passage in passages:
        result.findings += [
            w for w in passage_warnings(passage, skipped, taken) if not _reported(w, result.disagreements)
        ]
    result.findings += document_warnings(passages, skipped)
    return result


def _reported(warning: Finding, disagreements: list[Finding]) -> bool:
    """A rate written in % that already disagrees with its indicator is not warned about again."""
    return warning.check == "百分点" and any(
        d.where.split("“")[0] == warning.where.split("“")[0] and warning.found in d.found for d in disagreements
    )
