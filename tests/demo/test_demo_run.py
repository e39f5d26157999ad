"""`smoke demo` end to end against the example site: captions, highlights, replay, walk-through,
pausing, new-feature selection, a headed run under xvfb-run, and no overlay in normal runs."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from tests.conftest import ROOT, run_smoke

pytestmark = pytest.mark.browser

PROBE = '''"""Looks for the demo overlay from inside a scenario, as the page under test would."""
import json
from pathlib import Path


def overlay(page, context):
    seen = page.evaluate(
        "() => ({host: document.querySelectorAll('smoke-demo-overlay').length,"
        " api: typeof window.__smokeDemo})"
    )
    Path(__file__).with_name("probe.json").write_text(json.dumps(seen))
'''

PROBE_SCENARIO = """name: Probe the page
role: demo
steps:
  - open: /home.html
  - expect_text: Account Overview
  - call: checks.probe:overlay
"""

NEW_FEATURE = """name: Find the example portal
description: A new page shows the portal's name.
tags: [new-feature]
login: false
steps:
  - open: /index.html
  - expect_text: {text: Example Portal}
    says: The portal greets you by name
"""


def demo(
    scenarios: Path, reports: Path, site_url: str, *args: str, prefix: tuple[str, ...] = ()
) -> tuple[subprocess.CompletedProcess[str], Path]:
    command = [*prefix, sys.executable, "-m", "smoke", "demo", *args, "--speed", "fast", "--scenarios",
               str(scenarios), "--report-dir", str(reports), "--server-url", site_url]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False, stdin=subprocess.DEVNULL
    )
    return done, (reports / "latest").resolve()


def step_records(run_dir: Path) -> list[dict[str, Any]]:
    results = json.loads((run_dir / "results.json").read_text())
    return [s for scenario in results["scenarios"] for s in scenario["steps"] if s["kind"] != "for_each"]


def bottom_strip(path: Path) -> tuple[float, ...]:
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        strip = rgb.crop((40, rgb.height - 60, rgb.width - 40, rgb.height - 20))
        return tuple(ImageStat.Stat(strip).mean)


def test_demo_record_captions_highlights_and_one_replay_frame_per_step(
    scenarios: Path, tmp_path: Path, site_url: str
) -> None:
    done, run_dir = demo(scenarios, tmp_path / "reports", site_url, "login", "--record", "--headless")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"replay: {run_dir}/demo/login.webp" in done.stdout
    assert f"walk-through: {run_dir}/walkthrough.html" in done.stdout
    records = step_records(run_dir)
    manifest = json.loads((run_dir / "demo" / "login" / "steps.json").read_text())
    steps = manifest["steps"]
    # one frame per step, in order, with what the caption bar really showed on the page
    assert [s["index"] for s in steps] == [r["index"] for r in records]
    assert [s["caption"] for s in steps] == [r["caption"] for r in records]
    for step in steps:
        assert step["overlay"]["caption"] == step["caption"]
        assert step["overlay"]["label"] == step["label"]
        assert step["overlay"]["scenario"] == "Log in and see the overview"
        assert step["status"] == "passed"
    by_index = {s["index"]: s for s in steps}
    assert by_index["0.1"]["label"] == "Before step 1 · log in"
    assert [by_index[str(n)]["label"] for n in range(1, 7)] == [f"Step {n} of 6" for n in range(1, 7)]
    assert by_index["3"]["caption"] == "The balance is shown"
    # the highlighted element is the one the step acts on
    [button] = by_index["0.4"]["overlay"]["highlighted"]
    assert (button["tag"], button["id"], button["text"]) == ("button", "LoginButton", "Log In")
    [field] = by_index["0.2"]["overlay"]["highlighted"]
    assert (field["tag"], field["id"]) == ("input", "Username")
    [balance] = by_index["3"]["overlay"]["highlighted"]
    assert balance["text"] == "$120.50"
    assert by_index["1"]["overlay"]["highlighted"] == []  # opening a page acts on no element
    # the replay: an animation with one frame per step
    with Image.open(run_dir / "demo" / "login.webp") as replay:
        assert replay.is_animated and replay.n_frames == len(records)
    # the frames carry the caption bar, the evidence screenshots do not
    for step, record in zip(steps, records, strict=True):
        frame = bottom_strip(run_dir / "demo" / step["frame"])
        shot = bottom_strip(run_dir / record["screenshot"])
        assert max(frame) < 80, (step["index"], frame)
        assert min(shot) > 240, (record["index"], shot)
    # no secret anywhere in what demo mode wrote
    for path in [*(run_dir / "demo").rglob("*.json"), run_dir / "walkthrough.html"]:
        assert "Demo#Pass1" not in path.read_text()
    html = (run_dir / "walkthrough.html").read_text()
    assert "The balance is shown" in html and "Log in and see the overview" in html
    assert html.count('src="data:image/jpeg;base64,') == len(records)


def test_normal_run_has_no_overlay_and_demo_run_has_one(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    (scenarios / "checks" / "probe.py").write_text(PROBE)
    (scenarios / "probe.yaml").write_text(PROBE_SCENARIO)
    probe = scenarios / "checks" / "probe.json"
    done = run_smoke(
        "run",
        "probe",
        "--scenarios",
        str(scenarios),
        "--report-dir",
        str(tmp_path / "normal"),
        "--server-url",
        site_url,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(probe.read_text()) == {"host": 0, "api": "undefined"}
    normal = (tmp_path / "normal" / "latest").resolve()
    assert not (normal / "demo").exists() and not (normal / "walkthrough.html").exists()
    for record in step_records(normal):
        assert min(bottom_strip(normal / record["screenshot"])) > 240, record["index"]
    # the same probe in a demo run sees the overlay: the check above can tell
    probe.unlink()
    done, _ = demo(scenarios, tmp_path / "demo", site_url, "probe", "--headless")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(probe.read_text()) == {"host": 1, "api": "object"}


def test_every_step_kind_passes_in_demo_mode(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    done, run_dir = demo(scenarios, tmp_path / "reports", site_url, "all-steps", "--headless")
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((run_dir / "results.json").read_text())
    assert results["scenarios"][0]["status"] == "passed"
    assert not (run_dir / "demo").exists()  # nothing recorded without --record
    for record in step_records(run_dir):
        if record["screenshot"] and "named-" not in record["screenshot"]:
            assert min(bottom_strip(run_dir / record["screenshot"])) > 240, record["index"]


def test_tag_new_feature_demos_only_the_new_scenarios(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    (scenarios / "new-portal-name.yaml").write_text(NEW_FEATURE)
    done, run_dir = demo(scenarios, tmp_path / "reports", site_url, "--tag", "new-feature", "--record", "--headless")
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((run_dir / "results.json").read_text())
    assert [s["name"] for s in results["scenarios"]] == ["Find the example portal"]
    assert results["scenarios"][0]["tags"] == ["new-feature"]
    html = (run_dir / "walkthrough.html").read_text()
    assert "New in this release" in html and "The portal greets you by name" in html


def test_pause_waits_for_enter_and_c_runs_to_the_end(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    command = [sys.executable, "-m", "smoke", "demo", "login", "--pause", "--headless", "--speed", "fast",
               "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "reports"),
               "--server-url", site_url]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()  # type: ignore[union-attr]

    def next_prompt() -> str:
        while True:
            line = lines.get(timeout=60)
            if line.startswith("paused before"):
                return line.strip()

    try:
        assert next_prompt().startswith("paused before Before step 1 · log in: Log in as demo: Open /index.html")
        assert process.poll() is None  # waiting for the person
        process.stdin.write("\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        assert next_prompt().startswith("paused before Before step 1 · log in: Log in as demo: Fill label 'Username'")
        assert process.poll() is None
        process.stdin.write("c\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert process.returncode == 0, "".join(rest)
    assert not any(line.startswith("paused before") for line in rest)  # c: no more pauses
    results = json.loads(((tmp_path / "reports" / "latest") / "results.json").read_text())
    assert results["scenarios"][0]["status"] == "passed"


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed (apt-get install xvfb)")
def test_headed_demo_under_xvfb_run(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    env_display = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    reports = tmp_path / "reports"
    command = ["xvfb-run", "-a", "-s", "-screen 0 1400x1000x24", sys.executable, "-m", "smoke", "demo",
               "login", "--record", "--speed", "fast", "--scenarios", str(scenarios),
               "--report-dir", str(reports), "--server-url", site_url]  # fmt: skip
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env=env_display,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run_dir = (tmp_path / "reports" / "latest").resolve()
    results = json.loads((run_dir / "results.json").read_text())
    assert results["browser"]["headless"] is False
    assert results["command"].startswith("smoke demo login")
    with Image.open(run_dir / "demo" / "login.webp") as replay:
        assert replay.n_frames == len(step_records(run_dir))
    from smoke.browser import ffmpeg_for_playwright

    if ffmpeg_for_playwright()[0]:
        [scenario] = results["scenarios"]
        assert scenario["video"] and (run_dir / scenario["video"]).stat().st_size > 1000


def test_a_failing_step_fails_the_same_way_in_demo_mode(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    (scenarios / "wrong-balance.yaml").write_text(
        "name: Wrong balance\nrole: demo\nsteps:\n  - open: /home.html\n"
        "  - expect_text: {test_id: balance, text: '$99.00', exact: true}\n    timeout: 1\n"
        "  - open: /never.html\n"
    )
    normal = run_smoke("run", "wrong-balance", "--scenarios", str(scenarios),
                       "--report-dir", str(tmp_path / "n"), "--server-url", site_url)  # fmt: skip
    done, run_dir = demo(scenarios, tmp_path / "reports", site_url, "wrong-balance", "--record", "--headless")
    assert normal.returncode == done.returncode == 1
    for out in (normal.stdout, done.stdout):
        assert "step 2 'See '$99.00' in [data-testid=balance]' failed" in out
        assert "expected: $99.00" in out and "shown:    $120.50" in out
    steps = json.loads((run_dir / "demo" / "wrong-balance" / "steps.json").read_text())["steps"]
    assert [s["status"] for s in steps][-1] == "failed" and len(steps) == len(step_records(run_dir))
    assert "did not respond as expected" in (run_dir / "walkthrough.html").read_text()
