"""Customer portal: /Portal/..."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from . import domain
from .auth import ctx, portal_account_id, portal_required
from .db import transaction
from .domain import DomainError, FaultError, add_months
from .forms import f, take_payment_from_form, ticket_fields

bp = Blueprint("portal", __name__)


def page(template: str, **kw: Any) -> str:
    return render_template(f"portal/{template}", side="portal", **kw)


def account() -> Any:
    aid = portal_account_id()
    acct = domain.account_by_id(ctx(), aid) if aid else None
    if acct is None:
        abort(403)
    return acct


def owned(row: Any, acct: Any, what: str) -> Any:
    """A record of the customer's own account; another's is "not found" like a missing one (no probing)."""
    if row is None or row["account_id"] != acct["id"]:
        abort(404, description=f"{what} not found.")
    return row


def dashboard_values(c: domain.Ctx, account_id: int) -> dict[str, Any]:
    s = domain.account_summary(c, account_id)
    bal = s["balance_cents"]
    last = domain.last_invoice(c, account_id)
    if c.has("portal-stale-balance") and last is not None:
        # Stale: the balance as it was when the last invoice was produced; later payments are missing.
        bal = domain.balance(c, account_id, as_of=date.fromisoformat(last["date"]))
    nbd = s["next_bill_date_value"]
    if c.has("portal-wrong-bill-date") and nbd is not None:
        nbd = add_months(nbd, -1)
    s["portal_balance"] = domain.money(bal)
    s["portal_next_bill_date"] = nbd.isoformat() if nbd else "None"
    return s


@bp.get("/")
def root() -> Any:
    return redirect(url_for("portal.dashboard") if portal_account_id() else url_for("portal.login"))


@bp.route("/Login", methods=["GET", "POST"])
def login() -> Any:
    c = ctx()
    nxt = request.values.get("next") or ""
    if not nxt.startswith("/Portal/"):
        nxt = url_for("portal.dashboard")
    if request.method == "POST":
        login_name = f("PortalLogin")
        if c.has("portal-login-broken"):
            flash(
                "Login failed: the portal could not reach EngageIP (Error 503). Please try again later.",
                "error",
            )
            return page("login.html", login=login_name, next=nxt), 503
        aid = domain.portal_authenticate(c, login_name, request.form.get("PortalPassword", ""))
        if aid is None:
            flash("Invalid Portal Login or Portal Password.", "error")
            return page("login.html", login=login_name, next=nxt), 401
        session.pop("portal_account_id", None)
        session["portal_account_id"] = aid
        session["portal_login"] = login_name
        c.user = f"portal:{login_name}"
        with transaction(c.conn):
            domain.log_event(c, "Portal", "Login", f"Portal user '{login_name}' logged in")
        return redirect(nxt)
    return page("login.html", login="", next=nxt)


@bp.route("/Logout", methods=["GET", "POST"])
def logout() -> Any:
    session.pop("portal_account_id", None)
    session.pop("portal_login", None)
    flash("You have been logged out.", "success")
    return redirect(url_for("portal.login"))


@bp.route("/Signup", methods=["GET", "POST"])
def signup() -> Any:
    c = ctx()
    pkgs = domain.packages(c, signup_only=True)
    if request.method == "POST":
        c.user = f"portal:{f('PortalLogin')}"
        try:
            result = domain.signup(
                c,
                first_name=f("FirstName"),
                last_name=f("LastName"),
                email=f("EmailAddress"),
                phone=f("HomePhone"),
                address=f("Address"),
                company=f("Company"),
                package_id=int(f("Package") or 0),
                login=f("PortalLogin"),
                password=request.form.get("PortalPassword", ""),
                confirm=request.form.get("ConfirmPassword", ""),
            )
            session.pop("portal_account_id", None)
            session["portal_account_id"] = result["account_id"]
            session["portal_login"] = f("PortalLogin")
            return page("signup_done.html", result=result, first_name=f("FirstName")), 201
        except (DomainError, ValueError) as exc:
            flash(str(exc) if isinstance(exc, DomainError) else "Please choose a package", "error")
            return page("signup.html", packages=pkgs, form=request.form), 400
    return page("signup.html", packages=pkgs, form={})


@bp.get("/Dashboard")
@portal_required
def dashboard() -> Any:
    c = ctx()
    acct = account()
    s = dashboard_values(c, acct["id"])
    invoices = domain.invoices_for(c, acct["id"])[:3]
    return page("dashboard.html", s=s, invoices=invoices)


@bp.get("/Invoices")
@portal_required
def invoices() -> Any:
    c = ctx()
    acct = account()
    return page("invoices.html", invoices=domain.invoices_for(c, acct["id"]), s=dashboard_values(c, acct["id"]))


@bp.get("/Invoice/<int:invoice_id>")
@portal_required
def invoice(invoice_id: int) -> Any:
    c = ctx()
    acct = account()
    inv = owned(domain.invoice_detail(c, invoice_id), acct, "Invoice")
    return page("invoice.html", inv=inv)


@bp.get("/Transactions")
@portal_required
def transactions() -> Any:
    c = ctx()
    acct = account()
    return page(
        "transactions.html",
        transactions=domain.transactions_for(c, acct["id"]),
        s=dashboard_values(c, acct["id"]),
    )


@bp.route("/PayNow", methods=["GET", "POST"])
@portal_required
def pay_now() -> Any:
    c = ctx()
    acct = account()
    s = dashboard_values(c, acct["id"])
    methods = [
        m
        for m in domain.payment_methods_for(c, acct["id"])
        if m["kind"] in {p["kind"] for p in domain.card_processors(c)}
    ]
    kinds = [p["kind"] for p in domain.card_processors(c) if p["enabled"]]
    if request.method == "POST":
        try:
            pay = take_payment_from_form(
                c,
                acct["id"],
                f("PaymentMethod", "Credit Card"),
                source="Portal",
                save_method=bool(request.form.get("SaveMethod")),
            )
            return redirect(url_for("portal.receipt", payment_id=pay["id"]))
        except (DomainError, ValueError) as exc:
            flash(str(exc), "error")
            return page("pay.html", s=s, methods=methods, kinds=kinds, form=request.form), 400
    default_amount = domain.money(max(s["balance_cents"], 0)).lstrip("$").replace(",", "")
    return page("pay.html", s=s, methods=methods, kinds=kinds, form={"Amount": default_amount})


@bp.get("/Payment/<int:payment_id>")
@portal_required
def receipt(payment_id: int) -> Any:
    c = ctx()
    acct = account()
    pay = owned(domain.payment(c, payment_id), acct, "Payment")
    return page("receipt.html", pay=pay, s=dashboard_values(c, acct["id"]))


@bp.route("/Contact", methods=["GET", "POST"])
@portal_required
def contact() -> Any:
    c = ctx()
    acct = account()
    primary = domain.primary_contact(c, acct["id"])
    if request.method == "POST":
        try:
            domain.save_contact(
                c,
                acct["id"],
                contact_id=primary["id"] if primary else None,
                contact_type=primary["contact_type"] if primary else "Billing Contact",
                first_name=f("FirstName"),
                last_name=f("LastName"),
                company=primary["company"] if primary else "",
                points={
                    "Address": f("Address"),
                    "Home Phone": f("HomePhone"),
                    "Email Address": f("EmailAddress"),
                    "Portal Login": primary["point"].get("Portal Login", "") if primary else "",
                },
            )
            flash("Contact saved.", "success")
            return redirect(url_for("portal.contact"))
        except DomainError as exc:
            flash(str(exc), "error")
    return page("contact.html", contact=primary)


@bp.get("/Tickets")
@portal_required
def tickets() -> Any:
    acct = account()
    return page("tickets.html", tickets=domain.tickets(ctx(), account_id=acct["id"]))


@bp.route("/Tickets/New", methods=["GET", "POST"])
@portal_required
def ticket_new() -> Any:
    c = ctx()
    acct = account()
    if request.method == "POST":
        try:
            tid = domain.create_ticket(
                c,
                acct["id"],
                **ticket_fields(),
                priority="Normal",
                source="Portal",
            )
            flash(f"Ticket {tid} created.", "success")
            return redirect(url_for("portal.ticket", ticket_id=tid))
        except DomainError as exc:
            flash(str(exc), "error")
    return page(
        "ticket_new.html",
        types=domain.TICKET_TYPES,
        form=request.form,
        categories=c.q("SELECT * FROM ticket_categories WHERE active = 1 ORDER BY name"),
    )


@bp.route("/Ticket/<int:ticket_id>", methods=["GET", "POST"])
@portal_required
def ticket(ticket_id: int) -> Any:
    c = ctx()
    acct = account()
    t = owned(domain.ticket(c, ticket_id), acct, "Ticket")
    status = 200
    if request.method == "POST":
        try:
            if not f("Comment"):
                raise DomainError("Comment is required")
            domain.update_ticket(
                c,
                ticket_id,
                comment=f("Comment"),
                status="Open" if t["status"] in ("Resolved", "Closed", "New") else None,
            )
            flash("Comment added.", "success")
            return redirect(url_for("portal.ticket", ticket_id=ticket_id))
        except FaultError as exc:
            flash(str(exc), "error")
            status = 500
        except DomainError as exc:
            flash(str(exc), "error")
            status = 400
    return page("ticket.html", t=t), status


@bp.get("/Usage")
@portal_required
def usage() -> Any:
    c = ctx()
    acct = account()
    a = request.args
    try:
        start = domain.parse_date(a["from"]) if a.get("from") else None
        end = domain.parse_date(a["to"]) if a.get("to") else None
    except DomainError as exc:
        flash(str(exc), "error")
        start = end = None
    return page("usage.html", report=domain.usage_report(c, acct["id"], start, end), args=a)
