"""Driving the sandbox's provisioning against an in-process RADIUS stand-in (no sockets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smoke.sandbox import domain
from smoke.sandbox.radius import RadiusClient, Store, create_radius_app, flask_sender


@dataclass
class Provisioned:
    """What one probe left behind: the RADIUS store, and EngageIP's requests and event log rows."""

    store: Store
    requests: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def subscribers(self, username: str) -> list[dict[str, Any]]:
        return self.store.find(username)


def radius_for(app: Any) -> tuple[Store, RadiusClient]:
    """A RADIUS stand-in in this process, down when the sandbox app has the radius-down fault."""
    from smoke.sandbox.state import state

    store = Store()
    radius_app = create_radius_app(down="radius-down" in state(app).faults, store=store)
    radius_app.config["TESTING"] = True
    return store, RadiusClient(flask_sender(radius_app), "http://radius.test/")


def provision(app: Any, username: str, *, then: str | None = None, account: str = "10014") -> Provisioned:
    """Add DSL Basic with a RADIUS user name to an account, work the queue against a RADIUS
    stand-in, and optionally change the user-package's status afterwards (``then``)."""
    from smoke.sandbox.state import state

    store, client = radius_for(app)
    c = state(app).make_ctx()
    try:
        aid = c.q1("SELECT id FROM accounts WHERE number = ?", (account,))["id"]
        pkg = c.q1("SELECT id FROM packages WHERE name = 'DSL Basic'")["id"]
        first_event = c.q1("SELECT COALESCE(MAX(id), 0) AS n FROM event_log")["n"]
        up = domain.add_package(c, aid, pkg, radius_username=username)
        domain.process_provisioning_queue(c, min_age=-1e9, client=client)
        if then:
            domain.set_user_package_status(c, up, then)
            domain.process_provisioning_queue(c, min_age=-1e9, client=client)
        requests = [
            dict(r) for r in c.q("SELECT * FROM provisioning_requests WHERE username = ? ORDER BY id", (username,))
        ]
        events = [
            dict(r)
            for r in c.q("SELECT * FROM event_log WHERE id > ? AND module = 'Provisioning' ORDER BY id", (first_event,))
        ]
    finally:
        c.conn.close()
    return Provisioned(store, requests, events)
