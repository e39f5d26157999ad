"""Three shards of the example suite, merged, give what one serial run gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smoke.report.manifest import verify_manifest
from tests.conftest import run_smoke

pytestmark = pytest.mark.browser


def test_three_shards_merged_are_one_serial_run(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    common = ["--scenarios", str(scenarios), "--server-url", site_url]
    serial = run_smoke("run", *common, "--report-dir", str(tmp_path / "serial"), "--run-id", "serial")
    assert serial.returncode == 0, serial.stdout + serial.stderr
    history = tmp_path / "serial" / "serial" / "results.json"
    shards = []
    for k in (1, 2, 3):
        # each "machine" has its own reports folder; the same durations file makes them split alike
        extra = ["--workers", "2"] if k == 1 else []  # one shard through xdist workers
        done = run_smoke(
            "run", *common, "--shard", f"{k}/3", "--shard-durations", str(history),
            "--report-dir", str(tmp_path / f"machine{k}"), "--run-id", f"night-{k}", *extra,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        shards.append(tmp_path / f"machine{k}" / f"night-{k}")
        shard = json.loads((shards[-1] / "results.json").read_text())["shard"]
        assert shard["index"] == k and shard["total"] == 3 and shard["basis"].startswith("durations (3 of 3")
    done = run_smoke("report", "merge", *map(str, shards), "--out", str(tmp_path / "merged"))
    assert done.returncode == 0, done.stdout + done.stderr
    merged = json.loads((tmp_path / "merged" / "results.json").read_text())
    whole = json.loads(history.read_text())
    assert sorted(s["name"] for s in merged["scenarios"]) == sorted(s["name"] for s in whole["scenarios"])
    assert (merged["status"], merged["verdict"], merged["selection"]) == (whole["status"], whole["verdict"], False)
    assert [(c["id"], c["status"]) for c in merged["checklist"]] == [(c["id"], c["status"]) for c in whole["checklist"]]
    assert (tmp_path / "merged" / "junit.xml").read_text().count("<testcase") == 3
    assert verify_manifest(tmp_path / "merged") == []
    shots = [step["screenshot"] for s in merged["scenarios"] for step in s["steps"] if step["screenshot"]]
    assert shots and all((tmp_path / "merged" / shot).is_file() for shot in shots)
