"""User-packages: adding a package to an account, its charges and status changes."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..db import transaction
from .accounts import account_by_id
from .billing import post_period
from .catalog import charge_lines, package_by_id
from .context import Ctx, DomainError
from .ledger import post_transaction
from .logs import audit
from .provisioning import queue_provisioning
from .values import add_months

USER_PACKAGE_STATUS_TYPES = {
    "Active": "Active",
    "Suspended": "Suspended - Vacation",
    "Cancelled": "Cancelled",
    "Prospect": "Quoted",
}


def user_packages(ctx: Ctx, account_id: int) -> list[dict[str, Any]]:
    out = []
    for up in ctx.q(
        "SELECT up.*, p.name AS package_name, p.provisioning_type FROM user_packages up "
        "JOIN packages p ON p.id = up.package_id WHERE up.account_id = ? ORDER BY up.id",
        (account_id,),
    ):
        d = dict(up)
        d["price_cents"] = sum(c for _, _, c in charge_lines(ctx, account_id, up["package_id"]))
        prov = ctx.q1(
            "SELECT status FROM provisioning_requests WHERE user_package_id = ? ORDER BY id DESC", (up["id"],)
        )
        d["provisioning_status"] = prov["status"] if prov else ""
        out.append(d)
    return out


def recurring_charges(ctx: Ctx, account_id: int) -> int:
    return sum(up["price_cents"] for up in user_packages(ctx, account_id) if up["status"] == "Active")


def add_package(
    ctx: Ctx,
    account_id: int,
    package_id: int,
    *,
    start: date | None = None,
    radius_username: str = "",
    status: str = "Active",
    bill_now: bool = True,
) -> int:
    """Add a package to an account (a user-package).

    An Active user-package is billed for its first period at once (one-time services plus the first
    recurring charge, on the open invoice) and its Next Bill Date set one month on. A package with a
    provisioning type and a RADIUS user name queues a provisioning request.
    """
    pkg = package_by_id(ctx, package_id)
    acct = account_by_id(ctx, account_id)
    if pkg is None or acct is None:
        raise DomainError("Package or account not found")
    if status not in USER_PACKAGE_STATUS_TYPES:
        raise DomainError(f"Unknown status '{status}'")
    radius_username = (radius_username or "").strip()
    if radius_username and not pkg["provisioning_type"]:
        raise DomainError(f"Package '{pkg['name']}' has no provisioning profile")
    if radius_username:
        clash = ctx.q1("SELECT id FROM user_packages WHERE radius_username = ? COLLATE NOCASE", (radius_username,))
        if clash is not None:
            raise DomainError(f"RADIUS User Name '{radius_username}' is already in use")
    day = start or ctx.today
    with transaction(ctx.conn):
        nbd = add_months(day, 1, acct["bill_day"]) if status == "Active" else None
        if status == "Active" and not bill_now:
            nbd = day
        up_id = ctx.x(
            "INSERT INTO user_packages(account_id, package_id, status, status_type, start_date,"
            " next_bill_date, radius_username, created) VALUES (?,?,?,?,?,?,?,?)",
            (
                account_id,
                package_id,
                status,
                USER_PACKAGE_STATUS_TYPES[status],
                day.isoformat(),
                nbd.isoformat() if nbd else None,
                radius_username or None,
                ctx.stamp(),
            ),
        )
        if status == "Active":
            for s in pkg["services"]:
                if s["charge_type"] == "One-Time":
                    post_transaction(
                        ctx,
                        account_id,
                        "Charge",
                        f"{pkg['name']}: {s['name']}",
                        s["amount_cents"],
                        on=day,
                        user_package_id=up_id,
                    )
        if status == "Active" and bill_now:
            assert nbd is not None
            post_period(ctx, account_id, up_id, package_id, day, nbd)
        audit(ctx, "UserPackage", up_id, "Create", f"Package '{pkg['name']}' added ({status})", account_id)
        if radius_username and pkg["provisioning_type"] and status == "Active":
            queue_provisioning(ctx, account_id, up_id, pkg["name"], radius_username, pkg["provisioning_type"])
    return up_id


def set_user_package_status(ctx: Ctx, up_id: int, status: str, on: date | None = None) -> None:
    if status not in USER_PACKAGE_STATUS_TYPES:
        raise DomainError(f"Unknown status '{status}'")
    day = on or ctx.today
    up = ctx.q1("SELECT * FROM user_packages WHERE id = ?", (up_id,))
    if up is None:
        raise DomainError("User package not found")
    with transaction(ctx.conn):
        nbd = up["next_bill_date"]
        if status == "Cancelled":
            nbd = None
        elif status == "Active" and nbd is None:
            nbd = day.isoformat()
        ctx.x(
            "UPDATE user_packages SET status = ?, status_type = ?, next_bill_date = ?, cancel_date = ? WHERE id = ?",
            (
                status,
                USER_PACKAGE_STATUS_TYPES[status],
                nbd,
                day.isoformat() if status == "Cancelled" else None,
                up_id,
            ),
        )
        audit(ctx, "UserPackage", up_id, "Update", f"Status '{up['status']}' -> '{status}'", up["account_id"])
        _queue_status_change(ctx, up, status)


def _queue_status_change(ctx: Ctx, up: Any, status: str) -> None:
    """A provisioned user-package whose status changes tells the provisioning target: Suspended ->
    Suspend User, Cancelled -> Delete User, Active again -> Change User (from Suspended) or Add User."""
    old = up["status"]
    if old == status or not up["radius_username"]:
        return
    pkg = package_by_id(ctx, up["package_id"])
    if pkg is None or not pkg["provisioning_type"]:
        return
    if status == "Suspended" and old == "Active":
        action = "Suspend User"
    elif status == "Cancelled" and old in ("Active", "Suspended"):
        action = "Delete User"
    elif status == "Active" and old == "Suspended":
        action = "Change User"
    elif status == "Active" and old == "Prospect":
        action = "Add User"
    else:
        return
    queue_provisioning(
        ctx, up["account_id"], up["id"], pkg["name"], up["radius_username"], pkg["provisioning_type"], action
    )
