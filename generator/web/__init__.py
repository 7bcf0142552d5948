"""The browser face: `annual-report serve [文件夹]`. A second face over ``api``, like the command line: routes in
app.py, page templates and static files in this package, the work in worker processes (jobs.py)."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import socket
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Place, Problem, ReportError
from generator.sources.raw import display_name

DEFAULT_PORT = 8000
PORTS_TRIED = 20  # the default port taken (another serve running): the next free one after it
PASSWORD_VARIABLE = "ANNUAL_REPORT_PASSWORD"


@dataclass
class Started:
    url: str  # what to open, with the token when there is one
    host: str
    port: int
    token: str | None


def _refuse(message: str, where: str | None = None) -> ReportError:
    return ReportError(Problem(message, place=Place(where) if where else None, code="serve"), kind="output")


def bind(host: str, port: int | None) -> socket.socket:
    """A listening socket: ``port``, or the first free one from 8000 on when none was asked for."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    candidates = [port] if port is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + PORTS_TRIED))
    last: OSError | None = None
    for candidate in candidates:
        sock = socket.socket(family, socket.SOCK_STREAM)
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
            sock.listen(64)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                break
    if last is not None and last.errno == errno.EADDRINUSE:
        if port is not None:
            raise _refuse(f"端口 {port} 已被其他程序占用；换一个端口（--port），或不写 --port 让程序自己找")
        raise _refuse(f"端口 {DEFAULT_PORT}–{DEFAULT_PORT + PORTS_TRIED - 1} 都已被占用；请用 --port 指定一个")
    reason = last.strerror if last is not None else ""
    raise _refuse(f"无法在地址 {host} 上提供页面：{reason}；请检查 --host")


def serve(
    folder: Path,
    *,
    host: str | None = None,
    port: int | None = None,
    open_browser: bool = True,
    jobs: int | None = None,
    on_start: Callable[[Started], None] | None = None,
) -> None:
    """Serve the unit in ``folder`` until Ctrl-C. Without ``host`` only this computer can open the page; with it,
    every visitor needs the access token (or the password in $ANNUAL_REPORT_PASSWORD)."""
    if not folder.is_dir():
        what = "不存在" if not folder.exists() else "不是文件夹"
        raise _refuse(f"{what}：请给出存放各年数据文件（2023.xlsx 等）的文件夹", display_name(folder))
    import uvicorn

    from generator.web.app import create_app

    loopback = host is None
    address = host or "127.0.0.1"
    password = os.environ.get(PASSWORD_VARIABLE) or None
    token = None if loopback else secrets.token_urlsafe(24)
    sock = bind(address, port)
    bound_port = sock.getsockname()[1]
    shown_host = f"[{address}]" if ":" in address else address
    if address in ("0.0.0.0", "::"):
        shown_host = socket.gethostname()
    url = f"http://{shown_host}:{bound_port}/" + (f"?token={token}" if token else "")
    started = Started(url, address, bound_port, token)

    def ready() -> None:  # the socket already listens: a browser opened now is answered as soon as we run
        if on_start is not None:
            on_start(started)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    app = create_app(
        folder, token=token, password=password, loopback=loopback, port=bound_port, jobs=jobs, on_ready=ready
    )
    # uvicorn's own log is English with tracebacks: for the clerk's terminal only its gravest lines, unless debugging
    level = "warning" if os.environ.get("ANNUAL_REPORT_DEBUG") else "critical"
    config = uvicorn.Config(app, log_level=level, access_log=False, lifespan="on", timeout_graceful_shutdown=5)
    # uvicorn stops on Ctrl-C, then raises it again: stopping is what was asked for
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
