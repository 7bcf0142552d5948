"""Finding a Word template: a built-in style by name, or a .docx a user restyled."""

from __future__ import annotations

import difflib
import io
import stat
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Place, Problem, ReportError
from generator.ooxml import BrokenXML, UnsafeXML
from generator.paths import did_you_mean, nearest
from generator.render.package import audit_template, drop_attached_templates

MAX_TEMPLATE_BYTES = 50 * 1024 * 1024
DEFAULT_TEMPLATE = "newspaper"
BUILTIN_TEMPLATES = {
    "newspaper": "报纸通讯：引题、主题、两栏正文、照片、数说表和荣誉榜",
    "official": "正式工作报告（GB/T 9704 公文格式）：小标宋标题、仿宋正文、一二三级标题、附件表格",
}


@dataclass(frozen=True)
class TemplateSource:
    name: str  # what messages call it: the built-in name or the file path
    data: bytes
    builtin: bool = False  # one of ours, whose output structure the test suite proves
    path: Path | None = None  # the file it was read from: a report must never be written over it
    notes: tuple[str, ...] = ()  # what was changed on the way in (a link to an attached template dropped)


def builtin_dir() -> Path:
    """Installed: the templates ship inside the package. From a checkout: the repository's templates/."""
    packaged = Path(__file__).resolve().parent.parent / "builtin_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def load_template(choice: str | Path | None) -> TemplateSource:
    name = str(choice) if choice is not None else DEFAULT_TEMPLATE
    if name in BUILTIN_TEMPLATES:
        path = builtin_dir() / f"{name}.docx"
        return TemplateSource(name, path.read_bytes(), builtin=True, path=path)
    path = Path(name)
    if path.suffix.lower() != ".docx":
        raise unknown_style(name)
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode) is False and not stat.S_ISDIR(info.st_mode):
            # a named pipe blocks reading for ever, a device (/dev/zero) never ends: refuse before opening
            raise ReportError(Problem("这不是普通文件（而是管道或设备），不是模板", place=Place(name),
                                      code="template-not-file"), kind="template")  # fmt: skip
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise ReportError(
                Problem("模板文件过大（超过 50 MB）", place=Place(name), code="template-too-large"), kind="template"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        hint = did_you_mean(nearest(path, (".docx",)))
        raise ReportError(
            Problem(f"找不到模板文件{hint}", place=Place(name), code="template-not-found"), kind="template"
        ) from None
    except IsADirectoryError:
        raise ReportError(
            Problem("这是一个文件夹，不是模板文件", place=Place(name), code="template-not-file"), kind="template"
        ) from None
    except OSError as exc:
        raise ReportError(
            Problem(f"无法读取模板：{exc.strerror}", place=Place(name), code="template-unreadable"), kind="template"
        ) from None
    data, notes = check_docx_bytes(data, name)
    return TemplateSource(name, data, path=path, notes=notes)


def unknown_style(name: str) -> ReportError:
    """Neither a built-in style nor a .docx: the nearest style name, or the .docx file meant (我局样式 ->
    我局样式.docx)."""
    known = "、".join(BUILTIN_TEMPLATES)
    close = difflib.get_close_matches(name.casefold(), list(BUILTIN_TEMPLATES), n=1, cutoff=0.6)
    options = close or nearest(Path(name), (".docx",))
    message = f"模板“{name}”既不是内置样式（{known}），也不是 .docx 文件{did_you_mean(options)}"
    return ReportError(Problem(message, place=Place(name), code="template-unknown"), kind="template")


def check_docx_bytes(data: bytes, name: str) -> tuple[bytes, tuple[str, ...]]:
    """Refuse what is not a Word 2007+ document before any parser sees it, and what could run code or reach
    outside the document (render/package.py). Returns the template to use (without a link to an attached
    template, if it had one) and notes saying what was dropped."""

    def refuse(message: str, code: str) -> ReportError:
        return ReportError(Problem(message, place=Place(name), code=code), kind="template")

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse("这是旧版 Word（.doc）或加密的文档，请在 Word/WPS 中另存为 .docx", "template-old-format")
    if not data.startswith(b"PK"):
        raise refuse("这不是 .docx 文件（内容不是 Word 文档）", "template-not-docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            total = sum(info.file_size for info in infos)
            if total > 20 * max(len(data), 1024 * 1024) or total > 500 * 1024 * 1024:
                raise refuse("文件解压后异常巨大（可能是压缩炸弹），已拒绝", "template-zip-bomb")
            if "word/document.xml" not in names:
                raise refuse("这不是 Word 文档（缺少正文部分 word/document.xml）", "template-not-docx")
            counts = Counter(n.lower() for n in names)
            twice = sorted({n for n in names if counts[n.lower()] > 1})
            if twice:  # which copy a program reads is its own choice: the one we check may not be the one shown
                raise refuse(f"文件中的部件 {'、'.join(twice[:3])} 出现了两次，文件已损坏", "template-corrupt")
            audit = audit_template(archive, name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError, BrokenXML, UnsafeXML):
        raise refuse("文件已损坏，无法作为 .docx 打开", "template-corrupt") from None
    if audit.problems:
        raise ReportError(audit.problems, kind="template")
    if not audit.attached:
        return data, ()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = drop_attached_templates([(i.filename, archive.read(i)) for i in archive.infolist()], audit.attached)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in entries:
            archive.writestr(part, content)
    targets = "、".join(f"“{rel.target[:80]}”" for rel in audit.attached)
    note = f"{name}：模板附加了外部模板 {targets}（Word 打开报告时会去读取它），生成的报告里已去掉这个链接"
    return out.getvalue(), (note,)
