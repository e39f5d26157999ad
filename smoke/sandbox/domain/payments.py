"""Payments on the test-mode processors (credit card and eCheck/ACH), cash and check; payment methods."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..db import transaction
from .accounts import account_by_id
from .context import Ctx, DomainError
from .ledger import allocate_payments, post_transaction
from .logs import audit, log_event
from .values import money, parse_money

PAYMENT_TYPES = ["Credit Card", "eCheck", "Cash", "Check"]


TEST_CARD_APPROVE = "4111111111111111"


TEST_CARD_DECLINE = "4000000000000002"


TEST_ACH_ROUTING = "011000015"


TEST_ACH_DECLINE_ACCOUNT = "000000000"


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
