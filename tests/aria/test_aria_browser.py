"""Against the sandbox: capture the pages' snapshots, run the same release, switch to the new look,
read what changed in words, accept, run clean; then tour what is new in the demo overlay."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


def smoke(*args: str, look: str = "classic", xvfb: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ENGAGEIP_SANDBOX_LOOK": look, "ENGAGEIP_SANDBOX_FAULTS": ""}
    argv = [sys.executable, "-m", "smoke", *args]
    if xvfb:
        argv = ["xvfb-run", "-a", *argv]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def pages(run_dir: Path) -> dict[str, dict[str, Any]]:
    results = json.loads((run_dir / "results.json").read_text())
    return {p["key"]: p for sc in results["scenarios"] for p in sc["pages"]}


def changes(run_dir: Path) -> dict[str, list[str]]:
    return {key: [c["text"] for c in p["changes"]] for key, p in pages(run_dir).items()}


OVERVIEW, REPORTS = "001-adminportal-overview-id", "004-adminportal-reports"
NEW_ON_OVERVIEW = [
    "renamed: link 'Edit Account' -> 'Edit Account Details' (in region 'Account Details')",
    "added: region 'Account Insights' with 3 items",
]


def test_what_changed_in_the_pages_then_accept_makes_the_next_run_clean(tmp_path: Path) -> None:
    base, reports = tmp_path / "baselines", tmp_path / "reports"
    common = ["--baselines", str(base), "--report-dir", str(reports)]

    captured = smoke("baseline", "capture", "--screens", "--no-accounts", *common)
    assert captured.returncode == 0, captured.stdout + captured.stderr
    stored = base / "visual-overview" / "aria" / f"{OVERVIEW}.yaml"
    assert stored.is_file() and (base / "visual-overview" / "aria" / f"{REPORTS}.yaml").is_file()
    info = json.loads(stored.with_suffix(".json").read_text())
    assert info["target"] == "sandbox" and info["release"] and info["role"] == "admin", info
    text = stored.read_text()
    assert 'region "Account Details"' in text and "<amount>" in text
    assert "business date" in text and "<date>" not in text.split("business date")[1].splitlines()[0]  # masked

    same = smoke("run", "visual-overview", "--run-id", "same", *common)
    assert same.returncode == 0, same.stdout + same.stderr
    assert {k: p["status"] for k, p in pages(reports / "same").items()} == {OVERVIEW: "same", REPORTS: "same"}
    steps = json.loads((reports / "same" / "results.json").read_text())["scenarios"][0]["steps"]
    snapshot_of = {s["index"]: Path(s["aria"]).stem if s["aria"] else None for s in steps if "." not in s["index"]}
    # each compare: step is linked to the snapshot its open took (nothing acted in between); logins are not pages
    assert snapshot_of == {"1": OVERVIEW, "2": None, "3": OVERVIEW, "4": REPORTS, "5": None, "6": REPORTS}
    assert pages(reports / "same")[OVERVIEW]["compare"] == "account-overview"

    new = smoke("run", "visual-overview", "--run-id", "new", *common, look="new")
    assert new.returncode == 0, new.stdout + new.stderr
    assert changes(reports / "new") == {OVERVIEW: NEW_ON_OVERVIEW, REPORTS: []}
    html = (reports / "new" / "report.html").read_text()
    section = html.split('id="pages-changed"')[1].split("</section>")[0]
    assert "What changed in the pages" in section
    assert "Account Insights" in section and "Edit Account Details" in section
    changed_part, unchanged_part = section.split('class="aria-same"')
    assert "/AdminPortal/Overview/10003" in changed_part and "/AdminPortal/Reports" not in changed_part
    assert "visual-account-overview-diff.png" in changed_part  # beside the pixel diff
    assert "/AdminPortal/Reports" in unchanged_part
    assert html.index('id="visual"') < html.index('id="pages-changed"') < html.index('id="checklist"')

    accepted = smoke("baseline", "accept", "new", "--report-dir", str(reports))
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "accepted 1 page snapshot" in accepted.stdout and "accepted 1 screenshot" in accepted.stdout

    clean = smoke("run", "visual-overview", "--run-id", "clean", *common, look="new")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert {k: p["status"] for k, p in pages(reports / "clean").items()} == {OVERVIEW: "same", REPORTS: "same"}

    # the tour of what is new: exactly the changed controls, one frame each, in the walk-through
    shutil.rmtree(reports / "clean")
    if not shutil.which("xvfb-run"):
        pytest.skip("no xvfb-run for the headed tour")
    tour = smoke("demo", "--whats-new", "new", "--record", "--speed", "fast", *common[2:], look="new", xvfb=True)
    assert tour.returncode == 0, tour.stdout + tour.stderr
    steps = json.loads((reports / "new" / "demo" / "whats-new-visual-overview" / "steps.json").read_text())
    captions = [s["caption"] for s in steps["steps"]]
    assert captions == [
        "New in this release: link 'Edit Account Details' (was 'Edit Account')",
        "New in this release: region 'Account Insights' with 3 items",
    ]
    assert all(s["overlay"] and len(s["overlay"]["highlighted"]) == 1 for s in steps["steps"]), steps
    replay = next((reports / "new" / "demo").glob("whats-new-visual-overview.*"))
    from PIL import Image

    with Image.open(replay) as image:
        assert getattr(image, "n_frames", 1) == 2
    walkthrough = (reports / "new" / "walkthrough.html").read_text()
    assert "Edit Account Details" in walkthrough and re.search(r"What(&#39;|')s new: Pages look", walkthrough)
    assert "New in this release" in walkthrough
