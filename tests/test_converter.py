"""The warm PDF converter (issue 11, PDF): one LibreOffice kept running for many documents, restarted when it dies
or hangs, and the same pages as a plain `soffice --convert-to`; and the page pictures drawn from its PDFs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator import api, converter
from generator.converter import Converter
from generator.output import write_pdf
from generator.preview import page_images
from tests.helpers import pdf_pages, pdf_text
from tests.web_support import unit_folder, wait_until

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four different reports: both examples in both styles."""
    unit = unit_folder(tmp_path_factory.mktemp("unit"))
    made = []
    for source in ("2019.yaml", "2022.yaml"):
        for style in ("newspaper", "official"):
            out = unit / f"{Path(source).stem}-{style}.docx"
            api.build(unit / source, style, out)
            made.append(out)
    return made


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_warm_pdfs_have_the_pages_and_text_of_plain_soffice(
    reports: list[Path], tmp_path: Path, warm_possible: bool
) -> None:
    office = Converter()
    try:
        for report in reports:
            warm, cold = tmp_path / f"{report.stem}-warm.pdf", tmp_path / f"{report.stem}-cold.pdf"
            assert office.convert(report, warm) == "warm"
            write_pdf(report, cold)
            assert pdf_pages(warm) == pdf_pages(cold), report.name
            assert pdf_text(warm) == pdf_text(cold), report.name
        assert office.starts == 1  # one LibreOffice for all of them
    finally:
        office.close()


def test_a_listener_killed_mid_batch_still_gives_every_pdf(
    reports: list[Path], tmp_path: Path, warm_possible: bool
) -> None:
    office = Converter()
    try:
        made = []
        for n, report in enumerate(reports):
            if n == 2:
                os.killpg(office.office_pid, signal.SIGKILL)
            target = tmp_path / f"{n}.pdf"
            office.convert(report, target)
            made.append(target)
        assert [pdf_pages(p) > 0 for p in made] == [True] * len(reports)
        assert office.starts == 2 and office.last_way == "warm"  # started again, and warm again
    finally:
        office.close()


def test_a_hung_listener_is_ended_and_the_document_still_converted(
    reports: list[Path], tmp_path: Path, warm_possible: bool
) -> None:
    office = Converter(timeout=5)
    try:
        assert office.start()
        hung = office.office_pid
        os.killpg(hung, signal.SIGSTOP)  # LibreOffice stops answering, as a document that hangs it would make it
        assert office.convert(reports[0], tmp_path / "a.pdf") == "cold"
        assert pdf_pages(tmp_path / "a.pdf") > 0
        assert wait_until(lambda: not alive(hung), 30)  # the hung one was ended, not left behind
        assert office.convert(reports[1], tmp_path / "b.pdf") == "warm"
        assert office.starts == 2
    finally:
        office.close()


def test_restarted_after_so_many_conversions(reports: list[Path], tmp_path: Path, warm_possible: bool) -> None:
    office = Converter(restart_after=2)
    try:
        for n, report in enumerate(reports[:3]):
            office.convert(report, tmp_path / f"{n}.pdf")
        assert office.starts == 2
    finally:
        office.close()


def test_without_a_python_that_has_uno_every_pdf_comes_the_plain_way(
    reports: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, soffice: str
) -> None:
    monkeypatch.setattr(converter, "uno_python", lambda: None)
    office = Converter()
    try:
        assert office.convert(reports[0], tmp_path / "a.pdf") == "cold"
        assert pdf_pages(tmp_path / "a.pdf") > 0 and not office.running
    finally:
        office.close()


def test_libreoffice_ends_with_the_process_that_started_it(reports: list[Path], warm_possible: bool) -> None:
    """Closed or killed, the process leaves no LibreOffice listening behind."""
    script = (
        "import sys; from generator.converter import Converter; c = Converter(); assert c.start();"
        "print(c.office_pid, flush=True); sys.stdin.read()"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        office = int(child.stdout.readline())
        assert alive(office)
        child.kill()  # no atexit, no cleanup of its own: the bridge sees its parent go
        assert wait_until(lambda: not alive(office), 30)
    finally:
        child.kill()
        child.wait()
    closing = Converter()
    assert closing.start()
    office = closing.office_pid
    closing.close()
    assert wait_until(lambda: not alive(office), 30)


def test_page_pictures_one_per_page(reports: list[Path], tmp_path: Path, soffice: str) -> None:
    from PIL import Image

    pdf = tmp_path / "r.pdf"
    write_pdf(reports[1], pdf)
    pictures = page_images(pdf, tmp_path / "pages")
    assert len(pictures) == pdf_pages(pdf)
    assert [p.name for p in pictures] == [f"{n}.png" for n in range(1, len(pictures) + 1)]
    with Image.open(pictures[0]) as first:
        assert first.width == 900 and first.height > first.width  # A4, upright
        assert first.convert("L").getextrema()[0] < 100  # there is ink on it
