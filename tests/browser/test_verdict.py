"""Issue 12: the verdict cannot be green while pages are broken, and every outlet says the same thing."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, ROOT, run_smoke

pytestmark = pytest.mark.browser


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The example site, plus an API that answers 500 and a page as slow as the test says."""

    delay = 0.0
    posts: list[dict[str, Any]] = []
    slow_requested = threading.Event()

    def do_GET(self) -> None:
        if self.path.startswith("/api/fail"):
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"Server Error")
            return
        if self.path.startswith("/slow.html") and type(self).delay:
            type(self).slow_requested.set()
            time.sleep(type(self).delay)  # the page under test is slow; the test itself waits on nothing
        super().do_GET()

    def do_POST(self) -> None:  # the webhook --notify posts to
        length = int(self.headers.get("Content-Length", 0))
        type(self).posts.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[str, type[_Handler]]]:
    handler_cls = type("Handler", (_Handler,), {"delay": 0.0, "posts": [], "slow_requested": threading.Event()})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler_cls, directory=str(EXAMPLE / "site"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler_cls
    server.shutdown()
    server.server_close()


def _write(scenarios: Path, name: str, text: str) -> None:
    (scenarios / f"{name}.yaml").write_text(text)


def _run(scenarios: Path, reports: Path, url: str, *names: str, extra: tuple[str, ...] = ()) -> tuple[Any, dict]:
    done = run_smoke(
        "run", *names, "--scenarios", str(scenarios), "--report-dir", str(reports), "--server-url", url, *extra
    )
    results_path = reports / "latest" / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    return done, results


def _health_scenario(scenarios: Path, name: str, query: str, extra_steps: str = "") -> None:
    _write(
        scenarios,
        name,
        f"name: Health {query}\nrole: demo\nsteps:\n  - open: /health.html?{query}\n"
        f"  - expect_text: Account Health\n{extra_steps}",
    )


def test_an_uncaught_error_fails_the_scenario_naming_page_and_message(
    scenarios: Path, tmp_path: Path, site: tuple[str, Any]
) -> None:
    _health_scenario(scenarios, "throws", "throw")
    done, results = _run(scenarios, tmp_path / "r", site[0], "throws")
    assert done.returncode == 1, done.stdout + done.stderr
    [scenario] = results["scenarios"]
    assert scenario["status"] == "failed"
    message = scenario["error"]["message"]
    assert "uncaught error" in message and "/health.html?throw" in message and "reading balance" in message
    assert scenario["health"][0]["kind"] == "page_error" and scenario["health"][0]["action"] == "fail"
    assert results["verdict"] == "FAILED"


def test_a_5xx_fetch_answer_fails_and_a_console_error_warns(scenarios: Path, tmp_path: Path, site: Any) -> None:
    _health_scenario(scenarios, "fetch500", "fetch500", "  - expect_text: Loaded (500)\n")
    _health_scenario(scenarios, "console", "console")
    done, results = _run(scenarios, tmp_path / "r", site[0], "fetch500", "console")
    by_name = {s["name"]: s for s in results["scenarios"]}
    fetch = by_name["Health fetch500"]
    assert fetch["status"] == "failed" and "HTTP 500 GET" in fetch["error"]["message"], fetch["error"]
    console = by_name["Health console"]
    assert console["status"] == "passed"
    [event] = console["health"]
    assert event["kind"] == "console_error" and event["action"] == "warn" and "widget failed" in event["message"]
    assert "health: console error on" in done.stdout and "widget failed to draw" in done.stdout
    assert "1 page health warning" in results["notes"]


def test_policy_and_allow(scenarios: Path, tmp_path: Path, site: Any) -> None:
    targets = scenarios / "targets.yaml"
    targets.write_text(
        targets.read_text().replace(
            "    read_only: false\n",
            "    read_only: false\n    health: {console_errors: fail, ignore: [{url: missing-widget}]}\n",
            1,
        )
    )
    _health_scenario(scenarios, "console", "console")
    _health_scenario(scenarios, "missing", "missing")
    _write(
        scenarios,
        "allowed",
        "name: Health allowed\nrole: demo\nsteps:\n  - open: /health.html?throw\n"
        "    allow: {kind: page_errors, text: reading balance}\n  - expect_text: Account Health\n",
    )
    done, results = _run(scenarios, tmp_path / "r", site[0], "console", "missing", "allowed")
    by_name = {s["name"]: s for s in results["scenarios"]}
    assert by_name["Health console"]["status"] == "failed"  # console_errors: fail
    assert "console error" in by_name["Health console"]["error"]["message"]
    assert by_name["Health missing"]["status"] == "passed" and by_name["Health missing"]["health"] == []
    assert by_name["Health allowed"]["status"] == "passed" and by_name["Health allowed"]["health"] == []
    # a bad policy is a one-line error naming the file
    targets.write_text(targets.read_text().replace("console_errors: fail", "console_errors: loud"))
    done, _ = _run(scenarios, tmp_path / "r2", site[0], "console")
    assert done.returncode == 2 and "targets.yaml:" in done.stderr and "fail, warn or ignore" in done.stderr


def test_a_page_that_got_slower_is_listed_and_passes_unless_told(scenarios: Path, tmp_path: Path, site: Any) -> None:
    url, handler = site
    targets = scenarios / "targets.yaml"
    targets.write_text(
        targets.read_text().replace(
            "    read_only: false\n", "    read_only: false\n    slow: {min_runs: 1, min_s: 0.8, factor: 3}\n", 1
        )
    )
    _write(
        scenarios,
        "report",
        "name: Usage report\nrole: demo\nsteps:\n  - open: /slow.html\n  - expect_text: Usage Report\n",
    )
    reports = tmp_path / "r"
    for _ in range(2):  # two normal runs: the median stays normal after one slow run
        done, results = _run(scenarios, reports, url, "report")
        assert done.returncode == 0 and results["slower"] == []
    handler.delay = 1.5
    done, results = _run(scenarios, reports, url, "report")
    assert done.returncode == 0, done.stdout
    [slow] = results["slower"]
    assert slow["step"] == "1" and slow["now_s"] >= 1.5 and slow["before_s"] < 0.8 and slow["action"] == "warn"
    assert "slower: Usage report step 1" in done.stdout and "1 page slower than before" in results["notes"]
    done, results = _run(scenarios, reports, url, "report", extra=("--slow-fail",))
    assert done.returncode == 1 and results["scenarios"][0]["error"]["message"].startswith("page got slower")


def _report_headline(run_dir: Path) -> str:
    match = re.search(r'class="verdict-headline">([^<]*)</p>', (run_dir / "report.html").read_text())
    assert match, "no verdict headline in the report"
    import html

    return html.unescape(match.group(1))


def _junit_verdict(run_dir: Path) -> tuple[str, str]:
    root = ET.parse(run_dir / "junit.xml").getroot()
    props = {p.get("name"): p.get("value") for p in root.iter("property") if (p.get("name") or "").startswith("smoke.")}
    return str(props["smoke.verdict"]), str(props["smoke.exit_code"])


def _outlets_agree(done: Any, results: dict, run_dir: Path, posts: list[dict]) -> None:
    assert done.returncode == results["exit_code"], (done.returncode, results["verdict"], done.stdout)
    assert _junit_verdict(run_dir) == (results["verdict"], str(results["exit_code"]))
    assert _report_headline(run_dir) == results["verdict"]
    assert posts and posts[-1]["verdict"] == results["verdict"] and posts[-1]["status"] == results["status"]
    assert f"verdict: {results['verdict']}" in done.stdout


def test_full_subset_failed_and_interrupted_runs_say_the_same_everywhere(
    scenarios: Path, tmp_path: Path, site: Any
) -> None:
    url, handler = site
    notify = ("--notify", url + "/hook", "--notify-on", "always")
    reports = tmp_path / "r"
    done, results = _run(scenarios, reports, url, extra=notify)  # the whole example suite
    assert results["status"] == "passed" and results["verdict"] == "PASSED" and not results["partial"]
    _outlets_agree(done, results, reports / "latest", handler.posts)

    done, results = _run(scenarios, reports, url, "login", extra=notify)  # a selection
    assert results["status"] == "passed" and results["partial"] and results["exit_code"] == 0
    assert results["verdict"] == "PASSED (partial: 1 of 2 required checklist items covered)"
    _outlets_agree(done, results, reports / "latest", handler.posts)
    assert "do not sign this run off as approved" in (reports / "latest" / "report.html").read_text()
    assert 'class="verdict verdict-incomplete"' in (reports / "latest" / "report.html").read_text()  # not green

    _write(scenarios, "broken", "name: Broken\nrole: demo\nsteps:\n  - open: /health.html?throw\n")
    done, results = _run(scenarios, reports, url, extra=notify)
    assert results["status"] == "failed" and results["verdict"] == "FAILED" and results["exit_code"] == 1
    _outlets_agree(done, results, reports / "latest", handler.posts)

    (scenarios / "broken.yaml").unlink()
    handler.delay = 30.0  # a page that hangs, so the run is still going when it is cancelled
    _write(scenarios, "zz-hangs", "name: Hangs\nrole: demo\nsteps:\n  - open: /slow.html\n    timeout: 60\n")
    proc, pids = _start_and_cancel(scenarios, reports, url, notify, handler)
    out = proc.stdout.read() if proc.stdout else ""
    results = json.loads((reports / "latest" / "results.json").read_text())
    assert results["status"] == "interrupted" and results["verdict"] == "INTERRUPTED"
    _outlets_agree(
        type("Done", (), {"returncode": proc.returncode, "stdout": out})(), results, reports / "latest", handler.posts
    )
    ran = {s["name"]: s["status"] for s in results["scenarios"]}
    assert ran["Log in and see the overview"] == "passed" and ran["Hangs"] == "interrupted"
    assert "SIGTERM" in results["interrupted"]
    _assert_gone(pids)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _assert_gone(pids: set[int]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)  # polling for processes to end, not a fixed wait
    assert not [p for p in pids if _alive(p)], "processes left behind"


def _start_and_cancel(
    scenarios: Path, reports: Path, url: str, extra: tuple[str, ...], handler: Any
) -> tuple[subprocess.Popen[str], set[int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "smoke", "run", "--scenarios", str(scenarios), "--report-dir", str(reports),
         "--server-url", url, *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy(),
    )  # fmt: skip
    # the hanging scenario is under way once its page was asked for
    assert handler.slow_requested.wait(timeout=120), "the hanging scenario never reached its page"
    pids = _descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    return proc, pids


def test_sigterm_stops_the_run_its_server_and_browsers(tmp_path: Path, scenarios: Path) -> None:
    # the example target starts its own server (server: command), as the sandbox target does
    (scenarios / "zz-hangs.yaml").write_text(
        "name: Hangs\nrole: demo\nsteps:\n  - open: /home.html\n  - wait_for: {text: Never shown}\n    timeout: 60\n"
    )
    reports = tmp_path / "r"
    proc = subprocess.Popen(
        [sys.executable, "-m", "smoke", "run", "login", "zz-hangs", "--scenarios", str(scenarios),
         "--report-dir", str(reports)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy(),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    pids: set[int] = set()
    while time.monotonic() < deadline:
        pids |= _descendants(proc.pid)
        if list(reports.glob("*/shots/zz-hangs/*-open.jpg")):
            break
        time.sleep(0.2)  # polling for the hanging scenario to be under way
    pids |= _descendants(proc.pid)
    assert len(pids) >= 2, "expected the target's server and a browser among the run's processes"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 5, out
    results = json.loads((reports / "latest" / "results.json").read_text())
    assert results["status"] == "interrupted" and "SIGTERM" in results["interrupted"]
    statuses = {s["name"]: s["status"] for s in results["scenarios"]}
    assert statuses == {"Log in and see the overview": "passed", "Hangs": "interrupted"}
    hangs = next(s for s in results["scenarios"] if s["name"] == "Hangs")
    assert hangs["steps"] and hangs["steps"][0]["kind"] in ("open", "as")
    assert (reports / "latest" / "report.html").exists() and "INTERRUPTED" in out
    _assert_gone(pids)
