"""The running sandbox's state (database, faults, business date, clock, look), kept on the Flask app.

Its own module so that the blueprints and ``auth`` can reach it without importing the app factory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, g

from . import VERSION, VERSION_STRING, db, domain

UNKNOWN_VERSION = "EngageIP (unknown version)"


@dataclass
class SandboxState:
    db_path: str
    faults: frozenset[str]
    today: date
    clock: Any
    worker: Any = None
    look: str = "classic"
    radius_url: str | None = None  # the external provisioning target (smoke.sandbox.radius), if any

    def make_ctx(self) -> domain.Ctx:
        return domain.Ctx(db.connect(self.db_path), self.today, self.faults, self.clock)

    @property
    def version_string(self) -> str:
        return UNKNOWN_VERSION if "version-missing" in self.faults else VERSION_STRING

    @property
    def version(self) -> str:
        return "unknown" if "version-missing" in self.faults else VERSION


def state(app: Flask | None = None) -> SandboxState:
    from flask import current_app

    found: SandboxState = (app or current_app).extensions["sandbox"]
    return found


def get_ctx() -> domain.Ctx:
    if "ctx" not in g:
        g.ctx = state().make_ctx()
    ctx: domain.Ctx = g.ctx
    return ctx
