"""Accounts: the Home and search lists, Create New Account, the Overview, Edit Account, the Tools tab."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from .. import domain
from ..auth import can, ctx, requires, staff_required
from ..db import transaction
from ..domain import DomainError, FaultError
from ..forms import f
from .common import account_or_404, account_page, bp, fail, ok, page


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


@bp.get("/Overview/<number>/Tools")
@requires("Accounts", post="List")
def tools(number: str) -> Any:
    return account_page("tools.html", number, "Tools")
