"""Screenshots for the self-contained report, stored once: full frames and the regions that changed.

Most steps of a scenario leave the page as it was (an ``expect_text``) or change a small part of it
(a ``fill``). In the single file every step keeps its own screenshot at reading size, but:

- a screenshot identical to the page's last full frame is not stored again: the step shows that frame;
- a screenshot of the same page that differs from that frame in one small region stores only the
  region, which the report lays over the frame with CSS (no script);
- anything else (another address, a large change) is a new full frame.

The composition is exact before encoding: outside the stored region the step's pixels equal the
frame's. Frames are WebP, at most ``MAX_WIDTH`` pixels wide: the default suite's 1280-pixel
screenshots stay legible at 960, and the single file fits in 10 MB (at full width it would not).
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops

MAX_WIDTH = 960
QUALITY = 50
# above this share of the frame a region costs nearly as much as a new frame, and reads worse
MAX_REGION = 0.35
PAD = 2  # pixels around a region, so that resampling leaves no seam at its edge


@dataclass
class Patch:
    src: str  # data: URI of the region
    left: float  # position and width in percent of the frame, which scales with the frame
    top: float
    width: float
    height: float


@dataclass
class Frame:
    """How one step's screenshot is shown: its own full frame, or an earlier frame plus a region."""

    key: str  # run-relative path of the full frame's screenshot (the step's own when it is one)
    src: str | None = None  # the frame's data: URI, only on the step whose screenshot is the frame
    width: int = 0
    height: int = 0
    patches: list[Patch] = field(default_factory=list)

    @property
    def is_key(self) -> bool:
        return self.src is not None


def _webp(image: Image.Image) -> str:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=QUALITY, method=4)
    return "data:image/webp;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _scaled(image: Image.Image, scale: float) -> Image.Image:
    if scale >= 1:
        return image
    return image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS
    )


def _open(path: Path) -> Image.Image | None:
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, ValueError):
        return None


def plan_frames(run_dir: Path, steps: Sequence[tuple[str, str | None]]) -> dict[str, Frame]:
    """Frames for one list of steps: ``(screenshot, url)`` in order -> screenshot -> Frame."""
    frames: dict[str, Frame] = {}
    key: Image.Image | None = None
    key_rel, key_url = "", None
    for rel, url in steps:
        if rel in frames:
            continue
        image = _open(run_dir / rel)
        if image is None:
            continue
        scale = min(1.0, MAX_WIDTH / image.width)
        if key is not None and key.size == image.size and url == key_url:
            box = ImageChops.difference(image, key).getbbox()
            if box is None:
                frames[rel] = Frame(key=key_rel)
                continue
            left, top = max(0, box[0] - PAD), max(0, box[1] - PAD)
            right, bottom = min(image.width, box[2] + PAD), min(image.height, box[3] + PAD)
            if (right - left) * (bottom - top) <= MAX_REGION * image.width * image.height:
                region = _scaled(image.crop((left, top, right, bottom)), scale)
                patch = Patch(
                    src=_webp(region),
                    left=round(100 * left / image.width, 3),
                    top=round(100 * top / image.height, 3),
                    width=round(100 * (right - left) / image.width, 3),
                    height=round(100 * (bottom - top) / image.height, 3),
                )
                frames[rel] = Frame(key=key_rel, patches=[patch])
                continue
        small = _scaled(image, scale)
        frames[rel] = Frame(key=rel, src=_webp(small), width=small.width, height=small.height)
        key, key_rel, key_url = image, rel, url
    return frames


def plan_all(run_dir: Path, lists: Sequence[Sequence[tuple[str, str | None]]]) -> dict[str, Frame]:
    """:func:`plan_frames` for every list of steps, one list per thread (Pillow lets go of the GIL)."""
    merged: dict[str, Frame] = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for frames in pool.map(lambda steps: plan_frames(run_dir, steps), [s for s in lists if s]):
            merged.update(frames)
    return merged
