"""AdminPortal: /AdminPortal/..."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from . import domain
from .auth import can, ctx, current_staff, requires, staff_required
from .db import transaction
from .domain import DomainError, FaultError
from .forms import account_from_form, f, take_payment_from_form
from .permissions import AREA_HELP, AREAS

bp = Blueprint("admin", __name__)


def page(template: str, **kw: Any) -> str:
    return render_template(f"admin/{template}", **kw)


def ok(msg: str) -> None:
    flash(msg, "success")


def fail(msg: str) -> None:
    flash(msg, "error")


def account_or_404(number: str) -> Any:
    acct = domain.account_by_number(ctx(), number)
    if acct is None:
        abort(404, description=f"Account '{number}' was not found.")
    return acct


def account_page(template: str, number: str, tab: str, **kw: Any) -> str:
    c = ctx()
    acct = account_or_404(number)
    summary = domain.account_summary(c, acct["id"])
    return page(template, acct=acct, s=summary, tab=tab, **kw)


# ------------------------------------------------------------------------------------------- login


@bp.route("/", methods=["GET"])
def root() -> Any:
    if current_staff() is None:
        return redirect(url_for("admin.login"))
    return redirect(url_for("admin.home"))


@bp.route("/Login", methods=["GET", "POST"])
def login() -> Any:
    c = ctx()
    nxt = request.args.get("next") or request.form.get("next") or ""
    if not nxt.startswith("/AdminPortal/"):
        nxt = url_for("admin.home")
    if request.method == "POST":
        username, password = f("Username"), request.form.get("Password", "")
        if c.has("admin-login-broken"):
            with transaction(c.conn):
                domain.log_event(
                    c,
                    "Security",
                    "Login",
                    "Exception: System.NullReferenceException: Object reference "
                    "not set to an instance of an object. at LoginController.Authenticate()",
                    "Error",
                )
            fail("Login failed: An error has occurred. Please contact your administrator.")
            return page("login.html", username=username, next=nxt), 500
        row = c.q1("SELECT * FROM staff_users WHERE username = ?", (username,))
        if row is None or not domain.check_password(row["password_hash"], password):
            fail("Invalid username or password.")
            return page("login.html", username=username, next=nxt), 401
        session.clear()
        session["staff_id"] = row["id"]
        c.user = row["username"]
        with transaction(c.conn):
            domain.log_event(c, "Security", "Login", f"User '{row['username']}' logged in to the AdminPortal")
            domain.audit(c, "StaffUser", row["id"], "Login")
        from .provisioning import write_fault_errors

        write_fault_errors(c)
        return redirect(nxt)
    return page("login.html", username="", next=nxt)


@bp.route("/Logout", methods=["GET", "POST"])
def logout() -> Any:
    session.pop("staff_id", None)
    ok("You have been logged out.")
    return redirect(url_for("admin.login"))


@bp.route("/ChangePassword", methods=["GET", "POST"])
@staff_required
def change_password() -> Any:
    staff = current_staff()
    assert staff is not None
    if request.method == "POST":
        current, new, confirm = (request.form.get(k, "") for k in ("CurrentPassword", "NewPassword", "ConfirmPassword"))
        c = ctx()
        if not domain.check_password(staff["password_hash"], current):
            fail("Current Password is incorrect.")
        elif len(new) < staff["password_length"]:
            fail(f"New Password must be at least {staff['password_length']} characters.")
        elif new != confirm:
            fail("New Password and Confirm Password do not match.")
        else:
            with transaction(c.conn):
                c.x(
                    "UPDATE staff_users SET password_hash = ? WHERE id = ?",
                    (domain.hash_password(new), staff["id"]),
                )
                domain.audit(c, "StaffUser", staff["id"], "Change Password")
            ok("Your password has been changed.")
            return redirect(url_for("admin.home"))
    return page("change_password.html")


@bp.get("/About")
@staff_required
def about() -> Any:
    from .app import state

    st = state()
    return page("about.html", faults=sorted(st.faults), db_path=st.db_path)


@bp.get("/Home")
@staff_required
def home() -> Any:
    c = ctx()
    accounts = domain.search_accounts(c) if can("Accounts") else []
    return page("home.html", accounts=[_row(c, a) for a in accounts])


def _row(c: domain.Ctx, a: Any) -> dict[str, Any]:
    d = dict(a)
    d["balance"] = domain.money(domain.balance(c, a["id"]))
    return d


@bp.get("/Accounts")
@requires("Accounts", post="List")
def accounts() -> Any:
    c = ctx()
    q, status = request.args.get("q", "").strip(), request.args.get("status", "")
    rows = domain.search_accounts(c, q, status)
    if q and len(rows) == 1 and request.args.get("go") != "0":
        return redirect(url_for("admin.overview", number=rows[0]["number"]))
    return page(
        "accounts.html",
        accounts=[_row(c, a) for a in rows],
        q=q,
        status=status,
        statuses=domain.ACCOUNT_STATUSES,
    )


@bp.get("/Statistics")
@requires("Reports")
def statistics() -> Any:
    return page("statistics.html", stats=domain.statistics(ctx()))


# ----------------------------------------------------------------------------------------- accounts


@bp.route("/Account/New", methods=["GET", "POST"])
@requires("Accounts", level="Edit")
def account_new() -> Any:
    c = ctx()
    pkgs = domain.packages(c)
    if request.method == "POST":
        try:
            with transaction(c.conn):
                aid = domain.create_account(
                    c,
                    name=f("AccountName") or f"{f('FirstName')} {f('LastName')}".strip(),
                    account_type=f("AccountType", "Residential"),
                    status=f("Status", "Active"),
                    company=f("Company"),
                    parent_number=f("ParentAccount"),
                    bill_day=int(f("BillDay") or min(c.today.day, 28)),
                )
                domain.save_contact(
                    c,
                    aid,
                    contact_type=f("ContactType", "Billing Contact"),
                    first_name=f("FirstName"),
                    last_name=f("LastName"),
                    company=f("Company"),
                    is_primary=True,
                    points={"Address": f("Address"), "Home Phone": f("Phone"), "Email Address": f("Email")},
                )
                method = f("PaymentMethod", "None")
                if method == "Credit Card":
                    num, exp = domain.validate_card(f("CardNumber"), f("Expiry"), f("CVV"))
                    c.x(
                        "INSERT INTO payment_methods(account_id, kind, label, last4, brand, expiry, "
                        "token, is_default)"
                        " VALUES (?,?,?,?,?,?,?,1)",
                        (
                            aid,
                            "Credit Card",
                            f"{domain.card_brand(num)} ending {num[-4:]}",
                            num[-4:],
                            domain.card_brand(num),
                            exp,
                            "tok_approve" if num == domain.TEST_CARD_APPROVE else "tok_decline",
                        ),
                    )
                elif method == "eCheck":
                    acc = "".join(ch for ch in f("BankAccountNumber") if ch.isdigit())
                    if len("".join(ch for ch in f("RoutingNumber") if ch.isdigit())) != 9 or len(acc) < 4:
                        raise DomainError("Routing Number must be 9 digits and Bank Account Number at least 4")
                    c.x(
                        "INSERT INTO payment_methods(account_id, kind, label, last4, brand, expiry, "
                        "token, is_default)"
                        " VALUES (?,?,?,?,?,?,?,1)",
                        (aid, "eCheck", f"eCheck ending {acc[-4:]}", acc[-4:], "ACH", "", "tok_approve"),
                    )
                if f("Package"):
                    domain.add_package(c, aid, int(f("Package")), radius_username=f("RadiusUserName"))
                number = domain.account_by_id(c, aid)["number"]  # type: ignore[index]
            ok(f"Account {number} created.")
            return redirect(url_for("admin.overview", number=number))
        except (DomainError, ValueError) as exc:
            fail(str(exc))
    return page(
        "account_new.html",
        packages=pkgs,
        form=request.form,
        statuses=domain.ACCOUNT_STATUSES,
        types=domain.ACCOUNT_TYPES,
        contact_types=domain.CONTACT_TYPES,
    )


@bp.get("/Overview/<number>")
@requires("Accounts", post="List")
def overview(number: str) -> Any:
    c = ctx()
    acct = account_or_404(number)
    late: dict[str, Any] | None = None
    try:
        overdue, fee = domain.late_fee(c, acct["id"])
        if fee:
            late = {"text": domain.money(fee), "overdue": domain.money(overdue), "error": False}
    except FaultError as exc:
        late = {"text": f"Error: {exc}", "overdue": "", "error": True}
    return account_page(
        "overview.html",
        number,
        "Overview",
        late=late,
        extensions=domain.page_extensions_for(c, "overview/index"),
    )


@bp.route("/Overview/<number>/Edit", methods=["GET", "POST"])
@requires("Accounts", level="Edit")
def account_edit(number: str) -> Any:
    c = ctx()
    acct = account_or_404(number)
    if request.method == "POST":
        try:
            with transaction(c.conn):
                new_status = f("Status", acct["status"])
                domain.update_account(
                    c,
                    acct["id"],
                    name=f("AccountName"),
                    company=f("Company"),
                    account_type=f("AccountType", acct["account_type"]),
                    bill_day=int(f("BillDay") or acct["bill_day"]),
                    sales_rep=f("SalesRep"),
                    notes=f("Notes"),
                )
                if new_status != acct["status"]:
                    if new_status not in domain.ACCOUNT_STATUSES:
                        raise DomainError(f"Unknown status '{new_status}'")
                    domain.set_account_status(c, acct["id"], new_status)
            ok("Account saved.")
            return redirect(url_for("admin.overview", number=number))
        except (DomainError, ValueError) as exc:
            fail(str(exc))
    return account_page(
        "account_edit.html", number, "Overview", statuses=domain.ACCOUNT_STATUSES, types=domain.ACCOUNT_TYPES
    )


# ----------------------------------------------------------------------------------------- contacts


@bp.get("/Overview/<number>/Contacts")
@requires("Accounts", post="List")
@requires("Contacts")
def contacts(number: str) -> Any:
    acct = account_or_404(number)
    return account_page("contacts.html", number, "Contacts", contacts=domain.contacts_for(ctx(), acct["id"]))


@bp.route("/Overview/<number>/Contacts/New", methods=["GET", "POST"], defaults={"contact_id": None})
@bp.route("/Overview/<number>/Contacts/<int:contact_id>/Edit", methods=["GET", "POST"])
@requires("Accounts", post="List")
@requires("Contacts", level="Edit")
def contact_form(number: str, contact_id: int | None) -> Any:
    c = ctx()
    acct = account_or_404(number)
    contact = None
    if contact_id is not None:
        contact = next((x for x in domain.contacts_for(c, acct["id"]) if x["id"] == contact_id), None)
        if contact is None:
            abort(404, description="Contact not found.")
    if request.method == "POST":
        try:
            domain.save_contact(
                c,
                acct["id"],
                contact_id=contact_id,
                contact_type=f("ContactType"),
                first_name=f("FirstName"),
                last_name=f("LastName"),
                company=f("Company"),
                points={t: request.form.get(t.replace(" ", ""), "") for t in domain.CONTACT_POINT_TYPES},
            )
            ok("Contact saved.")
            return redirect(url_for("admin.contacts", number=number))
        except DomainError as exc:
            fail(str(exc))
    return account_page(
        "contact_form.html",
        number,
        "Contacts",
        contact=contact,
        form=request.form,
        contact_types=domain.CONTACT_TYPES,
        point_types=domain.CONTACT_POINT_TYPES,
    )


@bp.post("/Overview/<number>/Contacts/<int:contact_id>/Delete")
@requires("Accounts", post="List")
@requires("Contacts", level="Edit")
def contact_delete(number: str, contact_id: int) -> Any:
    acct = account_or_404(number)
    domain.delete_contact(ctx(), acct["id"], contact_id)
    ok("Contact deleted.")
    return redirect(url_for("admin.contacts", number=number))


# ----------------------------------------------------------------------------------------- packages


@bp.get("/Overview/<number>/Packages")
@requires("Accounts", post="List")
@requires("Packages")
def packages(number: str) -> Any:
    return account_page("packages.html", number, "Packages", statuses=list(domain.USER_PACKAGE_STATUS_TYPES))


@bp.route("/Overview/<number>/Packages/Add", methods=["GET", "POST"])
@requires("Accounts", post="List")
@requires("Packages", level="Edit")
def package_add(number: str) -> Any:
    c = ctx()
    acct = account_or_404(number)
    if request.method == "POST":
        try:
            pkg_id = int(f("Package") or 0)
            start = domain.parse_date(f("StartDate")) if f("StartDate") else c.today
            up = domain.add_package(
                c,
                acct["id"],
                pkg_id,
                start=start,
                radius_username=f("RadiusUserName"),
                status=f("Status", "Active"),
            )
            name = domain.package_by_id(c, pkg_id)["name"]  # type: ignore[index]
            queued = c.q1("SELECT id FROM provisioning_requests WHERE user_package_id = ?", (up,))
            ok(f"Package '{name}' added." + (f" Provisioning request {queued['id']} queued." if queued else ""))
            return redirect(url_for("admin.packages", number=number))
        except DomainError as exc:
            fail(str(exc))
        except ValueError:
            fail("Please choose a package.")
    return account_page(
        "package_add.html",
        number,
        "Packages",
        packages=domain.packages(c),
        form=request.form,
        statuses=list(domain.USER_PACKAGE_STATUS_TYPES),
    )


@bp.post("/Overview/<number>/Packages/<int:up_id>/Status")
@requires("Accounts", post="List")
@requires("Packages", level="Edit")
def package_status(number: str, up_id: int) -> Any:
    c = ctx()
    acct = account_or_404(number)
    if c.q1("SELECT id FROM user_packages WHERE id = ? AND account_id = ?", (up_id, acct["id"])) is None:
        abort(404)
    try:
        domain.set_user_package_status(c, up_id, f("Status"))
        ok("Package status changed.")
    except DomainError as exc:
        fail(str(exc))
    return redirect(url_for("admin.packages", number=number))


# ------------------------------------------------------------------------------ transactions/invoices


@bp.get("/Overview/<number>/Transactions")
@requires("Accounts", post="List")
@requires("Transactions")
def transactions(number: str) -> Any:
    acct = account_or_404(number)
    c = ctx()
    return account_page(
        "transactions.html",
        number,
        "Transactions",
        transactions=domain.transactions_for(c, acct["id"]),
        payments=domain.payments_for(c, acct["id"]),
    )


@bp.route("/Overview/<number>/Transactions/New", methods=["GET", "POST"])
@requires("Accounts", post="List")
@requires("Transactions", level="Edit")
def transaction_new(number: str) -> Any:
    c = ctx()
    acct = account_or_404(number)
    if request.method == "POST":
        try:
            domain.add_manual_transaction(c, acct["id"], f("Type"), f("Amount"), f("Detail"), f("Date"))
            ok("Transaction saved.")
            if "SaveNew" in request.form:
                return redirect(url_for("admin.transaction_new", number=number))
            return redirect(url_for("admin.transactions", number=number))
        except DomainError as exc:
            fail(str(exc))
    return account_page("transaction_new.html", number, "Transactions", form=request.form)


@bp.get("/Overview/<number>/Invoices")
@requires("Accounts", post="List")
@requires("Transactions")
def invoices(number: str) -> Any:
    acct = account_or_404(number)
    return account_page("invoices.html", number, "Invoices", invoices=domain.invoices_for(ctx(), acct["id"]))


@bp.get("/Invoice/<int:invoice_id>")
@requires("Transactions")
def invoice(invoice_id: int) -> Any:
    c = ctx()
    inv = domain.invoice_detail(c, invoice_id)
    if inv is None:
        abort(404, description="Invoice not found.")
    acct = domain.account_by_id(c, inv["account_id"])
    return account_page("invoice.html", acct["number"], "Invoices", inv=inv)  # type: ignore[index]


# ------------------------------------------------------------------------------------ tools/payments


@bp.get("/Overview/<number>/Tools")
@requires("Accounts", post="List")
def tools(number: str) -> Any:
    return account_page("tools.html", number, "Tools")


@bp.get("/Overview/<number>/Tools/PaymentMethods")
@requires("Accounts", post="List")
@requires("Payments")
def payment_methods(number: str) -> Any:
    acct = account_or_404(number)
    return account_page("payment_methods.html", number, "Tools", methods=domain.payment_methods_for(ctx(), acct["id"]))


@bp.post("/Overview/<number>/Tools/BillAccount")
@requires("Accounts", post="List")
@requires("BillRuns", level="Edit")
def bill_account(number: str) -> Any:
    c = ctx()
    acct = account_or_404(number)
    with transaction(c.conn):
        inv = domain.bill_account(c, acct["id"], date(2000, 1, 1), c.today)
        if inv:
            domain.log_event(c, "Billing", "BillAccount", f"Invoice {100000 + inv} created for account {number}")
    if inv:
        ok(f"Invoice {100000 + inv} created.")
    else:
        ok("Nothing to bill: no package is due on or before today.")
    return redirect(url_for("admin.invoices", number=number))


@bp.route("/Overview/<number>/Tools/OneOffCreditCardPayment", methods=["GET", "POST"])
@requires("Accounts", post="List")
@requires("Payments", level="Edit")
def one_off(number: str) -> Any:
    c = ctx()
    acct = account_or_404(number)
    if request.method == "POST":
        try:
            pay = domain.take_payment(
                c,
                acct["id"],
                f("Amount"),
                "Credit Card",
                card_number=f("CardNumber"),
                expiry=f("Expiry"),
                cvv=f("CVV"),
                name_on_card=f("NameOnCard"),
                source="One-Off",
            )
            return redirect(url_for("admin.payment_receipt", payment_id=pay["id"]))
        except DomainError as exc:
            fail(str(exc))
    return account_page(
        "one_off.html",
        number,
        "Tools",
        form=request.form,
        default_amount=domain.money(max(domain.balance(c, acct["id"]), 0)).lstrip("$"),
    )


@bp.route("/Payment/New", methods=["GET", "POST"])
@requires("Payments", level="Edit")
def payment_new() -> Any:
    c = ctx()
    number = (request.values.get("account") or request.form.get("AccountNumber") or "").strip()
    acct = domain.account_by_number(c, number) if number else None
    if request.method == "POST":
        try:
            if acct is None:
                raise DomainError(f"Account '{number}' not found")
            pay = take_payment_from_form(c, acct["id"], f("PaymentType"), reference=f("Reference"))
            return redirect(url_for("admin.payment_receipt", payment_id=pay["id"]))
        except (DomainError, ValueError) as exc:
            fail(str(exc))
    methods = domain.payment_methods_for(c, acct["id"]) if acct else []
    kinds = {p["kind"] for p in domain.card_processors(c)}
    return page(
        "payment_new.html",
        acct=acct,
        number=number,
        methods=methods,
        form=request.form,
        types=[t for t in domain.PAYMENT_TYPES if t in kinds or t in ("Cash", "Check")],
        balance=domain.money(domain.balance(c, acct["id"])) if acct else "",
    )


@bp.get("/Payment/<int:payment_id>")
@requires("Payments")
def payment_receipt(payment_id: int) -> Any:
    c = ctx()
    pay = domain.payment(c, payment_id)
    if pay is None:
        abort(404, description="Payment not found.")
    return page("payment_receipt.html", pay=pay, balance=domain.money(domain.balance(c, pay["account_id"])))


# ------------------------------------------------------------------------------------------ tickets


def _ticket_lists(c: domain.Ctx) -> dict[str, Any]:
    return {
        "types": domain.TICKET_TYPES,
        "statuses": domain.TICKET_STATUSES,
        "priorities": domain.TICKET_PRIORITIES,
        "categories": c.q("SELECT * FROM ticket_categories WHERE active = 1 ORDER BY name"),
        "assignees": domain.assignable_users(c),
    }


@bp.get("/Overview/<number>/Tickets")
@requires("Accounts", post="List")
@requires("Tickets")
def account_tickets(number: str) -> Any:
    acct = account_or_404(number)
    c = ctx()
    return account_page(
        "account_tickets.html",
        number,
        "Tickets",
        tickets=domain.tickets(c, account_id=acct["id"]),
        workorders=domain.workorders(c, acct["id"]) if can("Workorders") else None,
    )


@bp.get("/Tickets")
@requires("Tickets")
def tickets() -> Any:
    c = ctx()
    a = request.args
    rows = domain.tickets(
        c,
        status=a.get("status", ""),
        priority=a.get("priority", ""),
        assigned_to=a.get("assigned", ""),
        q=a.get("q", "").strip(),
    )
    return page("tickets.html", tickets=rows, args=a, **_ticket_lists(c))


@bp.route("/Ticket/New", methods=["GET", "POST"])
@requires("Tickets", level="Edit")
def ticket_new() -> Any:
    c = ctx()
    if request.method == "POST":
        try:
            acct = account_from_form(c)
            tid = domain.create_ticket(
                c,
                acct["id"],
                subject=f("Subject"),
                description=f("Description"),
                type=f("Type", "Trouble"),
                category_id=int(f("Category") or 0) or None,
                priority=f("Priority", "Normal"),
                assigned_to=int(f("AssignedTo") or 0) or None,
                status=f("Status", "New"),
            )
            ok(f"Ticket {tid} created.")
            return redirect(url_for("admin.ticket", ticket_id=tid))
        except DomainError as exc:
            fail(str(exc))
    return page("ticket_new.html", form=request.form, account=request.args.get("account", ""), **_ticket_lists(c))


@bp.route("/Ticket/<int:ticket_id>", methods=["GET", "POST"])
@requires("Tickets")
def ticket(ticket_id: int) -> Any:
    c = ctx()
    t = domain.ticket(c, ticket_id)
    if t is None:
        abort(404, description="Ticket not found.")
    status = 200
    if request.method == "POST":
        try:
            domain.update_ticket(
                c,
                ticket_id,
                comment=f("Comment"),
                subject=f("Subject"),
                status=f("Status"),
                priority=f("Priority"),
                type=f("Type"),
                category_id=int(f("Category") or 0) or None,
                assigned_to=int(f("AssignedTo") or 0) or None,
                resolution=f("Resolution"),
                description=f("Description"),
            )
            ok("Ticket saved.")
            return redirect(url_for("admin.ticket", ticket_id=ticket_id))
        except FaultError as exc:
            fail(str(exc))
            status = 500
        except DomainError as exc:
            fail(str(exc))
            status = 400
    return page("ticket.html", t=t, **_ticket_lists(c)), status


# --------------------------------------------------------------------------------------- workorders


@bp.get("/Workorders")
@requires("Workorders")
def workorders() -> Any:
    c = ctx()
    return page(
        "workorders.html",
        workorders=domain.workorders(c, status=request.args.get("status", "")),
        statuses=domain.WORKORDER_STATUSES,
        status=request.args.get("status", ""),
    )


@bp.route("/Workorder/New", methods=["GET", "POST"])
@requires("Workorders", level="Edit")
def workorder_new() -> Any:
    c = ctx()
    if request.method == "POST":
        try:
            acct = account_from_form(c)
            wid = domain.create_workorder(
                c,
                acct["id"],
                type=f("Type"),
                scheduled=f("ScheduledDate"),
                technician=f("Technician"),
                notes=f("Notes"),
            )
            ok(f"Workorder {wid} created.")
            return redirect(url_for("admin.workorder", workorder_id=wid))
        except DomainError as exc:
            fail(str(exc))
    return page(
        "workorder_new.html",
        form=request.form,
        account=request.args.get("account", ""),
        types=domain.WORKORDER_TYPES,
        default_date=(c.today + timedelta(days=3)).isoformat(),
    )


@bp.route("/Workorder/<int:workorder_id>", methods=["GET", "POST"])
@requires("Workorders")
def workorder(workorder_id: int) -> Any:
    c = ctx()
    w = next((x for x in domain.workorders(c) if x["id"] == workorder_id), None)
    if w is None:
        abort(404, description="Workorder not found.")
    if request.method == "POST":
        try:
            domain.update_workorder(c, workorder_id, f("Status"), f("Notes"))
            ok("Workorder saved.")
            return redirect(url_for("admin.workorder", workorder_id=workorder_id))
        except DomainError as exc:
            fail(str(exc))
    return page("workorder.html", w=w, statuses=domain.WORKORDER_STATUSES)


# ------------------------------------------------------------------------------------- provisioning


@bp.get("/Provisioning")
@requires("Provisioning")
def provisioning() -> Any:
    c = ctx()
    a = request.args
    sql = (
        "SELECT r.*, a.number AS account_number, a.name AS account_name FROM provisioning_requests r "
        "JOIN accounts a ON a.id = r.account_id WHERE 1=1"
    )
    args: list[Any] = []
    if a.get("status"):
        sql += " AND r.status = ?"
        args.append(a["status"])
    if a.get("account"):
        sql += " AND a.number = ?"
        args.append(a["account"].strip())
    rows = c.q(sql + " ORDER BY r.id DESC", args)
    return page("provisioning.html", rows=rows, args=a)


@bp.post("/Provisioning/<int:request_id>/Retry")
@requires("Provisioning", level="Edit")
def provisioning_retry(request_id: int) -> Any:
    import time as _time

    c = ctx()
    with transaction(c.conn):
        c.x(
            "UPDATE provisioning_requests SET status = 'Queued', attempts = 0, message = 'Retry requested', "
            "created_ts = ? WHERE id = ?",
            (_time.time(), request_id),
        )
        domain.log_event(c, "Provisioning", "Retry", f"Request {request_id} re-queued by {c.user}")
    ok(f"Provisioning request {request_id} re-queued.")
    return redirect(url_for("admin.provisioning"))


# ------------------------------------------------------------------------------------------ reports


@bp.get("/Reports")
@requires("Reports")
def reports() -> Any:
    return page("reports.html")


@bp.get("/Reports/EventLog")
@requires("Reports")
def event_log() -> Any:
    c = ctx()
    a = request.args
    sql = "SELECT * FROM event_log WHERE 1=1"
    args: list[Any] = []
    if a.get("from"):
        sql += " AND date >= ?"
        args.append(a["from"].strip().replace("T", " "))
    if a.get("module"):
        sql += " AND module = ?"
        args.append(a["module"])
    if a.get("errors"):
        # GLOB is case-sensitive (LIKE is not): "Error"/"Exception", not "errors".
        sql += " AND (level = 'Error' OR result GLOB '*Error*' OR result GLOB '*Exception*')"
    if a.get("after", "").isdigit():
        sql += " AND id > ?"
        args.append(int(a["after"]))
    rows = c.q(sql + " ORDER BY id DESC LIMIT 500", args)
    modules = [r["module"] for r in c.q("SELECT DISTINCT module FROM event_log ORDER BY module")]
    return page("event_log.html", rows=rows, modules=modules, args=a)


@bp.get("/Reports/AuditLog")
@requires("Reports")
def audit_log() -> Any:
    c = ctx()
    a = request.args
    sql = (
        "SELECT l.*, a.number AS account_number FROM audit_log l LEFT JOIN accounts a ON a.id = l.account_id WHERE 1=1"
    )
    args: list[Any] = []
    if a.get("account"):
        sql += " AND a.number = ?"
        args.append(a["account"].strip())
    if a.get("user"):
        sql += " AND l.username = ?"
        args.append(a["user"].strip())
    rows = c.q(sql + " ORDER BY l.id DESC LIMIT 500", args)
    return page("audit_log.html", rows=rows, args=a)


@bp.get("/Reports/UDRHistory")
@requires("Reports")
def udr_history() -> Any:
    c = ctx()
    a = request.args
    acct = domain.account_by_number(c, a["account"]) if a.get("account") else None
    if a.get("account") and acct is None:
        fail(f"Account '{a['account']}' not found.")
    try:
        start = domain.parse_date(a["from"]) if a.get("from") else None
        end = domain.parse_date(a["to"]) if a.get("to") else None
    except DomainError as exc:
        fail(str(exc))
        start = end = None
    report = domain.usage_report(c, acct["id"] if acct else None, start, end) if acct or not a.get("account") else None
    return page("udr_history.html", report=report, args=a, acct=acct)


@bp.get("/Reports/AccountServices")
@requires("Reports")
def account_services() -> Any:
    c = ctx()
    a = request.args
    sql = (
        "SELECT up.*, p.name AS package_name, a.number AS account_number, a.name AS account_name, "
        "a.id AS aid "
        "FROM user_packages up JOIN packages p ON p.id = up.package_id JOIN accounts a ON a.id = "
        "up.account_id "
        "WHERE 1=1"
    )
    args: list[Any] = []
    if a.get("package"):
        sql += " AND p.name = ?"
        args.append(a["package"])
    if a.get("status"):
        sql += " AND up.status = ?"
        args.append(a["status"])
    rows = []
    for r in c.q(sql + " ORDER BY CAST(a.number AS INTEGER), up.id", args):
        d = dict(r)
        d["price"] = domain.money(sum(x for _, _, x in domain.charge_lines(c, r["aid"], r["package_id"])))
        rows.append(d)
    return page(
        "account_services.html",
        rows=rows,
        args=a,
        packages=domain.packages(c),
        statuses=list(domain.USER_PACKAGE_STATUS_TYPES),
    )


# -------------------------------------------------------------------------------------------- setup


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


@bp.route("/Setup/PageExtensions", methods=["GET", "POST"])
@requires("Setup")
def page_extensions() -> Any:
    c = ctx()
    if request.method == "POST":
        with transaction(c.conn):
            c.x(
                "UPDATE page_extensions SET enabled = ?, content = COALESCE(NULLIF(?, ''), content) WHERE id = ?",
                (
                    1 if request.form.get("Enabled") else 0,
                    request.form.get("Content", ""),
                    int(f("ExtensionId") or 0),
                ),
            )
        ok("Page extension saved.")
        return redirect(url_for("admin.page_extensions"))
    return page("page_extensions.html", extensions=c.q("SELECT * FROM page_extensions ORDER BY id"))


@bp.route("/Setup/Actions", methods=["GET", "POST"])
@requires("Setup")
def actions() -> Any:
    c = ctx()
    if request.method == "POST":
        with transaction(c.conn):
            c.x(
                "UPDATE actions SET enabled = ? WHERE id = ?",
                (1 if request.form.get("Enabled") else 0, int(f("ActionId") or 0)),
            )
        ok("Action saved.")
        return redirect(url_for("admin.actions"))
    return page("actions.html", actions=c.q("SELECT * FROM actions ORDER BY id"))


@bp.route("/Setup/CustomCode", methods=["GET", "POST"])
@requires("Setup")
def custom_code() -> Any:
    c = ctx()
    status = 200
    if request.method == "POST":
        try:
            ok(domain.run_custom_code(c, f("Name")))
            return redirect(url_for("admin.custom_code"))
        except FaultError as exc:
            fail(f"Error: {exc}")
            status = 500
        except DomainError as exc:
            fail(str(exc))
    return page("custom_code.html", codes=c.q("SELECT * FROM custom_code ORDER BY name")), status


@bp.route("/Setup/Import", methods=["GET", "POST"])
@requires("Import")
def import_page() -> Any:
    c = ctx()
    result = None
    if request.method == "POST":
        upload = request.files.get("File")
        text = request.form.get("CsvText", "")
        filename = "pasted.csv"
        if upload is not None and upload.filename:
            filename = upload.filename
            text = upload.read().decode("utf-8-sig", errors="replace")
        if not text.strip():
            fail("Choose a CSV file to upload.")
        else:
            try:
                result = domain.import_csv(c, f("ImportType", "usage"), text, filename)
                msg = f"Imported {result['imported']} rows, {len(result['errors'])} errors"
                (fail if result["errors"] and not result["imported"] else ok)(msg)
            except DomainError as exc:
                fail(str(exc))
    history = c.q("SELECT * FROM imports ORDER BY id DESC LIMIT 20")
    return page("import.html", result=result, history=history, kinds=domain.IMPORT_KINDS)


@bp.route("/Setup/BillRuns", methods=["GET", "POST"])
@requires("BillRuns")
def bill_runs() -> Any:
    c = ctx()
    result = None
    status = 200
    if request.method == "POST":
        try:
            start = domain.parse_date(f("Start") or c.today.isoformat())
            end = domain.parse_date(f("End") or c.today.isoformat())
            result = domain.run_bill_run(c, start, end, f("Name") or "Bill Run")
            ok(
                f"Bill run completed: {len(result['invoices'])} invoice(s) generated, total "
                f"{domain.money(result['total'])}."
            )
        except FaultError as exc:
            fail(str(exc))
            status = 500
        except DomainError as exc:
            fail(str(exc))
    runs = c.q("SELECT * FROM bill_runs ORDER BY id DESC LIMIT 50")
    return page("bill_runs.html", runs=runs, result=result), status
