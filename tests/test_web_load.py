"""Ten people at once against one page on 127.0.0.1 (issue 12): each uploads a workbook for a year of their own
and builds it. Every one succeeds with its own data, and the server with its workers and their LibreOffices
stays under 1 GB. Bounded in count (10 clients, one upload and one build each) and in time (each request's own
timeout); nothing is timed as a pass/fail."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.web_support import descendants, resident_bytes, served, unit_folder, workbook_of

CLIENTS = 10
MEMORY_LIMIT = 1024**3

pytestmark = pytest.mark.libreoffice


def test_ten_clients_upload_and_build_different_years_at_once(tmp_path: Path, soffice: str) -> None:
    import httpx2 as httpx  # Starlette's test client's HTTP library (test extra): here a plain client

    unit = unit_folder(tmp_path / "unit")
    years = [2030 + 2 * n for n in range(CLIENTS)]  # not consecutive: no year takes 上年 from another's upload
    books = {year: workbook_of(unit / "2019.yaml", year=year, cells={("基本信息", "B6"): f"第{year}年的主题"})
             for year in years}  # fmt: skip
    with served(unit, "-j", "2") as (url, server):
        peak = [0]
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.2):
                total = sum(resident_bytes(pid) for pid in [server.pid, *descendants(server.pid)])
                peak[0] = max(peak[0], total)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()

        def person(year: int) -> tuple[int, str, bytes]:
            with httpx.Client(base_url=url, timeout=300, follow_redirects=False) as client:
                token = re.search(r'csrf-token" content="(\w+)"', client.get("/").text).group(1)
                sent = client.post("/upload", data={"csrf": token},
                                   files={"file": (f"{year}.xlsx", books[year])})  # fmt: skip
                assert sent.status_code == 303, sent.text[:300]
                assert sent.headers["location"].startswith(f"/year/{year}?saved="), sent.headers["location"]
                built = client.post(f"/year/{year}/build", data={"csrf": token, "style": "newspaper"})
                assert built.status_code == 303, built.text[:300]
                page = client.get(f"/year/{year}").text
                pictures = re.findall(r'src="(/preview/[^"]+\.png)"', page)
                assert pictures, page[:500]
                assert client.get(pictures[0]).content.startswith(b"\x89PNG")
                report = client.get(f"/year/{year}/file/{year}.docx")
                assert report.status_code == 200
                return year, page, report.content

        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                results = list(pool.map(person, years))
        finally:
            done.set()
            watcher.join(5)
    from tests.helpers import docx_lines

    for year, page, report in results:
        assert f"第{year}年的主题" in page  # each sees its own year, not another's
        assert f"第{year}年的主题" in docx_lines(report)
        assert (unit / f"{year}.xlsx").read_bytes() == books[year]
        assert (unit / f"{year}.docx").read_bytes() == report
    assert 0 < peak[0] < MEMORY_LIMIT, f"server and workers peaked at {peak[0] / 1024**2:.0f} MB"
    print(f"\npeak memory of the server, its workers and their LibreOffices: {peak[0] / 1024**2:.0f} MB")


def test_people_building_one_year_at_once_each_get_the_report_they_asked_for(tmp_path: Path, soffice: str) -> None:
    """Builds of one year take turns; each person is shown and given their own build, whoever built after them."""
    import subprocess

    import httpx2 as httpx

    from tests.helpers import command, environment

    unit = unit_folder(tmp_path / "unit")
    expected = {}
    for style in ("newspaper", "official"):
        elsewhere = unit_folder(tmp_path / f"cli-{style}")
        subprocess.run([command(), "build", str(elsewhere / "2019.yaml"), "-t", style], check=True,
                       capture_output=True, env=environment())  # fmt: skip
        expected[style] = max(elsewhere.glob("2019*.docx"), key=lambda p: p.stat().st_mtime).read_bytes()
    styles = ["newspaper", "official"] * 3
    with served(unit) as (url, _):

        def person(style: str) -> tuple[str, str, bytes]:
            with httpx.Client(base_url=url, timeout=300, follow_redirects=False) as client:
                token = re.search(r'csrf-token" content="(\w+)"', client.get("/year/2019").text).group(1)
                built = client.post("/year/2019/build", data={"csrf": token, "style": style})
                assert built.status_code == 303 and "?build=" in built.headers["location"]
                page = client.get(built.headers["location"]).text
                link = re.search(r'href="(/build/[^"]+\.docx)"', page).group(1)
                return style, page, client.get(link).content

        with ThreadPoolExecutor(len(styles)) as pool:
            results = list(pool.map(person, styles))
    labels = {"newspaper": "报纸通讯", "official": "正式工作报告（GB/T 9704 公文格式）"}
    for style, page, report in results:
        assert f"（{labels[style]}，生成于" in page
        assert report == expected[style]
