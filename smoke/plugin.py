"""pytest plugin: YAML scenarios as test items, run by Playwright, with evidence and a report.

Registered as the ``smoke`` pytest11 entry point. It only acts on YAML files inside the scenarios
folder (``--smoke-scenarios``, default ``scenarios/``), so an unrelated pytest run is untouched.
pytest-playwright's options (``--headed``, ``--slowmo``, ``--browser``, ``--tracing``, ``--video``)
work unchanged; ours start with ``--smoke-``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, cast

import pytest

from smoke.evidence import Evidence
from smoke.finish import counts as run_counts
from smoke.finish import finish, new_result
from smoke.options import add_pytest_options
from smoke.project import Project, check_all, load_project
from smoke.results import (
    EXIT_INTERRUPTED,
    Attempt,
    RunResult,
    ScenarioResult,
    StepError,
    new_run_id,
    scenario_from_dict,
)
from smoke.runner import RunInfo, ScenarioRun, WorkerSession, now_iso
from smoke.scenario import Scenario, is_scenario_file, load_scenario
from smoke.secrets import Secrets
from smoke.stash import SIGNING_KEY, STATE
from smoke.targets import Target
from smoke.yamlfile import ConfigError

RESULT_PROPERTY = "smoke_result"


class SmokeState:
    """The controller's (or a worker's) view of this run."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.scenarios_dir = Path(config.getoption("smoke_scenarios")).resolve()
        targets = config.getoption("smoke_targets")
        self.project: Project = load_project(self.scenarios_dir, Path(targets).resolve() if targets else None)
        self.target: Target = self.project.targets.get(config.getoption("smoke_target"))
        self.server: Any = None
        self.run: RunInfo | None = None
        self.results: dict[str, ScenarioResult] = {}
        self.collected: list[str] = []
        self.scenario_meta: dict[str, dict[str, Any]] = {}
        self.secrets = Secrets(self.target.secret_values())
        self.secrets.add_from_data(self.project.data)
        self.release: str | None = None
        self.browser: dict[str, Any] = {}
        self.interrupted: str | None = None
        self.report_path: Path | None = None
        self.worker_logins = 0
        self.shard: dict[str, Any] | None = None
        self.signalled = False
        self.collection_errors = 0
        self.finishing = False  # writing the report: a first signal no longer interrupts
        self.old_handlers: dict[int, Any] = {}

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smoke", "engageip-smoke scenarios")
    add_pytest_options(group)  # the table of run options, smoke/options.py


def _wants_smoke(config: pytest.Config) -> bool:
    if config.getoption("smoke_target"):
        return True
    root = Path(config.getoption("smoke_scenarios")).resolve()
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if (
            path == root
            or path.is_relative_to(root)
            or (path.is_dir() and root.is_relative_to(path) and path != Path("/"))
        ):
            return path.exists() and (root / "targets.yaml").exists() if path != root else True
    return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scenario: a YAML smoke scenario")
    if not _wants_smoke(config):
        return
    try:
        state = SmokeState(config)
    except ConfigError as exc:
        raise pytest.UsageError(exc.line()) from None
    config.stash[STATE] = state
    if config.getoption("headed", False) and not state.is_worker and not config.getoption("smoke_browser_ws"):
        from smoke.browser import has_display

        if not has_display():
            raise pytest.UsageError(
                "--headed needs a display and none was found: run under `xvfb-run -a ...`, or set DISPLAY"
            )
    if not state.is_worker:
        _catch_signals(state)
    # pytest-base-url's session fixture trips a pytest 9 deprecation warning that is not ours to fix
    config.addinivalue_line("filterwarnings", "ignore:Session-scoped fixtures defined as instance methods")
    # Fixture overrides must come after pytest-playwright's; registering them now guarantees that.
    from smoke import fixtures

    config.pluginmanager.register(fixtures, "smoke-fixtures")
    from smoke.run import pool

    if not state.is_worker and pool.configured(config):
        config.pluginmanager.register(pool.PoolPlugin(config, state), "smoke-pool")
    if config.getoption("smoke_shard"):
        from smoke.run.shard import ShardError, ShardPlugin

        try:
            config.pluginmanager.register(ShardPlugin(config, state), "smoke-shard")
        except ShardError as exc:
            raise pytest.UsageError(str(exc)) from None
    if config.getoption("smoke_demo"):
        from smoke.demo import DemoPlugin

        demo = DemoPlugin(config, lambda: state.run.run_dir if state.run is not None else None)
        config.pluginmanager.register(demo, "smoke-demo")
    if state.is_worker:
        info = config.workerinput["smoke"]  # type: ignore[attr-defined]
        state.run = RunInfo(info["id"], info["started"], Path(info["run_dir"]), state.scenarios_dir)
        state.interrupted = info.get("stopped")
        if info.get("server_url"):
            state.target = state.target.with_server(info["server_url"])


def _catch_signals(state: SmokeState) -> None:
    """SIGTERM and SIGHUP end a run the way Ctrl-C does: what ran is reported, the server is stopped.

    A CI job cancelled, a scheduler's timeout or a closed terminal must not leave a run without a
    report or a target server running. A second signal ends at once (after stopping the server).
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def on_signal(signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if state.interrupted and state.signalled:
            if state.server is not None:
                with contextlib.suppress(Exception):
                    state.server.stop(timeout=2)
            os._exit(EXIT_INTERRUPTED)
        state.signalled = True
        state.interrupted = f"{name} received: the run was stopped before every scenario ran"
        if not state.finishing:
            raise KeyboardInterrupt(name)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        state.old_handlers[signum] = signal.signal(signum, on_signal)


def pytest_unconfigure(config: pytest.Config) -> None:
    import signal

    state = config.stash.get(STATE, None)
    if state is None:
        return
    for signum, handler in state.old_handlers.items():
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signum, handler)
    if state.server is not None:  # a run that never reached sessionfinish still stops what it started
        state.server.stop()
        state.server = None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None or state.is_worker:
        return
    config = session.config
    run_id = config.getoption("smoke_run_id") or new_run_id()
    report_root = Path(config.getoption("smoke_report_dir")).resolve()
    run_dir = report_root / run_id
    from smoke.pack import PackError, plan
    from smoke.pack.keys import target_key

    try:  # a key that is configured but unreadable stops the run before anything is written
        config.stash[SIGNING_KEY] = signing_key = target_key(state.target)
    except PackError as exc:
        raise pytest.UsageError(exc.message) from None
    run_dir.mkdir(parents=True, exist_ok=True)
    state.run = RunInfo(run_id, now_iso(), run_dir, state.scenarios_dir)
    plan.freeze(
        run_dir,
        state.project,
        state.target,
        run_id=run_id,
        started=state.run.started,
        options=plan.run_options(vars(config.option), config.args),
        signing=signing_key.fingerprint if signing_key else None,
        scrub=state.secrets.scrub,
    )
    server_url = config.getoption("smoke_server_url")
    target = state.target
    if "{server}" in target.admin_url + target.portal_url and not server_url and target.server is None:
        raise pytest.UsageError(f"target {target.name!r} has {{server}} in its URLs but no server: command")
    from smoke import server as servers

    try:
        state.target, state.server = servers.serve_target(target, server_url)
    except servers.ServerError as exc:
        # no pytest.exit: its "! _pytest.outcomes.Exit" banner is not for users; nothing runs instead
        state.interrupted = f"target {target.name!r} server did not start: {exc}"
        return
    from smoke.server import check_reachable, read_release

    problems = check_reachable([state.target.admin_url, state.target.portal_url])
    if problems:
        state.interrupted = "target unreachable: " + "; ".join(problems)
        return
    if state.target.release:
        state.release = read_release(state.target.release.url, state.target.release.pattern)


def pytest_configure_node(node: Any) -> None:  # pytest-xdist: hand the run to each worker
    state = node.config.stash.get(STATE, None)
    if state is None or state.run is None:
        return
    node.workerinput["smoke"] = {
        "id": state.run.id,
        "started": state.run.started,
        "run_dir": str(state.run.run_dir),
        "server_url": state.server.url if state.server else node.config.getoption("smoke_server_url"),
        "stopped": state.interrupted,
    }


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(STATE, None)
    if state is None or file_path.suffix not in (".yaml", ".yml"):
        return None
    if not file_path.resolve().is_relative_to(state.scenarios_dir):
        return None
    if not is_scenario_file(file_path.resolve(), state.scenarios_dir):
        return None
    return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):
    def collect(self) -> list[pytest.Item]:
        state = self.config.stash[STATE]
        scenario = load_scenario(self.path)
        errors = check_all(state.project, [scenario], state.target)
        if errors:
            raise errors[0]
        item = ScenarioItem.from_parent(self, name=self.path.stem, callobj=_scenario_test, scenario=scenario)
        item.add_marker(pytest.mark.scenario)
        for tag in scenario.tags:
            self.config.addinivalue_line("markers", f"{tag}: scenario tag")
            item.add_marker(getattr(pytest.mark, tag))
        for checklist_id in scenario.checklist:
            item.extra_keyword_matches.add(checklist_id)
        if scenario.group:
            # with `-n N --dist loadgroup`, one worker runs every scenario of a group, one at a time
            item.add_marker(pytest.mark.xdist_group(name=scenario.group))
        return [item]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ConfigError):
            return excinfo.value.line()
        return super().repr_failure(excinfo)


def _scenario_test(_smoke_session: WorkerSession, new_context: Any) -> None:
    """Stands in for a test function so pytest resolves the fixtures a scenario needs."""


class ScenarioFailure(Exception):
    pass


class ScenarioItem(pytest.Function):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.smoke_result: ScenarioResult | None = None

    def runtest(self) -> None:
        session = cast(WorkerSession, self.funcargs["_smoke_session"])
        new_context = cast(Callable[..., Any], self.funcargs["new_context"])
        retries = int(self.config.getoption("smoke_retries") or 0)
        earlier: list[Attempt] = []
        earlier_logins = 0
        for attempt in range(1, retries + 2):
            result = new_result(self.scenario, self.nodeid)
            result.worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            self.smoke_result = result
            run = ScenarioRun(session, self.scenario, new_context, result, attempt=attempt)
            try:
                run.run()
            except KeyboardInterrupt:
                # Ctrl-C, SIGTERM or SIGHUP mid-scenario: keep what it did, it has no teardown report
                result.status = "interrupted"
                result.error = StepError("the run was interrupted during this scenario", kind="interrupted")
                state = self.config.stash[STATE]
                if not state.is_worker:
                    state.results[self.nodeid] = result
                raise
            finally:
                with contextlib.suppress(Exception):
                    run.close()
            if result.status == "passed" or attempt == retries + 1 or (result.error and result.error.kind == "target"):
                break
            earlier.append(Attempt(attempt, result.status, result.error, result.steps, result.duration_s))
            earlier_logins += result.logins
        result.attempts = earlier
        result.logins += earlier_logins
        if earlier and result.status == "passed":
            result.status = "flaky"  # passed only on a retry: not the same as passed
        if result.status == "failed":
            raise ScenarioFailure(_failure_text(self.scenario, result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailure | ConfigError):
            return str(excinfo.value)
        if self.config.getoption("verbose") < 1:
            # a browser that did not start, a fixture that broke: the cause, not pytest's traceback
            lines = [
                line
                for line in str(excinfo.value).splitlines()
                if line.strip() and not line.startswith(("╔", "║", "╚"))
            ]
            return (
                f"{self.scenario.name}: {type(excinfo.value).__name__}: "
                + "\n  ".join(lines[:4])
                + "\n  (-v shows the traceback)"
            )
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.pos.line - 1, f"scenario: {self.scenario.name}"


def _failure_text(scenario: Scenario, result: ScenarioResult) -> str:
    error = result.error or StepError("failed")
    step = next((s for s in result.steps if s.index == result.failed_step), None)
    caption = step.caption if step else ""
    lines = [f"{scenario.name}: step {result.failed_step} '{caption}' failed: {error.message}"]
    if error.expected is not None:
        lines.append(f"  expected: {error.expected}")
    if error.actual is not None:
        lines.append(f"  shown:    {error.actual}")
    return "\n".join(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if not isinstance(item, ScenarioItem):
        return report
    if call.when == "setup":
        item._smoke_setup_report = report  # type: ignore[attr-defined]
        if report.failed and call.excinfo is not None and item.config.getoption("verbose") < 1:
            # pytest shows setup errors with a traceback; the cause is what a user needs
            report.longrepr = item.repr_failure(call.excinfo)
    if call.when != "teardown":
        return report
    state = item.config.stash[STATE]
    result = item.smoke_result
    if result is None:  # never ran: setup failed (browser did not start, ...) or skipped
        result = new_result(item.scenario, item.nodeid)
        setup = getattr(item, "_smoke_setup_report", None)
        if setup is not None and setup.skipped:
            result.status = "skipped"
            longrepr = setup.longrepr
            result.skip_reason = str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
        else:
            result.status = "error"
            text = str(setup.longrepr) if setup is not None else "did not run"
            result.error = StepError(
                state.secrets.scrub(text.strip().splitlines()[-1] if text.strip() else text) or "", kind="error"
            )
    _collect_artifacts(item, result, state)
    report.user_properties.append((RESULT_PROPERTY, json.dumps(_result_dict(result))))
    return report


def _result_dict(result: ScenarioResult) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(result)


def _collect_artifacts(item: ScenarioItem, result: ScenarioResult, state: SmokeState) -> None:
    """Copy pytest-playwright's trace and video for this scenario into the run folder."""
    output_root = Path(item.config.getoption("--output")).absolute()
    from pytest_playwright.pytest_playwright import _truncate_file_name
    from slugify import slugify

    folder = output_root / _truncate_file_name(slugify(item.nodeid))
    if not folder.is_dir() or state.run is None:
        return
    dest = state.run.run_dir / "artifacts" / item.path.stem
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".zip", ".webm", ".png"):
            continue
        if not path.resolve().is_relative_to(state.run.run_dir):
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / path.name)
            final = dest / path.name
        else:
            final = path
        rel = str(final.resolve().relative_to(state.run.run_dir))
        if path.suffix == ".zip":
            result.trace = rel
        elif path.suffix == ".webm":
            result.video = rel


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    state = config.stash.get(STATE, None)
    if state is None or (
        report.nodeid not in state.collected and ".yaml::" not in report.nodeid and ".yml::" not in report.nodeid
    ):
        return None
    if report.when == "call":
        # our own one-line-per-scenario output replaces pytest's dots
        return report.outcome, "", report.outcome.upper()
    if report.when == "setup" and report.skipped:
        return "skipped", "", "SKIPPED"
    if report.when in ("setup", "teardown") and report.failed:
        return "error", "", "ERROR"
    return None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if STATE not in config.stash:
        return
    # stable: scenarios keep their file order, those with a higher `order` go after the rest
    items.sort(key=lambda item: item.scenario.order if isinstance(item, ScenarioItem) else 0)
    state = config.stash[STATE]
    if state.interrupted:  # the target is down or its server did not start: nothing can run
        for item in items:
            if isinstance(item, ScenarioItem):
                state.collected.append(item.nodeid)
                state.scenario_meta[item.nodeid] = _result_dict(new_result(item.scenario, item.nodeid))
        config.hook.pytest_deselected(items=list(items))
        items[:] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    for item in session.items:
        if isinstance(item, ScenarioItem):
            state.collected.append(item.nodeid)
            state.scenario_meta[item.nodeid] = _result_dict(new_result(item.scenario, item.nodeid))


def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    state = node.config.stash.get(STATE, None)
    if state is None:
        return
    for nodeid in ids:
        if nodeid not in state.collected:
            state.collected.append(nodeid)


@pytest.hookimpl(trylast=True)
def pytest_report_collectionfinish(config: pytest.Config, start_path: Path, items: list[pytest.Item]) -> str | None:
    state = config.stash.get(STATE, None)
    if state is None or state.run is None:
        return None
    return f"target {state.target.name}: {state.target.admin_url} | run {state.run.id}"


def _on_result(state: SmokeState, report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name != RESULT_PROPERTY:
            continue
        result = scenario_from_dict(json.loads(str(value)))
        if report.when == "teardown" and report.failed and result.status == "passed":
            result.status = "error"
            result.error = StepError(
                "teardown failed: " + (str(report.longrepr).strip().splitlines() or [""])[-1], kind="error"
            )
        state.results[report.nodeid] = result
        _print_line(state, result)


class _Reporter:
    """Registered in the controller: turns reports into results and one line per scenario."""

    def __init__(self, state: SmokeState) -> None:
        self.state = state
        self.run: RunResult | None = None

    @pytest.hookimpl
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.state.collection_errors += 1

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            _on_result(self.state, report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        run = finish(self.state, int(exitstatus), session.config.stash.get(SIGNING_KEY, None))
        self.run = run or self.run
        if (
            run is not None
            and run.exit_code is not None
            and exitstatus != pytest.ExitCode.USAGE_ERROR
            and not self.state.collection_errors  # pytest's own "interrupted: errors during collection"
        ):
            # plain `pytest scenarios/` ends with the same exit code as `smoke run`: the verdict's
            session.exitstatus = run.exit_code

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        state = self.state
        if state.run is None:
            return
        counts = run_counts(state)
        terminalreporter.write_sep("-", "engageip-smoke")
        parts = [
            f"{counts[k]} {k}" for k in ("passed", "failed", "flaky", "error", "skipped", "not run") if counts.get(k)
        ]
        terminalreporter.write_line(f"{counts['total']} scenarios: " + (", ".join(parts) or "none ran"))
        run = self.run
        if run is not None:
            for event in (e for s in run.scenarios for e in s.health):
                if event.action != "fail":
                    terminalreporter.write_line(
                        f"health: {event.kind.replace('_', ' ')} on {event.page} (step {event.step}): {event.message}"
                        + (f" ×{event.count}" if event.count > 1 else ""),
                        yellow=True,
                    )
            for slow in run.slower:
                terminalreporter.write_line(
                    f"slower: {slow.scenario} step {slow.step} ({slow.url}): {slow.now_s:g} s, was {slow.before_s:g} s",
                    yellow=slow.action != "fail",
                    red=slow.action == "fail",
                )
            colour = {"passed": {"green": True}, "failed": {"red": True}}.get(run.status, {"yellow": True})
            if run.partial:
                colour = {"yellow": True}  # a selection that passed is no green light
            terminalreporter.write_line(
                f"verdict: {run.verdict}" + (f" ({'; '.join(run.notes)})" if run.notes else ""), bold=True, **colour
            )
        if state.interrupted:
            terminalreporter.write_line(f"stopped early: {state.interrupted}")
        if state.report_path:
            terminalreporter.write_line(f"report: {state.report_path}")
        else:
            terminalreporter.write_line(f"results: {state.run.run_dir / 'results.json'}")


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None or state.is_worker:
        return
    if not session.config.pluginmanager.has_plugin("smoke-reporter"):
        session.config.pluginmanager.register(_Reporter(state), "smoke-reporter")


def _print_line(state: SmokeState, result: ScenarioResult) -> None:
    reporter = state.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    word = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP", "error": "ERROR", "flaky": "FLAKY"}.get(
        result.status, result.status.upper()
    )
    line = f"{word:<5} {result.name}  ({result.file}, {result.duration_s:.1f}s)"
    markup = (
        {"green": True}
        if result.status == "passed"
        else {"red": True}
        if result.status in ("failed", "error")
        else {"yellow": True}
    )
    reporter.ensure_newline()
    reporter.write_line(line, **markup)
    if result.status in ("failed", "error") and result.error:
        step = f"step {result.failed_step}: " if result.failed_step else ""
        reporter.write_line(f"      {step}{result.error.message}")
    for step_result in result.steps:
        if step_result.visual is not None and step_result.visual.status in ("changed", "no-baseline", "captured"):
            reporter.write_line(
                f"      visual: {step_result.visual.message}", yellow=step_result.visual.status == "changed"
            )


@pytest.fixture(scope="session")
def _smoke_session(pytestconfig: pytest.Config) -> Generator[WorkerSession, None, None]:
    state = pytestconfig.stash[STATE]
    assert state.run is not None
    evidence = Evidence(state.run.run_dir, state.secrets, reuse=not pytestconfig.getoption("smoke_fresh_screenshots"))
    session = WorkerSession(
        run=state.run,
        target=state.target,
        data=state.project.data,
        secrets=state.secrets,
        evidence=evidence,
        reuse_logins=not pytestconfig.getoption("smoke_no_login_reuse"),
    )
    capture_dir = pytestconfig.getoption("smoke_capture_baseline")
    baselines = capture_dir or pytestconfig.getoption("smoke_baselines")
    session.baselines = Path(baselines).resolve() if baselines else state.scenarios_dir / "baselines"
    session.capture_baselines = bool(capture_dir)
    session.visual_strict = bool(pytestconfig.getoption("smoke_visual_strict"))
    session.release = state.release
    if pytestconfig.getoption("smoke_aria") != "off":
        from smoke.aria.snapshot import AriaCapture

        session.aria = AriaCapture(session.baselines, session.capture_baselines, pytestconfig.getoption("smoke_aria"))
    demo = pytestconfig.pluginmanager.get_plugin("smoke-demo")
    if demo is not None:
        demo.attach(session)
    yield session
    evidence.close()
