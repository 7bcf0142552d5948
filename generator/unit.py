"""A unit's folder of year files (reports/<unit>/2019.yaml, 2020.xlsx …) as the web page shows and changes it:
which years there are, which reports were built from them, and putting a new file in place of a year's file
with the one it replaces kept beside it under a dated name.

A new file reaches the folder in one rename, and the replaced one is linked to its dated name before that: at
every moment the year has one complete file, and nothing is ever lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from generator.errors import Place, Problem, ReportError
from generator.history import YEAR_FILE
from generator.output import sync_folder

TEMPLATE_FOLDER = "模板"  # a unit's own Word templates, uploaded from the page: <unit>/模板/我局样式.docx
REPORT_FILE = re.compile(r"(\d{4})(?:-(.+))?\.docx", re.IGNORECASE)  # 2019.docx, 2019-official.docx …
KEPT_MARK = "替换前"
KEPT_FILE = re.compile(r"(.+)（(.+) " + KEPT_MARK + r"）(\.[A-Za-z]+)")
STAGED_PREFIX = ".~annual-report-upload-"  # hidden, and no year file's name: history and folder builds skip it
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileInfo:
    name: str
    size: int
    modified: float  # seconds since the epoch

    @classmethod
    def of(cls, path: Path) -> FileInfo:
        info = path.stat()
        return cls(path.name, info.st_size, info.st_mtime)


@dataclass(frozen=True)
class ReportFiles:
    """A report built from a year's data, and its PDF when there is one."""

    docx: FileInfo
    style: str  # what the name carries after the year: "" (the default style), "official", a template's name
    pdf: FileInfo | None = None


@dataclass
class YearFiles:
    year: int
    data: list[Path]  # normally one; two (2019.yaml and 2019.xlsx) is a clash the page points out
    reports: list[ReportFiles] = field(default_factory=list)
    kept: list[FileInfo] = field(default_factory=list)  # earlier files of this year, newest first


def _regular(path: Path) -> bool:
    """A plain file whose real place is in the folder it is listed in: a link to elsewhere is never offered."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return path.is_file() and path.resolve().parent == path.parent.resolve()
        return stat.S_ISREG(info.st_mode)
    except OSError:
        return False


def _listing(folder: Path) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [p for p in entries if not p.name.startswith((".", "~$")) and _regular(p)]


def year_files(folder: Path) -> dict[int, YearFiles]:
    """The years of the unit in ``folder`` (its top level, as history reads it), oldest first."""
    years: dict[int, YearFiles] = {}
    entries = _listing(folder)
    for path in entries:
        found = YEAR_FILE.fullmatch(path.name)
        if found:
            years.setdefault(int(found.group(1)), YearFiles(int(found.group(1)), [])).data.append(path)
    pdfs = {p.name.lower(): p for p in entries if p.suffix.lower() == ".pdf"}
    for path in entries:
        found = REPORT_FILE.fullmatch(path.name)
        if found and int(found.group(1)) in years:
            pdf = pdfs.get(path.with_suffix(".pdf").name.lower())
            reports = years[int(found.group(1))].reports
            reports.append(ReportFiles(FileInfo.of(path), found.group(2) or "", FileInfo.of(pdf) if pdf else None))
        kept = KEPT_FILE.fullmatch(path.name)
        if kept and YEAR_FILE.fullmatch(kept.group(1) + kept.group(3)) and int(kept.group(1)) in years:
            years[int(kept.group(1))].kept.append(FileInfo.of(path))
    for each in years.values():
        each.reports.sort(key=lambda r: -r.docx.modified)
        each.kept.sort(key=lambda f: -f.modified)
    return dict(sorted(years.items()))


def templates(folder: Path) -> list[Path]:
    """The unit's own templates, by name."""
    return [
        p for p in _listing(folder / TEMPLATE_FOLDER) if p.suffix.lower() == ".docx" and not KEPT_FILE.fullmatch(p.name)
    ]


def year_signature(folder: Path, year: int) -> tuple[tuple[str, int, int], ...]:
    """What checking ``year`` depends on, cheaply: the data files of that year and the years before it (上年 and
    trends read them) and the folders beside them (photos), by name, size and time; any change is seen at once."""
    marks = []
    with contextlib.suppress(OSError):
        for path in sorted(folder.iterdir()):
            found = YEAR_FILE.fullmatch(path.name)
            if (found and int(found.group(1)) <= year) or (path.is_dir() and not path.name.startswith(".")):
                with contextlib.suppress(OSError):
                    info = path.stat()
                    marks.append((path.name, info.st_size, info.st_mtime_ns))
    return tuple(marks)


def fingerprint(paths: list[Path]) -> str:
    """The contents of ``paths``, in one short text: what a person saw when asked whether to replace them."""
    import hashlib  # only the page stores files: the commands do not pay for it

    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode("utf-8") + b"\0")
        with contextlib.suppress(OSError), open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()[:32]


# --- uploads -----------------------------------------------------------------------------------------------------


def stage(folder: Path, stream: BinaryIO, suffix: str, limit: int = MAX_UPLOAD_BYTES) -> Path:
    """An uploaded file, copied into a hidden file of the folder (where it is checked beside the other years, and
    from where it is stored in one rename). Its name is ours: the name it was uploaded with is never a path."""
    handle, name = tempfile.mkstemp(prefix=STAGED_PREFIX, suffix=suffix, dir=folder)
    staged = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            copied = 0
            for block in iter(lambda: stream.read(1 << 20), b""):
                copied += len(block)
                if copied > limit:
                    megabytes = limit // 1024 // 1024
                    message = f"文件超过 {megabytes} MB，不是一年的数据；请检查选择的文件"
                    raise ReportError(Problem(message, code="too-large"))
                out.write(block)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def sweep_staged(folder: Path, older_than: float = 24 * 3600) -> None:
    """Uploads that were never stored (the page was closed, the server stopped): removed after a day."""
    now = time.time()
    with contextlib.suppress(OSError):
        for path in folder.glob(STAGED_PREFIX + "*"):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > older_than:
                    path.unlink()


@dataclass
class Stored:
    path: Path | None  # where the new file is now; None when the files changed since the person was asked
    kept: list[Path] = field(default_factory=list)  # the files it replaced, under their dated names
    replaced: list[Path] = field(default_factory=list)  # their names before
    current: str = ""  # fingerprint of what is there now (to ask again with)


def store(staged: Path, target: Path, replacing: list[Path], expected: str | None) -> Stored:
    """Put ``staged`` at ``target`` in place of ``replacing`` (the files it supersedes: the year's data files, or
    a template of the same name), keeping each under a dated name beside it. ``expected`` is the fingerprint of
    ``replacing`` the person agreed to replace; if they changed since (someone else stored a file), nothing is done
    and the new fingerprint is returned to ask again."""
    replacing = [p for p in replacing if os.path.lexists(p)]
    current = fingerprint(replacing) if replacing else ""
    if replacing and expected != current:
        return Stored(None, current=current)
    now = dt.datetime.now()
    kept = []
    for old in replacing:
        copy = _kept_name(old, now)
        try:
            os.link(old, copy)  # the same file under a second name: instant, and no moment without it
        except OSError:  # a file system without hard links (FAT on a USB stick)
            shutil.copy2(old, copy)
        kept.append(copy)
    _make_readable(staged)
    os.replace(staged, target)
    for old in replacing:
        if not _same_file(old, target):  # 2019.yaml replaced by 2019.xlsx; never 2019.XLSX on Windows
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
    sync_folder(target.parent)  # the rename survives a power cut
    return Stored(target, kept, replacing, fingerprint([target]))


def _kept_name(path: Path, when: dt.datetime) -> Path:
    stamp = when.strftime("%Y-%m-%d %H.%M.%S")
    for n in range(1, 1000):
        extra = f"-{n}" if n > 1 else ""
        candidate = path.with_name(f"{path.stem}（{stamp}{extra} {KEPT_MARK}）{path.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise ReportError(Problem("无法为原文件取一个保留用的名字", place=Place(path.name), code="output"), kind="output")


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _make_readable(path: Path) -> None:
    """mkstemp makes files only their owner can read; a stored file gets the usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~umask)


def safe_stem(name: str, fallback: str, limit: int = 40) -> str:
    """A file name's stem made fit to name a file of ours: letters (any script), digits, - and _ only. The
    uploaded name is only ever read for this, never used as a path."""
    stem = re.split(r"[\\/]", name)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    cleaned = "".join(ch for ch in stem if ch.isalnum() or ch in "-_")[:limit]
    if not cleaned or cleaned.isdigit():  # a template named 2019 would look like a year's report
        return fallback
    return cleaned


def shown_name(name: str | None, limit: int = 80) -> str:
    """The name a file was uploaded with, for showing only: its last part, no control characters, not too long."""
    last = re.split(r"[\\/]", name or "")[-1]
    last = "".join(ch for ch in last if ch.isprintable())
    return last[:limit] or "上传的文件"
