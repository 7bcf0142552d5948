"""Where a report goes, and writing it so that a reader never sees half a file.

The document is written to a temporary file beside the target and renamed over it in one step: on any error,
Ctrl-C or a kill, the earlier report at that path stays as it was.
"""

from __future__ import annotations

import contextlib
import os
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
