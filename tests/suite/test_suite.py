"""The default suite against the sandbox: healthy it passes; with a fault on, the right scenario fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_smoke

pytestmark = pytest.mark.browser


def test_the_default_suite_passes_on_a_healthy_sandbox_with_two_workers(tmp_path: Path) -> None:
    done = run_smoke("run", "--workers", "2", "--report-dir", str(tmp_path / "r"), timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    assert results["status"] == "passed" and results["counts"]["total"] >= 16
    checklist = {item["id"]: item for item in results["checklist"]}
    for item in checklist.values():
        if item["required"]:
            assert item["status"] == "passed", item
    # each worker logs in at most once per role (and per portal customer) it uses
    assert results["logins"] <= 2 * 12
    assert "report: " in done.stdout and (tmp_path / "r" / "latest" / "report.html").exists()


def test_the_fault_matrix_catches_faults_in_the_scenario_a_person_expects(tmp_path: Path) -> None:
    from smoke.sandbox.faultmatrix import run_matrix
    from tests.conftest import ROOT

    faults = ["card-declines-all", "contact-save-ignored", "role-readonly-gained-setup", "page-extension-missing"]
    rows, table = run_matrix(
        faults, with_healthy=False, scenarios_dir=ROOT / "scenarios", out_dir=tmp_path, say=lambda _: None
    )
    by_fault = {row.fault: row for row in rows}
    assert all(by_fault[name].caught for name in faults), [(r.fault, r.note, r.failed) for r in rows]
    assert {f["scenario"] for f in by_fault["card-declines-all"].failed} >= {"payment-processing", "online-payments"}
    assert {f["scenario"] for f in by_fault["role-readonly-gained-setup"].failed} == {"role-permissions"}
    assert "Declined" in next(
        f["message"] for f in by_fault["card-declines-all"].failed if f["scenario"] == "payment-processing"
    )
    text = table.read_text()
    assert "`contact-save-ignored` | contacts | **contacts**:" in text
