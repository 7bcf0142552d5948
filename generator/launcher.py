"""The console command's entry: small, so that a Ctrl-C while the rest of the program is still loading ends as
quietly as one later on."""

from __future__ import annotations

import sys


def entry() -> None:
    try:
        from generator.cli import run
    except KeyboardInterrupt:
        print("已中断，没有写出任何文件。", file=sys.stderr)
        sys.exit(130)
    sys.exit(run())
