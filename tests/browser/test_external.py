"""The provisioning-external scenarios against the sandbox: healthy they pass and show both sides;
with a radius-* fault the scenario fails and names the subscriber that is wrong on the RADIUS server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_smoke

pytestmark = pytest.mark.browser

SCENARIOS = ("provisioning-external", "provisioning-external-signup")


def _run(reports: Path, *names: str, fault: str = "") -> tuple[Any, dict[str, Any]]:
    done = run_smoke("run", *names, "--report-dir", str(reports), env={"ENGAGEIP_SANDBOX_FAULTS": fault}, timeout=300)
    results_file = reports / "latest" / "results.json"
    return done, json.loads(results_file.read_text()) if results_file.exists() else {}


def test_healthy_sandbox_passes_and_the_report_shows_both_sides(tmp_path: Path) -> None:
    done, results = _run(tmp_path / "reports", *SCENARIOS)
    assert done.returncode == 0, done.stdout + done.stderr
    by_file = {Path(s["file"]).stem: s for s in results["scenarios"]}
    scenario = by_file["provisioning-external"]
    [table] = scenario["tables"]
    assert table["columns"] == ["Row", "EngageIP request", "RADIUS subscriber", "Result"]
    cells = {row["cells"][0].split(":")[0]: row["cells"] for row in table["rows"]}
    assert set(cells) == {"Add package Fiber 100", "Cancel package DSL Basic", "Suspend account (Fiber 500)"}
    assert cells["Add package Fiber 100"][1].endswith("| Add User | Completed")
    assert "profile=Fiber 100, status=Active" in cells["Add package Fiber 100"][2]
    assert cells["Cancel package DSL Basic"][2].startswith("0 × subscriber")
    assert "status=Suspended" in cells["Suspend account (Fiber 500)"][2]
    signup = by_file["provisioning-external-signup"]
    assert any(s["kind"] == "expect_json" and s["status"] == "passed" for s in signup["steps"])
    # the RADIUS server's own page is in the evidence
    assert any(
        s["kind"] == "open" and s["url"] and "?q=smoke-ext" in s["url"] and s["screenshot"] for s in signup["steps"]
    )


def test_radius_no_suspend_fails_and_names_the_stale_subscriber(tmp_path: Path) -> None:
    done, results = _run(tmp_path / "reports", "provisioning-external", fault="radius-no-suspend")
    assert done.returncode == 1, done.stdout + done.stderr
    [scenario] = results["scenarios"]
    assert scenario["status"] == "failed"
    message = scenario["error"]["message"]
    assert "1 of 3 rows failed (Suspend account (Fiber 500): smoke-ext-" in message
    assert "status is 'Active', expected 'Suspended'" in message
    # EngageIP's side looked fine: its Suspend User request is Completed
    [row] = [r for r in scenario["tables"][0]["rows"] if r["cells"][0].startswith("Suspend account")]
    assert row["status"] == "failed" and "Suspend User | Completed" in row["cells"][1]
