"""Photos: checked, named in errors by their entry, and scaled down before they are embedded."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from generator import api
from generator.errors import ReportError
from tests.test_input import MINIMAL, write


def with_photo(tmp_path: Path, file: str) -> Path:
    return write(tmp_path, MINIMAL + f"photos:\n  - {{file: {file}, caption: 会议现场}}\n")


def embedded_images(docx: Path) -> list[Image.Image]:
    with zipfile.ZipFile(docx) as archive:
        return [Image.open(io.BytesIO(archive.read(n))) for n in archive.namelist() if n.startswith("word/media/")]


def test_a_camera_sized_photo_is_scaled_down(tmp_path: Path) -> None:
    big = Image.effect_noise((6000, 4000), 64).convert("RGB")
    big.save(tmp_path / "big.jpg", quality=95)
    assert (tmp_path / "big.jpg").stat().st_size > 3_000_000
    result = api.build(with_photo(tmp_path, "big.jpg"))
    (image,) = embedded_images(result.output)
    assert max(image.size) == 1600
    assert result.output.stat().st_size < 1_500_000


def test_a_small_photo_is_embedded_as_it_is(tmp_path: Path) -> None:
    Image.new("RGBA", (400, 300), (200, 0, 0, 128)).save(tmp_path / "small.png")
    result = api.build(with_photo(tmp_path, "small.png"))
    (image,) = embedded_images(result.output)
    assert image.format == "PNG" and image.size == (400, 300)


def test_a_photo_in_a_format_word_cannot_show_is_converted(tmp_path: Path) -> None:
    Image.new("RGB", (300, 200), (0, 90, 0)).save(tmp_path / "photo.webp")
    result = api.build(with_photo(tmp_path, "photo.webp"))
    (image,) = embedded_images(result.output)
    assert image.format == "JPEG"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.jpg", None, "找不到"),
        ("fake.jpg", b"this is text, not a picture", "不是可识别的图片"),
        ("truncated.jpg", "truncate", "已损坏"),
        ("folder.jpg", "dir", "文件夹"),
    ],
)
def test_bad_photos_name_their_entry(tmp_path: Path, name: str, content: object, expected: str) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content == "truncate":
        buffer = io.BytesIO()
        Image.effect_noise((400, 300), 50).convert("RGB").save(buffer, "JPEG")
        path.write_bytes(buffer.getvalue()[:2000])
    elif isinstance(content, bytes):
        path.write_bytes(content)
    source = with_photo(tmp_path, name)
    with pytest.raises(ReportError) as caught:
        api.build(source)
    (problem,) = caught.value.problems
    assert "2023.yaml:11" in str(problem) and "photos[0].file" in str(problem) and expected in str(problem)
    assert not (tmp_path / "2023.docx").exists()


# --- issue 10: only photo formats are opened, and a picture's decoded size is bounded before decoding ------------

from tests.fixtures import corpus_package as package  # noqa: E402

FORMAT_WORDS = {"会议.jpg": "EPS", "现场.png": "EPS", "表彰.eps": "EPS", "图.jpg": "PDF", "标志.png": "SVG",
                "手机.jpg": "HEIC", "图标.ico": "ICO", "扫描.pcx": "PCX"}  # fmt: skip


@pytest.mark.parametrize("name", package.NOT_PHOTO_NAMES)
def test_a_file_in_a_format_that_is_no_photo_is_refused_by_name_without_running_anything(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EPS and PostScript would make Pillow start Ghostscript: no program may be started, whatever is installed."""
    import subprocess

    from PIL import EpsImagePlugin

    started: list[object] = []

    def no_programs(*args: object, **kwargs: object) -> None:
        started.append(args)
        raise OSError("no program may run while a report is built")

    monkeypatch.setattr(EpsImagePlugin, "gs_binary", "gs", raising=False)  # as if Ghostscript were installed
    monkeypatch.setattr(EpsImagePlugin, "has_ghostscript", lambda: True, raising=False)
    monkeypatch.setattr(subprocess, "Popen", no_programs)
    (tmp_path / name).write_bytes(package.not_photo(name))
    with pytest.raises(ReportError) as caught:
        api.build(with_photo(tmp_path, name))
    (problem,) = caught.value.problems
    message = str(problem)
    assert "photos[0].file" in message and "2023.yaml:11" in message
    assert FORMAT_WORDS[name] in message and "格式" in message and "JPG" in message, message
    assert started == []
    assert not (tmp_path / "2023.docx").exists()


@pytest.mark.parametrize(
    ("name", "make", "outcome"), package.BIG_PICTURES, ids=[name for name, _, _ in package.BIG_PICTURES]
)
def test_a_large_picture_is_decoded_small_or_refused_before_decoding(
    tmp_path: Path, name: str, make: object, outcome: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    from generator.render import photos

    decoded: list[tuple[str, tuple[int, int]]] = []
    real_load = Image.Image.load

    def load(image: Image.Image) -> object:
        if getattr(image, "fp", None) is not None:  # the file being decoded, not a copy made from it
            decoded.append((image.mode, image.size))
        return real_load(image)

    monkeypatch.setattr(Image.Image, "load", load)
    (tmp_path / name).write_bytes(make())  # type: ignore[operator]
    if outcome == "refused":
        with pytest.raises(ReportError) as caught:
            api.build(with_photo(tmp_path, name))
        assert "像素过多" in str(caught.value) and "MB" in str(caught.value) and "photos[0].file" in str(caught.value)
        assert decoded == []  # refused from the header, not after decoding
        return
    result = api.build(with_photo(tmp_path, name))
    (image,) = embedded_images(result.output)
    assert max(image.size) == photos.TARGET_LONG_SIDE
    for mode, size in decoded:  # what was decoded fits the bound (a JPEG at a reduced scale)
        assert size[0] * size[1] * photos._bytes_per_pixel(mode) <= photos.MAX_DECODED_BYTES
    if name.endswith(".jpg"):
        assert decoded and max(decoded[0][1]) < 4000, decoded  # 7600 px decoded at 1/2 or less


def test_a_turned_camera_photo_is_scaled_then_turned_upright(tmp_path: Path) -> None:
    from PIL import Image

    photo = Image.effect_noise((4000, 3000), 40).convert("RGB")
    exif = photo.getexif()
    exif[0x0112] = 6  # the camera was held upright: turn 90°
    photo.save(tmp_path / "upright.jpg", exif=exif.tobytes(), quality=90)
    (image,) = embedded_images(api.build(with_photo(tmp_path, "upright.jpg")).output)
    assert image.size == (1200, 1600)


def test_a_refused_format_in_a_workbook_names_the_photo_cell(tmp_path: Path) -> None:
    (tmp_path / "会议.jpg").write_bytes(package.not_photo("会议.jpg"))  # EPS named .jpg
    workbook = tmp_path / "2023.xlsx"
    api.convert(with_photo(tmp_path, "会议.jpg"), workbook)
    with pytest.raises(ReportError) as caught:
        api.build(workbook)
    (problem,) = caught.value.problems
    assert "2023.xlsx 「照片」A2" in str(problem) and "EPS" in str(problem), str(problem)
