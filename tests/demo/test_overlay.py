"""The overlay itself, in a real headless Chromium: what it shows, and that the page cannot tell."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from smoke.overlay import OverlayFreeEvidence, inject, overlay_state
from tests.conftest import launched_chromium, page_showing

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html><head><title>t</title>
<style>body{margin:0;font:16px sans-serif;background:#fff}</style></head>
<body><h1>Overlay test</h1><button id="top">Top</button>
<label for="name">Name</label> <input id="name">
<button id="low" style="position:fixed;bottom:40px;left:600px;width:120px;height:30px">Under the bar</button>
<p id="log"></p>
<script>document.querySelectorAll('button').forEach(b => b.addEventListener('click', () => {
  document.getElementById('log').textContent += b.id + ';'; }));</script></body></html>"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture
def demo_page(chromium: Any) -> Iterator[Any]:
    yield from page_showing(chromium, PAGE, 1280, 800)


def demo(page: Any, method: str, *args: Any) -> Any:
    return page.evaluate("([m, a]) => window.__smokeDemo[m](...a)", [method, list(args)])


def test_overlay_shows_the_caption_and_step_and_highlights_the_element(demo_page: Any) -> None:
    page = demo_page
    assert overlay_state(page) is None
    inject(page)
    inject(page)  # again on the same document: still one overlay
    assert page.evaluate("document.querySelectorAll('smoke-demo-overlay').length") == 1
    demo(
        page,
        "show",
        {"label": "Step 3 of 12", "caption": "Click Top", "scenario": "Overlay", "progress": 0.25},
    )
    page.locator("#top").evaluate_all("els => window.__smokeDemo.highlight(els)")
    state = overlay_state(page)
    assert state is not None
    assert (state["label"], state["caption"], state["scenario"]) == ("Step 3 of 12", "Click Top", "Overlay")
    [lit] = state["highlighted"]
    assert (lit["tag"], lit["id"], lit["text"]) == ("button", "top", "Top")
    box = page.locator("#top").bounding_box()
    assert abs(lit["rect"]["x"] - box["x"]) < 1 and abs(lit["rect"]["y"] - box["y"]) < 1
    assert state["position"] == "bottom" and state["bar"]["y"] > 600
    # the highlight box is drawn round the element: amber pixels at its edge, none far from it
    from io import BytesIO

    from PIL import Image

    shot = Image.open(BytesIO(page.screenshot())).convert("RGB")
    edge = shot.getpixel((int(box["x"] + box["width"] / 2), int(box["y"] - 4)))
    assert edge[0] > 200 and 120 < edge[1] < 190 and edge[2] < 80, edge  # #f59e0b
    bar = shot.getpixel((640, int(state["bar"]["y"] + state["bar"]["height"] - 10)))
    assert max(bar) < 60, bar  # the dark caption bar


def test_bar_moves_to_the_top_when_it_would_cover_the_element(demo_page: Any) -> None:
    page = demo_page
    inject(page)
    demo(page, "show", {"label": "Step 1 of 2", "caption": "Click Under the bar"})
    page.locator("#low").evaluate_all("els => window.__smokeDemo.highlight(els)")
    page.wait_for_function("() => window.__smokeDemo.state().position === 'top'")


def test_page_and_its_locators_cannot_see_the_overlay_text(demo_page: Any) -> None:
    page = demo_page
    inject(page)
    demo(page, "show", {"label": "Step 1 of 1", "caption": "See 'Overlay test' and Welcome"})
    assert page.get_by_text("Welcome").count() == 0
    assert page.get_by_text("Step 1 of 1").count() == 0
    assert page.get_by_role("button", name="Next").count() == 0
    assert "Welcome" not in page.evaluate("document.body.innerText")
    assert page.locator("text=Overlay test").count() == 1  # the page's own heading only


def test_clicks_meant_for_the_page_go_through_the_bar(demo_page: Any) -> None:
    page = demo_page
    inject(page)
    demo(page, "show", {"label": "Step 1 of 1", "caption": "Click Top"})
    page.locator("#top").evaluate_all("els => window.__smokeDemo.highlight(els)")
    state = overlay_state(page)
    low = page.locator("#low").bounding_box()
    bar = state["bar"]
    assert bar["y"] < low["y"] + low["height"] / 2 < bar["y"] + bar["height"], "the button must lie under the bar"
    assert (
        page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).id",
            [low["x"] + low["width"] / 2, low["y"] + low["height"] / 2],
        )
        == "low"
    )
    page.locator("#low").click(timeout=3000)  # Playwright's own check that nothing is in the way
    page.mouse.click(low["x"] + 10, low["y"] + 10)
    assert page.locator("#log").inner_text() == "low;low;"


def test_next_and_continue_take_clicks_only_while_paused(demo_page: Any) -> None:
    page = demo_page
    inject(page)
    demo(page, "show", {"label": "Step 1 of 1", "caption": "Click Top"})
    demo(page, "setPaused", True)
    buttons = overlay_state(page)["buttons"]
    for name in ("next", "continue"):
        r = buttons[name]
        page.mouse.click(r["x"] + r["width"] / 2, r["y"] + r["height"] / 2)
        assert demo(page, "takeChoice") == name
        assert demo(page, "takeChoice") is None
    demo(page, "setPaused", False)
    assert overlay_state(page)["buttons"] == {}
    assert page.locator("#log").inner_text() == ""  # the page got none of those clicks


class _Recorder:
    def __init__(self) -> None:
        self.states: list[Any] = []

    def capture(
        self, page: Any, name: str, extra_masks: Any = (), full_page: bool = False, *, unchanged_ok: bool = False
    ) -> None:
        state = overlay_state(page)
        self.states.append(state["hidden"] if state else None)


def test_evidence_screenshots_are_taken_with_the_overlay_hidden(demo_page: Any) -> None:
    page = demo_page
    inner = _Recorder()
    evidence = OverlayFreeEvidence(inner)  # type: ignore[arg-type]
    evidence.capture(page, "before-inject")  # no overlay: nothing to hide, nothing breaks
    inject(page)
    demo(page, "show", {"label": "Step 1 of 1", "caption": "Click Top"})
    evidence.capture(page, "shot")
    assert inner.states == [None, True]
    assert overlay_state(page)["hidden"] is False  # and shown again afterwards
    assert evidence.states is inner.states  # everything else is the wrapped object's
