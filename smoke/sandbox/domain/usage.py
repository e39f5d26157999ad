"""Usage records (UDRs) and the usage report."""

from __future__ import annotations

from datetime import date
from typing import Any

from .context import Ctx, where


def usage_report(
    ctx: Ctx, account_id: int | None, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    sql, args = where(
        "SELECT u.*, a.number AS account_number FROM usage_records u JOIN accounts a ON a.id = u.account_id WHERE 1=1",
        ("u.account_id = ?", account_id),
        ("u.date >= ?", start.isoformat() if start else None),
        ("u.date <= ?", end.isoformat() if end else None),
    )
    rows = [] if ctx.has("usage-report-empty") else [dict(r) for r in ctx.q(sql + " ORDER BY u.date, u.id", args)]
    periods: dict[str, dict[str, Any]] = {}
    for r in rows:
        p = periods.setdefault(r["date"][:7], {"period": r["date"][:7], "count": 0, "quantity": 0.0, "amount": 0})
        p["count"] += 1
        p["quantity"] += r["quantity"]
        p["amount"] += r["amount_cents"]
    return {
        "rows": rows,
        "periods": sorted(periods.values(), key=lambda p: p["period"]),
        "count": len(rows),
        "quantity": sum(r["quantity"] for r in rows),
        "amount": sum(r["amount_cents"] for r in rows),
    }


def add_usage(
    ctx: Ctx,
    account_id: int,
    on: date,
    description: str,
    quantity: float,
    amount_cents: int | None = None,
    source: str = "Rating",
) -> int:
    if amount_cents is None:
        rate = (
            ctx.q1(
                "SELECT MAX(p.usage_rate_cents) AS r FROM user_packages up JOIN packages p ON p.id "
                "= up.package_id"
                " WHERE up.account_id = ?",
                (account_id,),
            )["r"]
            or 5
        )
        amount_cents = round(quantity * rate)
    return ctx.x(
        "INSERT INTO usage_records(account_id, date, description, quantity, unit, amount_cents, source)"
        " VALUES (?,?,?,?,?,?,?)",
        (account_id, on.isoformat(), description, quantity, "min", amount_cents, source),
    )
