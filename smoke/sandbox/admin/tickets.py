"""Tickets and workorders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, redirect, request, url_for

from .. import domain
from ..auth import can, ctx, requires
from ..domain import DomainError, FaultError
from ..forms import account_from_form, f, ticket_fields
from .common import account_or_404, account_page, bp, fail, ok, page


def _ticket_lists(c: domain.Ctx) -> dict[str, Any]:
    return {
        "types": domain.TICKET_TYPES,
        "statuses": domain.TICKET_STATUSES,
        "priorities": domain.TICKET_PRIORITIES,
        "categories": c.q("SELECT * FROM ticket_categories WHERE active = 1 ORDER BY name"),
        "assignees": domain.assignable_users(c),
    }


@bp.get("/Overview/<number>/Tickets")
@requires("Accounts", post="List")
@requires("Tickets")
def account_tickets(number: str) -> Any:
    acct = account_or_404(number)
    c = ctx()
    return account_page(
        "account_tickets.html",
        number,
        "Tickets",
        tickets=domain.tickets(c, account_id=acct["id"]),
        workorders=domain.workorders(c, acct["id"]) if can("Workorders") else None,
    )


@bp.get("/Tickets")
@requires("Tickets")
def tickets() -> Any:
    c = ctx()
    a = request.args
    rows = domain.tickets(
        c,
        status=a.get("status", ""),
        priority=a.get("priority", ""),
        assigned_to=a.get("assigned", ""),
        q=a.get("q", "").strip(),
    )
    return page("tickets.html", tickets=rows, args=a, **_ticket_lists(c))


@bp.route("/Ticket/New", methods=["GET", "POST"])
@requires("Tickets", level="Edit")
def ticket_new() -> Any:
    c = ctx()
    if request.method == "POST":
        try:
            acct = account_from_form(c)
            tid = domain.create_ticket(
                c,
                acct["id"],
                **ticket_fields(),
                priority=f("Priority", "Normal"),
                assigned_to=int(f("AssignedTo") or 0) or None,
                status=f("Status", "New"),
            )
            ok(f"Ticket {tid} created.")
            return redirect(url_for("admin.ticket", ticket_id=tid))
        except DomainError as exc:
            fail(str(exc))
    return page("ticket_new.html", form=request.form, account=request.args.get("account", ""), **_ticket_lists(c))


@bp.route("/Ticket/<int:ticket_id>", methods=["GET", "POST"])
@requires("Tickets")
def ticket(ticket_id: int) -> Any:
    c = ctx()
    t = domain.ticket(c, ticket_id)
    if t is None:
        abort(404, description="Ticket not found.")
    status = 200
    if request.method == "POST":
        try:
            domain.update_ticket(
                c,
                ticket_id,
                **ticket_fields(type_default=""),
                comment=f("Comment"),
                status=f("Status"),
                priority=f("Priority"),
                assigned_to=int(f("AssignedTo") or 0) or None,
                resolution=f("Resolution"),
            )
            ok("Ticket saved.")
            return redirect(url_for("admin.ticket", ticket_id=ticket_id))
        except FaultError as exc:
            fail(str(exc))
            status = 500
        except DomainError as exc:
            fail(str(exc))
            status = 400
    return page("ticket.html", t=t, **_ticket_lists(c)), status


@bp.get("/Workorders")
@requires("Workorders")
def workorders() -> Any:
    c = ctx()
    return page(
        "workorders.html",
        workorders=domain.workorders(c, status=request.args.get("status", "")),
        statuses=domain.WORKORDER_STATUSES,
        status=request.args.get("status", ""),
    )


@bp.route("/Workorder/New", methods=["GET", "POST"])
@requires("Workorders", level="Edit")
def workorder_new() -> Any:
    c = ctx()
    if request.method == "POST":
        try:
            acct = account_from_form(c)
            wid = domain.create_workorder(
                c,
                acct["id"],
                type=f("Type"),
                scheduled=f("ScheduledDate"),
                technician=f("Technician"),
                notes=f("Notes"),
            )
            ok(f"Workorder {wid} created.")
            return redirect(url_for("admin.workorder", workorder_id=wid))
        except DomainError as exc:
            fail(str(exc))
    return page(
        "workorder_new.html",
        form=request.form,
        account=request.args.get("account", ""),
        types=domain.WORKORDER_TYPES,
        default_date=(c.today + timedelta(days=3)).isoformat(),
    )


@bp.route("/Workorder/<int:workorder_id>", methods=["GET", "POST"])
@requires("Workorders")
def workorder(workorder_id: int) -> Any:
    c = ctx()
    w = next((x for x in domain.workorders(c) if x["id"] == workorder_id), None)
    if w is None:
        abort(404, description="Workorder not found.")
    if request.method == "POST":
        try:
            domain.update_workorder(c, workorder_id, f("Status"), f("Notes"))
            ok("Workorder saved.")
            return redirect(url_for("admin.workorder", workorder_id=workorder_id))
        except DomainError as exc:
            fail(str(exc))
    return page("workorder.html", w=w, statuses=domain.WORKORDER_STATUSES)
