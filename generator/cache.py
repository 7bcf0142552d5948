"""A per-user cache of compiled code, so that a single build does not repair and compile the same template, or
compile the same expressions in the data, again (Python's own .pyc files do the same for code).

Two kinds of entries: a prepared template (``*.template``: the repaired Jinja source of each part and its compiled
code), keyed by the template's content together with the versions of Python, Jinja and annual-report and the code
of our sandbox and engine; and the compiled expressions of the data (``*.code``: one text's code, named by a digest
of the text and of what its compiled form depends on, see sandbox.compile_text). Nothing here is required: when the
cache cannot be read or written (a read-only home, ANNUAL_REPORT_CACHE set to an empty value) everything is compiled
each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path | None:
    chosen = os.environ.get("ANNUAL_REPORT_CACHE")
    if chosen is not None:
        return Path(chosen) if chosen else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "annual-report" / "cache" if base else None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "annual-report"


def key(data: bytes) -> str:
    """The template's bytes with everything its compiled form depends on: Python, Jinja, and the code of our
    sandbox and engine (a sandbox that learned a new check must not run code compiled without it)."""
    from generator import sandbox
    from generator.render import engine

    digest = code_digest(sandbox, engine)
    digest.update(b"\0" + data)
    return digest.hexdigest()


def code_digest(*modules: Any) -> Any:
    """A running digest of what compiled code depends on: Python, Jinja, annual-report, and the code of ``modules``."""
    import jinja2

    from generator import __version__

    digest = hashlib.sha256(f"{sys.version}|{jinja2.__version__}|{__version__}".encode())
    for module in modules:
        with contextlib.suppress(OSError):
            digest.update(Path(module.__file__).read_bytes())
    return digest


KEEP = 32  # templates a person uses are few; old entries beyond these go
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a prepared template takes a few hundred KB, a text's code 2 KB


def _private(info: os.stat_result) -> bool:
    """Whether only this user could have written what ``info`` describes: an entry is code that will run (marshal
    is not safe for data from anyone else), so a folder or file another user owns or may write is not trusted."""
    if not hasattr(os, "getuid"):  # Windows: the user's own LOCALAPPDATA
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(entry: str, kind: str = "template") -> dict[Any, Any] | None:
    """The entry, if this user alone wrote it: a planted entry (a cache folder others may write, a file of another
    owner), a pipe or device (which would block or never end), or one too large is no entry."""
    folder = cache_dir()
    if folder is None:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        if not _private(folder.stat()):
            return None
        handle = os.open(folder / f"{entry}.{kind}", flags)
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or not _private(info) or info.st_size > MAX_ENTRY_BYTES:
                return None
            data = stream.read(info.st_size + 1)  # what it holds (a read of the most it may hold allocates that much)
            if len(data) != info.st_size:
                return None  # changed while read
            value = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def store(entry: str, value: dict[Any, Any], kind: str = "template", keep: int | None = KEEP) -> None:
    """Write the entry (atomically); then, with ``keep``, leave only that many of its kind, the newest."""
    folder = cache_dir()
    if folder is None:
        return
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(folder.stat()):
            return  # load would not trust it
        handle, name = tempfile.mkstemp(dir=folder, suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(marshal.dumps(value))
        os.replace(temporary, folder / f"{entry}.{kind}")
        temporary = None
        if keep is not None:
            _prune(folder, kind, keep)
    except (OSError, ValueError):
        pass  # a cache that cannot be written is no cache, not an error
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def prune(kind: str, keep: int) -> None:
    """Leave only the ``keep`` newest entries of ``kind``."""
    folder = cache_dir()
    if folder is not None:
        with contextlib.suppress(OSError):
            _prune(folder, kind, keep)


def _prune(folder: Path, kind: str, keep: int) -> None:
    entries = sorted(folder.glob(f"*.{kind}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()
