"""The web page's and the warm PDF converter's speed, measured here (issue 12's and issue 11's targets):

    python -m generator.bench_web            # the figures in the README
    python -m generator.bench_web --quick    # fewer repeats

- PDF of one report: a plain `soffice --convert-to` (what `build --pdf` does) against the warm converter;
- the page, served by `annual-report serve` on 127.0.0.1 for a copy of the example unit: a page view, an upload
  with problems until its problems are shown, and a build until the first page's picture has arrived.
Medians; nothing here is a pass/fail test, the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import io
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "reports" / "yongkang-police"


def _median(action: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class Browser:
    """Just enough of a browser for the page: cookies, the form token, multipart uploads (standard library)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=300) as response:
            data: bytes = response.read()
        found = re.search(rb'csrf-token" content="(\w+)"', data)
        if found:
            self.token = found.group(1).decode()
        return data

    def post(self, path: str, fields: dict[str, str], file: tuple[str, bytes] | None = None) -> bytes:
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in {"csrf": self.token, **fields}.items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        if file is not None:
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file[0]}"\r\n'
                       "Content-Type: application/octet-stream\r\n\r\n".encode())  # fmt: skip
            body.write(file[1] + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(self.base + path, data=body.getvalue(), method="POST")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        with self.opener.open(request, timeout=300) as response:  # follows the 303 to the result page
            return response.read()  # type: ignore[no-any-return]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pdf_figures(work: Path, repeats: int) -> list[tuple[str, float, str]]:
    from generator import api
    from generator.converter import Converter
    from generator.output import write_pdf

    report = work / "2019.docx"
    api.build(work / "unit" / "2019.yaml", None, report)
    cold = _median(lambda: write_pdf(report, work / "cold.pdf"), max(3, repeats // 3))
    office = Converter()
    try:
        started = time.perf_counter()
        first = office.convert(report, work / "warm.pdf")
        first_time = time.perf_counter() - started
        warm = _median(lambda: office.convert(report, work / "warm.pdf"), repeats)
        way = office.last_way
    finally:
        office.close()
    return [
        ("PDF：一份报告，每次新启动 LibreOffice（build --pdf 现在的做法）", cold, "—"),
        ("PDF：常驻 LibreOffice，第一份（含启动）" + ("" if first == "warm" else "：未能常驻"), first_time, "—"),
        ("PDF：常驻 LibreOffice，之后每份" + ("" if way == "warm" else "：未能常驻"), warm, "≤ 1.5 s"),
    ]


def page_figures(work: Path, repeats: int) -> list[tuple[str, float, str]]:
    from generator import api
    from generator.writers.workbook import workbook_bytes

    unit = work / "unit"
    _, report = api.load_model(unit / "2019.yaml")
    broken = report.model_copy(update={"year": 2031, "headline": ""})
    upload = workbook_bytes(broken)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", str(unit), "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.get("/")  # checks every year once and starts the workers' LibreOffices
        time.sleep(5)  # let the workers' LibreOffices finish starting: the figures are for a warm page

        def build() -> None:
            browser.post("/year/2019/build", {"style": "newspaper"})
            page = browser.get("/year/2019")
            first = re.search(rb'src="(/preview/[^"]+/1\.png)"', page)
            assert first is not None, "no preview"
            assert browser.get(first.group(1).decode()).startswith(b"\x89PNG")

        def problems() -> None:
            assert "没有保存".encode() in browser.post("/upload", {}, ("2031.xlsx", upload))

        build()  # the first build prepares the template in a worker
        figures = [
            ("页面：首页（各年数据）", _median(lambda: browser.get("/"), repeats * 3), "< 100 ms"),
            ("页面：某一年", _median(lambda: browser.get("/year/2022"), repeats * 3), "< 100 ms"),
            ("上传有问题的工作簿 → 看到问题表", _median(problems, repeats), "< 1 s"),
            ("生成报告 → 第一页预览图到达（常驻 LibreOffice）", _median(build, repeats), "< 3 s"),
        ]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.bench_web", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    options = parser.parse_args(argv)
    repeats = 3 if options.quick else 9
    from generator.output import libreoffice

    if libreoffice() is None:
        print("需要 LibreOffice 才能测量 PDF 和页面预览")
        return 1
    with tempfile.TemporaryDirectory(prefix="annual-report-bench-web-") as folder:
        work = Path(folder)
        shutil.copytree(EXAMPLE, work / "unit", ignore=shutil.ignore_patterns("preview", "*.docx", "*.pdf"))
        rows = pdf_figures(work, repeats) + page_figures(work, repeats)
    machine = f"Python {platform.python_version()}，{os.cpu_count()} 核，{platform.machine()}"
    print(f"annual-report 页面和 PDF 基准：{machine}，中位数\n")
    print("| 测量 | 用时 | 目标 |")
    print("| --- | --- | --- |")
    for name, seconds, target in rows:
        shown = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
        print(f"| {name} | {shown} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
