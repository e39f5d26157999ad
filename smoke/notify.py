"""A short JSON summary of a run, posted to a webhook when it ends (Slack and Teams show `text`)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from smoke.results import RunResult


def summary(run: RunResult, report: Path | None) -> dict[str, Any]:
    failed = [
        {"name": s.name, "file": s.file, "message": s.error.message if s.error else s.status}
        for s in run.scenarios
        if s.status in ("failed", "error")
    ]
    counts = run.count()
    head = f"{'✅' if run.status == 'passed' else '❌'} engageip-smoke {run.verdict} — target {run.target.get('name')}"
    if run.release:
        head += f" ({run.release})"
    lines = [
        head,
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['flaky']} flaky, {counts['skipped']} skipped",
    ]
    lines += [f"• {f['name']}: {f['message']}" for f in failed[:10]]
    if report:
        lines.append(f"Report: {report}")
    return {
        "run": run.id,
        "status": run.status,
        "verdict": run.verdict,
        "target": run.target.get("name"),
        "release": run.release,
        "counts": counts,
        "failed": failed,
        "report": str(report) if report else None,
        "text": "\n".join(lines),
    }


def post(url: str, payload: dict[str, Any], timeout: float = 10.0) -> str | None:
    """POST the payload; None when it was accepted, else why not (never raises)."""
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status >= 300:
                return f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))
    return None
