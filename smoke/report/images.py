"""Screenshot handling with Pillow: compression, thumbnails, masking, highlighting, data: URIs.

Screenshots are evidence a person reads, so every conversion here keeps text legible: JPEG at a
high quality without chroma subsampling (subsampling smears coloured text), LANCZOS downscaling.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw

# (left, top, width, height) in image pixels, the shape Playwright's bounding_box() gives
Box = tuple[float, float, float, float]

LEGIBLE_JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 75
MASK_COLOUR = (40, 40, 48)
HIGHLIGHT_COLOUR = (230, 40, 120)

_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".png": "PNG"}


def _format_for(path: Path) -> str:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"unsupported image type {path.suffix!r} for {path} (use .jpg, .webp or .png)") from None


def _save(image: Image.Image, dst: Path, quality: int) -> None:
    fmt = _format_for(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("JPEG", "WEBP") and image.mode not in ("RGB", "L"):
        image = _flatten(image)
    tmp = dst.with_name(dst.name + ".tmp")
    if fmt == "JPEG":
        image.save(tmp, fmt, quality=quality, optimize=True, subsampling=0)
    elif fmt == "WEBP":
        image.save(tmp, fmt, quality=quality, method=4)
    else:
        image.save(tmp, fmt, optimize=True)
    tmp.replace(dst)


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def compress_screenshot(src: Path, dst: Path, quality: int = LEGIBLE_JPEG_QUALITY) -> Path:
    """Store a (PNG) screenshot as JPEG or WebP, chosen by ``dst``'s suffix, keeping text legible."""
    with Image.open(src) as image:
        image.load()
        _save(image, dst, quality)
    return dst


def make_thumbnail(src: Path, dst: Path, width: int = 320) -> None:
    """Write a ``width``-pixel-wide thumbnail of ``src`` to ``dst`` (format from ``dst``'s suffix)."""
    with Image.open(src) as image:
        if image.format == "JPEG":
            # decode straight at a fraction of the size: most of a thumbnail's cost saved
            image.draft("RGB", (width, max(1, image.height * width // max(1, image.width))))
        image.load()
        small: Image.Image = image
        if image.width > width:
            height = max(1, round(image.height * width / image.width))
            small = image.resize((width, height), Image.Resampling.LANCZOS)
        _save(small, dst, THUMBNAIL_QUALITY)


def thumbnail_path(screenshot: str) -> str:
    """Where the thumbnail of a run-relative screenshot path lives: ``shots/thumbs/<name>.jpg``."""
    path = Path(screenshot)
    return (path.parent / "thumbs" / (path.stem + ".jpg")).as_posix()


def image_size(path: Path) -> tuple[int, int] | None:
    # Image.open reads only the header, so this is cheap even for a thousand screenshots
    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, ValueError):
        return None


def _box_corners(box: Box, pad: float = 0) -> tuple[int, int, int, int]:
    left, top, width, height = box
    return (round(left - pad), round(top - pad), round(left + width + pad), round(top + height + pad))


def mask_boxes(path: Path, boxes: Iterable[Box], dst: Path | None = None) -> Path:
    """Paint solid blocks over ``boxes`` (password fields, card numbers) so nothing shows through."""
    dst = dst or path
    with Image.open(path) as image:
        image.load()
        canvas = _flatten(image)
    draw = ImageDraw.Draw(canvas)
    for box in boxes:
        draw.rectangle(_box_corners(box, pad=2), fill=MASK_COLOUR)
    _save(canvas, dst, LEGIBLE_JPEG_QUALITY if _format_for(dst) != "PNG" else 100)
    return dst


def highlight_box(path: Path, box: Box, dst: Path | None = None, width: int = 3) -> Path:
    """Draw a box around the element a step acted on."""
    dst = dst or path
    with Image.open(path) as image:
        image.load()
        canvas = _flatten(image)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle(_box_corners(box, pad=width + 2), outline=HIGHLIGHT_COLOUR, width=width)
    _save(canvas, dst, LEGIBLE_JPEG_QUALITY if _format_for(dst) != "PNG" else 100)
    return dst


def mime_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".webp":
        return "image/webp"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def data_uri(path: Path) -> str:
    return f"data:{mime_type(path)};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def compact_data_uri(path: Path, quality: int = 60) -> str:
    """A screenshot for the single-file report: WebP at a quality that keeps text legible, about
    half the size of the JPEG on disk (a suite's single file is mostly its screenshots)."""
    try:
        with Image.open(path) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, "WEBP", quality=quality, method=2)
    except (OSError, ValueError):
        return data_uri(path)
    data = out.getvalue()
    if len(data) >= path.stat().st_size:
        return data_uri(path)
    return f"data:image/webp;base64,{base64.b64encode(data).decode('ascii')}"


def ensure_thumbnails(run_dir: Path, screenshots: Sequence[str], width: int = 320) -> dict[str, str]:
    """Thumbnails for screenshots that have none yet; returns screenshot -> thumbnail (run-relative)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(shot: str) -> tuple[str, str | None]:
        src = run_dir / shot
        if not src.is_file():
            return shot, None
        thumb = thumbnail_path(shot)
        dst = run_dir / thumb
        if not dst.is_file():
            try:
                make_thumbnail(src, dst, width)
            except (OSError, ValueError):
                return shot, None
        return shot, thumb

    # Pillow lets go of the GIL while it decodes and encodes: one thread per core
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(one, dict.fromkeys(screenshots)))
    return {shot: thumb for shot, thumb in results if thumb}
