"""The fault matrix: does the suite catch every fault the sandbox can be switched into?

Runs the suite against a healthy sandbox (every scenario must pass), then once per fault with that
fault switched on, and writes a table: fault -> scenarios that failed, with their first message. A
fault counts as caught when a scenario covering one of the fault's checklist items fails, i.e. the
scenario a person would expect, not an accident elsewhere.

This pairs the suite with the bundled sandbox, so it reads the sandbox's fault registry; the engine
(plugin, runner, steps, evidence, report) never does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FaultRow:
    fault: str
    checklist: list[str]
    ran: list[str]
    failed: list[dict[str, str]] = field(default_factory=list)
    caught: bool = False
    seconds: float = 0.0
    note: str = ""


def _run(
    scenario_names: list[str], env: dict[str, str], report_dir: Path, workers: str | None, scenarios_dir: Path
) -> tuple[int, dict[str, Any]]:
    args = [
        sys.executable,
        "-m",
        "smoke",
        "run",
        *scenario_names,
        "--report-dir",
        str(report_dir),
        "--scenarios",
        str(scenarios_dir),
        "--trace",
        "off",
    ]
    if workers:
        args += ["--workers", workers]
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **env}, check=False)
    latest = report_dir / "latest" / "results.json"
    results = json.loads(latest.read_text()) if latest.exists() else {}
    if not results:
        results = {"scenarios": [], "error": (done.stderr or done.stdout).strip()[-500:]}
    return done.returncode, results


def _failed(results: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for s in results.get("scenarios", []):
        if s["status"] in ("failed", "error"):
            message = (s.get("error") or {}).get("message") or s["status"]
            out.append(
                {"scenario": Path(s["file"]).stem, "checklist": ",".join(s.get("checklist", [])), "message": message}
            )
    return out


def run_matrix(
    faults: list[str] | None = None,
    *,
    full: bool = False,
    workers: str | None = None,
    scenarios_dir: Path = Path("scenarios"),
    out_dir: Path | None = None,
    say: Any = print,
) -> tuple[list[FaultRow], Path]:
    from smoke.project import load_project, load_scenarios
    from smoke.sandbox.faults import ENV_VAR, FAULTS

    project = load_project(scenarios_dir)
    scenarios, errors = load_scenarios(project)
    if errors:
        raise SystemExit(errors[0].line())
    out_dir = out_dir or Path(tempfile.mkdtemp(prefix="smoke-faults-"))
    rows: list[FaultRow] = []
    names = faults or list(FAULTS)
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        raise SystemExit(f"unknown fault {unknown[0]!r}; `smoke sandbox --list-faults` lists them")

    t0 = time.monotonic()
    _, healthy = _run([], {ENV_VAR: ""}, out_dir / "healthy", workers, scenarios_dir)
    healthy_row = FaultRow(
        "(none)",
        [],
        [Path(s["file"]).stem for s in healthy.get("scenarios", [])],
        _failed(healthy),
        seconds=round(time.monotonic() - t0, 1),
    )
    healthy_row.caught = not healthy_row.failed and bool(healthy_row.ran)
    healthy_row.note = "every scenario passes" if healthy_row.caught else "the healthy sandbox must pass every scenario"
    rows.append(healthy_row)
    say(
        f"{'(none)':<28} {'ok' if healthy_row.caught else 'FAILED'}: {len(healthy_row.ran)} scenarios, {len(healthy_row.failed)} failed ({healthy_row.seconds}s)"
    )

    for name in names:
        fault = FAULTS[name]
        if full:
            chosen = [s.slug for s in scenarios]
        else:
            chosen = [s.slug for s in scenarios if set(s.checklist) & set(fault.checklist)]
        row = FaultRow(name, list(fault.checklist), chosen)
        if not chosen:
            row.note = "no scenario covers " + ", ".join(fault.checklist)
            rows.append(row)
            say(f"{name:<28} MISSED: {row.note}")
            continue
        started = time.monotonic()
        _, results = _run(chosen, {ENV_VAR: name}, out_dir / name, workers, scenarios_dir)
        row.seconds = round(time.monotonic() - started, 1)
        row.failed = _failed(results)
        expected = [f for f in row.failed if set(f["checklist"].split(",")) & set(fault.checklist)]
        row.caught = bool(expected)
        if not row.caught:
            row.note = "no scenario covering " + ", ".join(fault.checklist) + " failed"
        first = expected[0] if expected else (row.failed[0] if row.failed else None)
        summary = f"{first['scenario']}: {first['message']}" if first else "nothing failed"
        say(f"{name:<28} {'caught' if row.caught else 'MISSED'}: {summary[:150]}")
        rows.append(row)
    table = out_dir / "fault-matrix.md"
    table.write_text(markdown(rows))
    (out_dir / "fault-matrix.json").write_text(json.dumps([asdict(r) for r in rows], indent=2))
    return rows, table


def markdown(rows: list[FaultRow]) -> str:
    lines = ["| fault | checklist | caught by (first message) |", "| --- | --- | --- |"]
    for row in rows:
        if row.fault == "(none)":
            text = f"healthy: {len(row.ran)} scenarios, " + ("all pass" if row.caught else f"{len(row.failed)} FAILED")
            lines.append(f"| (none) | | {text} |")
            continue
        if row.caught:
            expected = [f for f in row.failed if set(f["checklist"].split(",")) & set(row.checklist)]
            cell = "; ".join(f"**{f['scenario']}**: {_cell(f['message'])}" for f in expected[:2])
        else:
            cell = f"MISSED ({row.note})"
        lines.append(f"| `{row.fault}` | {', '.join(row.checklist)} | {cell} |")
    return "\n".join(lines) + "\n"


def _cell(text: str, limit: int = 140) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"
