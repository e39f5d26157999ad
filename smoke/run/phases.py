"""Where a run's time goes: an opt-in pytest plugin that times the phases of a run from outside.

Loaded only when asked (``-p smoke.run.phases`` with ``SMOKE_PHASES=FILE``; ``make bench`` does
it): it wraps the Playwright calls and the engine's own entry points with timers, without touching
the runner, and writes the totals as JSON to FILE when the session ends (one file per process;
an xdist worker appends its name). Nested calls of one phase count once (the outermost).
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_totals: dict[str, list[float]] = {}  # phase -> [seconds, calls]
_depth: dict[str, int] = {}
_marks: dict[str, float] = {}
_lock = threading.Lock()


def _timed(phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _depth.get(phase, 0) == 0
        _depth[phase] = _depth.get(phase, 0) + 1
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _depth[phase] -= 1
            if outer:
                with _lock:
                    entry = _totals.setdefault(phase, [0.0, 0])
                    entry[0] += time.perf_counter() - t0
                    entry[1] += 1

    wrapper.__smoke_timed__ = True  # type: ignore[attr-defined]
    return wrapper


def _wrap(owner: Any, names: list[str], phase: str) -> None:
    for name in names:
        fn = getattr(owner, name, None)
        if fn is not None and not getattr(fn, "__smoke_timed__", False):
            setattr(owner, name, _timed(phase, fn))


def install() -> None:
    from playwright.sync_api import _generated as pw

    from smoke import evidence, runner, server
    from smoke.report import render

    _wrap(server, ["start"], "target server start")
    _wrap(pw.BrowserType, ["launch", "connect"], "browser launch or connect")
    _wrap(pw.Browser, ["new_context"], "new browser context")
    _wrap(pw.BrowserContext, ["close"], "closing contexts")
    _wrap(pw.BrowserContext, ["storage_state"], "saving logins (storage state)")
    _wrap(pw.Tracing, ["start", "start_chunk", "stop", "stop_chunk"], "trace")
    _wrap(evidence.Evidence, ["capture"], "screenshots")
    _wrap(evidence.Evidence, ["_ask"], "  the mask and change question (evaluate)")
    _wrap(evidence.Evidence, ["_shoot"], "  the capture (Page.screenshot)")
    _wrap(pw.Page, ["goto", "reload", "go_back", "wait_for_load_state"], "page loads (goto, reload)")
    waits = ["wait_for_timeout", "wait_for_selector", "wait_for_url", "wait_for_function", "wait_for_event"]
    _wrap(pw.Page, waits, "explicit waits")
    _wrap(pw.Locator, ["wait_for"], "explicit waits")
    for cls in (pw.LocatorAssertions, pw.PageAssertions):
        _wrap(cls, [n for n in vars(cls) if n.startswith(("to_", "not_to_"))], "expect checks (polling)")
    _wrap(runner.ScenarioRun, ["switch"], "log in or switch role")
    _wrap(runner.ScenarioRun, ["run_step"], "steps")
    _wrap(runner.ScenarioRun, ["run"], "scenarios")
    _wrap(render, ["render_report", "render_index"], "report and index")


def _process_started() -> float | None:
    try:
        import psutil

        return float(psutil.Process().create_time())
    except ImportError:
        return None


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("SMOKE_PHASES"):
        _marks["process started"] = _process_started() or time.time()
        _marks["pytest configured"] = time.time()
        install()


def pytest_collection_finish(session: pytest.Session) -> None:
    _marks.setdefault("collected", time.time())


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    _marks.setdefault("first test", time.time())


def pytest_unconfigure(config: pytest.Config) -> None:
    out = os.environ.get("SMOKE_PHASES")
    if not out:
        return
    _marks["finished"] = time.time()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    path = Path(out + (f".{worker}" if worker else ""))
    data = {"phases": {k: {"s": round(v[0], 3), "calls": int(v[1])} for k, v in _totals.items()}, "marks": _marks}
    path.write_text(json.dumps(data, indent=2))
