"""`smoke probe`'s plan and its nearest candidates, without a browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smoke.locators import LocatorSpec
from smoke.project import load_project, load_scenarios
from smoke.record.probe import nearest, page_names, plan
from tests.conftest import ROOT

SNAPSHOT = """- banner:
  - link "EngageIP AdminPortal":
    - /url: /AdminPortal/
- main:
  - heading "John Smith" [level=2]
  - region "Account Details":
    - text: Balance
    - link "Edit Account Details":
      - /url: /AdminPortal/Account/Edit/10001
  - paragraph:
    - text: Username
    - textbox "User name"
- contentinfo: EngageIP 9.6.2 (sandbox)
"""


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", dest, ignore=shutil.ignore_patterns("__pycache__", "baselines"))
    return dest


def test_the_plan_opens_the_read_only_scenarios_pages_and_says_what_it_skips(project_dir: Path) -> None:
    (project_dir / "reads-a-saved-page.yaml").write_text(
        "name: reads a saved page\nchanges_data: false\nrole: admin\nsteps:\n"
        "  - open: /Home\n  - save: {n: {test_id: account-number}}\n"
        '  - open: "/Overview/{{ saved.n }}"\n  - expect_text: {test_id: balance, text: "$0.00"}\n'
    )
    project = load_project(project_dir)
    scenarios, errors = load_scenarios(project)
    assert errors == []
    the_plan = plan(scenarios, project.targets.get("sandbox"), project.data)
    assert "portal-signup" not in the_plan.scenarios  # it changes data: never run, never planned
    assert "tickets" in the_plan.changing["flash"]  # ... but the report says where its locators are used
    assert {"diverse-accounts", "special-pricing", "reads-a-saved-page"} <= set(the_plan.scenarios)
    urls = [visit.url for visit in the_plan.visits]
    assert "/Overview/10001" in urls  # a for_each's pages, with its first row
    assert "/Login" in urls  # the login page, logged out
    assert any(visit.via is not None for visit in the_plan.visits)  # links are followed, not clicked
    assert any("/Overview/{{ saved.n }}" in s and "saved during a run" in s for s in the_plan.skipped)
    assert any("admin-login" in s and "login: false" in s for s in the_plan.skipped)
    # the check after the skipped page is not checked, and says why
    (spec, use) = next((s, u) for s, u in the_plan.unchecked if u.scenario == "reads-a-saved-page")
    assert spec.value == "balance" and "not opened" in use.reason
    overview = next(v for v in the_plan.visits if v.url == "/Overview/10001")
    assert any(spec.value == "overview.balance" for spec, _use in overview.specs)


def test_a_renamed_element_has_its_new_name_among_the_nearest() -> None:
    names = page_names(SNAPSHOT, labels=["Username"], test_ids=["balance", "account-name"])
    assert ("link", "Edit Account Details") in names
    assert ("textbox", "User name") in names
    assert ("test_id", "balance") in names
    link = nearest(LocatorSpec("role", "link", name="Edit Account", exact=True), names)
    assert link[0] == '{link: "Edit Account Details"}'
    field = nearest(LocatorSpec("label", "User Name"), names)
    assert '{textbox: "User name"}' in field[:2]
    assert nearest(LocatorSpec("test_id", "balanse"), names)[0] == '{test_id: "balance"}'
    assert nearest(LocatorSpec("label", "Completely different"), names) == []


def test_a_wrong_target_is_one_line_and_exit_2_and_an_unreachable_one_exit_3(tmp_path: Path) -> None:
    from tests.conftest import run_smoke

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "targets.yaml").write_text(
        "targets:\n  down:\n    admin_url: http://127.0.0.1:9/AdminPortal/\n    portal_url: http://127.0.0.1:9/Portal/\n"
        "    roles: {admin: {side: admin, user_env: PROBE_USER, password_env: PROBE_PASSWORD}}\n"
        "    env_defaults: {PROBE_USER: a, PROBE_PASSWORD: b}\n"
        "    login: {admin: [{open: /Login}]}\n"
    )
    (folder / "home.yaml").write_text("name: home\nrole: admin\nsteps:\n  - open: /Home\n")
    wrong = run_smoke("probe", "--target", "dwon", "--scenarios", str(folder))
    assert wrong.returncode == 2
    assert "no target named 'dwon'" in wrong.stderr and "did you mean down?" in wrong.stderr
    assert wrong.stderr.strip().count("\n") == 0
    down = run_smoke("probe", "--target", "down", "--scenarios", str(folder), "--out", str(tmp_path / "out"))
    assert down.returncode == 3, down.stdout + down.stderr
    assert "target unreachable" in down.stderr and "Traceback" not in down.stderr
