"""Custom checks on the AdminPortal Event Log (Reports > Event Log).

Used by scenarios/event-log.yaml with ``call: checks.event_log:no_error_rows``: the scenario filters
the log (errors only, since the run started); this check reads what the filtered table shows and
fails listing every error row by its Date, Module, Action and Result, so the failure says what broke.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from smoke.steps import Check

SHOWN_COLUMNS = ("Date", "Module", "Action", "Result")


def _rows(page: Page, table_name: str) -> list[dict[str, str]]:
    """The table's data rows as {header: cell text}, read the way a person reads the table."""
    table = page.get_by_role("table", name=table_name, exact=True)
    expect(table).to_be_visible()
    headers = [" ".join(h.split()) for h in table.locator("thead th").all_inner_texts()]
    rows = []
    for row in table.locator("tbody tr").all():
        cells = [" ".join(c.split()) for c in row.locator("td").all_inner_texts()]
        if len(cells) != len(headers):  # the "No rows." line spans every column
            continue
        rows.append(dict(zip(headers, cells, strict=True)))
    return rows


def _short(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def no_error_rows(page: Page, context: dict[str, Any], table: str = "Event Log", limit: int = 5) -> Check:
    """Fail when the (already filtered) event log shows any row; list them."""
    rows = _rows(page, table)
    if rows:
        listed = [_short(" | ".join(row.get(col, "") for col in SHOWN_COLUMNS)) for row in rows[:limit]]
        more = f" (and {len(rows) - limit} more)" if len(rows) > limit else ""
        raise AssertionError(
            f"{len(rows)} error row(s) in the event log since the run started{more}: " + "; ".join(listed)
        )
    return Check(expected="no error rows", shown="no error rows")
