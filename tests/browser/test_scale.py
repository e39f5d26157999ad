"""Parallel workers with one report, retries and flakiness, notification, pruning."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_smoke

pytestmark = pytest.mark.browser


def test_two_workers_write_one_report_with_every_scenario(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    done = run_smoke(
        "run",
        "--workers",
        "2",
        "--scenarios",
        str(scenarios),
        "--report-dir",
        str(tmp_path / "r"),
        "--server-url",
        site_url,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    assert sorted(s["name"] for s in results["scenarios"]) == [
        "Accounts show their expected values",
        "Every step kind",
        "Log in and see the overview",
    ]
    assert {s["worker"] for s in results["scenarios"]} <= {"gw0", "gw1"}
    assert all(s["status"] == "passed" for s in results["scenarios"])
    junit = (tmp_path / "r" / "latest" / "junit.xml").read_text()
    assert junit.count("<testcase") == 3
    # each worker logs in once per role it uses; the clerk only in the all-steps scenario
    assert 3 <= results["logins"] <= 4


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_notify_posts_a_summary_on_failure_only(scenarios: Path, tmp_path: Path, site_url: str, receiver: str) -> None:
    args = (
        "--scenarios",
        str(scenarios),
        "--report-dir",
        str(tmp_path / "r"),
        "--server-url",
        site_url,
        "--notify",
        receiver,
    )
    done = run_smoke("run", "login", *args)
    assert done.returncode == 0 and _Receiver.received == []
    (scenarios / "broken.yaml").write_text(
        "name: Broken page\nrole: demo\nsteps:\n  - open: /home.html\n  - expect_text: {text: Nope}\n    timeout: 1\n"
    )
    done = run_smoke("run", "broken", *args)
    assert done.returncode == 1
    [payload] = _Receiver.received
    assert payload["status"] == "failed" and payload["counts"]["failed"] == 1
    assert payload["failed"][0]["name"] == "Broken page" and "Nope" in payload["failed"][0]["message"]
    assert "Broken page" in payload["text"] and payload["report"].endswith("report.html")
    done = run_smoke("run", "login", *args, "--notify-on", "always")
    assert len(_Receiver.received) == 2 and _Receiver.received[1]["status"] == "passed"


def test_prune_keeps_the_newest_runs(tmp_path: Path) -> None:
    import os
    import time

    reports = tmp_path / "reports"
    for i in range(4):
        run = reports / f"run{i}"
        run.mkdir(parents=True)
        (run / "results.json").write_text(
            json.dumps({"id": f"run{i}", "started": f"2026-11-2{i}T02:00:00+00:00", "scenarios": []})
        )
        os.utime(run / "results.json", (time.time() - 1000 + i, time.time() - 1000 + i))
    (reports / "latest").symlink_to("run3")
    done = run_smoke("prune", "--keep", "2", "--report-dir", str(reports))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in reports.iterdir() if p.is_dir() and not p.is_symlink()) == ["run2", "run3"]
    assert (reports / "latest").resolve().name == "run3"


def test_a_run_through_a_local_playwright_run_server(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    import socket
    import subprocess
    import sys
    import time

    from smoke.browser import find_chromium
    from smoke.server import free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "playwright", "run-server", "--port", str(port), "--host", "127.0.0.1", "--unsafe"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)  # polling until the server listens
        extra = ["--browser-ws", f"ws://127.0.0.1:{port}/"]
        found = find_chromium()
        if found.source == "system":
            extra += ["--remote-executable", str(found.executable)]
        done = run_smoke(
            "run",
            "login",
            "--scenarios",
            str(scenarios),
            "--report-dir",
            str(tmp_path / "r"),
            "--server-url",
            site_url,
            *extra,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
        assert results["browser"]["remote"] == f"ws://127.0.0.1:{port}/"
        assert results["scenarios"][0]["status"] == "passed"
    finally:
        server.terminate()
        server.wait(timeout=10)
