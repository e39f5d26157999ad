"""Transactions and invoices: posting, the one open invoice, payment allocation, balances."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..db import transaction
from .context import Ctx, DomainError
from .logs import audit
from .values import money, parse_date, parse_money

INVOICE_DUE_DAYS = 15


def open_invoice_id(ctx: Ctx, account_id: int, on: date | None = None) -> int:
    row = ctx.q1("SELECT id FROM invoices WHERE account_id = ? AND status = 'Open'", (account_id,))
    if row is not None:
        return int(row["id"])
    iid = ctx.x(
        "INSERT INTO invoices(account_id, number, status, opened) VALUES (?, '', 'Open', ?)",
        (account_id, (on or ctx.today).isoformat()),
    )
    ctx.x("UPDATE invoices SET number = ? WHERE id = ?", (str(100000 + iid), iid))
    return iid


def post_transaction(
    ctx: Ctx,
    account_id: int,
    ttype: str,
    description: str,
    cents: int,
    *,
    on: date | None = None,
    user_package_id: int | None = None,
    period: tuple[date, date] | None = None,
    payment_id: int | None = None,
) -> int:
    """Post a transaction. Charges, discounts and credits go on the account's one open invoice."""
    if ttype not in ("Charge", "Discount", "Credit", "Payment"):
        raise DomainError(f"Unknown transaction type '{ttype}'")
    day = on or ctx.today
    with transaction(ctx.conn):
        inv = None if ttype == "Payment" else open_invoice_id(ctx, account_id, day)
        tid = ctx.x(
            "INSERT INTO transactions(account_id, date, posting_date, type, description, amount_cents,"
            " invoice_id, user_package_id, period_start, period_end, payment_id, created_by)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                account_id,
                day.isoformat(),
                day.isoformat(),
                ttype,
                description,
                cents,
                inv,
                user_package_id,
                period[0].isoformat() if period else None,
                period[1].isoformat() if period else None,
                payment_id,
                ctx.user,
            ),
        )
        allocate_payments(ctx, account_id)
    return tid


def add_manual_transaction(
    ctx: Ctx, account_id: int, ttype: str, amount_text: str, description: str, on: str = ""
) -> int:
    cents = parse_money(amount_text)
    if cents <= 0:
        raise DomainError("Amount must be greater than zero")
    if ttype not in ("Charge", "Credit"):
        raise DomainError("Type must be Charge or Credit")
    if not description.strip():
        raise DomainError("Detail is required")
    day = parse_date(on) if on.strip() else ctx.today
    tid = post_transaction(ctx, account_id, ttype, description.strip(), cents if ttype == "Charge" else -cents, on=day)
    audit(ctx, "Transaction", tid, "Create", f"{ttype} {money(cents)}: {description}", account_id)
    return tid


def balance(ctx: Ctx, account_id: int, as_of: date | None = None) -> int:
    sql = "SELECT COALESCE(SUM(amount_cents), 0) AS b FROM transactions WHERE account_id = ?"
    args: list[Any] = [account_id]
    if ctx.has("balance-ignores-credits"):
        sql += " AND type != 'Credit'"
    if as_of is not None:
        sql += " AND date <= ?"
        args.append(as_of.isoformat())
    return int(ctx.q1(sql, args)["b"])


def transactions_for(ctx: Ctx, account_id: int) -> list[dict[str, Any]]:
    rows = ctx.q(
        "SELECT t.*, i.number AS invoice_number FROM transactions t LEFT JOIN invoices i "
        "ON i.id = t.invoice_id WHERE t.account_id = ? ORDER BY t.date DESC, t.id DESC",
        (account_id,),
    )
    return [dict(r) for r in rows]


def allocate_payments(ctx: Ctx, account_id: int) -> None:
    """Recompute payment allocations: each payment pays the oldest invoices with an amount due first."""
    with transaction(ctx.conn):
        ctx.x(
            "DELETE FROM payment_allocations WHERE invoice_id IN (SELECT id FROM invoices WHERE account_id = ?)",
            (account_id,),
        )
        due = []
        for inv in ctx.q(
            "SELECT i.id, COALESCE(SUM(t.amount_cents), 0) AS total FROM invoices i LEFT JOIN "
            "transactions t ON t.invoice_id = i.id WHERE i.account_id = ? AND i.status != 'Void' "
            "GROUP BY i.id ORDER BY (i.status = 'Open'), i.date, i.id",
            (account_id,),
        ):
            if inv["total"] > 0:
                due.append([inv["id"], int(inv["total"])])
        for pay in ctx.q(
            "SELECT id, amount_cents FROM payments WHERE account_id = ? AND result = 'Approved' ORDER BY date, id",
            (account_id,),
        ):
            left = int(pay["amount_cents"])
            for item in due:
                if left <= 0:
                    break
                take = min(left, item[1])
                if take > 0:
                    ctx.x(
                        "INSERT INTO payment_allocations(payment_id, invoice_id, amount_cents) VALUES (?,?,?)",
                        (pay["id"], item[0], take),
                    )
                    item[1] -= take
                    left -= take


def invoices_for(ctx: Ctx, account_id: int) -> list[dict[str, Any]]:
    out = []
    for inv in ctx.q(
        "SELECT i.*, COALESCE((SELECT SUM(amount_cents) FROM transactions t WHERE t.invoice_id = i.id),"
        " 0) AS total, COALESCE((SELECT SUM(amount_cents) FROM payment_allocations pa "
        "WHERE pa.invoice_id = i.id), 0) AS paid FROM invoices i WHERE i.account_id = ? "
        "ORDER BY (i.status = 'Open') DESC, i.date DESC, i.id DESC",
        (account_id,),
    ):
        d = dict(inv)
        d["due"] = max(d["total"] - d["paid"], 0)
        if d["status"] == "Open":
            d["payment_status"] = "Current"
        elif d["due"] == 0:
            d["payment_status"] = "Paid"
        elif d["due_date"] and d["due_date"] < ctx.today.isoformat():
            d["payment_status"] = "Overdue"
        elif d["paid"] > 0:
            d["payment_status"] = "Partially Paid"
        else:
            d["payment_status"] = "Unpaid"
        out.append(d)
    return out


def invoice_detail(ctx: Ctx, invoice_id: int) -> dict[str, Any] | None:
    inv = ctx.q1("SELECT * FROM invoices WHERE id = ?", (invoice_id,))
    if inv is None:
        return None
    d = next(i for i in invoices_for(ctx, inv["account_id"]) if i["id"] == invoice_id)
    d["lines"] = [dict(r) for r in ctx.q("SELECT * FROM transactions WHERE invoice_id = ? ORDER BY id", (invoice_id,))]
    d["payments"] = [
        dict(r)
        for r in ctx.q(
            "SELECT p.date, p.reference, p.label, pa.amount_cents FROM payment_allocations pa JOIN "
            "payments p "
            "ON p.id = pa.payment_id WHERE pa.invoice_id = ? ORDER BY p.date, p.id",
            (invoice_id,),
        )
    ]
    return d


def close_invoice(ctx: Ctx, account_id: int, on: date) -> int | None:
    row = ctx.q1("SELECT id FROM invoices WHERE account_id = ? AND status = 'Open'", (account_id,))
    if row is None:
        return None
    n = ctx.q1("SELECT COUNT(*) AS n FROM transactions WHERE invoice_id = ?", (row["id"],))["n"]
    if n == 0:
        return None
    with transaction(ctx.conn):
        ctx.x(
            "UPDATE invoices SET status = 'Closed', date = ?, due_date = ? WHERE id = ?",
            (on.isoformat(), (on + timedelta(days=INVOICE_DUE_DAYS)).isoformat(), row["id"]),
        )
        allocate_payments(ctx, account_id)
    return int(row["id"])


def last_invoice(ctx: Ctx, account_id: int) -> dict[str, Any] | None:
    closed = [i for i in invoices_for(ctx, account_id) if i["status"] == "Closed"]
    return closed[0] if closed else None


def overdue_amount(ctx: Ctx, account_id: int) -> int:
    return sum(i["due"] for i in invoices_for(ctx, account_id) if i["payment_status"] == "Overdue")


def next_bill_date(ctx: Ctx, account_id: int) -> date | None:
    row = ctx.q1(
        "SELECT MIN(next_bill_date) AS d FROM user_packages WHERE account_id = ? AND status = 'Active'",
        (account_id,),
    )
    return date.fromisoformat(row["d"]) if row and row["d"] else None
