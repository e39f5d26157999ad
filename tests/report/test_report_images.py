from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from smoke.report.images import (
    compress_screenshot,
    data_uri,
    ensure_thumbnails,
    highlight_box,
    make_thumbnail,
    mask_boxes,
    thumbnail_path,
)


@pytest.fixture
def screenshot(tmp_path: Path) -> Path:
    image = Image.new("RGBA", (1280, 720), (255, 255, 255, 255))
    for x in range(0, 1280, 40):
        image.paste((20, 20, 20, 255), (x, 100, x + 20, 120))
    path = tmp_path / "shot.png"
    image.save(path)
    return path


def test_thumbnail_keeps_the_aspect_ratio(screenshot: Path, tmp_path: Path) -> None:
    make_thumbnail(screenshot, tmp_path / "thumbs" / "shot.jpg")
    with Image.open(tmp_path / "thumbs" / "shot.jpg") as thumb:
        assert thumb.size == (320, 180) and thumb.format == "JPEG"
    make_thumbnail(screenshot, tmp_path / "shot.webp", width=200)
    with Image.open(tmp_path / "shot.webp") as thumb:
        assert thumb.size == (200, 112) and thumb.format == "WEBP"


def test_small_images_are_not_enlarged(tmp_path: Path) -> None:
    Image.new("RGB", (100, 50), "red").save(tmp_path / "small.png")
    make_thumbnail(tmp_path / "small.png", tmp_path / "t.jpg")
    with Image.open(tmp_path / "t.jpg") as thumb:
        assert thumb.size == (100, 50)


def test_compressing_a_screenshot_shrinks_it_and_keeps_its_size(screenshot: Path, tmp_path: Path) -> None:
    dst = compress_screenshot(screenshot, tmp_path / "shot.jpg")
    with Image.open(dst) as image:
        assert image.size == (1280, 720) and image.mode == "RGB"
        # text stays dark on light: the stripes survive compression
        assert image.getpixel((10, 110))[0] < 60 and image.getpixel((30, 110))[0] > 200


def test_masking_paints_over_the_boxes(screenshot: Path, tmp_path: Path) -> None:
    dst = mask_boxes(screenshot, [(400, 300, 200, 30)], tmp_path / "masked.png")
    with Image.open(dst) as image:
        assert image.getpixel((500, 315)) == (40, 40, 48)
        assert image.getpixel((50, 600)) == (255, 255, 255)


def test_highlight_draws_a_frame(screenshot: Path, tmp_path: Path) -> None:
    dst = highlight_box(screenshot, (400, 300, 200, 30), tmp_path / "hl.png")
    with Image.open(dst) as image:
        assert image.getpixel((395, 315)) == (230, 40, 120)  # on the frame
        assert image.getpixel((500, 315)) == (255, 255, 255)  # inside stays as it was


def test_unknown_suffix_is_refused(screenshot: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported image type"):
        make_thumbnail(screenshot, tmp_path / "t.gif")


def test_data_uri_and_ensure_thumbnails(screenshot: Path, tmp_path: Path) -> None:
    assert data_uri(screenshot).startswith("data:image/png;base64,iVBOR")
    shots = tmp_path / "shots"
    shots.mkdir()
    screenshot.rename(shots / "001-login.png")
    made = ensure_thumbnails(tmp_path, ["shots/001-login.png", "shots/missing.png"])
    assert made == {"shots/001-login.png": "shots/thumbs/001-login.jpg"}
    assert thumbnail_path("shots/001-login.png") == "shots/thumbs/001-login.jpg"
    assert (tmp_path / "shots" / "thumbs" / "001-login.jpg").is_file()
