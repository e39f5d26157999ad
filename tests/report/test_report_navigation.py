"""The report opens on what a signer needs: collapsed scenarios, filters, permalinks, page health, slower pages."""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from smoke.report.frames import plan_frames
from smoke.report.render import render_report
from smoke.results import HealthEvent, RunResult, SlowStep
from tests.report.helpers import Elements


def _render(run_dir: Path, **kwargs: object) -> tuple[str, Elements]:
    text = render_report(run_dir, **kwargs).read_text(encoding="utf-8")  # type: ignore[arg-type]
    return text, Elements(text)


def _made_up(run_dir: Path) -> RunResult:
    """The synthetic run with page health events, a slower page and a compare: step without a baseline."""
    run = RunResult.read(run_dir / "results.json")
    payments, login = run.scenarios[1], run.scenarios[3]
    payments.health = [
        HealthEvent(
            "page_error", "TypeError: total is undefined", "http://x/AdminPortal/Payments", "2", count=3, action="fail"
        ),
        HealthEvent("console_error", "favicon.ico 404", "http://x/AdminPortal/Payments", "3", caption="Click Save"),
    ]
    login.steps[1].status = "not checked"
    run.slower = [
        SlowStep(
            scenario=login.name,
            file=login.file,
            step=login.steps[0].index,
            caption="Open the login page",
            url="http://x/AdminPortal/Login",
            now_s=7.5,
            before_s=1.25,
            runs=5,
            timed_out=True,
        )
    ]
    run.status, run.verdict = "running", ""  # let decide() tell again
    run.write(run_dir / "results.json")
    return run


def test_scenarios_are_one_line_each_and_failed_and_flaky_start_open(synthetic_run: Path) -> None:
    text, doc = _render(synthetic_run)
    run = RunResult.read(synthetic_run / "results.json")
    articles = doc.find("article", class_="scenario")
    details = doc.find("details", class_="scenario-details")
    assert len(articles) == len(details) == len(run.scenarios)
    opened = {s.status for s, d in zip(run.scenarios, details, strict=True) if "open" in d}
    closed = {s.status for s, d in zip(run.scenarios, details, strict=True) if "open" not in d}
    assert opened == {"failed", "flaky"} and closed == {"passed", "skipped"}
    # the one line: status, duration, steps and checklist ids, before anything else of the scenario
    first = text[text.index('id="s1"') :]
    line = first[first.index("<summary") : first.index("</summary>")]
    assert "Failed" in line and " steps" in line and "diverse-accounts, account-data" in line
    assert re.search(r"\d+(\.\d+)? s · \d+ steps", line)


def test_every_scenario_and_step_has_a_permalink(synthetic_run: Path) -> None:
    _, doc = _render(synthetic_run)
    links = {a["href"] for a in doc.find("a", class_="permalink")}
    ids = [a["id"] for t, a in doc.tags if t in ("article", "li") and "scenario" in a.get("class", "") + t]
    assert ids and all(f"#{i}" in links for i in ids)


def test_filters_and_search_are_there_and_work_without_script(synthetic_run: Path) -> None:
    text, doc = _render(synthetic_run)
    radios = doc.find("input", class_="status-filter")
    assert [r["id"] for r in radios] == ["show-all", "show-failed", "show-flaky", "show-passed", "show-other"]
    assert all(text.index(f'id="{r["id"]}"') < text.index("<main") for r in radios)
    assert {lab["for"] for lab in doc.find("label", class_="status-chip")} >= {"show-all", "show-failed", "show-flaky"}
    assert doc.find("input", id="scenario-search")[0]["type"] == "search"
    css = (synthetic_run / "assets" / "report.css").read_text(encoding="utf-8")
    assert "#show-failed:checked ~ main article.scenario:not(.is-failure)" in css
    assert ".js-only { display: none; }" in css  # the search box shows only where the script runs
    # the scenario index table is gone: the collapsed lines are the index
    assert "scenario-index" not in text


def test_page_health_and_slower_sections_render_from_the_results(synthetic_run: Path) -> None:
    _made_up(synthetic_run)
    text, doc = _render(synthetic_run)
    assert (
        text.index('id="failures"')
        < text.index('id="health"')
        < text.index('id="slower"')
        < text.index('id="checklist"')
    )
    health = text[text.index('id="health"') : text.index('id="slower"')]
    rows = doc.find("tr", class_="health-fail") + doc.find("tr", class_="health-warn")
    assert len(rows) == 2 and doc.find("tr", class_="health-fail")[0]["data-kind"] == "page_error"
    for value in (
        "http://x/AdminPortal/Payments",
        "Uncaught error",
        "TypeError: total is undefined",
        ">3<",
        "favicon.ico 404",
        "Click Save",
    ):
        assert value in health, value
    assert health.index("TypeError") < health.index("favicon")  # failures first
    assert 'href="#s2-st2"' in health  # the step's permalink
    slower = text[text.index('id="slower"') : text.index('id="checklist"')]
    for value in (
        "Open the login page",
        "http://x/AdminPortal/Login",
        "1.25 s",
        "7.50 s",
        "6.0x",
        "median of 5 runs",
        "timed out",
    ):
        assert value in slower, value
    tiles = dict(re.findall(r'data-count="([a-z-]+)">(?:<a href="[^"]*">)?<span class="tile-value">(\d+)</span>', text))
    assert tiles["health-failures"] == "3" and tiles["health-warnings"] == "1" and tiles["slower"] == "1"
    assert tiles["not-checked"] == "1"


def test_not_checked_has_its_own_badge_and_is_never_passed(synthetic_run: Path) -> None:
    run = _made_up(synthetic_run)
    text, doc = _render(synthetic_run)
    step = run.scenarios[3].steps[1]
    li = next(a for t, a in doc.tags if t == "li" and a.get("id") == "s4-st2")
    assert "step-not-checked" in li["class"] and "step-passed" not in li["class"]
    item = text[text.index('id="s4-st2"') :].split("</li>")[0]
    assert '<span class="badge badge-not-checked">Not checked</span>' in item
    assert html.escape(step.caption).replace("&#x27;", "&#39;") in item
    assert "1 not checked" in text[text.index('id="s4"') :].split("</summary>")[0]
    assert "not checked (nothing to compare with yet)" in text  # in the verdict's notes


def test_sections_are_hidden_when_there_is_nothing_to_show(synthetic_run: Path) -> None:
    text, doc = _render(synthetic_run)
    assert 'id="health"' not in text and 'id="slower"' not in text
    assert not [
        t for t in doc.find("li", class_="tile") if t["data-count"] in ("health-warnings", "slower", "not-checked")
    ]


def _page(path: Path, text: str, field: str = "", *, table: bool = False) -> None:
    image = Image.new("RGB", (1280, 800), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1280, 40), fill=(22, 58, 104))
    draw.text((20, 80), text, fill=(0, 0, 0))
    draw.rectangle((400, 300, 700, 330), outline=(0, 0, 0))
    draw.text((410, 302), field, fill=(0, 0, 0), font_size=24)
    if table:  # another page under the same address: most of the screen changes
        for row in range(20):
            draw.rectangle((20, 100 + row * 30, 1260, 126 + row * 30), fill=(230, 236, 244), outline=(120, 120, 120))
    image.save(path, "JPEG", quality=85)


def _decode(uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")


def test_frames_store_a_screenshot_once_and_a_small_change_as_its_region(tmp_path: Path) -> None:
    _page(tmp_path / "1.jpg", "Login")
    _page(tmp_path / "2.jpg", "Login", "admin")  # the same page, one field filled
    (tmp_path / "3.jpg").write_bytes((tmp_path / "2.jpg").read_bytes())  # nothing changed
    _page(tmp_path / "4.jpg", "Login", "admin")  # the same picture at another address
    _page(tmp_path / "5.jpg", "Overview", table=True)  # the same address, a large change
    url = "http://x/Login"
    steps = [("1.jpg", url), ("2.jpg", url), ("3.jpg", url), ("4.jpg", "http://x/Home"), ("5.jpg", "http://x/Home")]
    frames = plan_frames(tmp_path, steps)
    assert [frames[s].is_key for s, _ in steps] == [True, False, False, True, True]
    assert frames["2.jpg"].key == "1.jpg" and len(frames["2.jpg"].patches) == 1
    assert frames["3.jpg"].key == "2.jpg" or frames["3.jpg"].key == "1.jpg"
    patch = frames["2.jpg"].patches[0]
    # the region lies inside the field (400..700 x 300..330 of 1280 x 800), where the text changed
    assert patch.left >= 31.0 and patch.left + patch.width <= 54.9
    assert patch.top >= 37.2 and patch.top + patch.height <= 41.6
    # laid over the frame at its place, the region gives the step's own screenshot back
    key = _decode(frames["1.jpg"].src or "")
    region = _decode(patch.src)
    composed = key.copy()
    box = (round(patch.left * key.width / 100), round(patch.top * key.height / 100))
    composed.paste(region.resize((round(patch.width * key.width / 100), round(patch.height * key.height / 100))), box)
    with Image.open(tmp_path / "2.jpg") as original:
        expected = original.convert("RGB").resize(key.size, Image.Resampling.LANCZOS)
    # WebP is lossy, so compare on average: the composition is as close as encoding allows, and the
    # region shows the change (the bare frame, without it, is further off where the field is)
    field = (box[0], box[1], box[0] + region.width, box[1] + region.height)

    def mean_difference(a: Image.Image, crop: tuple[int, int, int, int] | None = None) -> float:
        # blurred: half a pixel of placement or WebP's ringing around letters is not a difference
        diff = ImageChops.difference(
            a.filter(ImageFilter.GaussianBlur(1.5)), expected.filter(ImageFilter.GaussianBlur(1.5))
        )
        return ImageStat.Stat((diff.crop(crop) if crop else diff).convert("L")).mean[0]

    assert mean_difference(composed) < 1.5
    assert mean_difference(composed, field) < mean_difference(key, field) / 2
    assert key.width == 960  # sized for reading
