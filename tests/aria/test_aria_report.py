"""The report section, accept and the tour's captions, from a results.json: no browser."""

from __future__ import annotations

import json
from pathlib import Path

from smoke.aria.store import accept_pages
from smoke.aria.tour import caption, tour_pages
from smoke.report.render import render_report
from smoke.results import AriaChange, AriaPage, RunResult, ScenarioResult, StepResult, decide

RENAMED = AriaChange(
    "renamed",
    "link",
    "Edit Account Details",
    was="Edit Account",
    where="region 'Account Details'",
    text="renamed: link 'Edit Account' -> 'Edit Account Details' (in region 'Account Details')",
)
ADDED = AriaChange("added", "region", "Account Insights", text="added: region 'Account Insights' with 3 items")
GONE = AriaChange("removed", "button", "Pay Now", text="removed: button 'Pay Now'", used=True, used_by=["payments"])


def make_run(tmp_path: Path, baselines: Path) -> Path:
    run_dir = tmp_path / "run1"
    (run_dir / "aria" / "overview").mkdir(parents=True)
    for key in ("001-overview-id", "004-reports", "002-pay"):
        (run_dir / "aria" / "overview" / f"{key}.yaml").write_text(f'- heading "{key}" [level=1]\n')
    base = baselines / "overview" / "aria"
    base.mkdir(parents=True)
    (base / "001-overview-id.yaml").write_text('- heading "old" [level=1]\n')
    pages = [
        AriaPage(
            "001-overview-id", "1", "changed", path="/AdminPortal/Overview/10003", role="admin",
            snapshot="aria/overview/001-overview-id.yaml", baseline_file=str(base / "001-overview-id.yaml"),
            changes=[RENAMED, ADDED], title="Acme Corporation", compare="account-overview",
        ),
        AriaPage(
            "002-pay", "2", "changed", path="/AdminPortal/Pay", role="admin", snapshot="aria/overview/002-pay.yaml",
            baseline_file=str(base / "002-pay.yaml"), changes=[AriaChange("added", "button", "Later", text="added: button 'Later'"), GONE],
            title="Payment",
        ),
        AriaPage(
            "004-reports", "4", "same", path="/AdminPortal/Reports", role="admin",
            snapshot="aria/overview/004-reports.yaml", baseline_file=str(base / "004-reports.yaml"), title="Reports",
        ),
    ]  # fmt: skip
    step = StepResult("1", "open", "Open the Overview", "passed", "2026-12-01T00:00:00+00:00", 0.1)
    scenario = ScenarioResult("overview.yaml::overview", "Overview", "scenarios/overview.yaml", status="passed")
    scenario.steps, scenario.pages = [step], pages
    run = RunResult("run1", "2026-12-01T00:00:00+00:00", scenarios=[scenario], target={"name": "sandbox"})
    decide(run)
    run.write(run_dir / "results.json")
    return run_dir


def test_results_round_trip_the_pages(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, tmp_path / "base")
    again = RunResult.read(run_dir / "results.json")
    assert again.scenarios[0].pages[0].changes[0] == RENAMED
    assert again.scenarios[0].pages[1].changes[1].used


def test_the_report_lists_changed_pages_regressions_first_and_the_unchanged_collapsed(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path, tmp_path / "base")
    html = render_report(run_dir).read_text()
    section = html.split('id="pages-changed"')[1].split("</section>")[0]
    assert "What changed in the pages" in section and "1 control that a scenario uses is gone" in section
    changed, unchanged = section.split('class="aria-same"')
    # the page that lost a control the scenario uses comes first, and in it the lost control
    assert changed.index("Payment") < changed.index("Acme Corporation")
    assert changed.index("Pay Now") < changed.index("Later")
    assert "used by payments" in changed
    assert "renamed: link &#39;Edit Account&#39; -&gt; &#39;Edit Account Details&#39;" in changed
    assert "Reports" not in changed and "/AdminPortal/Reports" in unchanged and "1 page did not change" in unchanged
    assert 'href="#pages-changed">Page changes (2)' in html


def test_accept_takes_the_changed_pages_and_leaves_the_same(tmp_path: Path) -> None:
    base = tmp_path / "base"
    run_dir = make_run(tmp_path, base)
    said: list[str] = []
    accepted = accept_pages(run_dir, [], None, say=said.append)
    assert sorted(p.name for p in accepted) == ["001-overview-id.yaml", "002-pay.yaml"]
    assert (
        base / "overview" / "aria" / "001-overview-id.yaml"
    ).read_text() == '- heading "001-overview-id" [level=1]\n'
    info = json.loads((base / "overview" / "aria" / "001-overview-id.json").read_text())
    assert info["run"] == "run1" and info["path"] == "/AdminPortal/Overview/10003" and info["role"] == "admin"
    assert not (base / "overview" / "aria" / "004-reports.yaml").exists()
    # named: by the compare step's name, into another folder
    other = tmp_path / "other"
    assert [p.name for p in accept_pages(run_dir, ["account-overview"], other, say=said.append)] == [
        "001-overview-id.yaml"
    ]
    assert (other / "overview" / "aria" / "001-overview-id.yaml").is_file()


def test_the_tour_captions_say_what_is_new() -> None:
    assert caption(RENAMED) == "New in this release: link 'Edit Account Details' (was 'Edit Account')"
    assert caption(ADDED) == "New in this release: region 'Account Insights' with 3 items"
    assert caption(
        AriaChange(
            "added", "button", "Refund", where="table 'Payments'", text="added: button 'Refund' (in table 'Payments')"
        )
    ) == ("New in this release: button 'Refund'")


def test_the_tour_takes_only_changed_pages_with_something_to_show(tmp_path: Path) -> None:
    run = RunResult.read(make_run(tmp_path, tmp_path / "base") / "results.json")
    [(_scenario, pages)] = tour_pages(run)
    assert [p.key for p in pages] == ["001-overview-id", "002-pay"]
    run.scenarios[0].pages[1].changes = [GONE]
    assert [p.key for p in tour_pages(run)[0][1]] == ["001-overview-id"]


def test_a_run_with_nothing_new_says_so_and_starts_no_browser(tmp_path: Path) -> None:
    from smoke.aria.tour import run_tour, tour

    run_dir = make_run(tmp_path, tmp_path / "base")
    run = RunResult.read(run_dir / "results.json")
    for page in run.scenarios[0].pages:
        page.status, page.changes = "same", []
    run.write(run_dir / "results.json")
    said: list[str] = []
    assert tour(run_dir, tmp_path / "no-scenarios", say=said.append) == 1
    assert "nothing new to show in run run1" in said[0]
    assert run_tour("nosuch", (), tmp_path, tmp_path, "fast", False, False, True, None) == 2
    assert run_tour(str(run_dir), ("portal-signup",), tmp_path, tmp_path, "fast", False, False, True, None) == 2
