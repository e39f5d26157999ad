"""The Flask application factory."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, g, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from . import db, domain
from .faults import FAULTS, sorted_faults
from .permissions import AREAS
from .state import SandboxState, get_ctx


def create_app(
    db_path: str | Path,
    *,
    faults: Iterable[str] = (),
    today: date | None = None,
    csrf: bool = True,
    start_worker: bool = False,
    testing: bool = False,
    look: str = "classic",
    radius_url: str | None = None,
) -> Flask:
    """Build the sandbox application over an existing, seeded database file.

    ``radius_url``: the RADIUS stand-in the provisioning worker sends requests to (``/health``
    reports it); without one the worker completes requests without an external system."""
    today = today or date.fromisoformat(_meta(db_path, "today") or "2026-06-15")
    app = Flask(__name__, static_url_path="/static/sandbox")
    app.config.update(
        SECRET_KEY=os.urandom(32),
        TESTING=testing,
        WTF_CSRF_ENABLED=csrf,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_NAME="engageip_session",
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    CSRFProtect(app)
    st = SandboxState(
        str(db_path), frozenset(faults), today, domain.make_clock(today), look=look, radius_url=radius_url
    )
    app.extensions["sandbox"] = st

    from .admin import bp as admin_bp
    from .portal import bp as portal_bp

    app.register_blueprint(admin_bp, url_prefix="/AdminPortal")
    app.register_blueprint(portal_bp, url_prefix="/Portal")

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        c = g.pop("ctx", None)
        if c is not None:
            if c.conn.in_transaction:
                c.conn.execute("ROLLBACK")
            c.conn.close()

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from .auth import can, current_staff

        return {
            "version_string": st.version_string,
            "today": st.today,
            "can": can,
            "staff": current_staff(),
            "AREAS": AREAS,
            "look": st.look,
        }

    app.jinja_env.filters["money"] = domain.money

    @app.get("/health")
    def health() -> Any:
        c = get_ctx()
        c.q1("SELECT 1 FROM meta LIMIT 1")
        extra: dict[str, Any] = {"look": st.look} if st.look != "classic" else {}  # the classic answer stays
        if st.radius_url:
            extra["radius"] = st.radius_url  # where the external provisioning target listens
        return jsonify(
            status="ok",
            version=st.version,
            product=st.version_string,
            faults=sorted_faults(st.faults),
            today=st.today.isoformat(),
            **extra,
        )

    @app.get("/favicon.ico")
    def favicon() -> Any:
        return "", 204

    @app.get("/")
    def index() -> Any:
        return render_template("index.html")

    @app.route("/adminportal/", defaults={"rest": ""})
    @app.route("/adminportal/<path:rest>")
    @app.route("/ADMINPORTAL/", defaults={"rest": ""})
    @app.route("/ADMINPORTAL/<path:rest>")
    def admin_case(rest: str) -> Any:
        # The real AdminPortal is case-insensitive; send odd spellings to the canonical prefix.
        return redirect("/AdminPortal/" + rest + (f"?{request.query_string.decode()}" if request.query_string else ""))

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError) -> Any:
        return render_template(
            "_error.html",
            title="Bad Request",
            code=400,
            message=f"The form could not be submitted: {e.description}",
        ), 400

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> Any:
        from .auth import AccessDenied

        if isinstance(e, AccessDenied):
            return render_template(
                "_error.html",
                title="Access Denied",
                code=403,
                message=e.description,
                missing=e.missing,
                role=e.role,
            ), 403
        titles = {403: "Access Denied", 404: "Not Found", 405: "Method Not Allowed"}
        return render_template(
            "_error.html", title=titles.get(e.code or 500, e.name), code=e.code, message=e.description
        ), e.code or 500

    @app.errorhandler(domain.FaultError)
    def _fault(e: domain.FaultError) -> Any:
        return render_template(
            "_error.html",
            title="Server Error",
            code=500,
            message=f"Server Error in '/AdminPortal' Application. {e}",
        ), 500

    with app.app_context():
        c = st.make_ctx()
        try:
            from .provisioning import write_fault_errors

            write_fault_errors(c)
        finally:
            c.conn.close()

    if start_worker:
        from .provisioning import Worker

        client = None
        if radius_url:
            from .radius import RadiusClient

            client = RadiusClient.for_url(radius_url)
        st.worker = Worker(st.make_ctx, client=client)
        st.worker.start()
    return app


def _meta(db_path: str | Path, key: str) -> str | None:
    conn = db.connect(db_path)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None
    finally:
        conn.close()


def fault_descriptions() -> dict[str, str]:
    return {name: f.description for name, f in FAULTS.items()}
