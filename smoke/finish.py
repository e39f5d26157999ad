"""The end of a run: assemble the scenarios' results, judge speed, decide the verdict, write
results.json and junit.xml, link reports/latest, render the report and notify (called by the plugin)."""

from __future__ import annotations

import getpass
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from smoke.results import (
    EXIT_USAGE,
    ChecklistItem,
    RunResult,
    ScenarioResult,
    StepError,
    checklist_status,
    decide,
    scenario_from_dict,
)
from smoke.runner import now_iso
from smoke.scenario import Scenario, is_scenario_file, load_scenario
from smoke.yamlfile import ConfigError

if TYPE_CHECKING:
    from smoke.plugin import SmokeState


def new_result(scenario: Scenario, nodeid: str) -> ScenarioResult:
    return ScenarioResult(
        nodeid=nodeid,
        name=scenario.name,
        file=rel(scenario.file),
        description=scenario.description,
        checklist=list(scenario.checklist),
        tags=list(scenario.tags),
        side=scenario.side,
        role=scenario.role,
        changes_data=scenario.changes_data,
        planned_steps=len(scenario.steps),
    )


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def counts(state: SmokeState) -> dict[str, int]:
    run = assemble(state)
    return run.count()


def assemble(state: SmokeState) -> RunResult:
    assert state.run is not None
    scenarios: list[ScenarioResult] = []
    seen = set()
    for nodeid in state.collected:
        seen.add(nodeid)
        if nodeid in state.results:
            scenarios.append(state.results[nodeid])
        elif nodeid in state.scenario_meta:
            scenarios.append(scenario_from_dict(state.scenario_meta[nodeid]))
        else:
            scenarios.append(placeholder(nodeid, state))
    for nodeid, result in state.results.items():
        if nodeid not in seen:
            scenarios.append(result)
    run = RunResult(id=state.run.id, started=state.run.started)
    run.scenarios = scenarios
    run.target = {
        "name": state.target.name,
        "admin_url": state.target.admin_url,
        "portal_url": state.target.portal_url,
        "read_only": state.target.read_only,
        "description": state.target.description,
    }
    run.release = state.release
    suite = [p for p in state.scenarios_dir.rglob("*.y*ml") if is_scenario_file(p, state.scenarios_dir)]
    run.selection = len(scenarios) < len(suite)
    run.logins = sum(s.logins for s in scenarios)
    run.counts = run.count()
    run.checklist = checklist(state, scenarios)
    run.shard = state.shard
    return run


def placeholder(nodeid: str, state: SmokeState) -> ScenarioResult:
    path = Path(nodeid.split("::")[0])
    try:
        return new_result(load_scenario(path), nodeid)
    except (ConfigError, OSError):
        return ScenarioResult(nodeid=nodeid, name=path.stem, file=str(path))


def checklist(state: SmokeState, scenarios: list[ScenarioResult]) -> list[ChecklistItem]:
    items = []
    for entry in state.project.checklist:
        covering = [s for s in scenarios if entry.id in s.checklist]
        status = checklist_status({s.status for s in covering})
        items.append(ChecklistItem(entry.id, entry.text, [s.name for s in covering], status, entry.required))  # type: ignore[arg-type]
    return items


def browser_info(state: SmokeState) -> dict[str, Any]:
    from smoke.browser import find_chromium

    config = state.config
    names = config.getoption("--browser") or ["chromium"]
    info: dict[str, Any] = {"name": names[0], "headless": not config.getoption("--headed")}
    from smoke.run import pool

    if pool.configured(config):
        endpoints = pool.live(config)
        info["remote"] = endpoints[0] if len(endpoints) == 1 else ", ".join(endpoints)
        info["pool"] = pool.describe(config)
    elif names[0] == "chromium":
        found = find_chromium()
        info["executable"] = found.executable
        info["version"] = found.version
        info["source"] = found.source
    return info


def revision(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def finish(state: SmokeState, exitstatus: int, signing_key: Any = None) -> RunResult | None:
    """The run is over: assemble it, judge it, write results.json and junit.xml, render, notify."""
    if state.run is None or state.finishing:
        return None
    state.finishing = True
    run = assemble(state)
    run.finished = now_iso()
    started = datetime.fromisoformat(run.started)
    run.duration_s = round((datetime.fromisoformat(run.finished) - started).total_seconds(), 1)
    run.user = getpass.getuser()
    run.host = platform.node()
    run.revision = revision(state.scenarios_dir)
    run.browser = browser_info(state)
    run.command = (
        "smoke " + " ".join(os.environ.get("SMOKE_COMMAND", "").split())
        if os.environ.get("SMOKE_COMMAND")
        else "pytest"
    )
    if state.collection_errors and not state.interrupted:
        state.interrupted = f"{state.collection_errors} scenario file(s) could not be loaded: nothing ran"
    if exitstatus == pytest.ExitCode.INTERRUPTED and not state.interrupted:
        state.interrupted = "interrupted (Ctrl-C or a signal) before every scenario ran"
    run.interrupted = state.interrupted
    judge_speed(state, run)
    from smoke.pack.plan import edited_inputs

    run.edited = edited_inputs(state.run.run_dir, state.scenarios_dir)
    decide(run)
    if state.collection_errors:
        run.exit_code = EXIT_USAGE  # bad input, as `smoke check` would have said
    run_dir = state.run.run_dir
    run.write(run_dir / "results.json")
    from smoke.junit import agree

    agree(run_dir / "junit.xml", run)
    link_latest(run_dir)
    try:
        state.report_path = render(state, run_dir, signing_key)
    except Exception as exc:  # the results are written; a report bug must not hide them
        reporter = state.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"report could not be rendered: {exc}", red=True)
    notify(state, run)
    if state.server is not None:
        state.server.stop()
        state.server = None
    return run


def judge_speed(state: SmokeState, run: RunResult) -> None:
    """List the pages that got slower than in earlier runs of the same target (a warning, or a failure)."""
    from smoke.health import slower_steps

    assert state.run is not None
    history = []
    for results in earlier_runs(state.run.run_dir.parent, state.run.id, state.target.slow.runs * 3):
        try:
            earlier = RunResult.read(results)
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if earlier.target.get("name") == state.target.name:
            history.append(earlier)
    fail = bool(state.config.getoption("smoke_slow_fail"))
    run.slower = slower_steps(run.scenarios, history, state.target.slow, fail=fail)
    by_file = {s.file: s for s in run.scenarios}
    for slow in run.slower:
        scenario = by_file.get(slow.file)
        if scenario is None:
            continue
        why = f"{slow.caption}: {slow.now_s:g} s, it used to take {slow.before_s:g} s (median of {slow.runs} runs)"
        if slow.timed_out and scenario.error is not None:
            # a timeout with history behind it is a page that got slower: say so where the failure is read
            scenario.error.message += f" (this page got slower: it used to load in {slow.before_s:g} s)"
        elif slow.action == "fail" and scenario.status in ("passed", "flaky"):
            scenario.status = "failed"
            scenario.failed_step = slow.step
            scenario.error = StepError(
                f"page got slower: {why}", f"about {slow.before_s:g} s", f"{slow.now_s:g} s", "slow"
            )


def earlier_runs(report_root: Path, run_id: str, limit: int) -> list[Path]:
    found = [
        p / "results.json"
        for p in report_root.iterdir()
        if p.is_dir() and not p.is_symlink() and p.name != run_id and (p / "results.json").is_file()
    ]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return found[:limit]


def notify(state: SmokeState, run: RunResult) -> None:
    url = state.config.getoption("smoke_notify")
    if not url or (state.config.getoption("smoke_notify_on") == "failure" and run.status == "passed"):
        return
    from smoke.notify import post, summary

    problem = post(url, summary(run, state.report_path))
    reporter = state.config.pluginmanager.get_plugin("terminalreporter")
    if problem and reporter is not None:
        reporter.write_line(f"notify: could not post to {url}: {problem}", yellow=True)


def render(state: SmokeState, run_dir: Path, key: Any) -> Path | None:
    from smoke.report.render import render_report, signoff_from

    signoff = signoff_from(state.config.getoption("smoke_signed_off_by"))
    path = render_report(run_dir, secrets=state.secrets.values(), signoff=signoff, signing_key=key)
    if state.config.getoption("smoke_self_contained"):
        render_report(run_dir, single_file=True, secrets=state.secrets.values(), signoff=signoff, signing_key=key)
    try:
        from smoke.report.render import render_index

        render_index(run_dir.parent)
    except Exception:
        pass
    return path


def link_latest(run_dir: Path) -> None:
    latest = run_dir.parent / "latest"
    try:
        if latest.is_symlink() or latest.is_file():
            latest.unlink()
        if not latest.exists():
            latest.symlink_to(run_dir.name, target_is_directory=True)
    except OSError:
        (run_dir.parent / "LATEST").write_text(run_dir.name + "\n")
