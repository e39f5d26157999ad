"""Contacts, contact points and the portal login they carry (passwords stored hashed)."""

from __future__ import annotations

from typing import Any

from ..db import transaction
from .context import Ctx, DomainError
from .extensions import fire_event
from .logs import audit

CONTACT_TYPES = ["Billing Contact", "Administrative Contact", "Technical Contact"]


CONTACT_POINT_TYPES = [
    "Address",
    "Home Phone",
    "Work Phone",
    "Email Address",
    "Portal Login",
    "Portal Password",
]


def contacts_for(ctx: Ctx, account_id: int) -> list[dict[str, Any]]:
    out = []
    for c in ctx.q("SELECT * FROM contacts WHERE account_id = ? ORDER BY is_primary DESC, id", (account_id,)):
        points = ctx.q("SELECT * FROM contact_points WHERE contact_id = ? ORDER BY id", (c["id"],))
        d = dict(c)
        d["name"] = f"{c['first_name']} {c['last_name']}".strip()
        d["points"] = [dict(p) for p in points]
        for p in d["points"]:
            p["display"] = "********" if p["type"] == "Portal Password" else p["value"]
        d["point"] = {p["type"]: p["value"] for p in points}
        out.append(d)
    return out


def primary_contact(ctx: Ctx, account_id: int) -> dict[str, Any] | None:
    cs = contacts_for(ctx, account_id)
    return cs[0] if cs else None


PASSWORD_METHOD = "pbkdf2:sha256:60000"


def hash_password(password: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method=PASSWORD_METHOD)


def check_password(hashed: str, password: str) -> bool:
    from werkzeug.security import check_password_hash

    return check_password_hash(hashed, password)


def save_contact(
    ctx: Ctx,
    account_id: int,
    *,
    contact_id: int | None = None,
    contact_type: str,
    first_name: str,
    last_name: str,
    company: str = "",
    points: dict[str, str],
    is_primary: bool | None = None,
) -> int | None:
    """Create or update a contact and its contact points. Empty point values remove the point.

    A "Portal Password" point is stored hashed; an empty value keeps the existing password.
    """
    if contact_type not in CONTACT_TYPES:
        raise DomainError(f"Unknown contact type '{contact_type}'")
    if not (first_name.strip() or last_name.strip()):
        raise DomainError("First Name or Last Name is required")
    login = (points.get("Portal Login") or "").strip()
    if login:
        clash = ctx.q1(
            "SELECT c.account_id FROM contact_points cp JOIN contacts c ON c.id = cp.contact_id "
            "WHERE cp.type = 'Portal Login' AND cp.value = ? COLLATE NOCASE AND c.id IS NOT ?",
            (login, contact_id),
        )
        if clash is not None:
            raise DomainError(f"Portal Login '{login}' is already in use")
    email = (points.get("Email Address") or "").strip()
    if email and "@" not in email:
        raise DomainError(f"'{email}' is not a valid email address")
    if ctx.has("contact-save-ignored"):
        return contact_id
    with transaction(ctx.conn):
        if contact_id is None:
            first = ctx.q1("SELECT COUNT(*) AS n FROM contacts WHERE account_id = ?", (account_id,))["n"] == 0
            contact_id = ctx.x(
                "INSERT INTO contacts(account_id, contact_type, first_name, last_name, company,"
                " is_primary) VALUES (?,?,?,?,?,?)",
                (
                    account_id,
                    contact_type,
                    first_name.strip(),
                    last_name.strip(),
                    company.strip(),
                    1 if (is_primary or first) else 0,
                ),
            )
            action = "Create"
        else:
            ctx.x(
                "UPDATE contacts SET contact_type=?, first_name=?, last_name=?, company=? WHERE id=? AND account_id=?",
                (
                    contact_type,
                    first_name.strip(),
                    last_name.strip(),
                    company.strip(),
                    contact_id,
                    account_id,
                ),
            )
            action = "Update"
        for ptype, value in points.items():
            if ptype not in CONTACT_POINT_TYPES:
                continue
            value = (value or "").strip()
            existing = ctx.q1("SELECT id FROM contact_points WHERE contact_id = ? AND type = ?", (contact_id, ptype))
            if ptype == "Portal Password":
                if not value:
                    continue
                value = hash_password(value)
            if existing and value:
                ctx.x("UPDATE contact_points SET value = ? WHERE id = ?", (value, existing["id"]))
            elif existing:
                ctx.x("DELETE FROM contact_points WHERE id = ?", (existing["id"],))
            elif value:
                ctx.x(
                    "INSERT INTO contact_points(contact_id, type, value) VALUES (?,?,?)",
                    (contact_id, ptype, value),
                )
        audit(ctx, "Contact", contact_id, action, f"{first_name} {last_name} ({contact_type})", account_id)
        fire_event(ctx, "User.Update", account_id, f"contact {action.lower()}")
    return contact_id


def delete_contact(ctx: Ctx, account_id: int, contact_id: int) -> None:
    if ctx.has("contact-save-ignored"):
        return
    with transaction(ctx.conn):
        ctx.x("DELETE FROM contact_points WHERE contact_id = ?", (contact_id,))
        ctx.x("DELETE FROM contacts WHERE id = ? AND account_id = ?", (contact_id, account_id))
        audit(ctx, "Contact", contact_id, "Delete", "", account_id)


def portal_authenticate(ctx: Ctx, login: str, password: str) -> int | None:
    row = ctx.q1(
        "SELECT c.id AS contact_id, c.account_id FROM contact_points cp JOIN contacts c "
        "ON c.id = cp.contact_id WHERE cp.type = 'Portal Login' AND cp.value = ? COLLATE NOCASE",
        ((login or "").strip(),),
    )
    if row is None:
        return None
    pw = ctx.q1(
        "SELECT value FROM contact_points WHERE contact_id = ? AND type = 'Portal Password'",
        (row["contact_id"],),
    )
    if pw is None or not check_password(pw["value"], password or ""):
        return None
    return int(row["account_id"])
