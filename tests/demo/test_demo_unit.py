"""Demo mode without a browser: step labels, pausing, the replay, the walk-through, the command."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from smoke.overlay import (
    PACES,
    PauseControl,
    build_outputs,
    build_replay,
    render_walkthrough,
    step_label,
    step_progress,
)
from smoke.scenario import load_scenario
from tests.conftest import EXAMPLE, run_smoke

JARGON = ("pytest", "passed", "failed", "assert", "locator", "nodeid", "xfail", "traceback", "expect_")


def test_labels_count_the_scenario_steps_and_say_where_in_a_loop_or_login_a_step_is() -> None:
    scenario = load_scenario(EXAMPLE / "scenarios" / "all-steps.yaml")
    total = len(scenario.steps)
    assert step_label(scenario, "1") == f"Step 1 of {total}"
    assert step_label(scenario, str(total)) == f"Step {total} of {total}"
    assert step_label(scenario, "0.2") == "Before step 1 · log in"
    as_step = next(n for n, s in enumerate(scenario.steps, 1) if s.kind == "as")
    assert step_label(scenario, f"{as_step}.3") == f"Step {as_step} of {total} · log in"
    loop = next(n for n, s in enumerate(scenario.steps, 1) if s.kind == "for_each")
    assert step_label(scenario, f"{loop}.2.1") == f"Step {loop} of {total} · row 2"
    assert step_progress(scenario, "0.1") == 0
    assert step_progress(scenario, str(total)) == 1


def test_paces_get_slower_from_fast_to_slow() -> None:
    fast, normal, slow = PACES["fast"], PACES["normal"], PACES["slow"]
    assert fast.before_ms < normal.before_ms < slow.before_ms
    assert fast.typing_ms < normal.typing_ms < slow.typing_ms


class FakePage:
    """Just enough of a page for PauseControl: the Next button is clicked after `clicks_after` polls."""

    def __init__(self, choice: str | None = None, clicks_after: int = 2) -> None:
        self.choice = choice
        self.clicks_after = clicks_after
        self.polls = 0
        self.calls: list[Any] = []

    def is_closed(self) -> bool:
        return False

    def evaluate(self, script: str, arg: Any = None) -> Any:
        if "takeChoice" in script:
            self.polls += 1
            return self.choice if self.polls >= self.clicks_after else None
        self.calls.append(arg)
        return None


def test_pause_goes_on_when_enter_is_pressed_in_the_terminal() -> None:
    pause = PauseControl(stdin=io.StringIO("\n"), poll_s=0.01)
    page = FakePage()
    pause.wait(page, "Step 1 of 3", "Open /home.html")  # type: ignore[arg-type]
    assert pause.active
    # the Next and Continue buttons are shown while waiting and hidden after
    assert ["setPaused", [True]] in page.calls and page.calls[-1] == ["setPaused", [False]]


def test_pause_c_enter_runs_to_the_end() -> None:
    pause = PauseControl(stdin=io.StringIO("c\n"), poll_s=0.01)
    pause.wait(FakePage(), "Step 1 of 3", "Open /home.html")  # type: ignore[arg-type]
    assert not pause.active


@pytest.mark.parametrize(("choice", "still_pausing"), [("next", True), ("continue", False)])
def test_pause_goes_on_when_the_page_buttons_are_clicked(choice: str, still_pausing: bool) -> None:
    blocked = io.StringIO()  # readline() on an empty StringIO is EOF: headed, so it keeps waiting for the page
    pause = PauseControl(stdin=blocked, headless=False, poll_s=0.01)
    page = FakePage(choice, clicks_after=3)
    pause.wait(page, "Step 2 of 3", "Click Save")  # type: ignore[arg-type]
    assert page.polls >= 3
    assert pause.active is still_pausing


def test_pause_without_terminal_or_window_runs_to_the_end() -> None:
    pause = PauseControl(stdin=io.StringIO(""), headless=True, poll_s=0.01)
    pause.wait(FakePage(), "Step 1 of 3", "Open /home.html")  # type: ignore[arg-type]
    assert not pause.active


def _frames(folder: Path, n: int, same: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        colour = (200, 200, 200) if same else (40 * i % 255, 120, 200 - 30 * i % 200)
        path = folder / f"{i + 1:03d}.jpg"
        Image.new("RGB", (1280, 800), colour).save(path, "JPEG")
        paths.append(path)
    return paths


@pytest.mark.parametrize("same", [False, True])
def test_replay_is_an_animation_with_one_frame_per_step(tmp_path: Path, same: bool) -> None:
    frames = _frames(tmp_path / "frames", 5, same=same)
    out = build_replay(frames, tmp_path / "replay")
    with Image.open(out) as image:
        assert image.is_animated
        assert image.n_frames == 5
        assert image.width == 1024


def _manifest(run_dir: Path, key: str, name: str, tags: list[str], captions: list[str]) -> None:
    frames = _frames(run_dir / "demo" / key, len(captions))
    steps = [
        {"n": i + 1, "index": str(i + 1), "label": f"Step {i + 1} of {len(captions)}", "caption": caption,
         "kind": "click", "frame": f"{key}/{frames[i].name}", "status": "passed"}
        for i, caption in enumerate(captions)
    ]  # fmt: skip
    steps[-1]["status"] = "failed"
    manifest = {
        "key": key,
        "name": name,
        "description": f"About {name}",
        "file": f"scenarios/{key}.yaml",
        "tags": tags,
        "total": len(captions),
        "steps": steps,
    }
    (run_dir / "demo" / key / "steps.json").write_text(json.dumps(manifest))


def test_walkthrough_puts_new_features_first_in_plain_words_with_every_picture(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    _manifest(
        run_dir,
        "signup",
        "Portal signup",
        [],
        ["Open /Signup", "Fill First Name with 'Smoke'", "Click Create Account"],
    )
    _manifest(run_dir, "autopay", "Set up automatic payments", ["new-feature"], ["Open /AutoPay", "Tick Enable"])
    (run_dir / "results.json").write_text(
        json.dumps(
            {
                "started": "2026-11-26T10:00:00",
                "release": "8.6.1",
                "target": {"name": "sandbox"},
                "scenarios": [],
            }
        )
    )
    built = build_outputs(run_dir)
    assert set(built["replays"]) == {"signup", "autopay"}
    for key, count in (("signup", 3), ("autopay", 2)):
        with Image.open(built["replays"][key]) as image:
            assert image.n_frames == count
    html = built["walkthrough"].read_text()
    assert built["walkthrough"] == run_dir / "walkthrough.html"
    body = html[html.index("<main>") :]
    assert body.index("New in this release") < body.index("Set up automatic payments") < body.index("Portal signup")
    assert html.count('src="data:image/jpeg;base64,') == 5
    for caption in (
        "Fill First Name with &#39;Smoke&#39;",
        "Click Create Account",
        "Tick Enable",
        "About Portal signup",
    ):
        assert caption in html
    assert "Release 8.6.1" in html and "demo/signup.webp" in html
    text = html.lower()
    for word in JARGON:
        assert word not in text, word


def test_walkthrough_escapes_captions(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    _manifest(run_dir, "x", "<b>bold</b>", [], ["See '<script>alert(1)</script>'"])
    html = render_walkthrough(
        run_dir, json.loads("[" + (run_dir / "demo/x/steps.json").read_text() + "]"), {}
    ).read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_demo_without_a_display_says_how_to_get_one_and_exits_2(scenarios: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    no_display = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    done = run_smoke("demo", "login", "--scenarios", str(scenarios), "--report-dir", str(reports), env=no_display)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "xvfb-run -a smoke demo" in lines[0]
    assert not (tmp_path / "reports").exists()  # no browser, no run


def test_demo_is_a_smoke_command_with_its_options() -> None:
    done = run_smoke("demo", "--help")
    assert done.returncode == 0
    for option in ("--speed [slow|normal|fast]", "--pause", "--record", "--tag", "--target"):
        assert option in done.stdout
    assert "demo" in run_smoke("--help").stdout


def test_importing_the_command_stays_light() -> None:
    import subprocess
    import sys

    heavy = "('playwright', 'PIL', 'jinja2', 'pytest')"
    code = f"import sys, smoke.demo; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
