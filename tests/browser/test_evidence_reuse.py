"""A step that changed nothing keeps its page's last shot only while the page shows exactly that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smoke.evidence import Evidence
from smoke.secrets import Secrets
from tests.conftest import launched_chromium, page_showing

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html><head><style>#text { color: black }</style></head><body style="height: 3000px">
<p id="text">Balance $55.01</p><input id="field" value="a"><input id="tick" type="checkbox">
<img id="pic">
</body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from page_showing(browser, PAGE, 640, 400)


def shots(evidence: Evidence, page: Any, change: str | None = None, **kwargs: Any) -> tuple[str, str]:
    """The shot before and after ``change`` (a script run in the page), both asked as unchanged_ok."""
    first = evidence.capture(page, "one", unchanged_ok=True, **kwargs)
    if change:
        page.evaluate(change)
    second = evidence.capture(page, "two", unchanged_ok=True, **kwargs)
    assert first and second
    return first[0], second[0]


def test_an_unchanged_page_keeps_its_last_shot(page: Any, tmp_path: Path) -> None:
    evidence = Evidence(tmp_path, Secrets())
    first, second = shots(evidence, page)
    assert first == second and evidence.reused == 1
    assert not (tmp_path / "shots" / "two.jpg").exists()


@pytest.mark.parametrize(
    "change",
    [
        "document.getElementById('text').textContent = 'Balance $55.10'",  # the DOM
        "document.getElementById('field').value = 'b'",  # a value set by script: no mutation, no event
        "document.getElementById('tick').checked = true",
        "window.scrollTo(0, 500)",
        "document.body.style.background = 'red'",  # an attribute
        "document.getElementById('field').focus()",
        "document.body.appendChild(document.createElement('canvas'))",  # a canvas: always shot
        "document.body.innerHTML += '<style>@keyframes s{to{opacity:0}} p{animation:s 9s infinite}</style>'",
        "document.getElementById('text').attachShadow({mode: 'closed'})",  # shadow roots: always shot
        # style sheets changed by script: no mutation record shows them
        "document.styleSheets[0].insertRule('#text { display: none }', 1)",
        "document.styleSheets[0].cssRules[0].style.setProperty('color', 'red')",
        "document.styleSheets[0].disabled = true",
        "const s = new CSSStyleSheet(); s.replaceSync('p { color: red }'); document.adoptedStyleSheets.push(s)",
    ],
)
def test_any_change_takes_a_new_shot(page: Any, tmp_path: Path, change: str) -> None:
    evidence = Evidence(tmp_path, Secrets())
    first, second = shots(evidence, page, change)
    assert first != second and evidence.reused == 0
    assert (tmp_path / second).exists()


def test_a_canvas_page_is_shot_every_time(page: Any, tmp_path: Path) -> None:
    page.evaluate("document.body.appendChild(document.createElement('canvas'))")
    evidence = Evidence(tmp_path, Secrets())
    first, second = shots(evidence, page)
    assert first != second and evidence.reused == 0


def test_a_new_secret_a_new_document_or_reuse_off_take_a_new_shot(page: Any, tmp_path: Path) -> None:
    secrets = Secrets()
    evidence = Evidence(tmp_path / "a", secrets)
    first = evidence.capture(page, "one", unchanged_ok=True)
    secrets.add("$55.01")  # now shown text is a secret: the shot must mask it
    second = evidence.capture(page, "two", unchanged_ok=True)
    assert first and second and first != second

    page.set_content(PAGE)  # the same content in a new document
    third = evidence.capture(page, "three", unchanged_ok=True)
    assert third and third != second

    assert evidence.capture(page, "four", unchanged_ok=False) != third  # a step that acted
    off = Evidence(tmp_path / "b", Secrets(), reuse=False)
    assert len(set(shots(off, page))) == 2 and off.reused == 0


def test_evidence_calls_are_not_actions_in_the_trace(browser: Any, tmp_path: Path) -> None:
    """The mask question and the screenshot are the engine's, not the scenario's: a trace records
    the page's own actions and no DOM snapshot of them (each used to cost two)."""
    import json
    import zipfile

    from smoke.pw import untraced_works

    assert untraced_works(), "this Playwright offers no internal calls: evidence is traced again (slower)"
    context = browser.new_context()
    context.tracing.start(snapshots=True)
    page = context.new_page()
    page.set_content(PAGE)
    evidence = Evidence(tmp_path, Secrets())
    page.fill("#field", "typed")
    assert evidence.capture(page, "after-fill")
    page.click("#tick")
    assert evidence.capture(page, "after-click")
    page.evaluate("1 + 1")  # outside the evidence call: traced as usual
    context.tracing.stop(path=tmp_path / "trace.zip")
    context.close()
    with zipfile.ZipFile(tmp_path / "trace.zip") as archive:
        events = [json.loads(line) for line in archive.read("trace.trace").splitlines() if line.strip()]
    methods = [e["method"] for e in events if e["type"] == "before"]
    assert "fill" in methods and "click" in methods  # the page's own actions are there
    assert "screenshot" not in methods and methods.count("evaluateExpression") == 1, methods
    assert (tmp_path / "shots" / "after-click.jpg").exists()
