"""The RADIUS stand-in: its API, the sandbox's worker calling it, each radius-* fault, the banner, stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from smoke.sandbox import domain
from smoke.sandbox.radius import RadiusClient, RadiusError, Store, create_radius_app, flask_sender
from smoke.sandbox.server import banner
from tests.sandbox.radius_helpers import provision

# -- the service's API ---------------------------------------------------------------------------


@pytest.fixture
def radius() -> Any:
    app = create_radius_app()
    app.config["TESTING"] = True
    return app


def test_create_change_suspend_delete_and_read(radius: Any) -> None:
    client = RadiusClient(flask_sender(radius))
    http = radius.test_client()
    created = client.create("alice", "Fiber 100", "10020")
    assert created["username"] == "alice" and created["status"] == "Active"
    assert http.get("/subscribers/alice").json["subscribers"][0]["profile"] == "Fiber 100"
    client.change("alice", profile="Fiber 500")
    client.suspend("alice")
    [row] = http.get("/subscribers?username=alice").json["subscribers"]
    assert (row["profile"], row["status"], row["account"]) == ("Fiber 500", "Suspended", "10020")
    client.change("alice", status="Active")
    assert http.get("/subscribers?status=Active").json["count"] == 1
    page = http.get("/?q=ali").get_data(as_text=True)
    assert 'aria-label="Subscribers"' in page and 'data-testid="subscriber-username">alice<' in page
    client.delete("alice")
    assert http.get("/subscribers").json == {"count": 0, "subscribers": []}
    assert http.get("/subscribers/alice").status_code == 404
    assert 'data-testid="no-subscribers"' in http.get("/").get_data(as_text=True)
    assert [r["method"] for r in http.get("/api/requests").json["requests"]] == ["POST", "PUT", "POST", "PUT", "DELETE"]


def test_unknown_subscriber_and_bad_create_are_errors(radius: Any) -> None:
    client = RadiusClient(flask_sender(radius))
    with pytest.raises(RadiusError, match="HTTP 404: no subscriber 'ghost'"):
        client.suspend("ghost")
    with pytest.raises(RadiusError, match="HTTP 404"):
        client.delete("ghost")
    with pytest.raises(RadiusError, match="HTTP 400"):
        client.create("", "Fiber 100", "1")


def test_a_create_sent_twice_leaves_two_rows(radius: Any) -> None:
    client = RadiusClient(flask_sender(radius))
    client.create("bob", "DSL Basic", "1")
    client.create("bob", "DSL Basic", "1")
    assert radius.test_client().get("/subscribers/bob").json["count"] == 2


def test_down_answers_503_and_unreachable_is_an_error() -> None:
    store = Store()
    down = create_radius_app(down=True, store=store)
    assert down.test_client().get("/subscribers").status_code == 503
    with pytest.raises(RadiusError, match="HTTP 503: RADIUS server unavailable"):
        RadiusClient(flask_sender(down)).create("carol", "Fiber 100", "1")
    with pytest.raises(RadiusError, match="unreachable"):
        RadiusClient.for_url("http://127.0.0.1:9/", timeout=1).create("carol", "Fiber 100", "1")


# -- the worker calling it -----------------------------------------------------------------------


def test_worker_creates_changes_suspends_and_deletes(make_app: Any) -> None:
    app = make_app()
    done = provision(app, "probe-life", then="Suspended")
    assert [(r["action"], r["status"]) for r in done.requests] == [
        ("Add User", "Completed"),
        ("Suspend User", "Completed"),
    ]
    [sub] = done.subscribers("probe-life")
    assert (sub["profile"], sub["status"], sub["account"]) == ("DSL Basic", "Suspended", "10014")
    assert any(
        e["result"].startswith("Completed request") and "suspended for account 10014" in e["result"]
        for e in done.events
    )
    assert all(e["level"] != "Error" for e in done.events)


def test_status_changes_queue_the_right_requests(make_app: Any) -> None:
    from smoke.sandbox.state import state
    from tests.sandbox.radius_helpers import radius_for

    app = make_app()
    store, client = radius_for(app)
    c = state(app).make_ctx()
    aid = c.q1("SELECT id FROM accounts WHERE number = '10014'")["id"]
    pkg = c.q1("SELECT id FROM packages WHERE name = 'Fiber 100'")["id"]
    up = domain.add_package(c, aid, pkg, radius_username="probe-flow")
    domain.process_provisioning_queue(c, min_age=-1e9, client=client)
    domain.set_account_status(c, aid, "Suspended")  # the account's suspension reaches its packages
    domain.process_provisioning_queue(c, min_age=-1e9, client=client)
    assert store.find("probe-flow")[0]["status"] == "Suspended"
    domain.set_user_package_status(c, up, "Active")
    domain.process_provisioning_queue(c, min_age=-1e9, client=client)
    assert store.find("probe-flow")[0]["status"] == "Active"
    domain.set_user_package_status(c, up, "Cancelled")
    domain.process_provisioning_queue(c, min_age=-1e9, client=client)
    assert store.find("probe-flow") == []
    actions = [
        r["action"] for r in c.q("SELECT action FROM provisioning_requests WHERE username = 'probe-flow' ORDER BY id")
    ]
    assert actions == ["Add User", "Suspend User", "Change User", "Delete User"]
    c.conn.close()


def test_a_failed_request_is_failed_in_the_queue_and_the_event_log_and_can_be_retried(make_app: Any) -> None:
    from smoke.sandbox.state import state

    app = make_app()
    c = state(app).make_ctx()
    aid = c.q1("SELECT id FROM accounts WHERE number = '10014'")["id"]
    pkg = c.q1("SELECT id FROM packages WHERE name = 'Fiber 100'")["id"]
    domain.add_package(c, aid, pkg, radius_username="probe-fail")
    domain.process_provisioning_queue(c, min_age=-1e9, client=RadiusClient.for_url("http://127.0.0.1:9/", timeout=1))
    req = c.q1("SELECT * FROM provisioning_requests WHERE username = 'probe-fail'")
    assert req["status"] == "Failed" and "unreachable" in req["message"]
    ev = c.q1("SELECT * FROM event_log WHERE result LIKE 'Failed request%' ORDER BY id DESC")
    assert ev["level"] == "Error" and "RADIUS user 'probe-fail' not added for account 10014" in ev["result"]
    c.x("UPDATE provisioning_requests SET status = 'Queued' WHERE id = ?", (req["id"],))  # what Retry does
    store = Store()
    client = RadiusClient(flask_sender(create_radius_app(store=store)))
    domain.process_provisioning_queue(c, min_age=-1e9, client=client)
    assert c.q1("SELECT status FROM provisioning_requests WHERE id = ?", (req["id"],))["status"] == "Completed"
    assert len(store.find("probe-fail")) == 1
    c.conn.close()


# -- each fault's effect -------------------------------------------------------------------------


def test_radius_down_fails_requests(make_app: Any) -> None:
    done = provision(make_app("radius-down"), "probe-down")
    assert [r["status"] for r in done.requests] == ["Failed"]
    assert "RADIUS server answered HTTP 503: RADIUS server unavailable" in done.requests[0]["message"]
    assert [e["level"] for e in done.events if e["result"].startswith("Failed request")] == ["Error"]
    assert not any(e["result"].startswith("Completed request") for e in done.events)


def test_radius_duplicate_sends_the_subscriber_twice(make_app: Any) -> None:
    done = provision(make_app("radius-duplicate"), "probe-dup")
    assert [r["status"] for r in done.requests] == ["Completed"]
    assert len(done.subscribers("probe-dup")) == 2


def test_radius_wrong_profile_sends_another_package(make_app: Any) -> None:
    done = provision(make_app("radius-wrong-profile"), "probe-profile")
    assert [r["status"] for r in done.requests] == ["Completed"] and done.requests[0]["package_name"] == "DSL Basic"
    assert [s["profile"] for s in done.subscribers("probe-profile")] == ["Business Fiber 1G"]


def test_radius_no_suspend_never_sends_the_suspension(make_app: Any) -> None:
    done = provision(make_app("radius-no-suspend"), "probe-nosusp", then="Suspended")
    assert [r["status"] for r in done.requests] == ["Completed", "Completed"]
    assert [s["status"] for s in done.subscribers("probe-nosusp")] == ["Active"]


# -- the sandbox process: both addresses, stop ---------------------------------------------------


def test_banner_adds_the_radius_line_after_the_first_lines() -> None:
    lines = banner("127.0.0.1", 8765, [], radius_url="http://127.0.0.1:1812/")
    assert lines[:3] == [
        "EngageIP 9.6.2 (sandbox) listening on http://127.0.0.1:8765",
        "AdminPortal: http://127.0.0.1:8765/AdminPortal/",
        "Portal:      http://127.0.0.1:8765/Portal/",
    ]
    assert "RADIUS:      http://127.0.0.1:1812/" in lines[3:6]
    assert not any(line.startswith("RADIUS:") for line in banner("127.0.0.1", 8765, []))


def _start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "smoke", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "ENGAGEIP_SANDBOX_FAULTS"},
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline()]
    while lines[-1] and not lines[-1].startswith("Press Ctrl+C"):
        lines.append(proc.stdout.readline())
    return proc, lines


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def _pid_on(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def test_sandbox_starts_radius_as_its_own_process_and_stops_it(tmp_path: Path) -> None:
    proc, lines = _start("--db", str(tmp_path / "r.db"))
    try:
        port = int(lines[0].rstrip().rsplit(":", 1)[1])
        [radius_line] = [line for line in lines if line.startswith("RADIUS:")]
        radius_url = radius_line.split()[1]
        radius_port = int(radius_url.rstrip("/").rsplit(":", 1)[1])
        assert radius_port != port
        status, health = _get(f"http://127.0.0.1:{port}/health")
        assert status == 200 and health["radius"] == radius_url
        status, subs = _get(radius_url + "subscribers?username=jsmith")
        # the seed's provisioned subscribers were handed over at start
        assert status == 200 and subs["subscribers"][0]["profile"] == "Fiber 100"
        status, radius_health = _get(radius_url + "health")
        assert radius_health["status"] == "ok"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0 and "EngageIP sandbox stopped." in out
    deadline = time.monotonic() + 5
    while _pid_on(radius_port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _pid_on(radius_port), "the RADIUS stand-in kept running after the sandbox stopped"


def test_radius_down_fault_starts_it_answering_503(tmp_path: Path) -> None:
    proc, lines = _start("--fault", "radius-down")
    try:
        [radius_line] = [line for line in lines if line.startswith("RADIUS:")]
        status, _ = _get(radius_line.split()[1] + "subscribers")
        assert status == 503
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)


def test_no_radius_starts_none() -> None:
    proc, lines = _start("--no-radius")
    try:
        port = int(lines[0].rstrip().rsplit(":", 1)[1])
        assert not any(line.startswith("RADIUS:") for line in lines)
        assert "radius" not in _get(f"http://127.0.0.1:{port}/health")[1]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
