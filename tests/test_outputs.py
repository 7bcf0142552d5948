"""Every .docx and .xlsx the tool wrote during this test session is a valid document that LibreOffice opens.

How every document is found: tests/fixtures/ledger records a copy of each document at the moment the tool
publishes it (its one way of writing a file, a temporary file renamed onto the target), both in this process and in
every ``annual-report`` command the tests start, and every workbook the writer hands to a test as bytes. The test
below runs after all others (``last`` marker, see conftest.py) and checks each distinct document: a sound zip,
every XML part well formed and free of DOCTYPE declarations (the whole part, whatever its encoding), content types
for every part, relationships that resolve with unique ids, every relationship id a part uses defined, no
relationship leaving the file but hyperlinks to web pages and mail, no macros, a report's main part the plain Word
document type, no formula in any workbook (embedded chart workbooks included), unique drawing ids, python-docx /
openpyxl open it; then LibreOffice opens them all in one batch and must show each document's first line of text.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from generator import api
from tests.conftest import SLOW, ledger_folder
from tests.fixtures.ledger import document_ledger
from tests.helpers import check_document, libreoffice_opens
from tests.test_input import MINIMAL

# Unit tests of the atomic writer publish placeholder bytes (b"new") under a .docx name: not documents.
PLACEHOLDER_WRITES = {"tests/test_safety.py::test_atomic_write_replaces_in_one_step_and_keeps_permissions"}
# LibreOffice needs minutes to lay out a report whose summary table has 10,000 rows (4-5 minutes for the
# corpus's 10,000-indicator report, LibreOffice 7.x); those are checked in full by every other means each run, and
# opened in LibreOffice in the slow profile.
LARGE_BODY = 4 * 1024 * 1024  # bytes of word/document.xml


def _test_of(entry: dict[str, str]) -> str:
    return entry.get("test", "").split(" (")[0]


def _large(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(i.filename == "word/document.xml" and i.file_size > LARGE_BODY for i in archive.infolist())


@pytest.mark.last
def test_every_document_the_suite_produced_is_valid(tmp_path: Path, soffice: str) -> None:
    folder = ledger_folder()
    # The ledger itself must work, in this process and in a command, or this test would prove nothing.
    source = tmp_path / "2023.yaml"
    source.write_text(MINIMAL, encoding="utf-8")
    api.build(source, output=tmp_path / "in-process.docx")
    command = shutil.which("annual-report")
    assert command, "the annual-report command is not installed"
    done = subprocess.run([command, "build", "2023.yaml", "-o", "by-command.docx"], cwd=tmp_path, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    entries = document_ledger.entries(folder)
    targets = {Path(e["target"]).name for e in entries if "target" in e}
    assert {"in-process.docx", "by-command.docx"} <= targets, "the ledger does not record documents"
    assert not [e for e in entries if "error" in e], [e for e in entries if "error" in e]

    by_hash: dict[str, tuple[Path, dict[str, str]]] = {}
    for entry in entries:
        if _test_of(entry) in PLACEHOLDER_WRITES or _test_of(entry) in document_ledger.KNOWN_BUGS:
            continue
        copy = folder / entry["copy"]
        by_hash.setdefault(hashlib.sha256(copy.read_bytes()).hexdigest(), (copy, entry))
    failures = []
    to_open = []
    for copy, entry in by_hash.values():
        data = copy.read_bytes()
        try:
            check_document(data)
        except Exception as exc:
            kept = tmp_path / "broken" / copy.name  # the ledger goes with the session: keep the evidence here
            kept.parent.mkdir(exist_ok=True)
            kept.write_bytes(data)
            failures.append(f"{entry['target']} (from {_test_of(entry)}, kept as {kept}): {type(exc).__name__}: {exc}")
            continue
        if SLOW or not _large(data):
            to_open.append(copy)
    opened = libreoffice_opens(soffice, to_open, tmp_path / "libreoffice")
    for copy, problem in opened.items():
        entry = next(e for c, e in by_hash.values() if c == copy)
        failures.append(f"{entry['target']} (from {_test_of(entry)}): {problem}")
    assert not failures, f"{len(failures)} of {len(by_hash)} documents are broken:\n" + "\n".join(failures)
    print(f"{len(by_hash)} distinct documents checked, {len(to_open)} opened in LibreOffice")
