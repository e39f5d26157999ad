"""Steps that check what the page shows: texts, the address, field values, table rows, counts."""

from __future__ import annotations

import re
from typing import Any

from smoke import pw
from smoke.steps.base import CaptionFunc, Check, Param, StepCall, StepFailure, count_of, missing, quote, step, text_of


def _text_caption(prefix: str) -> CaptionFunc:
    return lambda a, w: f"{prefix} {quote(a['text'])}" + (f" in {w}" if w != "the page" else "")


@step(
    "expect_text",
    category="check",
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
            pw.expect(where.first).to_have_text(text, timeout=call.timeout_ms)
        else:
            pw.expect(where.first).to_contain_text(text, timeout=call.timeout_ms)
    except AssertionError:
        if call.locator is not None and count_of(call.locator) == 0:
            raise StepFailure(
                f"expected {text!r} in {call.what()}, but there is no such element",
                expected=text,
                actual=f"no element {call.what()} at {call.page.url}",
                kind="locator",
            ) from None
        shown = text_of(where) or ""
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
    category="check",
    absent_ok=True,
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
        pw.expect(where.first).not_to_contain_text(text, timeout=call.timeout_ms)
    except AssertionError:
        shown = text_of(where) or ""
        index = shown.find(text)
        excerpt = shown[max(0, index - 80) : index + len(text) + 80] if index >= 0 else shown[:160]
        raise StepFailure(
            f"{text!r} is shown in {call.what()} but must not be",
            expected=f"no {text!r}",
            actual=excerpt,
        ) from None


@step(
    "expect_url",
    category="check",
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
        pw.expect(call.page).to_have_url(pattern, timeout=call.timeout_ms)
    except AssertionError:
        raise StepFailure(
            f"expected to be on a page whose address {'contains ' + repr(contains) if contains else 'matches ' + repr(matches)}, but on {call.page.url}",
            expected=str(contains or matches),
            actual=call.page.url,
        ) from None
    return Check(expected=str(contains or matches), shown=call.page.url)


@step(
    "expect_value",
    category="check",
    example="expect_value: {label: Email Address, value: smoke@example.com}",
    caption=lambda a, w: f"{w} holds {quote(a['value'])}",
    locator="required",
    params=(Param("value", (str, int, float), required=True),),
)
def expect_value(call: StepCall) -> Check:
    """Check the value of a form field.

    Example: ``- expect_value: {label: City, value: Toronto}``"""
    value = str(call.args["value"])
    try:
        pw.expect(call.target.first).to_have_value(value, timeout=call.timeout_ms)
    except AssertionError:
        if count_of(call.target) == 0:
            raise missing(call) from None
        shown = text_of(call.target) or ""
        raise StepFailure(
            f"expected {call.what()} to hold {value!r}, but it holds {shown!r}", expected=value, actual=shown
        ) from None
    return Check(expected=value, shown=value)


def _row_caption(a: dict[str, Any], w: str) -> str:
    return f"{w} has a row with {', '.join(map(str, a['contains']))}"


@step(
    "expect_row",
    category="check",
    example="expect_row: {table: Orders, contains: [Order 1001, Shipped]}",
    caption=_row_caption,
    locator="required",
    params=(Param("contains", (list,), required=True), Param("count", (int,))),
)
def expect_row(call: StepCall) -> Check:
    """Check that a table has a row whose cells include every given value (each value is a whole
    cell). ``table: NAME`` finds the table by its caption or label. ``count`` checks how many such rows.

    Example: ``- expect_row: {table: Orders, contains: [Order 1001, Shipped]}``"""
    cells = [str(c) for c in call.args["contains"]]
    rows = call.target.locator("tr")
    for cell in cells:
        exact = re.compile(r"^\s*" + re.escape(cell) + r"\s*$")
        rows = rows.filter(has=call.page.locator("td, th").filter(has_text=exact))
    wanted = call.args.get("count")
    try:
        if wanted is None:
            pw.expect(rows.first).to_be_visible(timeout=call.timeout_ms)
        else:
            pw.expect(rows).to_have_count(int(wanted), timeout=call.timeout_ms)
    except AssertionError:
        if count_of(call.target) == 0:
            raise missing(call) from None
        shown_rows = []
        try:
            for text in call.target.locator("tr").all_inner_texts()[:8]:
                shown_rows.append(" | ".join(part.strip() for part in text.split("\t") if part.strip()))
        except pw.Error:
            pass
        found = count_of(rows)
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
    category="check",
    needs_element=lambda a: a.get("count") != 0,
    example="expect_count: {css: '#orders tbody tr', count: 2}",
    caption=lambda a, w: f"See {a['count']} × {w}",
    locator="required",
    params=(Param("count", (int,), required=True),),
)
def expect_count(call: StepCall) -> Check:
    """Check how many elements match a locator.

    Example: ``- expect_count: {role: row, in: {table: Tickets}, count: 3}``"""
    wanted = int(call.args["count"])
    try:
        pw.expect(call.target).to_have_count(wanted, timeout=call.timeout_ms)
    except AssertionError:
        found = count_of(call.target)
        raise StepFailure(
            f"expected {wanted} × {call.what()}, found {found}", expected=str(wanted), actual=str(found)
        ) from None
    return Check(expected=str(wanted), shown=str(wanted))


# -- values and flow -----------------------------------------------------------------------------
