"""Ctx (connection, business date, faults, clock, acting user) and the domain's two errors."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any


class DomainError(Exception):
    """A user-visible refusal (validation, missing processor, ...)."""


class FaultError(DomainError):
    """A failure caused by an active fault (shown like a server-side exception)."""


def where(sql: str, *conditions: tuple[str, Any]) -> tuple[str, list[Any]]:
    """``sql`` (ending in ``WHERE 1=1``) with `` AND condition`` for each (condition, value) whose value
    is not None, and the query's arguments: the values (a tuple fills several placeholders, or none)."""
    args: list[Any] = []
    for condition, value in conditions:
        if value is None:
            continue
        sql += f" AND {condition}"
        args += value if isinstance(value, tuple) else [value]
    return sql, args


@dataclass
class Ctx:
    conn: sqlite3.Connection
    today: date
    faults: frozenset[str] = frozenset()
    clock: Callable[[], datetime] | None = None
    user: str = "system"
    extra: dict[str, Any] = field(default_factory=dict)

    def has(self, fault: str) -> bool:
        return fault in self.faults

    def now(self) -> datetime:
        if self.clock is not None:
            return self.clock()
        return datetime.combine(self.today, datetime.now().time().replace(microsecond=0))

    def stamp(self) -> str:
        return self.now().strftime("%Y-%m-%d %H:%M:%S")

    def q(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, tuple(args)).fetchall()

    # A sqlite3.Row or None; typed Any so aggregate queries (always one row) index without ceremony.
    def q1(self, sql: str, args: Iterable[Any] = ()) -> Any:
        return self.conn.execute(sql, tuple(args)).fetchone()

    def x(self, sql: str, args: Iterable[Any] = ()) -> int:
        cur = self.conn.execute(sql, tuple(args))
        return int(cur.lastrowid or 0)


def make_clock(today: date) -> Callable[[], datetime]:
    """A clock that starts at today + the current wall-clock time of day and runs in real time."""
    start_real = time.time()
    start = datetime.combine(today, datetime.now().time().replace(microsecond=0))

    def clock() -> datetime:
        return (start + timedelta(seconds=time.time() - start_real)).replace(microsecond=0)

    return clock
