"""Photos as they go into a report: checked, turned upright, and scaled down when a camera made them huge.

Only the formats a photo comes in are opened (JPEG, PNG, GIF, BMP, TIFF, WebP): Pillow would otherwise recognise
EPS/PostScript and render it by running Ghostscript, a program, with no time limit. Memory is bounded before any
pixel is decoded: a JPEG is decoded at a reduced scale (1/2, 1/4, 1/8) when it is much larger than the report
needs; any other picture whose pixels would take more than MAX_DECODED_BYTES is refused.
"""

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
# The decoded picture in memory, with the copies made to scale it (Pillow keeps colour pixels in 4 bytes): a
# 24-megapixel photo in PNG or TIFF (96 MB) passes, a 59-megapixel RGBA PNG (236 MB, twice to scale it) does not.
# Measured: a picture at the limit peaks at about 260 MB for the whole build.
MAX_DECODED_BYTES = 160 * 1024 * 1024
PHOTO_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP")  # what Pillow may open: none runs a program
_SHOWN_FORMATS = "JPG、PNG、GIF、BMP、TIFF、WebP"
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
            with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as image:
                size = image.size
                if image.width * image.height > MAX_PIXELS:
                    return problem(f"像素过多（{image.width}×{image.height}），请先缩小")
                if image.format in ("JPEG", "MPO") and max(size) > 2 * TARGET_LONG_SIDE:
                    scale = TARGET_LONG_SIDE / max(size)  # decode at 1/2…1/8 scale, still at least this large
                    image.draft(image.mode, (max(1, int(size[0] * scale)), max(1, int(size[1] * scale))))
                needed = image.width * image.height * _bytes_per_pixel(image.mode) * _copies(image)
                if needed > MAX_DECODED_BYTES:
                    return problem(f"像素过多（{size[0]}×{size[1]}，读入要占用约 {needed // 1024 // 1024} MB 内存），"
                                   "请先缩小或另存为 JPG")  # fmt: skip
                image.load()
                return _fit(image, data, size), None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return problem("像素过多（超过 Pillow 的安全上限），请先缩小")
    except UnidentifiedImageError:
        kind = _format_of(data)
        if kind:
            return problem(f"是 {kind} 格式，不能放进报告（支持 {_SHOWN_FORMATS}）；请另存为 JPG 或 PNG")
        return problem("不是可识别的图片（请用 JPG 或 PNG）")
    except MemoryError:
        return problem("过大，读入时内存不足，请先缩小")
    except (OSError, ValueError, SyntaxError):
        return problem("已损坏，无法读取")


def _fit(image: Image.Image, data: bytes, size: tuple[int, int]) -> PreparedPhoto:
    """The original bytes when Word can show them as they are; else upright, at most 1600 px, re-encoded.
    Scaled down first and turned after, so no second full-size copy is ever made."""
    from PIL import Image, ImageOps

    turned = _exif_orientation(image) not in (1, None)
    small = len(data) <= KEEP_BYTES and max(size) <= 2 * TARGET_LONG_SIDE
    if image.format in WORD_FORMATS and small and not turned:
        return PreparedPhoto(data, image.format.lower(), image.width, image.height)
    image.thumbnail((TARGET_LONG_SIDE, TARGET_LONG_SIDE), Image.Resampling.LANCZOS)
    upright = ImageOps.exif_transpose(image)
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


def _bytes_per_pixel(mode: str) -> int:
    """What Pillow keeps per pixel: one byte for grey and palette pictures, two for 16-bit grey, four for the rest."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _copies(image: Image.Image) -> int:
    """Full-size copies at the peak: the picture itself; for a picture with transparency, the copy Pillow scales
    (its colours premultiplied by the alpha); for WebP, the buffer its decoder fills first."""
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return 1 + alpha + (image.format == "WEBP")


def _format_of(data: bytes) -> str | None:
    """What a refused file is, for the message: recognised from its first bytes only (Pillow's own format tests,
    which read and run nothing), so the person knows what to convert."""
    from PIL import Image

    head = data[:16]
    if head.startswith(b"%PDF"):
        return "PDF"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftyphevc"):
        return "HEIC（苹果手机照片）"
    if head.lstrip().startswith((b"<svg", b"<?xml")) or b"<svg" in data[:1024]:
        return "SVG 矢量图"
    Image.init()
    for name, (_, accept) in Image.OPEN.items():
        if name in PHOTO_FORMATS or accept is None:
            continue
        try:
            if accept(head):
                return "EPS/PostScript" if name == "EPS" else name
        except Exception:  # a plugin's test that trips over a short file says nothing
            continue
    return None
