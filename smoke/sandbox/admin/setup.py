"""Setup: the index, roles and their permissions, card processors, the package catalogue, discounts and price plans, ticket categories."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for

from .. import domain
from ..auth import ctx, requires
from ..db import transaction
from ..domain import DomainError
from ..forms import account_from_form, f
from ..permissions import AREA_HELP, AREAS
from .common import bp, fail, ok, page


@bp.get("/Setup")
@requires("Setup", "Import", "BillRuns")
def setup() -> Any:
    return page("setup.html")


@bp.get("/Setup/Roles")
@requires("Setup")
def roles() -> Any:
    c = ctx()
    roles = []
    for r in c.q(
        "SELECT r.*, (SELECT COUNT(*) FROM staff_users u WHERE u.role_id = r.id) AS users FROM roles r ORDER BY r.id"
    ):
        d = dict(r)
        d["perms"] = {p["area"]: p for p in c.q("SELECT * FROM role_permissions WHERE role_id = ?", (r["id"],))}
        roles.append(d)
    users = c.q(
        "SELECT u.username, u.full_name, r.name AS role FROM staff_users u JOIN roles r ON r.id = u.role_id "
        "ORDER BY u.id"
    )
    return page("roles.html", roles=roles, users=users, area_help=AREA_HELP)


@bp.route("/Setup/Roles/<int:role_id>", methods=["GET", "POST"])
@requires("Setup")
def role_edit(role_id: int) -> Any:
    c = ctx()
    role = c.q1("SELECT * FROM roles WHERE id = ?", (role_id,))
    if role is None:
        abort(404)
    if request.method == "POST":
        try:
            length = int(f("PasswordLength") or 8)
        except ValueError:
            length = 8
        with transaction(c.conn):
            c.x(
                "UPDATE roles SET ticket_assignable = ?, password_length = ? WHERE id = ?",
                (1 if request.form.get("TicketAssignable") else 0, max(4, length), role_id),
            )
            for area in AREAS:
                c.x(
                    "INSERT OR REPLACE INTO role_permissions(role_id, area, can_list, can_edit) VALUES (?,?,?,?)",
                    (
                        role_id,
                        area,
                        1 if request.form.get(f"{area}_List") else 0,
                        1 if request.form.get(f"{area}_Edit") else 0,
                    ),
                )
            domain.audit(c, "Role", role_id, "Update", f"Role '{role['name']}' permissions saved")
        ok(f"Role '{role['name']}' saved.")
        return redirect(url_for("admin.roles"))
    perms = {p["area"]: p for p in c.q("SELECT * FROM role_permissions WHERE role_id = ?", (role_id,))}
    return page("role_edit.html", role=role, perms=perms, area_help=AREA_HELP)


@bp.route("/Setup/CardProcessors", methods=["GET", "POST"])
@requires("Setup")
def card_processors() -> Any:
    c = ctx()
    if request.method == "POST":
        pid = int(f("ProcessorId") or 0)
        with transaction(c.conn):
            c.x(
                "UPDATE card_processors SET test_mode = ?, enabled = ? WHERE id = ?",
                (1 if request.form.get("TestMode") else 0, 1 if request.form.get("Enabled") else 0, pid),
            )
        ok("Card processor saved.")
        return redirect(url_for("admin.card_processors"))
    return page("card_processors.html", processors=domain.card_processors(c))


@bp.get("/Setup/Packages")
@requires("Setup")
def setup_packages() -> Any:
    return page("setup_packages.html", packages=domain.packages(ctx()))


@bp.route("/Setup/Discounts", methods=["GET", "POST"])
@requires("Setup")
def discounts() -> Any:
    c = ctx()
    if request.method == "POST":
        try:
            acct = account_from_form(c)
            kind = f("Kind", "Percent")
            value = int(f("Value") or 0) if kind == "Percent" else domain.parse_money(f("Value"))
            if value <= 0 or (kind == "Percent" and value > 100):
                raise DomainError("Value must be a percentage 1-100 or an amount greater than zero")
            periods = int(f("Periods")) if f("Periods") else None
            with transaction(c.conn):
                c.x(
                    "INSERT INTO discounts(name, account_id, package_id, kind, value, periods) VALUES (?,?,?,?,?,?)",
                    (
                        f("Name") or "Discount",
                        acct["id"],
                        int(f("Package")) if f("Package") else None,
                        kind,
                        value,
                        periods,
                    ),
                )
                domain.audit(c, "Discount", None, "Create", f("Name"), acct["id"])
            ok("Discount saved.")
            return redirect(url_for("admin.discounts"))
        except (DomainError, ValueError) as exc:
            fail(str(exc))
    discounts = c.q(
        "SELECT d.*, a.number AS account_number, a.name AS account_name, p.name AS package_name "
        "FROM discounts d JOIN accounts a ON a.id = d.account_id LEFT JOIN packages p ON p.id = d.package_id"
        " ORDER BY d.id"
    )
    plans = []
    for p in c.q(
        "SELECT pp.*, a.number AS account_number, a.name AS account_name, p.name AS package_name FROM "
        "price_plans pp JOIN accounts a ON a.id = pp.account_id JOIN packages p ON p.id = pp.package_id"
    ):
        d = dict(p)
        d["tiers"] = c.q("SELECT * FROM price_plan_tiers WHERE price_plan_id = ? ORDER BY min_quantity", (p["id"],))
        plans.append(d)
    return page("discounts.html", discounts=discounts, plans=plans, packages=domain.packages(c), form=request.form)


@bp.route("/Setup/TicketCategories", methods=["GET", "POST"])
@requires("Setup")
def ticket_categories() -> Any:
    c = ctx()
    if request.method == "POST":
        name = f("Name")
        if not name:
            fail("Name is required.")
        elif c.q1("SELECT id FROM ticket_categories WHERE name = ?", (name,)):
            fail(f"Ticket category '{name}' already exists.")
        else:
            with transaction(c.conn):
                c.x("INSERT INTO ticket_categories(name, resolutions) VALUES (?,?)", (name, f("Resolutions")))
            ok(f"Ticket category '{name}' added.")
            return redirect(url_for("admin.ticket_categories"))
    return page(
        "ticket_categories.html",
        categories=c.q("SELECT * FROM ticket_categories ORDER BY name"),
        types=domain.TICKET_TYPES,
        statuses=domain.TICKET_STATUSES,
        priorities=domain.TICKET_PRIORITIES,
    )
