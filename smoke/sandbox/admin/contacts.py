"""An account's contacts and contact points."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for

from .. import domain
from ..auth import ctx, requires
from ..domain import DomainError
from ..forms import f
from .common import account_or_404, account_page, bp, fail, ok


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
