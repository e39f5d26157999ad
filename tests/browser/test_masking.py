"""Evidence screenshots mask every secret a page shows, and ask for no mask where there is none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from smoke.evidence import Evidence
from smoke.secrets import Secrets
from tests.conftest import launched_chromium

pytestmark = pytest.mark.browser

MASK_RGB = (0x1F, 0x29, 0x37)
SECRETS = ["4111111111111111", "Signup#2026-pw", "Demo#Pass1"]
PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
  body { font: 20px sans-serif; } p, input, span { display: inline-block; margin: 12px; padding: 8px; }
</style></head><body>
<p id="shown">card 4111 1111 1111 1111</p>
<p><input id="typed" size="30"></p>
<p><input id="pw" type="password" size="30"></p>
<div id="host"></div>
<p id="split">Demo#<b>Pass1</b></p>
<p id="plain">nothing to hide here</p>
<script>
  document.getElementById('host').attachShadow({mode: 'open'}).innerHTML = '<span id="inner">Demo#Pass1</span>';
</script>
</body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    (tmp_path / "secrets.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "plain.html").write_text("<!doctype html><p id='plain'>nothing to hide here</p>", encoding="utf-8")
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    yield page
    context.close()


def _masked(shot: Path, box: dict[str, float]) -> bool:
    """Whether the element's box is painted over with the mask colour (JPEG noise allowed)."""
    with Image.open(shot) as image:
        inner = (box["x"] + 3, box["y"] + 3, box["x"] + box["width"] - 3, box["y"] + box["height"] - 3)
        mean = ImageStat.Stat(image.convert("RGB").crop(tuple(round(v) for v in inner))).mean
    return all(abs(m - c) < 16 for m, c in zip(mean, MASK_RGB, strict=True))


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return dict(box)


def test_every_secret_a_page_shows_is_masked_and_nothing_else(page: Any, tmp_path: Path) -> None:
    evidence = Evidence(tmp_path / "run", Secrets(SECRETS))
    page.goto((tmp_path / "secrets.html").as_uri())
    page.fill("#typed", "Signup#2026-pw")  # typed into a plain text field: no selector says it is secret
    page.fill("#pw", "Signup#2026-pw")
    shot = evidence.capture(page, "secrets")
    assert shot is not None
    path = tmp_path / "run" / shot[0]
    for selector in ("#shown", "#typed", "#pw", "#inner", "#split"):
        assert _masked(path, _box(page, selector)), f"{selector} is visible in the screenshot"
    assert not _masked(path, _box(page, "#plain"))


def test_a_page_with_no_secret_needs_no_mask(page: Any, tmp_path: Path) -> None:
    evidence = Evidence(tmp_path / "run", Secrets(SECRETS))
    page.goto((tmp_path / "plain.html").as_uri())
    extra = page.locator("#plain")
    assert evidence.needed_masks(page, []) == []
    assert evidence.needed_masks(page, [extra]) == [extra]
    page.goto((tmp_path / "secrets.html").as_uri())
    assert len(evidence.needed_masks(page, [])) == 1  # fields and text: one locator
    shot = evidence.capture(page, "extra", [page.locator("#plain")])
    assert shot is not None and _masked(tmp_path / "run" / shot[0], _box(page, "#plain"))


def test_a_page_that_navigates_between_the_check_and_the_shot_is_shot_with_every_mask(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evidence = Evidence(tmp_path / "run", Secrets(SECRETS))
    page.goto((tmp_path / "plain.html").as_uri())
    checked = evidence._ask

    def then_navigate(page_: Any, extra: Any) -> Any:
        masks = checked(page_, extra)  # nothing to mask on the plain page ...
        page_.goto((tmp_path / "secrets.html").as_uri())  # ... but another page is shown now
        return masks

    monkeypatch.setattr(evidence, "_ask", then_navigate)
    shot = evidence.capture(page, "navigated")
    assert shot is not None
    path = tmp_path / "run" / shot[0]
    for selector in ("#shown", "#inner", "#split"):
        assert _masked(path, _box(page, selector)), f"{selector} is visible in the screenshot"
