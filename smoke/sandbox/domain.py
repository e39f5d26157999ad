"""Business logic over the SQLite database: accounts, charges, invoices, payments, tickets, ...

Every function takes a :class:`Ctx` (connection, sandbox "today", active faults, clock, acting user).
Money is integer cents. The balance is derived from transactions and never stored.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from .db import transaction

ACCOUNT_STATUSES = ["Active", "Suspended", "Cancelled", "Prospect"]
ACCOUNT_TYPES = ["Residential", "Business"]
CONTACT_TYPES = ["Billing Contact", "Administrative Contact", "Technical Contact"]
CONTACT_POINT_TYPES = [
    "Address",
    "Home Phone",
    "Work Phone",
    "Email Address",
    "Portal Login",
    "Portal Password",
]
USER_PACKAGE_STATUS_TYPES = {
    "Active": "Active",
    "Suspended": "Suspended - Vacation",
    "Cancelled": "Cancelled",
    "Prospect": "Quoted",
}
TICKET_TYPES = ["Trouble", "Billing", "Sales", "Service Request"]
TICKET_STATUSES = ["New", "Open", "In Progress", "Resolved", "Closed"]
TICKET_PRIORITIES = ["Low", "Normal", "High", "Urgent"]
WORKORDER_TYPES = ["Installation", "Repair", "Disconnect", "Equipment Swap"]
WORKORDER_STATUSES = ["Scheduled", "Dispatched", "In Progress", "Completed", "Cancelled"]
PAYMENT_TYPES = ["Credit Card", "eCheck", "Cash", "Check"]
INVOICE_DUE_DAYS = 15

TEST_CARD_APPROVE = "4111111111111111"
TEST_CARD_DECLINE = "4000000000000002"
TEST_ACH_ROUTING = "011000015"
TEST_ACH_DECLINE_ACCOUNT = "000000000"


class DomainError(Exception):
    """A user-visible refusal (validation, missing processor, ...)."""


class FaultError(DomainError):
    """A failure caused by an active fault (shown like a server-side exception)."""


@dataclass
class Ctx:
    conn: sqlite3.Connection
    today: date
    faults: frozenset[str] = frozenset()
    clock: Callable[[], datetime] | None = None
    user: str = "system"
    extra: dict[str, Any] = field(default_factory=dict)

    def has(self, fault: str) -> bool:
        return fault in self.faults

    def now(self) -> datetime:
        if self.clock is not None:
            return self.clock()
        return datetime.combine(self.today, datetime.now().time().replace(microsecond=0))

    def stamp(self) -> str:
        return self.now().strftime("%Y-%m-%d %H:%M:%S")

    def q(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, tuple(args)).fetchall()

    # A sqlite3.Row or None; typed Any so aggregate queries (always one row) index without ceremony.
    def q1(self, sql: str, args: Iterable[Any] = ()) -> Any:
        return self.conn.execute(sql, tuple(args)).fetchone()

    def x(self, sql: str, args: Iterable[Any] = ()) -> int:
        cur = self.conn.execute(sql, tuple(args))
        return int(cur.lastrowid or 0)


def make_clock(today: date) -> Callable[[], datetime]:
    """A clock that starts at today + the current wall-clock time of day and runs in real time."""
    start_real = time.time()
    start = datetime.combine(today, datetime.now().time().replace(microsecond=0))

    def clock() -> datetime:
        return (start + timedelta(seconds=time.time() - start_real)).replace(microsecond=0)

    return clock


# ---------------------------------------------------------------------------------------------- values


def money(cents: int | None) -> str:
    if cents is None:
        return "None"
    sign = "-" if cents < 0 else ""
    c = abs(int(cents))
    return f"{sign}${c // 100:,}.{c % 100:02d}"


def parse_money(text: str) -> int:
    t = (text or "").strip().replace("$", "").replace(",", "")
    if not t:
        raise DomainError("Amount is required")
    neg = t.startswith("-")
    t = t.lstrip("-")
    try:
        whole, _, frac = t.partition(".")
        if (not whole.isdigit() and whole != "") or (frac and (not frac.isdigit() or len(frac) > 2)):
            raise ValueError
        cents = int(whole or "0") * 100 + int((frac + "00")[:2] if frac else "0")
    except ValueError:
        raise DomainError(f"'{text}' is not a valid amount") from None
    return -cents if neg else cents


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise DomainError(f"'{text}' is not a valid date (expected YYYY-MM-DD)") from None


def add_months(d: date, n: int, day: int | None = None) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    want = day if day is not None else d.day
    return date(y, m, min(want, calendar.monthrange(y, m)[1]))


def pct_of(amount: int, pct: int) -> int:
    return (amount * pct + 50) // 100


# ------------------------------------------------------------------------------------------- logging


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


# ------------------------------------------------------------------------------------------ accounts


def account_by_number(ctx: Ctx, number: str) -> sqlite3.Row | None:
    return ctx.q1("SELECT * FROM accounts WHERE number = ?", (str(number).strip(),))


def account_by_id(ctx: Ctx, account_id: int) -> sqlite3.Row | None:
    return ctx.q1("SELECT * FROM accounts WHERE id = ?", (account_id,))


def next_account_number(ctx: Ctx) -> str:
    row = ctx.q1("SELECT MAX(CAST(number AS INTEGER)) AS n FROM accounts")
    return str(max(int(row["n"] or 10000), 10000) + 1)


def search_accounts(ctx: Ctx, query: str = "", status: str = "") -> list[sqlite3.Row]:
    sql = (
        "SELECT a.*, p.name AS parent_name, p.number AS parent_number FROM accounts a "
        "LEFT JOIN accounts p ON p.id = a.parent_id WHERE 1=1"
    )
    args: list[Any] = []
    if query:
        like = f"%{query.strip()}%"
        sql += (
            " AND (a.number LIKE ? OR a.name LIKE ? OR a.company LIKE ? OR a.id IN ("
            "SELECT c.account_id FROM contacts c JOIN contact_points cp ON cp.contact_id = c.id "
            "WHERE cp.type IN ('Email Address','Home Phone','Work Phone','Portal Login') AND "
            "cp.value LIKE ?))"
        )
        args += [like, like, like, like]
    if status:
        sql += " AND a.status = ?"
        args.append(status)
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


# ----------------------------------------------------------------------------------------- contacts


def contacts_for(ctx: Ctx, account_id: int) -> list[dict[str, Any]]:
    out = []
    for c in ctx.q("SELECT * FROM contacts WHERE account_id = ? ORDER BY is_primary DESC, id", (account_id,)):
        points = ctx.q("SELECT * FROM contact_points WHERE contact_id = ? ORDER BY id", (c["id"],))
        d = dict(c)
        d["name"] = f"{c['first_name']} {c['last_name']}".strip()
        d["points"] = [dict(p) for p in points]
        for p in d["points"]:
            p["display"] = "********" if p["type"] == "Portal Password" else p["value"]
        d["point"] = {p["type"]: p["value"] for p in points}
        out.append(d)
    return out


def primary_contact(ctx: Ctx, account_id: int) -> dict[str, Any] | None:
    cs = contacts_for(ctx, account_id)
    return cs[0] if cs else None


PASSWORD_METHOD = "pbkdf2:sha256:60000"


def hash_password(password: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method=PASSWORD_METHOD)


def check_password(hashed: str, password: str) -> bool:
    from werkzeug.security import check_password_hash

    return check_password_hash(hashed, password)


def save_contact(
    ctx: Ctx,
    account_id: int,
    *,
    contact_id: int | None = None,
    contact_type: str,
    first_name: str,
    last_name: str,
    company: str = "",
    points: dict[str, str],
    is_primary: bool | None = None,
) -> int | None:
    """Create or update a contact and its contact points. Empty point values remove the point.

    A "Portal Password" point is stored hashed; an empty value keeps the existing password.
    """
    if contact_type not in CONTACT_TYPES:
        raise DomainError(f"Unknown contact type '{contact_type}'")
    if not (first_name.strip() or last_name.strip()):
        raise DomainError("First Name or Last Name is required")
    login = (points.get("Portal Login") or "").strip()
    if login:
        clash = ctx.q1(
            "SELECT c.account_id FROM contact_points cp JOIN contacts c ON c.id = cp.contact_id "
            "WHERE cp.type = 'Portal Login' AND cp.value = ? COLLATE NOCASE AND c.id IS NOT ?",
            (login, contact_id),
        )
        if clash is not None:
            raise DomainError(f"Portal Login '{login}' is already in use")
    email = (points.get("Email Address") or "").strip()
    if email and "@" not in email:
        raise DomainError(f"'{email}' is not a valid email address")
    if ctx.has("contact-save-ignored"):
        return contact_id
    with transaction(ctx.conn):
        if contact_id is None:
            first = ctx.q1("SELECT COUNT(*) AS n FROM contacts WHERE account_id = ?", (account_id,))["n"] == 0
            contact_id = ctx.x(
                "INSERT INTO contacts(account_id, contact_type, first_name, last_name, company,"
                " is_primary) VALUES (?,?,?,?,?,?)",
                (
                    account_id,
                    contact_type,
                    first_name.strip(),
                    last_name.strip(),
                    company.strip(),
                    1 if (is_primary or first) else 0,
                ),
            )
            action = "Create"
        else:
            ctx.x(
                "UPDATE contacts SET contact_type=?, first_name=?, last_name=?, company=? WHERE id=? AND account_id=?",
                (
                    contact_type,
                    first_name.strip(),
                    last_name.strip(),
                    company.strip(),
                    contact_id,
                    account_id,
                ),
            )
            action = "Update"
        for ptype, value in points.items():
            if ptype not in CONTACT_POINT_TYPES:
                continue
            value = (value or "").strip()
            existing = ctx.q1("SELECT id FROM contact_points WHERE contact_id = ? AND type = ?", (contact_id, ptype))
            if ptype == "Portal Password":
                if not value:
                    continue
                value = hash_password(value)
            if existing and value:
                ctx.x("UPDATE contact_points SET value = ? WHERE id = ?", (value, existing["id"]))
            elif existing:
                ctx.x("DELETE FROM contact_points WHERE id = ?", (existing["id"],))
            elif value:
                ctx.x(
                    "INSERT INTO contact_points(contact_id, type, value) VALUES (?,?,?)",
                    (contact_id, ptype, value),
                )
        audit(ctx, "Contact", contact_id, action, f"{first_name} {last_name} ({contact_type})", account_id)
        fire_event(ctx, "User.Update", account_id, f"contact {action.lower()}")
    return contact_id


def delete_contact(ctx: Ctx, account_id: int, contact_id: int) -> None:
    if ctx.has("contact-save-ignored"):
        return
    with transaction(ctx.conn):
        ctx.x("DELETE FROM contact_points WHERE contact_id = ?", (contact_id,))
        ctx.x("DELETE FROM contacts WHERE id = ? AND account_id = ?", (contact_id, account_id))
        audit(ctx, "Contact", contact_id, "Delete", "", account_id)


def portal_authenticate(ctx: Ctx, login: str, password: str) -> int | None:
    row = ctx.q1(
        "SELECT c.id AS contact_id, c.account_id FROM contact_points cp JOIN contacts c "
        "ON c.id = cp.contact_id WHERE cp.type = 'Portal Login' AND cp.value = ? COLLATE NOCASE",
        ((login or "").strip(),),
    )
    if row is None:
        return None
    pw = ctx.q1(
        "SELECT value FROM contact_points WHERE contact_id = ? AND type = 'Portal Password'",
        (row["contact_id"],),
    )
    if pw is None or not check_password(pw["value"], password or ""):
        return None
    return int(row["account_id"])


# ---------------------------------------------------------------------------------- packages/pricing


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


def _discount(ctx: Ctx, account_id: int, package_id: int) -> sqlite3.Row | None:
    if ctx.has("discount-ignored"):
        return None
    return ctx.q1(
        "SELECT * FROM discounts WHERE account_id = ? AND (package_id IS NULL OR package_id = ?) "
        "AND active = 1 AND (periods IS NULL OR periods > 0) ORDER BY id LIMIT 1",
        (account_id, package_id),
    )


def charge_lines(ctx: Ctx, account_id: int, package_id: int) -> list[tuple[str, str, int]]:
    """The recurring charge lines (type, description, cents) of one user-package for one period."""
    pkg = package_by_id(ctx, package_id)
    if pkg is None:
        return []
    price, plan = _plan_price(ctx, account_id, package_id, pkg["recurring_cents"])
    desc = pkg["name"] + (f" (price plan {plan})" if plan else "")
    lines = [("Charge", desc, price)]
    disc = _discount(ctx, account_id, package_id)
    if disc is not None and price > 0:
        off = pct_of(price, disc["value"]) if disc["kind"] == "Percent" else min(disc["value"], price)
        lines.append(("Discount", f"Discount: {disc['name']}", -off))
    return lines


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
            _post_period(ctx, account_id, up_id, package_id, day, nbd)
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


# ------------------------------------------------------------------------- transactions and invoices


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


def _post_period(ctx: Ctx, account_id: int, up_id: int, package_id: int, start: date, nbd: date) -> int:
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
    disc = _discount(ctx, account_id, package_id)
    if disc is not None and disc["periods"] is not None:
        ctx.x("UPDATE discounts SET periods = periods - 1 WHERE id = ?", (disc["id"],))
    return total


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


# ----------------------------------------------------------------------------------------- billing


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
                _post_period(ctx, account_id, up["id"], up["package_id"], nbd, new_nbd)
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


# ---------------------------------------------------------------------------------------- payments


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if number[:2] in ("51", "52", "53", "54", "55") or (number[:4].isdigit() and 2221 <= int(number[:4]) <= 2720):
        return "Mastercard"
    if number[:2] in ("34", "37"):
        return "Amex"
    if number.startswith("6"):
        return "Discover"
    return "Card"


def card_processors(ctx: Ctx) -> list[dict[str, Any]]:
    rows = [dict(r) for r in ctx.q("SELECT * FROM card_processors ORDER BY id")]
    if ctx.has("echeck-processor-missing"):
        rows = [r for r in rows if r["kind"] != "eCheck"]
    return rows


def _processor(ctx: Ctx, kind: str) -> dict[str, Any]:
    for p in card_processors(ctx):
        if p["kind"] == kind and p["enabled"]:
            return p
    raise DomainError(f"No {kind} processor is configured")


def payment_methods_for(ctx: Ctx, account_id: int) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in ctx.q("SELECT * FROM payment_methods WHERE account_id = ? ORDER BY is_default DESC, id", (account_id,))
    ]


def _digits(text: str) -> str:
    return "".join(c for c in (text or "") if c.isdigit())


def _card_decision(ctx: Ctx, number: str, token: str = "") -> tuple[bool, str]:
    if ctx.has("card-declines-all"):
        return False, "Declined: Processor returned code 05 (Do not honor)"
    if token:
        return (
            token != "tok_decline",
            "Approved" if token != "tok_decline" else "Declined: Do not honor (test card)",
        )
    if number == TEST_CARD_APPROVE:
        return True, "Approved"
    if number == TEST_CARD_DECLINE:
        return False, "Declined: Do not honor (test card)"
    return False, "Declined: Test mode accepts only the documented test card numbers"


def _ach_decision(routing: str, account: str) -> tuple[bool, str]:
    if routing != TEST_ACH_ROUTING:
        return False, "Declined: Invalid routing number (test mode accepts 011000015)"
    if account == TEST_ACH_DECLINE_ACCOUNT:
        return False, "Declined: Insufficient funds (R01)"
    return True, "Approved"


def validate_card(number: str, expiry: str, cvv: str) -> tuple[str, str]:
    num = _digits(number)
    if not 13 <= len(num) <= 19 or not luhn_ok(num):
        raise DomainError("Card Number is not a valid card number")
    exp = (expiry or "").strip().replace(" ", "")
    try:
        mm, yy = exp.split("/")
        month, year = int(mm), 2000 + int(yy[-2:])
        if not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise DomainError("Expiry must be MM/YY") from None
    if not (3 <= len(_digits(cvv)) <= 4):
        raise DomainError("CVV must be 3 or 4 digits")
    return num, f"{month:02d}/{year % 100:02d}"


def take_payment(
    ctx: Ctx,
    account_id: int,
    amount_text: str,
    method: str,
    *,
    card_number: str = "",
    expiry: str = "",
    cvv: str = "",
    name_on_card: str = "",
    routing: str = "",
    bank_account: str = "",
    payment_method_id: int | None = None,
    reference: str = "",
    source: str = "AdminPortal",
    save_method: bool = False,
    on: date | None = None,
) -> dict[str, Any]:
    """Take a payment. Card and eCheck payments go to the test-mode processors.

    Returns the payment row (result 'Approved' or 'Declined'). Raises DomainError for invalid input.
    An approved payment posts a Payment transaction and is applied to the oldest invoices first.
    """
    cents = parse_money(amount_text)
    if cents <= 0:
        raise DomainError("Amount must be greater than zero")
    acct = account_by_id(ctx, account_id)
    if acct is None:
        raise DomainError("Account not found")
    processor = ""
    label = method
    new_method: tuple[str, str, str, str, str, str] | None = None
    if payment_method_id:
        pm = ctx.q1("SELECT * FROM payment_methods WHERE id = ? AND account_id = ?", (payment_method_id, account_id))
        if pm is None:
            raise DomainError("Payment method not found")
        method = pm["kind"]
        label = pm["label"]
        proc = _processor(ctx, method)
        processor = proc["name"]
        if method == "Credit Card":
            ok, message = _card_decision(ctx, "", pm["token"])
        else:
            ok, message = (
                pm["token"] != "tok_decline",
                "Approved" if pm["token"] != "tok_decline" else "Declined: Insufficient funds (R01)",
            )
    elif method == "Credit Card":
        proc = _processor(ctx, "Credit Card")
        processor = proc["name"]
        num, exp = validate_card(card_number, expiry, cvv)
        label = f"{card_brand(num)} ending {num[-4:]}"
        ok, message = _card_decision(ctx, num)
        token = "tok_approve" if num == TEST_CARD_APPROVE else "tok_decline"
        new_method = ("Credit Card", label, num[-4:], card_brand(num), exp, token)
    elif method == "eCheck":
        proc = _processor(ctx, "eCheck")
        processor = proc["name"]
        rt, acc = _digits(routing), _digits(bank_account)
        if len(rt) != 9:
            raise DomainError("Routing Number must be 9 digits")
        if not 4 <= len(acc) <= 17:
            raise DomainError("Bank Account Number must be 4 to 17 digits")
        label = f"eCheck ending {acc[-4:]}"
        ok, message = _ach_decision(rt, acc)
        new_method = ("eCheck", label, acc[-4:], "ACH", "", "tok_approve" if ok else "tok_decline")
    elif method in ("Cash", "Check"):
        ok, message = True, "Approved"
        if method == "Check" and reference.strip():
            label = f"Check {reference.strip()}"
    else:
        raise DomainError(f"Unknown payment type '{method}'")
    day = on or ctx.today
    with transaction(ctx.conn):
        pid = ctx.x(
            "INSERT INTO payments(account_id, date, created, amount_cents, method, processor, "
            "result, message,"
            " reference, label, source, created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                account_id,
                day.isoformat(),
                ctx.stamp(),
                cents,
                method,
                processor,
                "Approved" if ok else "Declined",
                message,
                reference.strip(),
                label,
                source,
                ctx.user,
            ),
        )
        ref = f"SBX-{pid:06d}"
        ctx.x("UPDATE payments SET reference = ? WHERE id = ?", (reference.strip() or ref, pid))
        if ok:
            tid = post_transaction(ctx, account_id, "Payment", f"Payment - {label}", -cents, on=day, payment_id=pid)
            ctx.x("UPDATE payments SET transaction_id = ? WHERE id = ?", (tid, pid))
            allocate_payments(ctx, account_id)
            if save_method and new_method is not None:
                ctx.x(
                    "INSERT INTO payment_methods(account_id, kind, label, last4, brand, expiry, "
                    "token, is_default)"
                    " VALUES (?,?,?,?,?,?,?,0)",
                    (account_id, *new_method),
                )
        log_event(
            ctx,
            "Payments",
            "ProcessPayment",
            f"{'Approved' if ok else 'Declined'} {money(cents)} {label} for account {acct['number']}"
            f"{' on ' + processor if processor else ''} ({ref})",
        )
        audit(
            ctx,
            "Payment",
            pid,
            "Create",
            f"{money(cents)} {label}: {'Approved' if ok else 'Declined'}",
            account_id,
        )
    return payment(ctx, pid)  # type: ignore[return-value]


def payment(ctx: Ctx, payment_id: int) -> dict[str, Any] | None:
    row = ctx.q1(
        "SELECT p.*, a.number AS account_number, a.name AS account_name FROM payments p JOIN accounts a "
        "ON a.id = p.account_id WHERE p.id = ?",
        (payment_id,),
    )
    return dict(row) if row else None


def payments_for(ctx: Ctx, account_id: int) -> list[dict[str, Any]]:
    return [
        dict(r) for r in ctx.q("SELECT * FROM payments WHERE account_id = ? ORDER BY date DESC, id DESC", (account_id,))
    ]


# ---------------------------------------------------------------------------------- custom code etc.


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


# ---------------------------------------------------------------------------------------- provisioning


PROVISIONING_VERBS = {
    "Add User": "added",
    "Change User": "changed",
    "Suspend User": "suspended",
    "Delete User": "deleted",
}


def queue_provisioning(
    ctx: Ctx,
    account_id: int,
    up_id: int | None,
    package_name: str,
    username: str,
    kind: str = "RADIUS",
    action: str = "Add User",
) -> int:
    acct = account_by_id(ctx, account_id)
    with transaction(ctx.conn):
        rid = ctx.x(
            "INSERT INTO provisioning_requests(account_id, user_package_id, package_name, username, kind,"
            " action, status, created, created_ts) VALUES (?,?,?,?,?,?, 'Queued', ?, ?)",
            (account_id, up_id, package_name, username, kind, action, ctx.stamp(), time.time()),
        )
        what = "user" if action == "Add User" else f"{action.split()[0].lower()} user"
        log_event(
            ctx,
            "Provisioning",
            f"{kind} {action}",
            f"Queued request {rid}: {kind} {what} '{username}' for account {acct['number'] if acct else ''} "
            f"({package_name})",
        )
    return rid


def provisioning_profile(ctx: Ctx, package_name: str) -> str:
    """The profile a request carries: the package's name (with radius-wrong-profile, the next
    provisioned package's, as a broken profile mapping would)."""
    if not ctx.has("radius-wrong-profile"):
        return package_name
    names = [
        r["name"]
        for r in ctx.q(
            "SELECT name FROM packages WHERE provisioning_type IS NOT NULL AND provisioning_type != '' ORDER BY id"
        )
    ]
    if package_name not in names or len(names) < 2:
        return package_name + " (default)"
    return names[(names.index(package_name) + 1) % len(names)]


def send_provisioning(ctx: Ctx, client: Any, r: Any) -> None:
    """Send one request to the provisioning target; raises the client's error when it fails."""
    action = r["action"] or "Add User"
    username = r["username"]
    if action == "Add User":
        profile = provisioning_profile(ctx, r["package_name"])
        client.create(username, profile, r["number"])
        if ctx.has("radius-duplicate"):
            client.create(username, profile, r["number"])  # the request goes out twice
    elif action == "Change User":
        client.change(username, profile=provisioning_profile(ctx, r["package_name"]), status="Active")
    elif action == "Suspend User":
        if not ctx.has("radius-no-suspend"):
            client.suspend(username)
    elif action == "Delete User":
        client.delete(username)


def process_provisioning_queue(ctx: Ctx, min_age: float = 0.5, stuck_after: float = 3.0, client: Any = None) -> int:
    """Work the queued requests older than min_age seconds (the worker calls this). With a client
    (the provisioning target, e.g. :class:`smoke.sandbox.radius.RadiusClient`), each request is sent
    to it: Completed only when that succeeded, Failed (with the error) when it did not. Without one
    (the seed, tests) requests complete at once. Returns how many completed."""
    now = time.time()
    done = 0
    rows = ctx.q(
        "SELECT r.*, a.number FROM provisioning_requests r JOIN accounts a ON a.id = r.account_id "
        "WHERE r.status = 'Queued' AND r.created_ts <= ? ORDER BY r.id",
        (now - min_age,),
    )
    for r in rows:
        action = r["action"] or "Add User"
        verb = PROVISIONING_VERBS.get(action, "provisioned")
        if ctx.has("provisioning-stuck"):
            with transaction(ctx.conn):
                if r["attempts"] == 0 and now - r["created_ts"] >= stuck_after:
                    msg = f"Timed out waiting for RADIUS server (request {r['id']}, user '{r['username']}')"
                    ctx.x(
                        "UPDATE provisioning_requests SET attempts = attempts + 1, message = ? WHERE id = ?",
                        (msg, r["id"]),
                    )
                    log_event(ctx, "Provisioning", f"{r['kind']} {action}", f"Error: {msg}", "Error")
            continue
        error = None
        if client is not None:
            try:
                send_provisioning(ctx, client, r)  # outside the transaction: a slow target holds no lock
            except Exception as exc:  # the client's error (unreachable, HTTP 503, 404, ...)
                error = str(exc) or type(exc).__name__
        with transaction(ctx.conn):
            if error is not None:
                ctx.x(
                    "UPDATE provisioning_requests SET status = 'Failed', attempts = attempts + 1, "
                    "completed = ?, message = ? WHERE id = ?",
                    (ctx.stamp(), f"{r['kind']} user '{r['username']}' not {verb}: {error}", r["id"]),
                )
                log_event(
                    ctx,
                    "Provisioning",
                    f"{r['kind']} {action}",
                    f"Failed request {r['id']}: {r['kind']} user '{r['username']}' not {verb} for account "
                    f"{r['number']}: {error}",
                    "Error",
                )
                continue
            ctx.x(
                "UPDATE provisioning_requests SET status = 'Completed', attempts = attempts + 1, "
                "completed = ?, "
                "message = ? WHERE id = ?",
                (ctx.stamp(), f"{r['kind']} user '{r['username']}' {verb}", r["id"]),
            )
            log_event(
                ctx,
                "Provisioning",
                f"{r['kind']} {action}",
                f"Completed request {r['id']}: {r['kind']} user '{r['username']}' {verb} for account {r['number']}",
            )
            done += 1
    return done


# ------------------------------------------------------------------------------------------- usage


def usage_report(
    ctx: Ctx, account_id: int | None, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    sql = "SELECT u.*, a.number AS account_number FROM usage_records u JOIN accounts a ON a.id = u.account_id WHERE 1=1"
    args: list[Any] = []
    if account_id is not None:
        sql += " AND u.account_id = ?"
        args.append(account_id)
    if start:
        sql += " AND u.date >= ?"
        args.append(start.isoformat())
    if end:
        sql += " AND u.date <= ?"
        args.append(end.isoformat())
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


# ------------------------------------------------------------------------------------------- import

IMPORT_KINDS = {
    "usage": ("Usage Records (UDR)", ["account_number", "date", "description", "minutes", "amount"]),
    "payments": ("Payments", ["account_number", "date", "amount", "method", "reference"]),
}


def import_csv(ctx: Ctx, kind: str, text: str, filename: str = "upload.csv") -> dict[str, Any]:
    """Validate and import a CSV. Good rows are imported even when other rows have errors."""
    if kind not in IMPORT_KINDS:
        raise DomainError(f"Unknown import type '{kind}'")
    required = IMPORT_KINDS[kind][1]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    aliases = {"quantity": "minutes"}
    fields = [aliases.get(f, f) for f in fields]
    needed = [c for c in required if c not in fields and not (kind == "usage" and c == "amount")]
    if needed:
        raise DomainError(f"Missing column(s): {', '.join(needed)}. Expected: {', '.join(required)}")
    errors: list[dict[str, Any]] = []
    good: list[dict[str, str]] = []
    for lineno, raw in enumerate(reader, start=2):
        row = {
            aliases.get((k or "").strip().lower(), (k or "").strip().lower()): (v or "").strip() for k, v in raw.items()
        }
        problems = []
        acct = account_by_number(ctx, row.get("account_number", ""))
        if acct is None:
            problems.append(f"account '{row.get('account_number', '')}' not found")
        if ctx.has("import-rejects-good-rows"):
            problems.append(f"date '{row.get('date', '')}' is not a valid date")
        else:
            try:
                d = parse_date(row.get("date", ""))
                if d > ctx.today:
                    problems.append(f"date '{row['date']}' is in the future")
            except DomainError:
                problems.append(f"date '{row.get('date', '')}' is not a valid date (expected YYYY-MM-DD)")
        if kind == "usage":
            try:
                q = float(row.get("minutes", ""))
                if q < 0:
                    raise ValueError
            except ValueError:
                problems.append(f"minutes '{row.get('minutes', '')}' is not a number >= 0")
            if not row.get("description"):
                problems.append("description is required")
            if row.get("amount"):
                try:
                    parse_money(row["amount"])
                except DomainError:
                    problems.append(f"amount '{row['amount']}' is not a valid amount")
        else:
            try:
                if parse_money(row.get("amount", "")) <= 0:
                    problems.append("amount must be greater than zero")
            except DomainError:
                problems.append(f"amount '{row.get('amount', '')}' is not a valid amount")
            if row.get("method", "") not in ("Cash", "Check"):
                problems.append(f"method '{row.get('method', '')}' must be Cash or Check")
        if problems:
            errors.append(
                {"row": lineno, "account_number": row.get("account_number", ""), "error": "; ".join(problems)}
            )
        else:
            good.append(row)
    with transaction(ctx.conn):
        for row in good:
            acct = account_by_number(ctx, row["account_number"])
            assert acct is not None
            if kind == "usage":
                add_usage(
                    ctx,
                    acct["id"],
                    parse_date(row["date"]),
                    row["description"],
                    float(row["minutes"]),
                    parse_money(row["amount"]) if row.get("amount") else None,
                    source="Import",
                )
            else:
                take_payment(
                    ctx,
                    acct["id"],
                    row["amount"],
                    row["method"],
                    reference=row.get("reference", ""),
                    source="Import",
                    on=parse_date(row["date"]),
                )
        ctx.x(
            "INSERT INTO imports(date, kind, filename, imported, errors, username) VALUES (?,?,?,?,?,?)",
            (ctx.stamp(), IMPORT_KINDS[kind][0], filename, len(good), len(errors), ctx.user),
        )
        log_event(
            ctx,
            "Import",
            IMPORT_KINDS[kind][0],
            f"Imported {len(good)} rows from '{filename}', {len(errors)} row(s) rejected",
            "Warning" if errors else "Info",
        )
    return {"imported": len(good), "errors": errors, "kind": IMPORT_KINDS[kind][0]}


# ------------------------------------------------------------------------------------------ tickets


def _ticket_fields(ctx: Ctx, f: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, allowed in (
        ("type", TICKET_TYPES),
        ("status", TICKET_STATUSES),
        ("priority", TICKET_PRIORITIES),
    ):
        if key in f and f[key] is not None:
            if f[key] not in allowed:
                raise DomainError(f"Unknown {key} '{f[key]}'")
            out[key] = f[key]
    if f.get("category_id"):
        if ctx.q1("SELECT id FROM ticket_categories WHERE id = ?", (f["category_id"],)) is None:
            raise DomainError("Unknown ticket category")
        out["category_id"] = int(f["category_id"])
    if "assigned_to" in f:
        if f["assigned_to"]:
            ok = ctx.q1(
                "SELECT u.id FROM staff_users u JOIN roles r ON r.id = u.role_id WHERE u.id = ? "
                "AND r.ticket_assignable = 1",
                (f["assigned_to"],),
            )
            if ok is None:
                raise DomainError("Assigned To must be a user in a ticket-assignable role")
            out["assigned_to"] = int(f["assigned_to"])
        else:
            out["assigned_to"] = None
    for key in ("subject", "description", "resolution"):
        if key in f and f[key] is not None:
            out[key] = str(f[key]).strip()
    if "subject" in out and not out["subject"]:
        raise DomainError("Subject is required")
    return out


def create_ticket(
    ctx: Ctx,
    account_id: int,
    *,
    subject: str,
    description: str = "",
    type: str = "Trouble",
    category_id: int | None = None,
    priority: str = "Normal",
    assigned_to: int | None = None,
    status: str = "New",
    source: str = "AdminPortal",
) -> int:
    vals = _ticket_fields(
        ctx,
        {
            "subject": subject,
            "description": description,
            "type": type,
            "category_id": category_id,
            "priority": priority,
            "assigned_to": assigned_to,
            "status": status,
        },
    )
    with transaction(ctx.conn):
        tid = ctx.x(
            "INSERT INTO tickets(account_id, type, category_id, status, priority, assigned_to, subject,"
            " description, created, updated, created_by, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                account_id,
                vals["type"],
                vals.get("category_id"),
                vals["status"],
                vals["priority"],
                vals.get("assigned_to"),
                vals["subject"],
                vals.get("description", ""),
                ctx.stamp(),
                ctx.stamp(),
                ctx.user,
                source,
            ),
        )
        audit(ctx, "Ticket", tid, "Create", vals["subject"], account_id)
    return tid


def update_ticket(ctx: Ctx, ticket_id: int, comment: str = "", **fields: Any) -> None:
    t = ctx.q1("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
    if t is None:
        raise DomainError("Ticket not found")
    if ctx.has("ticket-edit-fails"):
        raise FaultError(
            "Error saving ticket: System.InvalidOperationException: Sequence contains no matching "
            "element (TicketStatusWorkflow)"
        )
    vals = _ticket_fields(ctx, fields)
    with transaction(ctx.conn):
        changes = {k: v for k, v in vals.items() if t[k] != v}
        for k, v in changes.items():
            ctx.x(f"UPDATE tickets SET {k} = ? WHERE id = ?", (v, ticket_id))  # k comes from _ticket_fields
        if comment.strip():
            ctx.x(
                "INSERT INTO ticket_comments(ticket_id, author, body, created) VALUES (?,?,?,?)",
                (ticket_id, ctx.user, comment.strip(), ctx.stamp()),
            )
        ctx.x("UPDATE tickets SET updated = ? WHERE id = ?", (ctx.stamp(), ticket_id))
        audit(
            ctx,
            "Ticket",
            ticket_id,
            "Update",
            ", ".join(f"{k}={v}" for k, v in changes.items()) + (" +comment" if comment.strip() else ""),
            t["account_id"],
        )


def tickets(
    ctx: Ctx,
    *,
    account_id: int | None = None,
    status: str = "",
    priority: str = "",
    assigned_to: str = "",
    q: str = "",
) -> list[dict[str, Any]]:
    sql = (
        "SELECT t.*, a.number AS account_number, a.name AS account_name, c.name AS category, "
        "u.username AS assignee FROM tickets t JOIN accounts a ON a.id = t.account_id LEFT JOIN "
        "ticket_categories c"
        " ON c.id = t.category_id LEFT JOIN staff_users u ON u.id = t.assigned_to WHERE 1=1"
    )
    args: list[Any] = []
    if account_id is not None:
        sql += " AND t.account_id = ?"
        args.append(account_id)
    if status == "Open (not closed)":
        sql += " AND t.status NOT IN ('Resolved', 'Closed')"
    elif status:
        sql += " AND t.status = ?"
        args.append(status)
    if priority:
        sql += " AND t.priority = ?"
        args.append(priority)
    if assigned_to:
        sql += " AND u.username = ?"
        args.append(assigned_to)
    if q:
        sql += " AND (t.subject LIKE ? OR a.number = ?)"
        args += [f"%{q}%", q]
    return [dict(r) for r in ctx.q(sql + " ORDER BY t.id DESC", args)]


def ticket(ctx: Ctx, ticket_id: int) -> dict[str, Any] | None:
    rows = [t for t in tickets(ctx) if t["id"] == ticket_id]
    if not rows:
        return None
    d = rows[0]
    d["comments"] = [
        dict(r) for r in ctx.q("SELECT * FROM ticket_comments WHERE ticket_id = ? ORDER BY id", (ticket_id,))
    ]
    return d


def assignable_users(ctx: Ctx) -> list[sqlite3.Row]:
    return ctx.q(
        "SELECT u.id, u.username, u.full_name FROM staff_users u JOIN roles r ON r.id = u.role_id "
        "WHERE r.ticket_assignable = 1 ORDER BY u.username"
    )


# ---------------------------------------------------------------------------------------- workorders


def create_workorder(
    ctx: Ctx, account_id: int, *, type: str, scheduled: str, technician: str = "", notes: str = ""
) -> int:
    if type not in WORKORDER_TYPES:
        raise DomainError(f"Unknown workorder type '{type}'")
    day = parse_date(scheduled)
    with transaction(ctx.conn):
        wid = ctx.x(
            "INSERT INTO workorders(account_id, type, status, scheduled_date, technician, notes, created,"
            " updated) VALUES (?,?,?,?,?,?,?,?)",
            (
                account_id,
                type,
                "Scheduled",
                day.isoformat(),
                technician.strip(),
                notes.strip(),
                ctx.stamp(),
                ctx.stamp(),
            ),
        )
        audit(ctx, "Workorder", wid, "Create", f"{type} scheduled {day}", account_id)
    return wid


def update_workorder(ctx: Ctx, wid: int, status: str, notes: str | None = None) -> None:
    if status not in WORKORDER_STATUSES:
        raise DomainError(f"Unknown workorder status '{status}'")
    w = ctx.q1("SELECT * FROM workorders WHERE id = ?", (wid,))
    if w is None:
        raise DomainError("Workorder not found")
    with transaction(ctx.conn):
        ctx.x(
            "UPDATE workorders SET status = ?, notes = COALESCE(?, notes), updated = ? WHERE id = ?",
            (status, notes, ctx.stamp(), wid),
        )
        audit(ctx, "Workorder", wid, "Update", f"Status '{w['status']}' -> '{status}'", w["account_id"])


def workorders(ctx: Ctx, account_id: int | None = None, status: str = "") -> list[dict[str, Any]]:
    sql = (
        "SELECT w.*, a.number AS account_number, a.name AS account_name FROM workorders w JOIN accounts a "
        "ON a.id = w.account_id WHERE 1=1"
    )
    args: list[Any] = []
    if account_id is not None:
        sql += " AND w.account_id = ?"
        args.append(account_id)
    if status:
        sql += " AND w.status = ?"
        args.append(status)
    return [dict(r) for r in ctx.q(sql + " ORDER BY w.scheduled_date, w.id", args)]


# ----------------------------------------------------------------------------------------- signup


def signup(
    ctx: Ctx,
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    address: str,
    package_id: int,
    login: str,
    password: str,
    confirm: str,
    company: str = "",
) -> dict[str, Any]:
    """Portal signup: account, Billing Contact with Portal Login, user-package, provisioning request."""
    if not first_name.strip() or not last_name.strip():
        raise DomainError("First Name and Last Name are required")
    if "@" not in (email or ""):
        raise DomainError("A valid Email Address is required")
    if len((login or "").strip()) < 3:
        raise DomainError("Portal Login must be at least 3 characters")
    if len(password or "") < 8:
        raise DomainError("Portal Password must be at least 8 characters")
    if password != confirm:
        raise DomainError("Portal Password and Confirm Password do not match")
    pkg = next((p for p in packages(ctx, signup_only=True) if p["id"] == package_id), None)
    if pkg is None:
        raise DomainError("Please choose a package")
    name = f"{first_name.strip()} {last_name.strip()}"
    with transaction(ctx.conn):
        aid = create_account(
            ctx, name=name, company=company, account_type="Business" if company.strip() else "Residential"
        )
        # The signup contact carries the portal login, so it is saved even under contact-save-ignored.
        save_contact(
            replace(ctx, faults=ctx.faults - {"contact-save-ignored"}),
            aid,
            contact_type="Billing Contact",
            first_name=first_name,
            last_name=last_name,
            company=company,
            is_primary=True,
            points={
                "Address": address,
                "Home Phone": phone,
                "Email Address": email,
                "Portal Login": login,
                "Portal Password": password,
            },
        )
        acct = account_by_id(ctx, aid)
        assert acct is not None
        up_id = None
        if not ctx.has("signup-no-userpackage"):
            up_id = add_package(ctx, aid, package_id, radius_username=login.strip() if pkg["provisioning_type"] else "")
        log_event(
            ctx,
            "Portal",
            "Signup",
            f"Account {acct['number']} created for '{name}' with package '{pkg['name']}'",
        )
    return {"account_id": aid, "number": acct["number"], "user_package_id": up_id, "package": pkg["name"]}


# -------------------------------------------------------------------------------------- summaries


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


def token_for(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
