"""`smoke demo --whats-new RUN`: a headed walk over the pages that changed in a run, showing each new or
renamed control in the demo overlay ("New in this release: ...").

It uses the demo's own parts: the target's login (through the runner, as the page's role), the
overlay, the pause control and the recorder. With ``--record`` every change is one frame; the tour
of each scenario gets a replay and is added to the run's walk-through page, under "New in this
release", for training.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smoke.aria.diff import describe
from smoke.aria.tree import PLACEHOLDER, name_pattern
from smoke.results import EXIT_FAILED, EXIT_PASSED, EXIT_UNREACHABLE, AriaChange, AriaPage, RunResult, ScenarioResult

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

SHOWN = ("added", "renamed", "changed", "moved")  # what is on the new page to point at


def caption(change: AriaChange) -> str:
    """What the overlay says about one change."""
    what = describe(change.role, change.name)
    if change.change == "renamed":
        return f"New in this release: {what} (was {change.was!r})"
    if change.change == "changed":
        return f"New in this release: {what} (was a {change.was})"
    if change.change == "moved":
        return f"New in this release: {what} moved here" + (f" from {change.was}" if change.was else "")
    # an added container says what it holds, as the report does
    held = change.text.split(" with ", 1)[1].split(" (in ", 1)[0] if " with " in change.text else ""
    return f"New in this release: {what}" + (f" with {held}" if held else "")


def tour_pages(run: RunResult) -> list[tuple[ScenarioResult, list[AriaPage]]]:
    out = []
    for scenario in run.scenarios:
        changed = [p for p in scenario.pages if p.status == "changed" and any(c.change in SHOWN for c in p.changes)]
        if changed:
            out.append((scenario, changed))
    return out


def _locate(page: Page, change: AriaChange) -> Locator:
    name: str | re.Pattern[str] = name_pattern(change.name) if PLACEHOLDER.search(change.name) else change.name
    if not change.name:
        return page.get_by_role(change.role)  # type: ignore[arg-type]
    return page.get_by_role(change.role, name=name, exact=True)  # type: ignore[arg-type]


def tour(
    run_dir: Path,
    scenarios_dir: Path,
    *,
    speed: str = "normal",
    pause: bool = False,
    record: bool = False,
    headless: bool = False,
    server_url: str | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """Show what is new in the changed pages of a run; returns the exit code."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from smoke import server as servers
    from smoke.browser import chromium_launch_kwargs
    from smoke.evidence import Evidence, slug
    from smoke.overlay import PACES, PauseControl, Recorder, call, inject
    from smoke.project import load_project
    from smoke.runner import RunInfo, ScenarioRun, WorkerSession
    from smoke.scenario import Scenario
    from smoke.secrets import Secrets
    from smoke.yamlfile import Pos

    run = RunResult.read(run_dir / "results.json")
    todo = tour_pages(run)
    if not todo:
        say(
            f"nothing new to show in run {run.id}: no page of it gained or renamed a control "
            "(it needs page snapshot baselines: `smoke baseline capture --screens` before the upgrade)"
        )
        return EXIT_FAILED
    project = load_project(scenarios_dir)
    target = project.targets.get(run.target.get("name"))
    pace = PACES[speed]
    try:
        target, started = servers.serve_target(target, server_url)
    except servers.ServerError as exc:
        say(f"smoke demo --whats-new: target {target.name!r}: {exc}")
        return EXIT_UNREACHABLE
    work = Path(tempfile.mkdtemp(prefix="smoke-whats-new-"))
    secrets = Secrets(target.secret_values())
    secrets.add_from_data(project.data)
    recorder = Recorder(run_dir) if record else None
    control = PauseControl(headless=headless) if pause else None
    keys: list[str] = []
    shown = 0
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_kwargs(headless=headless))  # type: ignore[arg-type]
            session = WorkerSession(
                RunInfo(run.id, run.started, work, scenarios_dir),
                target,
                project.data,
                secrets,
                Evidence(work, secrets),
            )
            for result, changed in todo:
                stem = Path(result.file).stem
                total = sum(1 for p in changed for c in p.changes if c.change in SHOWN)
                scenario = Scenario(
                    name=f"What's new: {result.name}",
                    file=Path(f"whats-new-{stem}.yaml"),
                    pos=Pos(result.file, 1, 1),
                    steps=[],
                    description="What is new in these pages since the previous release: "
                    + "; ".join(p.title or p.path for p in changed),
                    tags=["new-feature"],
                    side=changed[0].side,
                    role=changed[0].role,
                )
                runner = ScenarioRun(
                    session, scenario, lambda **kw: browser.new_context(**kw), ScenarioResult("tour", "tour", stem)
                )
                number = 0
                try:
                    for page_record in changed:
                        page = _open(runner, page_record, say)
                        if page is None:
                            continue
                        gone = [c.text for c in page_record.changes if c.change == "removed"]
                        if gone:
                            say(f"{page_record.title or page_record.path}: gone from this page: " + "; ".join(gone))
                        for change in (c for c in page_record.changes if c.change in SHOWN):
                            number += 1
                            text = caption(change)
                            label = f"Change {number} of {total} · {page_record.title or page_record.path}"
                            say(f"{label}: {text}")
                            inject(page)
                            call(
                                page,
                                "show",
                                {
                                    "label": label,
                                    "caption": text,
                                    "scenario": scenario.name,
                                    "progress": number / total,
                                },
                            )
                            found = _highlight(page, change, pace.wait_ms)
                            if not found:
                                say(f"  ({describe(change.role, change.name)} is not on the page now)")
                            if control is not None and control.active:
                                control.wait(page, label, text)
                            else:
                                page.wait_for_timeout(pace.before_ms + pace.after_ms)
                            if recorder is not None:
                                entry = {"index": str(number), "label": label, "caption": text, "kind": "whats-new"}
                                recorder.frame(runner, page, entry)
                                recorder.update(runner, str(number), status="passed" if found else "failed")
                            shown += 1
                except PlaywrightError as exc:
                    say(f"the tour of {result.name} stopped: {str(exc).splitlines()[0]}")
                finally:
                    runner.close()
                keys.append(slug(f"whats-new-{stem}", 40))
            browser.close()
    finally:
        if started is not None:
            started.stop()
        shutil.rmtree(work, ignore_errors=True)
    if recorder is not None and keys:
        _write_outputs(run_dir, keys, say)
    say(f"shown {shown} change{'s' if shown != 1 else ''} in {len(todo)} scenario{'s' if len(todo) != 1 else ''}")
    return EXIT_PASSED if shown else EXIT_FAILED


def _open(runner: Any, page_record: AriaPage, say: Callable[[str], None]) -> Page | None:
    from smoke.runner import ScenarioFailed
    from smoke.steps import StepFailure

    try:
        if page_record.role:
            runner.switch(page_record.role)
        elif runner.current_page is None:
            runner.page = runner.open_page(runner.new_context())
        runner.side = page_record.side
        page: Page = runner.page
        page.goto(runner.url(page_record.path))
    except (ScenarioFailed, StepFailure) as exc:
        say(f"{page_record.path}: could not be opened: {getattr(exc, 'message', exc)}")
        return None
    return page


def _highlight(page: Page, change: AriaChange, wait_ms: int) -> bool:
    from playwright.sync_api import Error as PlaywrightError

    from smoke.overlay import call

    locator = _locate(page, change).first
    try:
        locator.wait_for(state="visible", timeout=wait_ms)
        locator.scroll_into_view_if_needed(timeout=wait_ms)
        locator.evaluate("(el) => window.__smokeDemo && window.__smokeDemo.highlight([el])")
        return True
    except PlaywrightError:
        call(page, "highlight", [])
        return False


def _write_outputs(run_dir: Path, keys: list[str], say: Callable[[str], None]) -> None:
    """Replays of the tours, and the run's walk-through page again with the tours in it."""
    from smoke.overlay import build_replay, load_manifests, render_walkthrough

    manifests = load_manifests(run_dir)
    replays: dict[str, Path] = {}
    for manifest in manifests:
        key = manifest["key"]
        if key in keys:
            frames = [run_dir / "demo" / s["frame"] for s in manifest["steps"] if s.get("frame")]
            frames = [f for f in frames if f.exists()]
            if frames:
                replays[key] = build_replay(frames, run_dir / "demo" / key)
                say(f"replay: {replays[key]}")
        else:  # a demo recorded with the run: its replay is there already
            existing = sorted((run_dir / "demo").glob(f"{key}.*"))
            existing = [p for p in existing if p.suffix in (".webp", ".gif")]
            if existing:
                replays[key] = existing[0]
    say(f"walk-through: {render_walkthrough(run_dir, manifests, replays)}")


def run_tour(
    run_ref: str,
    names: tuple[str, ...],
    scenarios_dir: Path,
    report_dir: Path,
    speed: str,
    pause: bool,
    record: bool,
    headless: bool,
    server_url: str | None,
) -> int:
    """The `smoke demo --whats-new` front: bad input is one line and exit 2, never a traceback."""
    import click

    from smoke.results import EXIT_UNREACHABLE, EXIT_USAGE
    from smoke.server import ServerError
    from smoke.yamlfile import ConfigError

    if names:
        click.echo(f"smoke demo: --whats-new tours the changed pages of a run; drop {' '.join(names)}", err=True)
        return EXIT_USAGE
    run_dir = Path(run_ref) if Path(run_ref).is_dir() else report_dir / run_ref
    if not (run_dir / "results.json").is_file():
        click.echo(
            f"smoke demo: no run at {run_dir} (expected {run_dir / 'results.json'}); `ls {report_dir}` lists the runs",
            err=True,
        )
        return EXIT_USAGE
    try:
        return tour(
            run_dir.resolve(), scenarios_dir, speed=speed, pause=pause, record=record, headless=headless,
            server_url=server_url, say=click.echo,
        )  # fmt: skip
    except ConfigError as exc:
        click.echo(f"smoke demo: {exc.line()}", err=True)
        return EXIT_USAGE
    except ServerError as exc:
        click.echo(f"smoke demo: the target's server did not start: {exc}", err=True)
        return EXIT_UNREACHABLE
