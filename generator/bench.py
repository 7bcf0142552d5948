"""Speed and memory, measured here, each beside a plain docxtpl (or openpyxl) script doing the same work.

    python -m generator.bench            # the full run whose figures stand in the README
    python -m generator.bench --quick    # a few repeats and small sizes (what CI runs, to keep it working)

(a) one report end to end as a process: `annual-report build` against a script that renders the same template
    with the same context through docxtpl;
(b) 200 reports in one process: our render and write against the docxtpl loop, per core; and `build` on a folder
    of 200 units, all cores;
(c) tables of 1,000 and 10,000 rows: the same, one report each;
(d) reading a 10,000-row workbook: our reader against openpyxl's read-only mode reading every cell;
(e) peak memory of one build (and of the docxtpl script).
Medians of interleaved repeats; nothing here is a pass/fail test, the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ANCHOR_SCRIPT = """
import json, sys
from docxtpl import DocxTemplate
from markupsafe import Markup
context = json.load(open(sys.argv[2], encoding="utf-8"))
for table in context.get("tables", []):
    table["body"] = Markup(table["body"])
template = DocxTemplate(sys.argv[1])
template.render(context, autoescape=True)
template.save(sys.argv[3])
"""

MEMORY_PROBE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _median_time(action: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _interleaved(actions: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Alternate the candidates so that a busy moment of the machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def _plain(value: Any) -> Any:
    """A template context as JSON for the docxtpl script (rows become dicts, tables' bodies their XML)."""
    if dataclasses.is_dataclass(value):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class Bench:
    def __init__(self, work: Path, quick: bool) -> None:
        self.work = work
        self.quick = quick
        self.repeats = 3 if quick else 9
        self.rows: list[tuple[str, str, str, str]] = []  # measure, ours, anchor, ratio / target
        from generator import api
        from generator.render import load_template

        self.api = api
        self.example = Path(__file__).resolve().parents[1] / "reports" / "yongkang-police" / "2019.yaml"
        if not self.example.exists():  # installed without the repository's examples: make a year of our own
            self.example = self._synthetic_year(work / "example", 2019, 20)
        self.template = load_template(None)
        self.template_path = work / "newspaper.docx"
        self.template_path.write_bytes(self.template.data)
        (work / "anchor.py").write_text(ANCHOR_SCRIPT, encoding="utf-8")
        (work / "memory.py").write_text(MEMORY_PROBE, encoding="utf-8")

    # --- data ----------------------------------------------------------------------------------------------

    def _synthetic_year(self, folder: Path, year: int, indicators: int, seed: int = 0) -> Path:
        from generator.model import Report
        from generator.writers.yaml_text import yaml_text

        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "organization": {"name": f"第{seed}单位", "short_name": "本单位"},
            "year": year,
            "kicker": "全年{{ 同比(指标0, 指标1) }}",
            "headline": "年度工作综述",
            "lead": ["{{ 年份 }}年，本单位{{ 指标0.同比 }}。"],
            "sections": [{"heading": f"第{k}部分", "paragraphs": [f"第{k}部分正文，读取{{{{ 指标{k} }}}}。" * 3] * 3}
                         for k in range(3)],
            "indicators": [{"name": f"指标{i}", "unit": "起", "value": str(1000 + seed + i),
                            "previous": str(1100 + i)} for i in range(indicators)],
        }  # fmt: skip
        path = folder / f"{year}.yaml"
        path.write_text(yaml_text(Report.model_validate(data)), encoding="utf-8")
        return path

    def _context_json(self, content: Any, path: Path) -> Path:
        from generator.render.context import template_context
        from generator.render.engine import Additions, prepared

        context = template_context(content, Additions(), prepared(self.template).text_width)
        path.write_text(json.dumps(_plain(context), ensure_ascii=False), encoding="utf-8")
        return path

    def record(self, measure: str, ours: float, anchor: float | None, target: str, unit: str = "s") -> None:
        def shown(value: float) -> str:
            return f"{value * 1000:.1f} ms" if unit == "s" and value < 1 else f"{value:.2f} {unit}"

        ratio = f"{ours / anchor:.2f}×" if anchor else "—"
        self.rows.append((measure, shown(ours), shown(anchor) if anchor else "—", f"{ratio}  {target}"))

    # --- the measures ----------------------------------------------------------------------------------------

    def one_report_as_a_process(self) -> None:
        content = self.api.load(self.example).content
        context = self._context_json(content, self.work / "context.json")
        ours = [sys.executable, "-m", "generator", "build", str(self.example), "-o", str(self.work / "ours.docx")]
        anchor = [sys.executable, str(self.work / "anchor.py"), str(self.template_path), str(context),
                  str(self.work / "anchor.docx")]  # fmt: skip
        subprocess.run(ours, check=True, capture_output=True)  # the first build fills the template cache
        times = _interleaved(
            {"ours": lambda: subprocess.run(ours, check=True, capture_output=True),
             "anchor": lambda: subprocess.run(anchor, check=True, capture_output=True)},
            self.repeats,
        )  # fmt: skip
        self.record("(a) 一份报告，独立进程", times["ours"], times["anchor"], "目标 ≤ 1.3×")
        for name, command in (("ours", ours), ("anchor", anchor)):
            probe = subprocess.run([sys.executable, str(self.work / "memory.py"), *command], check=True,
                                   capture_output=True, text=True)  # fmt: skip
            kilobytes = int(probe.stdout.strip().splitlines()[-1])
            setattr(self, f"memory_{name}", kilobytes / 1024)

    def many_in_one_process(self) -> None:
        from docxtpl import DocxTemplate
        from markupsafe import Markup

        from generator.render.word import render_docx

        count = 20 if self.quick else 200
        folder = self.work / "years"
        contents = []
        for seed in range(count):
            path = self._synthetic_year(folder / f"u{seed}", 2019, 20, seed)
            contents.append(self.api.load(path).content)
        contexts = [json.loads(self._context_json(c, self.work / "ctx.json").read_text(encoding="utf-8"))
                    for c in contents[:5]]  # fmt: skip
        out = self.work / "loop.docx"

        def ours() -> None:
            for content in contents:
                out.write_bytes(render_docx(content, self.template))

        def anchor() -> None:
            for k in range(count):
                context = contexts[k % len(contexts)]
                for table in context.get("tables", []):
                    table["body"] = Markup(table["body"])
                template = DocxTemplate(str(self.template_path))
                template.render(context, autoescape=True)
                template.save(str(out))

        times = _interleaved({"ours": ours, "anchor": anchor}, max(1, self.repeats // 3))
        per_ours, per_anchor = times["ours"] / count, times["anchor"] / count
        self.rows.append((f"(b) {count} 份报告，同一进程（每份）", f"{per_ours * 1000:.1f} ms",
                          f"{per_anchor * 1000:.1f} ms",
                          f"吞吐 {per_anchor / per_ours:.1f}×  目标 ≥ 3×"))  # fmt: skip
        started = time.perf_counter()
        for path in sorted(folder.glob("*/2019.yaml")):
            self.api.load(path)
        per_load = (time.perf_counter() - started) / count
        self.rows.append(("    读取并计算一份数据（YAML → 内容）", f"{per_load * 1000:.1f} ms", "—", "参考"))
        command = [sys.executable, "-m", "generator", "build", str(folder)]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - started
        self.rows.append((f"    build 文件夹：{count} 个单位，{os.cpu_count()} 核", f"{wall:.2f} s", "—",
                          f"{count / wall:.0f} 份/秒，含进程启动"))  # fmt: skip

    def big_tables(self) -> None:
        from docxtpl import DocxTemplate
        from markupsafe import Markup

        from generator.figures.content import SummaryRow
        from generator.render.word import render_docx

        base = self.api.load(self.example).content
        measured = {}
        sizes = (1000, 2000) if self.quick else (1000, 10000)
        for rows in sizes:
            summary = [
                SummaryRow(i + 1, f"指标{i}", "起", str(1000 + i), str(1100 + i), "下降9.1%") for i in range(rows)
            ]
            content = dataclasses.replace(base, summary=summary)
            context = json.loads(self._context_json(content, self.work / "big.json").read_text(encoding="utf-8"))
            render_docx(content, self.template)

            def anchor(context: dict[str, Any] = context) -> None:
                for table in context.get("tables", []):
                    table["body"] = Markup(table["body"])
                template = DocxTemplate(str(self.template_path))
                template.render(context, autoescape=True)
                template.save(str(self.work / "big-anchor.docx"))

            repeats = max(1, self.repeats // 3)
            times = _interleaved({"ours": lambda content=content: render_docx(content, self.template),
                                  "anchor": anchor}, repeats)  # fmt: skip
            measured[rows] = times
            target = "目标 < 0.5 s" if rows == 10000 else ""
            self.record(f"(c) {rows} 行的表格", times["ours"], times["anchor"], target)
        small, large = sizes
        growth = measured[large]["ours"] / measured[small]["ours"]
        growth_anchor = measured[large]["anchor"] / measured[small]["anchor"]
        self.rows.append((f"    {large}/{small} 行耗时之比", f"{growth:.1f}", f"{growth_anchor:.1f}",
                          "目标 ≤ 11" if large == 10000 else ""))  # fmt: skip

    def big_workbook(self) -> None:
        import openpyxl

        from generator.model import Report
        from generator.sources.xlsx_source import read_workbook
        from generator.writers.workbook import workbook_bytes

        rows = 1000 if self.quick else 10000
        data = {"organization": {"name": "测试"}, "year": 2023, "headline": "标题",
                "sections": [{"heading": "一", "paragraphs": ["段落"]}],
                "indicators": [{"name": f"指标{i}", "unit": "起", "value": str(i), "previous": str(i + 7)}
                               for i in range(rows)]}  # fmt: skip
        path = self.work / "big.xlsx"
        path.write_bytes(workbook_bytes(Report.model_validate(data)))

        def plain() -> None:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                for _ in sheet.iter_rows(values_only=True):
                    pass
            book.close()

        times = _interleaved({"ours": lambda: read_workbook(path), "anchor": plain}, max(1, self.repeats // 2))
        self.record(
            f"(d) 读取 {rows} 行的工作簿", times["ours"], times["anchor"], "目标 ≤ 1.5×（对 openpyxl 只读模式）"
        )

    def memory(self) -> None:
        ours, anchor = getattr(self, "memory_ours", 0.0), getattr(self, "memory_anchor", 0.0)
        self.rows.append(("(e) 一次生成的内存峰值", f"{ours:.0f} MB", f"{anchor:.0f} MB", "目标 < 80 MB"))

    def report(self) -> str:
        import platform

        lines = [
            f"annual-report 基准（{'快速' if self.quick else '完整'}）：Python {platform.python_version()}，"
            f"{os.cpu_count()} 核，{platform.machine()}，中位数",
            "",
            "| 测量 | annual-report | 对照（docxtpl / openpyxl） | 比值与目标 |",
            "| --- | --- | --- | --- |",
        ]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, small sizes (for CI)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annual-report-bench-") as folder:
        bench = Bench(Path(folder), options.quick)
        for step in (bench.one_report_as_a_process, bench.many_in_one_process, bench.big_tables,
                     bench.big_workbook, bench.memory):  # fmt: skip
            step()
            print(f"完成：{step.__name__}", file=sys.stderr, flush=True)
        print(bench.report())
        if options.json:
            options.json.write_text(json.dumps(bench.rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
