"""A build stopped at any moment never leaves a partial or corrupt report at the output path.

SIGKILL at random moments (and the moment the temporary file appears) of a build of a large year: the output path
then holds the earlier report, byte for byte, or a complete new one; a SIGKILL may leave its temporary file (nothing
can clean up after it; the next build is unaffected), Ctrl-C (SIGINT) never does and never prints a traceback. Two
builds writing one output at once leave one valid document.

The loops run for about 30 s in the default profile and several minutes with HYPOTHESIS_PROFILE=slow.
"""

from __future__ import annotations

import random
import signal
import subprocess
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
    start_up = 0.6  # Python and the program's imports; Ctrl-C before then: test_ctrl_c_while_starting below
    while time.perf_counter() < deadline or rounds < 4:
        folder.report.write_bytes(folder.earlier)
        process = folder.start()
        time.sleep(start_up)
        if rounds % 3 == 2:
            _wait_for_temporary(folder, process, folder.build_seconds * 3)
        else:
            time.sleep(random.uniform(0, max(folder.build_seconds - start_up, 0.1) * 1.2))
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        message = stderr.decode("utf-8", errors="replace")
        assert "Traceback" not in message, message
        assert process.returncode in (0, 130), (process.returncode, message)
        if process.returncode == 130:
            assert "已中断" in message
        tally.add(assert_whole(folder))
        assert folder.temporaries() == [], "Ctrl-C left a temporary file"
        rounds += 1
    print(f"\nCtrl-C: {rounds} builds interrupted, {tally.outcomes}")
    assert tally.outcomes.get("earlier", 0) > 0, "no build was interrupted before it finished: the loop tested nothing"


def test_ctrl_c_while_starting_prints_no_traceback(folder: Folder) -> None:
    for delay in (0.05, 0.1, 0.15, 0.2):
        process = folder.start()
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr.decode("utf-8", errors="replace")
        assert process.returncode in (0, 130)
        assert folder.temporaries() == []


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
