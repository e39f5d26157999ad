"""Billing: charging a user-package's period, Bill Account and the Bill Run."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..db import transaction
from .accounts import account_by_id
from .catalog import active_discount, charge_lines
from .context import Ctx, DomainError, FaultError
from .ledger import close_invoice, invoices_for, open_invoice_id, post_transaction
from .logs import log_event
from .values import add_months, money


def post_period(ctx: Ctx, account_id: int, up_id: int, package_id: int, start: date, nbd: date) -> int:
    period = (start, nbd - timedelta(days=1))
    total = 0
    for ttype, desc, cents in charge_lines(ctx, account_id, package_id):
        post_transaction(
            ctx,
            account_id,
            ttype,
            f"{desc} ({period[0]} to {period[1]})",
            cents,
            on=start,
            user_package_id=up_id,
            period=period,
        )
        total += cents
    disc = active_discount(ctx, account_id, package_id)
    if disc is not None and disc["periods"] is not None:
        ctx.x("UPDATE discounts SET periods = periods - 1 WHERE id = ?", (disc["id"],))
    return total


def bill_account(ctx: Ctx, account_id: int, start: date, end: date) -> int | None:
    """Bill the account's Active user-packages whose Next Bill Date is in [start, end]; close the invoice.

    Returns the closed invoice id, or None when nothing was billed.
    """
    acct = account_by_id(ctx, account_id)
    if acct is None or acct["status"] != "Active":
        return None
    billed = False
    last_day = start
    with transaction(ctx.conn):
        for up in ctx.q(
            "SELECT * FROM user_packages WHERE account_id = ? AND status = 'Active' AND "
            "next_bill_date BETWEEN ? AND ? ORDER BY id",
            (account_id, start.isoformat(), end.isoformat()),
        ):
            nbd = date.fromisoformat(up["next_bill_date"])
            while nbd <= end:
                new_nbd = add_months(nbd, 1, acct["bill_day"])
                post_period(ctx, account_id, up["id"], up["package_id"], nbd, new_nbd)
                last_day = max(last_day, nbd)
                nbd = new_nbd
            ctx.x("UPDATE user_packages SET next_bill_date = ? WHERE id = ?", (nbd.isoformat(), up["id"]))
            billed = True
        if not billed:
            return None
        usage = ctx.q1(
            "SELECT COUNT(*) AS n, COALESCE(SUM(amount_cents), 0) AS c FROM usage_records "
            "WHERE account_id = ? AND invoice_id IS NULL AND date < ?",
            (account_id, last_day.isoformat()),
        )
        if usage["n"]:
            post_transaction(
                ctx,
                account_id,
                "Charge",
                f"Usage charges ({usage['n']} records)",
                int(usage["c"]),
                on=last_day,
            )
            inv = open_invoice_id(ctx, account_id, last_day)
            ctx.x(
                "UPDATE usage_records SET invoice_id = ? WHERE account_id = ? AND invoice_id IS NULL AND date < ?",
                (inv, account_id, last_day.isoformat()),
            )
        return close_invoice(ctx, account_id, last_day)


def run_bill_run(ctx: Ctx, start: date, end: date, name: str = "Bill Run") -> dict[str, Any]:
    owner = ctx.q1("SELECT name FROM owners ORDER BY is_root DESC, id LIMIT 1")
    owner_name = owner["name"] if owner else "Admin"
    if end < start:
        raise DomainError("'And' date must not be before 'Bill Customers between' date")
    log_event(ctx, "Billing", "CheckForBillRun", f"Starting Bill Run for owner '{owner_name}'")
    if ctx.has("bill-run-fails"):
        log_event(
            ctx,
            "Billing",
            "CheckForBillRun",
            "Exception: System.Data.SqlClient.SqlException: Transaction (Process ID 62) was deadlocked "
            "on lock resources with another process and has been chosen as the deadlock victim.",
            "Error",
        )
        ctx.x(
            "INSERT INTO bill_runs(name, start_date, end_date, run_at, status, invoices, "
            "total_cents, created_by)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (name, start.isoformat(), end.isoformat(), ctx.stamp(), "Failed", 0, 0, ctx.user),
        )
        raise FaultError("Bill run failed: System.Data.SqlClient.SqlException (see the Event Log)")
    invoices = []
    with transaction(ctx.conn):
        for acct in ctx.q("SELECT id, number FROM accounts WHERE status = 'Active' ORDER BY CAST(number AS INTEGER)"):
            inv = bill_account(ctx, acct["id"], start, end)
            if inv is not None:
                total = next(i["total"] for i in invoices_for(ctx, acct["id"]) if i["id"] == inv)
                invoices.append({"account": acct["number"], "invoice_id": inv, "total": total})
                log_event(
                    ctx,
                    "Billing",
                    "BillAccount",
                    f"Invoice {100000 + inv} created for account {acct['number']}: {money(total)}",
                )
        total = sum(i["total"] for i in invoices)
        run_id = ctx.x(
            "INSERT INTO bill_runs(name, start_date, end_date, run_at, status, invoices, total_cents,"
            " created_by) VALUES (?,?,?,?,?,?,?,?)",
            (
                name,
                start.isoformat(),
                end.isoformat(),
                ctx.stamp(),
                "Completed",
                len(invoices),
                total,
                ctx.user,
            ),
        )
        log_event(
            ctx,
            "Billing",
            "CheckForBillRun",
            f"Finished Bill Run for owner '{owner_name}': {len(invoices)} invoice(s), {money(total)}",
        )
    return {"id": run_id, "invoices": invoices, "total": total, "owner": owner_name}
