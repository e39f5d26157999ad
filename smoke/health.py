"""Page health: what the browser saw go wrong on a page, and what each kind of trouble does.

A page can show every expected text and still be broken underneath: a script that throws, a
fetch that answers 500, a stylesheet that never loads. The runner attaches a :class:`PageWatch`
to every page; a :class:`HealthPolicy` (defaults below, overridden per target in targets.yaml
under ``health:``) says whether each kind fails the scenario, warns, or is ignored. Answers a step
expects are declared on the step with ``allow:`` and are not trouble.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from smoke.results import HealthEvent, SlowStep
from smoke.yamlfile import ConfigError, MarkedDict, Pos, mapping_items

# policy key (targets.yaml) -> the kind recorded on a HealthEvent
KINDS = {
    "page_errors": "page_error",  # an uncaught exception in the page's scripts
    "server_errors": "server_error",  # an HTTP 5xx answer to the page or any of its requests
    "console_errors": "console_error",  # console.error() from the page
    "failed_requests": "failed_request",  # a request that failed outright, or a 4xx for a script/style/fetch
}
ACTIONS = ("fail", "warn", "ignore")
DEFAULT_ACTIONS = {
    "page_error": "fail",
    "server_error": "fail",
    "console_error": "warn",
    "failed_request": "warn",
}
KIND_LABELS = {
    "page_error": "uncaught error",
    "server_error": "server error",
    "console_error": "console error",
    "failed_request": "failed request",
    "dialog": "unexpected dialog",  # a native alert/confirm no step expected: dismissed (smoke.dialogs)
}
_MAX_EVENTS = 200  # distinct events kept per scenario; counts keep growing past it


@dataclass(frozen=True)
class HealthRule:
    """Trouble that is not trouble: matched on kind, address (regex), message (regex) and status."""

    kind: str | None = None
    url: re.Pattern[str] | None = None
    text: re.Pattern[str] | None = None
    status: int | None = None

    def matches(self, kind: str, url: str, text: str, status: int | None) -> bool:
        return (
            (self.kind is None or self.kind == kind)
            and (self.url is None or bool(self.url.search(url)))
            and (self.text is None or bool(self.text.search(text)))
            and (self.status is None or self.status == status)
        )


# The browser's own noise, never an upgrade's fault: its automatic favicon request, requests it
# cancels itself when a page navigates away, and the console echo of an answer already recorded.
BUILT_IN_IGNORES = (
    HealthRule(url=re.compile(r"/favicon\.ico(\?|$)")),
    HealthRule(kind="failed_request", text=re.compile(r"net::ERR_ABORTED")),
    HealthRule(kind="console_error", text=re.compile(r"^Failed to load resource: ")),
)


@dataclass
class HealthPolicy:
    actions: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ACTIONS))
    ignore: list[HealthRule] = field(default_factory=list)

    def action(self, kind: str) -> str:
        return self.actions.get(kind, "warn")


@dataclass
class SlowPolicy:
    """When a page counts as slower than before: factor x its median and at least min_s more."""

    factor: float = 3.0
    min_s: float = 2.0
    action: str = "warn"  # warn | fail
    runs: int = 10  # how many earlier runs of the same target the median is over
    min_runs: int = 3  # fewer earlier runs than this say nothing yet


def _regex(value: Any, where: str, pos: Pos) -> re.Pattern[str]:
    try:
        return re.compile(str(value))
    except re.error as exc:
        raise ConfigError(f"{where}: {value!r} is not a regular expression ({exc})", pos) from None


def parse_rules(raw: Any, where: str, pos: Pos) -> list[HealthRule]:
    """A list of ``{kind, url, text, status}`` (one mapping is a list of one)."""
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise ConfigError(f"{where} must be a list of {{url:, text:, kind:, status:}}", pos)
    rules = []
    singular = {v: v for v in KINDS.values()} | KINDS
    for item in items:
        item_pos = item.pos if isinstance(item, MarkedDict) else pos
        if not isinstance(item, dict) or not item:
            raise ConfigError(f"{where}: each entry is a mapping of url:, text:, kind:, status:", item_pos)
        unknown = set(item) - {"kind", "url", "text", "status"}
        if unknown:
            raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (takes url, text, kind, status)", item_pos)
        kind = item.get("kind")
        if kind is not None and kind not in singular:
            raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}", item_pos)
        status = item.get("status")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            raise ConfigError(f"{where}: status is an HTTP status number, got {status!r}", item_pos)
        rules.append(
            HealthRule(
                kind=singular[kind] if kind else None,
                url=_regex(item["url"], where, item_pos) if "url" in item else None,
                text=_regex(item["text"], where, item_pos) if "text" in item else None,
                status=status,
            )
        )
    return rules


def parse_health(raw: Any, where: str, pos: Pos) -> HealthPolicy:
    """``health: {page_errors: fail, console_errors: warn, ..., ignore: [{url: ..., text: ...}]}``."""
    policy = HealthPolicy()
    message = f"{where}: health must be a mapping ({', '.join(KINDS)}, ignore)"
    for key, value, key_pos in mapping_items(raw, message, pos):
        if key == "ignore":
            policy.ignore = parse_rules(value, f"{where}: health.ignore", key_pos)
        elif key in KINDS:
            if value not in ACTIONS:
                raise ConfigError(f"{where}: health.{key} must be fail, warn or ignore, got {value!r}", key_pos)
            policy.actions[KINDS[key]] = str(value)
        else:
            raise ConfigError(f"{where}: health takes {', '.join(KINDS)} and ignore, not {key!r}", key_pos)
    return policy


def parse_slow(raw: Any, where: str, pos: Pos) -> SlowPolicy:
    """``slow: {factor: 3, min_s: 2, action: warn|fail, runs: 10}``."""
    policy = SlowPolicy()
    message = f"{where}: slow must be a mapping (factor, min_s, action, runs)"
    for key, value, key_pos in mapping_items(raw, message, pos):
        if key not in ("action", "factor", "min_s", "runs", "min_runs"):
            raise ConfigError(f"{where}: slow takes factor, min_s, action, runs and min_runs, not {key!r}", key_pos)
        if key == "action":
            if value not in ("warn", "fail"):
                raise ConfigError(f"{where}: slow.action must be warn or fail, got {value!r}", key_pos)
            policy.action = str(value)
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{where}: slow.{key} must be a positive number, got {value!r}", key_pos)
        setattr(policy, key, int(value) if key in ("runs", "min_runs") else float(value))
    return policy


class PageWatch:
    """Collects one scenario's page trouble, deduplicated, and hands over what must fail a step."""

    def __init__(self, policy: HealthPolicy, scrub: Callable[[str], str]) -> None:
        self.policy = policy
        self.scrub = scrub
        self.events: dict[tuple[str, str, str], HealthEvent] = {}
        self.failures: list[HealthEvent] = []  # not yet reported by a step
        self.step: tuple[str, str] | None = None  # (index, caption) of the step running now
        self.allowed: list[HealthRule] = []  # the running step's allow:

    def attach(self, page: Any) -> None:
        def where() -> str:
            try:
                return str(page.url)
            except Exception:  # a page closing under us has no address worth naming
                return ""

        def on_pageerror(error: Any) -> None:
            text = str(getattr(error, "message", None) or error).strip().splitlines()
            self.record("page_error", text[0] if text else "uncaught error", where(), where(), None)

        def on_console(message: Any) -> None:
            if message.type == "error":
                self.record("console_error", str(message.text), where(), where(), None)

        def on_requestfailed(request: Any) -> None:
            failure = request.failure or "failed"
            self.record("failed_request", f"{request.method} {request.url}: {failure}", where(), request.url, None)

        def on_response(response: Any) -> None:
            status = int(response.status)
            request = response.request
            if status >= 500:
                self.record(
                    "server_error", f"HTTP {status} {request.method} {response.url}", where(), response.url, status
                )
            elif status >= 400 and request.resource_type != "document":
                # a page's own answer is judged by the scenario's checks (403 Access Denied can be the point);
                # a script, style or fetch that is missing breaks the page underneath
                self.record(
                    "failed_request",
                    f"HTTP {status} {request.method} {response.url} ({request.resource_type})",
                    where(),
                    response.url,
                    status,
                )

        page.on("pageerror", on_pageerror)
        page.on("console", on_console)
        page.on("requestfailed", on_requestfailed)
        page.on("response", on_response)

    def record(self, kind: str, message: str, page_url: str, url: str, status: int | None) -> None:
        rules: Iterable[HealthRule] = (*BUILT_IN_IGNORES, *self.policy.ignore, *self.allowed)
        if any(rule.matches(kind, url, message, status) for rule in rules):
            return
        action = self.policy.action(kind)
        if action == "ignore":
            return
        message = self.scrub(" ".join(message.split())[:500])
        page = self.scrub(page_url)
        key = (kind, message, page)
        known = self.events.get(key)
        if known is not None:
            known.count += 1
            return
        if len(self.events) >= _MAX_EVENTS:
            return
        index, caption = self.step or (None, "")
        event = HealthEvent(kind=kind, message=message, page=page, step=index, caption=caption, action=action)
        self.events[key] = event
        if action == "fail":
            self.failures.append(event)

    def take_failures(self) -> list[HealthEvent]:
        failures, self.failures = self.failures, []
        return failures

    def recorded(self) -> list[HealthEvent]:
        return list(self.events.values())


def failure_message(events: list[HealthEvent]) -> str:
    first = events[0]
    at = f" during step {first.step}" if first.step else ""
    more = f" (and {len(events) - 1} more)" if len(events) > 1 else ""
    return f"page health: {KIND_LABELS.get(first.kind, first.kind)} on {first.page}{at}: {first.message}{more}"


# -- what got slower ---------------------------------------------------------------------------


def step_key(file: str, index: str, kind: str, url: str | None) -> tuple[str, str, str, str]:
    """The same step in another run: the scenario file, the step, and the page's path with ids as N."""
    from urllib.parse import urlsplit

    path = urlsplit(url or "").path.lower()
    return (file, index, kind, re.sub(r"\d+", "N", path))


def slower_steps(
    scenarios: Iterable[Any], history: list[Any], policy: SlowPolicy, fail: bool = False
) -> list[SlowStep]:
    """Steps whose page load now is factor x their median in earlier runs and at least min_s more.

    ``scenarios`` are this run's ScenarioResults, ``history`` earlier RunResults of the same target,
    newest first. A step that timed out counts as slow when its median is known: it is reported as
    slower, not left as an unexplained timeout.
    """
    before: dict[tuple[str, str, str, str], list[float]] = {}
    for run in history[: policy.runs]:
        for scenario in run.scenarios:
            for step in scenario.steps:
                if step.load_s is not None and step.status == "passed":
                    before.setdefault(step_key(scenario.file, step.index, step.kind, step.url), []).append(step.load_s)
    found = []
    for scenario in scenarios:
        for step in scenario.steps:
            if step.load_s is None:
                continue
            past = before.get(step_key(scenario.file, step.index, step.kind, step.url), [])
            if len(past) < policy.min_runs:
                continue
            median = statistics.median(past)
            timed_out = step.error is not None and step.error.kind == "timeout"
            if timed_out or (step.load_s >= median * policy.factor and step.load_s - median >= policy.min_s):
                found.append(
                    SlowStep(
                        scenario=scenario.name,
                        file=scenario.file,
                        step=step.index,
                        caption=step.caption,
                        url=step.url or "",
                        now_s=round(step.load_s, 2),
                        before_s=round(median, 2),
                        runs=len(past),
                        action="fail" if fail or policy.action == "fail" else "warn",
                        timed_out=timed_out,
                    )
                )
    return found
