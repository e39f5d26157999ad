"""The comparison on images made with Pillow: no browser."""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from smoke import visual


def page(
    shift: tuple[int, int] = (0, 0), *, size: tuple[int, int] = (800, 1200), panel: bool = False, antialias: bool = True
) -> Image.Image:
    """A page-like image: a header bar, lines of text, a table; optionally a new panel."""
    scale = 4 if antialias else 1
    w, h = size
    big = Image.new("RGB", (w * scale, h * scale), "white")
    draw = ImageDraw.Draw(big)
    dx, dy = shift[0] * scale, shift[1] * scale
    font = ImageFont.load_default(size=14 * scale)
    draw.rectangle((0, 0, w * scale, 50 * scale), fill=(22, 58, 104))
    for line in range(30):
        y = (80 + line * 24) * scale + dy
        draw.text(
            (40 * scale + dx, y),
            f"Account {10000 + line}  John Smith  Active  $1{line}.00",
            fill=(31, 35, 40),
            font=font,
        )
    draw.rectangle(
        (500 * scale + dx, 100 * scale + dy, 760 * scale + dx, 300 * scale + dy), outline=(120, 120, 120), width=scale
    )
    if panel:
        draw.rectangle(
            (40 * scale, 850 * scale, 460 * scale, 1000 * scale),
            fill=(238, 248, 239),
            outline=(60, 160, 60),
            width=2 * scale,
        )
        draw.text((60 * scale, 870 * scale), "Account Insights (new)", fill=(0, 90, 0), font=font)
    # drawing large and scaling down gives real anti-aliased edges
    return big.resize((w, h), Image.Resampling.LANCZOS) if antialias else big


def test_identical_images_are_the_same() -> None:
    result = visual.compare(page(), page())
    assert result.changed_pixels == 0
    assert result.share == 0.0
    assert result.regions == []


def test_one_pixel_shift_with_anti_aliasing_is_under_the_threshold() -> None:
    plain = visual.ImageChops.difference(page(), page((1, 0))).convert("L").point(lambda v: 255 if v > 24 else 0)
    naive_share = plain.histogram()[255] / (800 * 1200)
    assert naive_share > 0.01  # a plain pixel difference would call this a change
    result = visual.compare(page(), page((1, 0)))
    assert result.share < visual.DEFAULT_THRESHOLD
    result_down = visual.compare(page(), page((0, 1)))
    assert result_down.share < visual.DEFAULT_THRESHOLD


def test_one_changed_region_is_found_outlined_and_counted() -> None:
    result = visual.compare(page(), page(panel=True))
    assert len(result.regions) == 1
    x, y, w, h = result.regions[0]
    # the panel spans 40..460 x 850..1000
    assert abs(x - 40) <= 3 and abs(y - 850) <= 3
    assert abs(x + w - 461) <= 3 and abs(y + h - 1001) <= 3
    panel_share = (421 * 151) / (800 * 1200)
    assert 0.5 * panel_share < result.share <= 1.05 * panel_share
    assert result.share > visual.DEFAULT_THRESHOLD
    assert result.diff is not None
    # the outline is drawn just outside the region, in the outline colour
    assert result.diff.getpixel((x - 4, y + h // 2)) == visual.OUTLINE
    assert result.diff.getpixel((x + w + 3, y + h // 2)) == visual.OUTLINE


def test_masked_region_is_ignored() -> None:
    result = visual.compare(page(), page(panel=True), ignore=[(30, 840, 440, 170)])
    assert result.changed_pixels == 0
    assert result.regions == []
    assert result.compared_pixels == 800 * 1200 - 440 * 170


def test_two_regions_far_apart_stay_two() -> None:
    a = Image.new("RGB", (400, 400), "white")
    b = a.copy()
    draw = ImageDraw.Draw(b)
    draw.rectangle((10, 10, 50, 30), fill="black")
    draw.rectangle((300, 300, 380, 390), fill="red")
    result = visual.compare(a, b)
    assert sorted(result.regions) == [(10, 10, 41, 21), (300, 300, 81, 91)]
    assert result.changed_pixels == 41 * 21 + 81 * 91


def test_a_taller_page_counts_the_new_part_as_changed() -> None:
    result = visual.compare(page(size=(800, 1000)), page(size=(800, 1200)))
    assert result.size_changed
    assert result.share >= 200 * 800 / (800 * 1200) * 0.9


def test_check_writes_diff_and_baseline_copy(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shots = run / "shots" / "visual"
    shots.mkdir(parents=True)
    new = shots / "overview.png"
    page(panel=True).save(new)
    base = tmp_path / "baselines" / "sc" / "overview.png"
    visual.write_baseline(_saved(page(), tmp_path / "b.png"), base, {"target": "sandbox", "masks": []})
    record = visual.check("overview", new, base, run, "shots/visual/overview", threshold=0.01)
    assert record.status == "changed" and len(record.regions) == 1
    assert (run / record.diff).is_file() and (run / record.baseline).is_file()  # type: ignore[operator]
    assert record.baseline_info["target"] == "sandbox"
    missing = visual.check("other", new, tmp_path / "nope.png", run, "shots/visual/other")
    assert missing.status == "no-baseline" and "no baseline yet" in missing.message
    dest = visual.accept(record, run, None, "sc", {"target": "sandbox"})
    assert dest == base
    again = visual.check("overview", new, base, run, "shots/visual/overview")
    assert again.status == "same" and again.changed_pixels == 0


def _saved(image: Image.Image, path: Path) -> Path:
    image.save(path)
    return path


def test_full_page_pair_compares_quickly() -> None:
    a, b = page(size=(1280, 2400)), page(size=(1280, 2400), panel=True)
    t0 = time.perf_counter()
    visual.compare(a, b)
    elapsed = time.perf_counter() - t0
    print(f"compare 1280x2400: {elapsed * 1000:.0f} ms")
    assert elapsed < 5


def test_content_pushed_down_by_a_new_panel_is_not_counted_as_changed() -> None:
    before = page(size=(800, 1000))
    after = Image.new("RGB", (800, 1120), "white")
    after.paste(before.crop((0, 0, 800, 400)), (0, 0))
    ImageDraw.Draw(after).rectangle((40, 405, 700, 515), fill=(244, 239, 253), outline=(123, 79, 214), width=2)
    after.paste(before.crop((0, 400, 800, 1000)), (0, 520))
    result = visual.compare(before, after)
    assert len(result.regions) == 1
    _x, y, _w, h = result.regions[0]
    assert 395 <= y <= 410 and y + h <= 525  # the panel (and the gap it opened), not the rest of the page
    assert result.share < 130 * 800 / (800 * 1120) + 0.001


def test_a_removed_panel_counts_as_changed() -> None:
    before = page(size=(800, 1000))
    after = Image.new("RGB", (800, 1120), "white")
    after.paste(before.crop((0, 0, 800, 400)), (0, 0))
    ImageDraw.Draw(after).rectangle((40, 405, 700, 515), fill=(244, 239, 253), outline=(123, 79, 214), width=2)
    after.paste(before.crop((0, 400, 800, 1000)), (0, 520))
    result = visual.compare(after, before)  # the new release lost the panel
    assert result.share > 0.05
    assert result.regions and 395 <= result.regions[0][1] <= 410
