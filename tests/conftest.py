"""Shared fixtures: the repository's paths, LibreOffice on demand, and golden-file updating."""

from __future__ import annotations

import os
import shutil
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
