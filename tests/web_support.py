"""What the web page's tests share: a unit's folder to serve, workbooks with and without problems, and the page
served by the installed command (`annual-report serve`) on a free port of 127.0.0.1."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl

from tests.helpers import command, environment

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "reports" / "yongkang-police"


def unit_folder(target: Path) -> Path:
    """A copy of the example unit: 2019.yaml, 2022.yaml and the photos they use."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("2019.yaml", "2022.yaml"):
        shutil.copy(EXAMPLES / name, target / name)
    shutil.copytree(EXAMPLES / "photos", target / "photos", ignore=shutil.ignore_patterns("*.py"))
    return target


def workbook_of(source: Path, year: int | None = None, cells: dict[tuple[str, str], object] | None = None) -> bytes:
    """``source`` as a workbook (through the installed `convert`), its 年份 set to ``year``, ``cells`` changed."""
    with_year = source.parent / f".work-{os.getpid()}-{threading.get_ident()}.xlsx"
    try:
        subprocess.run([command(), "convert", str(source), str(with_year), "--force"], check=True,
                       capture_output=True, env=environment(), timeout=120)  # fmt: skip
        book = openpyxl.load_workbook(with_year)
        if year is not None:
            set_basic(book, "年份", year)
        for (sheet, cell), value in (cells or {}).items():
            book[sheet][cell].value = value
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    finally:
        with_year.unlink(missing_ok=True)


def set_basic(book: openpyxl.Workbook, label: str, value: object) -> None:
    sheet = book["基本信息"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == label:
            row[1].value = value
            return
    raise AssertionError(f"no {label} in 基本信息")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(folder: Path | None, *extra: str, cwd: Path | None = None) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`annual-report serve FOLDER --no-browser` running; yields the address it printed (with the token when it
    has one) and the process. Stopped with Ctrl-C (SIGINT) as a person stops it."""
    port = free_port()
    where = [str(folder)] if folder is not None else []
    process = subprocess.Popen(
        [command(), "serve", *where, "--no-browser", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        cwd=cwd,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # printed once the page answers (or the command failed)
        found = re.search(r"(http://\S+)", line)
        if found is None:
            process.kill()
            raise AssertionError(f"serve did not start: {line}{process.communicate(timeout=30)}")
        yield found.group(1), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc), for counting memory and checking that nothing is left."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def resident_bytes(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) * 1024 if found else 0


def wait_until(condition, timeout: float = 60) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``condition`` until it holds; a bound for a broken case, not a timing assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
