"""What every step kind is made of: the registry, the call a step function gets, its failure.

A kind is registered once, with ``@step``, in the module of its domain (``interaction``, ``checks``,
``flow``, ``visual``, ``external``); its traits tell the rest of the engine how to treat it.
Playwright is reached through :mod:`smoke.pw`, so reading scenarios never imports it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from smoke import dialogs, pw
from smoke.locators import LocatorSpec
from smoke.yamlfile import Pos

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from smoke.scenario import Step


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
    def log_in_as(self, role: str, user: str | None, password: str | None) -> None: ...
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


Category = Literal["action", "check", "flow"]


def _no_names(args: Mapping[str, Any]) -> list[str]:
    return []


def _always(args: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Loop:
    """A kind that runs its nested steps once per data row (``for_each``)."""

    data: str  # the param that names the rows
    alias: str  # the param that renames ``row``
    per_row: tuple[str, ...]  # params rendered once per row, with the row in scope


@dataclass(frozen=True)
class StepKind:
    """A step kind, and what the rest of the engine needs to know of it.

    The runner, demo mode, the checks before a run, baseline capture, the probe, the plan and the
    report ask these and never compare a kind's name."""

    name: str
    func: StepFunc
    doc: str
    example: str
    caption: CaptionFunc
    category: Category  # action: changes the page; check: asserts; flow: values, roles, loops, waits
    locator: str = "none"  # none | optional | required
    scalar: str | None = None  # what a plain value means: a param name, or "locator"
    params: tuple[Param, ...] = ()
    parse: ParseFunc | None = None
    loop: Loop | None = None  # runs nested steps per data row (the runner drives the loop itself)
    opens: str | None = None  # the param holding an address it opens: its duration is a page load
    navigates: bool = False  # may load another page: an HTTP 5xx page after it fails the step
    follows_link: bool = False  # acting on a link leads to the link's address (the probe opens it)
    role_param: str | None = None  # the param naming a role it switches to (checked against the target)
    compares: bool = False  # compares the page with a baseline (baseline capture, snapshots, the plan)
    types: str | None = None  # the param whose value demo mode types visibly
    absent_ok: bool = False  # passes when something is NOT shown: demo mode highlights nothing after it
    saves: Callable[[Mapping[str, Any]], list[str]] = _no_names  # names it keeps for {{ saved.NAME }}
    needs_element: Callable[[Mapping[str, Any]], bool] = _always  # must its element be on the page?

    @property
    def nested(self) -> bool:
        return self.loop is not None

    @property
    def acts(self) -> bool:
        """Acts on an element: demo mode shows it highlighted just before."""
        return self.category == "action" and self.locator != "none"

    @property
    def changes_page(self) -> bool:
        """After it the page may show something else, even at the same address."""
        return self.category == "action" or self.navigates

    @property
    def tabulated(self) -> bool:
        """What it checked is a column of a ``for_each`` data table."""
        return self.category == "check"


REGISTRY: dict[str, StepKind] = {}


def step(
    name: str,
    *,
    example: str,
    caption: CaptionFunc,
    category: Category,
    locator: str = "none",
    scalar: str | None = None,
    params: tuple[Param, ...] = (),
    parse: ParseFunc | None = None,
    **traits: Any,
) -> Callable[[StepFunc], StepFunc]:
    """Register a step kind: its function, how it is written, and its traits (see StepKind)."""

    def register(func: StepFunc) -> StepFunc:
        REGISTRY[name] = StepKind(
            name=name,
            func=func,
            doc=inspect.cleandoc(func.__doc__ or ""),
            example=example,
            caption=caption,
            category=category,
            locator=locator,
            scalar=scalar,
            params=params,
            parse=parse,
            **traits,
        )
        return func

    return register


def quote(value: Any) -> str:
    return f"'{value}'"


def text_of(locator: Locator, timeout_ms: float = 1000) -> str | None:
    try:
        if locator.count() == 0:
            return None
        first = locator.first
        tag = first.evaluate("e => e.tagName.toLowerCase()", timeout=timeout_ms)
        if tag in ("input", "textarea", "select"):
            return first.input_value(timeout=timeout_ms)
        return " ".join(first.inner_text(timeout=timeout_ms).split())
    except pw.Error:
        return None


def count_of(locator: Locator) -> int:
    try:
        return locator.count()
    except pw.Error:
        return 0


def missing(call: StepCall) -> StepFailure:
    return StepFailure(
        f"{call.what()} is not on the page",
        expected=f"an element: {call.what()}",
        actual=f"none found at {call.page.url}",
        kind="locator",
    )


def ambiguous(call: StepCall) -> StepFailure:
    count = count_of(call.target)
    return StepFailure(
        f"{call.what()} matches {count} elements; say which one (exact: true, in:, or nth:)",
        expected="exactly one element",
        actual=f"{count} elements",
        kind="locator",
    )


# `dialog: accept|dismiss` on a step that raises a native dialog ("Are you sure?")
DIALOG_PARAMS = (Param("dialog", choices=dialogs.ACTIONS), Param("dialog_text", (str, int, float)))


def dialog_caption(caption: CaptionFunc) -> CaptionFunc:
    def with_dialog(a: dict[str, Any], w: str) -> str:
        text = caption(a, w)
        if a.get("dialog"):
            text += f" and {a['dialog']} the dialog" + (f" {quote(a['dialog_text'])}" if a.get("dialog_text") else "")
        return text

    return with_dialog


def answering_dialog(call: StepCall, action: Callable[[], None]) -> None:
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


def act(call: StepCall, action: Callable[[Locator], None]) -> None:
    """Run an action, turning Playwright's long timeout messages into a one-line cause."""
    try:
        answering_dialog(call, lambda: action(call.target))
    except pw.Error as exc:
        count = count_of(call.target)
        if count == 0:
            raise missing(call) from None
        text = str(exc).splitlines()[0]
        if "strict mode violation" in str(exc):
            raise ambiguous(call) from None
        raise StepFailure(f"could not act on {call.what()}: {text}", kind="error") from None
