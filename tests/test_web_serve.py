"""`annual-report serve` as a command: how it starts, what it refuses, and that Ctrl-C ends it and everything it
started (workers, their LibreOffices), quietly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import command, environment
from tests.web_support import descendants, served, unit_folder, wait_until


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([command(), *args], capture_output=True, text=True, env=environment(), timeout=120, cwd=cwd)


def test_help_is_chinese() -> None:
    done = run("serve", "--help")
    assert done.returncode == 0
    assert "浏览器" in done.stdout and "--host" in done.stdout and "令牌" in done.stdout


@pytest.mark.parametrize("where", ["no-such-folder", "2019.yaml"])
def test_a_folder_that_is_not_one_is_refused_in_chinese(tmp_path: Path, where: str) -> None:
    unit = unit_folder(tmp_path / "unit")
    done = run("serve", str(unit / where), "--no-browser")
    assert done.returncode == 1
    assert "文件夹" in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = run("serve", str(unit_folder(tmp_path / "unit")), "--no-browser", "--port", str(port))
    assert done.returncode == 1
    assert f"端口 {port} 已被其他程序占用" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_stops_the_page_and_everything_it_started(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    with served(unit) as (url, process):
        assert "127.0.0.1" in url and "token" not in url
        with urllib.request.urlopen(url, timeout=60) as page:
            assert "2019 年" in page.read().decode()
        started = descendants(process.pid)
        assert started  # the workers
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    assert process.returncode == 0
    assert "页面已停止" in out and "Traceback" not in err and "Error" not in err
    assert wait_until(lambda: not any(os.path.exists(f"/proc/{pid}") and _running(pid) for pid in started), 30)
    assert not any(p.name.startswith(".~") for p in unit.iterdir())


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_folder_defaults_to_where_it_is_run(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    with served(None, cwd=unit) as (url, _), urllib.request.urlopen(url, timeout=60) as page:
        html = page.read().decode()
    assert "2019 年" in html and "2022 年" in html
