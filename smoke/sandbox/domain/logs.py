"""The Event Log (Date, Module, Action, Result) and the Audit Log every change writes to."""

from __future__ import annotations

from .context import Ctx


def log_event(ctx: Ctx, module: str, action: str, result: str, level: str = "Info") -> None:
    ctx.x(
        "INSERT INTO event_log(date, module, action, result, level) VALUES (?,?,?,?,?)",
        (ctx.stamp(), module, action, result, level),
    )


def audit(
    ctx: Ctx,
    entity: str,
    entity_id: int | None,
    action: str,
    details: str = "",
    account_id: int | None = None,
) -> None:
    ctx.x(
        "INSERT INTO audit_log(date, username, account_id, entity, entity_id, action, details) VALUES (?,?,?,?,?,?,?)",
        (ctx.stamp(), ctx.user, account_id, entity, entity_id, action, details),
    )
