"""The Django admin site of tests/thirdparty for tests and benchmarks: started on a port the system
picks (port 0), polled until it answers, stopped terminate -> wait -> kill."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def django_admin(timeout_s: float = 90) -> Iterator[str]:
    """The base URL of a freshly migrated Django admin site, for the length of the block."""
    log = Path(tempfile.mkstemp(prefix="smoke-django-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.thirdparty.serve", "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=out,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    first: list[str] = []
    # the first line names the port; read it on a thread so that a silent server cannot block us
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline().decode()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        reader.join(timeout_s)
        if not first or not first[0].startswith("serving on "):
            raise RuntimeError(f"the Django site did not start: {log.read_text(errors='replace')[-1500:]}")
        url = first[0].removeprefix("serving on ").strip()
        _poll(url + "/admin/login/", process, log, time.monotonic() + timeout_s)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.unlink(missing_ok=True)


def _poll(url: str, process: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    delay = 0.05
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the Django site exited ({process.returncode}): {log.read_text(errors='replace')[-1500:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(delay)  # polling until it answers, not waiting a fixed time
        delay = min(delay * 1.5, 0.5)
    raise RuntimeError(f"the Django site did not answer {url}: {log.read_text(errors='replace')[-1500:]}")
