"""Speed and memory, measured here, each beside a plain docxtpl (or openpyxl) script doing the same work.

    python -m generator.bench            # the full run whose figures stand in the README
    python -m generator.bench --quick    # a few repeats and small sizes (what CI runs, to keep it working)

(a) one report end to end as a process: `annual-report build` against a script that renders the same template
    with the same context through docxtpl; and the first build after install (empty template cache);
(b) 200 reports in one process: the whole work per report (read, validate, compute, render, write) and render
    alone, against the docxtpl loop; and `build` on a folder of 200 units, all cores;
(c) tables of 1,000 and 10,000 rows: the same, one report each; and a 10,000-indicator YAML year built end to end
    as a process, with its peak memory;
(d) reading a 10,000-row workbook: our reader against openpyxl's read-only mode reading every cell;
(e) peak memory of one build (and of the docxtpl script);
(f) PDF (full run, with LibreOffice): `build FOLDER --pdf` of 10 reports against the build and one `soffice` call
    converting all 10; `build X --pdf` run again (the warm converter) against a plain `soffice --convert-to`;
    LibreOffice opening reports with a long extra table (1,000 to 10,000 rows).
Medians of interleaved repeats, garbage collected before each; every output timed is checked (the zip intact, its
XML parsed, the rows there). Nothing here is a pass/fail test: the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import shutil
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
def marked(value):  # finished tables (summary_table, honors_table, trend, tables) carry their XML as "body"
    if isinstance(value, dict):
        return {k: Markup(v) if k == "body" and isinstance(v, str) else marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [marked(v) for v in value]
    return value
context = marked(json.load(open(sys.argv[2], encoding="utf-8")))
template = DocxTemplate(sys.argv[1])
template.render(context, autoescape=True)
template.save(sys.argv[3])
"""

MEMORY_PROBE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _interleaved(actions: dict[str, Callable[[], Any]], repeats: int, *, spread: bool = False) -> dict[str, Any]:
    """Alternate the candidates so that a busy moment of the machine falls on all of them alike; garbage is
    collected before each (one case's garbage must not be collected in the next one's time). ``spread``: also the
    lowest and highest of each (name + "_all": every time; name + "_cpu": every time in this process's CPU time)."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    cpu: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            gc.collect()
            started, used = time.perf_counter(), time.process_time()
            action()
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - used)
    result: dict[str, Any] = {name: statistics.median(values) for name, values in times.items()}
    if spread:
        result.update({f"{name}_all": values for name, values in times.items()})
        result.update({f"{name}_cpu": values for name, values in cpu.items()})
    return result


W_ROW = b"<w:tr>"


def check_docx(document: Path | bytes, rows: int = 0) -> None:
    """What a timed run wrote is a whole Word document: the zip intact, every XML part parsed, and at least
    ``rows`` table rows in the body. Raises AssertionError: a benchmark of broken output measures nothing."""
    import io
    import zipfile
    from xml.parsers import expat

    data = document if isinstance(document, bytes) else document.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None, "a damaged part in the zip"
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                part = archive.read(name)
                expat.ParserCreate().Parse(part, True)  # raises on broken XML
                if name == "word/document.xml" and rows:
                    found = part.count(W_ROW) + part.count(b"<w:tr ")
                    assert found >= rows, f"{found} table rows, expected at least {rows}"


def check_pdf(pdf: Path) -> int:
    """A PDF with pages; how many (pdfinfo when there, else a count of page objects)."""
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-2048:], f"{pdf.name} is not a whole PDF"
    import re

    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages > 0, f"{pdf.name} has no pages"
    return pages


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
        # Processes run as an installed program does: pip compiles every module to bytecode when it installs. A
        # checkout installed in editable mode, or a machine with PYTHONDONTWRITEBYTECODE set, would compile our
        # modules from source at every start while the libraries beside them load compiled: 0.06 s no user pays.
        self.env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPYCACHEPREFIX"] = str(work / "bytecode")
        # The command as people run it: the installed ``annual-report`` beside this Python (``python -m generator``
        # when there is none, e.g. run from a checkout that was not installed).
        installed = shutil.which("annual-report", path=str(Path(sys.executable).parent))
        self.command = [installed] if installed else [sys.executable, "-m", "generator"]

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

    def _run(self, command: list[str], env: dict[str, str] | None = None) -> None:
        subprocess.run(command, check=True, capture_output=True, env={**self.env, **(env or {})})

    def one_report_as_a_process(self) -> None:
        content = self.api.load(self.example).content
        context = self._context_json(content, self.work / "context.json")
        out, anchor_out = self.work / "ours.docx", self.work / "anchor.docx"
        ours = [*self.command, "build", str(self.example), "-o", str(out), "--force"]
        anchor = [sys.executable, str(self.work / "anchor.py"), str(self.template_path), str(context),
                  str(anchor_out)]  # fmt: skip
        self._run(ours)  # the first build fills the template cache (and both, the bytecode cache)
        self._run(anchor)
        times = _interleaved({"ours": lambda: self._run(ours), "anchor": lambda: self._run(anchor)}, self.repeats)
        check_docx(out, len(content.summary))
        check_docx(anchor_out, len(content.summary))
        self.record("(a) 一份报告，独立进程（模板已缓存）", times["ours"], times["anchor"], "目标 ≤ 1.0×")
        cache = self.work / "empty-cache"

        def first() -> None:  # the first build after install: nothing cached, the shipped template used
            shutil.rmtree(cache, ignore_errors=True)
            self._run(ours, {"ANNUAL_REPORT_CACHE": str(cache)})

        first_times = _interleaved({"first": first, "anchor": lambda: self._run(anchor)}, max(3, self.repeats // 2))
        check_docx(out, len(content.summary))
        self.record("    安装后第一次生成（模板缓存为空）", first_times["first"], first_times["anchor"],
                    "不导入 docxtpl")  # fmt: skip
        for name, command in (("ours", ours), ("anchor", anchor)):
            probe = subprocess.run([sys.executable, str(self.work / "memory.py"), *command], check=True, env=self.env,
                                   capture_output=True, text=True)  # fmt: skip
            kilobytes = int(probe.stdout.strip().splitlines()[-1])
            setattr(self, f"memory_{name}", kilobytes / 1024)

    def many_in_one_process(self) -> None:
        from docxtpl import DocxTemplate

        from generator.render.word import render_docx

        count = 20 if self.quick else 200
        folder = self.work / "years"
        sources = [self._synthetic_year(folder / f"u{seed}", 2019, 20, seed) for seed in range(count)]
        contents = [self.api.load(path).content for path in sources]
        contexts = [json.loads(self._context_json(c, self.work / "ctx.json").read_text(encoding="utf-8"))
                    for c in contents[:5]]  # fmt: skip
        out = self.work / "loop.docx"

        def whole() -> None:  # read, validate, compute, render, write: what build does for each report
            for path in sources:
                self.api.build(path, output=out, force=True)

        def render_only() -> None:
            for content in contents:
                out.write_bytes(render_docx(content, self.template))

        def anchor() -> None:
            for k in range(count):
                template = DocxTemplate(str(self.template_path))
                template.render(_marked(contexts[k % len(contexts)]), autoescape=True)
                template.save(str(out))

        whole()  # every text compiled once in this process, as in a batch
        times = _interleaved({"whole": whole, "render": render_only, "anchor": anchor}, max(1, self.repeats // 3))
        per = {name: value / count for name, value in times.items()}
        for action in (whole, render_only, anchor):
            action()
            check_docx(out, len(contents[-1].summary))
        self.rows.append((f"(b) {count} 份报告，同一进程，每份全部工作（读取、校验、计算、渲染、写出）",
                          f"{per['whole'] * 1000:.1f} ms", f"{per['anchor'] * 1000:.1f} ms",
                          f"吞吐 {per['anchor'] / per['whole']:.1f}×  目标 ≥ 3×"))  # fmt: skip
        self.rows.append(("    其中只渲染和写出", f"{per['render'] * 1000:.1f} ms", f"{per['anchor'] * 1000:.1f} ms",
                          f"吞吐 {per['anchor'] / per['render']:.1f}×"))  # fmt: skip
        command = [*self.command, "build", str(folder), "--force"]
        gc.collect()
        started = time.perf_counter()
        self._run(command)
        wall = time.perf_counter() - started
        for path in sources:
            check_docx(path.with_suffix(".docx"))
        self.rows.append((f"    build 文件夹：{count} 个单位，{os.cpu_count()} 核", f"{wall:.2f} s", "—",
                          f"{count / wall:.0f} 份/秒，含进程启动"))  # fmt: skip

    def big_tables(self) -> None:
        from docxtpl import DocxTemplate

        from generator.figures.content import SummaryRow
        from generator.render.word import render_docx

        base = self.api.load(self.example).content
        measured = {}
        anchor_out = self.work / "big-anchor.docx"
        sizes = (1000, 2000) if self.quick else (1000, 10000)
        for rows in sizes:
            summary = [
                SummaryRow(i + 1, f"指标{i}", "起", str(1000 + i), str(1100 + i), "下降9.1%") for i in range(rows)
            ]
            content = dataclasses.replace(base, summary=summary)
            context = json.loads(self._context_json(content, self.work / "big.json").read_text(encoding="utf-8"))
            check_docx(render_docx(content, self.template), rows)

            def anchor(context: dict[str, Any] = context) -> None:
                template = DocxTemplate(str(self.template_path))
                template.render(_marked(context), autoescape=True)
                template.save(str(anchor_out))

            anchor()
            check_docx(anchor_out, rows)
            repeats = max(1, self.repeats // 3)
            times = _interleaved({"ours": lambda content=content: render_docx(content, self.template),
                                  "anchor": anchor}, repeats)  # fmt: skip
            measured[rows] = times
            target = "目标 < 0.5 s" if rows == 10000 else ""
            self.record(f"(c) {rows} 行的表格（只渲染）", times["ours"], times["anchor"], target)
        small, large = sizes
        growth = measured[large]["ours"] / measured[small]["ours"]
        growth_anchor = measured[large]["anchor"] / measured[small]["anchor"]
        self.rows.append((f"    {large}/{small} 行耗时之比", f"{growth:.1f}", f"{growth_anchor:.1f}",
                          "目标 ≤ 11" if large == 10000 else ""))  # fmt: skip

    def big_year(self) -> None:
        """A year of 10,000 indicators in YAML, built end to end by the command: time and peak memory."""
        from generator.model import Report
        from generator.writers.yaml_text import yaml_text

        rows = 1000 if self.quick else 10000
        folder = self.work / "big-year"
        folder.mkdir(exist_ok=True)
        source = folder / "2023.yaml"
        source.write_text(yaml_text(Report.model_validate(_big_data(rows))), encoding="utf-8")
        out = folder / "2023.docx"
        command = [*self.command, "build", str(source), "--force"]
        times = _interleaved({"ours": lambda: self._run(command)}, max(1, self.repeats // 3))
        check_docx(out, rows)
        probe = subprocess.run([sys.executable, str(self.work / "memory.py"), *command], check=True, env=self.env,
                               capture_output=True, text=True)  # fmt: skip
        peak = int(probe.stdout.strip().splitlines()[-1]) / 1024
        self.rows.append((f"(c) {rows} 行的 YAML 数据，build 全过程（进程）", f"{times['ours']:.2f} s", "—",
                          f"内存峰值 {peak:.0f} MB  目标 ≤ 1 s，≤ 100 MB"))  # fmt: skip

    def big_workbook(self) -> None:
        import openpyxl

        from generator.model import Report
        from generator.sources.xlsx_source import read_workbook
        from generator.writers.workbook import workbook_bytes

        rows = 1000 if self.quick else 10000
        path = self.work / "big.xlsx"
        path.write_bytes(workbook_bytes(Report.model_validate(_big_data(rows))))
        counted = []

        def plain() -> None:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            cells = 0
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    cells += len(row)
            book.close()
            counted.append(cells)

        def ours() -> None:
            raw = read_workbook(path)
            assert len(raw.data["indicators"]) == rows, "not every row read"

        times = _interleaved({"ours": ours, "anchor": plain}, max(3, self.repeats // 2), spread=True)
        ratios = sorted(o / a for o, a in zip(times["ours_all"], times["anchor_all"], strict=True))
        # Both run in this process, on one core, from a file in memory: their CPU time is their work, whatever
        # else the machine runs meanwhile (a busy 2-core machine moves the wall-clock ratio of one pair by ±40%).
        cpu = sorted(o / a for o, a in zip(times["ours_cpu"], times["anchor_cpu"], strict=True))
        self.record(f"(d) 读取 {rows} 行的工作簿", times["ours"], times["anchor"],
                    f"每次之比 {ratios[0]:.2f}–{ratios[-1]:.2f}×（按 CPU 时间 {cpu[0]:.2f}–{cpu[-1]:.2f}×）"
                    "  目标 ≤ 1.3×（对 openpyxl 只读模式）")  # fmt: skip

    def memory(self) -> None:
        ours, anchor = getattr(self, "memory_ours", 0.0), getattr(self, "memory_anchor", 0.0)
        self.rows.append(("(e) 一次生成的内存峰值", f"{ours:.0f} MB", f"{anchor:.0f} MB", "目标 < 80 MB"))

    # --- PDF (the full run only: LibreOffice takes seconds a document) ----------------------------------------

    def pdf_paths(self) -> None:
        from generator.output import libreoffice

        soffice = libreoffice()
        if self.quick or soffice is None:
            self.rows.append(("(f) PDF", "—", "—", "快速模式或没有 LibreOffice：跳过"))
            return
        from generator import pdf_service

        env = {**os.environ, "ANNUAL_REPORT_RUNTIME_DIR": str(self.work / "run")}
        try:
            self._pdf_batch(soffice, env)
            self._pdf_single(soffice, env)
        finally:
            pdf_service.stop_all(self.work / "run")

    def _soffice(self, soffice: str, documents: list[Path], outdir: Path) -> None:
        """A plain `soffice --convert-to pdf` of ``documents`` in one call, with its own profile and the fonts map."""
        from generator.output import PDF_FONTS

        profile = self.work / f"profile-{time.monotonic_ns()}"
        env = {**os.environ, "FONTCONFIG_FILE": str(PDF_FONTS)}
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(outdir), *map(str, documents)]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, env=env, timeout=1200)
        shutil.rmtree(profile, ignore_errors=True)

    def _pdf_batch(self, soffice: str, env: dict[str, str]) -> None:
        folder = self.work / "pdf-units"
        sources = [self._synthetic_year(folder / f"u{seed}", 2019, 20, seed) for seed in range(10)]
        build = [*self.command, "build", str(folder), "--force"]

        def ours() -> None:
            self._run([*build, "--pdf"], env)

        def anchor() -> None:  # build, then one soffice converting all ten
            self._run(build, env)
            self._soffice(soffice, [p.with_suffix(".docx") for p in sources], self.work / "pdf-plain")

        times = _interleaved({"ours": ours, "anchor": anchor}, 3)
        for path in sources:
            check_pdf(path.with_suffix(".pdf"))
            check_pdf(self.work / "pdf-plain" / f"{path.stem}.pdf")
        self.record("(f) build 文件夹 --pdf：10 份报告", times["ours"], times["anchor"],
                    "对照：build 加一次 soffice 转全部 10 份；目标 ≤ 1.3×")  # fmt: skip

    def _pdf_single(self, soffice: str, env: dict[str, str]) -> None:
        from generator import pdf_service

        source = self.example
        unit = self.work / "pdf-single"
        unit.mkdir(exist_ok=True)
        out = unit / "2019.docx"
        command = [*self.command, "build", str(source), "-o", str(out), "--force", "--pdf"]
        pdf_service.stop_all(self.work / "run")
        gc.collect()
        started = time.perf_counter()
        self._run(command, env)  # the first: starts the user's converter service and its LibreOffice
        first = time.perf_counter() - started
        check_pdf(out.with_suffix(".pdf"))
        plain_out = self.work / "pdf-plain-one"
        times = _interleaved({"warm": lambda: self._run(command, env),
                              "plain": lambda: self._soffice(soffice, [out], plain_out)}, 5)  # fmt: skip
        pages = check_pdf(out.with_suffix(".pdf"))
        assert pages == check_pdf(plain_out / "2019.pdf"), "warm and plain PDFs differ in pages"
        self.record("(f) build X --pdf，第一次（启动常驻转换服务）", first, None, "")
        self.record("    build X --pdf，再次运行", times["warm"], times["plain"],
                    "对照：一次 soffice --convert-to（不含生成 .docx）；目标 ≤ 1.5 s")  # fmt: skip

    def long_tables_in_libreoffice(self) -> None:
        """LibreOffice opening (and laying out, and exporting) a report with a long extra table: the warm
        converter, so LibreOffice's start is not in the figures."""
        from generator.converter import Converter
        from generator.output import libreoffice

        if self.quick or libreoffice() is None:
            self.rows.append(("(f) LibreOffice 打开长表格", "—", "—", "快速模式或没有 LibreOffice：跳过"))
            return
        office = Converter(timeout=1800, restart_after=1000)
        measured: dict[int, float] = {}
        try:
            base = self._year_with_table(self.work / "long-0", 10)
            office.convert(base, base.with_suffix(".pdf"))  # LibreOffice started before anything is timed
            for rows in (1000, 2000, 4000, 10000):
                document = self._year_with_table(self.work / f"long-{rows}", rows)
                gc.collect()
                started = time.perf_counter()
                way = office.convert(document, document.with_suffix(".pdf"))
                measured[rows] = time.perf_counter() - started
                assert way == "warm", "LibreOffice was not kept running"
                check_pdf(document.with_suffix(".pdf"))
                self.record(f"(f) LibreOffice 打开附加 {rows} 行表格的报告", measured[rows], None,
                            "目标 < 2 分钟" if rows == 10000 else "")  # fmt: skip
        finally:
            office.close()
        self.rows.append(("    4000/2000 行耗时之比", f"{measured[4000] / measured[2000]:.2f}", "—", "目标 ≤ 2.5"))

    def _year_with_table(self, folder: Path, rows: int) -> Path:
        from generator.model import Report
        from generator.writers.yaml_text import yaml_text

        data = _big_data(5)
        table = [[str(i + 1), f"第{i % 37}所", f"事项{i}", str(100 + i)] for i in range(rows)]
        data["tables"] = [{"title": "附表", "columns": ["序号", "单位", "事项", "数量"], "rows": table}]
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / "2023.yaml"
        source.write_text(yaml_text(Report.model_validate(data)), encoding="utf-8")
        result = self.api.build(source, force=True)
        assert result.output is not None
        check_docx(result.output, rows)
        return result.output

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


def _marked(value: Any) -> Any:
    """As the docxtpl script does: every finished table's XML ("body") marked safe, the rest escaped."""
    from markupsafe import Markup

    if isinstance(value, dict):
        return {k: Markup(v) if k == "body" and isinstance(v, str) else _marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v) for v in value]
    return value


def _big_data(rows: int) -> dict[str, Any]:
    return {"organization": {"name": "测试"}, "year": 2023, "headline": "标题",
            "sections": [{"heading": "一", "paragraphs": ["段落"]}],
            "indicators": [{"name": f"指标{i}", "unit": "起", "value": str(i), "previous": str(i + 7)}
                           for i in range(rows)]}  # fmt: skip


STEPS = ("one_report_as_a_process", "many_in_one_process", "big_tables", "big_year", "big_workbook", "memory",
         "pdf_paths", "long_tables_in_libreoffice")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, small sizes (for CI)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--only", nargs="+", choices=STEPS, metavar="STEP", help=f"only these: {', '.join(STEPS)}")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annual-report-bench-") as folder:
        bench = Bench(Path(folder), options.quick)
        for name in options.only or STEPS:
            step = getattr(bench, name)
            step()
            print(f"完成：{step.__name__}", file=sys.stderr, flush=True)
        print(bench.report())
        if options.json:
            options.json.write_text(json.dumps(bench.rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
