"""PDF through a LibreOffice kept running: the warm converter (issue 11).

Starting LibreOffice costs 2–3 s of every ``soffice --convert-to``; a LibreOffice that stays up converts a report in
a fraction of a second. A ``Converter`` starts one on first use (its own profile, a private pipe, never shared with
another process) and drives it over UNO through ``uno_bridge.py``, run by a Python that has LibreOffice's ``uno``
module (Debian: python3-uno; Windows and macOS: the Python inside LibreOffice). unoserver would do the same, but it
must be installed into that other Python, which a pip install of annual-report cannot do; the bridge is one file.

It is restarted after ``restart_after`` conversions (LibreOffice's memory grows) and whenever it dies; a document
that takes longer than ``timeout`` ends it (it is started again for the next one). Whenever the warm path cannot
give a PDF, the document is converted the plain way (``output.write_pdf``: a fresh ``soffice --convert-to``, the
same fonts map), so a PDF comes out as long as LibreOffice can make one at all.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO

from generator.output import PDF_FONTS, libreoffice, require_libreoffice, write_atomically, write_pdf

BRIDGE = Path(__file__).resolve().parent / "uno_bridge.py"
_HUNG: dict[str, object] = {"ok": False, "error": "no answer in time"}
_GONE: dict[str, object] = {"ok": False, "error": "the bridge ended"}
WARM = "warm"
COLD = "cold"


class Converter:
    """One LibreOffice for many conversions in this process. Not shared between threads at once: a lock
    serialises conversions (LibreOffice itself converts one document at a time)."""

    def __init__(self, *, restart_after: int = 50, timeout: float = 120, start_timeout: float = 60) -> None:
        self.restart_after = restart_after
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.conversions = 0  # by the LibreOffice running now
        self.starts = 0  # LibreOffices started so far
        self.last_way = ""  # how the last document was converted: "warm" or "cold" (for tests and the benchmark)
        self._lock = threading.Lock()
        self._bridge: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._office_group: int | None = None
        self._failed_starts = 0
        self._work: Path | None = None

    # --- the public face ---------------------------------------------------------------------------------------

    def convert(self, document: Path, target: Path) -> str:
        """``document`` (.docx) to ``target`` (.pdf), written atomically; "warm" or "cold", the way it went.
        Raises ReportError (in Chinese, naming ``target``) when LibreOffice is missing or makes no PDF."""
        require_libreoffice(target)
        with self._lock:
            way = WARM if self._convert_warm(document.resolve(), target) else COLD
            if way == COLD:
                write_pdf(document, target)
            self.last_way = way
            return way

    def convert_warm(self, document: Path, target: Path) -> bool:
        """Only the warm way: whether ``target`` was written (the caller converts the plain way when not)."""
        with self._lock:
            done = self._convert_warm(document.resolve(), target)
            self.last_way = WARM if done else COLD
            return done

    def start(self) -> bool:
        """Start LibreOffice now (so that the first conversion finds it running); whether it is up."""
        with self._lock:
            return self._ensure_running()

    def close(self) -> None:
        with self._lock:
            self._stop()
            if self._work is not None:
                shutil.rmtree(self._work, ignore_errors=True)
                self._work = None

    @property
    def running(self) -> bool:
        return self._bridge is not None and self._bridge.poll() is None

    @property
    def office_pid(self) -> int | None:
        """LibreOffice's process (the leader of its process group), while it runs."""
        return self._office_group if self.running else None

    # --- the warm path -----------------------------------------------------------------------------------------

    def _convert_warm(self, document: Path, target: Path) -> bool:
        for attempt in range(2):  # a LibreOffice that died since the last document is started again, once
            if self.conversions >= self.restart_after:
                self._stop()
            if not self._ensure_running():
                return False
            assert self._work is not None
            produced = self._work / f"{secrets.token_hex(8)}.pdf"
            answer = self._ask({"document": str(document), "pdf": str(produced)}, self.timeout)
            if answer is _HUNG:  # a document that hangs LibreOffice is not tried again the warm way
                self._stop()
                return False
            if answer is _GONE:
                self._stop()
                if attempt:
                    return False
                continue
            self.conversions += 1
            try:
                if not answer.get("ok") or not produced.is_file() or produced.stat().st_size == 0:
                    return False
                write_atomically(target, produced.read_bytes())
                return True
            finally:
                with contextlib.suppress(OSError):
                    produced.unlink()
        return False

    def _ensure_running(self) -> bool:
        if self.running:
            return True
        if self._failed_starts >= 2:
            return False  # LibreOffice will not listen here: every document goes the plain way
        self._stop()
        python = uno_python()
        soffice = libreoffice()
        if python is None or soffice is None:
            self._failed_starts = 2
            return False
        if self._work is None:
            self._work = Path(tempfile.mkdtemp(prefix="annual-report-office-"))
        profile = self._work / "profile"  # kept across restarts: a new profile costs a second more to start
        pipe = f"annual-report-{os.getpid()}-{secrets.token_hex(4)}"
        command = [python, str(BRIDGE), soffice, profile.as_uri(), pipe, str(self.start_timeout)]
        try:
            self._bridge = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=open(self._work / "bridge.log", "a"),  # noqa: SIM115
                text=True,
                encoding="utf-8",
                env=_office_environment(),
                cwd=self._work,
                start_new_session=True,  # a Ctrl-C in the terminal is for us; we end it ourselves
            )
        except OSError:
            self._failed_starts += 1
            return False
        self._answers = queue.Queue()
        assert self._bridge.stdout is not None
        threading.Thread(target=_read_lines, args=(self._bridge.stdout, self._answers), daemon=True).start()
        ready = self._wait(self.start_timeout + 5)
        if not ready.get("ready"):
            self._stop()
            self._failed_starts += 1
            return False
        self._office_group = int(ready["office"])
        self._failed_starts = 0
        self.conversions = 0
        self.starts += 1
        return True

    def _ask(self, request: dict[str, str], timeout: float) -> dict[str, object]:
        bridge = self._bridge
        if bridge is None or bridge.stdin is None:
            return _GONE
        try:
            bridge.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            bridge.stdin.flush()
        except (OSError, ValueError):
            return _GONE
        return self._wait(timeout)

    def _wait(self, timeout: float) -> dict[str, object]:
        """The bridge's next answer; ``_HUNG`` when none came in time, ``_GONE`` when the bridge ended."""
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            return _HUNG
        if line is None:
            return _GONE
        try:
            answer = json.loads(line)
        except ValueError:
            return _GONE
        return answer if isinstance(answer, dict) else _GONE

    def _stop(self) -> None:
        """End the bridge and LibreOffice's whole process group, whatever state they are in."""
        bridge, group = self._bridge, self._office_group
        self._bridge, self._office_group = None, None
        if group is not None:
            _end_group(group)
        if bridge is not None:
            with contextlib.suppress(OSError):
                bridge.kill()
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                bridge.wait(5)
            for stream in (bridge.stdin, bridge.stdout):
                with contextlib.suppress(OSError):
                    if stream is not None:
                        stream.close()


def _read_lines(stream: IO[str], answers: queue.Queue[str | None]) -> None:
    with contextlib.suppress(OSError, ValueError):
        for line in stream:
            answers.put(line)
    answers.put(None)  # the bridge is gone


def _end_group(group: int) -> None:
    if os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(group)], capture_output=True, check=False)
        return
    with contextlib.suppress(OSError):
        os.killpg(group, signal.SIGKILL)


def _office_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    if PDF_FONTS.is_file() and os.name != "nt":
        env["FONTCONFIG_FILE"] = str(PDF_FONTS)  # the same Windows font names -> free fonts map as write_pdf
    return env


_UNO_PYTHON: list[str | None] = []


def uno_python() -> str | None:
    """A Python that can ``import uno``: the one inside LibreOffice (Windows, macOS), this one, or the system's
    (Debian's python3-uno). Looked for once per process."""
    if _UNO_PYTHON:
        return _UNO_PYTHON[0]
    candidates: list[str] = []
    soffice = libreoffice()
    if soffice:
        program = Path(soffice).resolve().parent
        candidates += [str(program / "python.exe"), str(program / "python"), str(program.parent / "Resources/python")]
    candidates += [sys.executable, "/usr/bin/python3", shutil.which("python3") or ""]
    found = None
    for candidate in dict.fromkeys(c for c in candidates if c and Path(c).is_file()):
        try:
            probe = subprocess.run(
                [candidate, "-c", "import uno"], capture_output=True, timeout=30, env=_office_environment()
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            found = candidate
            break
    _UNO_PYTHON.append(found)
    return found


_SHARED: list[Converter] = []


def shared() -> Converter:
    """This process's converter, closed when the process ends normally. (A process that is killed leaves no
    LibreOffice behind either: the bridge ends it when its parent goes.)"""
    if not _SHARED:
        from multiprocessing import util

        _SHARED.append(Converter())
        atexit.register(_SHARED[0].close)
        util.Finalize(None, _SHARED[0].close, exitpriority=10)  # a pool's worker ends without running atexit
    return _SHARED[0]


def close_shared() -> None:
    """End this process's LibreOffice now, if one was started (a command that ends with os._exit runs no atexit)."""
    if _SHARED:
        _SHARED[0].close()


def convert_pdf(document: Path, target: Path) -> str:
    """``document`` to ``target`` with this process's warm LibreOffice (plain ``soffice --convert-to`` when it
    cannot run); "warm" or "cold"."""
    return shared().convert(document, target)
