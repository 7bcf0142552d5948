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
