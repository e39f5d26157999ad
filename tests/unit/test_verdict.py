"""The one verdict (smoke.results.decide), page-health policy and 'what got slower', without a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smoke.health import HealthPolicy, PageWatch, SlowPolicy, parse_health, slower_steps
from smoke.results import ChecklistItem, RunResult, ScenarioResult, StepError, StepResult, decide
from smoke.yamlfile import ConfigError, load_text


def _scenario(name: str, status: str, checklist: list[str]) -> ScenarioResult:
    return ScenarioResult(
        nodeid=f"{name}.yaml::{name}", name=name, file=f"{name}.yaml", status=status, checklist=checklist
    )  # type: ignore[arg-type]


def _run(statuses: dict[str, str], selection: bool = False, **kw: Any) -> RunResult:
    scenarios = [_scenario(n, s, [n]) for n, s in statuses.items()]
    checklist = [ChecklistItem(i, i, [n for n in statuses if n == i], "not run") for i in ("a", "b", "c")]
    for item in checklist:
        item.status = next((s.status for s in scenarios if s.name == item.id), "not run")  # type: ignore[assignment]
    return decide(
        RunResult(
            id="r", started="2026-12-01T00:00:00Z", scenarios=scenarios, checklist=checklist, selection=selection, **kw
        )
    )


def test_full_pass_partial_failed_incomplete_interrupted() -> None:
    full = _run({"a": "passed", "b": "passed", "c": "flaky"})
    assert (full.status, full.verdict, full.exit_code, full.partial) == ("passed", "PASSED", 0, False)
    assert full.notes == ["1 flaky (passed on a retry)"]
    partial = _run({"a": "passed"}, selection=True)
    assert partial.verdict == "PASSED (partial: 1 of 3 required checklist items covered)" and partial.exit_code == 0
    assert "not evidence of a full pass" in partial.verdict_detail
    # the whole suite that lacks a scenario for a required item is not a pass at all
    lacking = _run({"a": "passed"}, selection=False)
    assert (lacking.status, lacking.exit_code) == ("incomplete", 4) and "b, c" in lacking.verdict_detail
    failed = _run({"a": "passed", "b": "failed", "c": "passed"})
    assert (failed.status, failed.verdict, failed.exit_code) == ("failed", "FAILED", 1)
    skipped = _run({"a": "passed", "b": "skipped", "c": "passed"})
    assert skipped.status == "incomplete" and "(b)" in skipped.verdict_detail
    cut = _run({"a": "passed", "b": "interrupted", "c": "not run"}, interrupted="SIGTERM received")
    assert (cut.status, cut.verdict, cut.exit_code) == (
        "interrupted",
        "INTERRUPTED",
        5,
    ) and "1 of 3" in cut.verdict_detail
    down = _run({"a": "not run", "b": "not run", "c": "not run"}, interrupted="target unreachable: x")
    assert down.exit_code == 3


def test_unchecked_compare_and_health_warnings_are_notes_not_passes() -> None:
    run = _run({"a": "passed", "b": "passed", "c": "passed"})
    run.scenarios[0].steps.append(StepResult("1", "compare", "Compare", "not checked", "", 0.1))
    decide(run)
    assert run.status == "passed" and run.counts["not checked"] == 1
    assert "1 check not checked (nothing to compare with yet)" in run.notes


class _Event:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


class _Page:
    url = "http://x/Overview/1"

    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}

    def on(self, name: str, handler: Any) -> None:
        self.handlers[name] = handler


def test_page_watch_dedupes_applies_policy_and_ignores_browser_noise() -> None:
    watch = PageWatch(HealthPolicy(), lambda t: t.replace("s3cret", "••••"))
    page = _Page()
    watch.attach(page)
    watch.step = ("3", "Open the overview")
    for _ in range(3):
        page.handlers["pageerror"](_Event(message="TypeError: x is undefined s3cret"))
    page.handlers["console"](_Event(type="error", text="Failed to load resource: the server responded with 404"))
    page.handlers["console"](_Event(type="warning", text="deprecated"))
    request = _Event(method="GET", url="http://x/favicon.ico", resource_type="image", failure="net::ERR_FAILED")
    page.handlers["requestfailed"](request)
    page.handlers["requestfailed"](
        _Event(method="GET", url="http://x/a.js", resource_type="script", failure="net::ERR_ABORTED")
    )
    page.handlers["response"](
        _Event(status=403, url="http://x/Setup", request=_Event(method="GET", resource_type="document"))
    )
    page.handlers["response"](
        _Event(status=404, url="http://x/w.js", request=_Event(method="GET", resource_type="script"))
    )
    page.handlers["response"](
        _Event(status=502, url="http://x/api", request=_Event(method="GET", resource_type="fetch"))
    )
    events = watch.recorded()
    assert [(e.kind, e.action, e.count) for e in events] == [
        ("page_error", "fail", 3),
        ("failed_request", "warn", 1),
        ("server_error", "fail", 1),
    ]
    assert "s3cret" not in events[0].message and events[0].step == "3" and events[0].page == "http://x/Overview/1"
    assert len(watch.take_failures()) == 2 and watch.take_failures() == []


def test_health_policy_from_yaml_and_its_errors(tmp_path: Path) -> None:
    raw = load_text(
        "health: {console_errors: fail, failed_requests: ignore, ignore: [{url: 'ads\\.js', kind: page_errors}]}\n",
        tmp_path / "t.yaml",
    )
    policy = parse_health(raw["health"], "target 'x'", raw.pos_of("health"))
    assert policy.action("console_error") == "fail" and policy.action("failed_request") == "ignore"
    assert policy.ignore[0].matches("page_error", "http://x/ads.js", "boom", None)
    assert not policy.ignore[0].matches("server_error", "http://x/ads.js", "boom", 500)
    for bad, says in (
        ("{page_errors: loud}", "fail, warn or ignore"),
        ("{pages: fail}", "not 'pages'"),
        ("{ignore: [{url: '('}]}", "regular expression"),
    ):
        raw = load_text(f"health: {bad}\n", str(tmp_path / "t.yaml"))
        with pytest.raises(ConfigError, match=says) as info:
            parse_health(raw["health"], "target 'x'", raw.pos_of("health"))
        assert "t.yaml:1" in info.value.line()


def _timed(load: float, status: str = "passed", error: StepError | None = None) -> ScenarioResult:
    scenario = _scenario("s", "passed", [])
    scenario.steps.append(
        StepResult("1", "open", "Open /Report", status, "", load, url="http://x/Report/42", error=error, load_s=load)
    )  # type: ignore[arg-type]
    return scenario


def test_slower_steps_against_the_median_of_earlier_runs() -> None:
    history = [RunResult(id=str(i), started="", scenarios=[_timed(t)]) for i, t in enumerate((0.4, 0.5, 0.45))]
    policy = SlowPolicy()
    assert slower_steps([_timed(1.2)], history, policy) == []  # 3x but not 2 s more
    assert slower_steps([_timed(2.0)], history[:2], SlowPolicy(min_runs=3)) == []  # too little history
    [slow] = slower_steps([_timed(3.0)], history, policy)
    assert (slow.before_s, slow.now_s, slow.runs, slow.action, slow.timed_out) == (0.45, 3.0, 3, "warn", False)
    [timed_out] = slower_steps(
        [_timed(10.0, "failed", StepError("Timeout", kind="timeout"))], history, policy, fail=True
    )
    assert timed_out.timed_out and timed_out.action == "fail"
