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
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from generator.errors import Place, Problem, ReportError
from generator.sources.raw import display_name


def output_path(source: Path, requested: Path | None, suffix: str = ".docx", style: str = "") -> Path:
    """Next to the input by default (reports/x/2019.yaml -> reports/x/2019.docx); ``-o`` a file or a folder.
    ``style`` marks the report of a style other than the default (2019-official.docx), so that two styles of one
    year never overwrite each other."""
    try:
        if requested is None:
            target = source.with_name(source.stem + style + suffix)
        elif requested.is_dir():
            target = requested / (source.stem + style + suffix)
        else:
            target = requested
        if target.suffix.lower() != suffix:
            raise _refuse(target, f"输出文件的扩展名应为 {suffix}")
        if same_file(target, source):
            raise _refuse(target, "输出文件不能是输入文件本身")
        if target.is_dir():
            raise _refuse(target, "输出路径是一个文件夹")
    except OSError as exc:  # a name too long for the file system, a loop of links…: say so, as writing would
        raise _refuse(requested or source, f"无法写入：{_reason(exc)}") from None
    return target


def same_file(one: Path, other: Path) -> bool:
    """Whether two paths are one file: through symbolic links (followed) and hard links (one inode)."""
    try:
        first, second = one.stat(), other.stat()
    except (OSError, ValueError):
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def check_target(target: Path, inputs: dict[Path, str], *, force: bool = False) -> None:
    """Before anything is written: ``target`` may be replaced. Never one of the ``inputs`` this run read (the
    data, the template, a photo, another year's file; the value says what it is), whatever link leads there;
    never a folder, device or pipe; and, unless ``force``, not a document open in Word/WPS/LibreOffice (its lock
    file is beside it) nor a read-only one (a finished report someone protected)."""
    for source, what in inputs.items():
        if same_file(target, source):
            if what == "输入文件":
                raise _refuse(target, "输出文件不能是输入文件本身")
            shown = display_name(source)
            raise _refuse(target, f"输出文件就是这次读取的{what} {shown}：写出会把它覆盖；请换一个输出文件名")
    try:
        info = target.stat()
    except FileNotFoundError:
        return  # nothing there (or a link to nothing, which the new file replaces)
    except OSError as exc:
        raise _refuse(target, f"无法写入：{_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(target, "输出路径是一个文件夹")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(target, "输出路径不是普通文件（而是设备或管道），不能把报告写到这里")
    if force:
        return
    lock = lock_file(target)
    if lock is not None:
        app = _APPLICATION.get(target.suffix.lower(), "Word/WPS")
        raise _refuse(
            target,
            f"请先在 {app} 中关闭 {target.name}：它旁边有锁文件 {lock.name}，说明它正在被打开编辑，"
            "覆盖会丢掉那边的修改；如果确实没有打开（程序意外退出后留下的锁文件），删掉这个锁文件，或加 --force 覆盖",
        )
    if read_only(target, info):
        raise _refuse(target, "这是只读文件，没有覆盖；要覆盖请加 --force，或先取消它的只读属性")


_APPLICATION = {".docx": "Word/WPS", ".xlsx": "Excel/WPS", ".pdf": "LibreOffice/WPS"}


def lock_files(target: Path) -> list[Path]:
    """Where the office suites put the lock file of a document they have open: Microsoft Word ``~$`` + the name,
    its first one or two characters dropped for longer names (as Word does by the name's length); Excel and
    PowerPoint ``~$`` + the whole name; WPS Office the same as Word on Windows and ``.~`` + the name on Linux;
    LibreOffice ``.~lock.`` + the name + ``#``. Beside the path given and, for a link, beside the file it
    leads to (LibreOffice locks the real file)."""
    folders = [target.parent]
    try:
        real = target.resolve()
        if real.parent != target.parent.resolve():
            folders.append(real.parent)
        names = [target.name, real.name] if real.name != target.name else [target.name]
    except (OSError, RuntimeError):
        names = [target.name]
    found = []
    for folder in folders:
        for name in names:
            stem = Path(name).stem
            cut = name[2:] if len(stem) >= 8 else name[1:] if len(stem) == 7 else name
            candidates = dict.fromkeys([f"~${cut}", f"~${name}", f".~{name}", f".~{name[1:]}", f".~{name[2:]}",
                                        f".~lock.{name}#"])  # fmt: skip
            found += [folder / candidate for candidate in candidates]
    return found


def lock_file(target: Path) -> Path | None:
    return next((lock for lock in lock_files(target) if os.path.lexists(lock)), None)


def read_only(target: Path, info: os.stat_result | None = None) -> bool:
    """Marked read-only (no write permission for its owner, as Windows' read-only attribute maps to), or not
    writable by us."""
    info = info or target.stat()
    return not info.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK)


def write_atomically(target: Path, data: bytes) -> None:
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            before = target.stat()
        except FileNotFoundError:
            before = None
        if before is not None and not stat.S_ISREG(before.st_mode):
            raise _refuse(target, "输出路径不是普通文件（而是文件夹、设备或管道），不能写到这里")
        with _interrupts_deferred():  # a stop between creating the file and knowing its name would orphan it
            handle, name = tempfile.mkstemp(prefix=f".~{_short(target.stem)}-", suffix=".tmp", dir=target.parent)
            temporary = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if before is not None:
            # mkstemp creates 0600; a report replacing another keeps its permissions (never writable by all),
            # a new one gets the usual.
            os.chmod(temporary, before.st_mode & 0o777 & ~stat.S_IWOTH)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        with _interrupts_deferred():
            os.replace(temporary, target)
            temporary = None
        sync_folder(target.parent)
    except PermissionError:
        raise _refuse(target, _no_permission(target)) from None
    except OSError as exc:
        raise _refuse(target, f"无法写入：{_reason(exc)}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def _no_permission(target: Path) -> str:
    """Why the system refused: the folder (named), the file itself, or (on Windows) the file is open."""
    folder = target.parent
    while not os.path.isdir(folder) and folder != folder.parent:
        folder = folder.parent  # the folder to be made in: its nearest existing parent is the one refusing
    if not os.access(folder, os.W_OK | os.X_OK):
        shown = "当前文件夹" if display_name(folder) == "." else f"文件夹“{display_name(folder)}”"
        return f"没有写入权限：{shown}是只读的（或不允许您在其中新建文件），报告无法写在这里；请换一个文件夹（-o）"
    if os.path.exists(target) and read_only(target):
        return f"没有写入权限：{target.name} 是只读文件"
    return f"没有写入权限；如果 {target.name} 正在 Word 或 WPS 中打开，请先关闭"


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
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
}


def _reason(exc: OSError) -> str:
    """Why the system refused, in Chinese; the system's own words for the rare rest."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def _short(stem: str, limit: int = 96) -> str:
    """The report's name in its temporary file's name, cut so that a name near the 255-byte limit still leaves room
    for ``.~`` and ``-XXXXXXXX.tmp``."""
    return stem.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C (SIGINT), SIGTERM and SIGHUP wait until the block is done, then act as they would have. Handlers
    only ever run in the main thread, so other threads need nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: caught.append(signum)) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if caught:
            signum, handler = caught[0], previous[caught[0]]
            if callable(handler):
                handler(signum, None)  # Python's own SIGINT handler raises KeyboardInterrupt here; ours the same
            elif handler in (signal.SIG_DFL, None):
                os.kill(os.getpid(), signum)


def sync_folder(folder: Path) -> None:
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
    """Convert ``document`` (already written) to ``target`` through LibreOffice, with its own profile (two soffice
    sharing one profile interfere) and a fontconfig file that maps the Windows Chinese font names (仿宋_GB2312,
    方正小标宋简体…) to installed free fonts, so the PDF shows distinct 宋/黑/楷/仿宋 faces instead of one fallback.
    Whatever goes wrong ends in one message: the PDF was not made, why, and that the .docx was."""
    soffice = libreoffice()
    if soffice is None:
        raise pdf_failure(document, target, NO_LIBREOFFICE)
    with tempfile.TemporaryDirectory(prefix="annual-report-pdf-") as work:
        profile, outdir = Path(work) / "profile", Path(work) / "out"
        env = dict(os.environ)
        if PDF_FONTS.is_file() and os.name != "nt":
            env["FONTCONFIG_FILE"] = str(PDF_FONTS)
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(outdir), str(document.absolute())]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise pdf_failure(document, target, f"LibreOffice 转换超过 {timeout} 秒仍未完成") from None
        except OSError as exc:
            raise pdf_failure(document, target, f"无法启动 LibreOffice（{soffice}）：{_reason(exc)}") from None
        produced = outdir / (document.stem + ".pdf")
        if not produced.is_file():
            raise pdf_failure(document, target, _libreoffice_reason(done))
        try:
            write_atomically(target, produced.read_bytes())
        except ReportError as exc:
            raise pdf_failure(document, target, exc.problems[0].message) from None


def pdf_failure(document: Path, target: Path, reason: str) -> ReportError:
    """The one message for a PDF that was not made: the .docx was written; the PDF was not, and why."""
    message = (
        f"没有生成 PDF：{reason.rstrip('。')}。Word 文档 {display_name(document)} 已经生成，"
        "也可以用 Word/WPS 打开它另存为 PDF"
    )
    return ReportError(Problem(message, place=Place(display_name(target)), code="pdf"), kind="pdf")


_LIBREOFFICE_SAYS = {
    "source file could not be loaded": "LibreOffice 打不开这份文档",
    "no export filter": "LibreOffice 没有可用的 PDF 导出功能（请安装 libreoffice-writer）",
    "please reverify input parameters": "LibreOffice 不接受转换的参数",
    "user installation could not be completed": "LibreOffice 无法建立它的用户配置（临时文件夹可能已满或不可写）",
    "failed to connect to": "LibreOffice 无法连接显示或它的服务",
}


def _libreoffice_reason(done: subprocess.CompletedProcess[bytes]) -> str:
    """Why LibreOffice made no PDF, in Chinese; its own last words, quoted, when they are not known here."""
    errors = (done.stderr or b"").decode("utf-8", "replace")
    said = errors + "\n" + (done.stdout or b"").decode("utf-8", "replace")
    for english, chinese in _LIBREOFFICE_SAYS.items():
        if english in said.lower():
            return chinese
    if done.returncode < 0:
        return f"LibreOffice 意外退出（被信号 {-done.returncode} 终止）"
    lines = [line.strip() for line in errors.splitlines() or said.splitlines()]
    lines = [line for line in lines if line and not line.lower().startswith("warning")]
    quoted = f"，它的提示是“{lines[-1][:200]}”" if lines else ""
    return f"LibreOffice 没有生成 PDF（退出码 {done.returncode}{quoted}）"
