"""Log in, log out, change my password, About."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, session, url_for

from .. import domain
from ..auth import ctx, current_staff, staff_required
from ..db import transaction
from ..forms import f
from .common import bp, fail, ok, page


@bp.route("/", methods=["GET"])
def root() -> Any:
    if current_staff() is None:
        return redirect(url_for("admin.login"))
    return redirect(url_for("admin.home"))


@bp.route("/Login", methods=["GET", "POST"])
def login() -> Any:
    c = ctx()
    nxt = request.args.get("next") or request.form.get("next") or ""
    if not nxt.startswith("/AdminPortal/"):
        nxt = url_for("admin.home")
    if request.method == "POST":
        username, password = f("Username"), request.form.get("Password", "")
        if c.has("admin-login-broken"):
            with transaction(c.conn):
                domain.log_event(
                    c,
                    "Security",
                    "Login",
                    "Exception: System.NullReferenceException: Object reference "
                    "not set to an instance of an object. at LoginController.Authenticate()",
                    "Error",
                )
            fail("Login failed: An error has occurred. Please contact your administrator.")
            return page("login.html", username=username, next=nxt), 500
        row = c.q1("SELECT * FROM staff_users WHERE username = ?", (username,))
        if row is None or not domain.check_password(row["password_hash"], password):
            fail("Invalid username or password.")
            return page("login.html", username=username, next=nxt), 401
        session.clear()
        session["staff_id"] = row["id"]
        c.user = row["username"]
        with transaction(c.conn):
            domain.log_event(c, "Security", "Login", f"User '{row['username']}' logged in to the AdminPortal")
            domain.audit(c, "StaffUser", row["id"], "Login")
        from ..provisioning import write_fault_errors

        write_fault_errors(c)
        return redirect(nxt)
    return page("login.html", username="", next=nxt)


@bp.route("/Logout", methods=["GET", "POST"])
def logout() -> Any:
    session.pop("staff_id", None)
    ok("You have been logged out.")
    return redirect(url_for("admin.login"))


@bp.route("/ChangePassword", methods=["GET", "POST"])
@staff_required
def change_password() -> Any:
    staff = current_staff()
    assert staff is not None
    if request.method == "POST":
        current, new, confirm = (request.form.get(k, "") for k in ("CurrentPassword", "NewPassword", "ConfirmPassword"))
        c = ctx()
        if not domain.check_password(staff["password_hash"], current):
            fail("Current Password is incorrect.")
        elif len(new) < staff["password_length"]:
            fail(f"New Password must be at least {staff['password_length']} characters.")
        elif new != confirm:
            fail("New Password and Confirm Password do not match.")
        else:
            with transaction(c.conn):
                c.x(
                    "UPDATE staff_users SET password_hash = ? WHERE id = ?",
                    (domain.hash_password(new), staff["id"]),
                )
                domain.audit(c, "StaffUser", staff["id"], "Change Password")
            ok("Your password has been changed.")
            return redirect(url_for("admin.home"))
    return page("change_password.html")


@bp.get("/About")
@staff_required
def about() -> Any:
    from ..state import state

    st = state()
    return page("about.html", faults=sorted(st.faults), db_path=st.db_path)
