"""A build stopped at any moment never leaves a partial or corrupt report at the output path.

SIGKILL at random moments (and the moment the temporary file appears) of a build of a large year: the output path
then holds the earlier report, byte for byte, or a complete new one; a SIGKILL may leave its temporary file (nothing
can clean up after it; the next build is unaffected). Ctrl-C (SIGINT), SIGTERM and SIGHUP never leave one and never
print a traceback, whenever they come: while Python starts, while the program loads, while the report is written. Two
builds writing one output at once leave one valid document.

No test here depends on how fast the machine is: instead of sleeping "long enough" for Python to start, the tests read
from /proc which signals the process handles yet, and what may happen depends on that (before Python handles SIGINT,
the system ends the process, which is then killed before it wrote anything).

The loops run for about 30 s in the default profile and several minutes with HYPOTHESIS_PROFILE=slow.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import SLOW
from tests.fixtures.bad_inputs import YEAR, _many_indicators_yaml
from tests.helpers import check_document, command, docx_lines, environment

LOOP_SECONDS = 300 if SLOW else 15  # each of the two random loops (SIGKILL, SIGINT)
TEMPORARY = ".~报告-*.tmp"  # generator/output.py write_atomically: .~<stem>-XXXXXXXX.tmp beside the target


@dataclass
class Folder:
    path: Path
    earlier: bytes  # a report from an earlier build, put at the output path before every run
    build_seconds: float  # how long one build of the large year takes here

    @property
    def report(self) -> Path:
        return self.path / "报告.docx"

    def start(self, source: str = "2023.yaml") -> subprocess.Popen[bytes]:
        return subprocess.Popen([command(), "build", source, "-o", self.report.name], cwd=self.path,
                                env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip

    def temporaries(self) -> list[Path]:
        return sorted(self.path.glob(TEMPORARY))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    path = tmp_path_factory.mktemp("crash")
    (path / "earlier.yaml").write_text(YEAR.replace("县公安局工作综述", "去年的报告"), encoding="utf-8")
    done = subprocess.run([command(), "build", "earlier.yaml", "-o", "报告.docx"], cwd=path, env=environment(),
                          capture_output=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    earlier = (path / "报告.docx").read_bytes()
    (path / "2023.yaml").write_text(_many_indicators_yaml(), encoding="utf-8")  # 10,000 indicators: a long build
    started = time.perf_counter()
    done = subprocess.run([command(), "build", "2023.yaml", "-o", "报告.docx"], cwd=path, env=environment(),
                          capture_output=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    return Folder(path, earlier, time.perf_counter() - started)


def assert_whole(folder: Folder) -> str:
    """The output path holds the earlier report exactly, or a complete new one; never anything in between."""
    data = folder.report.read_bytes()
    if data == folder.earlier:
        return "earlier"
    check_document(data)
    assert "县公安局工作综述" in docx_lines(data), "a valid document, but not this build's report"
    return "new"


def handles(process: subprocess.Popen[bytes], signum: int) -> bool:
    """Whether the process has installed a handler for ``signum`` (Linux: SigCgt in /proc/PID/status). A signal
    sent before Python installs its handlers ends the process the system's way, before it has done anything."""
    try:
        with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (signum - 1)))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return False


def wait_until_handled(process: subprocess.Popen[bytes], *signums: int) -> None:
    """Poll until the process handles every one of ``signums`` or has ended (no fixed start-up time assumed)."""
    while process.poll() is None and not all(handles(process, s) for s in signums):
        time.sleep(0.001)


def stop_and_check(folder: Folder, process: subprocess.Popen[bytes], signum: int) -> int:
    """Send ``signum``; then: no temporary file, the earlier report or a complete new one at the output path, and,
    once the program runs (its launcher handles SIGHUP, the last signal it takes over), no traceback and the exit a
    stop allows: 0 when it came too late to matter, else 128 + the signal with "已中断".
    Before that, the signal meets Python's own start-up, where none of the program has run: Python ends by it (killed,
    or its start-up's KeyboardInterrupt); nothing can have been written, which is what is checked then."""
    ours = handles(process, signal.SIGHUP)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    message = stderr.decode("utf-8", errors="replace")
    if ours:
        assert "Traceback" not in message, message
        allowed = {0, 128 + signum}
    else:
        assert "Traceback" not in message or message.rstrip().endswith("KeyboardInterrupt"), message
        allowed = {0, 1, 128 + signum, -signum}
    assert process.returncode in allowed, (signum, ours, process.returncode, message)
    if process.returncode == 128 + signum:
        assert "已中断" in message, message
    assert folder.temporaries() == [], f"signal {signum} left a temporary file"
    assert_whole(folder)
    return process.returncode


def _wait_for_temporary(folder: Folder, process: subprocess.Popen[bytes], limit: float) -> None:
    """Sleep until the build's temporary file exists (it is writing the report) or it ends or time runs out."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline and process.poll() is None and not folder.temporaries():
        time.sleep(0.0005)


@dataclass
class Tally:
    outcomes: dict[str, int] = field(default_factory=dict)
    temporaries_left: int = 0

    def add(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def test_sigkill_at_random_moments_never_leaves_a_partial_report(folder: Folder) -> None:
    tally = Tally()
    deadline = time.perf_counter() + LOOP_SECONDS
    rounds = 0
    while time.perf_counter() < deadline or rounds < 4:
        folder.report.write_bytes(folder.earlier)
        process = folder.start()
        if rounds % 3 == 2:  # the narrow moment that matters most: while the report is being written
            _wait_for_temporary(folder, process, folder.build_seconds * 3)
        else:
            time.sleep(random.uniform(0, folder.build_seconds * 1.2))
        process.kill()
        process.communicate()
        tally.add(assert_whole(folder))
        left = folder.temporaries()
        tally.temporaries_left += len(left)
        for temporary in left:  # SIGKILL allows no clean-up; the next build is not disturbed by it
            temporary.unlink()
        rounds += 1
    print(f"\nSIGKILL: {rounds} builds killed, {tally.outcomes}, {tally.temporaries_left} temporary files left")
    assert tally.outcomes.get("earlier", 0) > 0, "no build was killed before it finished: the loop tested nothing"


def test_ctrl_c_at_random_moments_leaves_no_temporary_file_and_no_traceback(folder: Folder) -> None:
    tally = Tally()
    deadline = time.perf_counter() + LOOP_SECONDS
    rounds = 0
    while time.perf_counter() < deadline or rounds < 4:
        folder.report.write_bytes(folder.earlier)
        process = folder.start()
        wait_until_handled(process, signal.SIGHUP)  # the program's own handlers; before: test_ctrl_c_while_starting
        if rounds % 3 == 2:
            _wait_for_temporary(folder, process, folder.build_seconds * 3)
        else:
            time.sleep(random.uniform(0, folder.build_seconds * 1.2))
        stop_and_check(folder, process, signal.SIGINT)
        tally.add(assert_whole(folder))
        rounds += 1
    print(f"\nCtrl-C: {rounds} builds interrupted, {tally.outcomes}")
    assert tally.outcomes.get("earlier", 0) > 0, "no build was interrupted before it finished: the loop tested nothing"


@pytest.mark.parametrize("moment", ["python-starting", "program-loading", "soon-after"])
def test_ctrl_c_while_starting_prints_no_traceback(folder: Folder, moment: str) -> None:
    """Ctrl-C at each moment of the start, found by what the process handles rather than by a guessed delay: as
    Python starts, the moment the program's launcher has taken over the stop signals (its modules load next: the
    longest part of the start), and a little after."""
    for _ in range(3):
        folder.report.write_bytes(folder.earlier)
        process = folder.start()
        if moment != "python-starting":
            wait_until_handled(process, signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        if moment == "soon-after":
            time.sleep(random.uniform(0, 0.3))
        stop_and_check(folder, process, signal.SIGINT)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_while_writing_leave_no_temporary_file(folder: Folder, signum: int) -> None:
    """kill (SIGTERM) or a closed terminal (SIGHUP) while the report is being written, and at random moments: the
    temporary file is removed, the earlier report stays or the new one is complete, no traceback."""
    stopped = 0
    for round in range(6):
        folder.report.write_bytes(folder.earlier)
        process = folder.start()
        wait_until_handled(process, signal.SIGHUP)
        if round % 2 == 0:
            _wait_for_temporary(folder, process, folder.build_seconds * 3)
        else:
            time.sleep(random.uniform(0, folder.build_seconds))
        stopped += stop_and_check(folder, process, signum) != 0
    assert stopped, "no build was stopped before it finished: the test tested nothing"


def test_a_stop_in_a_folder_build_stops_every_worker_and_leaves_no_temporary_file(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A folder build runs its reports in worker processes: SIGTERM to the command alone, and SIGHUP or Ctrl-C to
    the whole process group (a closed terminal, Ctrl-C in it), stop every worker; each removes what it was writing."""
    root = tmp_path_factory.mktemp("folder-stop")
    large = _many_indicators_yaml()
    for signum, group in ((signal.SIGTERM, False), (signal.SIGHUP, True), (signal.SIGINT, True)):
        folder = root / signal.Signals(signum).name
        for year in (2020, 2021, 2022, 2023):
            unit = folder / f"单位{year % 2}"
            unit.mkdir(parents=True, exist_ok=True)
            (unit / f"{year}.yaml").write_text(large.replace("year: 2023", f"year: {year}"), encoding="utf-8")
        process = subprocess.Popen([command(), "build", str(folder), "-j", "2"], env=environment(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)  # fmt: skip
        deadline = time.perf_counter() + 120
        while process.poll() is None and not list(folder.rglob(".~*.tmp")) and time.perf_counter() < deadline:
            time.sleep(0.0005)
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
        message = stderr.decode("utf-8", errors="replace")
        assert "Traceback" not in message, message
        assert process.returncode in {0, 128 + signum}, message
        assert list(folder.rglob(".~*.tmp")) == [], f"{signum}: a worker left its temporary file"
        for report in folder.rglob("*.docx"):
            check_document(report.read_bytes())
        with pytest.raises(ProcessLookupError):  # the workers are gone with it
            os.killpg(process.pid, 0)


def test_two_builds_writing_one_report_at_once_leave_one_valid_document(folder: Folder) -> None:
    (folder.path / "甲.yaml").write_text(YEAR.replace("县公安局工作综述", "甲的报告"), encoding="utf-8")
    (folder.path / "乙.yaml").write_text(YEAR.replace("县公安局工作综述", "乙的报告"), encoding="utf-8")
    seen = set()
    for _ in range(8):
        folder.report.write_bytes(folder.earlier)
        first, second = folder.start("甲.yaml"), folder.start("乙.yaml")
        for process in (first, second):
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr.decode()
        data = folder.report.read_bytes()
        check_document(data)
        lines = docx_lines(data)
        winner = "甲" if "甲的报告" in lines else "乙" if "乙的报告" in lines else None
        assert winner is not None, "the report is neither build's"
        seen.add(winner)
        assert folder.temporaries() == []
    print(f"\nconcurrent builds: the report was last written by {sorted(seen)}")


# A stop that lands while Python runs a finalizer: Python itself would print "Exception ignored ... Traceback" and drop
# the stop, and the build would go on. Each case ends its finalizer with the stop arriving inside it (as the CI run
# where Ctrl-C met PyYAML's parser being closed by the garbage collector), then keeps working.
_FINALIZERS = {
    "generator closed when dropped": """
def events():
    try:
        yield 1
    finally:
        signal.raise_signal(STOP)
        sum(range(10000))
dropped = events()
next(dropped)
del dropped
""",
    "__del__ of an object": """
class Handle:
    def __del__(self):
        signal.raise_signal(STOP)
        sum(range(10000))
dropped = Handle()
del dropped
""",
    "cycle freed by the garbage collector": """
import gc
class Node:
    def __del__(self):
        signal.raise_signal(STOP)
        sum(range(10000))
first, second = Node(), Node()
first.other, second.other = second, first
del first, second
gc.collect()
""",
}

_RUN_WITH_FINALIZER = """
import signal, sys, time
import generator.cli
from generator import launcher
STOP = {signum}

def run():
{body}
    deadline = time.monotonic() + 60  # a timeout only: the stop comes back within milliseconds
    while time.monotonic() < deadline:
        sum(range(1000))
    print("不曾停下", file=sys.stderr)
    return 0

generator.cli.run = run
launcher.entry()
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("finalizer", list(_FINALIZERS))
def test_a_stop_inside_a_finalizer_still_stops_and_prints_no_traceback(finalizer: str, signum: int) -> None:
    body = "\n".join("    " + line for line in _FINALIZERS[finalizer].strip().splitlines())
    script = _RUN_WITH_FINALIZER.format(signum=int(signum), body=body)
    done = subprocess.run([sys.executable, "-c", script], env=environment(), capture_output=True, timeout=120,
                          check=False)  # fmt: skip
    message = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in message and "Exception ignored" not in message, message
    assert "不曾停下" not in message
    assert done.returncode == 128 + signum, message
    assert "已中断" in message


_WORKER_WITH_FINALIZER = """
import signal, sys, time
from generator import batch
STOP = {signum}
batch._start_worker()
batch._busy = True  # as while it builds a report
try:
{body}
    deadline = time.monotonic() + 60  # a timeout only
    while time.monotonic() < deadline:
        sum(range(1000))
    print("不曾停下", file=sys.stderr)
except KeyboardInterrupt as stop:
    print("停在", stop.signum, file=sys.stderr)
"""


@pytest.mark.parametrize("finalizer", list(_FINALIZERS))
def test_a_stop_inside_a_finalizer_in_a_batch_worker_still_stops_its_build(finalizer: str) -> None:
    body = "\n".join("    " + line for line in _FINALIZERS[finalizer].strip().splitlines())
    script = _WORKER_WITH_FINALIZER.format(signum=int(signal.SIGTERM), body=body)
    done = subprocess.run([sys.executable, "-c", script], env=environment(), capture_output=True, timeout=120,
                          check=False)  # fmt: skip
    message = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in message and "Exception ignored" not in message, message
    assert f"停在 {int(signal.SIGTERM)}" in message, message
