"""CSV imports (usage records, payments): row-by-row validation, good rows imported."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..db import transaction
from .accounts import account_by_number
from .context import Ctx, DomainError
from .logs import log_event
from .payments import take_payment
from .usage import add_usage
from .values import parse_date, parse_money

IMPORT_KINDS = {
    "usage": ("Usage Records (UDR)", ["account_number", "date", "description", "minutes", "amount"]),
    "payments": ("Payments", ["account_number", "date", "amount", "method", "reference"]),
}


def import_csv(ctx: Ctx, kind: str, text: str, filename: str = "upload.csv") -> dict[str, Any]:
    """Validate and import a CSV. Good rows are imported even when other rows have errors."""
    if kind not in IMPORT_KINDS:
        raise DomainError(f"Unknown import type '{kind}'")
    required = IMPORT_KINDS[kind][1]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    aliases = {"quantity": "minutes"}
    fields = [aliases.get(f, f) for f in fields]
    needed = [c for c in required if c not in fields and not (kind == "usage" and c == "amount")]
    if needed:
        raise DomainError(f"Missing column(s): {', '.join(needed)}. Expected: {', '.join(required)}")
    errors: list[dict[str, Any]] = []
    good: list[dict[str, str]] = []
    for lineno, raw in enumerate(reader, start=2):
        row = {
            aliases.get((k or "").strip().lower(), (k or "").strip().lower()): (v or "").strip() for k, v in raw.items()
        }
        problems = []
        acct = account_by_number(ctx, row.get("account_number", ""))
        if acct is None:
            problems.append(f"account '{row.get('account_number', '')}' not found")
        if ctx.has("import-rejects-good-rows"):
            problems.append(f"date '{row.get('date', '')}' is not a valid date")
        else:
            try:
                d = parse_date(row.get("date", ""))
                if d > ctx.today:
                    problems.append(f"date '{row['date']}' is in the future")
            except DomainError:
                problems.append(f"date '{row.get('date', '')}' is not a valid date (expected YYYY-MM-DD)")
        if kind == "usage":
            try:
                q = float(row.get("minutes", ""))
                if q < 0:
                    raise ValueError
            except ValueError:
                problems.append(f"minutes '{row.get('minutes', '')}' is not a number >= 0")
            if not row.get("description"):
                problems.append("description is required")
            if row.get("amount"):
                try:
                    parse_money(row["amount"])
                except DomainError:
                    problems.append(f"amount '{row['amount']}' is not a valid amount")
        else:
            try:
                if parse_money(row.get("amount", "")) <= 0:
                    problems.append("amount must be greater than zero")
            except DomainError:
                problems.append(f"amount '{row.get('amount', '')}' is not a valid amount")
            if row.get("method", "") not in ("Cash", "Check"):
                problems.append(f"method '{row.get('method', '')}' must be Cash or Check")
        if problems:
            errors.append(
                {"row": lineno, "account_number": row.get("account_number", ""), "error": "; ".join(problems)}
            )
        else:
            good.append(row)
    with transaction(ctx.conn):
        for row in good:
            acct = account_by_number(ctx, row["account_number"])
            assert acct is not None
            if kind == "usage":
                add_usage(
                    ctx,
                    acct["id"],
                    parse_date(row["date"]),
                    row["description"],
                    float(row["minutes"]),
                    parse_money(row["amount"]) if row.get("amount") else None,
                    source="Import",
                )
            else:
                take_payment(
                    ctx,
                    acct["id"],
                    row["amount"],
                    row["method"],
                    reference=row.get("reference", ""),
                    source="Import",
                    on=parse_date(row["date"]),
                )
        ctx.x(
            "INSERT INTO imports(date, kind, filename, imported, errors, username) VALUES (?,?,?,?,?,?)",
            (ctx.stamp(), IMPORT_KINDS[kind][0], filename, len(good), len(errors), ctx.user),
        )
        log_event(
            ctx,
            "Import",
            IMPORT_KINDS[kind][0],
            f"Imported {len(good)} rows from '{filename}', {len(errors)} row(s) rejected",
            "Warning" if errors else "Info",
        )
    return {"imported": len(good), "errors": errors, "kind": IMPORT_KINDS[kind][0]}
