from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from smoke.sandbox.cli import sandbox
from smoke.sandbox.faults import FAULTS

ROOT = Path(__file__).resolve().parents[2]


def test_import_is_light() -> None:
    code = "import sys, smoke.sandbox.cli; print('flask' in sys.modules, 'waitress' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False False"


def test_list_faults() -> None:
    result = CliRunner().invoke(sandbox, ["--list-faults"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == len(FAULTS) >= 15
    assert all(line.split()[0] in FAULTS and len(line.split()) > 1 for line in lines)


def test_unknown_fault_exits_2() -> None:
    result = CliRunner().invoke(sandbox, ["--fault", "no-such-fault"])
    assert result.exit_code == 2
    assert "unknown fault: no-such-fault; valid faults: admin-login-broken" in result.output


def test_unknown_fault_from_env_exits_2() -> None:
    result = CliRunner().invoke(sandbox, [], env={"ENGAGEIP_SANDBOX_FAULTS": "bogus"})
    assert result.exit_code == 2


def test_help_is_the_docstring() -> None:
    result = CliRunner().invoke(sandbox, ["--help"])
    assert "Start the bundled stand-in EngageIP server" in result.output
    assert "Example: smoke sandbox --port 0" in result.output


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], int, list[str]]:
    proc = subprocess.Popen([sys.executable, "-m", "smoke.sandbox", "--port", "0", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    assert proc.stdout is not None
    lines = [proc.stdout.readline()]
    while lines[-1] and not lines[-1].startswith("Press Ctrl+C"):
        lines.append(proc.stdout.readline())
    if not lines[0].startswith("EngageIP"):
        proc.kill()
        pytest.fail("sandbox did not start: " + "".join(lines) + proc.stdout.read())
    port = int(lines[0].rstrip().rsplit(":", 1)[1])
    return proc, port, lines


def _health(port: int, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                return json.loads(r.read())
        except OSError:
            if time.monotonic() > deadline:
                raise


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail("sandbox did not stop on SIGTERM")
    return out


def test_start_with_port_0_prints_urls_and_stops_cleanly(tmp_path: Path) -> None:
    start = time.monotonic()
    proc, port, lines = _start("--fault", "card-declines-all", "--db", str(tmp_path / "s.db"),
                               env={"ENGAGEIP_SANDBOX_FAULTS": "usage-report-empty"})
    try:
        health = _health(port)
        assert time.monotonic() - start < 3
        assert lines[0] == f"EngageIP 9.6.2 (sandbox) listening on http://127.0.0.1:{port}\n"
        assert lines[1] == f"AdminPortal: http://127.0.0.1:{port}/AdminPortal/\n"
        assert lines[2] == f"Portal:      http://127.0.0.1:{port}/Portal/\n"
        assert lines[3] == "Faults: card-declines-all, usage-report-empty\n"
        assert health["status"] == "ok" and health["faults"] == ["card-declines-all", "usage-report-empty"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/AdminPortal/Login") as r:
            assert b'id="LoginButton"' in r.read()
    finally:
        out = _stop(proc)
    assert proc.returncode == 0
    assert "  admin      Admin      Admin#2026\n" in lines
    assert "EngageIP sandbox stopped." in out
    assert (tmp_path / "s.db").exists()


def test_keep_reuses_the_database(tmp_path: Path) -> None:
    db = tmp_path / "keep.db"
    proc, port, _ = _start("--db", str(db))
    _health(port)
    _stop(proc)
    from smoke.sandbox import db as sbdb

    conn = sbdb.connect(db)
    conn.execute("UPDATE accounts SET name = 'Kept Name' WHERE number = '10001'")
    conn.close()
    proc, port, _ = _start("--db", str(db), "--keep")
    try:
        _health(port)
        conn = sbdb.connect(db)
        assert conn.execute("SELECT name FROM accounts WHERE number = '10001'").fetchone()[0] == "Kept Name"
        conn.close()
    finally:
        _stop(proc)
