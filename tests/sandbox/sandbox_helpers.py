"""Helpers shared by the sandbox tests."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from smoke.sandbox import seed

TODAY = date(2026, 6, 15)
PASSWORDS = {u: p for u, p, *_ in seed.STAFF}


def login(client: Any, username: str) -> Any:
    r = client.post("/AdminPortal/Login", data={"Username": username, "Password": PASSWORDS[username]})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def portal_login(client: Any, login_name: str = "jsmith", password: str = seed.PORTAL_PASSWORD) -> Any:
    r = client.post("/Portal/Login", data={"PortalLogin": login_name, "PortalPassword": password})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def text_of(html: str, name: str) -> str:
    """The text of the first element with data-testid=name (tags stripped)."""
    m = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html, re.S)
    assert m, f"no data-testid={name!r} in page"
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()
