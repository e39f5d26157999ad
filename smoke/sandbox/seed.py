"""Deterministic seed: the same "today" always gives the same accounts, invoices and balances.

History is not typed in: it is simulated day by day with the domain functions (bill runs, autopay,
cheques, a suspension, a cancellation, a credit), so every seeded value is one the application
itself would have produced.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from . import VERSION, domain
from .db import transaction
from .domain import Ctx, add_months
from .permissions import AREAS, MATRIX, ROLES, TICKET_ASSIGNABLE

OWNER = "Sandbox Telecom"

STAFF = [
    # username, password, role, full name, email
    ("admin", "Admin#2026", "Admin", "Alex Admin", "admin@sandbox.example"),
    ("csr", "Csr#2026", "CSR", "Casey Service", "csr@sandbox.example"),
    ("billing", "Billing#2026", "Billing", "Bailey Billing", "billing@sandbox.example"),
    ("support", "Support#2026", "Support", "Sam Support", "support@sandbox.example"),
    ("readonly", "Readonly#2026", "Read Only", "Riley Viewer", "readonly@sandbox.example"),
]
PORTAL_PASSWORD = "Portal#2026"

PACKAGES = [
    # name, description, provisioning, portal signup, usage rate (cents/min), services
    ("Fiber 100", "100 Mbps fiber internet", "RADIUS", 1, 0, [("Fiber 100 Internet", "Recurring", 5999)]),
    ("Fiber 500", "500 Mbps fiber internet", "RADIUS", 1, 0, [("Fiber 500 Internet", "Recurring", 7999)]),
    (
        "Fiber 1000",
        "1 Gbps fiber internet",
        "RADIUS",
        1,
        0,
        [("Fiber 1000 Internet", "Recurring", 9999), ("Activation Fee", "One-Time", 4900)],
    ),
    ("DSL Basic", "25 Mbps DSL internet", "RADIUS", 1, 0, [("DSL Internet", "Recurring", 3999)]),
    (
        "Home Phone",
        "Residential phone line, long distance $0.05/min",
        None,
        0,
        5,
        [("Home Phone Line", "Recurring", 2499)],
    ),
    (
        "Business Line",
        "Business phone line, long distance $0.03/min",
        None,
        0,
        3,
        [("Business Phone Line", "Recurring", 2500)],
    ),
    (
        "Business Fiber 1G",
        "1 Gbps dedicated business fiber",
        "RADIUS",
        0,
        0,
        [("Business Fiber Internet", "Recurring", 24900)],
    ),
    ("Static IP", "One static IPv4 address", None, 0, 0, [("Static IP Address", "Recurring", 1000)]),
    ("TV Basic", "Basic TV channel line-up", None, 0, 0, [("TV Basic Channels", "Recurring", 4500)]),
]

VISA_OK = ("Credit Card", "Visa ending 1111", "1111", "Visa", "12/28", "tok_approve")
VISA_DECLINE = ("Credit Card", "Visa ending 0002", "0002", "Visa", "11/27", "tok_decline")
MC_OK = ("Credit Card", "Mastercard ending 4444", "4444", "Mastercard", "08/27", "tok_approve")
AMEX_OK = ("Credit Card", "Amex ending 0005", "0005", "Amex", "03/29", "tok_approve")


def _ach(last4: str) -> tuple[str, str, str, str, str, str]:
    return ("eCheck", f"eCheck ending {last4}", last4, "ACH", "", "tok_approve")


@dataclass
class Acct:
    number: str
    name: str
    type: str
    bill_day: int
    months_ago: int
    packages: list[str]
    first: str
    last: str
    company: str = ""
    parent: str = ""
    pays: list[str] = field(default_factory=lambda: ["autopay"])
    methods: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    login: str = ""
    usage: bool = False
    prospect: bool = False
    email: str = ""
    phone: str = ""
    address: str = ""
    notes: str = ""
    sales_rep: str = ""


METHODS = {"visa": VISA_OK, "visa-declines": VISA_DECLINE, "mastercard": MC_OK, "amex": AMEX_OK}


def accounts(today: date) -> list[Acct]:
    """The seeded accounts, from seed_accounts.yaml (data, so it is kept apart from the code)."""
    entries = yaml.safe_load(Path(__file__).with_name("seed_accounts.yaml").read_text(encoding="utf-8"))
    return [_account(dict(entry), today) for entry in entries]


def _account(entry: dict[str, Any], today: date) -> Acct:
    if entry["bill_day"] == "today":  # due for billing today (account 10013: what a bill run bills)
        entry["bill_day"] = min(today.day, 28)
    entry["methods"] = [
        _ach(method.removeprefix("ach ")) if method.startswith("ach ") else METHODS[method]
        for method in entry.get("methods", [])
    ]
    return Acct(**entry)


PAGE_EXTENSION_JS = """(function () {
  var host = document.getElementById('PageExtensionHost');
  if (!host) { return; }
  var panel = document.createElement('div');
  panel.className = 'page-extension';
  panel.setAttribute('data-testid', 'page-extension');
  panel.setAttribute('role', 'note');
  panel.textContent = 'Credit check: OK';
  host.appendChild(panel);
})();"""

LATE_FEE_SOURCE = """public class LateFeeCalculator : ICustomCode
{
    // 1.5% of the overdue amount, at least $5.00
    public decimal Calculate(Account account)
    {
        var overdue = account.Invoices.Where(i => i.DueDate < Today && i.AmountDue > 0).Sum(i => i.AmountDue);
        return overdue <= 0 ? 0 : Math.Max(5.00m, Math.Round(overdue * 0.015m, 2));
    }
}"""


class _SeedClock:
    def __init__(self, day: date) -> None:
        self.day = day
        self.tick = 0

    def __call__(self) -> datetime:
        self.tick += 1
        return datetime.combine(self.day, time(2, 0)) + timedelta(seconds=self.tick)

    def set(self, day: date) -> None:
        if day != self.day:
            self.day, self.tick = day, 0


def seed(conn: sqlite3.Connection, today: date) -> None:
    clock = _SeedClock(today)
    ctx = Ctx(conn, today, frozenset(), clock, user="system")
    with transaction(conn):
        _static(ctx)
        _history(ctx, clock)
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('today', ?), ('seeded', ?), ('version', ?)",
            (today.isoformat(), datetime.now().isoformat(timespec="seconds"), VERSION),
        )


def _static(ctx: Ctx) -> None:
    x = ctx.x
    x("INSERT INTO owners(id, name, is_root) VALUES (1, ?, 1)", (OWNER,))
    hashes: dict[str, str] = {}
    for role in ROLES:
        rid = x(
            "INSERT INTO roles(name, description, ticket_assignable, contact_type) VALUES (?,?,?,?)",
            (role, f"Sandbox {role} role", 1 if role in TICKET_ASSIGNABLE else 0, "Administrative Contact"),
        )
        for area in AREAS:
            flags = MATRIX[role][area]
            x(
                "INSERT INTO role_permissions(role_id, area, can_list, can_edit) VALUES (?,?,?,?)",
                (rid, area, int("L" in flags), int("E" in flags)),
            )
    for username, password, role, full_name, email in STAFF:
        rid = ctx.q1("SELECT id FROM roles WHERE name = ?", (role,))["id"]
        hashes[password] = domain.hash_password(password)
        x(
            "INSERT INTO staff_users(username, password_hash, role_id, full_name, email) VALUES (?,?,?,?,?)",
            (username, hashes[password], rid, full_name, email),
        )
    for name, desc, prov, signup, rate, services in PACKAGES:
        pid = x(
            "INSERT INTO packages(name, description, provisioning_type, portal_signup, usage_rate_cents)"
            " VALUES (?,?,?,?,?)",
            (name, desc, prov, signup, rate),
        )
        for sname, kind, cents in services:
            x(
                "INSERT INTO services(package_id, name, charge_type, amount_cents) VALUES (?,?,?,?)",
                (pid, sname, kind, cents),
            )
    x(
        "INSERT INTO card_processors(name, kind, test_mode, enabled) VALUES ('Sandbox Card "
        "Gateway', 'Credit Card', 1, 1)"
    )
    x("INSERT INTO card_processors(name, kind, test_mode, enabled) VALUES ('Sandbox ACH', 'eCheck', 1, 1)")
    for name, res in [
        ("Connectivity", "Reset modem; Replaced equipment; Escalated to NOC"),
        ("Billing Inquiry", "Explained charges; Credit issued; Payment arranged"),
        ("Equipment", "Replaced device; Shipped device"),
        ("Service Change", "Package changed; Add-on added"),
        ("Outage", "Resolved by NOC; Credit issued"),
    ]:
        x("INSERT INTO ticket_categories(name, resolutions) VALUES (?,?)", (name, res))
    x(
        "INSERT INTO page_extensions(name, page, content, enabled) VALUES (?,?,?,1)",
        ("Credit Check Panel", "overview/index", PAGE_EXTENSION_JS),
    )
    x(
        "INSERT INTO actions(name, event_code, action_type, parameters, enabled) VALUES (?,?,?,?,1)",
        (
            "Log Account Changes",
            "User.Update",
            "Write Event Log and Audit Note",
            "Account updated - notify billing",
        ),
    )
    x(
        "INSERT INTO custom_code(name, language, description, source, enabled) VALUES (?,?,?,?,1)",
        (
            "LateFeeCalculator",
            "C#",
            "Computes a late fee (1.5% of the overdue amount, at least $5.00) for accounts with overdue invoices",
            LATE_FEE_SOURCE,
        ),
    )
    ctx.extra["portal_hash"] = domain.hash_password(PORTAL_PASSWORD)


def _history(ctx: Ctx, clock: _SeedClock) -> None:
    today = ctx.today
    specs = accounts(today)
    first_of_month = today.replace(day=1)
    starts = {
        a.number: (today - timedelta(days=10) if a.prospect else add_months(first_of_month, -a.months_ago, a.bill_day))
        for a in specs
    }
    pkg_ids = {p["name"]: p["id"] for p in domain.packages(ctx)}
    ids: dict[str, int] = {}
    invoice_counts: dict[str, int] = {}
    scheduled: dict[date, list[tuple[str, str, int]]] = {}
    events: dict[date, list[tuple[str, Any]]] = {}

    def at(days_ago: int, kind: str, arg: Any) -> None:
        events.setdefault(today - timedelta(days=days_ago), []).append((kind, arg))

    at(26, "status", ("10006", "Suspended"))
    at(61, "status", ("10007", "Cancelled"))
    at(4, "credit", ("10011", 10000, "Service outage credit"))
    at(45, "udrfile", None)
    at(15, "udrfile", None)
    at(
        5,
        "ticket",
        (
            "10001",
            "Trouble",
            "Connectivity",
            "Intermittent internet drops in the evening",
            "Open",
            "Normal",
            "support",
            "Connection drops most evenings around 8pm.",
            "Checked line stats, scheduled a technician.",
        ),
    )
    at(
        3,
        "ticket",
        (
            "10012",
            "Billing",
            "Billing Inquiry",
            "Question about overdue invoice",
            "New",
            "High",
            "csr",
            "Customer asks why the card on file was declined.",
            "",
        ),
    )
    at(
        8,
        "ticket",
        (
            "10003",
            "Service Request",
            "Service Change",
            "Add static IP block /29",
            "In Progress",
            "Normal",
            "support",
            "Acme needs a /29 for the new VPN gateway.",
            "",
        ),
    )
    at(
        20,
        "ticket",
        (
            "10006",
            "Sales",
            "Service Change",
            "Reactivate after vacation hold",
            "New",
            "Low",
            "",
            "Customer will be back in July.",
            "",
        ),
    )
    at(
        60,
        "ticket",
        (
            "10007",
            "Billing",
            "Billing Inquiry",
            "Final bill question",
            "Closed",
            "Normal",
            "csr",
            "Asked about the final invoice after cancelling.",
            "Explained charges",
        ),
    )
    at(2, "workorder", ("10001", "Repair", "Scheduled", 2, "T. Nguyen", "Evening drop-outs, check ONT"))
    at(
        9,
        "workorder",
        ("10008", "Installation", "Scheduled", 10, "R. Patel", "Site survey for Business Fiber"),
    )
    at(61, "workorder", ("10007", "Disconnect", "Completed", 0, "T. Nguyen", "Service disconnected"))

    day = min(starts.values())
    while day < today:
        clock.set(day)
        for a in specs:
            if starts[a.number] == day:
                ids[a.number] = _create(ctx, a, day, pkg_ids, ids)
                if a.number == "10002":
                    domain.create_workorder(
                        ctx,
                        ids[a.number],
                        type="Installation",
                        scheduled=day.isoformat(),
                        technician="R. Patel",
                        notes="Fiber drop and ONT install",
                    )
                    domain.update_workorder(ctx, ctx.q1("SELECT MAX(id) AS i FROM workorders")["i"], "Completed")
        due = [
            a
            for a in specs
            if a.number in ids
            and not a.prospect
            and ctx.q1(
                "SELECT 1 FROM user_packages WHERE account_id = ? AND status = 'Active' AND next_bill_date = ?",
                (ids[a.number], day.isoformat()),
            )
        ]
        if due:
            run = domain.run_bill_run(ctx, day, day, f"Daily bill run {day}")
            by_number = {a.number: a for a in specs}
            for inv in run["invoices"]:
                a = by_number[inv["account"]]
                n = invoice_counts.get(a.number, 0)
                invoice_counts[a.number] = n + 1
                how = a.pays[min(n, len(a.pays) - 1)]
                delay = {"autopay": 2, "check10": 10, "check20": 20}[how]
                scheduled.setdefault(day + timedelta(days=delay), []).append((a.number, how, n + 1))
        for kind, arg in events.get(day, []):
            _event(ctx, kind, arg, ids, day)
        for number, how, n in scheduled.get(day, []):
            aid = ids[number]
            owed = domain.balance(ctx, aid)
            if owed <= 0:
                continue
            amount = domain.money(owed)
            if how == "autopay":
                pm = domain.payment_methods_for(ctx, aid)[0]
                domain.take_payment(ctx, aid, amount, pm["kind"], payment_method_id=pm["id"], source="Autopay", on=day)
            else:
                domain.take_payment(ctx, aid, amount, "Check", reference=f"Chk {int(number) % 1000:03d}{n}", on=day)
        for a in specs:
            if a.usage and a.number in ids and (day.toordinal() + int(a.number)) % 3 == 0:
                o = day.toordinal()
                minutes = float(3 + (o * 7 + int(a.number)) % 25)
                domain.add_usage(ctx, ids[a.number], day, f"Long distance call to 555-{(o * 13) % 10000:04d}", minutes)
        domain.process_provisioning_queue(ctx, min_age=-1e9)
        day += timedelta(days=1)
    clock.set(today)
    ctx.clock = lambda: datetime.combine(today, time(0, 0, 1))
    domain.log_event(ctx, "Event", "ServiceStart", f"EngageIP Event Service {VERSION} started")


def _create(ctx: Ctx, a: Acct, day: date, pkg_ids: dict[str, int], ids: dict[str, int]) -> int:
    aid = domain.create_account(
        ctx,
        name=a.name,
        account_type=a.type,
        status="Prospect" if a.prospect else "Active",
        company=a.company,
        parent_number=a.parent,
        bill_day=a.bill_day,
        created=day,
        sales_rep=a.sales_rep,
        number=a.number,
    )
    if a.notes:
        ctx.x("UPDATE accounts SET notes = ? WHERE id = ?", (a.notes, aid))
    points = {
        "Address": a.address,
        "Home Phone" if a.type == "Residential" else "Work Phone": a.phone,
        "Email Address": a.email,
    }
    cid = domain.save_contact(
        ctx,
        aid,
        contact_type="Billing Contact",
        first_name=a.first,
        last_name=a.last,
        company=a.company,
        points=points,
        is_primary=True,
    )
    if a.login:
        ctx.x(
            "INSERT INTO contact_points(contact_id, type, value) VALUES (?, 'Portal Login', ?)",
            (cid, a.login),
        )
        ctx.x(
            "INSERT INTO contact_points(contact_id, type, value) VALUES (?, 'Portal Password', ?)",
            (cid, ctx.extra["portal_hash"]),
        )
    if a.type == "Business":
        domain.save_contact(
            ctx,
            aid,
            contact_type="Administrative Contact",
            first_name="IT",
            last_name="Desk",
            company=a.company,
            points={"Email Address": f"it@{a.email.split('@')[1]}"},
        )
    for i, m in enumerate(a.methods):
        ctx.x(
            "INSERT INTO payment_methods(account_id, kind, label, last4, brand, expiry, token, is_default)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (aid, *m, 1 if i == 0 else 0),
        )
    if a.number == "10009":
        ctx.x(
            "INSERT INTO discounts(name, account_id, package_id, kind, value, periods) VALUES (?,?,?,?,?,NULL)",
            ("Loyalty 20%", aid, pkg_ids["Fiber 500"], "Percent", 20),
        )
    if a.number == "10010":
        plan = ctx.x(
            "INSERT INTO price_plans(name, account_id, package_id) VALUES (?,?,?)",
            ("Globex Volume Lines", aid, pkg_ids["Business Line"]),
        )
        for qty, cents in [(1, 2500), (3, 2200), (5, 1900)]:
            ctx.x(
                "INSERT INTO price_plan_tiers(price_plan_id, min_quantity, unit_price_cents) VALUES (?,?,?)",
                (plan, qty, cents),
            )
    n_radius = 0
    for name in a.packages:
        prov = ctx.q1("SELECT provisioning_type FROM packages WHERE id = ?", (pkg_ids[name],))["provisioning_type"]
        radius = ""
        if prov and not a.prospect:
            n_radius += 1
            radius = f"{a.first[0]}{a.last}".lower().replace("'", "") + ("" if n_radius == 1 else str(n_radius))
        domain.add_package(
            ctx,
            aid,
            pkg_ids[name],
            start=day,
            radius_username=radius,
            status="Prospect" if a.prospect else "Active",
            bill_now=False,
        )
    ids[a.number] = aid
    return aid


def _event(ctx: Ctx, kind: str, arg: Any, ids: dict[str, int], day: date) -> None:
    if kind == "status":
        number, status = arg
        domain.set_account_status(ctx, ids[number], status, day)
        domain.audit(ctx, "Account", ids[number], "Update", f"Status -> '{status}'", ids[number])
    elif kind == "credit":
        number, cents, desc = arg
        domain.post_transaction(ctx, ids[number], "Credit", desc, -cents, on=day)
    elif kind == "udrfile":
        domain.log_event(ctx, "UDR Rating", "ProcessFile", f"Done Processing File udr_{day:%Y%m%d}.csv")
    elif kind == "ticket":
        number, ttype, cat, subject, status, prio, assignee, desc, comment = arg
        cat_id = ctx.q1("SELECT id FROM ticket_categories WHERE name = ?", (cat,))["id"]
        user = ctx.q1("SELECT id FROM staff_users WHERE username = ?", (assignee,)) if assignee else None
        ctx.user = assignee or "csr"
        tid = domain.create_ticket(
            ctx,
            ids[number],
            subject=subject,
            description=desc,
            type=ttype,
            category_id=cat_id,
            priority=prio,
            assigned_to=user["id"] if user else None,
            status=status,
        )
        if status == "Closed":
            domain.update_ticket(ctx, tid, resolution=comment)
        elif comment:
            domain.update_ticket(ctx, tid, comment=comment)
        ctx.user = "system"
    elif kind == "workorder":
        number, wtype, status, in_days, tech, notes = arg
        wid = domain.create_workorder(
            ctx,
            ids[number],
            type=wtype,
            scheduled=(ctx.today + timedelta(days=in_days)).isoformat() if status != "Completed" else day.isoformat(),
            technician=tech,
            notes=notes,
        )
        if status != "Scheduled":
            domain.update_workorder(ctx, wid, status)
