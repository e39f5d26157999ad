"""What ``make bench``'s parts share (smoke.bench, smoke.bench_vocab, smoke.aria.bench): a folder served
on a free port, and one ``smoke run`` as a user types it. Its own module so the parts need not import
smoke.bench, which imports them."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_folder(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder`` on 127.0.0.1 on a free port, in a daemon thread: the server and its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def run_smoke(report_dir: Path, *extra: str) -> tuple[float, dict[str, Any]]:
    """One `smoke run` as a user types it: its wall time and its results.json (with ``_exit``)."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "smoke", "run", "--report-dir", str(report_dir), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    results_path = report_dir / "latest" / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["_exit"] = done.returncode
    return elapsed, results
