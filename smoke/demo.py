"""Demo and training mode: a headed run a person can follow, pause, and hand out as a replay.

Before each step the element it acts on is highlighted and a caption bar on the page says what
is happening ("Step 3 of 12" and the step's caption); typing is visible; the pace follows
``--speed``. The overlay is drawn outside the page's DOM tree (a closed shadow root), takes no
clicks and is hidden while evidence screenshots are taken, so it changes nothing that is tested.
With ``--record`` every step also gets a frame *with* the overlay: one animated replay per
scenario and a walk-through page are written into the run folder.

The ``smoke demo`` command is a front over ``smoke run``; the pytest side is the ``--smoke-demo``
option group of the plugin, which registers :class:`DemoPlugin`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from smoke.options import Command, click_options
from smoke.overlay import (
    HIGHLIGHT_MAX,
    PACES,
    OverlayFreeEvidence,
    Pace,
    PauseControl,
    Recorder,
    build_outputs,
    call,
    inject,
    say,
    step_label,
    step_progress,
)

if TYPE_CHECKING:
    import pytest
    from playwright.sync_api import Locator, Page

    from smoke.evidence import Evidence
    from smoke.results import StepResult
    from smoke.runner import ScenarioRun, WorkerSession
    from smoke.scenario import Step


class Presenter:
    """Shows each step on the page before it acts, paces the run, pauses, and records frames."""

    def __init__(self, pace: Pace, pause: PauseControl | None = None, recorder: Recorder | None = None) -> None:
        self.pace = pace
        self.pause = pause
        self.recorder = recorder
        self._shown: dict[str, tuple[str, str, Locator | None]] = {}  # index -> (kind, caption, element)
        self._troubles: set[str] = set()

    def attach(self, session: WorkerSession, overlay_in_shots: bool = False) -> None:
        session.on_step = self.before
        session.after_step = self.after
        if not overlay_in_shots:
            session.evidence = cast("Evidence", OverlayFreeEvidence(session.evidence))

    def show(self, run: ScenarioRun, page: Page, index: str, caption: str, locator: Locator | None, wait: bool) -> None:
        from playwright.sync_api import Error as PlaywrightError

        inject(page)
        call(
            page,
            "show",
            {
                "label": step_label(run.scenario, index),
                "caption": caption,
                "scenario": run.scenario.name,
                "progress": step_progress(run.scenario, index),
            },
        )
        if locator is None:
            call(page, "highlight", [])
            return
        try:
            if wait:
                locator.first.wait_for(state="visible", timeout=self.pace.wait_ms)
            locator.first.scroll_into_view_if_needed(timeout=self.pace.wait_ms)
            locator.evaluate_all(
                f"(els) => window.__smokeDemo && window.__smokeDemo.highlight(els.slice(0, {HIGHLIGHT_MAX}))"
            )
        except PlaywrightError:  # not there (yet): the step itself will say so
            call(page, "highlight", [])

    def before(self, run: ScenarioRun, step: Step, index: str, caption: str) -> None:
        from playwright.sync_api import Error as PlaywrightError

        page = run.page
        if page is None or page.is_closed():
            return
        caption = run.session.secrets.scrub(caption) or caption
        label = step_label(run.scenario, index)
        locator = run.step_locator
        kind = step.spec
        self._shown[index] = (step.kind, caption, locator)
        try:
            # an element that may rightly be missing or late (a check that it is not there, a wait,
            # a flow step) is highlighted if it is there, never waited for
            self.show(run, page, index, caption, locator, wait=not kind.absent_ok and kind.category != "flow")
            if self.pause is not None and self.pause.active:
                self.pause.wait(page, label, caption)
            else:
                page.wait_for_timeout(self.pace.before_ms)
            if kind.types is not None and locator is not None:
                self._type(run, step, locator)
            if kind.acts and self.recorder is not None:
                self.recorder.frame(run, page, {"index": index, "label": label, "caption": caption, "kind": step.kind})
        except PlaywrightError:
            pass
        except Exception as exc:  # demo mode must never change a step's outcome
            self._trouble(exc)

    def after(self, run: ScenarioRun, step: Step, record: StepResult) -> None:
        from playwright.sync_api import Error as PlaywrightError

        shown = self._shown.pop(record.index, None)
        page = run.page
        if shown is None or page is None or page.is_closed():
            return
        kind, caption, locator = shown
        spec = step.spec
        try:
            if not spec.acts and self.recorder is not None:
                # shown on the page the step led to (an open, a log-in, a check of what is there)
                if record.status != "passed" or spec.absent_ok:
                    locator = None
                self.show(run, page, record.index, caption, locator, wait=False)
                label = step_label(run.scenario, record.index)
                self.recorder.frame(
                    run, page, {"index": record.index, "label": label, "caption": caption, "kind": kind}
                )
            if self.recorder is not None:
                self.recorder.update(run, record.index, status=record.status, row=record.row)
            page.wait_for_timeout(self.pace.after_ms)
        except PlaywrightError:
            pass
        except Exception as exc:  # demo mode must never change a step's outcome
            self._trouble(exc)

    def _trouble(self, exc: Exception) -> None:
        key = type(exc).__name__
        if key not in self._troubles:
            self._troubles.add(key)
            say(f"demo: the overlay could not be shown for a step ({key}: {exc}); the run goes on")

    def _type(self, run: ScenarioRun, step: Step, locator: Locator) -> None:
        """Type the value visibly, key by key; the fill step then sets it exactly as it always does."""
        from smoke.values import TemplateValueError, render

        try:
            value = str(render(step.args.get(step.spec.types or "value", ""), run.template_context()))
        except TemplateValueError:
            return
        if not value:
            return
        field = locator.first
        secret = bool(step.args.get("secret")) or value in run.session.secrets
        if secret and field.get_attribute("type", timeout=self.pace.wait_ms) != "password":
            return  # a secret typed into a plain field would be on screen
        delay = min(self.pace.typing_ms, self.pace.typing_max_ms // max(1, len(value)))
        field.fill("", timeout=self.pace.wait_ms)
        field.press_sequentially(value, delay=delay, timeout=self.pace.wait_ms + delay * len(value) + 1000)


# -- the replay and the walk-through -------------------------------------------------------------


class DemoPlugin:
    """Registered by the smoke plugin when ``--smoke-demo`` is given (in the controller and in workers)."""

    def __init__(self, config: pytest.Config, controller_run_dir: Callable[[], Path | None]) -> None:
        self.config = config
        # the plugin's run folder once its session has started (a callable: demo never imports the plugin)
        self.controller_run_dir = controller_run_dir
        self.pace = PACES[config.getoption("smoke_demo")]
        self.record = bool(config.getoption("smoke_demo_record"))
        self.overlay_in_shots = bool(config.getoption("smoke_demo_overlay_in_shots"))
        self.headless = not config.getoption("--headed", default=False)
        self.pause = PauseControl(headless=self.headless) if config.getoption("smoke_demo_pause") else None
        self.run_dir: Path | None = None

    def attach(self, session: WorkerSession) -> None:
        self.run_dir = session.run.run_dir
        recorder = Recorder(session.run.run_dir) if self.record else None
        Presenter(self.pace, self.pause, recorder).attach(session, overlay_in_shots=self.overlay_in_shots)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # after the session has finished and results.json is written; only the controller builds
        if not self.record or hasattr(config, "workerinput"):
            return
        run_dir = self.controller_run_dir() or self.run_dir
        if run_dir is None or not (run_dir / "demo").is_dir():
            return
        try:
            built = build_outputs(run_dir)
        except Exception as exc:  # the run and its report are done; a replay problem must not hide them
            _print(f"demo: the replay could not be written: {exc}")
            return
        for replay in built["replays"].values():
            _print(f"replay: {replay}")
        if built["walkthrough"]:
            _print(f"walk-through: {built['walkthrough']}")


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# -- the command ---------------------------------------------------------------------------------


@click.command()
@click.argument("scenario", nargs=-1)
@click_options(Command.DEMO)
def demo(scenario: tuple[str, ...], **options: Any) -> None:
    """Show scenarios in a browser window, slowly, with captions: for demos and training.

    Before each step the element it acts on is highlighted and a caption bar says what happens
    ("Step 3 of 12" and the step's caption); typing is visible. The run is a real run: it writes
    the same report as `smoke run` (without the caption bar in its screenshots). With --pause it
    waits before every step; with --record it also writes an animated replay of each scenario and
    walkthrough.html, a step-by-step page to hand to trainees, into reports/<run-id>/.

    \b
    Examples:
      smoke demo portal-signup
      smoke demo --pause --speed slow tickets
      smoke demo --tag new-feature --record
      xvfb-run -a smoke demo --record portal-signup     (no desktop: a virtual display)
      smoke demo --whats-new latest --pause              (what is new since the baseline)
    """
    from smoke.browser import has_display

    headless: bool = options["headless"]
    if not headless and not has_display():
        click.echo(
            "smoke demo: no display for the browser window; run it under a virtual display: "
            "xvfb-run -a smoke demo ... (apt-get install xvfb), or set DISPLAY",
            err=True,
        )
        sys.exit(2)
    if options["whats_new"]:
        from smoke.aria.tour import run_tour

        sys.exit(
            run_tour(
                options["whats_new"],
                scenario,
                options["scenarios_dir"],
                options["report_dir"],
                options["speed"],
                options["pause"],
                options["record"],
                headless,
                options["server_url"],
            )
        )
    from smoke.browser import ffmpeg_for_playwright
    from smoke.launch import start

    video = "off"
    if options["record"]:
        ok, detail = ffmpeg_for_playwright()
        if ok:
            video = "on"
        else:
            click.echo(f"demo: no video ({detail}); the replay and the walk-through are still written", err=True)
    target = options["target"]
    # the demo rows (speed, pause, record, overlay_in_shots) reach pytest as --smoke-demo* through the table
    run_options = {
        **options,
        "targets": (target,) if target else (),
        "headed": not headless,
        "video": video,
        "pytest_args": ("-s",),  # -s: the terminal stays the person's (Enter to go on)
    }
    sys.exit(start(scenario, run_options))
