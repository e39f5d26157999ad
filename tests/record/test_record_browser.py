"""`smoke record`'s machinery under xvfb-run: a scripted visit of the sandbox, recorded, becomes a
scenario that `smoke check` accepts and `smoke run` passes, with no secret in it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_smoke

pytestmark = pytest.mark.browser

SECRETS = ["Admin#2026", "Readonly#2026", "Csr#2026", "Portal#2026"]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt-get install xvfb)")
def test_a_recorded_visit_checks_runs_and_keeps_no_secret(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios, ignore=shutil.ignore_patterns("__pycache__", "baselines"))
    driver = Path(__file__).parent / "drive_recording.py"
    recorded = subprocess.run(
        ["xvfb-run", "-a", sys.executable, str(driver), str(scenarios), "recorded-visit"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    path = scenarios / "recorded-visit.yaml"
    text = path.read_text()
    for secret in SECRETS:
        assert secret not in text
    assert "{{ env.SMOKE_READONLY_PASSWORD }}" in text
    assert "expect_text: {ref: overview.balance" in text
    assert "fill: {ref: login.password, value: '{{ env.SMOKE_READONLY_PASSWORD }}'}" in text
    assert not list(scenarios.glob("_*.recording.yaml"))

    checked = run_smoke("check", "recorded-visit", "--scenarios", str(scenarios))
    assert checked.returncode == 0, checked.stderr
    ran = run_smoke(
        "run", "recorded-visit", "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "reports"),
        "--trace", "off", timeout=240,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 passed" in ran.stdout

    again = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-m", "smoke", "record", "recorded-visit", "--scenarios", str(scenarios)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert again.returncode == 2
    assert "exists" in again.stderr and "--force" in again.stderr
