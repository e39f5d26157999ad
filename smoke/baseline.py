"""Recording the values a target shows today, read-only, as the expected values of a later run.

A data file with a ``capture`` section says, per row, which page to open and which named values to
read there::

    capture:
      page: "/customers/{{ row.number }}"
      fields: {name: customer.name, balance: customer.balance}
    customers:
      - {number: "10001", name: Jane Doe, balance: "$0.00"}

``smoke baseline capture --target production`` opens each row's page on that target (it only opens
pages and reads them, so it works on a read-only target) and writes the file again with the values
shown. Captured against production before the upgrade, it is what staging must show after it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from smoke.results import new_run_id
from smoke.yamlfile import ConfigError, MarkedDict, Pos, display_path, load_file, plain


def _rows_key(raw: MarkedDict) -> str:
    lists = [key for key, value in raw.items() if isinstance(value, list) and key != "capture"]
    if len(lists) != 1:
        raise ConfigError("a data file to capture holds one list of rows beside capture:", raw.pos)
    return str(lists[0])


def capture(
    scenarios_dir: Path,
    target_name: str | None,
    data_file: Path,
    out: Path,
    *,
    role: str | None = None,
    server_url: str | None = None,
    say: Callable[[str], None] = print,
) -> Path:
    from playwright.sync_api import sync_playwright

    from smoke import server as servers
    from smoke.browser import chromium_launch_kwargs
    from smoke.evidence import Evidence
    from smoke.locators import parse_locator
    from smoke.project import load_project
    from smoke.results import ScenarioResult
    from smoke.runner import RunInfo, ScenarioRun, WorkerSession, now_iso
    from smoke.scenario import Scenario, Step
    from smoke.secrets import Secrets

    project = load_project(scenarios_dir)
    target = project.targets.get(target_name)
    raw = load_file(data_file)
    if not isinstance(raw, MarkedDict) or "capture" not in raw:
        raise ConfigError(
            f"{display_path(data_file)} has no capture: section saying where each value is read",
            Pos(display_path(data_file), 1, 1),
        )
    spec = raw["capture"]
    if not isinstance(spec, MarkedDict) or "page" not in spec or not isinstance(spec.get("fields"), dict):
        raise ConfigError("capture: needs page: and fields: {name: locator}", raw.pos_of("capture"))
    rows_key = _rows_key(raw)
    rows = plain(raw[rows_key])
    role = role or next((name for name, r in target.roles.items() if r.side == "admin"), None)
    if role is None:
        raise ConfigError(f"target {target.name!r} has no admin-side role to log in with", target.pos)
    target.credentials(role)
    fields = {str(name): parse_locator(value, spec.pos_of("fields")) for name, value in spec["fields"].items()}

    try:
        target, started = servers.serve_target(target, server_url)
    except servers.ServerError as exc:
        raise ConfigError(f"target {target.name!r}: {exc}") from None
    problems = servers.check_reachable([target.admin_url])
    if problems:
        raise ConfigError("target unreachable: " + "; ".join(problems))
    work = Path(out).resolve().parent / f".capture-{datetime.datetime.now():%Y%m%d%H%M%S}"
    secrets = Secrets(target.secret_values())
    captured: list[dict[str, Any]] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_kwargs())  # type: ignore[arg-type]
            evidence = Evidence(work, secrets)
            session = WorkerSession(
                RunInfo("capture", now_iso(), work, scenarios_dir), target, project.data, secrets, evidence
            )
            pos = Pos(display_path(data_file), 1, 1)
            steps = [
                Step("open", {"url": str(spec["page"])}, pos, screenshot=False),
                Step("save", {"vars": fields, "options": {}}, pos, screenshot=False),
            ]
            scenario = Scenario(name="baseline capture", file=data_file, pos=pos, steps=[], side="admin", role=role)
            run = ScenarioRun(
                session,
                scenario,
                lambda **kw: browser.new_context(**kw),
                ScenarioResult("capture", "capture", str(data_file)),
            )
            run.switch(role)
            for row in rows:
                run.row = row
                run.saved = {}
                run.run_steps(steps, "1.", 0, None)
                values = dict(run.saved)
                captured.append({**row, **values})
                say(f"{row.get('number', row.get('id', '?'))}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
            run.close()
            evidence.close()
            browser.close()
        release = servers.read_release(target.release.url, target.release.pattern) if target.release else None
    finally:
        if started is not None:
            started.stop()
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    _write(out, plain(spec), rows_key, captured, data_file, target.name, release)
    return out


def _write(
    out: Path,
    spec: dict[str, Any],
    rows_key: str,
    rows: list[dict[str, Any]],
    source: Path,
    target: str,
    release: str | None,
) -> None:
    when = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    header = [
        f"# Captured by `smoke baseline capture` from target {target!r}"
        + (f" (release {release})" if release else "")
        + f" on {when},",
        f"# read-only, from the rows of {display_path(source)}. These are the expected values of later runs.",
    ]
    body = yaml.safe_dump({"capture": spec}, sort_keys=False, allow_unicode=True, width=1000)
    lines = [*header, body.rstrip(), f"{rows_key}:"]
    for row in rows:
        cells = {
            key: (str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value)
            for key, value in row.items()
        }
        flow = yaml.safe_dump(cells, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10_000).strip()
        lines.append(f"  - {flow}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- screens: the baseline screenshots of compare: steps --------------------------------------------


def screen_scenarios(scenarios_dir: Path, target_name: str | None, names: list[str]) -> tuple[list[Path], list[str]]:
    """The scenarios whose compare: steps to capture, and why others were left out."""
    from smoke.project import load_project, load_scenarios

    project = load_project(scenarios_dir)
    target = project.targets.get(target_name)
    scenarios, errors = load_scenarios(project)
    if errors:
        raise errors[0]
    chosen: list[Path] = []
    notes: list[str] = []
    for scenario in scenarios:
        if names and scenario.slug not in names and str(scenario.file) not in names:
            continue
        if not any(step.spec.compares for step in scenario.walk()):
            if not names:
                continue
            notes.append(f"{scenario.slug}: has no compare: step, only its pages' snapshots are captured")
        if scenario.changes_data and (target.read_only or not names):
            # capturing is read-only: a data-changing scenario is only run when named, on a writable target
            notes.append(
                f"skipped {scenario.slug}: changes data, not run to capture (name it to capture on a writable target)"
            )
            continue
        chosen.append(scenario.file)
    return chosen, notes


def capture_screens(
    scenarios_dir: Path,
    target_name: str | None,
    baselines: Path,
    names: list[str],
    *,
    report_dir: Path,
    server_url: str | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """Run the scenarios with compare: steps so that each writes its screenshot as the baseline."""
    import subprocess
    import sys

    paths, notes = screen_scenarios(scenarios_dir, target_name, names)
    for note in notes:
        say(note)
    if not paths:
        say("no scenario with a compare: step to capture")
        return 2
    run_id = new_run_id("baseline")
    argv = [sys.executable, "-m", "smoke", "run", *[str(p) for p in paths], "--scenarios", str(scenarios_dir)]
    argv += [
        "--run-id",
        run_id,
        "--report-dir",
        str(report_dir),
        f"--pytest-arg=--smoke-capture-baseline={Path(baselines).resolve()}",
    ]
    if target_name:
        argv += ["--target", target_name]
    if server_url:
        argv += ["--server-url", server_url]
    say(f"capturing the screens of {len(paths)} scenario{'s' if len(paths) != 1 else ''} into {baselines}")
    return subprocess.run(argv, check=False).returncode


def accept_screens(
    run_dir: Path, steps: list[str], baselines: Path | None, say: Callable[[str], None] = print
) -> list[Path]:
    """Take a run's new screenshots of compared steps as the baseline: those that changed or had no
    baseline, or the ones named (by compare name, SCENARIO/NAME or step index)."""
    from smoke import visual
    from smoke.results import RunResult

    run = RunResult.read(run_dir / "results.json")
    accepted: list[Path] = []
    wanted = set(steps)
    for scenario in run.scenarios:
        slug = Path(scenario.file).stem
        for step in scenario.steps:
            record = step.visual
            if record is None or not record.new:
                continue
            keys = {record.name, f"{slug}/{record.name}", step.index, f"{slug}/{step.index}"}
            if wanted and not keys & wanted:
                continue
            if not wanted and record.status not in ("changed", "no-baseline"):
                continue
            info = {
                "target": run.target.get("name"),
                "release": run.release,
                "captured": step.started,
                "run": run.id,
                "scenario": slug,
                "accepted": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                "url": record.url,
                "masks": record.masks,
            }
            dest = visual.accept(record, run_dir, baselines, slug, info)
            say(f"accepted {slug}/{record.name} ({record.status}) -> {dest}")
            accepted.append(dest)
            wanted.discard(record.name)
            wanted.discard(f"{slug}/{record.name}")
    return accepted
