"""Portal signup: account, Billing Contact with the portal login, user-package, provisioning."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..db import transaction
from .accounts import account_by_id, create_account
from .catalog import packages
from .contacts import save_contact
from .context import Ctx, DomainError
from .logs import log_event
from .userpackages import add_package


def signup(
    ctx: Ctx,
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    address: str,
    package_id: int,
    login: str,
    password: str,
    confirm: str,
    company: str = "",
) -> dict[str, Any]:
    """Portal signup: account, Billing Contact with Portal Login, user-package, provisioning request."""
    if not first_name.strip() or not last_name.strip():
        raise DomainError("First Name and Last Name are required")
    if "@" not in (email or ""):
        raise DomainError("A valid Email Address is required")
    if len((login or "").strip()) < 3:
        raise DomainError("Portal Login must be at least 3 characters")
    if len(password or "") < 8:
        raise DomainError("Portal Password must be at least 8 characters")
    if password != confirm:
        raise DomainError("Portal Password and Confirm Password do not match")
    pkg = next((p for p in packages(ctx, signup_only=True) if p["id"] == package_id), None)
    if pkg is None:
        raise DomainError("Please choose a package")
    name = f"{first_name.strip()} {last_name.strip()}"
    with transaction(ctx.conn):
        aid = create_account(
            ctx, name=name, company=company, account_type="Business" if company.strip() else "Residential"
        )
        # The signup contact carries the portal login, so it is saved even under contact-save-ignored.
        save_contact(
            replace(ctx, faults=ctx.faults - {"contact-save-ignored"}),
            aid,
            contact_type="Billing Contact",
            first_name=first_name,
            last_name=last_name,
            company=company,
            is_primary=True,
            points={
                "Address": address,
                "Home Phone": phone,
                "Email Address": email,
                "Portal Login": login,
                "Portal Password": password,
            },
        )
        acct = account_by_id(ctx, aid)
        assert acct is not None
        up_id = None
        if not ctx.has("signup-no-userpackage"):
            up_id = add_package(ctx, aid, package_id, radius_username=login.strip() if pkg["provisioning_type"] else "")
        log_event(
            ctx,
            "Portal",
            "Signup",
            f"Account {acct['number']} created for '{name}' with package '{pkg['name']}'",
        )
    return {"account_id": aid, "number": acct["number"], "user_package_id": up_id, "package": pkg["name"]}
