"""Building every report below a folder at once: a city office with many units, or a unit with many years.

Inputs are the files named after their year (reports/<unit>/2019.yaml, 2020.xlsx …). They are built in parallel
processes; each process prepares the template once and keeps it for every report it builds. One failure never
stops the rest: each input ends as a success with its output or a failure with its first problem.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ReportError
from generator.history import YEAR_DATA_LIKE, YEAR_FILE
from generator.output import STOP_SIGNALS

SUFFIX_ORDER = {".xlsx": 0, ".yaml": 1, ".yml": 2}


@dataclass(frozen=True)
class Outcome:
    source: Path
    output: Path | None = None
    problem: str = ""  # the first problem, when it failed
    problems: int = 0  # how many there were

    @property
    def ok(self) -> bool:
        return self.output is not None


def find_inputs(folder: Path) -> tuple[list[Path], list[Outcome]]:
    """The year files below ``folder``; a year with two data files (2019.yaml and 2019.xlsx) is a failure, since
    both would write 2019.docx. A year-named file we cannot read (2019.xls, 2019.csv) is an input too: its build
    fails and says why, rather than the year silently missing from the list."""
    by_year: dict[tuple[Path, str], list[Path]] = {}
    unreadable: list[Path] = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative) or not path.is_file() or path.name.startswith("~$"):
            continue
        found = YEAR_FILE.fullmatch(path.name)
        if found:
            by_year.setdefault((path.parent, found.group(1)), []).append(path)
        elif YEAR_DATA_LIKE.fullmatch(path.name):
            unreadable.append(path)
    inputs, clashes = list(unreadable), []
    for (_, year), paths in sorted(by_year.items()):
        if len(paths) == 1:
            inputs.append(paths[0])
        else:
            names = "、".join(p.name for p in sorted(paths, key=lambda p: SUFFIX_ORDER.get(p.suffix.lower(), 9)))
            for path in paths:
                clashes.append(
                    Outcome(path, problem=f"{year}年有两个数据文件（{names}），都会写到同一个报告；请只留一个")
                )
    inputs.sort()
    return inputs, clashes


def build_one(source: Path, template: str | None, pdf: bool, force: bool = False) -> Outcome:
    """One report, every failure kept as an outcome (this runs in a worker process)."""
    from generator import api

    global _busy
    _busy = True
    try:
        result = api.build(source, template, pdf=pdf, force=force, to_pdf=_worker_pdf if pdf else None)
    except ReportError as exc:
        first = str(exc.problems[0]) if exc.problems else str(exc)
        return Outcome(source, problem=first, problems=len(exc.problems))
    except MemoryError:
        return Outcome(source, problem="内存不足：处理这份数据需要的内存超过了上限", problems=1)
    except Exception as exc:  # a bug must not stop the other units
        return Outcome(source, problem=f"程序内部错误：{type(exc).__name__}: {exc}", problems=1)
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP: what was being written is cleaned up by now
        if _in_worker:
            os._exit(128 + getattr(stop, "signum", signal.SIGINT))
        raise
    finally:
        _busy = False
    if result.pdf_problem is not None:
        return Outcome(source, problem=str(result.pdf_problem), problems=1)
    return Outcome(source, result.output)


def _worker_pdf(document: Path, target: Path) -> None:
    """A batch converts with one LibreOffice per worker process, started at its first PDF and kept for the rest
    (generator/converter.py: restarted when it dies or hangs; the plain way when it cannot run)."""
    from generator.converter import convert_pdf

    convert_pdf(document, target)


_busy = False  # a worker is building (and may be writing) a report
_in_worker = False


def _worker_stops(signum: int, frame: object) -> None:
    """In a worker, a stop while building is raised where the work is, so that the temporary file being written is
    removed on the way out; between builds there is nothing to clean up, and the worker simply ends."""
    from generator import launcher

    if not _busy:
        os._exit(128 + signum)
    if launcher.redelivery_pending():
        launcher.deliver_later(signum)
        return
    launcher.ignore_stops()  # the first stop is enough; another must not cut the clean-up short
    raise launcher.Stopped(signum)


def _start_worker() -> None:
    from generator.launcher import catch_stops_in_finalizers

    global _in_worker
    _in_worker = True
    catch_stops_in_finalizers(_handle_worker_stops)
    _handle_worker_stops()


def _handle_worker_stops() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, _worker_stops)


def build_all(
    inputs: list[Path],
    template: str | None = None,
    pdf: bool = False,
    jobs: int | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    force: bool = False,
) -> list[Outcome]:
    """Every input built, in parallel processes when there is more than one to do and more than one core. A stop
    (Ctrl-C, SIGTERM, SIGHUP) ends every worker, each removing what it was writing, before it goes on up."""
    jobs = jobs or os.cpu_count() or 1
    outcomes = []
    if jobs == 1 or len(inputs) < 2:
        for source in inputs:
            outcomes.append(build_one(source, template, pdf, force))
            if on_done:
                on_done(outcomes[-1])
        return outcomes
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(inputs)), initializer=_start_worker)
    try:
        futures = {pool.submit(build_one, source, template, pdf, force): source for source in inputs}
        for future in as_completed(futures):
            try:
                outcomes.append(future.result())
            except BrokenProcessPool:  # a worker was ended from outside (killed, out of memory)
                outcomes.append(Outcome(futures[future], problem="生成中断：处理它的进程意外结束", problems=1))
            if on_done:
                on_done(outcomes[-1])
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown()
    order = {source: i for i, source in enumerate(inputs)}
    return sorted(outcomes, key=lambda o: order[o.source])


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Ask every worker to stop (each removes the file it was writing), wait for them, and drop the rest."""
    workers = multiprocessing.active_children()
    for worker in workers:
        with contextlib.suppress(OSError):
            worker.terminate()  # SIGTERM: handled by _worker_stops
    for worker in workers:
        worker.join()
    pool.shutdown(wait=False, cancel_futures=True)
