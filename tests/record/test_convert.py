"""The recorder's log -> scenario YAML, without a browser: on logs the recorder really wrote
(fixtures/, captured from Playwright 1.65's recorder against the sandbox) and on single actions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from smoke.locators import parse_locator
from smoke.project import check_all, load_project
from smoke.record.convert import Known, convert, known_from_target, locator_of, read_log, scenario_yaml, templated
from smoke.record.session import choose_role, destination
from smoke.scenario import load_scenario
from smoke.values import render
from smoke.yamlfile import ConfigError, Pos
from tests.conftest import ROOT, run_smoke

FIXTURES = Path(__file__).parent / "fixtures"
SANDBOX_PASSWORDS = ["Admin#2026", "Csr#2026", "Readonly#2026", "Portal#2026"]


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", dest, ignore=shutil.ignore_patterns("__pycache__", "baselines"))
    return dest


def _recorded(
    name: str, project_dir: Path, side: str = "admin", start: str | None = "/", facts: bool = True
) -> tuple[str, Any]:
    """Convert a fixture as `smoke record` does, against the sandbox target at the fixture's address,
    with what the page said of the elements used (NAME.facts.json, captured with the log)."""
    actions = read_log((FIXTURES / name).read_text())
    first = next(a["url"] for a in actions if a["name"] == "navigate")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(first))
    project = load_project(project_dir)
    target = project.targets.get("sandbox").with_server(origin)
    known = known_from_target(target, project.data, side)
    facts_file = (FIXTURES / name).with_suffix(".facts.json")
    if facts and facts_file.exists():
        known.facts = json.loads(facts_file.read_text())
    converted = convert(actions, known, start)
    text = scenario_yaml(
        converted, name="recorded", side=side, role="admin", command="smoke record recorded", recorded_on="now", url="/"
    )
    return text, converted


def _check(project_dir: Path, text: str) -> list[ConfigError]:
    path = project_dir / "recorded.yaml"
    path.write_text(text)
    project = load_project(project_dir)
    return check_all(project, [load_scenario(path)], project.targets.get("sandbox"))


def _steps(text: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load(text)["steps"])


def test_a_recorded_login_and_overview_becomes_steps_that_smoke_check_accepts(project_dir: Path) -> None:
    text, converted = _recorded("login-and-overview.jsonl", project_dir)
    assert _check(project_dir, text) == []
    for password in SANDBOX_PASSWORDS:
        assert password not in text
    steps = _steps(text)
    # the start page, then the login page typed into the address bar: only the last address counts
    assert steps[0] == {"open": "/Login", "says": "Open /Login"}
    fills = [s["fill"] for s in steps if "fill" in s]
    # the map writes these fields as CSS (#Username): matched by what the page said as they were used
    assert fills == [
        {"ref": "login.username", "value": "{{ env.SMOKE_READONLY_USER }}"},
        {"ref": "login.password", "value": "{{ env.SMOKE_READONLY_PASSWORD }}"},
    ]
    assert {"click": "login.submit", "says": "Click the Log In button"} in steps
    # the recorder's assert tools became checks, and its test ids the locator map's names
    assert {"ref": "overview.balance", "text": "$0.00"} in [s.get("expect_text") for s in steps]
    assert {"ref": "overview.name", "count": 1} in [s.get("expect_count") for s in steps]
    assert {"link": "John Smith"} in [s.get("click") for s in steps]
    assert all(s.get("says") for s in steps)
    assert converted.changes_data  # it clicked a button: a person must say it only reads


def test_without_the_pages_account_the_recorders_own_locators_stay(project_dir: Path) -> None:
    text, _converted = _recorded("login-and-overview.jsonl", project_dir, facts=False)
    assert _check(project_dir, text) == []
    fills = [s["fill"] for s in _steps(text) if "fill" in s]
    assert fills[0] == {"textbox": "Username", "value": "{{ env.SMOKE_READONLY_USER }}"}
    assert {"ref": "overview.balance", "text": "$0.00"} in [s.get("expect_text") for s in _steps(text)]


def test_a_recorded_ticket_form_keeps_selects_values_keys_and_visibility(project_dir: Path) -> None:
    text, _converted = _recorded("ticket-form.jsonl", project_dir, start=None)
    assert _check(project_dir, text) == []
    assert "Admin#2026" not in text
    steps = _steps(text)
    kinds = [next(k for k in s if k != "says") for s in steps]
    assert kinds[:3] == ["open", "fill", "fill"]
    assert {"label": "Ticket Type", "option": "Trouble"} in [s.get("select") for s in steps]
    assert {"label": "Ticket Type", "value": "Trouble"} in [s.get("expect_value") for s in steps]
    assert {"button": "Create Ticket", "count": 1} in [s.get("expect_count") for s in steps]
    assert {"textbox": "Subject", "key": "Tab"} in [s.get("press") for s in steps]
    assert {"role": "complementary", "name": "Sidebar", "text": "Create New"} in [s.get("expect_text") for s in steps]


def _known(project_dir: Path, side: str = "admin") -> Known:
    project = load_project(project_dir)
    target = project.targets.get("sandbox").with_server("http://127.0.0.1:5000")
    return known_from_target(target, project.data, side)


def _one(action: dict[str, Any], known: Known) -> dict[str, Any]:
    converted = convert([action], known)
    assert len(converted.steps) == 1, converted.notes
    return converted.steps[0]


def test_chained_and_narrowed_locators_keep_their_scope() -> None:
    recorded = {
        "kind": "role",
        "body": "row",
        "options": {"name": "10001 John Smith", "exact": False},
        "next": {"kind": "role", "body": "link", "options": {"name": "Overview"}, "next": {"kind": "nth", "body": "1"}},
    }
    assert locator_of(recorded) == {"link": "Overview", "nth": 2, "in": {"row": "10001 John Smith"}}
    assert locator_of({"kind": "text", "body": "Welcome", "options": {"exact": True}}) == {
        "text": "Welcome",
        "exact": True,
    }
    assert locator_of({"kind": "default", "body": "li", "next": {"kind": "has-text", "body": "Fiber"}}) == {
        "css": "li",
        "has_text": "Fiber",
    }
    # every shape parses as one of our locators
    parse_locator(locator_of(recorded), Pos("x", 1, 1))


def test_what_cannot_be_said_plainly_keeps_playwrights_selector_and_says_so(project_dir: Path) -> None:
    action = {
        "name": "click",
        "selector": "div >> internal:has=\"internal:text='x'\"",
        "locator": {"kind": "default", "body": "div", "next": {"kind": "has", "body": "{}"}},
    }
    converted = convert([action], _known(project_dir))
    assert converted.steps[0]["click"] == {"css": action["selector"]}
    assert "replace it with a label" in converted.notes[0]


def test_a_password_that_is_no_known_secret_becomes_a_variable_to_export(project_dir: Path) -> None:
    action = {
        "name": "fill",
        "text": "n3w-Secret-Pw",
        "selector": 'internal:label="New Password"i',
        "locator": {"kind": "label", "body": "New Password", "options": {"exact": False}},
    }
    converted = convert([action], _known(project_dir))
    assert converted.steps[0]["fill"] == {"label": "New Password", "value": "{{ env.SMOKE_RECORDED_SECRET_1 }}"}
    assert "n3w-Secret-Pw" not in json.dumps(converted.steps)
    assert list(converted.new_env) == ["SMOKE_RECORDED_SECRET_1"]


def test_data_file_secrets_and_the_other_sides_address_are_templates_that_check(project_dir: Path) -> None:
    known = _known(project_dir)
    card = _one(
        {"name": "fill", "text": "4111111111111111", "locator": {"kind": "label", "body": "Card Number"}}, known
    )
    assert card["fill"]["value"] == "{{ data.processors.processors[0].card_number }}"
    assert "4111" not in card["says"]
    portal = _one({"name": "navigate", "url": "http://127.0.0.1:5000/Portal/Dashboard"}, known)
    assert portal["open"] == "{{ target.portal_url }}Dashboard"
    text = scenario_yaml(
        convert(
            [
                {"name": "fill", "text": "4111111111111111", "locator": {"kind": "label", "body": "Card Number"}},
                {"name": "navigate", "url": "http://127.0.0.1:5000/Portal/Dashboard"},
            ],
            known,
        ),
        name="x",
        side="admin",
        role="admin",
        command="smoke record x",
        recorded_on="now",
        url="/",
    )
    assert _check(project_dir, text) == []


def test_typed_braces_stay_text_and_a_recording_that_only_reads_says_so(project_dir: Path) -> None:
    known = _known(project_dir)
    value, secret = templated("{{ not a template }}", known)
    assert not secret
    assert render(value, {}) == "{{ not a template }}"
    converted = convert(
        [
            {"name": "navigate", "url": "http://127.0.0.1:5000/AdminPortal/Overview/10001"},
            {
                "name": "assertText",
                "text": "$0.00",
                "substring": False,
                "locator": {"kind": "test-id", "body": "balance"},
            },
        ],
        known,
    )
    assert not converted.changes_data
    assert converted.steps[-1]["expect_text"] == {"ref": "overview.balance", "text": "$0.00", "exact": True}
    # on the portal side the same test id is the portal's entry
    portal = _one(
        {"name": "assertVisible", "locator": {"kind": "test-id", "body": "balance"}}, _known(project_dir, "portal")
    )
    assert portal["expect_count"]["ref"] == "portal.balance"


def test_a_role_and_a_name_are_checked_before_a_browser_starts(project_dir: Path) -> None:
    target = load_project(project_dir).targets.get("sandbox")
    assert choose_role(target, None, "portal") == ("customer", "portal")
    assert choose_role(target, "csr", None) == ("csr", "admin")
    with pytest.raises(ConfigError, match="logs in on the admin side"):
        choose_role(target, "csr", "portal")
    (project_dir / "taken.yaml").write_text("name: x\nsteps: []\n")
    with pytest.raises(ConfigError, match="--force"):
        destination(project_dir, "taken", force=False)
    assert destination(project_dir, "taken", force=True).name == "taken.yaml"
    with pytest.raises(ConfigError, match="not a usable scenario name"):
        destination(project_dir, "../up", force=False)


def test_smoke_record_without_a_display_says_so_in_one_line(project_dir: Path) -> None:
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    result = run_smoke("record", "anything", "--scenarios", str(project_dir), env=env)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "needs a display" in result.stderr
    assert "Traceback" not in result.stderr


def test_smoke_record_says_what_is_wrong_before_it_needs_a_browser(project_dir: Path) -> None:
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    role = run_smoke("record", "x", "--as", "nobody", "--scenarios", str(project_dir), env=env)
    assert role.returncode == 2
    assert "has no role 'nobody'" in role.stderr and role.stderr.strip().count("\n") == 0
    taken = run_smoke("record", "tickets", "--scenarios", str(project_dir), env=env)
    assert taken.returncode == 2
    assert "tickets.yaml exists" in taken.stderr and "--force" in taken.stderr
