"""Benchmarks of the step vocabulary, run by ``make bench`` (see smoke.bench):

5. Instant steps: on a local page, steps whose success needs no waiting (select by value and by
   label, save from the address, hover, a confirm accepted, expect_*) each take well under a
   second; a step that waits out a timeout on its success path shows here as >= 1 s.
6. A third-party application: the Django admin site of tests/thirdparty, the engine's
   ``smoke run`` of its scenarios vs a plain Playwright script doing the same actions with the same
   screenshots (tests/thirdparty/plain.py), whole commands, alternated; the median ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>instant</title>
<style>nav .menu { display: none } nav li:hover .menu { display: block }</style></head><body>
<h1>Instant steps</h1>
<nav><ul><li><a href="#">Setup</a><ul class="menu"><li><a href="#roles">Roles</a></li></ul></li></ul></nav>
<label for="country">Country</label>
<select id="country"><option value="US">United States</option><option value="CA">Canada</option></select>
<button type="button" onclick="document.getElementById('out').textContent = confirm('Sure?') ? 'yes' : 'no'">Delete</button>
<p id="out"></p><a href="tickets/42/">Ticket 42</a>
</body></html>"""

SCENARIO = """name: instant
login: false
steps:
  - open: index.html
  - select: {label: Country, option: CA}
  - select: {label: Country, option: United States}
  - expect_value: {label: Country, value: US}
  - hover: {link: Setup}
  - click: {link: Roles}
  - click: {button: Delete, dialog: accept}
  - expect_text: {css: "#out", text: "yes", exact: true}
  - expect_no_text: Error
  - click: {link: Ticket 42}
  - save: {ticket_id: {url: "/tickets/(\\\\d+)/"}}
  - expect_url: "/tickets/{{ saved.ticket_id }}/"
  - expect_count: {role: heading, count: 1}
"""


def bench_instant(reps: int = 3) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from smoke.browser import chromium_launch_kwargs
    from smoke.evidence import Evidence
    from smoke.results import ScenarioResult
    from smoke.run.harness import serve_folder
    from smoke.runner import RunInfo, ScenarioRun, WorkerSession
    from smoke.scenario import load_scenario
    from smoke.secrets import Secrets
    from smoke.steps import REGISTRY
    from smoke.targets import load_targets

    work = Path(tempfile.mkdtemp(prefix="smoke-bench-instant-"))
    site = work / "site"
    (site / "tickets" / "42").mkdir(parents=True)
    (site / "index.html").write_text(PAGE)
    (site / "tickets" / "42" / "index.html").write_text("<!doctype html><title>t</title><h1>Ticket 42</h1>")
    server, url = serve_folder(site)
    (work / "targets.yaml").write_text(
        f"targets:\n  b:\n    admin_url: {url}\n    portal_url: {url}\n    read_only: false\n"
    )
    (work / "instant.yaml").write_text(SCENARIO)
    target = load_targets(work / "targets.yaml").get("b")
    scenario = load_scenario(work / "instant.yaml")
    times: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium_launch_kwargs())  # type: ignore[arg-type]
        for rep in range(reps + 1):  # the first is a warm-up
            out = work / f"run{rep}"
            secrets = Secrets()
            session = WorkerSession(
                run=RunInfo("bench", "2026-01-01T00:00:00+00:00", out, work),
                target=target,
                data={},
                secrets=secrets,
                evidence=Evidence(out, secrets),
            )
            result = ScenarioResult(nodeid="instant", name="instant", file="instant.yaml")
            run = ScenarioRun(session, scenario, lambda **kw: browser.new_context(**kw), result)
            run.run()
            run.close()
            if result.status != "passed":
                raise RuntimeError(f"instant-steps scenario failed: {result.error}")
            if rep == 0:
                continue
            for step in result.steps:
                if REGISTRY[step.kind].opens is None:  # page loads are not the steps' own time
                    times.setdefault(step.caption, []).append(step.duration_s)
        browser.close()
    server.shutdown()
    slowest = {caption: round(max(values), 3) for caption, values in times.items()}
    return {
        "reps": reps,
        "steps": slowest,  # caption -> the slowest of the repetitions, seconds
        "slowest_s": max(slowest.values()),
        "over_1s": [caption for caption, value in slowest.items() if value >= 1.0],
        "goal": "every step < 1 s",
    }


def _timed(argv: list[str], cwd: Path) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - t0, done.returncode, (done.stdout + done.stderr)[-1500:]


def bench_thirdparty(reps: int = 3) -> dict[str, Any]:
    root = Path.cwd()
    if not (root / "tests" / "thirdparty" / "scenarios").is_dir():
        return {"skipped": "run from the project's folder (tests/thirdparty/ is not here)"}
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from tests.thirdparty.server import django_admin

    work = Path(tempfile.mkdtemp(prefix="smoke-bench-thirdparty-"))
    plain_times: list[float] = []
    engine_times: list[float] = []
    untraced_times: list[float] = []
    with django_admin() as url:

        def engine(rep: int, *extra: str) -> float:
            argv = [sys.executable, "-m", "smoke", "run", "--scenarios", "tests/thirdparty/scenarios", *extra]
            argv += ["--server-url", url, "--report-dir", str(work / f"engine{rep}{''.join(extra)}")]
            elapsed, code, output = _timed(argv, root)
            if code != 0:
                raise RuntimeError(f"the thirdparty scenarios failed: {output}")
            return elapsed

        def plain(rep: int) -> float:
            elapsed, code, output = _timed(
                [sys.executable, "-m", "tests.thirdparty.plain", url, str(work / f"plain{rep}")], root
            )
            if code != 0:
                raise RuntimeError(f"the plain Playwright script failed: {output}")
            return elapsed

        for rep in range(reps):
            # alternate the order so drift on a busy machine hits all alike
            runs = [
                (plain_times, lambda n: plain(n)),
                (engine_times, lambda n: engine(n)),
                # the default keeps a Playwright trace of every scenario until it passes; a plain
                # script keeps none, so the engine is also timed without
                (untraced_times, lambda n: engine(n, "--trace", "off")),
            ]
            for times, run in runs if rep % 2 == 0 else reversed(runs):
                times.append(run(rep))
    ratios = [e / p for e, p in zip(engine_times, plain_times, strict=True)]
    untraced = [e / p for e, p in zip(untraced_times, plain_times, strict=True)]
    return {
        "reps": reps,
        "plain_s": [round(t, 2) for t in plain_times],
        "engine_s": [round(t, 2) for t in engine_times],
        "engine_trace_off_s": [round(t, 2) for t in untraced_times],
        "plain_median_s": round(statistics.median(plain_times), 2),
        "engine_median_s": round(statistics.median(engine_times), 2),
        "engine_trace_off_median_s": round(statistics.median(untraced_times), 2),
        "ratio_median": round(statistics.median(ratios), 2),
        "ratio_trace_off_median": round(statistics.median(untraced), 2),
        "what": "smoke run of tests/thirdparty/scenarios (3 scenarios, 51 steps, a screenshot each, report) vs tests/thirdparty/plain.py",
    }
