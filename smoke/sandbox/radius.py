"""A stand-in for an external provisioning target: a RADIUS server's admin API.

It is a separate small service with its own process, port and data (an in-memory store): the
sandbox's provisioning worker calls its API to create, change, suspend and delete subscribers, and
anyone may read what it holds, as an HTML page (``/``) or JSON (``/subscribers``). It knows
nothing of EngageIP or of the tester.

API (JSON bodies and answers):

``POST /api/subscribers``                 {username, profile, account, status="Active"} -> 201 the record
``PUT /api/subscribers/<username>``       {profile?, status?, account?} -> 200 {"updated": n}, 404 when unknown
``POST /api/subscribers/<username>/suspend`` -> 200 {"updated": n}, 404 when unknown
``DELETE /api/subscribers/<username>``    -> 200 {"deleted": n}, 404 when unknown
``GET /subscribers?username=&account=&status=`` -> {"count": n, "subscribers": [...]}
``GET /subscribers/<username>``           -> {"username", "count", "subscribers"}, 404 when unknown
``GET /api/requests``                     -> the requests it received, newest last
``GET /health``                           -> {"status": "ok", ...}

Like rows of a RADIUS ``radcheck`` table, the store keeps what it is sent: a second create for the
same user name adds a second row. That is how a request sent twice shows up.

``python -m smoke.sandbox.radius --port 0`` serves it alone; the first line it prints is
``RADIUS stand-in listening on http://HOST:PORT/``. ``--down`` answers every request with HTTP 503
(the external system is down). ``--parent PID`` exits when that process is gone.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import Any

PRODUCT = "RADIUS admin API (sandbox stand-in)"
BANNER_PREFIX = "RADIUS stand-in listening on "
STATUSES = ("Active", "Suspended")


class Store:
    """The subscribers the RADIUS server holds, and the requests it received (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.next_id = 1

    def log(self, method: str, path: str, username: str, result: str) -> None:
        self.requests.append({"time": _now(), "method": method, "path": path, "username": username, "result": result})
        del self.requests[:-500]

    def find(self, username: str) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["username"].lower() == username.lower()]

    def create(self, username: str, profile: str, account: str, status: str) -> dict[str, Any]:
        row = {
            "id": self.next_id,
            "username": username,
            "profile": profile,
            "status": status,
            "account": account,
            "created": _now(),
            "updated": _now(),
        }
        self.next_id += 1
        self.rows.append(row)
        return row


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RADIUS Subscribers</title>
<style>body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}th{background:#e8eef6}
.suspended{color:#a15c00}header{background:#28435e;color:#fff;padding:.5em 1em;margin:-1.5em -1.5em 1em}</style>
</head><body>
<header><strong>RADIUS</strong> admin (sandbox stand-in)</header>
<h1>RADIUS Subscribers</h1>
<form method="get" aria-label="Filter subscribers">
  <label for="q">User Name</label> <input id="q" name="q" value="{{ q }}">
  <button type="submit">Filter</button>
</form>
<p data-testid="subscriber-count">{{ rows|length }} subscriber(s)</p>
<table aria-label="Subscribers">
  <thead><tr><th>ID</th><th>User Name</th><th>Profile</th><th>Status</th><th>Account</th><th>Created</th><th>Updated</th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr data-testid="subscriber" data-username="{{ r.username }}" class="{{ r.status|lower }}">
    <td>{{ r.id }}</td><td data-testid="subscriber-username">{{ r.username }}</td>
    <td data-testid="subscriber-profile">{{ r.profile }}</td><td data-testid="subscriber-status">{{ r.status }}</td>
    <td data-testid="subscriber-account">{{ r.account }}</td><td>{{ r.created }}</td><td>{{ r.updated }}</td></tr>
  {% else %}<tr><td colspan="7" data-testid="no-subscribers">No subscribers.</td></tr>{% endfor %}
  </tbody>
</table>
</body></html>
"""


def create_radius_app(*, down: bool = False, store: Store | None = None) -> Any:
    """The RADIUS stand-in as a Flask application. ``down``: every request answers HTTP 503."""
    from flask import Flask, abort, jsonify, render_template_string, request

    app = Flask("smoke.sandbox.radius")
    app.config["JSON_SORT_KEYS"] = False
    st = store or Store()
    app.extensions["radius"] = st

    @app.before_request
    def _down() -> Any:
        if down:
            return jsonify(error="RADIUS server unavailable"), 503
        return None

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    def listing(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"count": len(rows), "subscribers": [dict(r) for r in rows]}

    @app.get("/health")
    def health() -> Any:
        with st.lock:
            n = len(st.rows)
        return jsonify(status="ok", product=PRODUCT, subscribers=n)

    @app.get("/")
    def page() -> Any:
        q = request.args.get("q", "").strip()
        with st.lock:
            rows = [dict(r) for r in st.rows if q.lower() in r["username"].lower()]
        return render_template_string(PAGE, rows=rows, q=q)

    @app.get("/subscribers")
    def subscribers() -> Any:
        a = request.args
        with st.lock:
            rows = [
                r
                for r in st.rows
                if all(
                    not a.get(key) or str(r[key]).lower() == a[key].strip().lower()
                    for key in ("username", "account", "status", "profile")
                )
            ]
            return jsonify(listing(rows))

    @app.get("/subscribers/<username>")
    def subscriber(username: str) -> Any:
        with st.lock:
            rows = st.find(username)
            if not rows:
                return jsonify(error=f"no subscriber '{username}'", username=username, count=0, subscribers=[]), 404
            return jsonify(username=username, **listing(rows))

    @app.get("/api/requests")
    def requests_() -> Any:
        with st.lock:
            return jsonify(requests=list(st.requests))

    @app.post("/api/subscribers")
    def create() -> Any:
        data = body()
        username = str(data.get("username") or "").strip()
        profile = str(data.get("profile") or "").strip()
        status = str(data.get("status") or "Active")
        if not username or not profile or status not in STATUSES:
            with st.lock:
                st.log("POST", request.path, username, "400")
            return jsonify(error="username and profile are required; status Active or Suspended"), 400
        with st.lock:
            row = st.create(username, profile, str(data.get("account") or ""), status)
            st.log("POST", request.path, username, "201")
            return jsonify(row), 201

    def update(username: str, changes: dict[str, Any], method: str) -> Any:
        with st.lock:
            rows = st.find(username)
            st.log(method, request.path, username, "200" if rows else "404")
            if not rows:
                abort(404, f"no subscriber '{username}'")
            for r in rows:
                r.update(changes)
                r["updated"] = _now()
            return jsonify(updated=len(rows))

    @app.put("/api/subscribers/<username>")
    def change(username: str) -> Any:
        data = body()
        changes = {k: str(data[k]) for k in ("profile", "status", "account") if data.get(k)}
        if changes.get("status", "Active") not in STATUSES:
            return jsonify(error="status must be Active or Suspended"), 400
        return update(username, changes, "PUT")

    @app.post("/api/subscribers/<username>/suspend")
    def suspend(username: str) -> Any:
        return update(username, {"status": "Suspended"}, "POST")

    @app.delete("/api/subscribers/<username>")
    def delete(username: str) -> Any:
        with st.lock:
            rows = st.find(username)
            st.log("DELETE", request.path, username, "200" if rows else "404")
            if not rows:
                abort(404, f"no subscriber '{username}'")
            st.rows = [r for r in st.rows if r not in rows]
            return jsonify(deleted=len(rows))

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _error(e: Any) -> Any:
        return jsonify(error=e.description), e.code

    return app


# -- the client the sandbox's provisioning worker uses -----------------------------------------------

Send = Callable[[str, str, "dict[str, Any] | None"], "tuple[int, dict[str, Any]]"]


class RadiusError(Exception):
    """The RADIUS server did not do what it was asked (unreachable, down, or refused)."""


def http_sender(base_url: str, timeout: float = 3.0) -> Send:
    base = base_url.rstrip("/")

    def send(method: str, path: str, payload: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(
            base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, _json(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RadiusError(f"RADIUS server {base}/ unreachable: {reason}") from None

    return send


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def flask_sender(app: Any) -> Send:
    """A sender over a Flask test client of :func:`create_radius_app` (for tests, no sockets)."""
    client = app.test_client()

    def send(method: str, path: str, payload: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        r = client.open(path, method=method, json=payload)
        return r.status_code, r.get_json(silent=True) or {}

    return send


class RadiusClient:
    """Create, change, suspend and delete subscribers on the RADIUS server; RadiusError when it fails."""

    def __init__(self, send: Send, url: str = "") -> None:
        self.send = send
        self.url = url

    @classmethod
    def for_url(cls, url: str, timeout: float = 3.0) -> RadiusClient:
        return cls(http_sender(url, timeout), url)

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        status, answer = self.send(method, path, payload)
        if not 200 <= status < 300:
            detail = answer.get("error") or "no detail"
            raise RadiusError(f"RADIUS server answered HTTP {status}: {detail}")
        return answer

    def create(self, username: str, profile: str, account: str, status: str = "Active") -> dict[str, Any]:
        return self._call(
            "POST", "/api/subscribers", {"username": username, "profile": profile, "account": account, "status": status}
        )

    def change(self, username: str, *, profile: str | None = None, status: str | None = None) -> dict[str, Any]:
        payload = {k: v for k, v in (("profile", profile), ("status", status)) if v}
        return self._call("PUT", f"/api/subscribers/{_quote(username)}", payload)

    def suspend(self, username: str) -> dict[str, Any]:
        return self._call("POST", f"/api/subscribers/{_quote(username)}/suspend")

    def delete(self, username: str) -> dict[str, Any]:
        return self._call("DELETE", f"/api/subscribers/{_quote(username)}")


def _quote(username: str) -> str:
    from urllib.parse import quote

    return quote(username, safe="")


# -- its own process ---------------------------------------------------------------------------------


def serve(host: str, port: int, down: bool = False, parent: int | None = None) -> int:
    from waitress.server import create_server

    from .serving import serve_until_signalled

    app = create_radius_app(down=down)
    server: Any = create_server(app, host=host, port=port, threads=4, ident="RADIUS")
    print(f"{BANNER_PREFIX}http://{host}:{server.effective_port}/" + (" (down)" if down else ""), flush=True)

    def watch(parent: int) -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(parent, 0)
            except OSError:
                os.kill(os.getpid(), signal.SIGTERM)
                return
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    def watch_parent() -> None:
        if parent:
            threading.Thread(target=watch, args=(parent,), daemon=True).start()

    serve_until_signalled(server, ("SIGTERM", "SIGINT"), on_ready=watch_parent)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smoke.sandbox.radius", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port (0: a free one; the first line says which)")
    parser.add_argument("--down", action="store_true", help="answer every request with HTTP 503")
    parser.add_argument("--parent", type=int, default=None, help="exit when this process is gone")
    args = parser.parse_args(argv)
    try:
        return serve(args.host, args.port, args.down, args.parent)
    except OSError as exc:
        print(f"Error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
