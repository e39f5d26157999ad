"""The provisioning queue and its Retry."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from .. import domain
from ..auth import ctx, requires
from ..db import transaction
from .common import arg, bp, ok, page


@bp.get("/Provisioning")
@requires("Provisioning")
def provisioning() -> Any:
    c = ctx()
    sql, args = domain.where(
        "SELECT r.*, a.number AS account_number, a.name AS account_name FROM provisioning_requests r "
        "JOIN accounts a ON a.id = r.account_id WHERE 1=1",
        ("r.status = ?", arg("status")),
        ("a.number = ?", arg("account", str.strip)),
    )
    rows = c.q(sql + " ORDER BY r.id DESC", args)
    return page("provisioning.html", rows=rows, args=request.args)


@bp.post("/Provisioning/<int:request_id>/Retry")
@requires("Provisioning", level="Edit")
def provisioning_retry(request_id: int) -> Any:
    import time as _time

    c = ctx()
    with transaction(c.conn):
        c.x(
            "UPDATE provisioning_requests SET status = 'Queued', attempts = 0, message = 'Retry requested', "
            "created_ts = ? WHERE id = ?",
            (_time.time(), request_id),
        )
        domain.log_event(c, "Provisioning", "Retry", f"Request {request_id} re-queued by {c.user}")
    ok(f"Provisioning request {request_id} re-queued.")
    return redirect(url_for("admin.provisioning"))
