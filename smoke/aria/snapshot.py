"""Taking the accessibility snapshot of the pages a scenario visits, during a run, and comparing each
with the previous release's.

The runner calls :meth:`AriaCapture.after_step` after every step and :meth:`AriaCapture.finish` when
a scenario ends. A page is snapshotted after a step that opened it (``open``, a click that led to
another address, a role switch), after a ``compare:`` step and a failed step when the page changed
since the last snapshot, and at the end. ``compare:`` masks (and secrets, password fields, the
target's masks) are hidden from the snapshot the way they are painted over in screenshots.

Snapshots live in the run folder as ``aria/<scenario>/<key>.yaml``; baselines beside the screenshot
baselines as ``<baselines>/<scenario>/aria/<key>.yaml`` with a ``.json`` saying where and when.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from smoke.aria.diff import Use, diff, mark_used
from smoke.aria.tree import Node, SnapshotError, dump, normalise, normalise_text, parse
from smoke.evidence import slug
from smoke.results import AriaPage
from smoke.visual import read_info, write_baseline

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from smoke.results import StepResult
    from smoke.runner import ScenarioRun
    from smoke.scenario import Scenario, Step
    from smoke.targets import Target

MODES = ("auto", "on", "off")

_HIDE = """(els) => { for (const e of els) { if (!e.hasAttribute('data-smoke-aria')) {
  e.setAttribute('data-smoke-aria', e.getAttribute('aria-hidden') ?? '\\u0000');
  e.setAttribute('aria-hidden', 'true'); } } }"""
_RESTORE = """() => { for (const e of document.querySelectorAll('[data-smoke-aria]')) {
  const was = e.getAttribute('data-smoke-aria'); e.removeAttribute('data-smoke-aria');
  if (was === '\\u0000') e.removeAttribute('aria-hidden'); else e.setAttribute('aria-hidden', was); } }"""


def page_key(index: str, url: str) -> str:
    """``3`` on ``/admin/Overview/10003`` -> ``003-admin-overview-id``."""
    padded = "_".join(part.zfill(3) for part in index.split("."))
    return f"{padded}-{slug(normalise_text(urlsplit(url).path or '/'), 60)}"


def _index_of(key: str) -> tuple[int, ...]:
    head = key.split("-", 1)[0]
    try:
        return tuple(int(p) for p in head.split("_"))
    except ValueError:
        return ()


def baseline_dir(baselines: Path, scenario: str) -> Path:
    return Path(baselines) / scenario / "aria"


def find_baseline(folder: Path, key: str) -> Path | None:
    """The baseline of this key, or else the latest one of the same page before it (a scenario that
    failed early ends on a page it snapshotted under an earlier step in the baseline run)."""
    exact = folder / f"{key}.yaml"
    if exact.is_file():
        return exact
    if not folder.is_dir():
        return None
    index, page = _index_of(key), key.split("-", 1)[-1]
    earlier = [p for p in folder.glob("*.yaml") if p.stem.split("-", 1)[-1] == page and _index_of(p.stem) <= index]
    return max(earlier, key=lambda p: _index_of(p.stem)) if earlier else None


def read_tree(path: Path) -> Node:
    return parse(path.read_text(encoding="utf-8"))


@dataclass
class _State:
    last_url: str | None = None
    last: AriaPage | None = None
    dirty: bool = False  # a step acted on the page since the last snapshot


class AriaCapture:
    """One per worker session: snapshots the pages of the scenarios it is switched on for."""

    def __init__(self, baselines: Path, capture: bool = False, mode: str = "auto") -> None:
        self.baselines = Path(baselines)
        self.capture = capture
        self.mode = mode
        self._states: dict[int, _State] = {}
        self._wanted: dict[str, bool] = {}
        self._uses: dict[str, list[Use]] | None = None  # every scenario's, loaded when a page changed

    def wanted(self, run: ScenarioRun) -> bool:
        scenario = run.scenario
        if scenario.slug not in self._wanted:
            self._wanted[scenario.slug] = self.mode == "on" or (
                self.mode == "auto"
                and (
                    self.capture
                    or any(step.spec.compares for step in scenario.walk())
                    or baseline_dir(self.baselines, scenario.slug).is_dir()
                )
            )
        return self._wanted[scenario.slug]

    def _state(self, run: ScenarioRun) -> _State:
        state = self._states.get(id(run))
        if state is None:
            state = self._states[id(run)] = _State()
        return state

    def after_step(self, run: ScenarioRun, step: Step, record: StepResult) -> None:
        """Called by the runner after each step's record is written; never changes the step's outcome."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            self._after(run, step, record)
        except (PlaywrightError, OSError) as exc:
            run.result.pages.append(
                AriaPage(page_key(record.index, ""), record.index, "error", message=f"no snapshot: {exc}")
            )

    def _after(self, run: ScenarioRun, step: Step, record: StepResult) -> None:
        if run.login_vars is not None or not self.wanted(run):
            return  # the steps of a login are not the scenario's pages
        page = run.current_page
        if page is None or page.is_closed():
            return
        state = self._state(run)
        url = page.url
        kind = step.spec
        navigated = kind.opens is not None or kind.role_param is not None or url != state.last_url
        wants = navigated or kind.compares or record.status == "failed"
        if not wants:
            if kind.changes_page:  # the page may be another one even at the same address
                state.dirty = True
            return
        if not navigated and not state.dirty and state.last is not None:
            self._link(state.last, record)  # the same page as the last snapshot
            return
        self._take(run, page, record, state)

    def finish(self, run: ScenarioRun) -> None:
        """Called by the runner when the scenario ends (passed or not): the page it ends on."""
        state = self._states.pop(id(run), None)
        if state is None or not run.result.steps or not self.wanted(run):
            return
        record = run.result.steps[-1]
        page = run.current_page
        if record.aria is not None or page is None or page.is_closed():
            return
        if page.url == state.last_url and not state.dirty:
            return
        self._take(run, page, record, state)

    def _link(self, page_record: AriaPage, record: StepResult) -> None:
        record.aria = page_record.snapshot
        if record.visual is not None and page_record.compare is None:
            page_record.compare = record.visual.name

    def _take(self, run: ScenarioRun, page: Page, record: StepResult, state: _State) -> None:
        from playwright.sync_api import Error as PlaywrightError

        t0 = time.perf_counter()
        scrub = run.session.secrets.scrub
        url = page.url
        key = page_key(record.index, url)
        parts = urlsplit(url)
        page_record = AriaPage(
            key=key,
            step=record.index,
            status="error",
            url=scrub(url) or "",
            path=scrub(parts.path + (f"?{parts.query}" if parts.query else "")) or "",
            side=run.side,
            role=_role(run),
        )
        state.last_url, state.dirty, state.last = url, False, page_record
        try:
            text = self._snapshot_text(run, page)
        except PlaywrightError as exc:
            page_record.message = f"no accessibility snapshot: {str(exc).splitlines()[0]}"
            run.result.pages.append(page_record)
            return
        try:
            raw = parse(scrub(text) or "")
        except SnapshotError as exc:
            page_record.message = str(exc)
            run.result.pages.append(page_record)
            return
        tree = normalise(raw, _run_ids(run))
        page_record.title = page_title(raw)  # as the page says it, for people; the key is normalised
        run_dir = run.session.run.run_dir
        prefix = slug(run.scenario.slug, 40) + (f"/attempt{run.attempt}" if run.attempt > 1 else "")
        out = run_dir / "aria" / prefix / f"{key}.yaml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(dump(tree), encoding="utf-8")
        page_record.snapshot = str(out.relative_to(run_dir))
        folder = baseline_dir(self.baselines, run.scenario.slug)
        target = folder / f"{key}.yaml"
        page_record.baseline_file = str(target.resolve())
        if self.capture:
            write_baseline(out, target, baseline_info(run, page_record))
            page_record.status, page_record.message = "captured", f"baseline captured: {target}"
        else:
            self._compare(run, tree, folder, key, out, page_record, state)
        self._link(page_record, record)
        page_record.seconds = round(time.perf_counter() - t0, 3)
        run.result.pages.append(page_record)

    def _compare(
        self, run: ScenarioRun, tree: Node, folder: Path, key: str, out: Path, page_record: AriaPage, state: _State
    ) -> None:
        found = find_baseline(folder, key)
        if found is None:
            page_record.status = "no-baseline"
            page_record.message = "no baseline yet; `smoke baseline accept` takes this snapshot as one"
            return
        page_record.baseline_file = str(found.resolve())
        page_record.baseline_info = read_info(found)
        try:
            page_record.changes = diff(read_tree(found), tree)
        except (OSError, SnapshotError) as exc:
            page_record.message = f"the baseline {found} could not be read: {exc}"
            return
        if not page_record.changes:
            page_record.status = "same"
            return
        if self._uses is None:
            self._uses = suite_uses(run)
        mark_used(page_record.changes, self._uses)
        page_record.status = "changed"
        copy = out.with_name(out.stem + ".baseline.yaml")
        shutil.copyfile(found, copy)  # the report must not depend on a folder that changes
        page_record.baseline = str(copy.relative_to(run.session.run.run_dir))
        count = len(page_record.changes)
        page_record.message = f"{count} change{'s' if count != 1 else ''} in the page's structure"

    def _snapshot_text(self, run: ScenarioRun, page: Page) -> str:
        from playwright.sync_api import Error as PlaywrightError

        hidden = False
        try:
            for locator in _mask_locators(run, page):
                try:
                    locator.evaluate_all(_HIDE)
                    hidden = True
                except PlaywrightError:
                    continue  # a mask that is not on this page hides nothing
            return page.locator("body").aria_snapshot(timeout=10_000)
        finally:
            if hidden:
                with contextlib.suppress(PlaywrightError):
                    page.evaluate(_RESTORE)


def page_title(tree: Node) -> str:
    """The page's main heading (level 1, else the first in main), as a person would name the page."""
    headings = [n for n in tree.walk() if n.role == "heading" and n.name]
    main = next((n for n in tree.walk() if n.role == "main"), None)
    first = next((n for n in headings if "level=1" in n.attrs), None)
    if first is None and main is not None:
        first = next((n for n in main.walk() if n.role == "heading" and n.name), None)
    return (first or (headings[0] if headings else Node("heading", ""))).name or ""


def _mask_locators(run: ScenarioRun, page: Page) -> list[Locator]:
    from smoke.locators import build, resolve_ref
    from smoke.values import TemplateValueError, render

    ctx = run.template_context()
    specs = [spec for step in run.scenario.walk() if step.spec.compares for spec in step.args.get("mask", [])]
    locators = []
    for spec in specs:
        try:
            locators.append(build(page, resolve_ref(spec, run.target.locators), lambda t: render(t, ctx)))
        except TemplateValueError:
            continue
    # password fields and secret texts need no hiding here: field values are dropped and secrets
    # scrubbed from the text; each mask costs a round trip to the browser
    return [*run.masks(), *locators]


def _role(run: ScenarioRun) -> str | None:
    for key, page in run.pages.items():
        if page is run.current_page:
            return None if key.startswith("_anonymous") else key.split(":", 1)[0]
    return None


def _run_ids(run: ScenarioRun) -> list[str]:
    rid = run.session.run.id
    return [rid, f"{rid}-{run.attempt}"]


def baseline_info(run: ScenarioRun, page_record: AriaPage) -> dict[str, Any]:
    from smoke.runner import now_iso

    return {
        "target": run.target.name,
        "release": run.session.release,
        "captured": now_iso(),
        "run": run.session.run.id,
        "scenario": run.scenario.slug,
        "step": page_record.step,
        "url": page_record.url,
        "path": page_record.path,
        "role": page_record.role,
        "side": page_record.side,
    }


def scenario_uses(scenario: Scenario, target: Target) -> list[Use]:
    """The elements a scenario's locators (and the target's login) find by role, label or text."""
    from smoke.locators import LocatorSpec, resolve_ref
    from smoke.scenario import walk_steps

    steps = list(scenario.walk())
    for login in target.login.values():
        steps += list(walk_steps(login))
    uses: list[Use] = []

    def add(spec: LocatorSpec | None) -> None:
        if spec is None:
            return
        spec = resolve_ref(spec, target.locators)
        if spec.how == "role":
            uses.append(Use("role", spec.value, spec.name, bool(spec.exact)))
        elif spec.how in ("label", "text", "placeholder"):
            uses.append(Use(spec.how, spec.value, None, bool(spec.exact)))
        add(spec.within)

    for step in steps:
        add(step.locator)
    return uses


def suite_uses(run: ScenarioRun) -> dict[str, list[Use]]:
    """Every scenario's uses, by file stem: a control one scenario's page lost may be another's."""
    from smoke.project import load_project, load_scenarios
    from smoke.yamlfile import ConfigError

    uses = {run.scenario.slug: scenario_uses(run.scenario, run.target)}
    try:
        scenarios, _ = load_scenarios(load_project(run.session.run.scenarios_dir))
    except (ConfigError, OSError):
        return uses
    for scenario in scenarios:
        uses.setdefault(scenario.slug, scenario_uses(scenario, run.target))
    return uses
