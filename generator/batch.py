"""Building every report below a folder at once: a city office with many units, or a unit with many years.

Inputs are the files named after their year (reports/<unit>/2019.yaml, 2020.xlsx …). They are built in parallel
processes; each process prepares the template once and keeps it for every report it builds. One failure never
stops the rest: each input ends as a success with its output or a failure with its first problem.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ReportError
from generator.history import YEAR_FILE

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
    both would write 2019.docx."""
    by_year: dict[tuple[Path, str], list[Path]] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative) or not path.is_file() or path.name.startswith("~$"):
            continue
        found = YEAR_FILE.fullmatch(path.name)
        if found:
            by_year.setdefault((path.parent, found.group(1)), []).append(path)
    inputs, clashes = [], []
    for (_, year), paths in sorted(by_year.items()):
        if len(paths) == 1:
            inputs.append(paths[0])
        else:
            names = "、".join(p.name for p in sorted(paths, key=lambda p: SUFFIX_ORDER.get(p.suffix.lower(), 9)))
            for path in paths:
                clashes.append(
                    Outcome(path, problem=f"{year}年有两个数据文件（{names}），都会写到同一个报告；请只留一个")
                )
    return inputs, clashes


def build_one(source: Path, template: str | None, pdf: bool) -> Outcome:
    """One report, every failure kept as an outcome (this runs in a worker process)."""
    from generator import api

    try:
        result = api.build(source, template, pdf=pdf)
    except ReportError as exc:
        first = str(exc.problems[0]) if exc.problems else str(exc)
        return Outcome(source, problem=first, problems=len(exc.problems))
    except MemoryError:
        return Outcome(source, problem="内存不足：处理这份数据需要的内存超过了上限", problems=1)
    except Exception as exc:  # a bug must not stop the other units
        return Outcome(source, problem=f"程序内部错误：{type(exc).__name__}: {exc}", problems=1)
    return Outcome(source, result.output)


def build_all(
    inputs: list[Path],
    template: str | None = None,
    pdf: bool = False,
    jobs: int | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Every input built, in parallel processes when there is more than one to do and more than one core."""
    jobs = jobs or os.cpu_count() or 1
    outcomes = []
    if jobs == 1 or len(inputs) < 2:
        for source in inputs:
            outcomes.append(build_one(source, template, pdf))
            if on_done:
                on_done(outcomes[-1])
        return outcomes
    with ProcessPoolExecutor(max_workers=min(jobs, len(inputs))) as pool:
        futures = [pool.submit(build_one, source, template, pdf) for source in inputs]
        for future in as_completed(futures):
            outcomes.append(future.result())
            if on_done:
                on_done(outcomes[-1])
    order = {source: i for i, source in enumerate(inputs)}
    return sorted(outcomes, key=lambda o: order[o.source])
