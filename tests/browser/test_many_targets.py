"""Two targets in one command: two run folders, the worst exit code, an index with both side by side."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_smoke

pytestmark = pytest.mark.browser


def test_a_target_group_runs_each_target_into_its_own_folder(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    targets = yaml.safe_load((scenarios / "targets.yaml").read_text())
    other = copy.deepcopy(targets["targets"]["example"])
    other["env_defaults"]["EXAMPLE_USER"] = "someone-else"  # logs in, but the page names another user
    targets["targets"]["broken-example"] = other
    targets["groups"] = {"nightly": ["example", "broken-example"]}
    (scenarios / "targets.yaml").write_text(yaml.safe_dump(targets, sort_keys=False))
    reports = tmp_path / "r"
    done = run_smoke(
        "run", "login", "--target", "nightly", "--scenarios", str(scenarios), "--report-dir", str(reports),
        "--server-url", site_url, "--run-id", "night1",
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # the worse of passed and failed
    verdicts = {}
    for name in ("example", "broken-example"):
        results = json.loads((reports / f"night1-{name}" / "results.json").read_text())
        assert results["target"]["name"] == name
        verdicts[name] = results["status"]
    assert verdicts == {"example": "passed", "broken-example": "failed"}
    summary = done.stdout.splitlines()[-2:]
    assert summary[0].startswith("example ") and "exit 0" in summary[0]
    assert summary[1].startswith("broken-example ") and "exit 1" in summary[1]
    index = (reports / "index.html").read_text()
    assert 'data-target="example"' in index and 'data-target="broken-example"' in index
    assert "Targets side by side" in index
