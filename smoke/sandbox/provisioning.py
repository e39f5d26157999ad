"""The background worker: sends provisioning requests to the external target (the RADIUS stand-in),
marks them Completed or Failed, and plays the faulty Windows services."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from . import db, domain

FAULT_ERROR_INTERVAL = 5.0
EVENT_LOG_ERROR = (
    "Error: System.Data.SqlClient.SqlException: Invalid column name 'ExtendedStatus'. "
    "at EngageIP.Event.EventProcessor.ProcessPending()"
)


def write_fault_errors(c: domain.Ctx) -> None:
    if c.has("event-log-errors"):
        with db.transaction(c.conn):
            domain.log_event(c, "Event", "ProcessEvents", EVENT_LOG_ERROR, "Error")


class Worker(threading.Thread):
    def __init__(self, make_ctx: Callable[[], domain.Ctx], interval: float = 0.2, client: Any = None) -> None:
        super().__init__(name="sandbox-provisioning", daemon=True)
        self.make_ctx = make_ctx
        self.client = client  # the external provisioning target (a RadiusClient), or None
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        c = self.make_ctx()
        last_fault = time.monotonic()
        try:
            while not self.stopping.wait(self.interval):
                try:
                    domain.process_provisioning_queue(c, client=self.client)
                    if time.monotonic() - last_fault >= FAULT_ERROR_INTERVAL:
                        last_fault = time.monotonic()
                        write_fault_errors(c)
                except Exception:
                    if c.conn.in_transaction:
                        c.conn.execute("ROLLBACK")
        finally:
            c.conn.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
