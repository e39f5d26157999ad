"""What the Overview and Statistics pages show, gathered from the other areas."""

from __future__ import annotations

from typing import Any

from .accounts import ACCOUNT_STATUSES, account_by_id
from .contacts import primary_contact
from .context import Ctx, FaultError
from .ledger import balance, last_invoice, next_bill_date
from .payments import payment_methods_for
from .userpackages import user_packages
from .values import money


def account_summary(ctx: Ctx, account_id: int) -> dict[str, Any]:
    """Everything the Overview shows about an account, as display strings and raw values."""
    acct = account_by_id(ctx, account_id)
    assert acct is not None
    parent = account_by_id(ctx, acct["parent_id"]) if acct["parent_id"] else None
    nbd = next_bill_date(ctx, account_id)
    last = last_invoice(ctx, account_id)
    ups = user_packages(ctx, account_id)
    contact = primary_contact(ctx, account_id)
    bal = balance(ctx, account_id)
    return {
        "id": acct["id"],
        "number": acct["number"],
        "name": acct["name"],
        "company": acct["company"],
        "type": acct["account_type"],
        "status": acct["status"],
        "bill_day": acct["bill_day"],
        "language": acct["language"],
        "sales_rep": acct["sales_rep"],
        "parent": parent["name"] if parent else "None",
        "parent_number": parent["number"] if parent else "",
        "balance_cents": bal,
        "balance": money(bal),
        "next_bill_date": nbd.isoformat() if nbd else "None",
        "next_bill_date_value": nbd,
        "last_invoice_total": money(last["total"]) if last else "None",
        "last_invoice_date": last["date"] if last else "None",
        "recurring_charges": money(sum(u["price_cents"] for u in ups if u["status"] == "Active")),
        "packages": ups,
        "contact": contact,
        "children": [
            dict(r)
            for r in ctx.q(
                "SELECT number, name, status FROM accounts WHERE parent_id = ? ORDER BY number", (account_id,)
            )
        ],
        "default_payment_method": next(
            (m["label"] for m in payment_methods_for(ctx, account_id) if m["is_default"]), "None"
        ),
    }


def statistics(ctx: Ctx) -> dict[str, Any]:
    if ctx.has("statistics-page-error"):
        raise FaultError(
            "System.InvalidCastException: Unable to cast object of type 'System.DBNull' to type "
            "'System.Int32'. at StatisticsController.Index()"
        )
    by_status = {s: 0 for s in ACCOUNT_STATUSES}
    for r in ctx.q("SELECT status, COUNT(*) AS n FROM accounts GROUP BY status"):
        by_status[r["status"]] = r["n"]
    return {
        "accounts": by_status,
        "open_tickets": ctx.q1("SELECT COUNT(*) AS n FROM tickets WHERE status NOT IN ('Resolved','Closed')")["n"],
        "queued_provisioning": ctx.q1("SELECT COUNT(*) AS n FROM provisioning_requests WHERE status='Queued'")["n"],
        "active_user_packages": ctx.q1("SELECT COUNT(*) AS n FROM user_packages WHERE status='Active'")["n"],
        "total_receivable": money(sum(balance(ctx, r["id"]) for r in ctx.q("SELECT id FROM accounts"))),
    }
