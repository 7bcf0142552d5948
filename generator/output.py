"""Where a report goes, and writing it so that a reader never sees half a file.

The document is written to a temporary file beside the target and renamed over it in one step: on any error,
Ctrl-C or a kill, the earlier report at that path stays as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.errors import Place, Problem, ReportError
from generator.sources.raw import display_name


def output_path(source: Path, requested: Path | None, suffix: str = ".docx") -> Path:
    """Next to the input by default (reports/x/2019.yaml -> reports/x/2019.docx); ``-o`` a file or a folder."""
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
    return target


def write_atomically(target: Path, data: bytes) -> None:
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".~{target.stem}-", suffix=".tmp", dir=target.parent)
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
        os.replace(temporary, target)
        temporary = None
    except PermissionError:
        raise _refuse(target, "没有写入权限；如果文件正在 Word 或 WPS 中打开，请先关闭") from None
    except OSError as exc:
        reason = "磁盘空间不足" if exc.errno == 28 else (exc.strerror or str(exc))
        raise _refuse(target, f"无法写入：{reason}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


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
