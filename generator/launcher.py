"""The console command's entry: small, so that a Ctrl-C at any moment ends as quietly as one in the middle.

While the rest of the program loads, a Ctrl-C is caught here. Once the work is done (or given up), Ctrl-C is
ignored and the process ends at once: Python's own shutdown would otherwise reset the handler and let a late
Ctrl-C kill the process with no word, after the report had already been written in full.
"""

from __future__ import annotations

import os
import signal
import sys

INTERRUPTED = 130


def entry() -> None:
    code: int | None = None
    try:
        from generator.cli import run

        code = run()
    except KeyboardInterrupt:
        pass
    while True:  # from here on a Ctrl-C changes nothing
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            break
        except KeyboardInterrupt:
            continue
    try:
        if code is None:
            print("已中断，没有写出任何文件。", file=sys.stderr)
            code = INTERRUPTED
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: nothing left to say
        pass
    os._exit(code)
