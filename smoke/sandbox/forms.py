"""Form reading shared by the AdminPortal and the portal blueprints."""

from __future__ import annotations

from typing import Any

from flask import request

from . import domain
from .domain import DomainError


def f(name: str, default: str = "") -> str:
    return (request.form.get(name) or default).strip()


def ticket_fields(type_default: str = "Trouble") -> dict[str, Any]:
    """What the AdminPortal's and the Portal's ticket forms both ask (create_ticket / update_ticket)."""
    return {
        "subject": f("Subject"),
        "description": f("Description"),
        "type": f("Type", type_default),
        "category_id": int(f("Category") or 0) or None,
    }


def account_from_form(c: Any, field: str = "AccountNumber") -> Any:
    """The account whose number the form names; a DomainError the page shows when there is none."""
    acct = domain.account_by_number(c, f(field))
    if acct is None:
        raise DomainError(f"Account '{f(field)}' not found")
    return acct


def take_payment_from_form(c: Any, account_id: int, method: str, **extra: Any) -> Any:
    """A payment from the card / eCheck / method-on-file fields both payment forms share."""
    pm_id = None
    if method.startswith("method:"):
        pm_id, method = int(method.split(":")[1]), ""
    return domain.take_payment(
        c,
        account_id,
        f("Amount"),
        method,
        card_number=f("CardNumber"),
        expiry=f("Expiry"),
        cvv=f("CVV"),
        name_on_card=f("NameOnCard"),
        routing=f("RoutingNumber"),
        bank_account=f("BankAccountNumber"),
        payment_method_id=pm_id,
        **extra,
    )
