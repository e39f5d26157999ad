"""Setup > Page Extensions, Actions and Custom Code."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from .. import domain
from ..auth import ctx, requires
from ..db import transaction
from ..domain import DomainError, FaultError
from ..forms import f
from .common import bp, fail, ok, page


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
