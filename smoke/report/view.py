"""RunResult -> the plain data the report templates show (strings, numbers, lists, dicts; no HTML)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from smoke.report.frames import Frame
from smoke.report.images import compact_data_uri, data_uri, image_size
from smoke.results import (
    DataTable,
    HealthEvent,
    RunResult,
    ScenarioResult,
    SlowStep,
    StepError,
    StepResult,
    VisualCheck,
    decide,
)

FAILING = frozenset({"failed", "error"})
PASSING = frozenset({"passed", "flaky"})
STATUS_LABELS = {
    "passed": "Passed",
    "failed": "Failed",
    "error": "Error",
    "skipped": "Skipped",
    "flaky": "Flaky",
    "not run": "Not run",
    "running": "Running",
    "not covered": "Not covered",
    "interrupted": "Interrupted",
    "not checked": "Not checked",
    "incomplete": "Incomplete",
}
HEALTH_KINDS = {
    "page_error": "Uncaught error",
    "server_error": "Server error (5xx)",
    "console_error": "Console error",
    "failed_request": "Failed request",
}
# how a results table is laid out: for_each's `table:`, and the names older runs wrote
TABLE_STYLES = {"accounts": "diff", "permissions": "grid", "payments": "plain", "generic": "plain"}


_GRANT = {"yes", "y", "true", "allowed", "allow", "granted", "✓", "✔", "x", "list+edit", "edit"}
_DENY = {"no", "n", "false", "denied", "deny", "-", "✗", "✘", "none", ""}


class Images:
    """Resolves run-relative image paths to what an <img src> needs: a relative URL, or a data: URI."""

    def __init__(self, run_dir: Path, out_dir: Path, *, embed: bool) -> None:
        self.run_dir = run_dir
        self.embed = embed
        prefix = os.path.relpath(run_dir, out_dir)
        self.prefix = "" if prefix == "." else Path(prefix).as_posix() + "/"
        self._uris: dict[str, str] = {}
        # the single file's step screenshots, stored once (smoke.report.frames); empty otherwise
        self.frames: dict[str, Frame] = {}

    def prefetch(self, rels: Iterable[str]) -> None:
        """Encode the embedded screenshots on every core at once, before the template asks."""
        from concurrent.futures import ThreadPoolExecutor

        todo = sorted({r for r in rels if r and r not in self._uris and self.exists(r) and "/thumbs/" not in f"/{r}"})
        if not self.embed or not todo:
            return
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for rel, uri in zip(todo, pool.map(lambda r: compact_data_uri(self.run_dir / r), todo), strict=True):
                self._uris[rel] = uri

    def exists(self, rel: str | None) -> bool:
        return bool(rel) and (self.run_dir / rel).is_file()  # type: ignore[operator]

    def href(self, rel: str | None) -> str | None:
        # a link to the file itself; in a single file there is no file beside the report to link to
        if not rel or self.embed:
            return None
        return self.prefix + quote(Path(rel).as_posix(), safe="/")

    def src(self, rel: str | None) -> str | None:
        if not rel or not self.exists(rel):
            return None
        if not self.embed:
            return self.prefix + quote(Path(rel).as_posix(), safe="/")
        if rel not in self._uris:
            thumbnail = "/thumbs/" in f"/{Path(rel).as_posix()}"
            self._uris[rel] = data_uri(self.run_dir / rel) if thumbnail else compact_data_uri(self.run_dir / rel)
        return self._uris[rel]

    def size(self, rel: str | None) -> tuple[int, int] | None:
        return image_size(self.run_dir / rel) if rel else None


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def fmt_time(value: str | None) -> str:
    moment = parse_time(value)
    if moment is None:
        return value or ""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.tzinfo is not None:
        offset = moment.utcoffset()
        text += " UTC" if not offset else " " + moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]
    return text


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status.capitalize())


def _error(error: StepError | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {"message": error.message, "expected": error.expected, "actual": error.actual, "kind": error.kind}


class _Anchors:
    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}

    def scenario(self, number: int, scenario: ScenarioResult) -> str:
        anchor = f"s{number}"
        for key in (scenario.nodeid, scenario.name, scenario.file):
            if key:
                self.by_key.setdefault(key, anchor)
        return anchor


VISUAL_LABELS = {
    "changed": "Changed",
    "same": "Same as the baseline",
    "no-baseline": "No baseline yet",
    "captured": "Baseline captured",
}


def _visual(record: VisualCheck | None, anchor: str, images: Images) -> dict[str, Any] | None:
    if record is None:
        return None
    info = record.baseline_info or {}
    origin = ", ".join(
        part
        for part in (
            f"target {info['target']}" if info.get("target") else "",
            f"release {info['release']}" if info.get("release") else "",
            f"captured {fmt_time(str(info['captured']))}" if info.get("captured") else "",
        )
        if part
    )
    width = record.size_new[0] if record.size_new else 0
    return {
        "anchor": f"{anchor}-visual",
        "name": record.name,
        "status": record.status,
        "status_label": VISUAL_LABELS.get(record.status, record.status),
        "changed": record.status == "changed",
        "strict": record.strict,
        "share": f"{record.share:.2%}",
        "threshold": f"{record.threshold:.2%}",
        "regions": len(record.regions),
        "message": record.message,
        "origin": origin,
        "url": record.url,
        "baseline_src": images.src(record.baseline),
        "new_src": images.src(record.new),
        "diff_src": images.src(record.diff),
        "diff_href": images.href(record.diff) if images.exists(record.diff) else None,
        # the swipe view shows both images at one width, no wider than the report
        "swipe_width": min(width or 1000, 1000),
    }


def _steps(steps: Sequence[StepResult], prefix: str, images: Images, failed_step: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    keys: dict[str, dict[str, Any]] = {}  # the step whose own screenshot is a frame, by its screenshot
    # the steps that others are numbered under (a loop's rows, a role switch's login)
    parents = {".".join(parts[:n]) for parts in (step.index.split(".") for step in steps) for n in range(1, len(parts))}
    for number, step in enumerate(steps, start=1):
        anchor = f"{prefix}-st{number}"
        shot = step.screenshot
        frame = images.frames.get(shot or "")
        thumb = step.thumbnail if images.exists(step.thumbnail) else (shot if images.exists(shot) else None)
        if frame is not None:
            thumb = None  # the single file carries no thumbnails: the frame is the only copy
        size = images.size(thumb) if thumb else None
        thumb_w, thumb_h = (160, round(160 * size[1] / size[0])) if size and size[0] else (160, 100)
        out.append(
            {
                "anchor": anchor,
                "lightbox": f"{anchor}-shot",
                "index": step.index,
                "kind": step.kind,
                "caption": step.caption,
                "status": step.status,
                "status_label": label(step.status),
                "duration": fmt_duration(step.duration_s),
                "started": fmt_time(step.started),
                "depth": max(0, min(step.depth, 6)),
                "row": step.row,
                "url": step.url,
                "error": _error(step.error),
                "is_failure": step.status in FAILING or (failed_step is not None and step.index == failed_step),
                "shot_path": shot,
                "shot_missing": bool(shot) and not images.exists(shot),
                # a loop's own line only groups the steps under it, which carry the screenshots
                "container": step.index in parents and not shot,
                "thumb_src": images.src(thumb),
                "thumb_w": thumb_w,
                "thumb_h": thumb_h,
                "full_src": (frame.src if frame.is_key else None) if frame else images.src(shot),
                "full_href": images.href(shot) if images.exists(shot) else None,
                "has_shot": frame is not None or images.exists(shot),
                "frame": None,
                "states": [],  # steps shown as this step's frame (single file), in its lightbox
                "prev": None,
                "next": None,
                "visual": _visual(step.visual, anchor, images),
                "permalink": anchor,
            }
        )
        view = out[-1]
        if frame is not None:
            view["frame"] = {
                "key": frame.is_key,
                "width": frame.width,
                "height": frame.height,
                "patches": [vars(p) for p in frame.patches],
            }
            if frame.is_key and frame.key not in keys:
                keys[frame.key] = view
            elif frame.key in keys:
                # a region over an earlier frame, or the very shot an earlier step shows (the page
                # had not changed, so the step kept it): one of that frame's states, stored once
                view["frame"]["key"], view["full_src"] = False, None
                keys[frame.key]["states"].append(view)
            else:  # its frame belongs to no step of this list: show nothing rather than a wrong picture
                view["frame"], view["has_shot"] = None, False
    with_images = [s for s in out if s["has_shot"] and (s["full_src"] or s["frame"])]
    for before, after in itertools.pairwise(with_images):
        before["next"] = after["lightbox"]
        after["prev"] = before["lightbox"]
    return out


def _cell_class(style: str, text: str) -> str:
    if style != "grid":
        return ""
    value = text.strip().lower()
    if value in _GRANT:
        return "grant"
    if value in _DENY:
        return "deny"
    return ""


def _table(table: DataTable) -> dict[str, Any]:
    style = TABLE_STYLES.get(table.kind, table.kind)
    rows = []
    for row in table.rows:
        cells = []
        for position, column in enumerate(table.columns):
            text = row.cells[position] if position < len(row.cells) else ""
            diff = row.diffs.get(column)
            expected, shown = [*diff, "", ""][:2] if diff else ("", "")
            cells.append(
                {
                    "text": text,
                    "column": column,
                    "diff": diff is not None and expected != shown,
                    "expected": expected,
                    "shown": shown,
                    "css": _cell_class(style, text),
                }
            )
        extra = [k for k in row.diffs if k not in table.columns]
        rows.append(
            {
                "status": row.status,
                "status_label": label(row.status),
                "cells": cells,
                "message": row.message,
                "extra_diffs": [
                    {
                        "column": k,
                        "expected": row.diffs[k][0] if row.diffs[k] else "",
                        "shown": row.diffs[k][1] if len(row.diffs[k]) > 1 else "",
                    }
                    for k in extra
                ],
                "is_failure": row.status in FAILING or bool(row.diffs),
            }
        )
    return {
        "title": table.title or {"diff": "Expected vs shown", "grid": "Grid"}.get(style, "Data"),
        "kind": table.kind,
        "style": style,
        "columns": list(table.columns),
        "rows": rows,
        "failed_rows": sum(1 for r in rows if r["is_failure"]),
    }


def _failed_step(scenario: ScenarioResult) -> StepResult | None:
    if scenario.failed_step is not None:
        for step in scenario.steps:
            if step.index == scenario.failed_step:
                return step
    for step in reversed(scenario.steps):
        if step.status in FAILING or step.error is not None:
            return step
    return scenario.steps[-1] if scenario.steps else None


def _trace(scenario: ScenarioResult, run: RunResult, images: Images, run_dir: Path) -> dict[str, Any] | None:
    if not scenario.trace:
        return None
    exists = (run_dir / scenario.trace).is_file()
    return {
        "name": Path(scenario.trace).name,
        "path": scenario.trace,
        # a trace is a developer's download, kept beside the report rather than inlined
        "href": images.prefix + quote(scenario.trace, safe="/") if exists else None,
        "missing": not exists,
        "command": f"playwright show-trace reports/{run.id}/{scenario.trace}",
    }


def scenario_status(scenario: ScenarioResult) -> str:
    return scenario.status


def _checklist(run: RunResult, anchors: _Anchors, scenario_views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_anchor = {s["anchor"]: s for s in scenario_views}
    items: list[tuple[str, str, bool, list[str], str]] = []
    # the checklist comes from the run (the project's checklist.yaml); the engine knows none of its own
    items = [(c.id, c.text, c.required, list(c.scenarios), c.status) for c in run.checklist]
    known = {i[0] for i in items}
    for scenario in run.scenarios:
        for item_id in scenario.checklist:
            if item_id not in known:
                known.add(item_id)
                items.append(
                    (
                        item_id,
                        "(not in the checklist file)",
                        True,
                        [],
                        "not run",
                    )
                )
    rows = []
    for item_id, text, required, refs, _recorded in items:
        covering: list[str] = []
        for ref in refs:
            anchor = anchors.by_key.get(ref)
            if anchor and anchor not in covering:
                covering.append(anchor)
        for view in scenario_views:
            if item_id in view["checklist"] and view["anchor"] not in covering:
                covering.append(view["anchor"])
        statuses = [by_anchor[a]["status"] for a in covering]
        if any(s in FAILING for s in statuses):
            status = "failed"
        elif any(s in PASSING for s in statuses):
            status = "passed"
        elif statuses and all(s == "skipped" for s in statuses):
            status = "skipped"
        elif statuses:
            status = "not run"
        else:
            # scenarios named by the checklist but absent from the results prove nothing
            status = "not covered"
        rows.append(
            {
                "id": item_id,
                "text": text,
                "required": required,
                "status": status,
                "status_label": label(status),
                "scenarios": [
                    {
                        "anchor": a,
                        "name": by_anchor[a]["name"],
                        "status": by_anchor[a]["status"],
                        "status_label": by_anchor[a]["status_label"],
                    }
                    for a in covering
                ],
                "unresolved": [r for r in refs if r not in anchors.by_key],
                "stands_out": required and status not in PASSING,
            }
        )
    return rows


def _verdict(run: RunResult, checklist: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's own verdict (smoke.results.decide), shaped for the templates; never recomputed here."""
    if run.status == "running" or not run.verdict:
        decide(run)  # results written by an older version, or a run that died before deciding
    css = {"passed": "pass", "failed": "fail", "interrupted": "interrupted"}.get(run.status, "incomplete")
    if run.partial and css == "pass":
        css = "incomplete"  # a selection that passed is not shown as a green pass
    gaps = [c["id"] for c in checklist if c["stands_out"] and c["status"] != "failed"]
    return {
        "status": css,
        "headline": run.verdict,
        "detail": run.verdict_detail,
        "notes": list(run.notes),
        "partial": run.partial,
        "signable": run.status == "passed" and not run.partial,
        "gaps": gaps,
        "exit_code": run.exit_code,
    }


def _picture(steps: list[dict[str, Any]], failed_step: str | None) -> dict[str, Any] | None:
    """The one screenshot the short PDF shows for a scenario: where it failed, or how it ended."""
    shown = [st for st in steps if st["full_src"]]
    failed = [st for st in shown if st["is_failure"] or (failed_step is not None and st["index"] == failed_step)]
    if not (failed or shown):
        return None
    pick = (failed or shown)[0] if failed else shown[-1]
    return {"src": pick["full_src"], "index": pick["index"], "caption": pick["caption"], "failed": bool(failed)}


def _step_anchor(view: Mapping[str, Any] | None, index: str | None) -> str | None:
    if view is None or index is None:
        return None
    anchor: str = next((st["anchor"] for st in view["steps"] if st["index"] == index), view["anchor"])
    return anchor


def _health(run: RunResult, scenario_views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every page health event of the run, failures first; one row per event (they come deduplicated)."""
    rows = []
    for view, scenario in zip(scenario_views, run.scenarios, strict=True):
        captions = {st["index"]: st["caption"] for st in view["steps"]}
        event: HealthEvent
        for event in scenario.health:
            rows.append(
                {
                    "scenario": view["name"],
                    "scenario_anchor": view["anchor"],
                    "page": event.page,
                    "step": event.step,
                    "step_anchor": _step_anchor(view, event.step),
                    "caption": event.caption or captions.get(event.step or "", ""),
                    "kind": event.kind,
                    "kind_label": HEALTH_KINDS.get(event.kind, event.kind.replace("_", " ")),
                    "message": event.message,
                    "count": event.count,
                    "fails": event.action == "fail",
                }
            )
    rows.sort(key=lambda r: not r["fails"])  # stable: within each group, in the order of the run
    return rows


def _slower(slow: Sequence[SlowStep], anchors: _Anchors, scenario_views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_anchor = {v["anchor"]: v for v in scenario_views}
    rows = []
    for item in slow:
        anchor = anchors.by_key.get(item.scenario) or anchors.by_key.get(item.file)
        view = by_anchor.get(anchor or "")
        rows.append(
            {
                "scenario": item.scenario,
                "scenario_anchor": anchor,
                "step": item.step,
                "step_anchor": _step_anchor(view, item.step),
                "caption": item.caption,
                "url": item.url,
                "before": fmt_duration(item.before_s),
                "now": fmt_duration(item.now_s),
                "factor": f"{item.now_s / item.before_s:.1f}x" if item.before_s > 0 else "",
                "runs": item.runs,
                "fails": item.action == "fail",
                "timed_out": item.timed_out,
            }
        )
    rows.sort(key=lambda r: not r["fails"])
    return rows


def build_view(
    run: RunResult,
    run_dir: Path,
    images: Images,
    *,
    signoff: Mapping[str, Any] | None,
    manifest: Mapping[str, Any] | None,
    manifest_sha256: str | None,
    generated: str,
    scrub: Callable[[Any], Any],
) -> Any:
    counts = run.count()
    anchors = _Anchors()
    scenario_views: list[dict[str, Any]] = []
    step_total = 0
    for number, scenario in enumerate(run.scenarios, start=1):
        anchor = anchors.scenario(number, scenario)
        steps = _steps(scenario.steps, anchor, images, scenario.failed_step)
        step_total += len(steps)
        attempts = [
            {
                "anchor": f"{anchor}-a{attempt.number}",
                "number": attempt.number,
                "status": attempt.status,
                "status_label": label(attempt.status),
                "error": _error(attempt.error),
                "duration": fmt_duration(attempt.duration_s),
                "steps": _steps(attempt.steps, f"{anchor}-a{attempt.number}", images, None),
            }
            for attempt in scenario.attempts
        ]
        scenario_views.append(
            {
                "anchor": anchor,
                "number": number,
                "name": scenario.name,
                "nodeid": scenario.nodeid,
                "file": scenario.file,
                "description": scenario.description,
                "checklist": list(scenario.checklist),
                "tags": list(scenario.tags),
                "side": scenario.side,
                "role": scenario.role,
                "changes_data": scenario.changes_data,
                "status": scenario.status,
                "status_label": label(scenario.status),
                "is_failure": scenario.status in FAILING,
                "started": fmt_time(scenario.started),
                "duration": fmt_duration(scenario.duration_s),
                "error": _error(scenario.error),
                "failed_step": scenario.failed_step,
                "skip_reason": scenario.skip_reason,
                "steps": steps,
                "tables": [_table(t) for t in scenario.tables],
                "console_errors": list(scenario.console_errors),
                "network_failures": list(scenario.network_failures),
                "trace": _trace(scenario, run, images, run_dir),
                "video_href": images.prefix + quote(scenario.video, safe="/") if scenario.video else None,
                "video_name": Path(scenario.video).name if scenario.video else None,
                "worker": scenario.worker,
                "attempts": attempts,
                "shots": sum(1 for s in steps if s["has_shot"]),
                "missing_shots": sum(1 for s in steps if not s["has_shot"] and not s["container"]),
                "open": scenario.status in FAILING or scenario.status == "flaky",
                "picture": _picture(steps, scenario.failed_step),
                "not_checked": sum(1 for s in scenario.steps if s.status == "not checked"),
                "health_fail": sum(e.count for e in scenario.health if e.action == "fail"),
                "health_warn": sum(e.count for e in scenario.health if e.action != "fail"),
            }
        )

    failures = []
    for view, scenario in zip(scenario_views, run.scenarios, strict=True):
        if scenario.status not in FAILING:
            continue
        step = _failed_step(scenario)
        step_view = next((s for s in view["steps"] if step is not None and s["index"] == step.index), None)
        shot_step = (
            step_view
            if step_view and step_view["has_shot"]
            else next((s for s in reversed(view["steps"]) if s["has_shot"]), None)
        )
        error = view["error"] or (step_view["error"] if step_view else None)
        failures.append(
            {
                "anchor": view["anchor"],
                "name": view["name"],
                "file": view["file"],
                "checklist": view["checklist"],
                "step": step_view,
                "error": error,
                # its own full image, also in the single file (where the step may show a shared frame)
                "shot_src": (shot_step["full_src"] or images.src(shot_step["shot_path"])) if shot_step else None,
                "shot_lightbox": shot_step["lightbox"] if shot_step else None,
                "shot_of_step": shot_step["index"] if shot_step else None,
                "console_errors": view["console_errors"],
                "network_failures": view["network_failures"],
                "trace": view["trace"],
            }
        )
    flaky = [
        {
            "anchor": v["anchor"],
            "name": v["name"],
            "attempts": [
                {
                    "anchor": a["anchor"],
                    "number": a["number"],
                    "message": a["error"]["message"] if a["error"] else "",
                }
                for a in v["attempts"]
            ],
        }
        for v in scenario_views
        if v["status"] == "flaky"
    ]

    visual_changes = []
    visual_new = []
    for view in scenario_views:
        for st in view["steps"]:
            record = st["visual"]
            if record is None:
                continue
            entry = {
                "scenario": view["name"],
                "scenario_anchor": view["anchor"],
                "step": st["index"],
                "caption": st["caption"],
                **record,
            }
            if record["changed"]:
                visual_changes.append(entry)
            elif record["status"] == "no-baseline":
                visual_new.append(entry)
    visual_compared = sum(1 for v in scenario_views for st in v["steps"] if st["visual"] is not None)

    health = _health(run, scenario_views)
    slower = _slower(run.slower, anchors, scenario_views)
    checklist = _checklist(run, anchors, scenario_views)
    verdict = _verdict(run, checklist)
    target = dict(run.target)
    browser = dict(run.browser)
    browser_text = " ".join(str(x) for x in (browser.get("name"), browser.get("version")) if x)
    if browser.get("version") and str(browser.get("name", "")).lower() in str(browser["version"]).lower():
        browser_text = str(browser["version"])
    if "headless" in browser:
        browser_text += " (headless)" if browser["headless"] else " (headed)"
    summary: list[dict[str, Any]] = [
        {
            "label": "Target",
            "value": str(target.get("name") or "") + (" (read-only)" if target.get("read_only") else ""),
        },
        {"label": "Admin site", "value": target.get("admin_url") or "", "link": True},
        {"label": "Customer portal", "value": target.get("portal_url") or "", "link": True},
        {"label": "Release on the server", "value": run.release or "not read"},
        {"label": "Browser", "value": browser_text},
        {"label": "Started", "value": fmt_time(run.started)},
        {"label": "Finished", "value": fmt_time(run.finished) or "did not finish"},
        {"label": "Duration", "value": fmt_duration(run.duration_s)},
        {"label": "Run by", "value": "@".join(x for x in (run.user, run.host) if x)},
        {"label": "Scenario revision", "value": run.revision or "unknown"},
        {"label": "Command", "value": run.command, "code": True},
    ]
    summary = [{"link": False, "code": False} | fact for fact in summary]
    tiles = [
        {"key": "passed", "label": "Passed", "value": counts.get("passed", 0)},
        {"key": "failed", "label": "Failed", "value": counts.get("failed", 0) + counts.get("error", 0)},
        {"key": "skipped", "label": "Skipped", "value": counts.get("skipped", 0)},
        {"key": "flaky", "label": "Flaky", "value": counts.get("flaky", 0)},
        {"key": "total", "label": "Scenarios", "value": counts.get("total", 0)},
    ]
    if counts.get("not run"):
        tiles.insert(4, {"key": "not-run", "label": "Not run", "value": counts["not run"]})
    # counted apart from the scenarios, and only shown when there is something to see
    extra_tiles = [
        ("health-failures", "Page health failures", counts.get("health failures", 0), "#health"),
        ("health-warnings", "Page health warnings", counts.get("health warnings", 0), "#health"),
        ("slower", "Slower pages", counts.get("slower", 0), "#slower"),
        ("not-checked", "Checks not checked", counts.get("not checked", 0), "#visual"),
    ]
    for key, text, value, href in extra_tiles:
        if value:
            tiles.append({"key": key, "label": text, "value": value, "href": href})
    tiles = [{"href": None} | tile for tile in tiles]

    given = dict(signoff or {})
    signers = [
        {"name": str(s.get("name") or ""), "role": str(s.get("role") or ""), "date": str(s.get("date") or "")}
        for s in given.get("signed_off_by") or []
    ]
    sign = {
        "release_from": str(given.get("release_from") or ""),
        "release_to": str(given.get("release_to") or ""),
        "environment": str(given.get("environment") or ""),
        "release_read": run.release or "",
        "target_name": str(target.get("name") or ""),
        "signers": signers,
        "blank_rows": 0 if signers else 3,
    }
    manifest_view = None
    if manifest is not None:
        files = manifest.get("files", [])
        manifest_view = {
            "sha256": manifest_sha256,
            "count": len(files),
            "bytes": sum(int(f.get("bytes", 0)) for f in files),
            "files": [{"path": f["path"], "sha256": f["sha256"], "bytes": f.get("bytes", 0)} for f in files],
        }

    view = {
        "run": {
            "id": run.id,
            "started": fmt_time(run.started),
            "target_name": str(target.get("name") or ""),
            "release": run.release or "",
            "interrupted": run.interrupted,
        },
        "summary": summary,
        "verdict": verdict,
        "tiles": tiles,
        "counts": counts,
        "failures": failures,
        "flaky": flaky,
        "checklist": checklist,
        "checklist_gaps": sum(1 for c in checklist if c["stands_out"]),
        "scenarios": scenario_views,
        "filter_counts": {
            "all": len(scenario_views),
            "failed": sum(1 for v in scenario_views if v["is_failure"]),
            "flaky": sum(1 for v in scenario_views if v["status"] == "flaky"),
            "passed": sum(1 for v in scenario_views if v["status"] == "passed"),
            "other": sum(1 for v in scenario_views if v["status"] not in FAILING | PASSING),
        },
        "step_total": step_total,
        "signoff": sign,
        "manifest": manifest_view,
        "generated": generated,
        "health": health,
        "slower": slower,
        "visual_changes": visual_changes,
        "visual_new": visual_new,
        "visual_compared": visual_compared,
    }
    from smoke.aria.report import aria_view

    view["aria"] = aria_view(run, scenario_views, images)
    return scrub(view)
