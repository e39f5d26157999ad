"""An account's user-packages: list, add, change status."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for

from .. import domain
from ..auth import ctx, requires
from ..domain import DomainError
from ..forms import f
from .common import account_or_404, account_page, bp, fail, ok


@bp.get("/Overview/<number>/Packages")
@requires("Accounts", post="List")
@requires("Packages")
def packages(number: str) -> Any:
    return account_page("packages.html", number, "Packages", statuses=list(domain.USER_PACKAGE_STATUS_TYPES))


@bp.route("/Overview/<number>/Packages/Add", methods=["GET", "POST"])
@requires("Accounts", post="List")
@requires("Packages", level="Edit")
def package_add(number: str) -> Any:
    c = ctx()
    acct = account_or_404(number)
    if request.method == "POST":
        try:
            pkg_id = int(f("Package") or 0)
            start = domain.parse_date(f("StartDate")) if f("StartDate") else c.today
            up = domain.add_package(
                c,
                acct["id"],
                pkg_id,
                start=start,
                radius_username=f("RadiusUserName"),
                status=f("Status", "Active"),
            )
            name = domain.package_by_id(c, pkg_id)["name"]  # type: ignore[index]
            queued = c.q1("SELECT id FROM provisioning_requests WHERE user_package_id = ?", (up,))
            ok(f"Package '{name}' added." + (f" Provisioning request {queued['id']} queued." if queued else ""))
            return redirect(url_for("admin.packages", number=number))
        except DomainError as exc:
            fail(str(exc))
        except ValueError:
            fail("Please choose a package.")
    return account_page(
        "package_add.html",
        number,
        "Packages",
        packages=domain.packages(c),
        form=request.form,
        statuses=list(domain.USER_PACKAGE_STATUS_TYPES),
    )


@bp.post("/Overview/<number>/Packages/<int:up_id>/Status")
@requires("Accounts", post="List")
@requires("Packages", level="Edit")
def package_status(number: str, up_id: int) -> Any:
    c = ctx()
    acct = account_or_404(number)
    if c.q1("SELECT id FROM user_packages WHERE id = ? AND account_id = ?", (up_id, acct["id"])) is None:
        abort(404)
    try:
        domain.set_user_package_status(c, up_id, f("Status"))
        ok("Package status changed.")
    except DomainError as exc:
        fail(str(exc))
    return redirect(url_for("admin.packages", number=number))
