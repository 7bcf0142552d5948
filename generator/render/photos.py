"""Photos as they go into a report: checked, turned upright, and scaled down when a camera made them huge."""

from __future__ import annotations

import io
import stat
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.errors import Problem
from generator.figures.content import PhotoContent
from generator.paths import did_you_mean, nearest
from generator.sources.raw import display_name

if TYPE_CHECKING:
    from PIL import Image

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_PIXELS = 60_000_000  # refuse decompression bombs long before Pillow's own limit
KEEP_BYTES = 800 * 1024  # a photo this small that Word reads is embedded as it is
TARGET_LONG_SIDE = 1600  # enough for a column 80 mm wide printed at 300 dpi and more
WORD_FORMATS = {"JPEG", "PNG", "GIF", "BMP"}


@dataclass(frozen=True)
class PreparedPhoto:
    data: bytes
    extension: str  # jpeg, png, gif or bmp
    width: int  # pixels, for the aspect ratio
    height: int


def prepare_photo(photo: PhotoContent) -> tuple[PreparedPhoto | None, Problem | None]:
    """The picture's bytes ready to embed, or the problem with it (naming the photos entry)."""
    from PIL import Image, UnidentifiedImageError  # only reports with photos pay for Pillow

    shown = photo.written or photo.file.name  # as the data gives it: photos\2022\会议.jpg

    def problem(message: str) -> tuple[None, Problem]:
        return None, Problem(f"图片“{shown}”{message}", photo.path, code="photo")

    try:
        info = photo.file.stat()
        size = info.st_size
        if stat.S_ISDIR(info.st_mode):
            return problem("是一个文件夹，不是图片")
        if not stat.S_ISREG(info.st_mode):  # a pipe blocks for ever, a device never ends
            return problem("不是普通文件（而是管道或设备），不是图片")
        if size > MAX_FILE_BYTES:
            return problem(f"过大（{size // 1024 // 1024} MB），请先压缩")
        data = photo.file.read_bytes()
    except FileNotFoundError:
        meant = did_you_mean(nearest(photo.file, written=photo.written or None))
        missing = photo.file
        while not missing.parent.is_dir() and missing.parent != missing.parent.parent:
            missing = missing.parent
        where = (
            f"{display_name(missing.parent)} 中没有这个文件"
            if missing == photo.file
            else f"没有文件夹 {display_name(missing)}"
        )
        return problem(f"找不到：{where}（路径相对于数据文件所在的文件夹）{meant}")
    except OSError as exc:
        return problem(f"无法读取：{exc.strerror}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return problem(f"像素过多（{image.width}×{image.height}），请先缩小")
                image.load()
                return _fit(image, data), None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return problem("像素过多（超过 Pillow 的安全上限），请先缩小")
    except UnidentifiedImageError:
        return problem("不是可识别的图片（请用 JPG 或 PNG）")
    except (OSError, ValueError, SyntaxError):
        return problem("已损坏，无法读取")


def _fit(image: Image.Image, data: bytes) -> PreparedPhoto:
    from PIL import Image, ImageOps

    """The original bytes when Word can show them as they are; else upright, at most 1600 px, re-encoded."""
    turned = _exif_orientation(image) not in (1, None)
    small = len(data) <= KEEP_BYTES and max(image.size) <= 2 * TARGET_LONG_SIDE
    if image.format in WORD_FORMATS and small and not turned:
        return PreparedPhoto(data, image.format.lower(), image.width, image.height)
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((TARGET_LONG_SIDE, TARGET_LONG_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if upright.mode in ("RGBA", "LA") or "transparency" in upright.info:
        upright.save(out, "PNG", optimize=True)
        extension = "png"
    else:
        upright.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        extension = "jpeg"
    return PreparedPhoto(out.getvalue(), extension, upright.width, upright.height)


def _exif_orientation(image: Image.Image) -> int | None:
    try:
        return image.getexif().get(0x0112)
    except Exception:  # a broken EXIF block must not stop the report
        return None
