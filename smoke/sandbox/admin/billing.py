"""Transactions, invoices, Bill Account and Setup > Bill Runs."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, redirect, request, url_for

from .. import domain
from ..auth import ctx, requires
from ..db import transaction
from ..domain import DomainError, FaultError
from ..forms import f
from .common import account_or_404, account_page, bp, fail, ok, page


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
