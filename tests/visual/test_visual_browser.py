"""Against the sandbox: capture a baseline, switch to the new look, run, accept, run again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


def smoke(*args: str, look: str = "classic") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ENGAGEIP_SANDBOX_LOOK": look, "ENGAGEIP_SANDBOX_FAULTS": ""}
    return subprocess.run(
        [sys.executable, "-m", "smoke", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def compared(run_dir: Path) -> dict[str, dict[str, Any]]:
    results = json.loads((run_dir / "results.json").read_text())
    return {s["visual"]["name"]: s["visual"] for sc in results["scenarios"] for s in sc["steps"] if s.get("visual")}


def test_new_look_is_listed_with_an_outlined_diff_and_accept_makes_the_next_run_clean(tmp_path: Path) -> None:
    base, reports = tmp_path / "baselines", tmp_path / "reports"
    common = ["--baselines", str(base), "--report-dir", str(reports)]

    captured = smoke("baseline", "capture", "--screens", "--no-accounts", *common)
    assert captured.returncode == 0, captured.stdout + captured.stderr
    assert (base / "visual-overview" / "account-overview.png").is_file()
    info = json.loads((base / "visual-overview" / "account-overview.json").read_text())
    assert info["target"] == "sandbox" and info["masks"], info  # the business date was masked

    same = smoke("run", "visual-overview", "--run-id", "same", *common)
    assert same.returncode == 0, same.stdout + same.stderr
    assert {name: v["status"] for name, v in compared(reports / "same").items()} == {
        "account-overview": "same",
        "reports": "same",
    }

    new = smoke("run", "visual-overview", "--run-id", "new", *common, look="new")
    assert new.returncode == 0, new.stdout + new.stderr  # a change is a warning, not a failure
    records = compared(reports / "new")
    overview, unchanged = records["account-overview"], records["reports"]
    assert overview["status"] == "changed" and overview["share"] > 0.01 and overview["regions"]
    assert (reports / "new" / overview["diff"]).is_file()
    assert unchanged["status"] == "same" and unchanged["diff"] is None
    html = (reports / "new" / "report.html").read_text()
    section = html.split('id="visual"')[1].split("</section>")[0]
    assert "What changed visually" in section and "account-overview" in section and ">reports<" not in section
    assert "visual-account-overview-diff.png" in section

    strict = smoke("run", "visual-overview", "--run-id", "strict", "--visual-strict", *common, look="new")
    assert strict.returncode == 1 and "looks different from the baseline" in strict.stdout

    accepted = smoke("baseline", "accept", "new", "--report-dir", str(reports))
    assert accepted.returncode == 0 and "accepted 1 screenshot" in accepted.stdout, accepted.stdout + accepted.stderr

    clean = smoke("run", "visual-overview", "--run-id", "clean", *common, look="new")
    assert clean.returncode == 0
    assert {v["status"] for v in compared(reports / "clean").values()} == {"same"}
    assert "What changed visually" in (reports / "clean" / "report.html").read_text()
    assert 'class="visual-list"' not in (reports / "clean" / "report.html").read_text()


def test_no_baseline_yet_passes_and_says_so(tmp_path: Path) -> None:
    done = smoke(
        "run",
        "visual-overview",
        "--run-id",
        "first",
        "--baselines",
        str(tmp_path / "none"),
        "--report-dir",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no baseline yet" in done.stdout
    assert {v["status"] for v in compared(tmp_path / "first").values()} == {"no-baseline"}
