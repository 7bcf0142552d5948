"""Shared fixtures: the repository's paths, LibreOffice on demand, and golden-file updating."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "reports" / "yongkang-police"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/* from what the code produces now"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice binary. Locally a test needing it is skipped when it is missing; with CI=true it fails."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI=true but LibreOffice (soffice) is not installed: .ci/run must install it")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


@pytest.fixture(scope="session")
def warm_possible(soffice: str) -> bool:
    """A Python with LibreOffice's uno module, which the warm converter drives LibreOffice through."""
    from generator import converter

    if converter.uno_python() is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI=true but no Python with LibreOffice's uno module: .ci/run must install python3-uno")
        pytest.skip("no Python with LibreOffice's uno module (Debian: python3-uno)")
    return True


# --- hypothesis profiles ------------------------------------------------------------------------------------------
# "ci" (the default) runs a few hundred fuzz examples in all; "slow" runs thousands and the long crash-safety loop:
#     HYPOTHESIS_PROFILE=slow pytest tests/test_fuzz.py tests/test_crash_safety.py

from hypothesis import HealthCheck, settings  # noqa: E402

_FUZZ_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=_FUZZ_HEALTH, print_blob=True)
settings.register_profile("slow", max_examples=2500, deadline=None, suppress_health_check=_FUZZ_HEALTH, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
SLOW = PROFILE == "slow"


# --- every document the tool writes is recorded, and checked at the end (tests/test_outputs.py) --------------------

from tests.fixtures.ledger import document_ledger  # noqa: E402

LEDGER_SITE = ROOT / "tests" / "fixtures" / "ledger"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "last: runs after every other test (the check of every document produced)")
    if os.environ.get(document_ledger.LEDGER_ENV):
        return  # a pytest started by a test: it records into the outer session's ledger
    # The warm PDF service (generator/pdf_service.py) that commands start: the session's own, ended with it.
    os.environ["ANNUAL_REPORT_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="annual-report-run-")
    os.environ.setdefault("ANNUAL_REPORT_PDF_IDLE", "300")
    # The session's own cache of compiled templates and expressions: it starts empty, and the user's stays untouched.
    os.environ["ANNUAL_REPORT_CACHE"] = tempfile.mkdtemp(prefix="annual-report-cache-")
    folder = Path(tempfile.mkdtemp(prefix="annual-report-documents-"))
    folder.chmod(0o777)  # commands run without the right to override permissions record here too
    os.environ[document_ledger.LEDGER_ENV] = str(folder)
    # every annual-report command the tests start loads tests/fixtures/ledger/sitecustomize.py
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(LEDGER_SITE), os.environ.get("PYTHONPATH")]))
    document_ledger.install(folder)
    # workbooks the writer returns as bytes to tests that never write them are documents we produce, too
    import generator.writers.workbook as writer

    writer.workbook_bytes = document_ledger.recording(writer.workbook_bytes, ".xlsx")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)  # stable: the rest keep their order
    # tests of known bugs (xfail): the documents they make are not held against the rest (tests/test_outputs.py)
    document_ledger.KNOWN_BUGS.update(item.nodeid for item in items if item.get_closest_marker("xfail") is not None)


def ledger_folder() -> Path:
    return Path(os.environ[document_ledger.LEDGER_ENV])


def pytest_unconfigure(config: pytest.Config) -> None:
    """The ledger's copies go when the session ends, passed or failed: tests/test_outputs.py keeps a copy of any
    broken document in its own tmp_path, and nothing else is worth keeping (least of all a partial copy left by a
    build a test killed)."""
    folder = document_ledger.current_folder()
    if folder is not None and os.environ.get(document_ledger.LEDGER_ENV) == str(folder):
        shutil.rmtree(folder, ignore_errors=True)
        services = os.environ.get("ANNUAL_REPORT_RUNTIME_DIR")
        if services:
            from generator.pdf_service import stop_all

            stop_all(Path(services))
            shutil.rmtree(services, ignore_errors=True)
        cache = os.environ.get("ANNUAL_REPORT_CACHE", "")
        if Path(cache).name.startswith("annual-report-cache-"):  # the one this session made
            shutil.rmtree(cache, ignore_errors=True)
