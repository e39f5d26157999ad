"""Staff and portal sessions, and server-side permission checks for every route."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for
from werkzeug.exceptions import Forbidden

from .domain import Ctx
from .permissions import AREAS, allowed, apply_faults

F = TypeVar("F", bound=Callable[..., Any])


class AccessDenied(Forbidden):
    def __init__(self, role: str, missing: list[str]) -> None:
        self.role = role
        self.missing = missing
        super().__init__(f"Your role ({role}) does not have the {' or '.join(missing)} permission.")


def ctx() -> Ctx:
    from .state import get_ctx

    return get_ctx()


def role_permissions(c: Ctx, role_id: int, role_name: str) -> dict[str, tuple[bool, bool]]:
    perms = {a: (False, False) for a in AREAS}
    for r in c.q("SELECT area, can_list, can_edit FROM role_permissions WHERE role_id = ?", (role_id,)):
        perms[r["area"]] = (bool(r["can_list"]), bool(r["can_edit"]))
    return apply_faults(role_name, perms, c.faults)


def current_staff() -> dict[str, Any] | None:
    if "staff" in g:
        cached: dict[str, Any] | None = g.staff
        return cached
    staff = None
    uid = session.get("staff_id")
    if uid:
        c = ctx()
        row = c.q1(
            "SELECT u.*, r.name AS role, r.password_length FROM staff_users u JOIN roles r "
            "ON r.id = u.role_id WHERE u.id = ?",
            (uid,),
        )
        if row is not None:
            staff = dict(row)
            staff["perms"] = role_permissions(c, row["role_id"], row["role"])
            c.user = row["username"]
    g.staff = staff
    return staff


def can(area: str, level: str = "List") -> bool:
    staff = current_staff()
    return bool(staff) and allowed(staff["perms"], area, level)  # type: ignore[index]


def check(*areas: str, level: str = "List") -> None:
    """Abort with 403 Access Denied unless the staff user has `level` on at least one of `areas`."""
    staff = current_staff()
    assert staff is not None
    if not any(allowed(staff["perms"], a, level) for a in areas):
        raise AccessDenied(staff["role"], [f"{a}: {level}" for a in areas])


def staff_required(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_staff() is None:
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def requires(*areas: str, level: str = "List", post: str = "Edit") -> Callable[[F], F]:
    """Require a permission for GET (`level`) and for POST (`post`) on any of `areas`."""

    def deco(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_staff() is None:
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            check(*areas, level=post if request.method == "POST" else level)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return deco


def portal_account_id() -> int | None:
    aid = session.get("portal_account_id")
    return int(aid) if aid else None


def portal_required(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        aid = portal_account_id()
        if aid is None or ctx().q1("SELECT id FROM accounts WHERE id = ?", (aid,)) is None:
            session.pop("portal_account_id", None)
            return redirect(url_for("portal.login", next=request.full_path.rstrip("?")))
        ctx().user = f"portal:{session.get('portal_login', aid)}"
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
