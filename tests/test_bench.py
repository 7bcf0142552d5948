"""The benchmark keeps working (its figures go in the README); it is run in its quick mode, never timed."""

from __future__ import annotations

import subprocess
import sys


def test_benchmark_quick_mode_measures_every_item() -> None:
    done = subprocess.run([sys.executable, "-m", "generator.bench", "--quick"], capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = done.stdout
    for measure in ("(a) 一份报告", "安装后第一次生成", "(b) 20 份报告", "其中只渲染和写出", "build 文件夹",
                    "(c) 1000 行的表格", "(c) 2000 行的表格", "(c) 1000 行的 YAML 数据", "(d) 读取 1000 行",
                    "(e) 一次生成的内存峰值", "(f) PDF", "(f) LibreOffice 打开长表格"):  # fmt: skip
        assert measure in table, table
    assert "Traceback" not in done.stderr


def test_the_benchmark_refuses_to_time_broken_output(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every output it times is checked: a damaged zip, broken XML or missing rows stop it."""
    import io
    import zipfile

    import pytest

    from generator.bench import check_docx

    def docx(body: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("word/document.xml", body)
        return out.getvalue()

    check_docx(docx(b"<w:document xmlns:w='x'><w:tr></w:tr><w:tr/></w:document>"), rows=1)
    for broken, rows in ((docx(b"<w:document xmlns:w='x'><w:p>"), 0),
                         (docx(b"<w:document xmlns:w='x'><w:tr></w:tr></w:document>"), 5),
                         (docx(b"<a/>")[:-30], 0)):  # fmt: skip
        with pytest.raises(Exception):  # noqa: B017  # any failure stops the benchmark
            check_docx(broken, rows)
