"""Start-up: create and seed the database, serve with waitress, print the banner, stop cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO, Any

from . import VERSION_STRING
from .serving import serve_until_signalled

THREADS = 16


def prepare_database(db_path: str | None, keep: bool, today: date) -> tuple[str, bool]:
    """Return (path, is_temporary). Seeds a fresh database unless keep and it is already seeded."""
    from . import db, seed

    temporary = db_path is None
    if db_path is None:
        fd, db_path = tempfile.mkstemp(prefix="engageip-sandbox-", suffix=".db")
        os.close(fd)
    if keep and db.is_seeded(db_path):
        return db_path, temporary
    conn = db.create(db_path)
    try:
        seed.seed(conn, today)
    finally:
        conn.close()
    return db_path, temporary


def banner(
    host: str, port: int, faults: Iterable[str], look: str = "classic", radius_url: str | None = None
) -> list[str]:
    from .faults import sorted_faults
    from .seed import PORTAL_PASSWORD, STAFF

    base = f"http://{host}:{port}"
    faults = sorted_faults(faults)
    lines = [
        f"{VERSION_STRING} listening on {base}",
        f"AdminPortal: {base}/AdminPortal/",
        f"Portal:      {base}/Portal/",
        f"Faults: {', '.join(faults) if faults else 'none'}",
        *([f"Look: {look}"] if look != "classic" else []),
        *([f"RADIUS:      {radius_url}"] if radius_url else []),
        "",
        "AdminPortal users:",
        f"  {'Username':<10} {'Role':<10} Password",
    ]
    lines += [f"  {u:<10} {r:<10} {p}" for u, p, r, _, _ in STAFF]
    lines += [
        "Portal customers (Portal Login / Portal Password):",
        f"  jsmith, mgarcia, edavis, dwilson, sbrown / {PORTAL_PASSWORD}",
        "Test card 4111111111111111 approves, 4000000000000002 declines; "
        "ACH routing 011000015 approves, account 000000000 declines.",
        "Press Ctrl+C to stop.",
    ]
    return lines


class Radius:
    """The RADIUS stand-in (smoke.sandbox.radius), running as its own process."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)


def start_radius(host: str, port: int, down: bool = False, timeout: float = 15.0) -> Radius:
    """Start the RADIUS stand-in as a separate process (port 0: a free one) and read its address."""
    from .radius import BANNER_PREFIX

    argv = [
        sys.executable,
        "-m",
        "smoke.sandbox.radius",
        "--host",
        host,
        "--port",
        str(port),
        "--parent",
        str(os.getpid()),
    ]
    process = subprocess.Popen(
        [*argv, *(["--down"] if down else [])], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    line = found[0] if found else ""
    if not line.startswith(BANNER_PREFIX):
        process.kill()
        raise OSError(f"the RADIUS stand-in did not start (port {port}): {line.strip() or 'no answer'}")
    url = line[len(BANNER_PREFIX) :].split()[0]
    return Radius(process, url)


def load_radius(db_path: str, url: str) -> int:
    """Give the RADIUS server the subscribers EngageIP already provisioned (the seed's, or a kept
    database's): every Active or Suspended user-package with a RADIUS user name. Returns how many."""
    from . import db
    from .radius import RadiusClient

    client = RadiusClient.for_url(url)
    conn = db.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT up.radius_username, up.status, p.name AS package, a.number FROM user_packages up "
            "JOIN packages p ON p.id = up.package_id JOIN accounts a ON a.id = up.account_id "
            "WHERE up.radius_username IS NOT NULL AND up.radius_username != '' "
            "AND up.status IN ('Active', 'Suspended') ORDER BY up.id"
        ).fetchall()
    finally:
        conn.close()
    for r in rows:
        client.create(r["radius_username"], r["package"], r["number"], r["status"])
    return len(rows)


def serve(
    *,
    host: str,
    port: int,
    faults: frozenset[str],
    db_path: str | None,
    keep: bool,
    today: date,
    out: IO[str] | None = None,
    look: str = "classic",
    radius_port: int | None = 0,
) -> int:
    from waitress.server import create_server

    from .app import create_app
    from .state import state

    out = out or sys.stdout
    path, temporary = prepare_database(db_path, keep, today)
    radius = start_radius(host, radius_port, down="radius-down" in faults) if radius_port is not None else None
    try:
        if radius is not None and "radius-down" not in faults:
            load_radius(path, radius.url)
        app = create_app(
            path, faults=faults, today=today, start_worker=True, look=look, radius_url=radius.url if radius else None
        )
    except BaseException:
        if radius is not None:
            radius.stop()
        raise
    server: Any = create_server(
        app, host=host, port=port, threads=THREADS, ident="EngageIP", connection_limit=200, channel_timeout=60
    )
    lines = banner(host, server.effective_port, faults, look, radius.url if radius else None)
    try:
        serve_until_signalled(server, on_ready=lambda: print("\n".join(lines), file=out, flush=True))
    finally:
        st = state(app)
        if st.worker is not None:
            st.worker.stop()
        if radius is not None:
            radius.stop()
        if temporary:
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        print("EngageIP sandbox stopped.", file=out)
        out.flush()
    return 0
