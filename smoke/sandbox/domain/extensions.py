"""EngageIP's customisation points: custom code (the late fee calculator), actions fired on events, page extensions."""

from __future__ import annotations

from typing import Any

from ..db import transaction
from .accounts import account_by_id
from .context import Ctx, DomainError, FaultError
from .ledger import overdue_amount
from .logs import audit, log_event
from .values import money


def late_fee(ctx: Ctx, account_id: int) -> tuple[int, int]:
    """LateFeeCalculator: 1.5% of the overdue amount, at least $5.00. Returns (overdue, fee)."""
    if ctx.has("custom-code-error"):
        raise FaultError(
            "Custom code 'LateFeeCalculator' failed: System.NullReferenceException: Object "
            "reference not set to an instance of an object. at LateFeeCalculator.Calculate()"
        )
    overdue = overdue_amount(ctx, account_id)
    if overdue <= 0:
        return 0, 0
    return overdue, max(500, (overdue * 15 + 500) // 1000)


def run_custom_code(ctx: Ctx, name: str) -> str:
    code = ctx.q1("SELECT * FROM custom_code WHERE name = ?", (name,))
    if code is None:
        raise DomainError(f"Custom code '{name}' not found")
    try:
        results = []
        for acct in ctx.q("SELECT id, number FROM accounts ORDER BY CAST(number AS INTEGER)"):
            _, fee = late_fee(ctx, acct["id"])
            if fee:
                results.append((acct["number"], fee))
    except FaultError as exc:
        with transaction(ctx.conn):
            log_event(ctx, "Custom Code", name, f"Exception: {exc}", "Error")
            ctx.x(
                "UPDATE custom_code SET last_run = ?, last_result = ? WHERE id = ?",
                (ctx.stamp(), f"Error: {exc}", code["id"]),
            )
        raise
    msg = f"{name} completed: {len(results)} overdue account(s), late fees {money(sum(f for _, f in results))}" + (
        f" ({', '.join(f'{n}: {money(f)}' for n, f in results)})" if results else ""
    )
    with transaction(ctx.conn):
        log_event(ctx, "Custom Code", name, msg)
        ctx.x(
            "UPDATE custom_code SET last_run = ?, last_result = ? WHERE id = ?",
            (ctx.stamp(), msg, code["id"]),
        )
    return msg


def fire_event(ctx: Ctx, event_code: str, account_id: int, details: str = "") -> int:
    """Run the enabled actions for an event code. Returns how many fired."""
    if ctx.has("action-not-firing"):
        return 0
    acct = account_by_id(ctx, account_id)
    n = 0
    for action in ctx.q("SELECT * FROM actions WHERE event_code = ? AND enabled = 1 ORDER BY id", (event_code,)):
        number = acct["number"] if acct else account_id
        log_event(ctx, "Actions", event_code, f"Action '{action['name']}' ran for account {number} ({details})")
        if action["action_type"] == "Write Event Log and Audit Note":
            audit(ctx, "Action", action["id"], "Note", f"{action['parameters']} (account {number})", account_id)
        n += 1
    return n


def page_extensions_for(ctx: Ctx, page: str) -> list[dict[str, Any]]:
    if ctx.has("page-extension-missing"):
        return []
    return [dict(r) for r in ctx.q("SELECT * FROM page_extensions WHERE page = ? AND enabled = 1 ORDER BY id", (page,))]
