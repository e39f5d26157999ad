"""The AdminPortal blueprint and what its pages share: rendering, flash messages, the account being viewed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, render_template, request

from .. import domain
from ..auth import ctx

bp = Blueprint("admin", __name__)


def page(template: str, **kw: Any) -> str:
    return render_template(f"admin/{template}", **kw)


def arg(name: str, convert: Callable[[str], Any] = str) -> Any:
    """A query argument of the page, converted; None (no filter) when it is missing or empty."""
    value = request.args.get(name)
    return convert(value) if value else None


def ok(msg: str) -> None:
    flash(msg, "success")


def fail(msg: str) -> None:
    flash(msg, "error")


def account_or_404(number: str) -> Any:
    acct = domain.account_by_number(ctx(), number)
    if acct is None:
        abort(404, description=f"Account '{number}' was not found.")
    return acct


def account_page(template: str, number: str, tab: str, **kw: Any) -> str:
    c = ctx()
    acct = account_or_404(number)
    summary = domain.account_summary(c, acct["id"])
    return page(template, acct=acct, s=summary, tab=tab, **kw)
