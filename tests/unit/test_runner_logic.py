"""The runner's logic (verdicts, error kinds, for_each rows, grids, roles, secrets, screenshots) on a
fake browser (tests/unit/fakes.py): what the browser tests prove of the engine's bookkeeping, in
milliseconds. What only a real browser can show (rendering, real waits) stays in tests/browser/."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from smoke.evidence import Evidence
from smoke.project import check_all, load_project
from smoke.results import ScenarioResult
from smoke.runner import RunInfo, ScenarioRun, WorkerSession
from smoke.scenario import load_scenario
from smoke.secrets import MASK as MASK_TEXT
from smoke.secrets import Secrets
from tests.unit import fakes
from tests.unit.fakes import El, FakeBrowser, Site


@pytest.fixture(autouse=True)
def _fake_expect() -> Iterator[None]:
    with fakes.fake_expect():
        yield


class Harness:
    """One worker's session on the example site: scenarios run one after another, like in a worker."""

    def __init__(self, root: Path, url: str, data: dict[str, str] | None = None, reuse_logins: bool = True) -> None:
        self.root = fakes.write_project(root / "scenarios", url, data)
        self.project = load_project(self.root)
        self.target = self.project.targets.get(None)
        self.site: Site = fakes.example_site()
        self.browser = FakeBrowser(self.site)
        secrets = Secrets(self.target.secret_values())
        secrets.add_from_data(self.project.data)
        self.run_dir = root / "reports" / "run-1"
        self.session = WorkerSession(
            run=RunInfo("run-1", "2026-12-02T03:00:00+00:00", self.run_dir, self.root),
            target=self.target,
            data=self.project.data,
            secrets=secrets,
            evidence=Evidence(self.run_dir, secrets),
            reuse_logins=reuse_logins,
        )

    def run(self, text: str, name: str = "scenario", attempt: int = 1) -> ScenarioResult:
        path = self.root / f"{name}.yaml"
        path.write_text(text)
        scenario = load_scenario(path)
        assert check_all(self.project, [scenario], self.target) == []
        result = ScenarioResult(nodeid=f"{name}.yaml::{name}", name=scenario.name, file=str(path))
        run = ScenarioRun(self.session, scenario, self.browser.new_context, result, attempt=attempt)
        try:
            run.run()
        finally:
            run.close()
        return result


@pytest.fixture
def harness(tmp_path: Path, site_url: str) -> Harness:
    # site_url answers the runner's reachability check; every page comes from the fake site
    return Harness(tmp_path, site_url)


def _steps(result: ScenarioResult) -> dict[str, Any]:
    return {s.index: s for s in result.steps}


# -- verdicts ------------------------------------------------------------------------------------------


def test_a_passing_scenario_logs_in_records_every_step_and_a_jpeg_per_step(harness: Harness) -> None:
    result = harness.run(
        "name: Overview\nrole: demo\nsteps:\n  - open: /home.html\n"
        "  - expect_text: {test_id: balance, text: '$120.50', exact: true}\n    says: The balance is shown\n"
        "  - expect_row: {table: Packages, contains: [Fiber 100, Active]}\n"
        "  - save: {account: {test_id: account-number, pattern: '#(\\d+)'}}\n"
        "  - expect_text: 'Account #{{ saved.account }}'\n"
        "  - expect_value: {label: City, value: Toronto}\n"
        "  - expect_url: /home.html\n"
    )
    assert result.status == "passed", result.error
    assert result.error is None and result.failed_step is None
    assert [s.index for s in result.steps] == ["0.1", "0.2", "0.3", "0.4", "0.5", "1", "2", "3", "4", "5", "6", "7"]
    assert all(s.status == "passed" for s in result.steps)
    steps = _steps(result)
    assert steps["0.1"].caption == "Log in as demo: Open /index.html"
    assert steps["2"].caption == "The balance is shown"
    assert steps["5"].caption == "See 'Account #1001'"  # the saved value, rendered
    assert result.logins == 1 and harness.session.logins == 1
    for step in result.steps:
        assert step.screenshot is not None, step
        with Image.open(harness.run_dir / step.screenshot) as image:
            assert image.format == "JPEG"
    # the login's page was left at the side's home: the URL of each step is recorded
    assert steps["7"].url is not None and steps["7"].url.endswith("/home.html")


def test_a_failing_check_fails_the_scenario_with_expected_and_shown_and_stops_it(harness: Harness) -> None:
    result = harness.run(
        "name: Wrong balance\nrole: demo\nsteps:\n  - open: /home.html\n"
        "  - expect_text: {test_id: balance, text: '$99.00', exact: true}\n  - open: /never.html\n"
    )
    assert result.status == "failed" and result.failed_step == "2"
    assert result.error is not None
    assert (result.error.expected, result.error.actual, result.error.kind) == ("$99.00", "$120.50", "assertion")
    assert result.error.message == "expected '$99.00' in [data-testid=balance], but it shows '$120.50'"
    failed = [s for s in result.steps if s.status == "failed"]
    assert len(failed) == 1 and failed[0].screenshot is not None and failed[0].screenshot.endswith("-failed.jpg")
    assert [s.index for s in result.steps if not s.index.startswith("0.")] == ["1", "2"], "nothing runs after a failure"
    assert "/never.html" not in harness.site.visits


def test_an_optional_step_that_fails_is_skipped_and_the_scenario_goes_on(harness: Harness) -> None:
    result = harness.run(
        "name: Optional\nrole: demo\nsteps:\n  - open: /home.html\n"
        "  - expect_text: Promotions\n    optional: true\n  - expect_text: Account Overview\n"
    )
    assert result.status == "passed" and result.error is None
    steps = _steps(result)
    assert steps["2"].status == "skipped"
    assert steps["2"].error is not None and steps["2"].error.expected == "Promotions"
    assert steps["2"].screenshot is not None  # the skipped step's evidence is kept
    assert steps["3"].status == "passed"


@pytest.mark.parametrize(
    ("step", "kind", "message"),
    [
        ("click: {button: Delete}", "locator", "button 'Delete' is not on the page"),
        ("click: {button: Save}", "locator", "button 'Save' matches 2 elements; say which one"),
        ('expect_text: "{{ target.name - 1 }}"', "template", "cannot compute '{{ target.name - 1 }}'"),
        ("open: /broken.html", "assertion", "answered HTTP 500"),
        ("click: Broken report", "error", "the page failed to load after this step: HTTP 500"),
        ("fill: {text: Account Overview, value: x}", "error", "could not act on text 'Account Overview'"),
    ],
)
def test_a_steps_error_kind_says_what_went_wrong(harness: Harness, step: str, kind: str, message: str) -> None:
    result = harness.run(f"name: Errors\nrole: demo\nsteps:\n  - open: /home.html\n  - {step}\n    timeout: 1\n")
    assert result.status == "failed" and result.failed_step == "2"
    assert result.error is not None
    assert result.error.kind == kind, result.error
    assert message in result.error.message


def test_a_target_that_refuses_connections_is_a_target_error(harness: Harness) -> None:
    harness.site.down = True
    result = harness.run("name: Down\nlogin: false\nsteps:\n  - open: /home.html\n")
    assert result.status == "failed" and result.error is not None
    assert result.error.kind == "target" and "ERR_CONNECTION_REFUSED" in result.error.message


def test_an_unreachable_target_fails_before_any_page_opens(tmp_path: Path) -> None:
    harness = Harness(tmp_path, "http://127.0.0.1:9")
    result = harness.run("name: Unreachable\nrole: demo\nsteps:\n  - open: /home.html\n")
    assert result.status == "failed" and result.failed_step == "0"
    assert result.error is not None and result.error.kind == "target"
    assert result.error.message.startswith("target unreachable: http://127.0.0.1:9/")
    assert harness.browser.contexts == []


def test_a_refused_login_says_what_the_page_says_and_never_the_password(harness: Harness) -> None:
    harness.site.pages["/index.html"] = fakes.login_page({"demo": "another password"})
    result = harness.run("name: Refused\nrole: demo\nsteps:\n  - open: /home.html\n")
    assert result.status == "failed" and result.failed_step == "0.5"
    assert result.error is not None
    assert result.error.message.startswith("login as demo (user 'demo') failed: ")
    assert result.error.message.endswith("(the page says: Wrong password for demo)")
    assert fakes.USERS["demo"] not in json.dumps(dataclasses.asdict(result))
    assert result.logins == 0 and harness.session.storage_states == {}


# -- for_each -------------------------------------------------------------------------------------------

ACCOUNTS = """\
accounts:
  - {number: '1001', name: Jane Smith, balance: '$120.50'}
  - {number: '1002', name: John Doe, balance: '$9.99'}
  - {number: '1003', name: Ann Lee, balance: '$0.00'}
"""
FOR_EACH = """\
name: Accounts
role: demo
steps:
  - for_each:
      data: accounts
      table: diff
      label: "{{ row.number }} {{ row.name }}"
      steps:
        - open: "/accounts/{{ row.number }}"
        - expect_text: {test_id: account-name, text: "{{ row.name }}", exact: true}
        - expect_text: {test_id: balance, text: "{{ row.balance }}", exact: true}
"""


def test_for_each_runs_every_row_and_reports_each_with_its_differences(tmp_path: Path, site_url: str) -> None:
    harness = Harness(tmp_path, site_url, {"accounts": ACCOUNTS})
    result = harness.run(FOR_EACH)
    assert result.status == "failed"
    # the failure is the failing row's step, and the rows after it still ran
    assert result.failed_step == "1.2.3"
    assert {"1.1.3", "1.2.3", "1.3.3"} <= {s.index for s in result.steps}
    assert [harness.site.visits[f"/accounts/{n}"] for n in ("1001", "1002", "1003")] == [1, 1, 1]
    assert result.error is not None
    assert "1 of 3 rows failed (1002 John Doe)" in result.error.message
    assert (result.error.expected, result.error.actual) == ("$9.99", "$7.00")
    loop = _steps(result)["1"]
    assert loop.kind == "for_each" and loop.status == "failed" and loop.caption.endswith("(3 rows)")
    assert [s.row for s in result.steps if s.index.startswith("1.2.")] == ["1002 John Doe"] * 3
    [table] = result.tables
    assert table.kind == "diff" and table.title == "accounts"  # the layout the scenario declares
    assert table.columns == ["Row", "account-name", "balance", "Result"]
    assert [row.status for row in table.rows] == ["passed", "failed", "passed"]
    assert table.rows[0].cells == ["1001 Jane Smith", "Jane Smith", "$120.50", "PASS"]
    assert table.rows[1].cells == ["1002 John Doe", "John Doe", "$7.00", "FAIL"]
    assert table.rows[1].diffs == {"balance": ["$9.99", "$7.00"]}
    assert table.rows[1].message is not None and "but it shows '$7.00'" in table.rows[1].message


def test_each_row_starts_from_the_loops_page_and_role(tmp_path: Path, site_url: str) -> None:
    people = "rows:\n  - {n: 1, go: /accounts/1001}\n  - {n: 2, go: /nowhere}\n  - {n: 3, go: /accounts/1003}\n"
    harness = Harness(tmp_path, site_url, {"people": people})
    result = harness.run(
        "name: Start state\nrole: demo\nsteps:\n  - open: /home.html\n  - for_each:\n      data: people.rows\n"
        "      steps:\n"
        "        - expect_url: /home.html\n"  # every row begins where the loop began ...
        "        - expect_text: {css: '#CurrentUsername', text: demo}\n"  # ... and as the loop's role
        "        - as: clerk\n"
        "        - open: '{{ row.go }}'\n"
        "        - expect_text: {css: '#CurrentUsername', text: clerk}\n"
    )
    # only row 2 fails (its page does not exist); rows 1 and 3 start afresh however row 2 ended
    assert result.error is not None and "1 of 3 rows failed" in result.error.message, result.error
    [table] = result.tables
    assert [row.status for row in table.rows] == ["passed", "failed", "passed"]
    # without a label, a row is named by its first two values
    assert [row.cells[0] for row in table.rows] == ["1 /accounts/1001", "2 /nowhere", "3 /accounts/1003"]
    # clerk logged in once; the later rows reuse that page, demo's page is the loop's
    assert result.logins == 2
    assert _steps(result)["2.3.3"].status == "passed" and not any(s.index.startswith("2.3.3.") for s in result.steps)


def test_for_each_rows_start_from_the_loops_state(tmp_path: Path, site_url: str) -> None:
    """Moved from tests/browser/test_verdict.py: the same scenario and assertions, on the fake browser."""
    people = (
        "- {name: first, shows: Account Overview}\n- {name: second, shows: No Such Heading}\n"
        "- {name: third, shows: Account Overview}\n- {name: fourth, shows: Account Overview}\n"
    )
    harness = Harness(tmp_path, site_url, {"people": people})
    scenario = harness.run(
        "name: Rows stand alone\nrole: demo\nsteps:\n  - open: /home.html\n  - for_each:\n      data: people\n"
        "      label: '{{ row.name }}'\n      steps:\n"
        "        - expect_text: {css: '#CurrentUsername', text: demo}\n          name: starts as demo\n"
        "        - expect_url: /home.html\n          name: starts on home\n"
        "        - as: clerk\n        - open: '/home.html?row={{ row.name }}'\n"
        "        - expect_text: {css: h1, text: '{{ row.shows }}'}\n          timeout: 1\n          name: heading\n"
        "        - as: demo\n",
        "rows",
    )
    assert scenario.status == "failed"
    [table] = [t for t in scenario.tables if t.title == "people"]
    statuses = {row.cells[0]: row.status for row in table.rows}
    # the second row fails on its own check (its closing `as: demo` never runs); the rows after it
    # still start as demo on the loop's page, so they are checked on their own and pass
    assert statuses == {"first": "passed", "second": "failed", "third": "passed", "fourth": "passed"}
    assert scenario.error is not None and "1 of 4 rows failed" in scenario.error.message
    # the picture of the failure is the failing row's step, where the wrong page was on screen
    failed = next(s for s in scenario.steps if s.index == scenario.failed_step)
    assert failed.row == "second" and failed.status == "failed" and failed.screenshot
    assert failed.url is not None and "?row=second" in failed.url


def test_where_skips_rows_and_the_caption_says_how_many_ran(tmp_path: Path, site_url: str) -> None:
    data = "accounts:\n  - {number: '1001', active: true}\n  - {number: '1002', active: false}\n  - {number: '1003', active: true}\n"
    harness = Harness(tmp_path, site_url, {"accounts": data})
    result = harness.run(
        "name: Where\nrole: demo\nsteps:\n  - for_each:\n      data: accounts\n      where: '{{ row.active }}'\n"
        "      label: '{{ row.number }}'\n      steps:\n        - open: '/accounts/{{ row.number }}'\n"
        "        - expect_text: {test_id: balance, text: '$'}\n"
    )
    assert result.status == "passed", result.error
    assert _steps(result)["1"].caption == "For each row of accounts (2 of 3 rows)"
    assert [row.cells[0] for row in result.tables[0].rows] == ["1001", "1003"]
    assert harness.site.visits["/accounts/1002"] == 0


def test_for_each_checks_become_columns_named_by_the_step_or_its_locator(tmp_path: Path, site_url: str) -> None:
    harness = Harness(tmp_path, site_url, {"accounts": ACCOUNTS})
    result = harness.run(
        "name: Columns\nrole: demo\nsteps:\n  - for_each:\n      data: accounts\n      title: Balances\n"
        "      label: '{{ row.number }}'\n      steps:\n        - open: '/accounts/{{ row.number }}'\n"
        "        - expect_text: {test_id: balance, text: '$'}\n          name: Has a balance\n"
        "        - expect_url: /accounts/\n"
        "        - expect_no_text: Error\n"  # not a check with a column: only acts and passes
    )
    assert result.status == "passed", result.error
    [table] = result.tables
    assert table.title == "Balances"
    # a check that shows nothing (expect_no_text) adds no column
    assert table.columns == ["Row", "Has a balance", "url", "Result"]
    assert table.rows[0].cells[1] == "$" and table.rows[0].cells[2].endswith("/accounts/1001")


GRID = """\
checks:
  - {function: Accounts, role: demo, allowed: true, url: /accounts/1001}
  - {function: Accounts, role: clerk, allowed: true, url: /accounts/1001}
  - {function: Broken, role: demo, allowed: true, url: /broken.html}
"""


def test_a_grid_lays_the_rows_out_by_two_values_with_the_failures_in_their_cells(tmp_path: Path, site_url: str) -> None:
    harness = Harness(tmp_path, site_url, {"perms": GRID})
    result = harness.run(
        "name: Grid\nrole: demo\nsteps:\n  - for_each:\n      data: perms.checks\n      title: Permissions\n"
        "      label: '{{ row.role }}: {{ row.function }}'\n"
        "      grid: {rows: '{{ row.function }}', columns: '{{ row.role }}', cell: \"{{ 'allowed' if row.allowed else 'denied' }}\"}\n"
        "      steps:\n        - as: '{{ row.role }}'\n        - open: '{{ row.url }}'\n"
    )
    assert result.status == "failed"
    grid, table = result.tables
    assert grid.title == "Permissions (grid)" and grid.kind == "grid"
    assert grid.columns == ["", "demo", "clerk"]
    assert [row.cells for row in grid.rows] == [["Accounts", "allowed", "allowed"], ["Broken", "allowed", ""]]
    assert [row.status for row in grid.rows] == ["passed", "failed"]
    assert grid.rows[1].diffs == {"demo": ["allowed: a page (HTTP 200)", "HTTP 500"]}
    assert table.title == "Permissions" and [row.cells[0] for row in table.rows] == [
        "demo: Accounts",
        "clerk: Accounts",
        "demo: Broken",
    ]


# -- roles and logins -------------------------------------------------------------------------------------


def test_a_login_is_reused_by_the_workers_later_scenarios(harness: Harness) -> None:
    first = harness.run("name: One\nrole: demo\nsteps:\n  - expect_text: Account Overview\n", "one")
    second = harness.run("name: Two\nrole: demo\nsteps:\n  - expect_text: Account Overview\n", "two")
    assert first.status == second.status == "passed", (first.error, second.error)
    assert (first.logins, second.logins, harness.session.logins) == (1, 0, 1)
    # the second scenario's context starts from the stored session, on the side's home page
    assert harness.browser.contexts[1].user == "demo"
    assert [s.index for s in second.steps] == ["1"]
    assert harness.site.visits["/index.html"] == 1


def test_without_login_reuse_every_scenario_logs_in(tmp_path: Path, site_url: str) -> None:
    harness = Harness(tmp_path, site_url, reuse_logins=False)
    for name in ("one", "two"):
        assert harness.run("name: X\nrole: demo\nsteps:\n  - expect_text: Account Overview\n", name).logins == 1
    assert harness.session.logins == 2 and harness.session.storage_states == {}


def test_as_switches_role_and_back_without_logging_in_twice(harness: Harness) -> None:
    result = harness.run(
        "name: Roles\nrole: demo\nsteps:\n  - as: clerk\n  - open: /home.html\n"
        "  - expect_text: {css: '#CurrentUsername', text: clerk}\n  - as: demo\n"
        "  - expect_text: {css: '#CurrentUsername', text: demo}\n"
    )
    assert result.status == "passed", result.error
    assert result.logins == 2
    steps = _steps(result)
    assert steps["1"].caption == "Continue as clerk" and steps["1.1"].caption == "Log in as clerk: Open /index.html"
    assert not any(s.index.startswith("4.") for s in result.steps), "demo's page was kept, no second login"
    assert set(harness.session.storage_states) == {"demo", "clerk"}


def test_an_unknown_role_is_an_error_of_the_step(harness: Harness) -> None:
    harness.target.roles.pop("clerk")
    result = harness.run("name: Gone\nrole: demo\nsteps:\n  - as: '{{ \"clerk\" }}'\n")
    assert result.error is not None and result.error.kind == "error"
    assert result.error.message == "target 'fake' has no role 'clerk'"


# -- secrets and screenshots ------------------------------------------------------------------------------

CARDS = "visa:\n  card_number: '4111111111111111'\n"


def test_secrets_are_scrubbed_from_captions_and_errors_and_masked_in_screenshots(tmp_path: Path, site_url: str) -> None:
    harness = Harness(tmp_path, site_url, {"cards": CARDS})
    result = harness.run(
        "name: Secrets\nrole: demo\nsteps:\n  - open: /home.html\n"
        "  - fill: {label: Card Number, value: '{{ data.cards.visa.card_number }}'}\n"
        "  - expect_value: {label: Card Number, value: '{{ env.FAKE_PASSWORD }}'}\n"
        "    says: 'Check the card against {{ env.FAKE_PASSWORD }}'\n"
    )
    assert result.status == "failed" and result.error is not None
    dumped = json.dumps(dataclasses.asdict(result))
    for secret in ("4111111111111111", fakes.USERS["demo"]):
        assert secret not in dumped
    steps = _steps(result)
    assert steps["3"].caption == f"Check the card against {MASK_TEXT}"
    assert (result.error.expected, result.error.actual) == (MASK_TEXT, MASK_TEXT)
    assert steps["0.3"].caption == f"Log in as demo: Fill label 'Password' with '{MASK_TEXT}'"
    assert steps["2"].caption == f"Fill label 'Card Number' with '{MASK_TEXT}'"
    # every screenshot after the fills masked the password field and the card field
    shots = [shot for context in harness.browser.contexts for page in context.pages for shot in page.shots]
    card_shots = [shot for shot in shots if any(el.label == "Card Number" for el in shot.masked)]
    assert card_shots, "the card number field is masked in the screenshots"
    login_shots = [shot for shot in shots if "0_003" in shot.path.name]
    assert login_shots and any(el.label == "Password" for el in login_shots[0].masked)


def test_a_screenshot_per_step_unless_capture_false_and_named_ones_under_their_name(harness: Harness) -> None:
    result = harness.run(
        "name: Shots\nrole: demo\nsteps:\n  - open: /home.html\n    capture: false\n"
        "  - screenshot: {name: Account overview, full_page: true}\n  - expect_text: Account Overview\n"
    )
    assert result.status == "passed", result.error
    steps = _steps(result)
    assert steps["1"].screenshot is None
    assert steps["2"].screenshot == "shots/scenario/named-account-overview.jpg"
    assert steps["3"].screenshot == "shots/scenario/003-expect_text.jpg"
    assert (harness.run_dir / "shots/scenario/named-account-overview.jpg").is_file()
    page = harness.browser.contexts[0].pages[0]
    assert [shot.full_page for shot in page.shots if "named-" in shot.path.name] == [True]


def test_a_retry_attempt_writes_its_screenshots_apart(harness: Harness) -> None:
    result = harness.run("name: Again\nrole: demo\nsteps:\n  - expect_text: Account Overview\n", attempt=2)
    assert result.status == "passed"
    assert _steps(result)["1"].screenshot == "shots/scenario/attempt2/001-expect_text.jpg"


def test_the_fakes_fail_what_does_not_hold() -> None:
    """The fake expect() raises like Playwright's; without it a wrong text would pass unnoticed."""
    site = Site(pages={"/": [El(tag="p", id="x", text="hello")]})
    page = FakeBrowser(site).new_context().new_page()
    page.goto("http://fake/")
    from playwright.sync_api import expect

    expect(page.locator("#x")).to_have_text("hello")
    with pytest.raises(AssertionError):
        expect(page.locator("#x")).to_have_text("bye")
    with pytest.raises(AssertionError):
        expect(page.locator("#missing")).to_contain_text("hello")
    assert page.get_by_text("hell").count() == 1 and page.get_by_text("hell", exact=True).count() == 0


# -- the plugin: retries, and the verdict of an assembled run ----------------------------------------------


CHECKLIST = "items:\n  - {id: first, text: The first check}\n  - {id: second, text: The second check}\n"


def _pytest(pytester: pytest.Pytester, site: Site, *args: str) -> tuple[int, dict[str, Any], str]:
    """A throwaway pytest session of the plugin, in this process, with the fake browser as its browser."""
    pytester.makeconftest(fakes.CONFTEST)
    with fakes.outside_soft_scope():
        done = pytester.runpytest_inprocess(
            *args,
            "--smoke-scenarios=scenarios",
            "--smoke-report-dir=r",
            "-p",
            "no:cacheprovider",
            plugins=[fakes.BrowserPlugin(FakeBrowser(site))],
        )
    results_file = pytester.path / "r" / "latest" / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    return int(done.ret), results, done.stdout.str()


@pytest.fixture
def project(pytester: pytest.Pytester, site_url: str) -> Path:
    root = fakes.write_project(pytester.path / "scenarios", site_url)
    (root / "checklist.yaml").write_text(CHECKLIST)
    return root


def _scenario(root: Path, name: str, checklist: str, steps: str) -> None:
    (root / f"{name}.yaml").write_text(f"name: {name}\nchecklist: [{checklist}]\nlogin: false\nsteps:\n{steps}")


def test_a_flaky_scenario_passes_on_a_retry_and_is_marked_flaky(pytester: pytest.Pytester, project: Path) -> None:
    _scenario(project, "flaky", "first", "  - open: /flaky.html\n  - expect_text: Ready\n")
    _scenario(project, "steady", "second", "  - open: /home.html\n")
    site = fakes.example_site()
    ret, results, out = _pytest(pytester, site, "scenarios", "--smoke-retries=1")
    assert ret == 0, out
    flaky, steady = sorted(results["scenarios"], key=lambda s: s["name"])
    assert flaky["status"] == "flaky" and steady["status"] == "passed"
    [earlier] = flaky["attempts"]
    assert earlier["number"] == 1 and earlier["status"] == "failed"
    assert earlier["error"]["expected"] == "Ready" and earlier["error"]["actual"] == "Loading"
    assert all("/attempt2/" in s["screenshot"] for s in flaky["steps"] if s["screenshot"])
    assert steady["attempts"] == [], "a scenario that passes is not run again"
    assert site.visits["/flaky.html"] == 2 and site.visits["/home.html"] == 1
    assert (results["status"], results["verdict"], results["exit_code"]) == ("passed", "PASSED", 0)
    assert results["notes"] == ["1 flaky (passed on a retry)"]


FLAKY = """
from pathlib import Path

def fails_first_time(page, context):
    marker = Path(__file__).with_suffix(".ran")
    if not marker.exists():
        marker.write_text("1")
        raise AssertionError("first attempt fails on purpose")
"""


def test_a_scenario_that_passes_on_retry_is_flaky_with_both_attempts(pytester: pytest.Pytester, project: Path) -> None:
    """Moved from tests/browser/test_scale.py: the same scenario and assertions, on the fake browser."""
    (project / "checklist.yaml").unlink()  # the verdict here is about the retry, not coverage
    (project / "checks").mkdir()
    (project / "checks" / "__init__.py").write_text("")
    (project / "checks" / "flaky.py").write_text(FLAKY)
    (project / "flaky.yaml").write_text(
        "name: Sometimes fails\nrole: demo\nsteps:\n  - open: /home.html\n  - call: checks.flaky:fails_first_time\n"
    )
    ret, results, out = _pytest(pytester, fakes.example_site(), "scenarios/flaky.yaml", "--smoke-retries=1")
    assert ret == 0, out
    assert "FLAKY Sometimes fails" in out
    [scenario] = results["scenarios"]
    assert scenario["status"] == "flaky" and results["counts"]["flaky"] == 1
    [attempt] = scenario["attempts"]
    assert attempt["status"] == "failed" and "on purpose" in attempt["error"]["message"]
    failed_shot = next(s["screenshot"] for s in attempt["steps"] if s["status"] == "failed")
    assert (pytester.path / "r" / "latest" / failed_shot).exists()
    final_shots = [s["screenshot"] for s in scenario["steps"] if s["screenshot"]]
    assert all("/attempt2/" in shot for shot in final_shots), final_shots
    assert failed_shot not in final_shots


def test_a_failing_scenario_is_retried_but_a_target_error_is_not(pytester: pytest.Pytester, project: Path) -> None:
    _scenario(project, "wrong", "first", "  - open: /home.html\n  - expect_text: Promotions\n")
    site = fakes.example_site()
    ret, results, out = _pytest(pytester, site, "scenarios", "--smoke-retries=2")
    assert ret == 1, out
    [wrong] = results["scenarios"]
    assert wrong["status"] == "failed" and [a["number"] for a in wrong["attempts"]] == [1, 2]
    assert site.visits["/home.html"] == 3
    site = fakes.example_site()
    site.down = True
    ret, results, out = _pytest(pytester, site, "scenarios", "--smoke-retries=2")
    assert ret == 1, out
    [down] = results["scenarios"]
    assert down["status"] == "failed" and down["error"]["kind"] == "target"
    assert down["attempts"] == [], "the target is down: trying again cannot help"


def test_the_verdict_and_exit_code_come_from_the_assembled_run(pytester: pytest.Pytester, project: Path) -> None:
    _scenario(project, "good", "first", "  - open: /home.html\n")
    _scenario(project, "bad", "second", "  - open: /home.html\n  - expect_text: Promotions\n")
    site = fakes.example_site()
    ret, results, out = _pytest(pytester, site, "scenarios")
    assert ret == 1 == results["exit_code"], out
    assert (results["status"], results["verdict"]) == ("failed", "FAILED")
    assert results["verdict_detail"] == "1 of 2 scenarios failed."
    assert {s["name"]: s["status"] for s in results["scenarios"]} == {"good": "passed", "bad": "failed"}
    assert [(c["id"], c["status"]) for c in results["checklist"]] == [("first", "passed"), ("second", "failed")]
    assert "verdict: FAILED" in out
    # a selection that covers one of the two required items passes, as a partial run only
    ret, results, out = _pytest(pytester, site, "scenarios/good.yaml")
    assert ret == 0 == results["exit_code"], out
    assert results["verdict"] == "PASSED (partial: 1 of 2 required checklist items covered)"
    assert results["partial"] is True and results["selection"] is True
