"""The collapsed report, its single file and the short PDF, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from smoke.report.pdf import print_pdfs
from smoke.report.render import render_report
from smoke.results import RunResult
from tests.conftest import launched_chromium
from tests.report.synthetic import make_synthetic_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launched_chromium()


@pytest.fixture(scope="module")
def looping_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 300 steps: for_each rows open a page and then check it, so steps share frames
    return make_synthetic_run(tmp_path_factory.mktemp("loops") / "run", steps=300, failures=1)


_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  const regions = Array.from(document.querySelectorAll('.patch')).map((p) => getComputedStyle(p).backgroundImage.slice(5, -2));
  const loaded = await Promise.all(regions.map((src) => new Promise((done) => {
    const img = new Image(); img.onload = () => done(img.naturalWidth > 0); img.onerror = () => done(false); img.src = src;
  })));
  return [imgs.length, imgs.filter((img) => !(img.naturalWidth > 0)).length, regions.length, loaded.filter((ok) => !ok).length];
}"""


def test_single_file_shows_every_step_screenshot_without_script(browser, looping_run: Path) -> None:  # type: ignore[no-untyped-def]
    run = RunResult.read(looping_run / "results.json")
    report = render_report(looping_run, single_file=True)
    text = report.read_text(encoding="utf-8")
    steps = [(n, i) for n, s in enumerate(run.scenarios, 1) for i, st in enumerate(s.steps, 1) if st.screenshot]
    full_frames = text.count('<div class="lightbox" ')
    states = text.count('<div class="lb-state" ')
    assert full_frames + states == len(steps) + sum(len(a.steps) for s in run.scenarios for a in s.attempts)
    assert states > len(steps) / 4  # stored once: a good share of the steps show an earlier frame
    checker = browser.new_page()  # image load events need script; the report itself does not
    checker.goto(report.as_uri())
    total, broken, regions, bad_regions = checker.evaluate(_IMAGES)
    assert total >= full_frames and broken == 0 and regions > 0 and bad_regions == 0
    checker.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(report.as_uri())
    # every step's own screenshot opens at its permalink, also inside a scenario that starts closed
    # every fourth step, and every step that shows an earlier frame: loading the page anew per step is slow
    shows_earlier = set(re.findall(r'<div class="lb-state" id="(s\d+-st\d+)-shot"', text))
    for number, index in steps:
        anchor = f"s{number}-st{index}-shot"
        if index % 4 and anchor[: -len("-shot")] not in shows_earlier:
            continue
        page.evaluate("id => { location.hash = id; }", anchor)
        box = page.locator(f"#{anchor}")
        assert box.is_visible(), anchor
        assert box.locator(".lightbox-title").first.inner_text().startswith("Step ")
        frame = page.locator(f".lightbox:has(#{anchor}) .frame > img, #{anchor} .frame > img").first
        assert frame.evaluate("img => img.naturalWidth") > 0, anchor
    context.close()


def test_permalink_opens_a_closed_scenario_and_search_filters(browser, synthetic_run: Path) -> None:  # type: ignore[no-untyped-def]
    run = RunResult.read(synthetic_run / "results.json")
    report = render_report(synthetic_run)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(report.as_uri())
    assert not page.locator("#s2 .steps").is_visible()  # passing: collapsed to its line
    page.goto(f"{report.as_uri()}#s2-st3")
    assert page.locator("#s2-st3").is_visible()
    # with everything collapsed the report is a few screens tall
    page.locator("#collapse-all").click()
    assert page.evaluate("document.documentElement.scrollHeight") < 6 * 900
    page.locator("#scenario-search").fill("card processor")
    visible = page.locator("article.scenario:visible")
    assert visible.count() == 1 and "Pay a bill on every card processor" in visible.inner_text()
    assert page.locator("#search-count").inner_text() == f"1 of {len(run.scenarios)} scenarios match"
    page.locator("#scenario-search").fill("")
    assert page.locator("article.scenario:visible").count() == len(run.scenarios)
    # the status filter needs no script
    page.locator('label[for="show-flaky"]').click()
    assert [a.get_attribute("data-status") for a in page.locator("article.scenario:visible").all()] == ["flaky"]
    page.close()


def test_short_pdf_for_the_signoff(synthetic_run: Path) -> None:
    from smoke.browser import find_chromium

    if not find_chromium().found:
        pytest.skip("no Chromium on this machine (smoke doctor)")
    (short,) = print_pdfs(synthetic_run, full=False)
    assert short == synthetic_run / "report-short.pdf" and (synthetic_run / "report-short.pdf.sha256").is_file()
    data = short.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert data.startswith(b"%PDF-") and 3 <= pages <= 20 and len(data) <= 5 * 1024 * 1024
    html = (synthetic_run / "report-short.html").read_text(encoding="utf-8")
    run = RunResult.read(synthetic_run / "results.json")
    assert html.count('<figure class="picture') == len(run.scenarios)
    for section in ('id="summary"', 'id="failures"', 'id="checklist"', 'id="pictures"', 'id="signoff"'):
        assert section in html
    assert 'class="steps"' not in html  # the steps are in the full report
