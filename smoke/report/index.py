"""The data of ``reports/index.html``: runs newest first, a trend chart, and each scenario's history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from smoke.report.view import FAILING, fmt_duration, fmt_time, label, parse_time
from smoke.results import RunResult, decide

TREND_RUNS = 60  # bars in the trend chart
HISTORY_RUNS = 30  # columns in the scenario history grid
CHART_WIDTH = 720
MAX_BAR = 28
CHART_HEIGHT = 140
SERIES = (("passed", "Passed"), ("flaky", "Flaky"), ("skipped", "Skipped"), ("failed", "Failed or error"))


def _sort_key(entry: dict[str, Any]) -> tuple[float, str]:
    moment = entry["moment"]
    return (moment.timestamp() if moment else entry["mtime"], entry["dir"])


def _report_href(run_dir: Path) -> str | None:
    for name in ("report.html", "report-single.html", "report.pdf", "results.json"):
        if (run_dir / name).is_file():
            return f"{quote(run_dir.name)}/{name}"
    return None


def collect_runs(reports_dir: Path) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    if not reports_dir.is_dir():
        return runs
    for child in reports_dir.iterdir():
        # reports/latest is a link to a run that is listed under its own name
        if child.is_symlink() or not child.is_dir():
            continue
        results = child / "results.json"
        if not results.is_file():
            continue
        entry: dict[str, Any] = {
            "dir": child.name,
            "mtime": results.stat().st_mtime,
            "href": _report_href(child),
        }
        try:
            run = RunResult.read(results)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            entry.update(moment=None, broken=f"results.json could not be read: {exc}", run=None)
            runs.append(entry)
            continue
        if run.status == "running" or not run.verdict:
            decide(run)
        counts = run.counts or run.count()
        failed = counts["failed"] + counts["error"]
        verdict = {"passed": "pass", "failed": "fail", "interrupted": "interrupted"}.get(run.status, "incomplete")
        if run.partial and verdict == "pass":
            verdict = "incomplete"  # a selection that passed is not shown as a green pass
        entry.update(
            moment=parse_time(run.started),
            broken=None,
            run=run,
            id=run.id,
            started=fmt_time(run.started),
            duration=fmt_duration(run.duration_s),
            target=str(run.target.get("name") or ""),
            release=run.release or "",
            verdict=verdict,
            counts=counts,
            failed=failed,
            statuses={s.name: s.status for s in run.scenarios},
        )
        runs.append(entry)
    runs.sort(key=_sort_key, reverse=True)
    return runs


def trend_chart(runs_newest_first: list[dict[str, Any]], width: int = CHART_WIDTH) -> dict[str, Any]:
    runs = [r for r in runs_newest_first if r.get("run")][:TREND_RUNS][::-1]
    top = max((r["counts"]["total"] for r in runs), default=0) or 1
    slot = width / max(len(runs), 1)
    bar = round(min(MAX_BAR, slot * 0.8), 2)
    bars = []
    for position, entry in enumerate(runs):
        counts = entry["counts"]
        values = {
            "passed": counts["passed"],
            "flaky": counts["flaky"],
            "skipped": counts["skipped"] + counts.get("not run", 0),
            "failed": counts["failed"] + counts["error"],
        }
        x = round(position * slot + (slot - bar) / 2, 2)
        y = CHART_HEIGHT
        segments = []
        for key, _ in SERIES:
            height = values[key] * CHART_HEIGHT / top
            if height <= 0:
                continue
            y -= height
            segments.append({"key": key, "x": x, "y": round(y, 2), "width": bar, "height": round(height, 2)})
        bars.append(
            {
                "x": x,
                "href": entry["href"],
                "segments": segments,
                "title": f"{entry['id']} ({entry['started']}): {values['passed']} passed, "
                f"{values['failed']} failed, {values['flaky']} flaky, {values['skipped']} skipped",
            }
        )
    labels = []
    if runs:
        labels.append({"x": 2, "text": runs[0]["id"], "anchor": "start"})
        if len(runs) > 1:
            labels.append({"x": width - 2, "text": runs[-1]["id"], "anchor": "end"})
    return {
        "width": width,
        "height": CHART_HEIGHT,
        "top": top,
        "bars": bars,
        "labels": labels,
        "series": [{"key": k, "label": v} for k, v in SERIES],
    }


def scenario_history(runs_newest_first: list[dict[str, Any]]) -> dict[str, Any]:
    runs = [r for r in runs_newest_first if r.get("run")]
    columns = runs[:HISTORY_RUNS]
    names: list[str] = []
    for entry in columns:
        for name in entry["statuses"]:
            if name not in names:
                names.append(name)
    rows: list[dict[str, Any]] = []
    for name in names:
        cells = []
        for entry in columns:
            status = entry["statuses"].get(name)
            cells.append(
                {
                    "status": status or "absent",
                    "label": label(status) if status else "not in this run",
                    "run": entry["id"],
                    "href": entry["href"],
                }
            )
        # a regression's first night: the oldest run of the current unbroken streak of failures
        since = None
        for entry in runs:
            status = entry["statuses"].get(name)
            if status is None:
                continue
            if status in FAILING:
                since = entry
            else:
                break
        latest = next((e["statuses"][name] for e in runs if name in e["statuses"]), None)
        rows.append(
            {
                "name": name,
                "cells": cells,
                "failing": latest in FAILING,
                "since": {"id": since["id"], "started": since["started"], "href": since["href"]} if since else None,
            }
        )
    rows.sort(key=lambda r: (not r["failing"], r["name"].lower()))
    return {
        "columns": [{"id": e["id"], "started": e["started"], "href": e["href"]} for e in columns],
        "rows": rows,
    }


TARGET_CHART_WIDTH = 340


def targets_side_by_side(runs_newest_first: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One card per target (when the runs are of more than one): its latest run and its own trend."""
    runs = [r for r in runs_newest_first if r.get("run")]
    names = list(dict.fromkeys(r["target"] for r in runs))
    if len(names) < 2:
        return []
    cards = []
    for name in sorted(names):
        mine = [r for r in runs if r["target"] == name]
        latest = mine[0]
        cards.append(
            {
                "name": name or "(no target)",
                "latest": {key: latest[key] for key in ("id", "href", "started", "verdict", "counts", "failed")},
                "runs": len(mine),
                "chart": trend_chart(mine, TARGET_CHART_WIDTH),
            }
        )
    return cards


def build_index(reports_dir: Path) -> dict[str, Any]:
    runs = collect_runs(reports_dir)
    listed = []
    for entry in runs:
        if entry.get("broken"):
            listed.append({"id": entry["dir"], "broken": entry["broken"], "href": entry["href"]})
            continue
        listed.append(
            {
                key: entry[key]
                for key in (
                    "id",
                    "href",
                    "started",
                    "duration",
                    "target",
                    "release",
                    "verdict",
                    "counts",
                    "failed",
                )
            }
            | {"broken": None}
        )
    history = scenario_history(runs)
    regressions = [r for r in history["rows"] if r["failing"]]
    return {
        "runs": listed,
        "chart": trend_chart(runs),
        "targets": targets_side_by_side(runs),
        "history": history,
        "regressions": regressions,
        "now": datetime.now(UTC).isoformat(timespec="seconds"),
    }
