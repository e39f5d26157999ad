"""A pool of remote browsers: two local `playwright run-server`s, one endpoint down, one dying mid-run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smoke.browser import find_chromium
from smoke.server import free_port
from tests.conftest import run_smoke

pytestmark = pytest.mark.browser


class RunServer:
    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.url = f"ws://127.0.0.1:{self.port}/"
        command = [sys.executable, "-m", "playwright", "run-server", "--unsafe"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), "--host", "127.0.0.1"],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "DEBUG": "pw:server"},  # it logs each client it serves
            start_new_session=True,  # its own process group: the Python wrapper and the node driver under it
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"run-server exited: {self.log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)  # polling until it listens
        raise RuntimeError(f"run-server did not listen: {self.log.read_text()}")

    def served(self) -> int:
        return self.log.read_text().count("serving connection")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def dead(self) -> bool:
        return self.process.poll() is not None


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[RunServer]]:
    pool = [RunServer(tmp_path / f"run-server-{i}.log") for i in range(2)]
    try:
        for server in pool:
            server.wait()
        yield pool
    finally:
        for server in pool:
            server.stop()


def _remote_args(pool: list[RunServer], *extra_endpoints: str) -> list[str]:
    args = [a for s in pool for a in ("--browser-ws", s.url)]
    args += [a for e in extra_endpoints for a in ("--browser-ws", e)]
    found = find_chromium()
    if found.source == "system":
        args += ["--remote-executable", str(found.executable)]
    return args


def test_workers_spread_over_two_run_servers_and_a_down_endpoint_is_skipped(
    servers: list[RunServer], scenarios: Path, tmp_path: Path, site_url: str
) -> None:
    down = f"ws://127.0.0.1:{free_port()}/"
    done = run_smoke(
        "run", "--workers", "2", "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "r"),
        "--server-url", site_url, *_remote_args(servers, down),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    [line] = [line for line in done.stdout.splitlines() if "browser pool:" in line]
    assert down in line and "is down" in line and "2 of 3 endpoints in use" in line
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    pool = results["browser"]["pool"]
    assert pool["endpoints"] == [s.url for s in servers] and list(pool["down"]) == [down]
    assert pool["workers"] == {"gw0": servers[0].url, "gw1": servers[1].url}
    assert {s["worker"] for s in results["scenarios"]} == {"gw0", "gw1"}
    assert all(s["status"] == "passed" for s in results["scenarios"])
    assert [s.served() for s in servers] == [1, 1]  # each server drove one worker's browser


KILLER = """
import json, os, signal

def kill_my_run_server(page, context):
    pids = json.loads(os.environ["POOL_PIDS"])
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
    os.killpg(pids[worker % len(pids)], signal.SIGKILL)  # the run-server and its driver, at once
"""


def test_a_run_server_that_dies_fails_only_its_own_scenarios_fast(
    servers: list[RunServer], scenarios: Path, tmp_path: Path, site_url: str
) -> None:
    (scenarios / "checks" / "killer.py").write_text(KILLER)
    (scenarios / "killer.yaml").write_text(
        "name: The browser goes away\nrole: demo\nsteps:\n  - open: /home.html\n"
        "  - call: checks.killer:kill_my_run_server\n  - open: /home.html\n"
        "  - expect_text: {css: '#CurrentUsername', text: demo}\n"
    )
    started = time.monotonic()
    done = run_smoke(
        "run", "--workers", "2", "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "r"),
        "--server-url", site_url, *_remote_args(servers),
        env={"POOL_PIDS": json.dumps([s.process.pid for s in servers])},
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    by_name = {s["name"]: s for s in results["scenarios"]}
    killer = by_name["The browser goes away"]
    assert killer["status"] in ("failed", "error") and killer["error"]["kind"] != "timeout"
    assert killer["duration_s"] < 15, killer  # not a step timeout (or several) waited out
    dead_worker = killer["worker"]
    alive = [s for s in results["scenarios"] if s["worker"] != dead_worker]
    assert alive and all(s["status"] == "passed" for s in alive)
    assert all(s["worker"] == dead_worker for s in results["scenarios"] if s["status"] != "passed")
    assert sum(1 for s in servers if s.dead()) == 1
    print(f"run with a dying run-server: {elapsed:.1f}s wall")


def test_a_pool_with_no_endpoint_up_is_unreachable(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    down = f"ws://127.0.0.1:{free_port()}/"
    done = run_smoke(
        "run", "login", "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "r"),
        "--server-url", site_url, "--browser-ws", down,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    assert results["status"] == "interrupted" and "browser pool unreachable" in results["interrupted"]
    assert results["scenarios"][0]["status"] == "not run"
