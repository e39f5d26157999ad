"""Reports: Event Log, Audit Log, UDR History, Account Services, Statistics."""

from __future__ import annotations

from typing import Any

from flask import request

from .. import domain
from ..auth import ctx, requires
from ..domain import DomainError
from .common import arg, bp, fail, page


@bp.get("/Reports")
@requires("Reports")
def reports() -> Any:
    return page("reports.html")


@bp.get("/Reports/EventLog")
@requires("Reports")
def event_log() -> Any:
    c = ctx()
    a = request.args
    sql, args = domain.where(
        "SELECT * FROM event_log WHERE 1=1",
        ("date >= ?", arg("from", lambda value: value.strip().replace("T", " "))),
        ("module = ?", arg("module")),
        # GLOB is case-sensitive (LIKE is not): "Error"/"Exception", not "errors".
        ("(level = 'Error' OR result GLOB '*Error*' OR result GLOB '*Exception*')", () if a.get("errors") else None),
        ("id > ?", int(a["after"]) if a.get("after", "").isdigit() else None),
    )
    rows = c.q(sql + " ORDER BY id DESC LIMIT 500", args)
    modules = [r["module"] for r in c.q("SELECT DISTINCT module FROM event_log ORDER BY module")]
    return page("event_log.html", rows=rows, modules=modules, args=a)


@bp.get("/Reports/AuditLog")
@requires("Reports")
def audit_log() -> Any:
    c = ctx()
    sql, args = domain.where(
        "SELECT l.*, a.number AS account_number FROM audit_log l LEFT JOIN accounts a ON a.id = l.account_id WHERE 1=1",
        ("a.number = ?", arg("account", str.strip)),
        ("l.username = ?", arg("user", str.strip)),
    )
    rows = c.q(sql + " ORDER BY l.id DESC LIMIT 500", args)
    return page("audit_log.html", rows=rows, args=request.args)


@bp.get("/Reports/UDRHistory")
@requires("Reports")
def udr_history() -> Any:
    c = ctx()
    a = request.args
    acct = domain.account_by_number(c, a["account"]) if a.get("account") else None
    if a.get("account") and acct is None:
        fail(f"Account '{a['account']}' not found.")
    try:
        start = domain.parse_date(a["from"]) if a.get("from") else None
        end = domain.parse_date(a["to"]) if a.get("to") else None
    except DomainError as exc:
        fail(str(exc))
        start = end = None
    report = domain.usage_report(c, acct["id"] if acct else None, start, end) if acct or not a.get("account") else None
    return page("udr_history.html", report=report, args=a, acct=acct)


@bp.get("/Reports/AccountServices")
@requires("Reports")
def account_services() -> Any:
    c = ctx()
    sql, args = domain.where(
        "SELECT up.*, p.name AS package_name, a.number AS account_number, a.name AS account_name, "
        "a.id AS aid "
        "FROM user_packages up JOIN packages p ON p.id = up.package_id JOIN accounts a ON a.id = "
        "up.account_id "
        "WHERE 1=1",
        ("p.name = ?", arg("package")),
        ("up.status = ?", arg("status")),
    )
    rows = []
    for r in c.q(sql + " ORDER BY CAST(a.number AS INTEGER), up.id", args):
        d = dict(r)
        d["price"] = domain.money(sum(x for _, _, x in domain.charge_lines(c, r["aid"], r["package_id"])))
        rows.append(d)
    return page(
        "account_services.html",
        rows=rows,
        args=request.args,
        packages=domain.packages(c),
        statuses=list(domain.USER_PACKAGE_STATUS_TYPES),
    )


@bp.get("/Statistics")
@requires("Reports")
def statistics() -> Any:
    return page("statistics.html", stats=domain.statistics(ctx()))
