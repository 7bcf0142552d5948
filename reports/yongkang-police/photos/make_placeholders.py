"""Write the placeholder photos of the 2022 example report.

The seed article's photos are not available, so each one is replaced by a plain,
clearly marked placeholder: a muted background, big "示例占位图片" and the caption.
Deterministic (same bytes on every run with the same Pillow and font); writes into
``2022/`` next to this script.

    python reports/yongkang-police/photos/make_placeholders.py
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
OUT = HERE / "2022"
SIZE = (1200, 800)
QUALITY = 80
MAX_BYTES = 120 * 1024

# (file name, caption, background tint) in the order the report shows them.
PHOTOS = [
    ("meeting.jpg", "会议现场", (196, 206, 218)),
    ("dance.jpg", "双人舞《我的警察爸爸》", (220, 204, 204)),
    ("instrumental.jpg", "器乐合奏《男儿当自强》", (204, 218, 204)),
    ("chorus.jpg", "合唱《人民公安向前进》", (220, 214, 196)),
    ("awards.jpg", "表彰先进", (210, 202, 222)),
]

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
]


def find_font() -> str:
    """Path of a font with Chinese glyphs: a known Noto CJK file, else fc-match."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Sans CJK SC:bold"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        found = ""
    if not found or not Path(found).is_file():
        raise SystemExit("找不到中文字体（Noto Sans/Serif CJK），请安装 fonts-noto-cjk")
    return found


def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    # index 2 of the Noto CJK collections is the Simplified Chinese (SC) face
    try:
        return ImageFont.truetype(path, size, index=2)
    except OSError:
        return ImageFont.truetype(path, size)


def centered(draw: ImageDraw.ImageDraw, y: int, text: str, face, fill) -> None:
    left, top, right, _bottom = draw.textbbox((0, 0), text, font=face)
    x = (SIZE[0] - (right - left)) // 2 - left
    draw.text((x, y - top), text, font=face, fill=fill)


def make(caption: str, tint: tuple[int, int, int], font_path: str) -> Image.Image:
    image = Image.new("RGB", SIZE, tint)
    draw = ImageDraw.Draw(image)
    ink = tuple(max(0, c - 130) for c in tint)
    line = tuple(max(0, c - 40) for c in tint)
    # a thin frame and a diagonal cross, the usual "picture goes here" sign
    draw.rectangle((30, 30, SIZE[0] - 31, SIZE[1] - 31), outline=line, width=6)
    draw.line((30, 30, SIZE[0] - 31, SIZE[1] - 31), fill=line, width=3)
    draw.line((30, SIZE[1] - 31, SIZE[0] - 31, 30), fill=line, width=3)
    title = font(font_path, 120)
    sub = font(font_path, 64)
    # a blank band behind the text so the cross does not run through it
    draw.rectangle((120, 240, SIZE[0] - 121, 590), fill=tint)
    centered(draw, 270, "示例占位图片", title, ink)
    centered(draw, 490, caption, sub, ink)
    return image


def main() -> None:
    font_path = find_font()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, caption, tint in PHOTOS:
        target = OUT / name
        make(caption, tint, font_path).save(target, "JPEG", quality=QUALITY, optimize=True)
        size = target.stat().st_size
        if size >= MAX_BYTES:
            raise SystemExit(f"{target}: {size} 字节，超过 {MAX_BYTES}")
        print(f"{target.relative_to(HERE)}  {size // 1024} KB  {caption}")


if __name__ == "__main__":
    main()
