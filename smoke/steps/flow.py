"""Steps that carry a scenario along: keep values, switch roles, wait, and repeat steps per data row."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from smoke import pw
from smoke.locators import LocatorSpec, parse_locator
from smoke.steps.base import Loop, Param, StepCall, StepFailure, step, text_of
from smoke.steps.checks import expect_url
from smoke.values import is_template
from smoke.yamlfile import ConfigError, MarkedDict, Pos

if TYPE_CHECKING:
    from smoke.scenario import Step


def _regex(pattern: Any, pos: Pos, what: str) -> None:
    """A regular expression is checked when the scenario is read, not when the step runs."""
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{what} must be a regular expression (a text), got {pattern!r}", pos)
    if is_template(pattern):
        return  # checked once rendered, when the step runs
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"{what} is not a valid regular expression: {exc.msg} at position {exc.pos} of {pattern!r}",
            pos,
            'in double quotes a backslash is written twice ("(\\\\d+)"); single quotes keep it as it is',
        ) from None


def _parse_save(step_: Step, value: Any, pos: Pos, label: str) -> None:
    example = "e.g. save: {order_number: {test_id: order-number}} or save: {ticket_id: {url: '/tickets/(\\d+)/'}}"
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"{label}: save takes NAME: locator pairs", pos, example)
    # NAME -> the element to read, or None: the value comes from the page's address (options["url"])
    out: dict[str, LocatorSpec | None] = {}
    options: dict[str, dict[str, str]] = {}
    for name, raw in value.items():
        item_pos = value.pos_of(name) if isinstance(value, MarkedDict) else pos
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError(f"{label}: {name!r} is not a usable name", item_pos, "use letters, digits and _")
        opts: dict[str, str] = {}
        if isinstance(raw, dict) and "url" in raw:
            url_pos = raw.pos_of("url") if isinstance(raw, MarkedDict) else item_pos
            others = [str(k) for k in raw if k != "url"]
            if others:
                raise ConfigError(
                    f"{label}: {name}: url: reads the page's address, so it takes no {others[0]!r}",
                    url_pos,
                    "save: {NAME: {url: REGEX}} keeps the first group of REGEX (or the whole match)",
                )
            _regex(raw["url"], url_pos, f"{label}: {name}: url")
            out[name] = None
            options[name] = {"url": str(raw["url"])}
            continue
        if isinstance(raw, dict):
            raw = MarkedDict(raw) if not isinstance(raw, MarkedDict) else raw
            for key in ("pattern", "attribute"):
                if key in raw:
                    opts[key] = str(raw[key])
            if "pattern" in raw:
                _regex(raw["pattern"], raw.pos_of("pattern"), f"{label}: {name}: pattern")
            stripped = MarkedDict({k: v for k, v in raw.items() if k not in ("pattern", "attribute")})
            stripped.pos = getattr(raw, "pos", item_pos)
            stripped.key_pos = getattr(raw, "key_pos", {})
            stripped.value_pos = getattr(raw, "value_pos", {})
            raw = stripped
        out[name] = parse_locator(raw, item_pos)
        options[name] = opts
    step_.args = {"vars": out, "options": options}


def first_group(match: re.Match[str]) -> str:
    if match.groups():
        return match.group(1) or ""
    return match.group(0)


def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:  # a pattern with an expression in it, rendered only now
        raise StepFailure(f"{pattern!r} is not a valid regular expression: {exc.msg}", kind="error") from None


def _saved_from_url(call: StepCall, name: str, pattern: str) -> str:
    regex = _compiled(pattern)
    match = regex.search(call.page.url)
    if match is None:
        # the address may still be changing (a form that redirects once saved): wait for it
        try:
            call.page.wait_for_url(
                lambda url: regex.search(url) is not None, timeout=call.timeout_ms, wait_until="commit"
            )
        except pw.Error:
            raise StepFailure(
                f"nothing to save as {name}: the address {call.page.url} does not match the pattern {pattern}",
                expected=f"an address matching {pattern}",
                actual=call.page.url,
            ) from None
        match = regex.search(call.page.url)
        if match is None:  # it matched a moment ago and moved on since
            raise StepFailure(
                f"nothing to save as {name}: the address {call.page.url} no longer matches the pattern {pattern}",
                expected=f"an address matching {pattern}",
                actual=call.page.url,
            )
    return first_group(match)


@step(
    "save",
    category="flow",
    saves=lambda a: list(a.get("vars", {})),
    example="save: {order_number: {test_id: order-number}}",
    caption=lambda a, w: "Note " + ", ".join(a["vars"]),
    parse=_parse_save,
)
def save(call: StepCall) -> None:
    """Keep values shown on the page under names, for later steps as ``{{ saved.NAME }}``. The value
    is the element's text (or a field's value); ``pattern:`` keeps the first group of a regular
    expression, ``attribute:`` reads an attribute instead. ``url:`` keeps a part of the page's
    address instead of an element: the first group of the regular expression (or the whole
    match), e.g. the id in ``/tickets/42/change/``; if the address does not match yet (a form that
    redirects once saved), it is waited for up to the step timeout.

    Example: ``- save: {order_number: {test_id: order-number, pattern: "(\\\\d+)"}}``;
    ``- save: {ticket_id: {url: "/tickets/(\\\\d+)/"}}``"""
    for name, spec in call.args["vars"].items():
        opts = call.args["options"].get(name, {})
        if spec is None:
            call.ctx.saved[name] = _saved_from_url(call, name, str(opts["url"])).strip()
            continue
        loc = call.ctx.locate(spec)
        try:
            pw.expect(loc.first).to_be_attached(timeout=call.timeout_ms)
        except AssertionError:
            raise StepFailure(
                f"nothing to save as {name}: {spec.describe()} is not on the page",
                expected=spec.describe(),
                actual=f"not found at {call.page.url}",
                kind="locator",
            ) from None
        if "attribute" in opts:
            value = loc.first.get_attribute(opts["attribute"]) or ""
        else:
            value = text_of(loc) or ""
        if "pattern" in opts:
            match = _compiled(opts["pattern"]).search(value)
            if not match:
                raise StepFailure(
                    f"{spec.describe()} shows {value!r}, which does not match {opts['pattern']!r}",
                    expected=opts["pattern"],
                    actual=value,
                )
            value = first_group(match)
        call.ctx.saved[name] = value.strip()


@step(
    "as",
    category="flow",
    role_param="role",
    example="as: csr",
    caption=lambda a, w: f"Continue as {a['role']}" + (f" ({a['user']})" if a.get("user") else ""),
    scalar="role",
    params=(Param("role", required=True), Param("user"), Param("password")),
)
def as_(call: StepCall) -> None:
    """Switch to another role (and the side it logs in on), logging in with that role's
    credentials the first time; the session is kept for later scenarios. Later ``open`` steps are
    relative to that side. ``user`` and ``password`` log in as one particular user of that role
    (e.g. a portal customer from a data row) instead of the role's own credentials.

    Example: ``- as: {role: customer, user: "{{ row.portal_login }}", password: "{{ env.SMOKE_PORTAL_PASSWORD }}"}``"""
    args = call.args
    call.ctx.log_in_as(str(args["role"]), args.get("user") or None, args.get("password") or None)


@step(
    "wait_for",
    category="flow",
    needs_element=lambda a: a.get("state") not in ("hidden", "detached"),
    example="wait_for: {text: Completed, in: {table: Provisioning Queue}}",
    caption=lambda a, w: (
        "Wait for " + (f"the address {a['url']}" if a.get("url") else f"{w} to be {a.get('state', 'visible')}")
    ),
    locator="optional",
    params=(
        Param("state", choices=("visible", "hidden", "attached", "detached")),
        Param("url"),
        Param("reload", (bool,)),
    ),
)
def wait_for(call: StepCall) -> None:
    """Wait for an element to appear (or ``state: hidden`` to go), or for the address to contain
    ``url``. ``reload: true`` reloads the page while waiting, for pages that do not update by
    themselves (a queue that a background worker completes).

    Example: ``- wait_for: {text: Completed, reload: true, timeout: 20}``"""
    if call.args.get("url"):
        expect_url(StepCall(call.ctx, call.step, {"contains": call.args["url"]}, None, None, call.timeout_ms))
        return
    if call.locator is None:
        raise StepFailure("wait_for needs an element or url:", kind="error")
    state = call.args.get("state", "visible")
    if not call.args.get("reload"):
        try:
            call.target.first.wait_for(state=state, timeout=call.timeout_ms)
        except pw.Error:
            raise StepFailure(
                f"{call.what()} did not become {state} within {call.timeout_ms / 1000:g}s",
                expected=state,
                actual="still not " + state,
                kind="timeout",
            ) from None
        return

    deadline = time.monotonic() + call.timeout_ms / 1000
    while True:
        try:
            call.target.first.wait_for(state=state, timeout=1000)
            return
        except pw.Error:
            pass
        if time.monotonic() >= deadline:
            raise StepFailure(
                f"{call.what()} did not become {state} within {call.timeout_ms / 1000:g}s (page reloaded while waiting)",
                expected=state,
                actual="still not " + state,
                kind="timeout",
            )
        call.page.reload()


# -- external systems (read-only) ------------------------------------------------------------------


def _for_each_caption(a: dict[str, Any], w: str) -> str:
    return f"For each row of {a['data']}"


# how the report lays out a for_each's results table (smoke.results.DataTable.kind)
TABLE_STYLES = ("plain", "diff", "grid")


@step(
    "for_each",
    category="flow",
    loop=Loop(data="data", alias="as", per_row=("label", "where", "grid")),
    example="for_each: {data: customers, label: '{{ row.number }} {{ row.name }}', steps: [...]}",
    caption=_for_each_caption,
    params=(
        Param("data", required=True),
        Param("as"),
        Param("label"),
        Param("title"),
        Param("where"),
        Param("grid", (dict,)),
        Param("table", choices=TABLE_STYLES),
        Param("steps", (list,), required=True),
    ),
)
def for_each(call: StepCall) -> None:
    """Repeat the nested steps for every row of a data file (``scenarios/data/NAME.yaml``), with
    the row's values as ``{{ row.FIELD }}``. Every row is reported as its own line with what was
    expected and what was shown; a failing row does not stop the others. ``label`` names a row in
    the report; ``title`` names the results table; ``where`` (an expression) skips the rows for
    which it is empty or false. ``table:`` says how the report lays the results table out: ``plain``
    (the default), ``diff`` (rows of expected values: a cell that differs shows what was expected and
    what the page showed) or ``grid`` (cells that say allowed/denied, yes/no are marked). ``grid: {rows: ..., columns: ..., cell: ...}`` (expressions) also
    lays the rows out as a grid, e.g. functions x roles with "allowed"/"denied" in each cell; a
    cell whose row failed shows what was expected and what was found.

    Example::

        - for_each:
            data: customers
            label: "{{ row.number }} {{ row.name }}"
            steps:
              - open: "/Overview/{{ row.number }}"
              - expect_text: {test_id: balance, text: "{{ row.balance }}", exact: true}"""
    raise AssertionError("for_each is run by the runner itself (its kind has a loop)")  # pragma: no cover
