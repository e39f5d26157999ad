"""Steps that keep pictures of the page: a named screenshot, and the comparison with a baseline."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from smoke.locators import parse_locator
from smoke.steps.base import Param, StepCall, StepFailure, quote, step
from smoke.yamlfile import ConfigError, MarkedDict, Pos

if TYPE_CHECKING:
    from smoke.scenario import Step


@step(
    "screenshot",
    category="flow",
    example="screenshot: overview",
    caption=lambda a, w: f"Screenshot {quote(a['name'])}",
    scalar="name",
    params=(Param("name", required=True), Param("full_page", (bool,))),
)
def screenshot(call: StepCall) -> None:
    """Take a named screenshot (every step already takes one; this one gets a name, and
    ``full_page: true`` captures the whole page, not just the window).

    Example: ``- screenshot: {name: order-overview, full_page: true}``"""
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


@step(
    "compare",
    category="check",
    compares=True,
    example="compare: {name: overview, threshold: 0.01, mask: [{test_id: business-date}]}",
    caption=lambda a, w: f"Compare {quote(a['name'])} with the baseline",
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

    Example: ``- compare: {name: order-overview, mask: [{test_id: business-date}], strict: false}``"""
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
