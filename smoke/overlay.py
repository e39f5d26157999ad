"""What demo mode draws on the page and keeps of it: the pace, the caption bar and highlights (in a
closed shadow root, hidden while evidence screenshots are taken), pausing, and the recorder of
frames with the overlay. Used by demo mode (smoke.demo) and the what's-new tour (smoke.aria.tour).
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from smoke.evidence import Evidence
    from smoke.runner import ScenarioRun
    from smoke.scenario import Scenario

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
        say(f"paused before {label}: {caption}  [Enter: next step, c Enter: run to the end]")
        call(page, "setPaused", True)
        try:
            while True:
                try:
                    line = self._lines.get(timeout=self.poll_s)
                except queue.Empty:
                    line = ""
                if line is None:
                    self._eof = True
                    if self.headless:  # nobody can click Next in a window that is not there
                        say("the terminal is closed and there is no window: running to the end")
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
            call(page, "setPaused", False)


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# -- the overlay on a page -----------------------------------------------------------------------


_SCRIPTS: dict[str, str] = {}


def asset(name: str) -> str:
    if name not in _SCRIPTS:
        _SCRIPTS[name] = (ASSETS / name).read_text(encoding="utf-8")
    return _SCRIPTS[name]


def inject(page: Page) -> None:
    """Put the overlay on the page's current document (a no-op when it is there already)."""
    page.evaluate(asset("overlay.js"), asset("overlay.css"))


def call(page: Page, method: str, *args: Any) -> Any:
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
    return cast("dict[str, Any] | None", call(page, "state"))


class OverlayFreeEvidence:
    """Wraps the session's Evidence so the overlay is hidden while an evidence screenshot is taken."""

    def __init__(self, inner: Evidence) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def capture(
        self,
        page: Page,
        name: str,
        extra_masks: Iterable[Locator] = (),
        full_page: bool = False,
        *,
        unchanged_ok: bool = False,
    ) -> tuple[str, str | None] | None:
        hidden = hide(page)
        try:
            return self._inner.capture(page, name, extra_masks, full_page, unchanged_ok=unchanged_ok)
        finally:
            if hidden:
                call(page, "setHidden", False)


def hide(page: Page) -> bool:
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
        key = scenario_key(run)
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


def scenario_key(run: ScenarioRun) -> str:
    from smoke.evidence import slug

    key = slug(run.scenario.slug, 40)
    return key + (f"-attempt{run.attempt}" if run.attempt > 1 else "")


# -- the presenter: the session's step hooks -----------------------------------------------------


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
        css=asset("walkthrough.css"),
    )
    out = run_dir / "walkthrough.html"
    out.write_text(html, encoding="utf-8")
    return out


# -- the pytest side -----------------------------------------------------------------------------
