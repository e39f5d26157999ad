"""The opt-in phase timers that `make bench` reads: what a run spent its time on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_smoke

pytestmark = pytest.mark.browser


def test_the_phase_timers_count_what_the_run_did(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    out = tmp_path / "phases.json"
    done = run_smoke(
        "run", "login", "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "r"), "--server-url", site_url,
        "--pytest-arg=-psmoke.run.phases",
        env={"SMOKE_PHASES": str(out)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(out.read_text())
    phases = data["phases"]
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    [scenario] = results["scenarios"]
    shots = sum(1 for step in scenario["steps"] if step["screenshot"])
    assert phases["scenarios"]["calls"] == 1
    assert phases["screenshots"]["calls"] >= shots > 0
    assert phases["report and index"]["calls"] >= 1
    assert 0 < phases["screenshots"]["s"] < phases["scenarios"]["s"] <= scenario["duration_s"] + 0.5
    marks = data["marks"]
    assert marks["process started"] <= marks["pytest configured"] <= marks["collected"] <= marks["finished"]
