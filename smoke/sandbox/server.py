"""Start-up: create and seed the database, serve with waitress, print the banner, stop cleanly."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO, Any

from . import VERSION_STRING

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


def banner(host: str, port: int, faults: Iterable[str], look: str = "classic") -> list[str]:
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
) -> int:
    from waitress.server import create_server

    from .app import create_app, state

    out = out or sys.stdout
    path, temporary = prepare_database(db_path, keep, today)
    app = create_app(path, faults=faults, today=today, start_worker=True, look=look)
    server: Any = create_server(
        app, host=host, port=port, threads=THREADS, ident="EngageIP", connection_limit=200, channel_timeout=60
    )
    actual_port = server.effective_port
    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        stop.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _stop)
    for line in banner(host, actual_port, faults, look):
        print(line, file=out)
    out.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        st = state(app)
        if st.worker is not None:
            st.worker.stop()
        if temporary:
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        print("EngageIP sandbox stopped.", file=out)
        out.flush()
    return 0
