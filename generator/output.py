"""Where a report goes, and writing it so that a reader never sees half a file.

The document is written to a temporary file beside the target and renamed over it in one step: on any error,
Ctrl-C or a kill, the earlier report at that path stays as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from generator.errors import Place, Problem, ReportError
from generator.sources.raw import display_name


def output_path(source: Path, requested: Path | None, suffix: str = ".docx") -> Path:
    """Next to the input by default (reports/x/2019.yaml -> reports/x/2019.docx); ``-o`` a file or a folder."""
    try:
        if requested is None:
            target = source.with_suffix(suffix)
        elif requested.is_dir():
            target = requested / (source.stem + suffix)
        else:
            target = requested
        if target.suffix.lower() != suffix:
            raise _refuse(target, f"输出文件的扩展名应为 {suffix}")
        if target.exists() and source.exists() and target.resolve() == source.resolve():
            raise _refuse(target, "输出文件不能是输入文件本身")
        if target.is_dir():
            raise _refuse(target, "输出路径是一个文件夹")
    except OSError as exc:  # a name too long for the file system, a loop of links…: say so, as writing would
        raise _refuse(requested or source, f"无法写入：{_reason(exc)}") from None
    return target


def write_atomically(target: Path, data: bytes) -> None:
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _interrupts_deferred():  # Ctrl-C between creating the file and knowing its name would orphan it
            handle, name = tempfile.mkstemp(prefix=f".~{_short(target.stem)}-", suffix=".tmp", dir=target.parent)
            temporary = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            # mkstemp creates 0600; a report replacing another keeps its permissions, a new one gets the usual.
            os.chmod(temporary, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        with _interrupts_deferred():
            os.replace(temporary, target)
            temporary = None
        _sync_folder(target.parent)
    except PermissionError:
        raise _refuse(target, "没有写入权限；如果文件正在 Word 或 WPS 中打开，请先关闭") from None
    except OSError as exc:
        raise _refuse(target, f"无法写入：{_reason(exc)}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出了磁盘配额",
    errno.EFBIG: "文件超过了系统允许的大小",
    errno.EROFS: "这是只读的磁盘或文件夹",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOENT: "路径不存在",
    errno.ELOOP: "路径中的链接形成了循环",
    errno.EIO: "磁盘读写出错",
}


def _reason(exc: OSError) -> str:
    """Why the system refused, in Chinese; the system's own words for the rare rest."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def _short(stem: str, limit: int = 96) -> str:
    """The report's name in its temporary file's name, cut so that a name near the 255-byte limit still leaves room
    for ``.~`` and ``-XXXXXXXX.tmp``."""
    return stem.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C (SIGINT) waits until the block is done, then acts as it would have. KeyboardInterrupt is only ever
    raised in the main thread, so other threads need nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt here
        elif caught and previous == signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGINT)


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut only once the folder is on disk (POSIX; elsewhere nothing to do)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _refuse(target: Path, message: str) -> ReportError:
    return ReportError(Problem(message, place=Place(display_name(target)), code="output"), kind="output")


# --- PDF through LibreOffice -------------------------------------------------------------------------------------

PDF_FONTS = Path(__file__).resolve().parent / "pdf-fonts.conf"
_SOFFICE_PLACES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
NO_LIBREOFFICE = (
    "要生成 PDF 需要 LibreOffice，但没有找到它（soffice）。请安装 LibreOffice"
    "（Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai"
    " fonts-arphic-uming），"
    "或者不加 --pdf，用 Word/WPS 打开 .docx 后另存为 PDF"
)


def libreoffice() -> str | None:
    """The soffice program, on the PATH or where installers put it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((place for place in _SOFFICE_PLACES if Path(place).is_file()), None)


def require_libreoffice(target: Path) -> str:
    found = libreoffice()
    if found is None:
        raise _refuse(target, NO_LIBREOFFICE)
    return found


def write_pdf(document: Path, target: Path, timeout: int = 300) -> None:
    """Convert ``document`` to ``target`` through LibreOffice, with its own profile (two soffice sharing one
    profile interfere) and a fontconfig file that maps the Windows Chinese font names (仿宋_GB2312, 方正小标宋简体…)
    to installed free fonts, so the PDF shows distinct 宋/黑/楷/仿宋 faces instead of one fallback."""
    soffice = require_libreoffice(target)
    with tempfile.TemporaryDirectory(prefix="annual-report-pdf-") as work:
        profile, outdir = Path(work) / "profile", Path(work) / "out"
        env = dict(os.environ)
        if PDF_FONTS.is_file() and os.name != "nt":
            env["FONTCONFIG_FILE"] = str(PDF_FONTS)
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(outdir), str(document)]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise _refuse(target, f"LibreOffice 转换 PDF 超过 {timeout} 秒仍未完成") from None
        except OSError as exc:
            raise _refuse(target, f"无法启动 LibreOffice：{exc.strerror}") from None
        produced = outdir / (document.stem + ".pdf")
        if not produced.is_file():
            raise _refuse(target, "LibreOffice 没有生成 PDF（Word 文档已生成，可以用 Word/WPS 打开后另存为 PDF）")
        write_atomically(target, produced.read_bytes())
