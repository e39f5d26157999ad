from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from smoke.report.pdf import write_pdf
from smoke.report.render import render_report
from smoke.results import RunResult
from tests.conftest import launched_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launched_chromium()


def _all_images_loaded(page) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    # the screenshots inside the lightboxes load lazily; make them all load, then measure
    return page.evaluate(
        """async () => {
            const imgs = Array.from(document.images);
            imgs.forEach((img) => { img.loading = 'eager'; });
            await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
            const broken = imgs.filter((img) => !(img.naturalWidth > 0));
            return [imgs.length, broken.map((img) => img.src.slice(0, 80))];
        }"""
    )


def test_report_in_a_browser(browser, synthetic_run: Path) -> None:  # type: ignore[no-untyped-def]
    run = RunResult.read(synthetic_run / "results.json")
    counts = run.count()
    report = render_report(synthetic_run)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda request: errors.append(request.url))
    page.goto(report.as_uri())

    assert page.locator(".verdict-headline").inner_text() == "FAILED"
    for key in ("passed", "failed", "skipped", "flaky", "total"):
        assert page.locator(f'[data-count="{key}"] .tile-value').inner_text() == str(counts[key])

    total, broken = _all_images_loaded(page)
    steps = sum(len(s.steps) + sum(len(a.steps) for a in s.attempts) for s in run.scenarios)
    assert total >= 2 * steps and broken == []

    failure = page.locator("#failures .failure")
    assert failure.count() == 1
    assert "differs from production" in failure.locator(".failure-message").inner_text()
    assert failure.locator(".failure-shot img").evaluate("img => img.naturalWidth") > 0
    assert "Browser console errors (2)" in failure.inner_text()
    assert "playwright show-trace" in failure.inner_text()

    # the thumbnail opens the full screenshot; arrows and Esc move and close (keyboard)
    # a passing scenario starts collapsed to its one line: open it first
    page.locator("#s2 summary.scenario-line").click()
    thumb = page.locator("#s2 .thumb").first
    thumb.focus()
    page.keyboard.press("Enter")
    box = page.locator("#s2-st1-shot")
    assert box.is_visible()
    assert box.locator("img").evaluate("img => img.complete && img.naturalWidth") > 0
    page.keyboard.press("ArrowRight")
    assert page.locator("#s2-st2-shot").is_visible() and not box.is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#s2-st2-shot").is_visible()
    assert page.evaluate("location.hash") == "#s2-st2"

    # every link inside the page has its target; every link to a file has its file
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.getAttribute('href'))")
    ids = set(page.eval_on_selector_all("[id]", "els => els.map((e) => e.id)"))
    for href in hrefs:
        if href.startswith("#"):
            assert href[1:] in ids, href
        elif not re.match(r"^[a-z]+:", href):
            assert (report.parent / href).is_file(), href

    # failures only: the checkbox hides passing scenarios, with or without script
    assert page.locator("article.scenario:visible").count() == len(run.scenarios)
    page.locator("label.filter-label").click()
    assert page.locator("article.scenario:visible").count() == 1
    assert page.locator(".filter-note").is_visible()
    assert errors == []
    page.close()


def test_single_file_opens_offline(browser, synthetic_run: Path) -> None:  # type: ignore[no-untyped-def]
    report = render_report(synthetic_run, single_file=True)
    context = browser.new_context(offline=True, java_script_enabled=False)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(report.as_uri())
    context.set_offline(True)
    assert requested and all(url == report.as_uri() or url.startswith("data:") for url in requested)
    # without script the lightbox still opens (it is a :target)
    page.locator("#s1 .thumb").first.click()
    assert page.locator("#s1-st1-shot").is_visible()
    assert page.locator("#s1-st1-shot img").evaluate("img => img.naturalWidth") > 0
    assert page.locator(".failure-shot img").evaluate("img => img.naturalWidth") > 0
    context.close()


def test_pdf_has_pages(synthetic_run: Path, tmp_path: Path) -> None:
    from smoke.browser import chromium_launch_kwargs, find_chromium

    if not find_chromium().found:
        pytest.skip("no Chromium on this machine (smoke doctor)")
    report = render_report(synthetic_run)
    pdf = write_pdf(report, synthetic_run / "report.pdf", chromium_launch_kwargs())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages > 1
    assert (synthetic_run / "report.pdf.sha256").is_file()
