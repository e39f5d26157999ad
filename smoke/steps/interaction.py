"""Steps that act on the page: open it, click, type, choose, tick, press, upload, point at."""

from __future__ import annotations

import difflib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smoke import pw
from smoke.secrets import MASK
from smoke.server import target_down
from smoke.steps.base import (
    DIALOG_PARAMS,
    Param,
    StepCall,
    StepFailure,
    act,
    ambiguous,
    answering_dialog,
    count_of,
    dialog_caption,
    missing,
    quote,
    step,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator


@step(
    "open",
    category="action",
    opens="url",
    navigates=True,
    example="open: /Overview/1001",
    caption=lambda a, w: f"Open {a['url']}",
    scalar="url",
    params=(
        Param("url", required=True),
        Param("wait_until", choices=("load", "domcontentloaded", "networkidle", "commit")),
    ),
)
def open_(call: StepCall) -> None:
    """Go to a page. A path is taken relative to the current side's base URL (the admin or the portal side);
    a path that already starts with the base path, or a full URL, is used as it is.

    Example: ``- open: /Overview/1001``"""
    url = call.ctx.url(str(call.args["url"]))
    try:
        response = call.page.goto(url, wait_until=call.args.get("wait_until", "load"), timeout=call.timeout_ms * 3)
    except pw.Error as exc:
        first = str(exc).splitlines()[0]
        kind = "target" if target_down(first) else "timeout" if "Timeout" in first else "error"
        raise StepFailure(f"could not open {url}: {first}", expected=url, actual=first, kind=kind) from None
    if response is not None and response.status >= 500:
        raise StepFailure(
            f"{url} answered HTTP {response.status}",
            expected="a page (HTTP 200)",
            actual=f"HTTP {response.status}",
        )


# -- actions -------------------------------------------------------------------------------------


# -- actions --


@step(
    "click",
    category="action",
    navigates=True,
    follows_link=True,
    example="click: {button: Log In}",
    caption=dialog_caption(lambda a, w: f"Click {w}"),
    locator="required",
    scalar="locator",
    params=(Param("double", (bool,)), Param("force", (bool,)), *DIALOG_PARAMS),
)
def click(call: StepCall) -> None:
    """Click an element (a button, a link, a tab, ...). A plain text is the name of a locator
    in the target's map or the exact visible text.

    A button that raises a native dialog (a confirm "Are you sure?") says what to answer:
    ``dialog: accept`` or ``dialog: dismiss``; ``dialog_text:`` is a part of the message the dialog
    must show (a dialog that says something else is dismissed and the step fails). The step fails
    when no dialog appears. A dialog that no step expected is dismissed at once and listed as a
    page health warning, so it never stalls a run. ``click``, ``press``, ``check``, ``uncheck``
    and ``select`` all take ``dialog:``.

    Example: ``- click: {button: Create Order}``;
    ``- click: {button: Delete, dialog: accept, dialog_text: Are you sure}``"""
    if call.args.get("double"):
        act(call, lambda loc: loc.dblclick(timeout=call.timeout_ms, force=bool(call.args.get("force"))))
    else:
        act(call, lambda loc: loc.click(timeout=call.timeout_ms, force=bool(call.args.get("force"))))


def _fill_caption(a: dict[str, Any], w: str) -> str:
    # secrets from the environment or data files are scrubbed from every caption afterwards too
    value = MASK if a.get("secret") else a.get("value", "")
    return f"Fill {w} with {quote(value)}"


@step(
    "fill",
    category="action",
    types="value",
    example="fill: {label: First Name, value: Smoke}",
    caption=_fill_caption,
    locator="required",
    params=(Param("value", (str, int, float), required=True), Param("secret", (bool,))),
)
def fill(call: StepCall) -> None:
    """Type a value into a text field (replacing what was there). ``secret: true`` keeps the value
    out of captions, logs and screenshots (password fields and environment passwords always are).

    Example: ``- fill: {label: Portal Login, value: "smoke-{{ run.id }}"}``"""
    value = str(call.args["value"])
    if call.args.get("secret"):
        call.ctx.add_secret(value)
    if call.args.get("secret") or call.ctx.is_secret(value):
        # a secret typed into a plain field (a routing number, say) is masked in later screenshots
        call.ctx.mask_element(call.target)
    act(call, lambda loc: loc.fill(value, timeout=call.timeout_ms))


# a drop-down's options as [label, value] pairs, or null when the element is no drop-down
_OPTIONS_JS = "e => e instanceof HTMLSelectElement ? Array.from(e.options).map(o => [o.label, o.value]) : null"


def _listed(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _words(text: str) -> str:
    return " ".join(text.split())


def pick_options(wanted: list[str], options: list[tuple[str, str]]) -> tuple[list[int], list[str]]:
    """The index of the option that each wanted text names: the option whose visible label it is
    (spaces aside), else the option whose value it is. Returns the indexes and the texts that name
    no option. A label wins over another option's value: a person chose what they see."""
    labels = [_words(label) for label, _ in options]
    values = [value for _, value in options]
    indexes: list[int] = []
    missing: list[str] = []
    for text in wanted:
        if _words(text) in labels:
            indexes.append(labels.index(_words(text)))
        elif text in values:
            indexes.append(values.index(text))
        else:
            missing.append(text)
    return indexes, missing


def describe_options(options: list[tuple[str, str]], limit: int = 30) -> str:
    shown = [label if _words(label) == value else f"{_words(label)} ({value})" for label, value in options[:limit]]
    more = f", … ({len(options) - limit} more)" if len(options) > limit else ""
    return ", ".join(shown) + more if shown else "none"


def _options_of(call: StepCall, timeout_ms: float) -> list[tuple[str, str]]:
    try:
        found = call.target.evaluate(_OPTIONS_JS, timeout=timeout_ms)
    except pw.Error as exc:
        if "strict mode violation" in str(exc):
            raise ambiguous(call) from None
        if count_of(call.target) == 0:
            raise missing(call) from None
        raise StepFailure(
            f"could not read the options of {call.what()}: {str(exc).splitlines()[0]}", kind="error"
        ) from None
    if found is None:
        raise StepFailure(
            f"{call.what()} is not a drop-down list (<select>); click its items instead",
            expected="a drop-down list",
            actual="another kind of element",
            kind="locator",
        )
    return [(str(label), str(value)) for label, value in found]


@step(
    "select",
    category="action",
    navigates=True,
    example="select: {label: Plan, option: Standard}",
    caption=dialog_caption(lambda a, w: f"Choose {quote(_listed(a['option']))} in {w}"),
    locator="required",
    params=(Param("option", (str, int, list), required=True), *DIALOG_PARAMS),
)
def select(call: StepCall) -> None:
    """Choose an option in a drop-down list by its visible text or by its value, whichever it is:
    ``option: Canada`` and ``option: CA`` both choose ``<option value="CA">Canada</option>``
    (a visible text wins over another option's value). A list chooses several in a multiple
    list. The options are read once and the one named is chosen at once; options that a script
    fills in later are waited for, up to the step timeout. When none matches, the step fails
    listing the options there are.

    Example: ``- select: {label: Ticket Category, option: Billing}``; ``- select: {label: Country, option: US}``"""
    option = call.args["option"]
    wanted = [str(o) for o in option] if isinstance(option, list) else [str(option)]
    deadline = time.monotonic() + call.timeout_ms / 1000
    while True:
        # reading an element that is there is instant; the floor only lets the last look happen
        options = _options_of(call, max(1000.0, (deadline - time.monotonic()) * 1000))
        indexes, missing = pick_options(wanted, options)
        if not missing:
            break
        if time.monotonic() >= deadline:
            close = difflib.get_close_matches(missing[0], [_words(label) for label, _ in options], n=2, cutoff=0.6)
            raise StepFailure(
                f"{call.what()} has no option {', '.join(map(repr, missing))}"
                + (f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""),
                expected=", ".join(wanted),
                actual="options: " + describe_options(options),
            )
        # a list that a script fills in (options that depend on another choice): look again soon
        call.page.wait_for_timeout(100)

    def choose(loc: Locator) -> None:
        loc.select_option(index=indexes, timeout=max(1.0, (deadline - time.monotonic()) * 1000))

    act(call, choose)


@step(
    "hover",
    category="action",
    example="hover: {link: Reports}",
    caption=lambda a, w: f"Point at {w}",
    locator="required",
    scalar="locator",
)
def hover(call: StepCall) -> None:
    """Move the mouse over an element, e.g. to open a menu that opens on hover; the next step
    clicks one of its items.

    Example::

        - hover: {link: Setup}
        - click: {link: Roles}"""
    act(call, lambda loc: loc.hover(timeout=call.timeout_ms))


# check and uncheck are the same kind of step but for the box's new state
_TICKING: dict[str, Any] = {
    "category": "action",
    "navigates": True,
    "locator": "required",
    "scalar": "locator",
    "params": DIALOG_PARAMS,
}


@step(
    "check", example="check: {label: Ticket Assignable}", caption=dialog_caption(lambda a, w: f"Tick {w}"), **_TICKING
)
def check(call: StepCall) -> None:
    """Tick a checkbox or choose a radio button.

    Example: ``- check: {label: Test Mode}``"""
    act(call, lambda loc: loc.check(timeout=call.timeout_ms))


@step("uncheck", example="uncheck: {label: Enabled}", caption=dialog_caption(lambda a, w: f"Untick {w}"), **_TICKING)
def uncheck(call: StepCall) -> None:
    """Clear a checkbox.

    Example: ``- uncheck: {label: Email Receipts}``"""
    act(call, lambda loc: loc.uncheck(timeout=call.timeout_ms))


@step(
    "press",
    category="action",
    navigates=True,
    example="press: Enter",
    caption=dialog_caption(lambda a, w: f"Press {a['key']}" + (f" in {w}" if w != "the page" else "")),
    locator="optional",
    scalar="key",
    params=(Param("key", required=True), *DIALOG_PARAMS),
)
def press(call: StepCall) -> None:
    """Press a key (Enter, Tab, Escape, Control+A, ...), in an element or on the page.

    Example: ``- press: {key: Enter, label: Search}``"""
    key = str(call.args["key"])
    if call.locator is not None:
        act(call, lambda loc: loc.press(key, timeout=call.timeout_ms))
    else:
        answering_dialog(call, lambda: call.page.keyboard.press(key))


@step(
    "upload",
    category="action",
    navigates=True,
    example="upload: {label: File, file: data/usage.csv}",
    caption=lambda a, w: f"Upload {a['file']} into {w}",
    locator="required",
    params=(Param("file", (str, list), required=True),),
)
def upload(call: StepCall) -> None:
    """Choose a file (relative to the scenarios folder) in a file input.

    Example: ``- upload: {label: Import File, file: data/usage-import.csv}``"""
    files = call.args["file"] if isinstance(call.args["file"], list) else [call.args["file"]]
    paths = []
    for name in files:
        path = Path(name) if Path(name).is_absolute() else call.ctx.scenarios_dir / name
        if not path.exists():
            raise StepFailure(
                f"file to upload not found: {path}", expected="an existing file", actual="missing", kind="error"
            )
        paths.append(path)
    act(call, lambda loc: loc.set_input_files(paths, timeout=call.timeout_ms))


# -- checks --------------------------------------------------------------------------------------
