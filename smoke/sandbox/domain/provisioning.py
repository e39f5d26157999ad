"""The provisioning queue: requests queued by user-package changes and worked against the provisioning target."""

from __future__ import annotations

import time
from typing import Any

from ..db import transaction
from .accounts import account_by_id
from .context import Ctx
from .logs import log_event

PROVISIONING_VERBS = {
    "Add User": "added",
    "Change User": "changed",
    "Suspend User": "suspended",
    "Delete User": "deleted",
}


def queue_provisioning(
    ctx: Ctx,
    account_id: int,
    up_id: int | None,
    package_name: str,
    username: str,
    kind: str = "RADIUS",
    action: str = "Add User",
) -> int:
    acct = account_by_id(ctx, account_id)
    with transaction(ctx.conn):
        rid = ctx.x(
            "INSERT INTO provisioning_requests(account_id, user_package_id, package_name, username, kind,"
            " action, status, created, created_ts) VALUES (?,?,?,?,?,?, 'Queued', ?, ?)",
            (account_id, up_id, package_name, username, kind, action, ctx.stamp(), time.time()),
        )
        what = "user" if action == "Add User" else f"{action.split()[0].lower()} user"
        log_event(
            ctx,
            "Provisioning",
            f"{kind} {action}",
            f"Queued request {rid}: {kind} {what} '{username}' for account {acct['number'] if acct else ''} "
            f"({package_name})",
        )
    return rid


def provisioning_profile(ctx: Ctx, package_name: str) -> str:
    """The profile a request carries: the package's name (with radius-wrong-profile, the next
    provisioned package's, as a broken profile mapping would)."""
    if not ctx.has("radius-wrong-profile"):
        return package_name
    names: list[str] = [
        r["name"]
        for r in ctx.q(
            "SELECT name FROM packages WHERE provisioning_type IS NOT NULL AND provisioning_type != '' ORDER BY id"
        )
    ]
    if package_name not in names or len(names) < 2:
        return package_name + " (default)"
    return names[(names.index(package_name) + 1) % len(names)]


def send_provisioning(ctx: Ctx, client: Any, r: Any) -> None:
    """Send one request to the provisioning target; raises the client's error when it fails."""
    action = r["action"] or "Add User"
    username = r["username"]
    if action == "Add User":
        profile = provisioning_profile(ctx, r["package_name"])
        client.create(username, profile, r["number"])
        if ctx.has("radius-duplicate"):
            client.create(username, profile, r["number"])  # the request goes out twice
    elif action == "Change User":
        client.change(username, profile=provisioning_profile(ctx, r["package_name"]), status="Active")
    elif action == "Suspend User":
        if not ctx.has("radius-no-suspend"):
            client.suspend(username)
    elif action == "Delete User":
        client.delete(username)


def process_provisioning_queue(ctx: Ctx, min_age: float = 0.5, stuck_after: float = 3.0, client: Any = None) -> int:
    """Work the queued requests older than min_age seconds (the worker calls this). With a client
    (the provisioning target, e.g. :class:`smoke.sandbox.radius.RadiusClient`), each request is sent
    to it: Completed only when that succeeded, Failed (with the error) when it did not. Without one
    (the seed, tests) requests complete at once. Returns how many completed."""
    now = time.time()
    done = 0
    rows = ctx.q(
        "SELECT r.*, a.number FROM provisioning_requests r JOIN accounts a ON a.id = r.account_id "
        "WHERE r.status = 'Queued' AND r.created_ts <= ? ORDER BY r.id",
        (now - min_age,),
    )
    for r in rows:
        action = r["action"] or "Add User"
        verb = PROVISIONING_VERBS.get(action, "provisioned")
        if ctx.has("provisioning-stuck"):
            with transaction(ctx.conn):
                if r["attempts"] == 0 and now - r["created_ts"] >= stuck_after:
                    msg = f"Timed out waiting for RADIUS server (request {r['id']}, user '{r['username']}')"
                    ctx.x(
                        "UPDATE provisioning_requests SET attempts = attempts + 1, message = ? WHERE id = ?",
                        (msg, r["id"]),
                    )
                    log_event(ctx, "Provisioning", f"{r['kind']} {action}", f"Error: {msg}", "Error")
            continue
        error = None
        if client is not None:
            try:
                send_provisioning(ctx, client, r)  # outside the transaction: a slow target holds no lock
            except Exception as exc:  # the client's error (unreachable, HTTP 503, 404, ...)
                error = str(exc) or type(exc).__name__
        with transaction(ctx.conn):
            if error is not None:
                ctx.x(
                    "UPDATE provisioning_requests SET status = 'Failed', attempts = attempts + 1, "
                    "completed = ?, message = ? WHERE id = ?",
                    (ctx.stamp(), f"{r['kind']} user '{r['username']}' not {verb}: {error}", r["id"]),
                )
                log_event(
                    ctx,
                    "Provisioning",
                    f"{r['kind']} {action}",
                    f"Failed request {r['id']}: {r['kind']} user '{r['username']}' not {verb} for account "
                    f"{r['number']}: {error}",
                    "Error",
                )
                continue
            ctx.x(
                "UPDATE provisioning_requests SET status = 'Completed', attempts = attempts + 1, "
                "completed = ?, "
                "message = ? WHERE id = ?",
                (ctx.stamp(), f"{r['kind']} user '{r['username']}' {verb}", r["id"]),
            )
            log_event(
                ctx,
                "Provisioning",
                f"{r['kind']} {action}",
                f"Completed request {r['id']}: {r['kind']} user '{r['username']}' {verb} for account {r['number']}",
            )
            done += 1
    return done
