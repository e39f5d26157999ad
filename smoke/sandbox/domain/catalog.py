"""The package catalogue and pricing: list prices, price plans (volume tiers) and discounts."""

from __future__ import annotations

import sqlite3
from typing import Any

from .context import Ctx
from .values import pct_of


def packages(ctx: Ctx, signup_only: bool = False) -> list[dict[str, Any]]:
    sql = "SELECT * FROM packages WHERE active = 1" + (" AND portal_signup = 1" if signup_only else "")
    out = []
    for p in ctx.q(sql + " ORDER BY id"):
        d = dict(p)
        d["services"] = [dict(s) for s in ctx.q("SELECT * FROM services WHERE package_id = ? ORDER BY id", (p["id"],))]
        d["recurring_cents"] = sum(s["amount_cents"] for s in d["services"] if s["charge_type"] == "Recurring")
        d["one_time_cents"] = sum(s["amount_cents"] for s in d["services"] if s["charge_type"] == "One-Time")
        out.append(d)
    return out


def package_by_id(ctx: Ctx, package_id: int) -> dict[str, Any] | None:
    return next((p for p in packages(ctx) if p["id"] == package_id), None)


def _plan_price(ctx: Ctx, account_id: int, package_id: int, base: int) -> tuple[int, str | None]:
    if ctx.has("price-plan-ignored"):
        return base, None
    plan = ctx.q1(
        "SELECT * FROM price_plans WHERE account_id = ? AND package_id = ? AND active = 1",
        (account_id, package_id),
    )
    if plan is None:
        return base, None
    qty = ctx.q1(
        "SELECT COUNT(*) AS n FROM user_packages WHERE account_id = ? AND package_id = ? AND status = 'Active'",
        (account_id, package_id),
    )["n"]
    tier = ctx.q1(
        "SELECT unit_price_cents FROM price_plan_tiers WHERE price_plan_id = ? AND min_quantity <= ? "
        "ORDER BY min_quantity DESC LIMIT 1",
        (plan["id"], qty),
    )
    if tier is None:
        return base, None
    return int(tier["unit_price_cents"]), str(plan["name"])


def active_discount(ctx: Ctx, account_id: int, package_id: int) -> sqlite3.Row | None:
    if ctx.has("discount-ignored"):
        return None
    row: sqlite3.Row | None = ctx.q1(
        "SELECT * FROM discounts WHERE account_id = ? AND (package_id IS NULL OR package_id = ?) "
        "AND active = 1 AND (periods IS NULL OR periods > 0) ORDER BY id LIMIT 1",
        (account_id, package_id),
    )
    return row


def charge_lines(ctx: Ctx, account_id: int, package_id: int) -> list[tuple[str, str, int]]:
    """The recurring charge lines (type, description, cents) of one user-package for one period."""
    pkg = package_by_id(ctx, package_id)
    if pkg is None:
        return []
    price, plan = _plan_price(ctx, account_id, package_id, pkg["recurring_cents"])
    desc = pkg["name"] + (f" (price plan {plan})" if plan else "")
    lines = [("Charge", desc, price)]
    disc = active_discount(ctx, account_id, package_id)
    if disc is not None and price > 0:
        off = pct_of(price, disc["value"]) if disc["kind"] == "Percent" else min(disc["value"], price)
        lines.append(("Discount", f"Discount: {disc['name']}", -off))
    return lines
