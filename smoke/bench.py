"""Benchmarks: ``make bench`` (or ``python -m smoke.bench``) prints figures and writes reports/bench.json.

1. Engine overhead: a 200-step scenario (fill, click, expect on a local page) with a screenshot per
   step, through the engine and as a plain Playwright script doing the same actions and the same
   screenshots, alternated over several repetitions; the median ratio (goal: <= 1.10).
2. Suite: the default suite against the sandbox, serial and with 2 workers (goal: >= 1.6x).
3. Report: render time and size for a synthetic 1,000-step run.
4. Logins per run, with and without session reuse.
5. Instant steps, 6. the engine vs plain Playwright on a third-party application: smoke.bench_vocab.
7. Page snapshots (smoke.aria): per page and on the whole suite.
8. Where the time goes in one serial run of the default suite (phase timers and CPU per process),
   and 2 workers with local browsers against 2 workers over 2 run-servers pinned to their own cores
   (smoke.run.breakdown).
9. The self-contained report of the default suite (after the suite runs, or of --run): MB, MB per step,
   render time (goal: <= 10 MB).
10. One evidence screenshot on sandbox pages (ms): the masks as they were against Evidence.capture now,
   and the parts (the mask check, no masks, a hidden caret, animations disabled).

Figures are printed, never asserted: a busy machine makes timings noisy.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smoke.run.harness import run_smoke
from smoke.run.harness import serve_folder as _serve

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body>
<h1>Benchmark form</h1>
<label for="name">Name</label> <input id="name">
<label for="pw">Password</label> <input id="pw" type="password" value="x">
<button type="button" onclick="document.getElementById('out').textContent = 'Saved ' + document.getElementById('name').value">Go</button>
<p id="out"></p>
<table aria-label="Rows"><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>
</body></html>"""


def _scenario_yaml(steps: int) -> str:
    lines = ["name: bench", "login: false", "steps:", "  - open: index.html"]
    i = 0
    while len(lines) - 3 < steps:
        lines.append(f"  - fill: {{label: Name, value: 'v{i}'}}")
        lines.append("  - click: {button: Go}")
        lines.append(f"  - expect_text: {{css: '#out', text: 'Saved v{i}'}}")
        i += 1
    return "\n".join(lines[: steps + 3]) + "\n"


def bench_overhead(steps: int = 200, reps: int = 5) -> dict[str, Any]:
    from playwright.sync_api import expect, sync_playwright

    from smoke.browser import chromium_launch_kwargs
    from smoke.evidence import Evidence
    from smoke.results import ScenarioResult
    from smoke.runner import RunInfo, ScenarioRun, WorkerSession
    from smoke.scenario import load_scenario
    from smoke.secrets import Secrets
    from smoke.targets import load_targets

    work = Path(tempfile.mkdtemp(prefix="smoke-bench-"))
    site = work / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    server, url = _serve(site)
    (work / "targets.yaml").write_text(
        f"targets:\n  bench:\n    admin_url: {url}\n    portal_url: {url}\n    read_only: false\n"
    )
    (work / "bench.yaml").write_text(_scenario_yaml(steps))
    target = load_targets(work / "targets.yaml").get("bench")
    scenario = load_scenario(work / "bench.yaml")
    n_actions = len(scenario.steps) - 1

    def plain(browser: Any, out: Path) -> float:
        out.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(url + "index.html")
        page.screenshot(path=str(out / "0.jpg"), type="jpeg", quality=70, mask=[page.locator("input[type=password]")])
        for i in range(n_actions):
            value = f"v{i // 3}"
            if i % 3 == 0:
                page.get_by_label("Name").fill(value)
            elif i % 3 == 1:
                page.get_by_role("button", name="Go").click()
            else:
                expect(page.locator("#out").first).to_contain_text(f"Saved {value}")
            page.screenshot(
                path=str(out / f"{i + 1}.jpg"), type="jpeg", quality=70, mask=[page.locator("input[type=password]")]
            )
        context.close()
        return time.perf_counter() - t0

    def engine(browser: Any, out: Path) -> float:
        t0 = time.perf_counter()
        evidence = Evidence(out, Secrets())
        session = WorkerSession(
            run=RunInfo("bench", "2026-01-01T00:00:00+00:00", out, work),
            target=target,
            data={},
            secrets=Secrets(),
            evidence=evidence,
        )
        result = ScenarioResult(nodeid="bench", name="bench", file="bench.yaml")
        run = ScenarioRun(
            session, scenario, lambda **kw: browser.new_context(viewport={"width": 1280, "height": 800}, **kw), result
        )
        run.run()
        run.close()
        evidence.close()
        elapsed = time.perf_counter() - t0
        if result.status != "passed":
            raise RuntimeError(f"bench scenario failed: {result.error}")
        return elapsed

    plain_times: list[float] = []
    engine_times: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium_launch_kwargs())  # type: ignore[arg-type]
        plain(browser, work / "warm-plain")
        engine(browser, work / "warm-engine")
        for rep in range(reps):
            # alternate the order so drift on a busy machine hits both alike
            if rep % 2 == 0:
                plain_times.append(plain(browser, work / f"plain{rep}"))
                engine_times.append(engine(browser, work / f"engine{rep}"))
            else:
                engine_times.append(engine(browser, work / f"engine{rep}"))
                plain_times.append(plain(browser, work / f"plain{rep}"))
        browser.close()
    server.shutdown()
    ratios = [e / p for e, p in zip(engine_times, plain_times, strict=True)]
    return {
        "steps": steps,
        "reps": reps,
        "plain_s": [round(t, 3) for t in plain_times],
        "engine_s": [round(t, 3) for t in engine_times],
        "plain_median_s": round(statistics.median(plain_times), 3),
        "engine_median_s": round(statistics.median(engine_times), 3),
        "ratio_median": round(statistics.median(ratios), 3),
        "goal": "<= 1.10",
    }


def bench_report(steps: int = 1000) -> dict[str, Any]:
    from smoke.report.render import render_report
    from smoke.report.synthetic import make_synthetic_run

    work = Path(tempfile.mkdtemp(prefix="smoke-bench-report-"))
    run_dir = make_synthetic_run(work / "run", steps=steps, failures=1)
    t0 = time.perf_counter()
    html = render_report(run_dir)
    folder_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    single = render_report(run_dir, single_file=True)
    single_s = time.perf_counter() - t0
    return {
        "steps": steps,
        "render_s": round(folder_s, 3),
        "render_single_file_s": round(single_s, 3),
        "report_html_bytes": html.stat().st_size,
        "single_file_bytes": single.stat().st_size,
        "single_file_mb_per_step": round(single.stat().st_size / 1e6 / steps, 4),
    }


def bench_single_file(run_dir: Path) -> dict[str, Any]:
    """The self-contained report of a real run (the default suite's): size, size per step, render time."""
    from smoke.report.render import render_report
    from smoke.results import RunResult

    run = RunResult.read(run_dir / "results.json")
    steps = sum(len(s.steps) + sum(len(a.steps) for a in s.attempts) for s in run.scenarios)
    t0 = time.perf_counter()
    out = Path(tempfile.mkdtemp(prefix="smoke-bench-single-")) / "report-single.html"
    single = render_report(run_dir, single_file=True, out=out)
    elapsed = time.perf_counter() - t0
    size = single.stat().st_size
    return {
        "run": run.id,
        "steps": steps,
        "single_file_mb": round(size / 1e6, 2),
        "mb_per_step": round(size / 1e6 / max(1, steps), 4),
        "render_s": round(elapsed, 1),
        "goal": "<= 10 MB",
    }


def _suite(extra: list[str], report_dir: Path) -> tuple[float, dict[str, Any]]:
    elapsed, results = run_smoke(report_dir, *extra)
    return elapsed, {"exit": results["_exit"], "counts": results.get("counts"), "logins": results.get("logins")}


def bench_suite() -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="smoke-bench-suite-"))
    serial_s, serial = _suite([], work / "serial")
    parallel_s, parallel = _suite(["--workers", "2"], work / "parallel")
    no_reuse_s, no_reuse = _suite(["--pytest-arg=--smoke-no-login-reuse"], work / "no-reuse")
    return {
        "single_file": bench_single_file(work / "serial" / "latest") if (work / "serial" / "latest").exists() else None,
        "serial_s": round(serial_s, 1),
        "workers2_s": round(parallel_s, 1),
        "speedup": round(serial_s / parallel_s, 2) if parallel_s else None,
        "goal": ">= 1.6",
        "serial": serial,
        "workers2": parallel,
        "logins_with_reuse": serial.get("logins"),
        "logins_without_reuse": no_reuse.get("logins"),
        "no_reuse_s": round(no_reuse_s, 1),
    }


def bench_screenshots(rounds: int = 20) -> dict[str, Any]:
    """What one evidence screenshot costs (ms, median of interleaved rounds) on sandbox pages: the
    masks as they were (two locators resolved on every shot, caret hidden), Evidence.capture now,
    and the parts: the mask check alone, no masks at all, a hidden caret, animations disabled."""
    from playwright.sync_api import sync_playwright

    from smoke import server
    from smoke.browser import chromium_launch_kwargs
    from smoke.evidence import MASKED, Evidence
    from smoke.project import load_project
    from smoke.secrets import Secrets

    project = load_project(Path("scenarios"))
    target = project.targets.get("sandbox")
    secrets = Secrets(target.secret_values())
    secrets.add_from_data(project.data)
    admin_role, env = target.roles["admin"], target.env()
    routing = "011000015"  # a secret of the data files, as payment-processing.yaml types it
    work = Path(tempfile.mkdtemp(prefix="smoke-bench-shots-"))
    evidence = Evidence(work, secrets)
    sandbox = server.start("smoke sandbox --port {port}", "/health", 30)
    figures: dict[str, Any] = {"rounds": rounds, "secrets": len(secrets.values()), "pages": {}}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_kwargs())  # type: ignore[arg-type]
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            admin = sandbox.url + "/AdminPortal"
            page.goto(f"{admin}/Login")
            page.fill("#Username", env[admin_role.user_env])
            page.fill("#Password", env[admin_role.password_env])
            pages = {
                "login form, password typed": None,
                "list of accounts, no secret": f"{admin}/Accounts",
                "new account, a routing number typed in a plain field": f"{admin}/Account/New",
            }
            jpeg: dict[str, Any] = {"path": str(work / "x.jpg"), "type": "jpeg", "quality": 70}
            old = re.compile("|".join(re.escape(v) for v in secrets.values()))
            variants: dict[str, Callable[[], Any]] = {
                "before: 2 mask locators, caret hidden": lambda: page.screenshot(
                    **jpeg, mask=[page.locator(MASKED), page.get_by_text(old)], mask_color="#1f2937"
                ),
                "after: Evidence.capture": lambda: evidence.capture(page, "after"),
                "the mask check (one evaluate) alone": lambda: evidence.needed_masks(page, []),
                "no masks, caret as it is": lambda: page.screenshot(**jpeg, caret="initial"),
                "no masks, caret hidden": lambda: page.screenshot(**jpeg),
                "no masks, animations disabled": lambda: page.screenshot(
                    **jpeg, caret="initial", animations="disabled"
                ),
            }
            for name, url in pages.items():
                if url:
                    page.goto(url)
                if "routing" in name:
                    page.fill("#RoutingNumber", routing)
                times: dict[str, list[float]] = {k: [] for k in variants}
                for _ in range(rounds):
                    for key, shoot in random.sample(list(variants.items()), len(variants)):
                        t0 = time.perf_counter()
                        shoot()
                        times[key].append(time.perf_counter() - t0)
                figures["pages"][name] = {k: round(1000 * statistics.median(v), 1) for k, v in times.items()}
                if url is None:
                    page.click("#LoginButton")
                    page.wait_for_url("**/Home")
            browser.close()
    finally:
        sandbox.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="smoke.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        choices=[
            "overhead",
            "report",
            "suite",
            "single-file",
            "instant",
            "thirdparty",
            "aria",
            "breakdown",
            "screenshots",
        ],
        action="append",
        help="run only these benchmarks (single-file: the self-contained report of --run)",
    )
    parser.add_argument(
        "--run", type=Path, default=Path("reports/latest"), help="the run folder for --only single-file"
    )
    parser.add_argument("--reps", type=int, default=5, help="repetitions of the overhead benchmark (default 5)")
    parser.add_argument("--out", type=Path, default=Path("reports/bench.json"))
    args = parser.parse_args(argv)
    chosen = args.only or ["overhead", "report", "suite", "instant", "thirdparty", "aria", "breakdown", "screenshots"]
    figures: dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": _machine()}
    if "overhead" in chosen:
        figures["overhead"] = o = bench_overhead(reps=args.reps)
        print(
            f"1. engine overhead, {o['steps']} steps: plain {o['plain_median_s']}s, engine {o['engine_median_s']}s, median ratio {o['ratio_median']} (goal {o['goal']})"
        )
    if "suite" in chosen:
        figures["suite"] = s = bench_suite()
        print(
            f"2. default suite: serial {s['serial_s']}s, 2 workers {s['workers2_s']}s, speedup {s['speedup']}x (goal {s['goal']})"
        )
    if "report" in chosen:
        figures["report"] = r = bench_report()
        print(
            f"3. report of {r['steps']} steps: {r['render_s']}s ({r['report_html_bytes'] / 1e6:.1f} MB), single file {r['render_single_file_s']}s ({r['single_file_bytes'] / 1e6:.1f} MB)"
        )
    if "single-file" in chosen:
        figures["single_file"] = bench_single_file(args.run)
    single = figures.get("single_file") or (figures.get("suite") or {}).get("single_file")
    if single:
        print(
            f"9. single file of the default suite ({single['steps']} steps): {single['single_file_mb']} MB (goal {single['goal']}), {single['mb_per_step'] * 1000:.1f} KB per step, rendered in {single['render_s']}s"
        )
    if "suite" in chosen:
        s = figures["suite"]
        print(f"4. logins per run: {s['logins_without_reuse']} without session reuse, {s['logins_with_reuse']} with")
    if "instant" in chosen:
        from smoke.bench_vocab import bench_instant

        figures["instant"] = i = bench_instant()
        print(
            f"5. instant steps ({len(i['steps'])} steps, slowest of {i['reps']} runs): slowest {i['slowest_s']}s, {len(i['over_1s'])} over 1 s (goal: {i['goal']})"
        )
        for caption, seconds in i["steps"].items():
            print(f"     {seconds:6.3f}s  {caption}")
    if "thirdparty" in chosen:
        from smoke.bench_vocab import bench_thirdparty

        figures["thirdparty"] = d = bench_thirdparty(reps=max(1, min(args.reps, 3)))
        if "skipped" in d:
            print(f"6. third-party application: skipped ({d['skipped']})")
        else:
            print(
                f"6. Django admin (tests/thirdparty), whole commands, median of {d['reps']}: plain Playwright {d['plain_median_s']}s, engine {d['engine_median_s']}s, ratio {d['ratio_median']}; with --trace off {d['engine_trace_off_median_s']}s, ratio {d['ratio_trace_off_median']}"
            )
    if "aria" in chosen:
        from smoke.aria.bench import bench_aria, describe

        figures["aria"] = bench_aria()
        print(describe(figures["aria"]))
    if "breakdown" in chosen:
        from smoke.run.breakdown import breakdown, print_breakdown

        figures["breakdown"] = breakdown()
        print_breakdown(figures["breakdown"])
    if "screenshots" in chosen:
        figures["screenshots"] = shots = bench_screenshots()
        print(f"10. one evidence screenshot, ms (median of {shots['rounds']} rounds, {shots['secrets']} secrets):")
        for page_name, cost in shots["pages"].items():
            print(f"     {page_name}")
            for variant, ms in cost.items():
                print(f"       {variant:<46} {ms:7.1f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    args.out.write_text(json.dumps({**previous, **figures}, indent=2) + "\n")
    print(f"figures: {args.out}")
    return 0


def _machine() -> str:
    import os
    import platform

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


if __name__ == "__main__":
    sys.exit(main())
