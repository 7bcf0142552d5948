"""The benchmark keeps working (its figures go in the README); it is run in its quick mode, never timed."""

from __future__ import annotations

import subprocess
import sys


def test_benchmark_quick_mode_measures_every_item() -> None:
    done = subprocess.run([sys.executable, "-m", "generator.bench", "--quick"], capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = done.stdout
    for measure in ("(a) 一份报告", "(b) 20 份报告", "build 文件夹", "(c) 1000 行", "(c) 2000 行", "(d) 读取 1000 行",
                    "(e) 一次生成的内存峰值"):  # fmt: skip
        assert measure in table, table
    assert "Traceback" not in done.stderr
