"""Payment methods on file, One-Off Credit Card Payment, Create New Payment, receipts."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for

from .. import domain
from ..auth import ctx, requires
from ..domain import DomainError
from ..forms import f, take_payment_from_form
from .common import account_or_404, account_page, bp, fail, page


@bp.get("/Overview/<number>/Tools/PaymentMethods")
@requires("Accounts", post="List")
@requires("Payments")
def payment_methods(number: str) -> Any:
    acct = account_or_404(number)
    return account_page("payment_methods.html", number, "Tools", methods=domain.payment_methods_for(ctx(), acct["id"]))


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
