"""`smoke probe` against the sandbox: every locator found; and with the sandbox's "new release" look,
whose Overview renames the Edit Account button, that one missing with its new name nearby."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_smoke

pytestmark = pytest.mark.browser


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", dest, ignore=shutil.ignore_patterns("__pycache__", "baselines"))
    return dest


def test_every_locator_the_read_only_scenarios_use_is_found_on_the_sandbox(tmp_path: Path) -> None:
    scenarios = _copy(tmp_path)
    out = tmp_path / "probe"
    result = run_smoke("probe", "--scenarios", str(scenarios), "--out", str(out), timeout=400)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "probe.json").read_text())
    assert report["counts"]["missing"] == 0
    assert report["counts"]["found"] >= 30
    statuses = {f["name"]: f["status"] for f in report["findings"]}
    assert statuses["overview.balance"] == "found"
    assert statuses["login.username"] == "found"  # on the login page, logged out
    assert statuses["portal_login.username"] == "found"
    assert all(page["status"] == "opened" for page in report["pages"])
    assert "Locator probe: target sandbox" in (out / "probe.html").read_text()
    assert result.stdout.strip().splitlines()[-1] == f"probe report: {out / 'probe.html'}"


def test_a_renamed_button_is_missing_with_its_new_name_among_the_candidates(tmp_path: Path) -> None:
    scenarios = _copy(tmp_path)
    for path in scenarios.glob("*.yaml"):
        if path.name != "targets.yaml":
            path.unlink()  # only the one scenario below: a shorter probe
    with (scenarios / "locators" / "engageip.yaml").open("a") as mapfile:
        mapfile.write("account_edit:\n  open: {link: Edit Account, exact: true}\n")
    (scenarios / "edit-link.yaml").write_text(
        "name: The Overview offers to edit the account\nchanges_data: false\nrole: admin\nsteps:\n"
        "  - open: /Overview/10001\n  - expect_text: {ref: account_edit.open, text: Edit Account}\n"
    )
    out = tmp_path / "probe"
    classic = run_smoke("probe", "--scenarios", str(scenarios), "--out", str(out), timeout=300)
    assert classic.returncode == 0, classic.stdout + classic.stderr

    renamed = run_smoke(
        "probe", "--scenarios", str(scenarios), "--out", str(out), env={"ENGAGEIP_SANDBOX_LOOK": "new"}, timeout=300
    )
    assert renamed.returncode == 1, renamed.stdout + renamed.stderr
    report = json.loads((out / "probe.json").read_text())
    finding = next(f for f in report["findings"] if f["name"] == "account_edit.open")
    assert finding["status"] == "missing"
    assert '{link: "Edit Account Details"}' in finding["candidates"]
    assert finding["page"].endswith("/AdminPortal/Overview/10001")
    assert "missing   account_edit.open" in renamed.stdout
    assert "Edit Account Details" in renamed.stdout
    assert report["counts"]["missing"] == 1
