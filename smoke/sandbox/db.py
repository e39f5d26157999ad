"""SQLite schema and connections: one connection per request, WAL, busy timeout."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT NOT NULL, is_root INTEGER NOT NULL DEFAULT 0);
CREATE TABLE roles (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL DEFAULT '',
    contact_type TEXT NOT NULL DEFAULT 'Administrative Contact',
    ticket_assignable INTEGER NOT NULL DEFAULT 0, password_change INTEGER NOT NULL DEFAULT 1,
    password_length INTEGER NOT NULL DEFAULT 8);
CREATE TABLE role_permissions (
    role_id INTEGER NOT NULL REFERENCES roles(id), area TEXT NOT NULL,
    can_list INTEGER NOT NULL DEFAULT 0, can_edit INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (role_id, area));
CREATE TABLE staff_users (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE, password_hash TEXT NOT NULL,
    role_id INTEGER NOT NULL REFERENCES roles(id), full_name TEXT NOT NULL, email TEXT NOT NULL DEFAULT '');
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, name TEXT NOT NULL, company TEXT NOT NULL DEFAULT '',
    account_type TEXT NOT NULL, status TEXT NOT NULL, owner_id INTEGER NOT NULL REFERENCES owners(id),
    parent_id INTEGER REFERENCES accounts(id), bill_day INTEGER NOT NULL,
    language TEXT NOT NULL DEFAULT 'English',
    sales_rep TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '');
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), contact_type TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '', last_name TEXT NOT NULL DEFAULT '', company TEXT NOT NULL DEFAULT '',
    is_primary INTEGER NOT NULL DEFAULT 0);
CREATE TABLE contact_points (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    type TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE packages (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL DEFAULT '',
    provisioning_type TEXT, portal_signup INTEGER NOT NULL DEFAULT 0,
    usage_rate_cents INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE services (
    id INTEGER PRIMARY KEY, package_id INTEGER NOT NULL REFERENCES packages(id), name TEXT NOT NULL,
    charge_type TEXT NOT NULL CHECK (charge_type IN ('Recurring', 'One-Time')),
    amount_cents INTEGER NOT NULL);
CREATE TABLE user_packages (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id),
    package_id INTEGER NOT NULL REFERENCES packages(id), status TEXT NOT NULL, status_type TEXT NOT NULL,
    start_date TEXT NOT NULL, next_bill_date TEXT, cancel_date TEXT, radius_username TEXT,
    created TEXT NOT NULL);
CREATE TABLE discounts (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, account_id INTEGER NOT NULL REFERENCES accounts(id),
    package_id INTEGER REFERENCES packages(id), kind TEXT NOT NULL CHECK (kind IN ('Percent', 'Amount')),
    value INTEGER NOT NULL, periods INTEGER, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE price_plans (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, account_id INTEGER NOT NULL REFERENCES accounts(id),
    package_id INTEGER NOT NULL REFERENCES packages(id), active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE price_plan_tiers (
    id INTEGER PRIMARY KEY, price_plan_id INTEGER NOT NULL REFERENCES price_plans(id),
    min_quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL);
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), number TEXT NOT NULL,
    status TEXT NOT NULL, date TEXT, due_date TEXT, opened TEXT NOT NULL);
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), date TEXT NOT NULL,
    posting_date TEXT NOT NULL, type TEXT NOT NULL, description TEXT NOT NULL, amount_cents INTEGER NOT NULL,
    invoice_id INTEGER REFERENCES invoices(id), user_package_id INTEGER REFERENCES user_packages(id),
    period_start TEXT, period_end TEXT, payment_id INTEGER, created_by TEXT NOT NULL DEFAULT 'system');
CREATE INDEX transactions_account ON transactions(account_id);
CREATE TABLE payment_methods (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), kind TEXT NOT NULL,
    label TEXT NOT NULL, last4 TEXT NOT NULL, brand TEXT NOT NULL DEFAULT '', expiry TEXT NOT NULL DEFAULT '',
    token TEXT NOT NULL, is_default INTEGER NOT NULL DEFAULT 0);
CREATE TABLE card_processors (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, test_mode INTEGER NOT NULL DEFAULT 1,
    enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE payments (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), date TEXT NOT NULL,
    created TEXT NOT NULL, amount_cents INTEGER NOT NULL, method TEXT NOT NULL,
    processor TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', reference TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '', transaction_id INTEGER, source TEXT NOT NULL DEFAULT 'AdminPortal',
    created_by TEXT NOT NULL DEFAULT 'system');
CREATE TABLE payment_allocations (
    payment_id INTEGER NOT NULL REFERENCES payments(id), invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    amount_cents INTEGER NOT NULL);
CREATE TABLE usage_records (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), date TEXT NOT NULL,
    description TEXT NOT NULL, quantity REAL NOT NULL, unit TEXT NOT NULL DEFAULT 'min',
    amount_cents INTEGER NOT NULL, invoice_id INTEGER REFERENCES invoices(id),
    source TEXT NOT NULL DEFAULT 'Rating');
CREATE TABLE ticket_categories (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, resolutions TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), type TEXT NOT NULL,
    category_id INTEGER REFERENCES ticket_categories(id), status TEXT NOT NULL, priority TEXT NOT NULL,
    assigned_to INTEGER REFERENCES staff_users(id), subject TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, updated TEXT NOT NULL,
    created_by TEXT NOT NULL, source TEXT NOT NULL DEFAULT 'AdminPortal');
CREATE TABLE ticket_comments (
    id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), author TEXT NOT NULL,
    body TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE workorders (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), type TEXT NOT NULL,
    status TEXT NOT NULL, scheduled_date TEXT NOT NULL, technician TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE event_log (
    id INTEGER PRIMARY KEY, date TEXT NOT NULL, module TEXT NOT NULL, action TEXT NOT NULL,
    result TEXT NOT NULL, level TEXT NOT NULL DEFAULT 'Info');
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY, date TEXT NOT NULL, username TEXT NOT NULL, account_id INTEGER,
    entity TEXT NOT NULL, entity_id INTEGER, action TEXT NOT NULL, details TEXT NOT NULL DEFAULT '');
CREATE TABLE provisioning_requests (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id),
    user_package_id INTEGER REFERENCES user_packages(id), package_name TEXT NOT NULL, username TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'RADIUS', action TEXT NOT NULL DEFAULT 'Add User', status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '', created TEXT NOT NULL,
    created_ts REAL NOT NULL DEFAULT 0, completed TEXT);
CREATE TABLE page_extensions (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, page TEXT NOT NULL, content TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE actions (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, event_code TEXT NOT NULL, action_type TEXT NOT NULL,
    parameters TEXT NOT NULL DEFAULT '', enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE custom_code (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, language TEXT NOT NULL, description TEXT NOT NULL,
    source TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1, last_run TEXT, last_result TEXT);
CREATE TABLE bill_runs (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT NOT NULL,
    run_at TEXT NOT NULL, status TEXT NOT NULL, invoices INTEGER NOT NULL DEFAULT 0,
    total_cents INTEGER NOT NULL DEFAULT 0, created_by TEXT NOT NULL);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY, date TEXT NOT NULL, kind TEXT NOT NULL, filename TEXT NOT NULL,
    imported INTEGER NOT NULL, errors INTEGER NOT NULL, username TEXT NOT NULL);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    # Autocommit mode: writes are grouped explicitly with transaction(), which takes the write lock
    # up front (BEGIN IMMEDIATE) so concurrent requests queue on busy_timeout instead of deadlocking.
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def create(path: str | Path) -> sqlite3.Connection:
    """Create an empty database file with the schema (removing any old one)."""
    p = Path(path)
    for suffix in ("", "-wal", "-shm"):
        q = p.with_name(p.name + suffix)
        if q.exists():
            q.unlink()
    conn = connect(p)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(SCHEMA)
    return conn


def is_seeded(path: str | Path) -> bool:
    p = Path(path)
    if not p.exists() or p.stat().st_size == 0:
        return False
    conn = connect(p)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'seeded'").fetchone()
        return row is not None
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
