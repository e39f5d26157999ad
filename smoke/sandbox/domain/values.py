"""Money (integer cents, shown as "$1,234.56"), dates and month arithmetic."""

from __future__ import annotations

import calendar
from datetime import date

from .context import DomainError


def money(cents: int | None) -> str:
    if cents is None:
        return "None"
    sign = "-" if cents < 0 else ""
    c = abs(int(cents))
    return f"{sign}${c // 100:,}.{c % 100:02d}"


def parse_money(text: str) -> int:
    t = (text or "").strip().replace("$", "").replace(",", "")
    if not t:
        raise DomainError("Amount is required")
    neg = t.startswith("-")
    t = t.lstrip("-")
    try:
        whole, _, frac = t.partition(".")
        if (not whole.isdigit() and whole != "") or (frac and (not frac.isdigit() or len(frac) > 2)):
            raise ValueError
        cents = int(whole or "0") * 100 + int((frac + "00")[:2] if frac else "0")
    except ValueError:
        raise DomainError(f"'{text}' is not a valid amount") from None
    return -cents if neg else cents


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise DomainError(f"'{text}' is not a valid date (expected YYYY-MM-DD)") from None


def add_months(d: date, n: int, day: int | None = None) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    want = day if day is not None else d.day
    return date(y, m, min(want, calendar.monthrange(y, m)[1]))


def pct_of(amount: int, pct: int) -> int:
    return (amount * pct + 50) // 100
