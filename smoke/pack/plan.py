"""The plan, frozen when a run starts: what was meant to run, so the report can show what did not.

``plan.json`` is evidence (it is in the manifest): every input file of the scenarios folder with its
SHA-256, each scenario's steps (index, kind, where its caption comes from), the checklist mapping,
the thresholds and run options, and the target without secrets. At the end of the run the inputs are
hashed again: a scenario file edited while the run ran is named in the results and the report.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from smoke.pack import PLAN
from smoke.report.manifest import sha256_file
from smoke.results import RunResult, ScenarioResult
from smoke.scenario import Step, is_scenario_file, load_scenario
from smoke.yamlfile import ConfigError

PLAN_VERSION = 1
_INPUT_SUFFIXES = {".yaml", ".yml", ".py", ".json", ".csv", ".txt"}
# what the plan says of each scenario, in this order, before its steps
_PLANNED = ("name", "checklist", "tags", "side", "role", "changes_data", "timeout_s")
_SKIP_DIRS = {"baselines", "__pycache__"}  # baselines are written by capture runs; not plan inputs


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def input_files(scenarios_dir: Path) -> list[Path]:
    files = []
    for path in sorted(scenarios_dir.rglob("*")):
        rel = path.relative_to(scenarios_dir)
        if path.is_file() and path.suffix in _INPUT_SUFFIXES and not (set(rel.parts[:-1]) & _SKIP_DIRS):
            files.append(path)
    return files


def _steps(steps: Iterable[Step], prefix: str, scrub: Callable[[str], str]) -> list[dict[str, Any]]:
    out = []
    for number, step in enumerate(steps, 1):
        index = f"{prefix}{number}"
        entry: dict[str, Any] = {
            "index": index,
            "kind": step.kind,
            "line": step.pos.line,
            # the caption is rendered at run time; the plan records where it comes from
            "caption": {"says": scrub(step.says)} if step.says else {"generated": step.kind},
        }
        if step.optional:
            entry["optional"] = True
        if step.timeout_s is not None:
            entry["timeout_s"] = step.timeout_s
        if step.spec.compares and isinstance(step.args, Mapping):
            entry["threshold"] = {k: step.args[k] for k in ("threshold", "strict") if k in step.args}
        if step.children:
            # for_each: the children run once per data row, numbered INDEX.ROW.N
            entry["steps"] = _steps(step.children, f"{index}.*.", scrub)
        out.append(entry)
    return out


def build_plan(
    scenarios_dir: Path,
    *,
    target: Mapping[str, Any],
    checklist: Iterable[Any] = (),
    options: Mapping[str, Any] | None = None,
    signing: str | None = None,
    run_id: str = "",
    started: str = "",
    scrub: Callable[[str], str] = lambda text: text,
) -> dict[str, Any]:
    scenarios_dir = scenarios_dir.resolve()
    inputs = [
        {"path": _display(p), "rel": p.relative_to(scenarios_dir).as_posix(), "sha256": sha256_file(p)}
        for p in input_files(scenarios_dir)
    ]
    scenarios = []
    for path in sorted(p for p in scenarios_dir.rglob("*.y*ml") if is_scenario_file(p, scenarios_dir)):
        entry: dict[str, Any] = {"file": _display(path), "sha256": sha256_file(path)}
        try:
            scenario = load_scenario(path)
        except ConfigError as exc:
            entry["error"] = exc.line()  # collection reports it too; the plan says it could not be planned
        else:
            # copies (lists are new lists), so the frozen plan shares nothing with the scenario
            entry.update({name: copy.copy(getattr(scenario, name)) for name in _PLANNED})
            entry["steps"] = _steps(scenario.steps, "", scrub)
        scenarios.append(entry)
    mapping = []
    for item in checklist:
        mapping.append(
            {
                "id": item.id,
                "required": bool(getattr(item, "required", True)),
                "scenarios": [s["file"] for s in scenarios if item.id in s.get("checklist", [])],
            }
        )
    return {
        "version": PLAN_VERSION,
        "run_id": run_id,
        "frozen": started,
        "scenarios_dir": _display(scenarios_dir),
        "target": dict(target),
        "options": dict(options or {}),
        "signing": {"fingerprint": signing} if signing else None,
        "checklist": mapping,
        "inputs": inputs,
        "scenarios": scenarios,
    }


def write_plan(run_dir: Path, plan: Mapping[str, Any]) -> Path:
    path = run_dir / PLAN
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(plan, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_plan(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / PLAN
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def edited_inputs(run_dir: Path, scenarios_dir: Path) -> list[str]:
    """Input files whose SHA-256 differs from the plan's (edited or removed since the run started)."""
    plan = read_plan(run_dir)
    if plan is None:
        return []
    changed = []
    for entry in plan.get("inputs", []):
        path = scenarios_dir / entry["rel"]
        if not path.is_file():
            changed.append(f"{entry['path']} (removed)")
        elif sha256_file(path) != entry["sha256"]:
            changed.append(entry["path"])
    return changed


def _reason(scenario: ScenarioResult | None, run: RunResult, executed: set[str]) -> str:
    if scenario is None:
        return "not in this run (not selected)"
    if scenario.status == "skipped":
        return f"skipped: {scenario.skip_reason}" if scenario.skip_reason else "skipped"
    if scenario.status in ("not run", "running", "interrupted"):
        if not run.interrupted:
            return "did not run"
        if scenario.steps:
            return "interrupted: the run stopped during this scenario"
        return "interrupted: the run stopped before it ran"
    if scenario.status in ("failed", "error"):
        where = scenario.failed_step
        if where and where != "0":
            return f"not reached: the scenario failed at step {where}"
        message = scenario.error.message if scenario.error else scenario.status
        return f"not reached: the scenario stopped before its steps ({message})"
    if run.interrupted:
        return "interrupted"
    return "did not run (no record of it)"


def planned_vs_executed(plan: Mapping[str, Any] | None, run: RunResult) -> list[dict[str, Any]]:
    """Per planned scenario: its steps, how many ran, and every planned step that did not, with why."""
    if plan is None:
        return []
    by_file = {s.file: s for s in run.scenarios}
    rows = []
    planned_files = set()
    for entry in plan.get("scenarios", []):
        planned_files.add(entry["file"])
        scenario = by_file.get(entry["file"])
        steps = entry.get("steps", [])
        executed = {s.index.split(".")[0] for s in (scenario.steps if scenario else [])}
        missing = []
        for step in steps:
            if step["index"] not in executed:
                missing.append(
                    {
                        "index": step["index"],
                        "kind": step["kind"],
                        "line": step.get("line"),
                        "caption": step["caption"].get("says") or step["kind"],
                        "why": _reason(scenario, run, executed),
                    }
                )
        rows.append(
            {
                "file": entry["file"],
                "name": entry.get("name") or (scenario.name if scenario else entry["file"]),
                "status": scenario.status if scenario else "not selected",
                "planned": len(steps),
                "executed": len([s for s in steps if s["index"] in executed]),
                "missing": missing,
                "error": entry.get("error"),
                "selected": scenario is not None,
            }
        )
    for scenario in run.scenarios:
        if scenario.file not in planned_files:
            rows.append(
                {
                    "file": scenario.file,
                    "name": scenario.name,
                    "status": scenario.status,
                    "planned": 0,
                    "executed": len({s.index.split(".")[0] for s in scenario.steps}),
                    "missing": [],
                    "error": "ran, but is not in the plan frozen at the start (added during the run?)",
                    "selected": True,
                }
            )
    return rows


def freeze(
    run_dir: Path,
    project: Any,
    target: Any,
    *,
    run_id: str,
    started: str,
    options: Mapping[str, Any],
    signing: str | None,
    scrub: Callable[[str | None], str | None] = lambda text: text,
) -> Path:
    """Write ``plan.json`` at the start of a run (once, in the controlling process).

    ``project`` is the loaded scenarios folder (``smoke.project.Project``), ``target`` the run's
    ``smoke.targets.Target``; of the target only names, addresses and the names of the environment
    variables that hold credentials are kept, never their values.
    """
    view = {
        "name": target.name,
        "admin_url": target.admin_url,
        "portal_url": target.portal_url,
        "read_only": target.read_only,
        "release": {"url": target.release.url, "pattern": target.release.pattern} if target.release else None,
        "roles": {
            name: {"side": r.side, "user_env": r.user_env, "password_env": r.password_env}
            for name, r in target.roles.items()
        },
        "external": sorted(target.external),
        "locators": len(target.locators),
    }
    plan = build_plan(
        project.root,
        target={k: scrub(v) if isinstance(v, str) else v for k, v in view.items()},
        checklist=project.checklist,
        options=options,
        signing=signing,
        run_id=run_id,
        started=started,
        scrub=lambda text: scrub(text) or "",
    )
    return write_plan(run_dir, plan)


_SECRET_OPTIONS = {"smoke_notify"}  # a webhook address carries its token


def run_options(options: Mapping[str, Any], args: Iterable[str] = ()) -> dict[str, Any]:
    """The run's own options (pytest's ``--smoke-*``, ``-k``, ``-m``, the paths named): thresholds, retries, selection."""
    out: dict[str, Any] = {"args": [str(a) for a in args]}
    for name, value in sorted(options.items()):
        if not (name.startswith("smoke_") or name in ("keyword", "markexpr")) or name in _SECRET_OPTIONS:
            continue
        out[name] = (
            value
            if isinstance(value, str | int | float | bool | type(None))
            else json.loads(json.dumps(value, default=str))
        )
    return out
