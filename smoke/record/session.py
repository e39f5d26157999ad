"""A recording session: a headed browser logged in as a role, Playwright's recorder, a scenario file.

The browser logs in through the target's own login steps (the runner's ``ScenarioRun.switch``, as a
run does), then a fresh window with that session opens with Playwright's recorder (its Inspector
window and the in-page toolbar, whose "assert text / value / visibility" tools become ``expect_*``
steps). When the person closes the window, the recorder's log is converted (``convert``), checked
like ``smoke check`` checks a scenario, and written. The log itself holds what was typed, secrets
included, so it is deleted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from smoke.record.convert import Converted, convert, known_from_target, read_log, scenario_yaml
from smoke.yamlfile import ConfigError, display_path

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

# Runs in every recorded page: for each element the person uses, which of the locator map's CSS
# entries match it and what a person reads on it (label, name, text), so that a recorded
# `{textbox: Username}` can be written as the map's `login.username: {css: "#Username"}`.
FACTS_JS = """(() => {
  const entries = __ENTRIES__;
  const clean = (t) => (t || '').replace(/\\s+/g, ' ').trim();
  let last = '';
  const send = (target, kind) => {
    if (!target || target.nodeType !== 1 || !window.__smokeElementFacts) return;
    const names = [];
    for (const [name, selector] of Object.entries(entries)) {
      try { if (target.closest(selector)) names.push(name); } catch (e) { /* not CSS */ }
    }
    if (!names.length) return;
    const control = target.closest('button, a, input, select, textarea, [role]') || target;
    const texts = new Set();
    const add = (t) => { t = clean(t); if (t && t.length <= 200) texts.add(t); };
    for (const attr of ['aria-label', 'placeholder', 'title', 'alt']) add(control.getAttribute(attr));
    if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(control.tagName)) add(control.innerText);
    if (control.tagName === 'INPUT' && ['submit', 'button'].includes(control.type)) add(control.value);
    for (const label of control.labels || []) add(label.innerText);
    for (const id of (control.getAttribute('aria-labelledby') || '').split(/\\s+/)) {
      const by = id && document.getElementById(id);
      if (by) add(by.innerText);
    }
    const fact = JSON.stringify({ names, texts: [...texts] });
    if (fact === last) return;
    last = fact;
    window.__smokeElementFacts(JSON.parse(fact));
  };
  for (const type of ['pointerdown', 'input', 'change', 'focusin']) {
    document.addEventListener(type, (e) => { if (e.isTrusted) send(e.composedPath()[0], type); }, true);
  }
})();"""


class Unreachable(ConfigError):
    """The target did not answer (exit 3, as for a run)."""


@dataclasses.dataclass
class Recorded:
    path: Path
    converted: Converted
    steps: int


def choose_role(target: Any, role: str | None, side: str | None) -> tuple[str, str]:
    """The role to log in as and its side: the one named, or the target's first role on that side."""
    if role is not None:
        if role not in target.roles:
            raise ConfigError(
                f"target {target.name!r} has no role {role!r}", None, f"roles: {', '.join(target.roles) or 'none'}"
            )
        own = target.roles[role].side
        if side is not None and side != own:
            raise ConfigError(f"role {role!r} logs in on the {own} side, not {side}", None, f"use --side {own}")
        return role, own
    side = side or "admin"
    for name, spec in target.roles.items():
        if spec.side == side:
            return name, side
    raise ConfigError(f"target {target.name!r} has no role on the {side} side", None, "name one with --as ROLE")


def destination(scenarios_dir: Path, name: str, force: bool) -> Path:
    if not NAME.fullmatch(name):
        raise ConfigError(
            f"{name!r} is not a usable scenario name", None, "use letters, digits, - and _ (e.g. ticket-edit)"
        )
    dest = scenarios_dir / f"{name}.yaml"
    if dest.exists() and not force:
        raise ConfigError(f"{display_path(dest)} exists", None, "pick another NAME, or pass --force to overwrite it")
    return dest


def show_recorder(context: Any, log: Path) -> None:
    """Start Playwright's recorder on a context, writing its JSONL log (what `playwright codegen
    --target jsonl -o FILE` writes) to ``log``. The Python API has no public call for it."""
    impl = getattr(context, "_impl_obj", None)
    show = getattr(impl, "_show_recorder", None) or getattr(impl, "_enable_recorder", None)
    if show is None:
        from importlib.metadata import version

        raise ConfigError(
            f"this Playwright ({version('playwright')}) offers no recorder to Python",
            None,
            "install the Playwright version pyproject.toml names (make setup)",
        )
    context._sync(show({"language": "jsonl", "mode": "recording", "outputFile": str(log)}))


def record(
    scenarios_dir: Path,
    name: str,
    *,
    target_name: str | None = None,
    role: str | None = None,
    side: str | None = None,
    url: str | None = None,
    force: bool = False,
    server_url: str | None = None,
    command: str = "smoke record",
    say: Callable[[str], None] = print,
    drive: Callable[[Any, Path], None] | None = None,
    keep_log: Path | None = None,
) -> Recorded:
    """Record a scenario. ``drive(page, log)`` acts in the recorded page instead of a person (tests).
    The recording ends when every window of the recording is closed."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from smoke import server as servers
    from smoke.browser import chromium_launch_kwargs
    from smoke.evidence import Evidence
    from smoke.project import check_all, load_project
    from smoke.results import ScenarioResult
    from smoke.runner import RunInfo, ScenarioFailed, ScenarioRun, WorkerSession, now_iso
    from smoke.scenario import Scenario, load_scenario
    from smoke.secrets import Secrets
    from smoke.yamlfile import Pos

    project = load_project(scenarios_dir)
    target = project.targets.get(target_name)
    role, side = choose_role(target, role, side)
    dest = destination(scenarios_dir, name, force)
    target.credentials(role)
    start_path = url or "/"

    try:
        target, started = servers.serve_target(target, server_url)
    except servers.ServerError as exc:
        raise ConfigError(f"target {target.name!r}: {exc}") from None
    work = Path(tempfile.mkdtemp(prefix="smoke-record-"))
    log = work / "recording.jsonl"
    try:
        problems = servers.check_reachable([target.base_url(side)])
        if problems:
            raise Unreachable("target unreachable: " + "; ".join(problems))
        secrets = Secrets(target.secret_values())
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_kwargs(headless=False))  # type: ignore[arg-type]
            evidence = Evidence(work / "login", secrets)
            session = WorkerSession(
                RunInfo("record", now_iso(), work / "login", scenarios_dir), target, project.data, secrets, evidence
            )
            pos = Pos(display_path(dest), 1, 1)
            login = Scenario(name=f"record {name}", file=dest, pos=pos, steps=[], side=side, role=role)
            run = ScenarioRun(
                session, login, lambda **kw: browser.new_context(**kw), ScenarioResult("record", name, str(dest))
            )
            run.side = side
            start = run.url(start_path)
            say(f"logging in as {role} on {target.name} ...")
            try:
                run.switch(role)
            except ScenarioFailed as failed:
                raise ConfigError(f"could not log in as {role}: {failed.error.message}") from None
            state = session.storage_states.get(role)
            run.close()
            evidence.close()

            context = browser.new_context(storage_state=state)
            facts: list[dict[str, Any]] = []
            css = {
                name: spec.value
                for name, spec in target.locators.items()
                if spec.how == "css" and spec.within is None and spec.nth is None and "{{" not in spec.value
            }
            context.expose_binding("__smokeElementFacts", lambda _source, fact: facts.append(fact))
            context.add_init_script(script=FACTS_JS.replace("__ENTRIES__", json.dumps(css)))
            show_recorder(context, log)
            page = context.new_page()
            page.goto(start)
            if drive is not None:
                drive(page, log)  # it closes the window when done, as a person would
            else:
                say(f"recording at {start}: act in the browser window, pick checks with the toolbar's")
                say("assert tools (text, value, visibility), and close the window when done")
            try:
                while context.pages:
                    context.pages[0].wait_for_event("close", timeout=0)
            except PlaywrightError:
                pass  # the browser itself was closed: the recorder's log is all we need
            with contextlib.suppress(PlaywrightError):
                context.close()  # the recorder writes the last of its log when its context closes
            browser.close()
        if not log.exists():
            raise ConfigError("the recorder wrote nothing (was the window closed before it opened?)")
        if keep_log is not None:
            keep_log.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, keep_log)
            keep_log.with_suffix(".facts.json").write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
        actions = read_log(log.read_text(encoding="utf-8"))
    finally:
        if started is not None:
            started.stop()
        shutil.rmtree(work, ignore_errors=True)

    known = dataclasses.replace(known_from_target(target, project.data, side), facts=facts)
    converted = convert(actions, known, start_path)
    text = scenario_yaml(
        converted,
        name=name,
        side=side,
        role=role,
        command=command,
        recorded_on=datetime.now().astimezone().isoformat(timespec="minutes"),
        url=start_path,
    )
    # checked as `smoke check` checks it, before it takes the scenario's name
    draft = scenarios_dir / f"_{name}.recording.yaml"
    draft.write_text(text, encoding="utf-8")
    checked_target = project.targets.get(target_name)
    if converted.new_env:
        # the variables invented for unknown secrets are the person's to export; the rest must hold
        checked_target = dataclasses.replace(
            checked_target, env_defaults={**checked_target.env_defaults, **dict.fromkeys(converted.new_env, "")}
        )
    try:
        errors = check_all(project, [load_scenario(draft)], checked_target)
    except ConfigError as exc:
        errors = [exc]
    if errors:
        raise ConfigError(
            f"the recording does not pass smoke check: {errors[0].line()}",
            None,
            f"the draft is kept at {display_path(draft)}: fix it and rename it to {dest.name}",
        )
    draft.replace(dest)
    return Recorded(dest, converted, len(converted.steps))
