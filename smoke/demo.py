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

import json
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from smoke.options import Command, click_options

if TYPE_CHECKING:
    import pytest
    from playwright.sync_api import Locator, Page

    from smoke.evidence import Evidence
    from smoke.results import StepResult
    from smoke.runner import ScenarioRun, WorkerSession
    from smoke.scenario import Scenario, Step

ASSETS = Path(__file__).parent / "demo_assets"
NEW_FEATURE_TAG = "new-feature"
# A step that acts on an element (step.spec.acts) is framed just before it acts, with the element
# highlighted (and a value it types, typed). Every other step is shown once it is done.
HIGHLIGHT_MAX = 5


@dataclass(frozen=True)
class Pace:
    before_ms: int  # caption and highlight shown before the step acts
    after_ms: int  # the result left on screen after it
    typing_ms: int  # per character of visible typing
    typing_max_ms: int  # a long value is typed faster, never longer than this
    wait_ms: int  # how long to wait for the element to appear before highlighting it


PACES = {
    "slow": Pace(2200, 1000, 110, 3500, 4000),
    "normal": Pace(1100, 450, 60, 2200, 3000),
    "fast": Pace(300, 80, 15, 600, 1500),
}


def step_label(scenario: Scenario, index: str) -> str:
    """'Step 3 of 12' for a step's index ('3', '5.2.1' in a loop, '0.2' for the first login)."""
    parts = index.split(".")
    total = len(scenario.steps)
    try:
        top = int(parts[0])
    except ValueError:
        return index
    if top == 0:
        return "Before step 1 · log in"
    label = f"Step {top} of {total}"
    parent = scenario.steps[top - 1] if top <= total else None
    if parent is not None and parent.spec.loop is not None and len(parts) >= 3:
        label += f" · row {parts[1]}"
    elif parent is not None and parent.spec.role_param is not None and len(parts) >= 2:
        label += " · log in"
    return label


def step_progress(scenario: Scenario, index: str) -> float:
    try:
        top = int(index.split(".")[0])
    except ValueError:
        return 0.0
    return max(0, top) / max(1, len(scenario.steps))


# -- pausing -------------------------------------------------------------------------------------


class PauseControl:
    """Waits before a step until the person clicks Next in the page or presses Enter in the terminal.

    "Continue" (the page button, or ``c`` and Enter in the terminal) stops pausing for the rest of
    the run. The terminal is read by a daemon thread so the page button can be polled meanwhile.
    """

    def __init__(self, stdin: Any = None, headless: bool = False, poll_s: float = 0.15) -> None:
        self.active = True
        self.headless = headless
        self.poll_s = poll_s
        self._stdin = stdin
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._eof = False

    def _start(self) -> None:
        if self._reader is not None:
            return
        stream = self._stdin if self._stdin is not None else sys.stdin

        def read() -> None:
            while True:
                try:
                    line = stream.readline()
                except (OSError, ValueError):  # no terminal to read (pytest capturing it, closed)
                    line = ""
                if not line:
                    self._lines.put(None)
                    return
                self._lines.put(line)

        self._reader = threading.Thread(target=read, name="smoke-demo-stdin", daemon=True)
        self._reader.start()

    def wait(self, page: Page, label: str, caption: str) -> None:
        from playwright.sync_api import Error as PlaywrightError

        self._start()
        _say(f"paused before {label}: {caption}  [Enter: next step, c Enter: run to the end]")
        _call(page, "setPaused", True)
        try:
            while True:
                try:
                    line = self._lines.get(timeout=self.poll_s)
                except queue.Empty:
                    line = ""
                if line is None:
                    self._eof = True
                    if self.headless:  # nobody can click Next in a window that is not there
                        _say("the terminal is closed and there is no window: running to the end")
                        self.active = False
                        return
                elif line:
                    if line.strip().lower() in ("c", "continue"):
                        self.active = False
                    return
                if page.is_closed():
                    return
                try:
                    choice = page.evaluate("() => window.__smokeDemo ? window.__smokeDemo.takeChoice() : null")
                except PlaywrightError:  # the page is navigating; ask again
                    choice = None
                if choice == "continue":
                    self.active = False
                    return
                if choice == "next":
                    return
        finally:
            _call(page, "setPaused", False)


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# -- the overlay on a page -----------------------------------------------------------------------


_SCRIPTS: dict[str, str] = {}


def _asset(name: str) -> str:
    if name not in _SCRIPTS:
        _SCRIPTS[name] = (ASSETS / name).read_text(encoding="utf-8")
    return _SCRIPTS[name]


def inject(page: Page) -> None:
    """Put the overlay on the page's current document (a no-op when it is there already)."""
    page.evaluate(_asset("overlay.js"), _asset("overlay.css"))


def _call(page: Page, method: str, *args: Any) -> Any:
    """Call the overlay's API; never lets a demo problem become a step failure."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        return page.evaluate(
            "([m, a]) => window.__smokeDemo ? window.__smokeDemo[m](...a) : null", [method, list(args)]
        )
    except PlaywrightError:
        return None


def overlay_state(page: Page) -> dict[str, Any] | None:
    """What the overlay shows now (caption, label, highlighted elements), or None without one."""
    return cast("dict[str, Any] | None", _call(page, "state"))


class OverlayFreeEvidence:
    """Wraps the session's Evidence so the overlay is hidden while an evidence screenshot is taken."""

    def __init__(self, inner: Evidence) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def capture(
        self, page: Page, name: str, extra_masks: Iterable[Locator] = (), full_page: bool = False
    ) -> tuple[str, str | None] | None:
        hidden = _hide(page)
        try:
            return self._inner.capture(page, name, extra_masks, full_page)
        finally:
            if hidden:
                _call(page, "setHidden", False)


def _hide(page: Page) -> bool:
    from playwright.sync_api import Error as PlaywrightError

    try:
        return bool(
            page.evaluate(
                "() => { const d = window.__smokeDemo;"
                " if (!d || !d.alive()) return false; d.setHidden(true); return true; }"
            )
        )
    except PlaywrightError:
        return False


# -- recording -----------------------------------------------------------------------------------


class Recorder:
    """One frame per step (with the overlay) and a steps.json per scenario under RUN/demo/."""

    def __init__(self, run_dir: Path) -> None:
        self.root = run_dir / "demo"
        self._manifests: dict[str, dict[str, Any]] = {}

    def manifest(self, run: ScenarioRun) -> dict[str, Any]:
        key = _scenario_key(run)
        if key not in self._manifests:
            scenario = run.scenario
            self._manifests[key] = {
                "key": key,
                "name": scenario.name,
                "description": scenario.description,
                "file": run.result.file,
                "tags": list(scenario.tags),
                "total": len(scenario.steps),
                "steps": [],
            }
        return self._manifests[key]

    def frame(self, run: ScenarioRun, page: Page, entry: dict[str, Any]) -> None:
        from playwright.sync_api import Error as PlaywrightError

        manifest = self.manifest(run)
        number = len(manifest["steps"]) + 1
        rel = f"{manifest['key']}/{number:03d}.jpg"
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        entry["overlay"] = overlay_state(page)
        # the overlay is meant to be seen here, but secrets are masked as in the evidence
        masks = run.session.evidence.masks(page, run.masks())
        try:
            page.screenshot(path=str(path), type="jpeg", quality=80, mask=masks, mask_color="#1f2937", timeout=10_000)
            entry["frame"] = rel
        except PlaywrightError:
            entry["frame"] = None
        entry["n"] = number
        manifest["steps"].append(entry)
        self.write(run)

    def update(self, run: ScenarioRun, index: str, **values: Any) -> None:
        manifest = self.manifest(run)
        for entry in reversed(manifest["steps"]):
            if entry["index"] == index:
                entry.update(values)
                break
        self.write(run)

    def write(self, run: ScenarioRun) -> None:
        manifest = self.manifest(run)
        path = self.root / manifest["key"] / "steps.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(manifest, indent=1, ensure_ascii=False)
        path.write_text(run.session.secrets.scrub(text) or text, encoding="utf-8")


def _scenario_key(run: ScenarioRun) -> str:
    from smoke.evidence import slug

    key = slug(run.scenario.slug, 40)
    return key + (f"-attempt{run.attempt}" if run.attempt > 1 else "")


# -- the presenter: the session's step hooks -----------------------------------------------------


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
        _call(
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
            _call(page, "highlight", [])
            return
        try:
            if wait:
                locator.first.wait_for(state="visible", timeout=self.pace.wait_ms)
            locator.first.scroll_into_view_if_needed(timeout=self.pace.wait_ms)
            locator.evaluate_all(
                f"(els) => window.__smokeDemo && window.__smokeDemo.highlight(els.slice(0, {HIGHLIGHT_MAX}))"
            )
        except PlaywrightError:  # not there (yet): the step itself will say so
            _call(page, "highlight", [])

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
            _say(f"demo: the overlay could not be shown for a step ({key}: {exc}); the run goes on")

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


def build_replay(frames: list[Path], out: Path, frame_ms: int = 1800, last_ms: int = 4000, width: int = 1024) -> Path:
    """An animated WebP (GIF where Pillow has no WebP) with one frame per image."""
    from PIL import Image, ImageDraw, ImageFont, features

    images: list[Image.Image] = []
    for path in frames:
        with Image.open(path) as source:
            image = source.convert("RGB")
        if image.width > width:
            image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
        images.append(image)
    if not images:
        raise ValueError("no frames to make a replay from")
    size = images[0].size
    images = [im if im.size == size else im.resize(size) for im in images]
    # a counter in the corner: where the person is in the replay, and it keeps two identical steps
    # two frames (the encoders merge identical neighbours)
    font = ImageFont.load_default(size=15)
    for number, image in enumerate(images, 1):
        draw = ImageDraw.Draw(image)
        text = f"{number} / {len(images)}"
        box = draw.textbbox((0, 0), text, font=font)
        w, h = box[2] - box[0] + 16, box[3] - box[1] + 10
        x, y = image.width - w - 8, 8
        draw.rounded_rectangle((x, y, x + w, y + h), radius=6, fill=(17, 24, 39))
        draw.text((x + 8, y + 5 - box[1]), text, font=font, fill=(249, 250, 251))
    durations = [frame_ms] * (len(images) - 1) + [last_ms]
    if features.check("webp"):
        out = out.with_suffix(".webp")
        images[0].save(
            out,
            "WEBP",
            save_all=True,
            append_images=images[1:],
            duration=durations,
            loop=0,
            quality=70,
            method=4,
        )
    else:
        out = out.with_suffix(".gif")
        images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=durations, loop=0, optimize=False)
    return out


def load_manifests(run_dir: Path) -> list[dict[str, Any]]:
    manifests = []
    for path in sorted((run_dir / "demo").glob("*/steps.json")):
        try:
            manifests.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return manifests


def build_outputs(run_dir: Path) -> dict[str, Any]:
    """Replays for every recorded scenario, then the walk-through page. Returns what was written."""
    manifests = load_manifests(run_dir)
    replays: dict[str, Path] = {}
    for manifest in manifests:
        frames = [run_dir / "demo" / s["frame"] for s in manifest["steps"] if s.get("frame")]
        frames = [f for f in frames if f.exists()]
        if frames:
            replays[manifest["key"]] = build_replay(frames, run_dir / "demo" / manifest["key"])
    walkthrough = render_walkthrough(run_dir, manifests, replays) if manifests else None
    return {"replays": replays, "walkthrough": walkthrough}


def render_walkthrough(run_dir: Path, manifests: list[dict[str, Any]], replays: dict[str, Path]) -> Path:
    """The steps in a training layout: large pictures, captions, no test vocabulary; one file."""
    import base64

    import jinja2

    results: dict[str, Any] = {}
    if (run_dir / "results.json").exists():
        try:
            results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        except ValueError:
            results = {}
    videos = {Path(s.get("file") or "").stem: s["video"] for s in results.get("scenarios", []) if s.get("video")}
    scenarios = []
    for manifest in manifests:
        steps: list[dict[str, Any]] = []
        for entry in manifest["steps"]:
            image = None
            if entry.get("frame") and (run_dir / "demo" / entry["frame"]).exists():
                data = (run_dir / "demo" / entry["frame"]).read_bytes()
                image = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
            steps.append(
                {
                    "number": len(steps) + 1,
                    "label": entry.get("label", ""),
                    "caption": entry.get("caption", ""),
                    "image": image,
                    "trouble": entry.get("status") == "failed",
                }
            )
        replay = replays.get(manifest["key"])
        scenarios.append(
            {
                "id": manifest["key"],
                "name": manifest["name"],
                "description": manifest.get("description") or "",
                "new": NEW_FEATURE_TAG in manifest.get("tags", []),
                "steps": steps,
                "replay": str(replay.relative_to(run_dir)) if replay else None,
                "video": videos.get(Path(manifest.get("file") or "").stem),
            }
        )
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ASSETS)), autoescape=True)
    html = env.get_template("walkthrough.html.j2").render(
        new=[s for s in scenarios if s["new"]],
        others=[s for s in scenarios if not s["new"]],
        target=(results.get("target") or {}).get("name"),
        release=results.get("release"),
        date=(results.get("started") or "")[:10],
        css=_asset("walkthrough.css"),
    )
    out = run_dir / "walkthrough.html"
    out.write_text(html, encoding="utf-8")
    return out


# -- the pytest side -----------------------------------------------------------------------------


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
