"""The cost of the page snapshots (``make bench``, ``python -m smoke.bench --only aria``).

The default suite against the sandbox twice, serial: once with ``--smoke-aria=off`` and once with
``--smoke-aria=on`` (every page of every scenario snapshotted). Per page: the time the engine
recorded for each snapshot (hiding the masks, the snapshot, normalising, writing, and the diff
where there is a baseline). On the suite: the sum of those, and the difference of the two runs'
wall times (noisy on a busy machine; the sum is the better figure). The diff alone is timed
afterwards on every snapshot of the run, read back and compared with itself, with no browser.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _run(report_dir: Path, *extra: str) -> tuple[float, dict[str, Any]]:
    from smoke.run.harness import run_smoke

    return run_smoke(report_dir, *extra)


def bench_aria() -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="smoke-bench-aria-"))
    base = work / "baselines"
    off_s, off = _run(work / "off", "--pytest-arg=--smoke-aria=off", "--baselines", str(base))
    on_s, on = _run(work / "on", "--pytest-arg=--smoke-aria=on", "--baselines", str(base))
    from smoke.aria.diff import diff
    from smoke.aria.tree import parse

    files = sorted((work / "on").glob("*/aria/**/*.yaml"))
    t0 = time.perf_counter()
    for file in files:
        tree = parse(file.read_text(encoding="utf-8"))
        diff(tree, tree)
    diff_s = (time.perf_counter() - t0) / len(files) if files else 0.0
    seconds = [p["seconds"] for s in on.get("scenarios", []) for p in s.get("pages", []) if p["status"] != "error"]
    return {
        "off_s": round(off_s, 1),
        "on_s": round(on_s, 1),
        "exit": [off.get("_exit"), on.get("_exit")],
        "pages": len(seconds),
        "per_page_median_s": round(statistics.median(seconds), 3) if seconds else None,
        "per_page_max_s": round(max(seconds), 3) if seconds else None,
        "snapshots_total_s": round(sum(seconds), 1),
        "diff_per_page_s": round(diff_s, 4),
        "share_of_run": round(sum(seconds) / on_s, 3) if on_s else None,
    }


def describe(figures: dict[str, Any]) -> str:
    a = figures
    return (
        f"7. page snapshots: {a['pages']} pages, {a['per_page_median_s']}s per page (median, max"
        f" {a['per_page_max_s']}s), {a['snapshots_total_s']}s on the whole suite ({a['share_of_run']:.0%} of the run;"
        f" the diff alone {a['diff_per_page_s'] * 1000:.1f} ms per page);"
        f" suite {a['off_s']}s without, {a['on_s']}s with every page snapshotted"
    )
