"""Runs one scenario's steps on Playwright pages and records what happened, step by step."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from smoke.dialogs import unexpected_message
from smoke.dialogs import watch as watch_dialogs
from smoke.evidence import Evidence, slug
from smoke.health import PageWatch, failure_message
from smoke.locators import LocatorSpec, build, resolve_ref
from smoke.results import ScenarioResult, StepError, StepResult, VisualCheck
from smoke.scenario import RowsError, Scenario, Step, rows_at
from smoke.secrets import Secrets
from smoke.server import target_down, unreachable
from smoke.steps import Check, StepCall, StepFailure
from smoke.tables import RowRecord, column_name, grid_table, row_label, rows_table
from smoke.targets import Target
from smoke.values import TemplateValueError, render

NewContext = Callable[..., BrowserContext]


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


@dataclass
class RunInfo:
    id: str
    started: str
    run_dir: Path
    scenarios_dir: Path


@dataclass
class WorkerSession:
    """What one process (the controller, or an xdist worker) shares between its scenarios."""

    run: RunInfo
    target: Target
    data: dict[str, Any]
    secrets: Secrets
    evidence: Evidence
    storage_states: dict[str, Any] = field(default_factory=dict)
    logins: int = 0
    reuse_logins: bool = True
    # demo mode hooks in here: on_step before a step acts (its element is run.step_locator),
    # after_step once the step's record is written (evidence screenshot taken)
    on_step: Callable[[ScenarioRun, Step, str, str], None] | None = None
    after_step: Callable[[ScenarioRun, Step, StepResult], None] | None = None
    # compare: steps read their baselines here, or write them with capture_baselines
    baselines: Path | None = None
    capture_baselines: bool = False
    visual_strict: bool = False  # every compare: step as if it said strict: true
    release: str | None = None
    aria: Any = None  # smoke.aria.snapshot.AriaCapture: the pages' accessibility snapshots, when taken

    def run_view(self) -> dict[str, Any]:
        return {"id": self.run.id, "started": self.run.started, "date": self.run.started[:10]}


class ScenarioFailed(Exception):
    def __init__(self, index: str, caption: str, error: StepError) -> None:
        self.index = index
        self.caption = caption
        self.error = error
        super().__init__(error.message)


class ScenarioRun:
    """One attempt at one scenario."""

    def __init__(
        self,
        session: WorkerSession,
        scenario: Scenario,
        new_context: NewContext,
        result: ScenarioResult,
        attempt: int = 1,
    ) -> None:
        self.session = session
        self.scenario = scenario
        self.target = session.target
        self.new_context = new_context
        self.result = result
        self.attempt = attempt
        self.saved: dict[str, Any] = {}
        self.row: Any = None
        self.row_name = "row"
        self.login_vars: dict[str, str] | None = None
        self.pages: dict[str, Page] = {}
        self._page: Page | None = None
        self._server_error: str | None = None  # an HTTP 5xx page load during the current step
        self.side = scenario.side
        self.masked: list[Locator] = []
        self.step_locator: Locator | None = None  # the element the current step acts on, for on_step
        self.scenarios_dir = session.run.scenarios_dir
        self.step_count = sum(1 for _ in scenario.walk())
        self._named_shot: tuple[str, str | None] | None = None
        self._step_at: tuple[str, int] = ("0", 0)  # the step running now (a role switch logs in under it)
        self._switched = False  # the step running now switched roles
        self._visual: VisualCheck | None = None
        self._shot_prefix = slug(scenario.slug, 40) + (f"/attempt{attempt}" if attempt > 1 else "")
        self.watch = PageWatch(self.target.health, lambda text: session.secrets.scrub(text) or "")
        self._navigated = False  # the main frame navigated during the current step
        self.role_key: str | None = None  # the login (role, or role:user) the current page belongs to

    # -- the Context protocol the steps use ------------------------------------------------------

    @property
    def page(self) -> Page:
        if self._page is None:
            raise StepFailure("no page is open yet", kind="error")
        return self._page

    @page.setter
    def page(self, page: Page) -> None:
        self._page = page

    @property
    def current_page(self) -> Page | None:
        """The page the scenario is on, or None before the first one opens."""
        return self._page

    def is_secret(self, value: str) -> bool:
        return value in self.session.secrets

    def url(self, path: str) -> str:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path):
            return path
        base = self.target.base_url(self.side)
        parts = urlsplit(base)
        origin = f"{parts.scheme}://{parts.netloc}"
        base_path = parts.path.rstrip("/")
        if path.startswith("/"):
            if base_path and (path.lower() == base_path.lower() or path.lower().startswith(base_path.lower() + "/")):
                return origin + path
            return origin + base_path + path
        return base.rstrip("/") + "/" + path

    def locate(self, spec: LocatorSpec) -> Locator:
        resolved = resolve_ref(spec, self.target.locators)
        ctx = self.template_context()
        return build(self.page, resolved, lambda text: render(text, ctx))

    def switch(
        self, role: str, index: str = "0", depth: int = 0, user: str | None = None, password: str | None = None
    ) -> None:
        spec = self.target.roles.get(role)
        if spec is None:
            raise StepFailure(f"target {self.target.name!r} has no role {role!r}", kind="error")
        self.side = spec.side
        key = f"{role}:{user}" if user else role
        self.role_key = key
        if key in self.pages:
            self.page = self.pages[key]
            return
        state = self.session.storage_states.get(key) if self.session.reuse_logins else None
        context = self.new_context(storage_state=state) if state else self.new_context()
        page = self.open_page(context)
        self.pages[key] = page
        self.page = page
        if state is not None:
            # a restored session lands where a fresh login would: the side's home page
            try:
                page.goto(self.target.base_url(spec.side))
            except PlaywrightError as exc:
                raise StepFailure(
                    f"could not open {self.target.base_url(spec.side)}: {str(exc).splitlines()[0]}", kind="target"
                ) from None
            return
        if user is None or password is None:
            try:
                role_user, role_password = self.target.credentials(role)
            except Exception as exc:  # ConfigError: a missing credential variable
                raise StepFailure(str(exc), kind="error") from None
            user = user or role_user
            password = password or role_password
        self.session.secrets.add(password)
        self.login_vars = {"user": user, "password": password}
        who = f"{role} (user {self.session.secrets.scrub(user)!r})"
        try:
            self.run_steps(
                self.target.login[spec.side], f"{index}.", depth + 1, None, caption_prefix=f"Log in as {role}: "
            )
        except ScenarioFailed as failed:
            said = self._alerts()
            raise ScenarioFailed(
                failed.index,
                failed.caption,
                StepError(
                    f"login as {who} failed: {failed.error.message}"
                    + (f" (the page says: {said})" if said else " (the page shows no message)"),
                    failed.error.expected,
                    failed.error.actual,
                    failed.error.kind,
                ),
            ) from None
        finally:
            self.login_vars = None
        self.session.logins += 1
        self.result.logins += 1
        if self.session.reuse_logins:
            self.session.storage_states[key] = context.storage_state()

    def _texts(self, selector: str) -> list[str]:
        """The texts of the page's elements that match, each on one line ([] when there is no page)."""
        if self._page is None or self._page.is_closed():
            return []
        try:
            texts = self._page.locator(selector).all_inner_texts()
        except PlaywrightError:
            return []
        return [" ".join(t.split()) for t in texts if t.strip()]

    def _alerts(self) -> str:
        """What the page says in its alerts, e.g. why a login was refused."""
        return self.session.secrets.scrub("; ".join(self._texts("[role=alert]"))[:300]) or ""

    def _heading(self) -> str:
        return self.session.secrets.scrub(" ".join(self._texts("h1, h2, title")[:2])[:200]) or ""

    def add_secret(self, value: str) -> None:
        self.session.secrets.add(value)

    def mask_element(self, locator: Locator) -> None:
        self.masked.append(locator)

    def named_screenshot(self, name: str, full_page: bool) -> None:
        shot = self.session.evidence.capture(
            self.page, f"{self._shot_prefix}/named-{slug(name)}", self.masks(), full_page=full_page
        )
        if shot:
            self._named_shot = shot

    def compare_screenshot(
        self, name: str, masks: list[LocatorSpec], full_page: bool, threshold: float, tolerance: int, strict: bool
    ) -> VisualCheck:
        from smoke import visual

        page = self.page
        session = self.session
        ctx = self.template_context()
        dynamic = [build(page, resolve_ref(spec, self.target.locators), lambda t: render(t, ctx)) for spec in masks]
        rel = f"shots/{self._shot_prefix}/visual-{slug(name)}"
        png = session.run.run_dir / f"{rel}.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        # PNG, not the evidence JPEG: compression noise would read as change
        page.screenshot(
            path=str(png),
            type="png",
            full_page=full_page,
            mask=session.evidence.masks(page, [*self.masks(), *dynamic]),
            mask_color="#1f2937",
            animations="disabled",
            caret="hide",
            timeout=15_000,
        )
        boxes = _boxes(page, dynamic, full_page)
        strict = strict or session.visual_strict
        baseline = visual.baseline_path(
            session.baselines or self.scenarios_dir / "baselines", self.scenario.slug, slug(name)
        )
        if session.capture_baselines:
            visual.write_baseline(png, baseline, self.baseline_info(page.url, boxes))
            record = VisualCheck(
                name, "captured", threshold, strict=strict, new=f"{rel}.png", baseline_file=str(baseline.resolve())
            )
            record.message = f"baseline captured: {baseline}"
        else:
            record = visual.check(
                name,
                png,
                baseline,
                session.run.run_dir,
                rel,
                threshold=threshold,
                tolerance=tolerance,
                strict=strict,
                ignore=boxes,
            )
        record.masks = [list(b) for b in boxes]
        record.url = self.session.secrets.scrub(page.url) or ""
        self._named_shot = (record.new or f"{rel}.png", "")
        self._visual = record
        return record

    def baseline_info(self, url: str, boxes: list[tuple[int, int, int, int]]) -> dict[str, Any]:
        return {
            "target": self.target.name,
            "release": self.session.release,
            "captured": now_iso(),
            "run": self.session.run.id,
            "scenario": self.scenario.slug,
            "url": self.session.secrets.scrub(url),
            "masks": [list(b) for b in boxes],
        }

    def template_context(self) -> dict[str, Any]:
        ctx: dict[str, Any] = {
            "run": {
                **self.session.run_view(),
                "attempt": self.attempt,
                # unique per attempt: a retried signup must not reuse the first attempt's login
                "uid": self.session.run.id if self.attempt == 1 else f"{self.session.run.id}-{self.attempt}",
            },
            "saved": self.saved,
            "data": self.session.data,
            "target": self.target.template_view(),
            "env": self.target.env(),
        }
        if self.row is not None:
            ctx["row"] = self.row
            ctx[self.row_name] = self.row
        if self.login_vars is not None:
            ctx.update(self.login_vars)
        return ctx

    # -- running ---------------------------------------------------------------------------------

    def open_page(self, context: BrowserContext) -> Page:
        context.set_default_timeout(self.scenario.timeout_s * 1000)
        page = context.new_page()
        scrub = self.session.secrets.scrub
        result = self.result

        def on_console(message: Any) -> None:
            if message.type == "error" and len(result.console_errors) < 50:
                result.console_errors.append(scrub(f"{message.text} ({page.url})") or "")

        def on_pageerror(error: Any) -> None:
            if len(result.console_errors) < 50:
                result.console_errors.append(scrub(f"uncaught: {error} ({page.url})") or "")

        def on_requestfailed(request: Any) -> None:
            if len(result.network_failures) < 50 and not request.url.endswith("favicon.ico"):
                result.network_failures.append(scrub(f"{request.method} {request.url}: {request.failure}") or "")

        def on_response(response: Any) -> None:
            if (
                response.status >= 500
                and response.request.resource_type == "document"
                and response.frame == page.main_frame
            ):
                self._server_error = f"HTTP {response.status} from {scrub(response.url)}"
            if response.status >= 500 and len(result.network_failures) < 50:
                result.network_failures.append(
                    scrub(f"HTTP {response.status} {response.request.method} {response.url}") or ""
                )

        def on_navigated(frame: Any) -> None:
            if frame == page.main_frame:
                self._navigated = True

        page.on("console", on_console)
        page.on("pageerror", on_pageerror)
        page.on("requestfailed", on_requestfailed)
        page.on("response", on_response)
        page.on("framenavigated", on_navigated)
        self.watch.attach(page)
        # a native dialog that no step expected is dismissed (never left to stall the page) and reported
        watch_dialogs(
            page, lambda seen: self.watch.record("dialog", unexpected_message(seen), seen.url, seen.url, None)
        )
        return page

    def masks(self) -> list[Locator]:
        masks = list(self.masked)
        ctx = self.template_context()
        for spec in self.target.mask:
            masks.append(build(self.page, resolve_ref(spec, self.target.locators), lambda t: render(t, ctx)))
        return masks

    def run(self) -> ScenarioResult:
        result = self.result
        result.started = now_iso()
        result.status = "running"
        t0 = time.monotonic()
        try:
            down = unreachable(self.target.base_url(self.scenario.side), timeout=2.0)
            if down:
                raise ScenarioFailed(
                    "0",
                    "Reach the target",
                    StepError(
                        f"target unreachable: {self.target.base_url(self.scenario.side)} ({down})", kind="target"
                    ),
                )
            if self.scenario.login and self.scenario.role:
                self.switch(self.scenario.role, "0", -1)
            else:
                context = self.new_context()
                self.page = self.open_page(context)
                self.pages[f"_anonymous_{self.scenario.side}"] = self.page
            self.run_steps(self.scenario.steps, "", 0, None)
            late = self.watch.take_failures()  # trouble that came after the last step's check
            if late:
                raise ScenarioFailed(
                    late[0].step or str(len(self.scenario.steps)),
                    late[0].caption,
                    StepError(failure_message(late), "a healthy page", late[0].message, "health"),
                )
            result.status = "passed"
        except ScenarioFailed as failed:
            result.status = "failed"
            result.error = failed.error
            result.failed_step = failed.index
        except (StepFailure, TemplateValueError) as exc:  # raised outside a step (for_each data, ...)
            result.status = "failed"
            message = exc.message if isinstance(exc, StepFailure) else str(exc)
            result.error = StepError(self.session.secrets.scrub(message) or "", kind="error")
        except PlaywrightError as exc:
            result.status = "error"
            result.error = StepError(self.session.secrets.scrub(str(exc).splitlines()[0]) or "", kind="error")
        finally:
            if self.session.aria is not None:
                with contextlib.suppress(PlaywrightError):
                    self.session.aria.finish(self)
            result.duration_s = round(time.monotonic() - t0, 3)
            result.health = self.watch.recorded()
        return result

    def close(self) -> None:
        for page in self.pages.values():
            with contextlib.suppress(PlaywrightError):
                page.context.close()
        self.pages.clear()

    def run_steps(
        self,
        steps: list[Step],
        prefix: str,
        depth: int,
        row: RowRecord | None,
        caption_prefix: str = "",
    ) -> None:
        for number, step in enumerate(steps, 1):
            index = f"{prefix}{number}"
            if step.spec.loop is not None:
                self.run_for_each(step, index, depth)
            else:
                self.run_step(step, index, depth, row, caption_prefix)

    def caption(self, step: Step, args: dict[str, Any], spec: LocatorSpec | None) -> str:
        ctx = self.template_context()
        if step.says:
            return str(render(step.says, ctx))
        what = render(spec.describe(), ctx) if spec else "the page"
        return step.spec.caption(args, what)

    def log_in_as(self, role: str, user: str | None, password: str | None) -> None:
        index, depth = self._step_at
        try:
            self.switch(role, index, depth, user, password)
        finally:
            self._switched = True  # its own login steps ran meanwhile; a role switch is not a page load

    def run_step(self, step: Step, index: str, depth: int, row: RowRecord | None, caption_prefix: str = "") -> None:
        kind = step.spec
        self._step_at, self._switched = (index, depth), False
        started = now_iso()
        t0 = time.monotonic()
        caption = step.says or step.kind
        error: StepError | None = None
        check: Check | None = None
        spec: LocatorSpec | None = None
        try:
            ctx = self.template_context()
            args = render(step.args, ctx)
            spec = resolve_ref(step.locator, self.target.locators) if step.locator else None
            caption = caption_prefix + self.caption(step, args, spec)
            self.watch.step = (index, self.session.secrets.scrub(caption) or caption)
            self.watch.allowed = list(step.allow)
            self._navigated = False
            locator = self.locate(spec) if spec else None
            timeout_ms = (step.timeout_s or self.scenario.timeout_s) * 1000
            self.step_locator = locator
            if self.session.on_step is not None:
                self.session.on_step(self, step, index, caption)
            call = StepCall(self, step, args, locator, spec, timeout_ms)
            self._server_error = None
            check = kind.func(call)
            if self._server_error and kind.navigates:
                said = self._alerts() or self._heading()
                raise StepFailure(
                    f"the page failed to load after this step: {self._server_error}"
                    + (f" (the page says: {said})" if said else ""),
                    expected="a page (HTTP 200)",
                    actual=self._server_error,
                    kind="error",
                )
            failures = self.watch.take_failures()
            if failures:
                raise StepFailure(failure_message(failures), "a healthy page", failures[0].message, "health")
        except StepFailure as exc:
            error = StepError(exc.message, exc.expected, exc.actual, exc.kind)
        except TemplateValueError as exc:
            error = StepError(str(exc), kind="template")
        except ScenarioFailed:
            raise
        except PlaywrightError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            error = StepError(first, kind="target" if target_down(exc) else "error")
        duration = round(time.monotonic() - t0, 3)
        # how long the step waited for a page: what "What got slower" compares between runs
        load_s = duration if (self._navigated or kind.opens) and not kind.nested and not self._switched else None
        self.watch.allowed = []
        scrub = self.session.secrets.scrub
        caption = scrub(caption) or caption
        if error is not None:
            error = StepError(scrub(error.message) or "", scrub(error.expected), scrub(error.actual), error.kind)
        status = "passed" if error is None else ("skipped" if step.optional else "failed")
        if status == "passed" and self._visual is not None and self._visual.status == "no-baseline":
            status = "not checked"  # nothing to compare with: not evidence of an unchanged page
        shot = None
        own_shot = self._named_shot is not None  # a screenshot: or compare: step took its own
        if (
            (step.screenshot or error is not None)
            and not own_shot
            and self.page is not None
            and not self.page.is_closed()
        ):
            padded = "_".join(part.zfill(3) for part in index.split("."))
            name = f"{self._shot_prefix}/{padded}-{step.kind}" + ("-failed" if error else "")
            # a step that changed nothing may keep the page's last shot, if the page still shows it
            unchanged_ok = error is None and not kind.changes_page
            shot = self.session.evidence.capture(self.page, name, self.masks(), unchanged_ok=unchanged_ok)
        named = self._named_shot
        if named is not None:
            shot, self._named_shot = named, None
        visual_record, self._visual = self._visual, None
        self.result.steps.append(
            StepResult(
                index=index,
                kind=step.kind,
                caption=caption,
                status=status,  # type: ignore[arg-type]
                started=started,
                duration_s=duration,
                depth=max(depth, 0),
                screenshot=shot[0] if shot else None,
                thumbnail=(shot[1] or None) if shot else None,
                url=None if self.page is None or self.page.is_closed() else scrub(self.page.url),
                error=error,
                row=row.label if row else None,
                visual=visual_record,
                load_s=load_s,
            )
        )
        if self.session.aria is not None:
            self.session.aria.after_step(self, step, self.result.steps[-1])
        if self.session.after_step is not None:
            self.session.after_step(self, step, self.result.steps[-1])
        if row is not None and kind.tabulated:
            column = step.name or column_name(step, spec)
            if error is not None:
                row.failures[column] = error
            elif check is not None:
                row.checks[column] = Check(scrub(check.expected) or "", scrub(check.shown) or "")
        if error is not None and not step.optional:
            raise ScenarioFailed(index, caption, error)

    def run_for_each(self, step: Step, index: str, depth: int) -> None:
        loop = step.spec.loop
        assert loop is not None
        ctx = self.template_context()
        # what is rendered per row (the label, where:, the grid) is rendered later, with the row in scope
        args = {key: value if key in loop.per_row else render(value, ctx) for key, value in step.args.items()}
        rows = resolve_rows(self.session.data, str(args[loop.data]))
        started = now_iso()
        t0 = time.monotonic()
        caption = self.caption(step, args, None) + f" ({len(rows)} rows)"
        record = StepResult(
            index=index, kind=step.kind, caption=caption, status="passed", started=started, duration_s=0.0, depth=depth
        )
        self.result.steps.append(record)
        self.row_name = str(args.get(loop.alias) or "row")
        records: list[RowRecord] = []
        failed: list[RowRecord] = []
        skipped = 0
        grid_cells: list[tuple[str, str, str, RowRecord]] = []
        # every row starts from the state the loop began in, whatever the row before it did
        start = (self.side, self._page, self.role_key, self._page.url if self._page is not None else None)
        previous_failed = False
        for number, row in enumerate(rows, 1):
            if number > 1:
                self._restore(start, renavigate=previous_failed)
            self.row = row
            if step.args.get("where") and str(render(step.args["where"], self.template_context())).strip().lower() in (
                "",
                "false",
                "none",
                "0",
                "no",
            ):
                skipped += 1
                continue
            try:
                label = (
                    render(step.args["label"], self.template_context())
                    if step.args.get("label")
                    else row_label(row, number)
                )
            except TemplateValueError:
                label = row_label(row, number)
            rec = RowRecord(label=str(label))
            previous_failed = False
            try:
                self.run_steps(step.children, f"{index}.{number}.", depth + 1, rec)
            except ScenarioFailed as exc:
                rec.error = exc.error
                rec.failed_step = exc.index
                failed.append(rec)
                previous_failed = True
            records.append(rec)
            grid = step.args.get("grid")
            if isinstance(grid, dict) and {"rows", "columns"} <= set(grid):
                try:
                    cell = render(grid, self.template_context())
                    grid_cells.append((str(cell["rows"]), str(cell["columns"]), str(cell.get("cell", "")), rec))
                except TemplateValueError:
                    pass
        self.row = None
        self._restore(start, renavigate=False)
        if skipped:
            record.caption = record.caption.replace(
                f"({len(rows)} rows)", f"({len(rows) - skipped} of {len(rows)} rows)"
            )
        if grid_cells:  # the grid first: it is what a reader takes in at a glance
            self.result.tables.append(grid_table(str(args.get("title") or args[loop.data]) + " (grid)", grid_cells))
        self.result.tables.append(
            rows_table(str(args.get("title") or args[loop.data]), str(args.get("table") or "plain"), records)
        )
        record.duration_s = round(time.monotonic() - t0, 3)
        if failed:
            record.status = "failed"
            names = ", ".join(r.label for r in failed[:5]) + (" ..." if len(failed) > 5 else "")
            first = failed[0].error
            assert first is not None
            error = StepError(
                f"{len(failed)} of {len(records)} rows failed ({names}); first: {failed[0].label}: {first.message}",
                first.expected,
                first.actual,
                first.kind,
            )
            record.error = error
            # the failure is the first failing row's step: its screenshot shows the wrong value
            raise ScenarioFailed(failed[0].failed_step or index, caption, error)

    def _restore(self, start: tuple[str, Page | None, str | None, str | None], renavigate: bool) -> None:
        side, page, role_key, url = start
        self.side, self.role_key = side, role_key
        if page is None or page.is_closed():
            return
        self.page = page
        if renavigate and url and page.url != url:
            # a failed row may have left its page anywhere; the next row must not inherit that
            with contextlib.suppress(PlaywrightError):
                page.goto(url)


def _boxes(page: Page, locators: list[Locator], full_page: bool) -> list[tuple[int, int, int, int]]:
    """Where the masked elements are on the screenshot: those rectangles are not compared."""
    boxes: list[tuple[int, int, int, int]] = []
    try:
        scroll = (0, 0) if not full_page else tuple(page.evaluate("[window.scrollX, window.scrollY]"))
        for locator in locators:
            for element in locator.all()[:50]:
                box = element.bounding_box(timeout=2000)
                if box and box["width"] > 0 and box["height"] > 0:
                    boxes.append(
                        (
                            int(box["x"] + scroll[0]),
                            int(box["y"] + scroll[1]),
                            int(box["width"]) + 2,
                            int(box["height"]) + 2,
                        )
                    )
    except PlaywrightError:
        pass  # an element that went away has nothing to mask
    return boxes


def resolve_rows(data: dict[str, Any], path: str) -> list[Any]:
    try:
        return rows_at(data, path)
    except RowsError as exc:
        raise StepFailure(exc.message, kind="error") from None
