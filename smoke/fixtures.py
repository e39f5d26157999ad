"""Overrides of pytest-playwright's fixture links, registered after it so they take precedence.

Each one takes the value of the link it replaces and copies it before changing it, like a
conftest.py override would; a user's own conftest.py still overrides these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from smoke.browser import find_chromium, launch_args
from smoke.run import pool

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_name: str | None, pytestconfig: pytest.Config
) -> dict[str, Any]:
    args = dict(browser_type_launch_args)
    if pool.endpoint_for(pytestconfig):
        # A remote `playwright run-server` launches its own browser. Only a server started with
        # --unsafe accepts an executable path; say which one with --smoke-remote-executable.
        remote_exe = pytestconfig.getoption("smoke_remote_executable", default=None)
        if remote_exe:
            args["executable_path"] = remote_exe
            args["args"] = [*args.get("args", []), *launch_args(headless=args.get("headless", True))]
        # these go to the server as JSON in a header, where the protocol's camelCase names count
        return {_camel(key): value for key, value in args.items()}
    if (browser_name or "chromium") == "chromium" and "channel" not in args and "executable_path" not in args:
        found = find_chromium()
        # the system's Chromium where there is one; otherwise Playwright's own, which it finds itself
        if found.source in ("system", "env"):
            args["executable_path"] = found.executable
        args["args"] = [*args.get("args", []), *launch_args(headless=args.get("headless", True))]
    return args


@pytest.fixture(scope="session")
def connect_options(connect_options: dict[str, Any] | None, pytestconfig: pytest.Config) -> dict[str, Any] | None:
    # with a pool, each xdist worker drives the browser of its own endpoint (see smoke.run.pool)
    ws = pool.endpoint_for(pytestconfig)
    if ws:
        import inspect

        from playwright.sync_api import BrowserType

        # the endpoint's keyword was renamed across Playwright versions (ws_endpoint -> endpoint)
        key = "endpoint" if "endpoint" in inspect.signature(BrowserType.connect).parameters else "ws_endpoint"
        return {**(connect_options or {}), key: ws}
    return connect_options


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {"viewport": {"width": 1280, "height": 800}, **browser_context_args}


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext], pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Callable[..., BrowserContext]:
    """Traces keep the DOM snapshots of every action but no screencast: each step's screenshot in the
    report is already the film strip, and the screencast (a JPEG every few frames, all the scenario
    long) was the trace's largest cost. pytest-playwright still saves and names the trace."""
    if pytestconfig.getoption("--tracing", default="off") not in ("on", "retain-on-failure"):
        return new_context

    def with_lean_trace(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        context.tracing.stop()  # started with screenshots=True, before anything happened in the context
        context.tracing.start(title=request.node.nodeid, screenshots=False, snapshots=True, sources=False)
        return context

    return with_lean_trace


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
