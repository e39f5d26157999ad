"""Visual comparison of a page with its baseline (the previous release): Pillow only, no browser.

A ``compare:`` step screenshots a page (PNG, masks painted over dynamic regions and secrets) and
hands it here with the baseline image of the same name. :func:`compare` tells which pixels changed,
ignoring anti-aliasing and one-pixel shifts (a pixel counts as changed only when no pixel of its 3×3
neighbourhood in the other image is within ``tolerance``, in either direction, as pixelmatch and
Playwright's ``toHaveScreenshot`` do), finds the changed regions and draws them outlined on a diff
image. The baseline folder holds ``<scenario>/<name>.png`` and a ``.json`` beside it saying where and
when it was captured.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from smoke.results import VisualCheck

DEFAULT_THRESHOLD = 0.01  # share of changed pixels above which a page counts as changed
DEFAULT_TOLERANCE = 8  # per channel, 0-255: rendering noise below this is no change
CELL = 8  # changed pixels are grouped into regions on a grid of CELL×CELL blocks
GAP = 3  # cells: changes closer than this become one region
MAX_REGIONS = 40
OUTLINE = (220, 0, 120)
PAINT = (255, 0, 60)

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass
class Comparison:
    changed_pixels: int
    compared_pixels: int
    regions: list[Box]
    size_baseline: tuple[int, int]
    size_new: tuple[int, int]
    seconds: float
    diff: Image.Image | None = None

    @property
    def share(self) -> float:
        return self.changed_pixels / self.compared_pixels if self.compared_pixels else 0.0

    @property
    def size_changed(self) -> bool:
        return self.size_baseline != self.size_new


def _open(image: Image.Image | Path | str) -> Image.Image:
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    with Image.open(image) as opened:
        return opened.convert("RGB")


def _pad(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    # what one image has and the other lacks is changed: pad with a colour no page is made of
    canvas = Image.new("RGB", size, (255, 0, 255))
    canvas.paste(image, (0, 0))
    return canvas


def _outside(image: Image.Image, low: Image.Image, high: Image.Image, tolerance: int) -> Image.Image:
    """255 where a pixel of ``image`` lies outside [low, high] by more than ``tolerance`` in any channel."""
    below = ImageChops.subtract(low, image)  # saturates at 0: only where image < low
    above = ImageChops.subtract(image, high)
    worst = ImageChops.lighter(below, above)
    r, g, b = worst.split()
    channel_max = ImageChops.lighter(ImageChops.lighter(r, g), b)
    return channel_max.point(lambda v: 255 if v > tolerance else 0)


def _shifted(image: Image.Image, dx: int, dy: int) -> Image.Image:
    # edge pixels repeat instead of wrapping round (ImageChops.offset would wrap)
    width, height = image.size
    out = image.copy()
    out.paste(image.crop((max(0, -dx), max(0, -dy), width - max(0, dx), height - max(0, dy))), (max(0, dx), max(0, dy)))
    return out


def _range3(image: Image.Image) -> tuple[Image.Image, Image.Image]:
    """Per-channel min and max over each pixel's 3×3 neighbourhood (separable; Pillow's rank
    filters are about 50 times slower)."""
    left, right = _shifted(image, 1, 0), _shifted(image, -1, 0)
    low = ImageChops.darker(ImageChops.darker(image, left), right)
    high = ImageChops.lighter(ImageChops.lighter(image, left), right)
    low = ImageChops.darker(ImageChops.darker(low, _shifted(low, 0, 1)), _shifted(low, 0, -1))
    high = ImageChops.lighter(ImageChops.lighter(high, _shifted(high, 0, 1)), _shifted(high, 0, -1))
    return low, high


def changed_mask(baseline: Image.Image, new: Image.Image, tolerance: int = DEFAULT_TOLERANCE) -> Image.Image:
    """An "L" image, 255 where the two (same-size, RGB) images really differ."""
    mask = Image.new("L", new.size, 0)
    box = ImageChops.difference(baseline, new).getbbox()
    if box is None:
        return mask
    # only the part that differs at all is worth the neighbourhood test (plus a pixel of context)
    width, height = new.size
    box = (max(0, box[0] - 1), max(0, box[1] - 1), min(width, box[2] + 1), min(height, box[3] + 1))
    base_part, new_part = baseline.crop(box), new.crop(box)
    # a pixel explained by its neighbourhood in the other image is anti-aliasing or a 1px shift
    new_low, new_high = _range3(new_part)
    base_low, base_high = _range3(base_part)
    part = ImageChops.lighter(
        _outside(base_part, new_low, new_high, tolerance), _outside(new_part, base_low, base_high, tolerance)
    )
    mask.paste(part, box[:2])
    return mask


def find_regions(mask: Image.Image, cell: int = CELL, gap: int = GAP, limit: int = MAX_REGIONS) -> list[Box]:
    """Bounding boxes of the clusters of changed pixels, biggest first."""
    if mask.getbbox() is None:
        return []
    width, height = mask.size
    cols, rows = -(-width // cell), -(-height // cell)
    # a block is "on" when any of its pixels changed (the max of a block survives the reduction)
    grid = _padded(mask, cols * cell, rows * cell).reduce(cell).point(lambda v: 255 if v > 0 else 0)
    if gap > 1:
        grid = grid.filter(ImageFilter.MaxFilter(gap if gap % 2 else gap + 1))
    on = grid.tobytes()
    seen = bytearray(len(on))
    boxes: list[Box] = []
    for start in range(len(on)):
        if not on[start] or seen[start]:
            continue
        seen[start] = 1
        queue = deque([start])
        x0 = x1 = start % cols
        y0 = y1 = start // cols
        while queue:
            index = queue.popleft()
            x, y = index % cols, index // cols
            x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
            for nx, ny in ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)):
                if 0 <= nx < cols and 0 <= ny < rows:
                    neighbour = ny * cols + nx
                    if on[neighbour] and not seen[neighbour]:
                        seen[neighbour] = 1
                        queue.append(neighbour)
        area = (x0 * cell, y0 * cell, min((x1 + 1) * cell, width), min((y1 + 1) * cell, height))
        tight = mask.crop(area).getbbox()  # the dilation widened the cluster: shrink it to real changes
        if tight is None:
            continue
        left, top = area[0] + tight[0], area[1] + tight[1]
        boxes.append((left, top, tight[2] - tight[0], tight[3] - tight[1]))
    boxes.sort(key=lambda b: b[2] * b[3], reverse=True)
    return boxes[:limit]


def _padded(mask: Image.Image, width: int, height: int) -> Image.Image:
    if mask.size == (width, height):
        return mask
    canvas = Image.new("L", (width, height), 0)
    canvas.paste(mask, (0, 0))
    return canvas


def draw_diff(new: Image.Image, mask: Image.Image, regions: list[Box]) -> Image.Image:
    """The new image faded, changed pixels in red, every region outlined and numbered."""
    faded = Image.blend(new, Image.new("RGB", new.size, (255, 255, 255)), 0.6)
    faded.paste(Image.new("RGB", new.size, PAINT), (0, 0), mask)
    draw = ImageDraw.Draw(faded)
    for number, (x, y, w, h) in enumerate(regions, 1):
        pad = 4
        draw.rectangle((x - pad, y - pad, x + w + pad - 1, y + h + pad - 1), outline=OUTLINE, width=3)
        label = str(number)
        draw.rectangle((x - pad, y - pad - 16, x - pad + 8 + 7 * len(label), y - pad), fill=OUTLINE)
        draw.text((x - pad + 4, y - pad - 15), label, fill=(255, 255, 255))
    return faded


def align_rows(baseline: Image.Image, new: Image.Image) -> tuple[Image.Image, list[tuple[int, int]]] | None:
    """The baseline with its rows moved to where they are in the new image, or None when nothing moved.

    A new panel pushes everything under it down: compared row for row, the whole rest of the page
    would read as changed. Matching identical pixel rows (a diff of the two pages' rows, like a text
    diff of lines) keeps what only moved out of the changes; rows only the new page has are left in
    a colour no page is made of, so they count as changed.
    """
    from difflib import SequenceMatcher

    width = max(baseline.width, new.width)
    base_rows = [hash(row) for row in _rows(_pad(baseline, (width, baseline.height)))]
    new_rows = [hash(row) for row in _rows(_pad(new, (width, new.height)))]
    opcodes = SequenceMatcher(None, base_rows, new_rows, autojunk=False).get_opcodes()
    if (
        all(tag == "equal" and i1 == j1 for tag, i1, _, j1, _ in opcodes if tag == "equal")
        and baseline.height == new.height
    ):
        return None
    aligned = Image.new("RGB", (width, new.height), (255, 0, 255))
    removed: list[tuple[int, int]] = []  # (row in the new image, rows of the baseline gone there)
    for tag, i1, i2, j1, j2 in opcodes:
        if tag in ("equal", "replace"):
            rows = min(i2 - i1, j2 - j1)
            aligned.paste(baseline.crop((0, i1, baseline.width, i1 + rows)), (0, j1))
        # a row or two is a border matched elsewhere among identical rows, not a lost part of the page
        if tag in ("delete", "replace") and (i2 - i1) - (j2 - j1) >= 4:
            removed.append((min(j2, new.height - 1), (i2 - i1) - (j2 - j1)))
    return aligned, removed


def _rows(image: Image.Image) -> list[bytes]:
    data = image.tobytes()
    stride = image.width * 3
    return [data[i : i + stride] for i in range(0, len(data), stride)]


def compare(
    baseline: Image.Image | Path | str,
    new: Image.Image | Path | str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    ignore: list[Box] = (),  # type: ignore[assignment]
    diff_image: bool = True,
) -> Comparison:
    """Compare two screenshots. ``ignore`` boxes (masked regions) never count as changed."""
    t0 = time.perf_counter()
    base_img, new_img = _open(baseline), _open(new)
    size_baseline, size_new = base_img.size, new_img.size
    size = (max(size_baseline[0], size_new[0]), max(size_baseline[1], size_new[1]))
    # content added or removed changes a full page's height; only then is a row alignment worth its cost
    aligned = align_rows(base_img, new_img) if size_baseline[1] != size_new[1] else None
    base_img, new_img = _pad(base_img, size), _pad(new_img, size)
    mask = changed_mask(base_img, new_img, tolerance)
    removed_pixels = 0
    if aligned is not None:
        # moved content is not changed content: keep the alignment when it explains more of the page;
        # what the baseline had and the new page lost counts too, marked by a line where it was
        moved = changed_mask(_pad(aligned[0], size), new_img, tolerance)
        gone = sum(rows for _, rows in aligned[1]) * size[0]
        if moved.histogram()[255] + gone < mask.histogram()[255]:
            mask = moved
            removed_pixels = gone
            line = ImageDraw.Draw(mask)
            for y, _rows in aligned[1]:
                line.rectangle((0, max(0, y - 1), size[0] - 1, min(size[1] - 1, y + 1)), fill=255)
    compared = size[0] * size[1]
    if ignore:
        blank = ImageDraw.Draw(mask)
        covered = Image.new("L", size, 0)
        cover = ImageDraw.Draw(covered)
        for x, y, w, h in ignore:
            if w > 0 and h > 0:
                blank.rectangle((x, y, x + w - 1, y + h - 1), fill=0)
                cover.rectangle((x, y, x + w - 1, y + h - 1), fill=255)
        compared -= covered.histogram()[255]
    changed = min(mask.histogram()[255] + removed_pixels, compared)
    regions = find_regions(mask)
    diff = draw_diff(new_img, mask, regions) if diff_image else None
    return Comparison(changed, max(compared, 0), regions, size_baseline, size_new, time.perf_counter() - t0, diff)


# -- the baseline folder and the record of one compared step ------------------------------------


def baseline_path(baselines: Path, scenario: str, name: str) -> Path:
    return Path(baselines) / scenario / f"{name}.png"


def read_info(png: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(png.with_suffix(".json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def write_baseline(src: Path, dest: Path, info: dict[str, Any]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(src, tmp)
    tmp.replace(dest)
    dest.with_suffix(".json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check(
    name: str,
    new_png: Path,
    baseline_png: Path,
    run_dir: Path,
    out_prefix: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    tolerance: int = DEFAULT_TOLERANCE,
    strict: bool = False,
    ignore: list[Box] = (),  # type: ignore[assignment]
) -> VisualCheck:
    """Compare a step's new screenshot with its baseline; write the baseline copy and diff into the run."""
    record = VisualCheck(
        name=name,
        status="same",
        threshold=threshold,
        strict=strict,
        new=str(new_png.relative_to(run_dir)),
        baseline_file=str(baseline_png.resolve()),
    )
    with Image.open(new_png) as img:
        record.size_new = list(img.size)
    if not baseline_png.is_file():
        record.status = "no-baseline"
        record.message = f"no baseline yet ({baseline_png}); `smoke baseline accept` takes this screenshot as one"
        return record
    record.baseline_info = read_info(baseline_png)
    # a copy in the run folder: the report (and its manifest) must not depend on a folder that changes
    copy = run_dir / f"{out_prefix}-baseline.png"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(baseline_png, copy)
    record.baseline = str(copy.relative_to(run_dir))
    boxes = list(ignore) + [tuple(b) for b in record.baseline_info.get("masks", [])]
    result = compare(baseline_png, new_png, tolerance=tolerance, ignore=boxes)
    record.share = round(result.share, 6)
    record.changed_pixels = result.changed_pixels
    record.regions = [list(r) for r in result.regions]
    record.size_baseline = list(result.size_baseline)
    record.seconds = round(result.seconds, 3)
    if result.changed_pixels:
        assert result.diff is not None
        diff_path = run_dir / f"{out_prefix}-diff.png"
        result.diff.save(diff_path, "PNG", optimize=False, compress_level=3)
        record.diff = str(diff_path.relative_to(run_dir))
    record.status = "changed" if result.share > threshold else "same"
    size_note = (
        f"; the page is {result.size_new[0]}×{result.size_new[1]}, was {result.size_baseline[0]}×{result.size_baseline[1]}"
        if result.size_changed
        else ""
    )
    record.message = (
        f"{name}: {result.share:.2%} of the pixels changed in {len(result.regions)} region"
        f"{'s' if len(result.regions) != 1 else ''} (threshold {threshold:.2%}){size_note}"
    )
    return record


def accept(record: VisualCheck, run_dir: Path, baselines: Path | None, scenario: str, info: dict[str, Any]) -> Path:
    """Make a run's new screenshot of a compared step the baseline; returns the baseline path."""
    if not record.new:
        raise FileNotFoundError(f"{record.name}: the run kept no screenshot")
    src = run_dir / record.new
    if not src.is_file():
        raise FileNotFoundError(f"{record.name}: {src} is missing")
    dest = baseline_path(baselines, scenario, record.name) if baselines else Path(str(record.baseline_file))
    write_baseline(src, dest, info)
    return dest
