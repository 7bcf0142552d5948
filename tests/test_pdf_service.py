"""PDF at LibreOffice's floor (issue 11): a folder build converts with one LibreOffice per worker process, and single
commands reach the user's warm converter service (generator/pdf_service.py). Whatever dies, every PDF comes out,
with the pages and text a plain `soffice --convert-to` gives. Nothing here measures time (that is the benchmark's)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
from pathlib import Path

import pytest

from generator import batch, converter, pdf_service
from tests.helpers import command, environment, pdf_pages, pdf_text
from tests.web_support import unit_folder, wait_until

EXAMPLE_YEARS = ("2019.yaml", "2022.yaml")


@pytest.fixture
def service_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private folder of the test's own for the service, and the service in it ended afterwards."""
    folder = tmp_path_factory.mktemp("run")
    folder.chmod(0o700)
    yield folder
    pdf_service.stop_all(folder)


def _env(folder: Path, **more: str) -> dict[str, str]:
    env = environment()
    env["ANNUAL_REPORT_RUNTIME_DIR"] = str(folder)
    env.update(more)
    return env


def _build_pdf(source: Path, env: dict[str, str], *more: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([command(), "build", source.name, "--pdf", *more], cwd=source.parent, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _status(folder: Path) -> dict[str, object] | None:
    return pdf_service.status(folder)


# --- the private folder ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o707, 0o777])
def test_a_folder_others_can_enter_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    folder.chmod(mode)
    monkeypatch.setenv("ANNUAL_REPORT_RUNTIME_DIR", str(folder))
    assert pdf_service.runtime_dir() is None


def test_a_link_or_a_file_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for name in ("link", "file"):
        monkeypatch.setenv("ANNUAL_REPORT_RUNTIME_DIR", str(tmp_path / name))
        assert pdf_service.runtime_dir() is None, name


def test_the_folder_is_made_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNUAL_REPORT_RUNTIME_DIR", str(tmp_path / "new"))
    folder = pdf_service.runtime_dir()
    assert folder == tmp_path / "new" and stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_service_names_differ_by_libreoffice(tmp_path: Path) -> None:
    other = tmp_path / "soffice"
    other.write_text("#!/bin/sh\n", encoding="utf-8")
    assert pdf_service.service_name("/usr/bin/soffice") != pdf_service.service_name(str(other))
    assert pdf_service.service_name(str(other)) == pdf_service.service_name(str(other))


# --- single commands: the warm service ------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_commands_share_one_warm_libreoffice_with_the_pages_of_a_plain_conversion(
    tmp_path: Path, service_folder: Path, warm_possible: bool
) -> None:
    unit = unit_folder(tmp_path / "unit")
    env = _env(service_folder)
    for style in ("newspaper", "official"):
        for source in EXAMPLE_YEARS:
            _build_pdf(unit / source, env, "-t", style)
    said = _status(service_folder)
    assert said is not None and said["starts"] == 1 and said["conversions"] == 4, said
    cold = tmp_path / "cold"
    cold.mkdir()
    for report in sorted(unit.glob("*.docx")):
        plain = cold / report.with_suffix(".pdf").name
        from generator.output import write_pdf

        write_pdf(report, plain)
        warm = report.with_suffix(".pdf")
        assert pdf_pages(warm) == pdf_pages(plain) > 0, report.name
        assert pdf_text(warm) == pdf_text(plain), report.name


@pytest.mark.libreoffice
@pytest.mark.parametrize("what", ["libreoffice", "service"])
def test_a_killed_listener_or_service_still_gives_the_next_pdf(
    tmp_path: Path, service_folder: Path, warm_possible: bool, what: str
) -> None:
    unit = unit_folder(tmp_path / "unit")
    env = _env(service_folder)
    _build_pdf(unit / "2019.yaml", env)
    said = _status(service_folder)
    assert said is not None and said["office"]
    if what == "libreoffice":
        os.killpg(int(said["office"]), signal.SIGKILL)
    else:
        os.kill(int(said["pid"]), signal.SIGKILL)
        assert wait_until(lambda: _status(service_folder) is None, 30)
    (unit / "2019.pdf").unlink()
    _build_pdf(unit / "2019.yaml", env)
    _build_pdf(unit / "2022.yaml", env)
    assert pdf_pages(unit / "2019.pdf") > 0 and pdf_pages(unit / "2022.pdf") > 0
    after = _status(service_folder)  # and the warm path is back for the commands that follow
    assert after is not None and after["conversions"] >= 1


@pytest.mark.libreoffice
def test_without_the_service_the_plain_conversion_gives_the_pdf(tmp_path: Path, soffice: str) -> None:
    unit = unit_folder(tmp_path / "unit")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # not private: never used
    for env in (_env(shared), _env(shared, ANNUAL_REPORT_PDF_SERVICE="0")):
        _build_pdf(unit / "2019.yaml", env)
        assert pdf_pages(unit / "2019.pdf") > 0
        (unit / "2019.pdf").unlink()
    assert list(shared.iterdir()) == []


# --- folder builds: one LibreOffice per worker ----------------------------------------------------------------------


@pytest.mark.libreoffice
def test_a_listener_killed_mid_batch_still_gives_every_pdf(tmp_path: Path, warm_possible: bool) -> None:
    units = []
    for n in range(3):
        unit = unit_folder(tmp_path / f"unit{n}")
        units += [unit / name for name in EXAMPLE_YEARS]
    office = converter.shared()
    killed = []

    def kill_after_the_second(outcome: batch.Outcome) -> None:
        if len(killed) == 0 and outcome.ok and office.office_pid and sum(p.with_suffix(".pdf").exists()
                                                                          for p in units) == 2:  # fmt: skip
            killed.append(office.office_pid)
            os.killpg(office.office_pid, signal.SIGKILL)

    try:
        outcomes = batch.build_all(units, pdf=True, jobs=1, on_done=kill_after_the_second)
        assert [o.problem for o in outcomes if not o.ok] == []
        assert killed and office.starts == 2  # killed mid-batch, started again once
        assert [pdf_pages(p.with_suffix(".pdf")) > 0 for p in units] == [True] * len(units)
    finally:
        converter.close_shared()


@pytest.mark.libreoffice
def test_a_folder_build_starts_one_libreoffice_per_worker(tmp_path: Path, warm_possible: bool) -> None:
    """Through the installed command, two workers: every PDF made, each worker's LibreOffice ended and its profile
    removed with the worker, and the plain path (a fresh soffice a report) never taken."""
    folder = tmp_path / "units"
    for n in range(3):
        unit_folder(folder / f"unit{n}")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = _env(tmp_path / "unused", TMPDIR=str(temp))
    done = subprocess.run([command(), "build", str(folder), "--pdf", "-j", "2"], env=env, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "成功 6 份，失败 0 份" in done.stdout
    assert len(list(folder.rglob("*.pdf"))) == 6
    assert wait_until(lambda: not list(temp.glob("annual-report-office-*")), 60)  # closed and cleaned up
    assert not list(temp.glob("annual-report-pdf-*"))  # no plain soffice call was needed


def test_tests_keep_their_services_apart() -> None:
    assert os.environ.get("ANNUAL_REPORT_RUNTIME_DIR")  # conftest: never the user's own service
    assert shutil.which("annual-report") is not None
