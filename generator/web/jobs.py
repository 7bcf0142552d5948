"""The page's work, done in worker processes so the server's event loop only ever waits: checking, building,
converting. Each worker keeps a warm LibreOffice of its own (generator/converter.py) and the prepared templates,
the way a folder build's workers (generator/batch.py) keep theirs.

Workers are started fresh (the "spawn" way, never a fork of the running server with its threads), in the unit's
folder, so that messages name files as the command line does when run there (2023.xlsx 「指标」C7).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from generator.errors import Problem, ReportError

T = TypeVar("T")

TASKS_PER_WORKER = 200  # then a fresh process: whatever a long day of builds left behind in memory goes with it


@dataclass
class Failed:
    """A ReportError, carried back from a worker as data (an exception's own pickling loses its problems)."""

    problems: list[Problem]
    kind: str = "data"
    notes: list[str] = field(default_factory=list)


def _start_worker(folder: str, warm: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal stops the server, which stops us
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    os.chdir(folder)
    if warm:
        from generator import api

        if api.office_available():
            from generator.converter import shared

            threading.Thread(target=shared().start, daemon=True).start()  # ready by the first build


def _run(function: Callable[[], T]) -> T | Failed:
    try:
        return function()
    except ReportError as exc:
        return Failed(list(exc.problems), exc.kind, list(getattr(exc, "notes", [])))


def _nothing() -> int:
    return os.getpid()


class Workers:
    def __init__(self, folder: Path, count: int | None = None, *, warm: bool = True) -> None:
        self.folder = folder
        self.count = count or min(2, os.cpu_count() or 1)
        self.warm = warm
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        options: dict[str, Any] = {}
        if sys.version_info >= (3, 11):
            options["max_tasks_per_child"] = TASKS_PER_WORKER
        return ProcessPoolExecutor(
            max_workers=self.count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(self.folder), self.warm),
            **options,
        )

    def start(self) -> None:
        """Start every worker now (and their LibreOffices), not at the first click."""
        for _ in range(self.count):
            self._pool.submit(_nothing)

    async def run(self, function: Callable[..., T], *args: Any, **options: Any) -> T | Failed:
        """``function(*args)`` in a worker; a ReportError comes back as ``Failed``. A worker that died (killed,
        out of memory) is replaced, and the work is tried once more."""
        loop = asyncio.get_running_loop()
        for attempt in range(2):
            pool = self._pool
            try:
                return await loop.run_in_executor(pool, partial(_run, partial(function, *args, **options)))
            except BrokenProcessPool:
                if pool is self._pool:
                    self._pool = self._new_pool()
                    pool.shutdown(wait=False, cancel_futures=True)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def pids(self) -> list[int]:
        """The worker processes now running (for the load test's memory count)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return list(processes)
