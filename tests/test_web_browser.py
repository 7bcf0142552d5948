"""The page in a real browser: Debian's chromium driven by Playwright, against `annual-report serve` started as a
clerk starts it. The browser is the system's (/usr/bin/chromium, installed by .ci/run); nothing is downloaded.

Set WEB_SCREENSHOTS=folder to keep the screenshots taken at every step (they are always taken: a page that cannot
be drawn fails here)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import command, environment
from tests.web_support import served, unit_folder, workbook_of

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SCREEN = {"width": 1366, "height": 768}  # the most common office screen

pytestmark = pytest.mark.libreoffice  # the previews need LibreOffice


@pytest.fixture(scope="module")
def browser(soffice: str):  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI=true but /usr/bin/chromium is missing: .ci/run must install the chromium package")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full: bool = False) -> Path:  # type: ignore[no-untyped-def]
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full)
        assert path.stat().st_size > 5000
        return path

    return take


def drop_file(page, selector: str, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """Drag a file onto the drop zone, as a person drags it from the file manager."""
    page.evaluate(
        """([selector, name, encoded]) => {
            const bytes = Uint8Array.from(atob(encoded), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            const zone = document.querySelector(selector);
            zone.dispatchEvent(new DragEvent("dragenter", {dataTransfer: transfer, bubbles: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }""",
        [selector, name, base64.b64encode(data).decode()],
    )


def previews_loaded(page) -> list[int]:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "() => { const all = [...document.querySelectorAll('.page-picture img')];"
        " return all.length > 0 && all.every(i => i.complete); }",
        timeout=120_000,
    )
    return page.eval_on_selector_all(".page-picture img", "all => all.map(i => i.naturalWidth)")


def test_a_clerk_goes_through_the_year_in_the_browser(browser, shots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    unit = unit_folder(tmp_path / "永康市公安局")
    broken = workbook_of(unit / "2019.yaml", year=2023, cells={("指标", "C3"): "十二", ("指标", "C5"): "12.5万"})
    fixed = workbook_of(unit / "2019.yaml", year=2023)
    (tmp_path / "2023年数据.xlsx").write_bytes(broken)
    with served(unit) as (url, _):
        context = browser.new_context(viewport=SCREEN, accept_downloads=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        assert page.locator("table.years").inner_text().count("年") >= 2
        shots(page, "1-index")

        # a workbook with problems, chosen with the file picker: the table names each sheet and cell
        page.set_input_files("form[action='/upload'] input[type=file]", str(tmp_path / "2023年数据.xlsx"))
        page.click("form[action='/upload'] button[type=submit]")
        page.wait_for_url("**/upload/*")
        rows = page.locator("table.problems tbody tr")
        assert rows.count() >= 2
        cells = [(rows.nth(i).locator("td.sheet").inner_text(), rows.nth(i).locator("td.cell").inner_text())
                 for i in range(rows.count())]  # fmt: skip
        assert ("「指标」", "C3") in cells and ("「指标」", "C5") in cells
        assert "没有保存" in page.locator("h1").inner_text()
        shots(page, "2-problems", full=True)
        assert not (unit / "2023.xlsx").exists()

        # the fixed one, dragged onto the box: stored as 2023.xlsx, the year opens
        drop_file(page, "form[action='/upload'] .dropzone", "2023年数据（改好）.xlsx", fixed)
        page.wait_for_url("**/year/2023?saved=*")
        assert "已保存" in page.locator(".notice.ok").inner_text()
        assert (unit / "2023.xlsx").read_bytes() == fixed
        shots(page, "3-stored")

        # build: the pages are shown, every picture loaded
        page.check("input[name=style][value=newspaper]")
        page.click("form[data-build] button[type=submit]")
        page.wait_for_url("**/year/2023?build=*")
        widths = previews_loaded(page)
        assert widths and all(w > 0 for w in widths)
        shots(page, "4-built")
        shots(page, "4-built-full", full=True)

        # the .docx downloaded from the page is the command line's, byte for byte
        with page.expect_download() as download:
            page.click("a.button.primary[href$='.docx']")
        got = tmp_path / "from-page.docx"
        download.value.save_as(got)
        elsewhere = tmp_path / "cli"
        shutil.copytree(unit, elsewhere, ignore=shutil.ignore_patterns("*.docx", "*.pdf"))
        subprocess.run([command(), "build", str(elsewhere / "2023.xlsx")], check=True, capture_output=True,
                       env=environment())  # fmt: skip
        assert got.read_bytes() == (elsewhere / "2023.docx").read_bytes()

        # next year's workbook downloads and opens
        page.goto(url)
        with page.expect_download() as download:
            page.click("a[href$='/next-year']")
        assert download.value.suggested_filename == "2024.xlsx"
        following = tmp_path / "2024.xlsx"
        download.value.save_as(following)
        book = openpyxl.load_workbook(following)
        years = [row[1].value for row in book["基本信息"].iter_rows() if row[0].value == "年份"]
        assert [str(y) for y in years] == ["2024"]
        shots(page, "5-index-after")
        assert errors == []
        context.close()


def test_replacing_a_year_asks_first_in_the_browser(browser, shots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    unit = unit_folder(tmp_path / "unit")
    data = workbook_of(unit / "2019.yaml")
    (tmp_path / "2019.xlsx").write_bytes(data)
    with served(unit) as (url, _):
        page = browser.new_page(viewport=SCREEN)
        page.goto(url + "year/2019")
        page.set_input_files("form[action='/upload'] input[type=file]", str(tmp_path / "2019.xlsx"))
        page.click("form[action='/upload'] button[type=submit]")
        page.wait_for_url("**/upload/*")
        assert "2019.yaml" in page.locator(".confirm").inner_text()
        shots(page, "6-replace")
        page.click("text=替换为上传的文件")
        page.wait_for_url("**/year/2019?saved=*")
        assert "原来的文件保留为" in page.locator(".notice.ok").inner_text()
        shots(page, "7-replaced")
        page.close()
    assert (unit / "2019.xlsx").read_bytes() == data
    assert [p.name for p in unit.glob("2019（*替换前）.yaml")]


def test_with_host_the_token_is_required(browser, shots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    unit = unit_folder(tmp_path / "unit")
    with served(unit, "--host", "127.0.0.1") as (url, _):
        assert "?token=" in url
        bare = url.split("?")[0]
        page = browser.new_page(viewport=SCREEN)
        for path in ("", "year/2019", "year/2019/file/2019.yaml"):
            page.goto(bare + path)
            assert page.url.endswith("/login")
            assert "请先登录" in page.locator("h1").inner_text()
            assert "永康" not in page.content()
        shots(page, "8-login")
        page.fill("input[name=secret]", "not-the-token")
        page.click("button[type=submit]")
        assert "不对" in page.locator(".notice").inner_text()
        page.goto(url)  # the printed address, token and all
        assert page.url == bare
        assert "2019 年" in page.locator("table.years").inner_text()
        page.close()
