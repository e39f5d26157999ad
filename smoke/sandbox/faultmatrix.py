"""The fault matrix: does the suite catch every fault the sandbox can be switched into?

Runs the suite against a healthy sandbox (every scenario must pass), then once per fault with that
fault switched on, and writes a table: fault -> scenarios that failed, with their first message. A
fault counts as caught when a scenario covering one of the fault's checklist items fails, i.e. the
scenario a person would expect, not an accident elsewhere.

It belongs to the sandbox (it reads the sandbox's fault registry) and drives the tester only from
outside, through ``python -m smoke run``; the engine never imports it.
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

from .faults import ENV_VAR, FAULTS


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
    with_healthy: bool = True,
    workers: str | None = None,
    scenarios_dir: Path = Path("scenarios"),
    out_dir: Path | None = None,
    say: Any = print,
) -> tuple[list[FaultRow], Path]:
    """Raises smoke.yamlfile.ConfigError when the scenarios folder or a scenario in it is bad."""
    from smoke.project import load_project, load_scenarios

    project = load_project(scenarios_dir)
    scenarios, errors = load_scenarios(project)
    if errors:
        raise errors[0]
    out_dir = out_dir or Path(tempfile.mkdtemp(prefix="smoke-faults-"))
    out_dir.mkdir(parents=True, exist_ok=True)  # the table is written even when no run made the folder
    names = faults or list(FAULTS)
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        raise SystemExit(f"unknown fault {unknown[0]!r}; `smoke sandbox --list-faults` lists them")
    rows: list[FaultRow] = []
    if with_healthy:
        rows.append(_healthy(out_dir, workers, scenarios_dir, ENV_VAR, say))
    for name in names:
        fault = FAULTS[name]
        chosen = [s.slug for s in scenarios if full or set(s.checklist) & set(fault.checklist)]
        rows.append(_fault_row(name, list(fault.checklist), chosen, out_dir, workers, scenarios_dir, ENV_VAR, say))
    table = out_dir / "fault-matrix.md"
    table.write_text(markdown(rows))
    (out_dir / "fault-matrix.json").write_text(json.dumps([asdict(r) for r in rows], indent=2))
    return rows, table


def _healthy(out_dir: Path, workers: str | None, scenarios_dir: Path, env_var: str, say: Any) -> FaultRow:
    t0 = time.monotonic()
    _, healthy = _run([], {env_var: ""}, out_dir / "healthy", workers, scenarios_dir)
    row = FaultRow("(none)", [], [Path(s["file"]).stem for s in healthy.get("scenarios", [])], _failed(healthy))
    row.seconds = round(time.monotonic() - t0, 1)
    row.caught = not row.failed and bool(row.ran)
    row.note = "every scenario passes" if row.caught else "the healthy sandbox must pass every scenario"
    state = "ok" if row.caught else "FAILED"
    say(f"{'(none)':<28} {state}: {len(row.ran)} scenarios, {len(row.failed)} failed ({row.seconds}s)")
    return row


def _fault_row(
    name: str,
    checklist: list[str],
    chosen: list[str],
    out_dir: Path,
    workers: str | None,
    scenarios_dir: Path,
    env_var: str,
    say: Any,
) -> FaultRow:
    row = FaultRow(name, checklist, chosen)
    if not chosen:
        row.note = "no scenario covers " + ", ".join(checklist)
        say(f"{name:<28} MISSED: {row.note}")
        return row
    started = time.monotonic()
    _, results = _run(chosen, {env_var: name}, out_dir / name, workers, scenarios_dir)
    row.seconds = round(time.monotonic() - started, 1)
    row.failed = _failed(results)
    expected = [f for f in row.failed if set(f["checklist"].split(",")) & set(checklist)]
    row.caught = bool(expected)
    if not row.caught:
        row.note = "no scenario covering " + ", ".join(checklist) + " failed"
    first = expected[0] if expected else (row.failed[0] if row.failed else None)
    summary = f"{first['scenario']}: {first['message']}" if first else "nothing failed"
    say(f"{name:<28} {'caught' if row.caught else 'MISSED'}: {summary[:150]}")
    return row


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
