"""Tickets (types, categories, statuses, assignees, comments) and workorders."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..db import transaction
from .context import Ctx, DomainError, FaultError, where
from .logs import audit
from .values import parse_date

TICKET_TYPES = ["Trouble", "Billing", "Sales", "Service Request"]


TICKET_STATUSES = ["New", "Open", "In Progress", "Resolved", "Closed"]


TICKET_PRIORITIES = ["Low", "Normal", "High", "Urgent"]


WORKORDER_TYPES = ["Installation", "Repair", "Disconnect", "Equipment Swap"]


WORKORDER_STATUSES = ["Scheduled", "Dispatched", "In Progress", "Completed", "Cancelled"]


def _ticket_fields(ctx: Ctx, f: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, allowed in (
        ("type", TICKET_TYPES),
        ("status", TICKET_STATUSES),
        ("priority", TICKET_PRIORITIES),
    ):
        if key in f and f[key] is not None:
            if f[key] not in allowed:
                raise DomainError(f"Unknown {key} '{f[key]}'")
            out[key] = f[key]
    if f.get("category_id"):
        if ctx.q1("SELECT id FROM ticket_categories WHERE id = ?", (f["category_id"],)) is None:
            raise DomainError("Unknown ticket category")
        out["category_id"] = int(f["category_id"])
    if "assigned_to" in f:
        if f["assigned_to"]:
            ok = ctx.q1(
                "SELECT u.id FROM staff_users u JOIN roles r ON r.id = u.role_id WHERE u.id = ? "
                "AND r.ticket_assignable = 1",
                (f["assigned_to"],),
            )
            if ok is None:
                raise DomainError("Assigned To must be a user in a ticket-assignable role")
            out["assigned_to"] = int(f["assigned_to"])
        else:
            out["assigned_to"] = None
    for key in ("subject", "description", "resolution"):
        if key in f and f[key] is not None:
            out[key] = str(f[key]).strip()
    if "subject" in out and not out["subject"]:
        raise DomainError("Subject is required")
    return out


def create_ticket(
    ctx: Ctx,
    account_id: int,
    *,
    subject: str,
    description: str = "",
    type: str = "Trouble",
    category_id: int | None = None,
    priority: str = "Normal",
    assigned_to: int | None = None,
    status: str = "New",
    source: str = "AdminPortal",
) -> int:
    vals = _ticket_fields(
        ctx,
        {
            "subject": subject,
            "description": description,
            "type": type,
            "category_id": category_id,
            "priority": priority,
            "assigned_to": assigned_to,
            "status": status,
        },
    )
    with transaction(ctx.conn):
        tid = ctx.x(
            "INSERT INTO tickets(account_id, type, category_id, status, priority, assigned_to, subject,"
            " description, created, updated, created_by, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                account_id,
                vals["type"],
                vals.get("category_id"),
                vals["status"],
                vals["priority"],
                vals.get("assigned_to"),
                vals["subject"],
                vals.get("description", ""),
                ctx.stamp(),
                ctx.stamp(),
                ctx.user,
                source,
            ),
        )
        audit(ctx, "Ticket", tid, "Create", vals["subject"], account_id)
    return tid


def update_ticket(ctx: Ctx, ticket_id: int, comment: str = "", **fields: Any) -> None:
    t = ctx.q1("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
    if t is None:
        raise DomainError("Ticket not found")
    if ctx.has("ticket-edit-fails"):
        raise FaultError(
            "Error saving ticket: System.InvalidOperationException: Sequence contains no matching "
            "element (TicketStatusWorkflow)"
        )
    vals = _ticket_fields(ctx, fields)
    with transaction(ctx.conn):
        changes = {k: v for k, v in vals.items() if t[k] != v}
        for k, v in changes.items():
            ctx.x(f"UPDATE tickets SET {k} = ? WHERE id = ?", (v, ticket_id))  # k comes from _ticket_fields
        if comment.strip():
            ctx.x(
                "INSERT INTO ticket_comments(ticket_id, author, body, created) VALUES (?,?,?,?)",
                (ticket_id, ctx.user, comment.strip(), ctx.stamp()),
            )
        ctx.x("UPDATE tickets SET updated = ? WHERE id = ?", (ctx.stamp(), ticket_id))
        audit(
            ctx,
            "Ticket",
            ticket_id,
            "Update",
            ", ".join(f"{k}={v}" for k, v in changes.items()) + (" +comment" if comment.strip() else ""),
            t["account_id"],
        )


def tickets(
    ctx: Ctx,
    *,
    account_id: int | None = None,
    status: str = "",
    priority: str = "",
    assigned_to: str = "",
    q: str = "",
) -> list[dict[str, Any]]:
    open_only = status == "Open (not closed)"
    sql, args = where(
        "SELECT t.*, a.number AS account_number, a.name AS account_name, c.name AS category, "
        "u.username AS assignee FROM tickets t JOIN accounts a ON a.id = t.account_id LEFT JOIN "
        "ticket_categories c"
        " ON c.id = t.category_id LEFT JOIN staff_users u ON u.id = t.assigned_to WHERE 1=1",
        ("t.account_id = ?", account_id),
        ("t.status NOT IN ('Resolved', 'Closed')", () if open_only else None),
        ("t.status = ?", status if status and not open_only else None),
        ("t.priority = ?", priority or None),
        ("u.username = ?", assigned_to or None),
        ("(t.subject LIKE ? OR a.number = ?)", (f"%{q}%", q) if q else None),
    )
    return [dict(r) for r in ctx.q(sql + " ORDER BY t.id DESC", args)]


def ticket(ctx: Ctx, ticket_id: int) -> dict[str, Any] | None:
    rows = [t for t in tickets(ctx) if t["id"] == ticket_id]
    if not rows:
        return None
    d = rows[0]
    d["comments"] = [
        dict(r) for r in ctx.q("SELECT * FROM ticket_comments WHERE ticket_id = ? ORDER BY id", (ticket_id,))
    ]
    return d


def assignable_users(ctx: Ctx) -> list[sqlite3.Row]:
    return ctx.q(
        "SELECT u.id, u.username, u.full_name FROM staff_users u JOIN roles r ON r.id = u.role_id "
        "WHERE r.ticket_assignable = 1 ORDER BY u.username"
    )


def create_workorder(
    ctx: Ctx, account_id: int, *, type: str, scheduled: str, technician: str = "", notes: str = ""
) -> int:
    if type not in WORKORDER_TYPES:
        raise DomainError(f"Unknown workorder type '{type}'")
    day = parse_date(scheduled)
    with transaction(ctx.conn):
        wid = ctx.x(
            "INSERT INTO workorders(account_id, type, status, scheduled_date, technician, notes, created,"
            " updated) VALUES (?,?,?,?,?,?,?,?)",
            (
                account_id,
                type,
                "Scheduled",
                day.isoformat(),
                technician.strip(),
                notes.strip(),
                ctx.stamp(),
                ctx.stamp(),
            ),
        )
        audit(ctx, "Workorder", wid, "Create", f"{type} scheduled {day}", account_id)
    return wid


def update_workorder(ctx: Ctx, wid: int, status: str, notes: str | None = None) -> None:
    if status not in WORKORDER_STATUSES:
        raise DomainError(f"Unknown workorder status '{status}'")
    w = ctx.q1("SELECT * FROM workorders WHERE id = ?", (wid,))
    if w is None:
        raise DomainError("Workorder not found")
    with transaction(ctx.conn):
        ctx.x(
            "UPDATE workorders SET status = ?, notes = COALESCE(?, notes), updated = ? WHERE id = ?",
            (status, notes, ctx.stamp(), wid),
        )
        audit(ctx, "Workorder", wid, "Update", f"Status '{w['status']}' -> '{status}'", w["account_id"])


def workorders(ctx: Ctx, account_id: int | None = None, status: str = "") -> list[dict[str, Any]]:
    sql, args = where(
        "SELECT w.*, a.number AS account_number, a.name AS account_name FROM workorders w JOIN accounts a "
        "ON a.id = w.account_id WHERE 1=1",
        ("w.account_id = ?", account_id),
        ("w.status = ?", status or None),
    )
    return [dict(r) for r in ctx.q(sql + " ORDER BY w.scheduled_date, w.id", args)]
