"""`smoke baseline capture` against the sandbox, then the diverse-accounts scenario against the capture."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_smoke

pytestmark = pytest.mark.browser


def test_capture_compares_clean_and_one_edited_balance_fails_exactly_that_account(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios, ignore=shutil.ignore_patterns("__pycache__"))
    captured = tmp_path / "captured.yaml"
    done = run_smoke("baseline", "capture", "--scenarios", str(scenarios), "--out", str(captured))
    assert done.returncode == 0, done.stdout + done.stderr
    text = captured.read_text()
    assert text.startswith("# Captured by `smoke baseline capture` from target 'sandbox' (release 9.6.2")
    original = yaml.safe_load((ROOT / "scenarios" / "data" / "accounts.yaml").read_text())
    data = yaml.safe_load(text)
    assert data["capture"] == original["capture"]
    assert data["accounts"] == original["accounts"], "the sandbox shows what accounts.yaml expects"

    shutil.copy(captured, scenarios / "data" / "accounts.yaml")
    done = run_smoke("run", "diverse-accounts", "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 0, done.stdout + done.stderr

    edited = re.sub(r"(number: '10005'.*?balance: )'?\$55\.01'?", r"\1'$55.10'", text)
    assert edited != text
    (scenarios / "data" / "accounts.yaml").write_text(edited)
    done = run_smoke("run", "diverse-accounts", "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 1
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    [table] = results["scenarios"][0]["tables"]
    failed = [row for row in table["rows"] if row["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["cells"][0].startswith("10005")
    assert failed[0]["diffs"] == {"Balance": ["$55.10", "$55.01"]}
    assert len(table["rows"]) == len(original["accounts"])


def test_capture_refuses_nothing_on_a_read_only_target_and_needs_its_credentials(tmp_path: Path) -> None:
    done = run_smoke(
        "baseline",
        "capture",
        "--target",
        "production",
        "--out",
        str(tmp_path / "x.yaml"),
        env={"SMOKE_ADMIN_USER": "", "SMOKE_ADMIN_PASSWORD": ""},
    )
    # production is read-only and unreachable here; capture still gets as far as checking it
    assert done.returncode == 2
    assert "unreachable" in done.stderr or "not set" in done.stderr
