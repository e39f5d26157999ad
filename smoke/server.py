"""Starting a target's own server (like Playwright Test's ``webServer``), reading its release, and
whether a target is down: `target_down` for an error a browser raised, `unreachable` to ask."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from smoke.targets import Target


class ServerError(Exception):
    pass


# What Chromium (net::ERR_...) and Node (ECONNREFUSED) say when nothing answered at the address at
# all, as opposed to a page that answered wrongly: a run reports that as "the target is down".
_DOWN = re.compile(
    r"ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_ADDRESS_UNREACHABLE"
    r"|ERR_NAME_NOT_RESOLVED|ECONNREFUSED"
)


def target_down(error: BaseException | str) -> bool:
    """Whether an error (a Playwright error, or its message) says the target did not answer."""
    return bool(_DOWN.search(str(error)))


def unreachable(url: str, timeout: float = 2.0, *, http: bool = False) -> str | None:
    """None when the target at ``url`` answers, else why not. By default something must listen at
    its host and port (cheap enough before every scenario; ``ws://`` endpoints too); with ``http``
    it must answer an HTTP request, whatever the status."""
    if http:
        try:
            with urllib.request.urlopen(url, timeout=timeout):
                return None
        except urllib.error.HTTPError:
            return None  # it answered
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            return str(getattr(exc, "reason", exc))
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{host}:{port} {exc.strerror or exc}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command_argv(command: str, port: int) -> list[str]:
    argv = shlex.split(command.replace("{port}", str(port)).replace("{python}", sys.executable))
    if argv and argv[0] == "smoke":
        # the same installation as the running tester, whatever PATH says
        argv = [sys.executable, "-m", "smoke", *argv[1:]]
    return argv


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self, limit: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-limit:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)


def start(
    command: str, ready_path: str, timeout_s: float, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Server:
    """Start the command on a free port and poll its readiness URL until it answers 2xx."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="smoke-server-", suffix=".log")[1])
    argv = command_argv(command, port)
    with log.open("wb") as out:
        try:
            process = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                cwd=cwd,
            )
        except OSError as exc:
            raise ServerError(f"cannot start {argv[0]}: {exc.strerror}") from None
    server = Server(process, url, log)
    ready = url + "/" + ready_path.lstrip("/")
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"server exited with code {process.returncode} before it was ready: {server.output(600).strip()}"
            )
        try:
            with urllib.request.urlopen(ready, timeout=2) as response:
                if 200 <= response.status < 300:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(delay)  # polling the readiness URL, not waiting a fixed time
        delay = min(delay * 1.5, 0.5)
    server.stop()
    raise ServerError(f"server did not answer {ready} within {timeout_s:g}s: {server.output(600).strip()}")


def serve_target(target: Target, server_url: str | None = None) -> tuple[Target, Server | None]:
    """The target with ``{server}`` in its URLs filled in: from a server already running at
    ``server_url``, or from its own ``server:`` command started on a free port (the caller stops
    the returned Server). Raises ServerError when it cannot start or the target names no command."""
    if "{server}" not in target.admin_url + target.portal_url:
        return target, None
    if server_url:
        return target.with_server(server_url), None
    if target.server is None:
        raise ServerError(f"target {target.name!r} has {{server}} in its URLs but no server: command")
    server = start(target.server.command, target.server.ready, target.server.timeout_s)
    return target.with_server(server.url), server


def read_release(url: str, pattern: str, timeout: float = 5.0) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read(500_000).decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError):
        return None
    match = re.search(pattern, body)
    if not match:
        return None
    return (match.group(1) if match.groups() else match.group(0)).strip()


def check_reachable(urls: list[str], timeout: float = 3.0) -> list[str]:
    """One line per URL that does not answer at all (any HTTP status counts as an answer)."""
    return [f"{url}: {why}" for url in urls if (why := unreachable(url, timeout, http=True)) is not None]
