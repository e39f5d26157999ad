"""The report's "What changed in the pages" section: plain data for its template, from results only."""

from __future__ import annotations

from typing import Any, Protocol

from smoke.results import AriaPage, RunResult

ORDER = {"removed": 0, "changed": 1, "renamed": 2, "moved": 3, "added": 4}


class _Images(Protocol):
    def href(self, rel: str | None) -> str | None: ...


def _origin(info: dict[str, Any]) -> str:
    parts = [
        f"target {info['target']}" if info.get("target") else "",
        f"release {info['release']}" if info.get("release") else "",
        f"captured {str(info['captured'])[:16].replace('T', ' ')}" if info.get("captured") else "",
    ]
    return ", ".join(p for p in parts if p)


def _entry(page: AriaPage, scenario: dict[str, Any], images: _Images) -> dict[str, Any]:
    changes = sorted(page.changes, key=lambda c: (not c.used, ORDER.get(c.change, 9)))
    visual = None
    if page.compare:
        visual = next(
            (st["visual"] for st in scenario["steps"] if st.get("visual") and st["visual"]["name"] == page.compare),
            None,
        )
    return {
        "scenario": scenario["name"],
        "scenario_anchor": scenario["anchor"],
        "step": page.step,
        "title": page.title or page.path,
        "path": page.path,
        "role": page.role,
        "status": page.status,
        "message": page.message,
        "changes": [
            {"text": c.text, "change": c.change, "used": c.used, "used_by": ", ".join(c.used_by)} for c in changes
        ],
        "regressions": sum(1 for c in changes if c.used),
        "visual": visual,
        "snapshot_href": images.href(page.snapshot),
        "baseline_href": images.href(page.baseline),
        "origin": _origin(page.baseline_info),
    }


def aria_view(run: RunResult, scenario_views: list[dict[str, Any]], images: _Images) -> dict[str, Any]:
    """Changed pages first (those that lost a control a scenario uses before the others), then the
    pages that did not change, those with no baseline yet and those that could not be snapshotted."""
    changed: list[dict[str, Any]] = []
    same: list[dict[str, Any]] = []
    new: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for scenario, view in zip(run.scenarios, scenario_views, strict=True):
        for page in scenario.pages:
            entry = _entry(page, view, images)
            {"changed": changed, "same": same, "no-baseline": new, "error": errors}.get(page.status, same).append(entry)
    changed.sort(key=lambda e: -e["regressions"])
    return {
        "pages": sum(len(s.pages) for s in run.scenarios),
        "changed": changed,
        "same": same,
        "new": new,
        "errors": errors,
        "captured": sum(1 for s in run.scenarios for p in s.pages if p.status == "captured"),
        "regressions": sum(e["regressions"] for e in changed),
    }
