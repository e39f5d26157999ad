"""Editing an account: an edit fires the User.Update action, a status change cascades to its user-packages."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..db import transaction
from .accounts import ACCOUNT_STATUSES, account_by_id
from .context import Ctx, DomainError
from .extensions import fire_event
from .logs import audit
from .userpackages import set_user_package_status


def update_account(ctx: Ctx, account_id: int, **fields: Any) -> None:
    allowed = {"name", "company", "status", "account_type", "bill_day", "sales_rep", "language", "notes"}
    acct = account_by_id(ctx, account_id)
    if acct is None:
        raise DomainError("Account not found")
    changes = {k: v for k, v in fields.items() if k in allowed and v is not None and acct[k] != v}
    if "status" in changes and changes["status"] not in ACCOUNT_STATUSES:
        raise DomainError(f"Unknown status '{changes['status']}'")
    if "name" in changes and not str(changes["name"]).strip():
        raise DomainError("Account name is required")
    if "bill_day" in changes and not 1 <= int(changes["bill_day"]) <= 28:
        raise DomainError("Bill Day must be between 1 and 28")
    with transaction(ctx.conn):
        for k, v in changes.items():
            ctx.x(f"UPDATE accounts SET {k} = ? WHERE id = ?", (v, account_id))  # k is whitelisted
        if changes:
            detail = ", ".join(f"{k}: '{acct[k]}' -> '{v}'" for k, v in changes.items())
            audit(ctx, "Account", account_id, "Update", detail, account_id)
        fire_event(ctx, "User.Update", account_id, ", ".join(changes) or "no changes")


def set_account_status(ctx: Ctx, account_id: int, status: str, on: date | None = None) -> None:
    """Change account status and cascade to its user-packages (used by seed and Edit Account)."""
    with transaction(ctx.conn):
        ctx.x("UPDATE accounts SET status = ? WHERE id = ?", (status, account_id))
        if status in ("Suspended", "Cancelled"):
            for up in ctx.q("SELECT id FROM user_packages WHERE account_id = ? AND status = 'Active'", (account_id,)):
                set_user_package_status(ctx, up["id"], status, on)
