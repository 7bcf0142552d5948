"""Where documents go: never over an input, an open or read-only report, or a device (the tests below, through the
installed command); and every .docx and .xlsx the tool wrote during this test session is a valid document that
LibreOffice opens (the last test).

How every document is found: tests/fixtures/ledger records a copy of each document at the moment the tool
publishes it (its one way of writing a file, a temporary file renamed onto the target), both in this process and in
every ``annual-report`` command the tests start, and every workbook the writer hands to a test as bytes. The test
below runs after all others (``last`` marker, see conftest.py) and checks each distinct document: a sound zip,
every XML part well formed and free of DOCTYPE declarations (the whole part, whatever its encoding), content types
for every part, relationships that resolve with unique ids, every relationship id a part uses defined, no
relationship leaving the file but hyperlinks to web pages and mail, no macros, a report's main part the plain Word
document type, no formula in any workbook (embedded chart workbooks included), unique drawing ids, python-docx /
openpyxl open it; then LibreOffice opens them all in one batch and must show each document's first line of text.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import api
from tests.conftest import SLOW, ledger_folder
from tests.fixtures.bad_inputs import YEAR
from tests.fixtures.ledger import document_ledger
from tests.helpers import check_document, command, docx_lines, environment, installed_builtin_dir, libreoffice_opens
from tests.test_input import MINIMAL

# Unit tests of the atomic writer publish placeholder bytes (b"new") under a .docx name: not documents.
PLACEHOLDER_WRITES = {"tests/test_safety.py::test_atomic_write_replaces_in_one_step_and_keeps_permissions"}
# LibreOffice needs minutes to lay out a report whose summary table has 10,000 rows (4-5 minutes for the
# corpus's 10,000-indicator report, LibreOffice 7.x); those are checked in full by every other means each run, and
# opened in LibreOffice in the slow profile.
LARGE_BODY = 4 * 1024 * 1024  # bytes of word/document.xml


# --- where a report may go (issue 9 point 4, issue 10 "lost data") ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
EARLIER = YEAR.replace("县公安局工作综述", "去年的报告")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, preexec: Callable[[], None] | None = None
        ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run([command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=env or environment(), preexec_fn=preexec, check=False)  # fmt: skip


def digest(folder: Path) -> dict[str, str]:
    """Every entry below ``folder`` without following links: what it holds, or where a link points."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest() + oct(path.stat().st_mode)
        else:
            found[key] = "folder"
    return found


@pytest.fixture
def year(tmp_path: Path) -> Path:
    """A folder with this year's data and an earlier report at 2023.docx (built from other data)."""
    folder = tmp_path / "科室 数据"
    folder.mkdir()
    (folder / "earlier.yaml").write_text(EARLIER, encoding="utf-8")
    assert run("build", "earlier.yaml", "-o", "2023.docx", cwd=folder).returncode == 0
    (folder / "earlier.yaml").unlink()
    (folder / "2023.yaml").write_text(YEAR, encoding="utf-8")
    return folder


def refused_and_untouched(folder: Path, args: list[str], *expected: str, **kwargs: object) -> None:
    before = digest(folder)
    done = run(*args, cwd=folder, **kwargs)  # type: ignore[arg-type]
    assert done.returncode == 1, done.stdout + done.stderr
    for text in expected:
        assert text in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "已生成" not in done.stdout
    assert digest(folder) == before, "a refused command changed files"


# Lock files each office suite writes beside a document it has open (checked against LibreOffice's own code for
# Word's rule: the stem's length decides how many leading characters the ~$ replaces).
LOCKS = [
    ("2023.docx", "~$2023.docx"),  # Word, WPS on Windows: a short name in full
    ("报告.docx", "~$报告.docx"),
    ("年度工作综述.docx", "~$年度工作综述.docx"),  # six characters: still in full
    ("局2023年度.docx", "~$2023年度.docx"),  # seven: the first character replaced
    ("2023年度工作报告.docx", "~$23年度工作报告.docx"),  # eight and more: the first two
    ("2023.docx", ".~lock.2023.docx#"),  # LibreOffice
    ("年度报告.docx", ".~lock.年度报告.docx#"),
    ("2023.docx", ".~2023.docx"),  # WPS on Linux
    ("2023年度工作报告.docx", ".~23年度工作报告.docx"),
]


@pytest.mark.parametrize(("report", "lock"), LOCKS, ids=[lock for _, lock in LOCKS])
def test_a_report_open_in_word_wps_or_libreoffice_is_not_overwritten(year: Path, report: str, lock: str) -> None:
    if report != "2023.docx":
        shutil.copy(year / "2023.docx", year / report)
    (year / lock).write_bytes(b"\x05owner")
    args = ["build", "2023.yaml", "-o", report]
    refused_and_untouched(year, args, f"请先在 Word/WPS 中关闭 {report}", lock, "--force")
    done = run("build", "2023.yaml", "-o", report, "--force", cwd=year)
    assert done.returncode == 0, done.stderr
    assert "县公安局工作综述" in docx_lines(year / report)


def test_the_lock_beside_the_real_file_counts_for_a_link(year: Path) -> None:
    (year / "定稿").mkdir()
    shutil.move(year / "2023.docx", year / "定稿" / "2023.docx")
    (year / "报告.docx").symlink_to("定稿/2023.docx")
    (year / "定稿" / ".~lock.2023.docx#").write_text("someone,on,a-pc;", encoding="utf-8")
    refused_and_untouched(year, ["build", "2023.yaml", "-o", "报告.docx"], "请先在 Word/WPS 中关闭 报告.docx")


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555, 0o440])
def test_a_read_only_report_is_not_overwritten_unless_forced(year: Path, mode: int) -> None:
    (year / "2023.docx").chmod(mode)
    refused_and_untouched(year, ["build", "2023.yaml"], "2023.docx：这是只读文件", "--force")
    done = run("build", "2023.yaml", "--force", cwd=year)
    assert done.returncode == 0, done.stderr
    assert "县公安局工作综述" in docx_lines(year / "2023.docx")
    assert stat.S_IMODE((year / "2023.docx").stat().st_mode) == mode  # still protected as it was


def _as_ordinary_user() -> None:
    from tests.test_corpus import _without_root_override

    _without_root_override()


@pytest.mark.parametrize("target", ["定稿/2023.docx", "定稿/新文件夹/2023.docx"])
def test_a_read_only_folder_is_named_as_the_cause(year: Path, target: str) -> None:
    (year / "定稿").mkdir()
    (year / "定稿").chmod(0o555)
    try:
        refused_and_untouched(
            year, ["build", "2023.yaml", "-o", target], "文件夹“定稿”是只读的", preexec=_as_ordinary_user
        )
        done = run("build", "2023.yaml", "-o", target, cwd=year, preexec=_as_ordinary_user)
        assert "Word" not in done.stderr  # not "the file may be open"
    finally:
        (year / "定稿").chmod(0o755)


def _link(kind: str, folder: Path, name: str, to: Path) -> None:
    if kind == "symlink":
        (folder / name).symlink_to(os.path.relpath(to, folder))
    else:
        os.link(to, folder / name)


_READ = [
    ("template", ["build", "2023.yaml", "-t", "我局样式.docx", "-o", "报告.docx"], "模板 我局样式.docx"),
    ("data", ["build", "2023.yaml", "-o", "报告.docx"], "输入文件本身"),
    ("last-year", ["build", "2023.yaml", "-o", "报告.docx"], "2022年的数据文件 2022.yaml"),
    ("photo", ["build", "2023.yaml", "-o", "报告.docx"], "照片 photos/会议.jpg"),
    ("builtin", ["build", "2023.yaml", "-o", "报告.docx"], "内置模板"),
    ("pdf-data", ["build", "2023.yaml", "--pdf"], "2023.pdf：输出文件不能是输入文件本身"),
]


# A hard link into the installed package is not something a test makes (it may be on another file system).
@pytest.mark.parametrize(
    ("kind", "what", "args", "said"),
    [(kind, *case) for kind in ("symlink", "hardlink") for case in _READ if (kind, case[0]) != ("hardlink", "builtin")],
)
def test_a_report_is_never_written_over_anything_the_build_read(
    year: Path, kind: str, what: str, args: list[str], said: str
) -> None:
    from tests.fixtures.bad_inputs import _jpeg

    shutil.copy(ROOT / "templates" / "official.docx", year / "我局样式.docx")
    (year / "2022.yaml").write_text(YEAR.replace("year: 2023", "year: 2022"), encoding="utf-8")
    (year / "photos").mkdir()
    (year / "photos" / "会议.jpg").write_bytes(_jpeg())
    with open(year / "2023.yaml", "a", encoding="utf-8") as data:
        data.write("photos:\n  - {file: photos/会议.jpg, caption: 会议现场}\n")
    (year / "2023.yaml").write_text((year / "2023.yaml").read_text(encoding="utf-8").replace(", previous: 150", ""))
    source = {"template": year / "我局样式.docx", "data": year / "2023.yaml", "last-year": year / "2022.yaml",
              "photo": year / "photos" / "会议.jpg", "builtin": installed_builtin_dir() / "newspaper.docx",
              "pdf-data": year / "2023.yaml"}[what]  # fmt: skip
    name = "2023.pdf" if what == "pdf-data" else "报告.docx"
    _link(kind, year, name, source)
    before = source.read_bytes()
    refused_and_untouched(year, args, said, env=_fake_soffice(year.parent, "works"))
    assert source.read_bytes() == before


@pytest.mark.parametrize("how", ["-o", "default name", "folder"])
def test_the_template_survives_the_issues_examples(year: Path, how: str) -> None:
    """build 2023.yaml -t 我局样式.docx -o 我局样式.docx; template copy official 2023.docx, then build with
    -t 2023.docx and the default name (which is now 2023-2023.docx); -o into the template's own folder."""
    (year / "2023.docx").unlink()
    done = run("template", "copy", "official", "2023.docx", cwd=year)
    assert done.returncode == 0, done.stderr
    template = (year / "2023.docx").read_bytes()
    if how == "-o":
        refused_and_untouched(year, ["build", "2023.yaml", "-t", "2023.docx", "-o", "2023.docx"], "模板 2023.docx")
        return
    done = run("build", "2023.yaml", "-t", "2023.docx", *(["-o", "."] if how == "folder" else []), cwd=year)
    assert done.returncode == 0, done.stderr
    assert "已生成 2023-2023.docx" in done.stdout
    assert (year / "2023.docx").read_bytes() == template


@pytest.mark.parametrize(
    ("setup", "said"),
    [
        ("folder", "2023.pdf：输出路径是一个文件夹"),
        ("read-only", "2023.pdf：这是只读文件"),
        ("device", "2023.pdf：输出路径不是普通文件"),
        ("lock", "请先在 LibreOffice/WPS 中关闭 2023.pdf"),
    ],
)
def test_a_pdf_target_that_cannot_be_written_is_found_before_anything_is_written(
    year: Path, setup: str, said: str
) -> None:
    pdf = year / "2023.pdf"
    if setup == "folder":
        pdf.mkdir()
    elif setup == "read-only":
        pdf.write_bytes(b"%PDF-1.4 earlier")
        pdf.chmod(0o444)
    elif setup == "device":
        pdf.symlink_to("/dev/null")
    else:
        pdf.write_bytes(b"%PDF-1.4 earlier")
        (year / ".~lock.2023.pdf#").write_text("x", encoding="utf-8")
    refused_and_untouched(year, ["build", "2023.yaml", "--pdf"], said, env=_fake_soffice(year.parent, "works"))


# Stand-ins for LibreOffice on the PATH: each fails as LibreOffice can, or works (writes a small PDF).
FAKE_SOFFICE = {
    "works": 'for a; do case "$prev" in --outdir) out="$a";; esac; prev="$a"; doc="$a"; done\n'
    'mkdir -p "$out"; n="${doc##*/}"; printf "%%PDF-1.4 fake" > "$out/${n%.*}.pdf"',
    "cannot-load": 'echo "Error: source file could not be loaded" >&2; exit 0',
    "crashes": "kill -SEGV $$",
    "odd": 'echo "javaldx: Could not find a Java Runtime Environment!"; echo "unexpected happening" >&2; exit 3',
    "cannot-start": "",  # its interpreter is missing: the system cannot run it
}
LIBREOFFICE_SAID = {
    "cannot-load": "LibreOffice 打不开这份文档",
    "crashes": "LibreOffice 意外退出（被信号 11 终止）",
    "odd": "LibreOffice 没有生成 PDF（退出码 3，它的提示是“unexpected happening”）",
    "cannot-start": "无法启动 LibreOffice（",
}


def _fake_soffice(where: Path, behaviour: str) -> dict[str, str]:
    folder = where / f"soffice-{behaviour}"
    folder.mkdir(exist_ok=True)
    program = folder / "soffice"
    shell = "#!/nonexistent/sh\n" if behaviour == "cannot-start" else "#!/bin/sh\n"
    program.write_text(shell + FAKE_SOFFICE[behaviour] + "\n", encoding="utf-8")
    program.chmod(0o755)
    env = environment()
    env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.parametrize("behaviour", sorted(LIBREOFFICE_SAID))
def test_a_failed_pdf_says_the_docx_was_written_the_pdf_was_not_and_why(year: Path, behaviour: str) -> None:
    env = _fake_soffice(year.parent, behaviour)
    done = run("build", "2023.yaml", "--pdf", cwd=year, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "已生成 2023.docx" in done.stdout  # true: the report is there
    assert "县公安局工作综述" in docx_lines(year / "2023.docx")
    assert f"2023.pdf：没有生成 PDF：{LIBREOFFICE_SAID[behaviour]}" in done.stderr, done.stderr
    assert "。Word 文档 2023.docx 已经生成，也可以用 Word/WPS 打开它另存为 PDF" in done.stderr
    assert "没有写出任何文件" not in done.stderr and "Traceback" not in done.stderr
    assert not (year / "2023.pdf").exists()
    assert [p.name for p in year.iterdir() if p.name.startswith(".~")] == []


def test_a_pdf_that_works_is_written_beside_the_report(year: Path) -> None:
    done = run("build", "2023.yaml", "--pdf", "-t", "official", cwd=year, env=_fake_soffice(year.parent, "works"))
    assert done.returncode == 0, done.stderr
    assert "已生成 2023-official.pdf" in done.stdout
    assert (year / "2023-official.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    "args",
    [["build", "2023.yaml", "-o", "链接.docx"], ["convert", "2023.yaml", "链接.xlsx", "--force"],
     ["new-year", "2023.yaml", "-o", "链接.yaml", "--force"], ["template", "copy", "official", "链接.docx", "--force"]],
)  # fmt: skip
@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_link_to_a_device_is_refused_and_no_file_is_left_writable_by_all(
    year: Path, args: list[str], device: str
) -> None:
    (year / args[-2 if args[-1] == "--force" else -1]).symlink_to(device)
    mode = os.stat(device).st_mode
    refused_and_untouched(year, args, "不是普通文件")
    assert os.stat(device).st_mode == mode
    assert not [p for p in year.rglob("*") if not p.is_symlink() and p.stat().st_mode & stat.S_IWOTH]


@pytest.mark.parametrize(
    ("kind", "args", "name", "said"),
    [
        (kind, *case)
        for kind in ("symlink", "hardlink")
        for case in (
            (["convert", "2023.yaml", "副本.yaml", "--force"], "副本.yaml", "输入文件本身"),
            (["new-year", "2022.yaml", "-o", "2023.yaml", "--force"], "2023.yaml", "输入文件本身"),
            (["template", "copy", "official", "我的.docx", "--force"], "我的.docx", "内置模板"),
        )
        if (kind, case[0][0]) != ("hardlink", "template")  # see above: no hard link into the package
    ],
)
def test_convert_new_year_and_template_copy_never_write_over_their_input(
    year: Path, kind: str, args: list[str], name: str, said: str
) -> None:

    (year / "2022.yaml").write_text(YEAR.replace("year: 2023", "year: 2022"), encoding="utf-8")
    if name == "2023.yaml":
        (year / "2023.yaml").unlink()
    source = {"convert": year / "2023.yaml", "new-year": year / "2022.yaml",
              "template": installed_builtin_dir() / "official.docx"}[args[0]]  # fmt: skip
    _link(kind, year, name, source)
    before = source.read_bytes()
    refused_and_untouched(year, args, said)
    assert source.read_bytes() == before


def _test_of(entry: dict[str, str]) -> str:
    return entry.get("test", "").split(" (")[0]


def _large(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(i.filename == "word/document.xml" and i.file_size > LARGE_BODY for i in archive.infolist())


@pytest.mark.last
def test_every_document_the_suite_produced_is_valid(tmp_path: Path, soffice: str) -> None:
    folder = ledger_folder()
    # The ledger itself must work, in this process and in a command, or this test would prove nothing.
    source = tmp_path / "2023.yaml"
    source.write_text(MINIMAL, encoding="utf-8")
    api.build(source, output=tmp_path / "in-process.docx")
    command = shutil.which("annual-report")
    assert command, "the annual-report command is not installed"
    done = subprocess.run([command, "build", "2023.yaml", "-o", "by-command.docx"], cwd=tmp_path, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    entries = document_ledger.entries(folder)
    targets = {Path(e["target"]).name for e in entries if "target" in e}
    assert {"in-process.docx", "by-command.docx"} <= targets, "the ledger does not record documents"
    assert not [e for e in entries if "error" in e], [e for e in entries if "error" in e]

    by_hash: dict[str, tuple[Path, dict[str, str]]] = {}
    for entry in entries:
        if _test_of(entry) in PLACEHOLDER_WRITES or _test_of(entry) in document_ledger.KNOWN_BUGS:
            continue
        copy = folder / entry["copy"]
        by_hash.setdefault(hashlib.sha256(copy.read_bytes()).hexdigest(), (copy, entry))
    failures = []
    to_open = []
    for copy, entry in by_hash.values():
        data = copy.read_bytes()
        try:
            check_document(data)
        except Exception as exc:
            kept = tmp_path / "broken" / copy.name  # the ledger goes with the session: keep the evidence here
            kept.parent.mkdir(exist_ok=True)
            kept.write_bytes(data)
            failures.append(f"{entry['target']} (from {_test_of(entry)}, kept as {kept}): {type(exc).__name__}: {exc}")
            continue
        if SLOW or not _large(data):
            to_open.append(copy)
    opened = libreoffice_opens(soffice, to_open, tmp_path / "libreoffice")
    for copy, problem in opened.items():
        entry = next(e for c, e in by_hash.values() if c == copy)
        failures.append(f"{entry['target']} (from {_test_of(entry)}): {problem}")
    assert not failures, f"{len(failures)} of {len(by_hash)} documents are broken:\n" + "\n".join(failures)
    print(f"{len(by_hash)} distinct documents checked, {len(to_open)} opened in LibreOffice")
