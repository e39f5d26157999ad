"""Accounts: lookups, search and creation."""

from __future__ import annotations

import sqlite3
from datetime import date

from ..db import transaction
from .context import Ctx, DomainError, where
from .logs import audit

ACCOUNT_STATUSES = ["Active", "Suspended", "Cancelled", "Prospect"]


ACCOUNT_TYPES = ["Residential", "Business"]


def account_by_number(ctx: Ctx, number: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = ctx.q1("SELECT * FROM accounts WHERE number = ?", (str(number).strip(),))
    return row


def account_by_id(ctx: Ctx, account_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = ctx.q1("SELECT * FROM accounts WHERE id = ?", (account_id,))
    return row


def next_account_number(ctx: Ctx) -> str:
    row = ctx.q1("SELECT MAX(CAST(number AS INTEGER)) AS n FROM accounts")
    return str(max(int(row["n"] or 10000), 10000) + 1)


def search_accounts(ctx: Ctx, query: str = "", status: str = "") -> list[sqlite3.Row]:
    like = f"%{query.strip()}%"
    sql, args = where(
        "SELECT a.*, p.name AS parent_name, p.number AS parent_number FROM accounts a "
        "LEFT JOIN accounts p ON p.id = a.parent_id WHERE 1=1",
        (
            "(a.number LIKE ? OR a.name LIKE ? OR a.company LIKE ? OR a.id IN ("
            "SELECT c.account_id FROM contacts c JOIN contact_points cp ON cp.contact_id = c.id "
            "WHERE cp.type IN ('Email Address','Home Phone','Work Phone','Portal Login') AND "
            "cp.value LIKE ?))",
            (like, like, like, like) if query else None,
        ),
        ("a.status = ?", status or None),
    )
    return ctx.q(sql + " ORDER BY CAST(a.number AS INTEGER)", args)


def create_account(
    ctx: Ctx,
    *,
    name: str,
    account_type: str = "Residential",
    status: str = "Active",
    company: str = "",
    parent_number: str = "",
    bill_day: int | None = None,
    created: date | None = None,
    sales_rep: str = "",
    number: str | None = None,
) -> int:
    name = name.strip()
    if not name:
        raise DomainError("Account name is required")
    if account_type not in ACCOUNT_TYPES:
        raise DomainError(f"Unknown account type '{account_type}'")
    if status not in ACCOUNT_STATUSES:
        raise DomainError(f"Unknown status '{status}'")
    parent_id = None
    if parent_number.strip():
        parent = account_by_number(ctx, parent_number)
        if parent is None:
            raise DomainError(f"Parent account '{parent_number}' not found")
        parent_id = parent["id"]
    day = created or ctx.today
    bill_day = bill_day or min(day.day, 28)
    if not 1 <= bill_day <= 28:
        raise DomainError("Bill Day must be between 1 and 28")
    owner = ctx.q1("SELECT id FROM owners ORDER BY is_root DESC, id LIMIT 1")
    with transaction(ctx.conn):
        number = number or next_account_number(ctx)
        aid = ctx.x(
            "INSERT INTO accounts(number, name, company, account_type, status, owner_id, parent_id,"
            " bill_day, sales_rep, created) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                number,
                name,
                company.strip(),
                account_type,
                status,
                owner["id"] if owner else 1,
                parent_id,
                bill_day,
                sales_rep,
                day.isoformat(),
            ),
        )
        audit(ctx, "Account", aid, "Create", f"Account {number} '{name}' created", aid)
    return aid
