"""The step vocabulary: one small function per step kind, registered by name.

Each function gets a :class:`StepCall` (the page, the step's rendered settings, the element it acts
on) and either acts or checks. A check that fails raises :class:`StepFailure` with what was
expected and what the page showed. ``smoke steps`` prints every kind with its docstring and example.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from smoke import dialogs
from smoke.locators import LocatorSpec, parse_locator
from smoke.values import is_template
from smoke.yamlfile import ConfigError, MarkedDict, Pos

if TYPE_CHECKING:
    from smoke.scenario import Step

MASK = "••••"


class StepFailure(Exception):
    """A check did not hold: what was expected and what the page showed."""

    def __init__(self, message: str, expected: str | None = None, actual: str | None = None, kind: str = "assertion"):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.kind = kind


@dataclass
class Check:
    """What a check compared, for the data tables of for_each."""

    expected: str
    shown: str


class Context(Protocol):
    """What the runner gives a step (see smoke.runner.ScenarioRun)."""

    page: Page
    saved: dict[str, Any]
    scenarios_dir: Path

    def url(self, path: str) -> str: ...
    def locate(self, spec: LocatorSpec) -> Locator: ...
    def switch(self, role: str) -> None: ...
    def add_secret(self, value: str) -> None: ...
    def is_secret(self, value: str) -> bool: ...
    def mask_element(self, locator: Locator) -> None: ...
    def named_screenshot(self, name: str, full_page: bool) -> None: ...
    def compare_screenshot(
        self, name: str, masks: list[LocatorSpec], full_page: bool, threshold: float, tolerance: int, strict: bool
    ) -> Any: ...
    def template_context(self) -> dict[str, Any]: ...


@dataclass
class StepCall:
    ctx: Context
    step: Step
    args: dict[str, Any]
    locator: Locator | None
    spec: LocatorSpec | None
    timeout_ms: float

    @property
    def page(self) -> Page:
        return self.ctx.page

    @property
    def target(self) -> Locator:
        assert self.locator is not None  # guaranteed by the step's locator="required"
        return self.locator

    def what(self) -> str:
        return self.spec.describe() if self.spec else "the page"


@dataclass(frozen=True)
class Param:
    name: str
    types: tuple[type, ...] = (str,)
    required: bool = False
    choices: tuple[Any, ...] = ()


StepFunc = Callable[[StepCall], "Check | None"]
CaptionFunc = Callable[[dict[str, Any], str], str]
ParseFunc = Callable[["Step", Any, Pos, str], None]


@dataclass(frozen=True)
class StepKind:
    name: str
    func: StepFunc
    doc: str
    example: str
    caption: CaptionFunc
    locator: str = "none"  # none | optional | required
    scalar: str | None = None  # what a plain value means: a param name, or "locator"
    params: tuple[Param, ...] = ()
    parse: ParseFunc | None = None
    nested: bool = False
    acts: bool = True  # acts on an element (demo mode highlights it)


REGISTRY: dict[str, StepKind] = {}


def step(
    name: str,
    *,
    example: str,
    caption: CaptionFunc,
    locator: str = "none",
    scalar: str | None = None,
    params: tuple[Param, ...] = (),
    parse: ParseFunc | None = None,
    nested: bool = False,
) -> Callable[[StepFunc], StepFunc]:
    def register(func: StepFunc) -> StepFunc:
        doc = inspect.cleandoc(func.__doc__ or "")
        REGISTRY[name] = StepKind(
            name=name,
            func=func,
            doc=doc,
            example=example,
            caption=caption,
            locator=locator,
            scalar=scalar,
            params=params,
            parse=parse,
            nested=nested,
        )
        return func

    return register


def _q(value: Any) -> str:
    return f"'{value}'"


def _text_of(locator: Locator, timeout_ms: float = 1000) -> str | None:
    try:
        if locator.count() == 0:
            return None
        first = locator.first
        tag = first.evaluate("e => e.tagName.toLowerCase()", timeout=timeout_ms)
        if tag in ("input", "textarea", "select"):
            return first.input_value(timeout=timeout_ms)
        return " ".join(first.inner_text(timeout=timeout_ms).split())
    except PlaywrightError:
        return None


def _count(locator: Locator) -> int:
    try:
        return locator.count()
    except PlaywrightError:
        return 0


def _missing(call: StepCall) -> StepFailure:
    return StepFailure(
        f"{call.what()} is not on the page",
        expected=f"an element: {call.what()}",
        actual=f"none found at {call.page.url}",
        kind="locator",
    )


def _ambiguous(call: StepCall) -> StepFailure:
    count = _count(call.target)
    return StepFailure(
        f"{call.what()} matches {count} elements; say which one (exact: true, in:, or nth:)",
        expected="exactly one element",
        actual=f"{count} elements",
        kind="locator",
    )


# `dialog: accept|dismiss` on a step that raises a native dialog ("Are you sure?")
DIALOG_PARAMS = (Param("dialog", choices=dialogs.ACTIONS), Param("dialog_text", (str, int, float)))


def _dialog_caption(caption: CaptionFunc) -> CaptionFunc:
    def with_dialog(a: dict[str, Any], w: str) -> str:
        text = caption(a, w)
        if a.get("dialog"):
            text += f" and {a['dialog']} the dialog" + (f" {_q(a['dialog_text'])}" if a.get("dialog_text") else "")
        return text

    return with_dialog


def _answering_dialog(call: StepCall, action: Callable[[], None]) -> None:
    """Run an action; with ``dialog:`` the dialog it raises is answered so, and must appear."""
    answer = call.args.get("dialog")
    if not answer:
        action()
        return
    wanted = call.args.get("dialog_text")
    text = None if wanted is None or str(wanted) == "" else str(wanted)
    watch = dialogs.watch(call.page)
    with watch.expect(str(answer), text) as expecting:
        action()
        seen = watch.wait(expecting, call.timeout_ms)
    if seen is None:
        raise StepFailure(
            f"no dialog appeared after this step (it says dialog: {answer})",
            expected="a dialog" + (f" saying {text!r}" if text else ""),
            actual=f"no dialog within {call.timeout_ms / 1000:g}s",
        )
    if text and text not in seen.message:
        raise StepFailure(
            f"the dialog says {seen.message!r}, expected {text!r}; it was dismissed",
            expected=text,
            actual=seen.message,
        )


def _act(call: StepCall, action: Callable[[Locator], None]) -> None:
    """Run an action, turning Playwright's long timeout messages into a one-line cause."""
    try:
        _answering_dialog(call, lambda: action(call.target))
    except PlaywrightError as exc:
        count = _count(call.target)
        if count == 0:
            raise _missing(call) from None
        text = str(exc).splitlines()[0]
        if "strict mode violation" in str(exc):
            raise _ambiguous(call) from None
        raise StepFailure(f"could not act on {call.what()}: {text}", kind="error") from None


# -- navigation ----------------------------------------------------------------------------------


@step(
    "open",
    example="open: /Overview/1001",
    caption=lambda a, w: f"Open {a['url']}",
    scalar="url",
    params=(
        Param("url", required=True),
        Param("wait_until", choices=("load", "domcontentloaded", "networkidle", "commit")),
    ),
)
def open_(call: StepCall) -> None:
    """Go to a page. A path is taken relative to the current side's base URL (AdminPortal or portal);
    a path that already starts with the base path, or a full URL, is used as it is.

    Example: ``- open: /Overview/1001``"""
    url = call.ctx.url(str(call.args["url"]))
    try:
        response = call.page.goto(url, wait_until=call.args.get("wait_until", "load"), timeout=call.timeout_ms * 3)
    except PlaywrightError as exc:
        first = str(exc).splitlines()[0]
        kind = (
            "target"
            if re.search(
                r"ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_NAME_NOT_RESOLVED|ERR_ADDRESS_UNREACHABLE|ERR_EMPTY_RESPONSE",
                first,
            )
            else "timeout"
            if "Timeout" in first
            else "error"
        )
        raise StepFailure(f"could not open {url}: {first}", expected=url, actual=first, kind=kind) from None
    if response is not None and response.status >= 500:
        raise StepFailure(
            f"{url} answered HTTP {response.status}",
            expected="a page (HTTP 200)",
            actual=f"HTTP {response.status}",
        )


# -- actions -------------------------------------------------------------------------------------


@step(
    "click",
    example="click: {button: Log In}",
    caption=_dialog_caption(lambda a, w: f"Click {w}"),
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

    Example: ``- click: {button: Create Account}``;
    ``- click: {button: Delete, dialog: accept, dialog_text: Are you sure}``"""
    if call.args.get("double"):
        _act(call, lambda loc: loc.dblclick(timeout=call.timeout_ms, force=bool(call.args.get("force"))))
    else:
        _act(call, lambda loc: loc.click(timeout=call.timeout_ms, force=bool(call.args.get("force"))))


def _fill_caption(a: dict[str, Any], w: str) -> str:
    # secrets from the environment or data files are scrubbed from every caption afterwards too
    value = MASK if a.get("secret") else a.get("value", "")
    return f"Fill {w} with {_q(value)}"


@step(
    "fill",
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
    _act(call, lambda loc: loc.fill(value, timeout=call.timeout_ms))


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
    except PlaywrightError as exc:
        if "strict mode violation" in str(exc):
            raise _ambiguous(call) from None
        if _count(call.target) == 0:
            raise _missing(call) from None
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
    example="select: {label: Package, option: Fiber 100}",
    caption=_dialog_caption(lambda a, w: f"Choose {_q(_listed(a['option']))} in {w}"),
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

    _act(call, choose)


@step(
    "hover",
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
    _act(call, lambda loc: loc.hover(timeout=call.timeout_ms))


@step(
    "check",
    example="check: {label: Ticket Assignable}",
    caption=_dialog_caption(lambda a, w: f"Tick {w}"),
    locator="required",
    scalar="locator",
    params=DIALOG_PARAMS,
)
def check(call: StepCall) -> None:
    """Tick a checkbox or choose a radio button.

    Example: ``- check: {label: Test Mode}``"""
    _act(call, lambda loc: loc.check(timeout=call.timeout_ms))


@step(
    "uncheck",
    example="uncheck: {label: Enabled}",
    caption=_dialog_caption(lambda a, w: f"Untick {w}"),
    locator="required",
    scalar="locator",
    params=DIALOG_PARAMS,
)
def uncheck(call: StepCall) -> None:
    """Clear a checkbox.

    Example: ``- uncheck: {label: Email Invoice}``"""
    _act(call, lambda loc: loc.uncheck(timeout=call.timeout_ms))


@step(
    "press",
    example="press: Enter",
    caption=_dialog_caption(lambda a, w: f"Press {a['key']}" + (f" in {w}" if w != "the page" else "")),
    locator="optional",
    scalar="key",
    params=(Param("key", required=True), *DIALOG_PARAMS),
)
def press(call: StepCall) -> None:
    """Press a key (Enter, Tab, Escape, Control+A, ...), in an element or on the page.

    Example: ``- press: {key: Enter, label: Search}``"""
    key = str(call.args["key"])
    if call.locator is not None:
        _act(call, lambda loc: loc.press(key, timeout=call.timeout_ms))
    else:
        _answering_dialog(call, lambda: call.page.keyboard.press(key))


@step(
    "upload",
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
    _act(call, lambda loc: loc.set_input_files(paths, timeout=call.timeout_ms))


# -- checks --------------------------------------------------------------------------------------


def _text_caption(prefix: str) -> CaptionFunc:
    return lambda a, w: f"{prefix} {_q(a['text'])}" + (f" in {w}" if w != "the page" else "")


@step(
    "expect_text",
    example="expect_text: Welcome",
    caption=_text_caption("See"),
    locator="optional",
    scalar="text",
    params=(Param("text", (str, int, float), required=True), Param("exact", (bool,))),
)
def expect_text(call: StepCall) -> Check:
    """Check that a text is shown, on the page or in one element (``exact: true``: the element's
    whole text). Waits up to the step timeout for it to appear.

    Example: ``- expect_text: {test_id: balance, text: "$120.00", exact: true}``"""
    text = str(call.args["text"])
    where = call.locator if call.locator is not None else call.page.locator("body")
    try:
        if call.args.get("exact") and call.locator is not None:
            expect(where.first).to_have_text(text, timeout=call.timeout_ms)
        else:
            expect(where.first).to_contain_text(text, timeout=call.timeout_ms)
    except AssertionError:
        if call.locator is not None and _count(call.locator) == 0:
            raise StepFailure(
                f"expected {text!r} in {call.what()}, but there is no such element",
                expected=text,
                actual=f"no element {call.what()} at {call.page.url}",
                kind="locator",
            ) from None
        shown = _text_of(where) or ""
        shown_short = shown if len(shown) <= 300 else shown[:300] + "…"
        raise StepFailure(
            f"expected {text!r} in {call.what()}, but it shows {shown_short!r}"
            if call.locator is not None
            else f"expected the page to show {text!r}, but it does not",
            expected=text,
            actual=shown_short,
        ) from None
    # it passed: the element shows the text (no extra round trip to read it back)
    return Check(expected=text, shown=text)


@step(
    "expect_no_text",
    example="expect_no_text: Error",
    caption=_text_caption("Do not see"),
    locator="optional",
    scalar="text",
    params=(Param("text", (str, int, float), required=True),),
)
def expect_no_text(call: StepCall) -> None:
    """Check that a text is not shown on the page (or in one element).

    Example: ``- expect_no_text: {text: Exception, in: {table: Event Log}}``"""
    text = str(call.args["text"])
    where = call.locator if call.locator is not None else call.page.locator("body")
    try:
        expect(where.first).not_to_contain_text(text, timeout=call.timeout_ms)
    except AssertionError:
        shown = _text_of(where) or ""
        index = shown.find(text)
        excerpt = shown[max(0, index - 80) : index + len(text) + 80] if index >= 0 else shown[:160]
        raise StepFailure(
            f"{text!r} is shown in {call.what()} but must not be",
            expected=f"no {text!r}",
            actual=excerpt,
        ) from None


@step(
    "expect_url",
    example="expect_url: /Overview/",
    caption=lambda a, w: f"Be on {a.get('contains') or a.get('matches')}",
    scalar="contains",
    params=(Param("contains"), Param("matches")),
)
def expect_url(call: StepCall) -> Check:
    """Check the address of the current page: it ``contains`` a text, or ``matches`` a regular expression.

    Example: ``- expect_url: {matches: "/Overview/\\\\d+$"}``"""
    contains = call.args.get("contains")
    matches = call.args.get("matches")
    pattern = re.compile(re.escape(contains)) if contains else re.compile(str(matches))
    try:
        expect(call.page).to_have_url(pattern, timeout=call.timeout_ms)
    except AssertionError:
        raise StepFailure(
            f"expected to be on a page whose address {'contains ' + repr(contains) if contains else 'matches ' + repr(matches)}, but on {call.page.url}",
            expected=str(contains or matches),
            actual=call.page.url,
        ) from None
    return Check(expected=str(contains or matches), shown=call.page.url)


@step(
    "expect_value",
    example="expect_value: {label: Email Address, value: smoke@example.com}",
    caption=lambda a, w: f"{w} holds {_q(a['value'])}",
    locator="required",
    params=(Param("value", (str, int, float), required=True),),
)
def expect_value(call: StepCall) -> Check:
    """Check the value of a form field.

    Example: ``- expect_value: {label: City, value: Toronto}``"""
    value = str(call.args["value"])
    try:
        expect(call.target.first).to_have_value(value, timeout=call.timeout_ms)
    except AssertionError:
        if _count(call.target) == 0:
            raise _missing(call) from None
        shown = _text_of(call.target) or ""
        raise StepFailure(
            f"expected {call.what()} to hold {value!r}, but it holds {shown!r}", expected=value, actual=shown
        ) from None
    return Check(expected=value, shown=value)


def _row_caption(a: dict[str, Any], w: str) -> str:
    return f"{w} has a row with {', '.join(map(str, a['contains']))}"


@step(
    "expect_row",
    example="expect_row: {table: Packages, contains: [Fiber 100, Active]}",
    caption=_row_caption,
    locator="required",
    params=(Param("contains", (list,), required=True), Param("count", (int,))),
)
def expect_row(call: StepCall) -> Check:
    """Check that a table has a row whose cells include every given value (each value is a whole
    cell). ``table: NAME`` finds the table by its caption or label. ``count`` checks how many such rows.

    Example: ``- expect_row: {table: Packages, contains: [Fiber 100, Active]}``"""
    cells = [str(c) for c in call.args["contains"]]
    rows = call.target.locator("tr")
    for cell in cells:
        exact = re.compile(r"^\s*" + re.escape(cell) + r"\s*$")
        rows = rows.filter(has=call.page.locator("td, th").filter(has_text=exact))
    wanted = call.args.get("count")
    try:
        if wanted is None:
            expect(rows.first).to_be_visible(timeout=call.timeout_ms)
        else:
            expect(rows).to_have_count(int(wanted), timeout=call.timeout_ms)
    except AssertionError:
        if _count(call.target) == 0:
            raise _missing(call) from None
        shown_rows = []
        try:
            for text in call.target.locator("tr").all_inner_texts()[:8]:
                shown_rows.append(" | ".join(part.strip() for part in text.split("\t") if part.strip()))
        except PlaywrightError:
            pass
        found = _count(rows)
        expected = " | ".join(cells) + ("" if wanted is None else f" ({wanted} rows)")
        raise StepFailure(
            f"{call.what()} has {found or 'no'} row{'s' if found != 1 else ''} with {', '.join(cells)}"
            + ("" if wanted is None else f" (expected {wanted})"),
            expected=expected,
            actual="; ".join(shown_rows) or "an empty table",
        ) from None
    return Check(expected=" | ".join(cells), shown=" | ".join(cells))


@step(
    "expect_count",
    example="expect_count: {css: '#userpackage_ListBody tr', count: 2}",
    caption=lambda a, w: f"See {a['count']} × {w}",
    locator="required",
    params=(Param("count", (int,), required=True),),
)
def expect_count(call: StepCall) -> Check:
    """Check how many elements match a locator.

    Example: ``- expect_count: {role: row, in: {table: Tickets}, count: 3}``"""
    wanted = int(call.args["count"])
    try:
        expect(call.target).to_have_count(wanted, timeout=call.timeout_ms)
    except AssertionError:
        found = _count(call.target)
        raise StepFailure(
            f"expected {wanted} × {call.what()}, found {found}", expected=str(wanted), actual=str(found)
        ) from None
    return Check(expected=str(wanted), shown=str(wanted))


# -- values and flow -----------------------------------------------------------------------------


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
    example = "e.g. save: {account_number: {test_id: account-number}} or save: {ticket_id: {url: '/tickets/(\\d+)/'}}"
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


def _first_group(match: re.Match[str]) -> str:
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
        except PlaywrightError:
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
    return _first_group(match)


@step(
    "save",
    example="save: {account_number: {test_id: account-number}}",
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

    Example: ``- save: {account_number: {test_id: account-number, pattern: "(\\\\d+)"}}``;
    ``- save: {ticket_id: {url: "/tickets/(\\\\d+)/"}}``"""
    for name, spec in call.args["vars"].items():
        opts = call.args["options"].get(name, {})
        if spec is None:
            call.ctx.saved[name] = _saved_from_url(call, name, str(opts["url"])).strip()
            continue
        loc = call.ctx.locate(spec)
        try:
            expect(loc.first).to_be_attached(timeout=call.timeout_ms)
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
            value = _text_of(loc) or ""
        if "pattern" in opts:
            match = _compiled(opts["pattern"]).search(value)
            if not match:
                raise StepFailure(
                    f"{spec.describe()} shows {value!r}, which does not match {opts['pattern']!r}",
                    expected=opts["pattern"],
                    actual=value,
                )
            value = _first_group(match)
        call.ctx.saved[name] = value.strip()


@step(
    "as",
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
    call.ctx.switch(str(call.args["role"]))


@step(
    "screenshot",
    example="screenshot: overview",
    caption=lambda a, w: f"Screenshot {_q(a['name'])}",
    scalar="name",
    params=(Param("name", required=True), Param("full_page", (bool,))),
)
def screenshot(call: StepCall) -> None:
    """Take a named screenshot (every step already takes one; this one gets a name, and
    ``full_page: true`` captures the whole page, not just the window).

    Example: ``- screenshot: {name: account-overview, full_page: true}``"""
    call.ctx.named_screenshot(str(call.args["name"]), bool(call.args.get("full_page")))


def _parse_compare(step_: Step, value: Any, pos: Pos, label: str) -> None:
    from smoke.visual import DEFAULT_THRESHOLD, DEFAULT_TOLERANCE

    example = "e.g. compare: {name: overview, threshold: 0.01, mask: [{test_id: version}]}"
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = {"name": str(value)}
    if not isinstance(value, dict):
        raise ConfigError(f"{label}: compare takes a name or a mapping of settings", pos, example)
    known = ("name", "threshold", "tolerance", "mask", "strict", "full_page")
    for key in value:
        if key not in known:
            item_pos = value.key_pos.get(key, pos) if isinstance(value, MarkedDict) else pos
            raise ConfigError(f"{label}: unknown setting {key!r}", item_pos, f"compare takes: {', '.join(known)}")
    name = value.get("name")
    if (
        not isinstance(name, str | int)
        or isinstance(name, bool)
        or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", str(name))
    ):
        raise ConfigError(
            f"{label}: compare needs a name: (letters, digits, - _ .), the baseline's file name", pos, example
        )
    threshold = value.get("threshold", DEFAULT_THRESHOLD)
    if not isinstance(threshold, int | float) or isinstance(threshold, bool) or not 0 <= threshold < 1:
        raise ConfigError(
            f"{label}: threshold is the share of pixels that may change, from 0 to 1 (0.01 = 1%), got {threshold!r}",
            pos,
        )
    tolerance = value.get("tolerance", DEFAULT_TOLERANCE)
    if not isinstance(tolerance, int) or isinstance(tolerance, bool) or not 0 <= tolerance <= 255:
        raise ConfigError(f"{label}: tolerance is a colour difference from 0 to 255, got {tolerance!r}", pos)
    for flag in ("strict", "full_page"):
        if flag in value and not isinstance(value[flag], bool):
            raise ConfigError(f"{label}: {flag} must be true or false", pos)
    raw_masks = value.get("mask", [])
    if not isinstance(raw_masks, list):
        raw_masks = [raw_masks]
    masks = [parse_locator(item, pos) for item in raw_masks]
    step_.args = {
        "name": str(name),
        "threshold": float(threshold),
        "tolerance": tolerance,
        "strict": bool(value.get("strict", False)),
        "full_page": bool(value.get("full_page", True)),
        "mask": masks,
    }


def _compare_caption(a: dict[str, Any], w: str) -> str:
    return f"Compare {_q(a['name'])} with the baseline"


@step(
    "compare",
    example="compare: {name: overview, threshold: 0.01, mask: [{test_id: business-date}]}",
    caption=_compare_caption,
    scalar="name",
    params=(
        Param("name", required=True),
        Param("threshold", (float, int)),
        Param("tolerance", (int,)),
        Param("mask", (list,)),
        Param("strict", (bool,)),
        Param("full_page", (bool,)),
    ),
    parse=_parse_compare,
)
def compare(call: StepCall) -> None:
    """Screenshot the page (the whole page; ``full_page: false`` for the window only) and compare it
    with the baseline of the same name, captured from the previous release by ``smoke baseline
    capture --screens``. Anti-aliasing and one-pixel shifts do not count. When more than
    ``threshold`` of the pixels changed (default 0.01, i.e. 1%), the step is marked *changed*: a
    warning listed under "What changed visually" in the report, or a failure with ``strict: true``.
    ``mask:`` lists locators of regions that change on their own (dates, run ids, clocks); they are
    painted over and not compared, as secrets are. With no baseline yet the step passes and says so.

    Example: ``- compare: {name: account-overview, mask: [{test_id: business-date}], strict: false}``"""
    args = call.args
    record = call.ctx.compare_screenshot(
        str(args["name"]), list(args.get("mask", [])), bool(args.get("full_page", True)),
        float(args["threshold"]), int(args["tolerance"]), bool(args.get("strict")),
    )  # fmt: skip
    if record.status == "changed" and record.strict:
        raise StepFailure(
            f"the page looks different from the baseline: {record.message}",
            expected=f"at most {record.threshold:.2%} of the pixels changed",
            actual=f"{record.share:.2%} changed in {len(record.regions)} region{'s' if len(record.regions) != 1 else ''}",
            kind="visual",
        )


@step(
    "wait_for",
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
        except PlaywrightError:
            raise StepFailure(
                f"{call.what()} did not become {state} within {call.timeout_ms / 1000:g}s",
                expected=state,
                actual="still not " + state,
                kind="timeout",
            ) from None
        return
    import time

    deadline = time.monotonic() + call.timeout_ms / 1000
    while True:
        try:
            call.target.first.wait_for(state=state, timeout=1000)
            return
        except PlaywrightError:
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


def _json_caption(a: dict[str, Any], w: str) -> str:
    where = a.get("where") or {}
    what = str(a.get("path") or "the answer") + (
        " with " + ", ".join(f"{k} {v!r}" for k, v in where.items()) if where else ""
    )
    return f"Read {a['url']}: {what}"


def _json_path(node: Any, path: str) -> Any:
    """``subscribers.0.profile`` -> node["subscribers"][0]["profile"]; KeyError when it is not there."""
    for part in [p for p in str(path).split(".") if p]:
        if isinstance(node, list) and re.fullmatch(r"-?\d+", part) and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(part)
    return node


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


def _fields(item: Any, keys: list[str]) -> str:
    if not isinstance(item, dict):
        return _plain(item)
    return ", ".join(f"{k}={_plain(item.get(k))}" for k in keys)


def _get_json(url: str, timeout_s: float) -> Any:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, method="GET", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read(5_000_000)
    except urllib.error.HTTPError as exc:
        raise StepFailure(
            f"GET {url} answered HTTP {exc.code}",
            expected="HTTP 200 with JSON",
            actual=f"HTTP {exc.code} {exc.reason}",
            kind="target",
        ) from None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StepFailure(
            f"cannot read {url}: {reason}", expected="an answer", actual=str(reason), kind="target"
        ) from None
    try:
        return json.loads(body)
    except ValueError:
        raise StepFailure(
            f"{url} did not answer JSON", expected="JSON", actual=body[:120].decode(errors="replace"), kind="error"
        ) from None


def _json_once(call: StepCall, url: str) -> Check:
    a = call.args
    document = _get_json(url, min(10.0, max(1.0, call.timeout_ms / 1000)))
    path = str(a.get("path") or "")
    try:
        node = _json_path(document, path)
    except KeyError as missing:
        raise StepFailure(
            f"{url}: the answer has no {path!r} ({missing} not found)", expected=path, actual=_plain(document)[:200]
        ) from None
    where = {str(k): v for k, v in (a.get("where") or {}).items()}
    noun = path.split(".")[-1] if path else "item"
    if re.fullmatch(r"[A-Za-z_]{3,}s", noun):
        noun = noun[:-1]  # subscribers with username 'x' -> subscriber with username 'x'

    desc = noun + (" with " + ", ".join(f"{k} {_plain(v)!r}" for k, v in where.items()) if where else "")
    items: Any = node
    if where:
        if not isinstance(node, list):
            raise StepFailure(
                f"{url}: {path or 'the answer'} is not a list, so where: cannot pick from it",
                expected="a list",
                actual=_plain(node)[:200],
            )
        items = [
            i for i in node if isinstance(i, dict) and all(_plain(i.get(k)) == _plain(v) for k, v in where.items())
        ]
    equals = a.get("equals")
    keys = list(equals) if isinstance(equals, dict) else []
    expected_parts = []
    if "count" in a:
        expected_parts.append(f"{a['count']} × {desc}")
    wanted = None
    if "count" in a:
        try:
            wanted = int(str(a["count"]).strip())
        except ValueError:
            raise StepFailure(f"count must be a whole number, got {a['count']!r}", kind="error") from None
    if equals is not None and wanted != 0:
        expected_parts.append(_fields(equals, keys) if isinstance(equals, dict) else _plain(equals))
    expected = "; ".join(expected_parts) or desc
    if wanted is not None:
        found = len(items) if isinstance(items, list) else (0 if items is None else 1)
        if found != wanted:
            shown = (
                "; ".join(_fields(i, keys or list(where)) for i in items[:5])
                if isinstance(items, list)
                else _plain(items)
            )
            if found == 0:
                message = f"no {desc} at {url} (expected {wanted})"
            else:
                message = f"{found} × {desc} at {url}, expected {wanted}" + (f": {shown}" if shown else "")
            raise StepFailure(message, expected=expected, actual=f"{found} × {desc}" + (f": {shown}" if shown else ""))
    if equals is None or (wanted == 0 and isinstance(items, list) and not items):
        return Check(expected=expected, shown=f"{len(items)} × {desc}" if isinstance(items, list) else _plain(items))
    if isinstance(items, list):
        if not items:
            raise StepFailure(f"no {desc} at {url}", expected=expected, actual=f"0 × {desc}")
        subjects = items
    else:
        subjects = [items]
    for item in subjects:
        if isinstance(equals, dict):
            if not isinstance(item, dict):
                raise StepFailure(
                    f"{desc} at {url} is {_plain(item)!r}, not a record", expected=expected, actual=_plain(item)
                )
            for key, value in equals.items():
                if _plain(item.get(key)) != _plain(value):
                    raise StepFailure(
                        f"{desc}: {key} is {_plain(item.get(key))!r}, expected {_plain(value)!r} ({url})",
                        expected=expected,
                        actual=_fields(item, keys),
                    )
        elif _plain(item) != _plain(equals):
            raise StepFailure(
                f"{desc} is {_plain(item)!r}, expected {_plain(equals)!r} ({url})",
                expected=expected,
                actual=_plain(item),
            )
    shown = "; ".join(_fields(i, keys) for i in subjects[:5])
    if "count" in a:
        shown = f"{a['count']} × {desc}: {shown}"
    return Check(expected=expected, shown=shown)


@step(
    "expect_json",
    example="expect_json: {url: '{{ target.external.radius }}subscribers', path: subscribers, where: {username: smoke-1}, count: 1, equals: {status: Active}}",
    caption=_json_caption,
    scalar="url",
    params=(
        Param("url", required=True),
        Param("path"),
        Param("where", (dict,)),
        Param("count", (int, str)),
        Param("equals", (str, int, float, bool, dict, list)),
    ),
)
def expect_json(call: StepCall) -> Check:
    """Read a JSON answer from a URL (GET only: reading never changes anything) and check it:
    ``path`` picks a value (dotted keys, list indexes: ``subscribers.0.status``); ``where`` keeps
    the items of a list whose fields have the given values; ``count`` is how many there must be;
    ``equals`` is the value, or the fields every picked item must have. It asks again until the
    check holds or the step timeout runs out, for systems that a background job updates (an
    external provisioning target, say). For an external system of the target, use its address:
    ``{{ target.external.NAME }}``. The browser's page is not touched.

    Example: ``- expect_json: {url: "{{ target.external.radius }}subscribers", path: subscribers, where: {username: "smoke-{{ run.id }}"}, count: 1, equals: {profile: Fiber 100, status: Active}}``"""
    import time

    url = str(call.args["url"])
    if url.startswith("/"):
        url = call.ctx.url(url)
    deadline = time.monotonic() + call.timeout_ms / 1000
    while True:
        try:
            return _json_once(call, url)
        except StepFailure as failure:
            if time.monotonic() >= deadline:
                failure.message += f" (still so after {call.timeout_ms / 1000:g}s)"
                raise
        time.sleep(0.5)


def _for_each_caption(a: dict[str, Any], w: str) -> str:
    return f"For each row of {a['data']}"


@step(
    "for_each",
    example="for_each: {data: accounts, label: '{{ row.number }} {{ row.name }}', steps: [...]}",
    caption=_for_each_caption,
    params=(
        Param("data", required=True),
        Param("as"),
        Param("label"),
        Param("title"),
        Param("where"),
        Param("grid", (dict,)),
        Param("steps", (list,), required=True),
    ),
    nested=True,
)
def for_each(call: StepCall) -> None:
    """Repeat the nested steps for every row of a data file (``scenarios/data/NAME.yaml``), with
    the row's values as ``{{ row.FIELD }}``. Every row is reported as its own line with what was
    expected and what was shown; a failing row does not stop the others. ``label`` names a row in
    the report; ``title`` names the results table; ``where`` (an expression) skips the rows for
    which it is empty or false. ``grid: {rows: ..., columns: ..., cell: ...}`` (expressions) also
    lays the rows out as a grid, e.g. functions x roles with "allowed"/"denied" in each cell; a
    cell whose row failed shows what was expected and what was found.

    Example::

        - for_each:
            data: accounts
            label: "{{ row.number }} {{ row.name }}"
            steps:
              - open: "/Overview/{{ row.number }}"
              - expect_text: {test_id: balance, text: "{{ row.balance }}", exact: true}"""
    raise AssertionError("for_each is run by the runner itself")  # pragma: no cover


def _call_caption(a: dict[str, Any], w: str) -> str:
    return f"Run {a['function']}"


@step(
    "call",
    example="call: checks.event_log:no_errors",
    caption=_call_caption,
    scalar="function",
    params=(Param("function", required=True), Param("args", (dict,))),
)
def call_(call: StepCall) -> Check | None:
    """Run a Python function ``module:function`` for a custom check. It gets the Playwright page
    and the run context (``saved``, ``data``, ``row``, ``target``, ``run``) and keyword ``args``;
    it raises AssertionError (or smoke.steps.StepFailure) to fail. The scenarios folder is on the
    import path, so ``checks/event_log.py`` there is ``checks.event_log``.

    Example: ``- call: {function: checks.event_log:no_errors_since, args: {since: "{{ run.started }}"}}``"""
    target = str(call.args["function"])
    if ":" not in target:
        raise StepFailure(f"call needs module:function, got {target!r}", kind="error")
    module_name, func_name = target.split(":", 1)
    import sys

    scenarios_dir = str(call.ctx.scenarios_dir)
    if scenarios_dir not in sys.path:
        sys.path.insert(0, scenarios_dir)
    try:
        module = importlib.import_module(module_name)
        func = getattr(module, func_name)
    except (ImportError, AttributeError) as exc:
        raise StepFailure(f"cannot load {target}: {exc}", kind="error") from None
    try:
        result = func(call.page, call.ctx.template_context(), **call.args.get("args", {}))
    except StepFailure:
        raise
    except AssertionError as exc:
        raise StepFailure(str(exc) or f"{target} failed") from None
    return result if isinstance(result, Check) else None


@dataclass
class Documented:
    name: str
    summary: str
    doc: str
    example: str
    takes: list[str] = field(default_factory=list)


def documentation() -> list[Documented]:
    out = []
    for kind in REGISTRY.values():
        takes = [("*" if p.required else "") + p.name for p in kind.params if p.name != "steps"]
        if kind.locator != "none":
            takes.insert(0, "locator" if kind.locator == "required" else "[locator]")
        summary = " ".join(kind.doc.split("\n\n")[0].split())
        out.append(Documented(kind.name, summary, kind.doc, kind.example, takes))
    return out
