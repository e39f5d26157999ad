"""A pool of remote browsers: ``--smoke-browser-ws`` repeated, or ``browsers:`` in a target.

The controller checks every endpoint once at the start: one that does not answer is reported in
one line and left out. xdist worker ``gwI`` drives the browser of live endpoint ``I mod n``, so
the workers spread evenly over the pool; without workers the run uses the first live endpoint.
An endpoint that dies mid-run closes its browser connection, so what runs on it fails at once
(Playwright raises "browser has been closed"), not after a timeout per step; the other workers go on.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from smoke.server import unreachable

CONNECT_TIMEOUT_S = 3.0


def configured(config: pytest.Config) -> list[str]:
    """The endpoints asked for: the option's, else the target's ``browsers:`` list."""
    given = config.getoption("smoke_browser_ws", default=None) or []
    if isinstance(given, str):
        given = [given]
    if given:
        return list(dict.fromkeys(given))
    from smoke.stash import STATE

    state = config.stash.get(STATE, None)
    return list(dict.fromkeys(getattr(state.target, "browsers", []) if state is not None else []))


def problem(endpoint: str, timeout: float = CONNECT_TIMEOUT_S) -> str | None:
    """Why ``endpoint`` cannot be used, or None when something listens there."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        return "not a ws:// or wss:// address"
    return unreachable(endpoint, timeout)


def worker_number() -> int:
    match = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
    return int(match.group(1)) if match else 0


def live(config: pytest.Config) -> list[str]:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "smoke_browsers" in workerinput:
        return list(workerinput["smoke_browsers"])
    plugin = config.pluginmanager.get_plugin("smoke-pool")
    return list(plugin.live) if plugin is not None else configured(config)


def endpoint_for(config: pytest.Config) -> str | None:
    """The endpoint this process drives, or None for a local browser."""
    endpoints = live(config)
    return endpoints[worker_number() % len(endpoints)] if endpoints else None


def describe(config: pytest.Config) -> dict[str, Any]:
    """For results.json: the pool, what was down, and which worker used which endpoint."""
    plugin = config.pluginmanager.get_plugin("smoke-pool")
    endpoints = live(config)
    workers = int(getattr(config.option, "numprocesses", 0) or 0)
    return {
        "endpoints": endpoints,
        "down": dict(plugin.down) if plugin is not None else {},
        "workers": {f"gw{i}": endpoints[i % len(endpoints)] for i in range(workers)} if endpoints else {},
    }


class PoolPlugin:
    """In the controller: checks the endpoints at the start and hands each worker the live ones."""

    def __init__(self, config: pytest.Config, state: Any) -> None:
        self.config = config
        self.state = state
        self.live: list[str] = configured(config)
        self.down: dict[str, str] = {}

    # after the target's own server is up (tryfirst in the plugin), before xdist starts workers (trylast)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.state.interrupted:  # the target is down already: no browser is needed
            return
        asked = configured(self.config)
        self.down = {ep: why for ep in asked if (why := problem(ep)) is not None}
        self.live = [ep for ep in asked if ep not in self.down]
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        for endpoint, why in self.down.items():
            if reporter is not None:
                reporter.write_line(
                    f"browser pool: {endpoint} is down ({why}): skipped, "
                    f"{len(self.live)} of {len(asked)} endpoints in use",
                    yellow=True,
                )
        if asked and not self.live:
            # like an unreachable target (exit 3): nothing runs, the report says why
            listed = "; ".join(f"{ep}: {why}" for ep, why in self.down.items())
            self.state.interrupted = f"target browser pool unreachable: no endpoint answers ({listed})"

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["smoke_browsers"] = list(self.live)
