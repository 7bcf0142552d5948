"""The warm PDF path of single commands: a small per-user converter service.

``annual-report build 2023.yaml --pdf`` is one short process; starting LibreOffice is most of its time (2–3 s of a
3 s command). A LibreOffice that outlives the command must be owned by something that ends it, so it is owned by a
small background service, one per user (and per installation and LibreOffice):

- started by the first command that needs a PDF, detached from the terminal (its own session), and running
  ``python -m generator.pdf_service``; it starts one LibreOffice through ``converter.Converter`` (its own profile,
  restarted after N documents, when it dies or hangs) and converts one document at a time;
- reached over a Unix socket in a folder only this user can enter (0700, owned by the user, checked on every use:
  ``$XDG_RUNTIME_DIR/annual-report`` or ``<temp>/annual-report-<uid>``), never over the network;
- ends itself, and its LibreOffice, after ``IDLE_SECONDS`` without a document (10 minutes; the bridge also ends
  LibreOffice whenever the service itself is gone, killed or not).

Every failure — no socket support (Windows), a folder that is not private, a service that cannot start, dies, hangs
or says it failed — ends in the plain conversion (``output.write_pdf``: a fresh ``soffice --convert-to`` with the same
fonts map), so the PDF and the one message on failure are exactly what they were before. The service writes only
into a private folder the command made for this document; the command moves the PDF to its place itself, with the
same checks as always. ``ANNUAL_REPORT_PDF_SERVICE=0`` turns the service off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.errors import ReportError
from generator.output import libreoffice, pdf_failure, require_libreoffice, write_atomically, write_pdf

IDLE_SECONDS = 600.0  # without a document, the service (and its LibreOffice) ends
DOCUMENT_TIMEOUT = 120.0  # one document in LibreOffice; past it, LibreOffice is ended and the plain way tried
START_WAIT = 10.0  # for a service just started to take connections (it starts LibreOffice after that)
ANSWER_WAIT = DOCUMENT_TIMEOUT + 90.0  # LibreOffice starting (up to a minute) and converting
MAX_REQUEST = 64 * 1024
WARM = "warm"
COLD = "cold"


def enabled() -> bool:
    return os.environ.get("ANNUAL_REPORT_PDF_SERVICE", "1").strip().lower() not in {"0", "no", "off", "false"}


def runtime_dir() -> Path | None:
    """The user's private folder for the socket, made 0700 if missing; None unless it is a real folder of this
    user's that no one else can enter (then the service is not used: another user could speak to it)."""
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "getuid"):
        return None
    chosen = os.environ.get("ANNUAL_REPORT_RUNTIME_DIR")
    if chosen:
        folder = Path(chosen)
    elif os.environ.get("XDG_RUNTIME_DIR"):
        folder = Path(os.environ["XDG_RUNTIME_DIR"]) / "annual-report"
    else:
        folder = Path(tempfile.gettempdir()) / f"annual-report-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def service_name(soffice: str) -> str:
    """One service per installation (this Python, this code) and LibreOffice: an upgrade or another LibreOffice
    never speaks to an old service."""
    digest = hashlib.sha256(f"{sys.prefix}|{Path(sys.executable).resolve()}|{Path(soffice).resolve()}".encode())
    here = Path(__file__).resolve().parent
    for name in ("pdf_service.py", "converter.py", "uno_bridge.py", "output.py", "pdf-fonts.conf"):
        with contextlib.suppress(OSError):
            digest.update((here / name).read_bytes())
    return f"pdf-{digest.hexdigest()[:16]}"


# --- the command's side ---------------------------------------------------------------------------------------------


def convert(document: Path, target: Path) -> str:
    """``document`` (.docx, written) to ``target`` (.pdf) through the user's warm LibreOffice, or the plain way when
    that cannot be had; "warm" or "cold". Raises ReportError (the one message about a PDF not made) as
    ``output.write_pdf`` does."""
    soffice = require_libreoffice(target)
    produced = _through_service(document, soffice) if enabled() else None
    if produced is None:
        write_pdf(document, target)
        return COLD
    try:
        write_atomically(target, produced)
    except ReportError as exc:
        raise pdf_failure(document, target, exc.problems[0].message) from None
    return WARM


def warm_up() -> None:
    """Start the service now, if it is not running, without waiting for it: LibreOffice starts while the report is
    built. Never fails."""
    with contextlib.suppress(Exception):
        soffice = libreoffice()
        folder = runtime_dir() if enabled() else None
        if soffice is None or folder is None:
            return
        name = service_name(soffice)
        connection = _connect(folder / f"{name}.sock")
        if connection is not None:
            connection.close()
            return
        _spawn(folder, name)


def _through_service(document: Path, soffice: str) -> bytes | None:
    """The PDF's bytes as the service made them; None on any failure."""
    folder = runtime_dir()
    if folder is None:
        return None
    name = service_name(soffice)
    address = folder / f"{name}.sock"
    try:
        connection = _connect(address)
        if connection is None:
            from generator.converter import uno_python

            if uno_python() is None:  # no Python with LibreOffice's uno here: no service can work
                return None
            _spawn(folder, name)
            connection = _connect_when_up(address)
        if connection is None:
            return None
        with connection, tempfile.TemporaryDirectory(prefix="annual-report-service-") as work:
            pdf = Path(work) / "report.pdf"
            answer = _ask(connection, {"document": str(document.resolve()), "pdf": str(pdf)}, ANSWER_WAIT)
            if not answer.get("ok") or not pdf.is_file() or pdf.stat().st_size == 0:
                return None
            return pdf.read_bytes()
    except (OSError, ValueError):
        return None


def _connect(address: Path) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(5)
        connection.connect(str(address))
    except OSError:
        connection.close()
        return None
    return connection


def _connect_when_up(address: Path) -> socket.socket | None:
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        connection = _connect(address)
        if connection is not None:
            return connection
        time.sleep(0.05)
    return None


def _ask(connection: socket.socket, request: dict[str, object], timeout: float) -> dict[str, object]:
    connection.settimeout(timeout)
    connection.sendall(json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n")
    answer = _read_line(connection)
    value = json.loads(answer) if answer else {}
    return value if isinstance(value, dict) else {}


def _read_line(connection: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data and len(data) < MAX_REQUEST:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0]


def _spawn(folder: Path, name: str) -> None:
    """The service, detached: its own session (a Ctrl-C or a closed terminal is for the command), no terminal."""
    package_parent = str(Path(__file__).resolve().parents[1])  # importable from "/" even from a checkout
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
    with open(folder / f"{name}.log", "ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "generator.pdf_service", str(folder), name],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd="/",
            env=env,
            start_new_session=True,
            close_fds=True,
        )


def status(folder: Path | None = None, soffice: str | None = None) -> dict[str, object] | None:
    """What the running service says of itself (its LibreOffice, documents converted); None when none runs."""
    return _tell({"status": True}, folder, soffice)


def stop(folder: Path | None = None, soffice: str | None = None) -> bool:
    """Ask the running service to end (and its LibreOffice); whether one was running."""
    return _tell({"stop": True}, folder, soffice) is not None


def stop_all(folder: Path) -> int:
    """End every service listening in ``folder`` (tests run theirs in a folder of their own); how many were."""
    stopped = 0
    for address in sorted(folder.glob("*.sock")):
        connection = _connect(address)
        if connection is None:
            continue
        with connection, contextlib.suppress(OSError, ValueError):
            _ask(connection, {"stop": True}, 30)
            stopped += 1
    return stopped


def _tell(request: dict[str, object], folder: Path | None, soffice: str | None) -> dict[str, object] | None:
    folder = folder or runtime_dir()
    soffice = soffice or libreoffice()
    if folder is None or soffice is None:
        return None
    connection = _connect(folder / f"{service_name(soffice)}.sock")
    if connection is None:
        return None
    with connection:
        try:
            return _ask(connection, request, 30)
        except (OSError, ValueError):
            return None


# --- the service's side ---------------------------------------------------------------------------------------------


def serve(folder: Path, name: str, idle: float) -> None:
    """Listen on ``folder/name.sock`` until ``idle`` seconds pass without a request. One service per name: the
    lock file is held for the service's life, so two commands starting one at once leave one running."""
    import fcntl

    from generator.converter import Converter

    lock = open(folder / f"{name}.lock", "a")  # noqa: SIM115  # held until the process ends
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another one is serving
    address = folder / f"{name}.sock"
    with contextlib.suppress(FileNotFoundError):
        address.unlink()  # a socket left by a service that was killed: ours now, under the lock
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o077)
    try:
        server.bind(str(address))
    finally:
        os.umask(previous)
    server.listen(16)
    office = Converter(timeout=DOCUMENT_TIMEOUT)

    def end(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, end)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        if not office.start():
            return  # LibreOffice will not listen here: every command goes the plain way
        server.settimeout(idle)
        while True:
            try:
                connection, _ = server.accept()
            except TimeoutError:
                return  # idle long enough
            with connection:
                if not _serve_one(connection, office):
                    return
    finally:
        with contextlib.suppress(OSError):
            address.unlink()
        server.close()
        office.close()


def _serve_one(connection: socket.socket, office: object) -> bool:
    """One request; False when the service should end (asked to stop)."""
    from generator.converter import Converter

    assert isinstance(office, Converter)
    try:
        if not _same_user(connection):
            return True
        connection.settimeout(30)
        request = json.loads(_read_line(connection) or b"{}")
        if not isinstance(request, dict):
            return True
        if request.get("stop"):
            connection.sendall(b'{"ok": true}\n')
            return False
        if request.get("status"):
            answer = {"ok": True, "office": office.office_pid, "starts": office.starts,
                      "conversions": office.conversions, "pid": os.getpid()}  # fmt: skip
        else:
            document, pdf = Path(str(request["document"])), Path(str(request["pdf"]))
            answer = {"ok": office.convert_warm(document, pdf)}
        connection.sendall(json.dumps(answer).encode() + b"\n")
    except (OSError, ValueError, KeyError):
        pass  # the command gave up waiting, or asked nonsense: it converts the plain way
    return True


def _same_user(connection: socket.socket) -> bool:
    """The folder is private already; where the system tells who is at the other end (Linux), check it too."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    import struct

    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


def main(argv: list[str]) -> int:
    folder, name = Path(argv[0]), argv[1]
    idle = float(os.environ.get("ANNUAL_REPORT_PDF_IDLE", IDLE_SECONDS))
    serve(folder, name, idle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
