"""Every role on every protected route: allowed roles get the page, the others get 403 Access Denied."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smoke.sandbox.permissions import MATRIX
from tests.sandbox.sandbox_helpers import login

USERS = {"admin": "Admin", "csr": "CSR", "billing": "Billing", "support": "Support", "readonly": "Read Only"}

# (path, areas (any of), level). Account pages also need Accounts: List, which every role has.
GET_ROUTES: list[tuple[str, tuple[str, ...], str]] = [
    ("/AdminPortal/Accounts", ("Accounts",), "List"),
    ("/AdminPortal/Account/New", ("Accounts",), "Edit"),
    ("/AdminPortal/Overview/10001", ("Accounts",), "List"),
    ("/AdminPortal/Overview/10001/Edit", ("Accounts",), "Edit"),
    ("/AdminPortal/Overview/10001/Contacts", ("Contacts",), "List"),
    ("/AdminPortal/Overview/10001/Contacts/New", ("Contacts",), "Edit"),
    ("/AdminPortal/Overview/10007/Contacts/1/Edit", ("Contacts",), "Edit"),
    ("/AdminPortal/Overview/10001/Packages", ("Packages",), "List"),
    ("/AdminPortal/Overview/10001/Packages/Add", ("Packages",), "Edit"),
    ("/AdminPortal/Overview/10001/Transactions", ("Transactions",), "List"),
    ("/AdminPortal/Overview/10001/Transactions/New", ("Transactions",), "Edit"),
    ("/AdminPortal/Overview/10001/Invoices", ("Transactions",), "List"),
    ("/AdminPortal/Invoice/1", ("Transactions",), "List"),
    ("/AdminPortal/Overview/10001/Tickets", ("Tickets",), "List"),
    ("/AdminPortal/Overview/10001/Tools", ("Accounts",), "List"),
    ("/AdminPortal/Overview/10001/Tools/PaymentMethods", ("Payments",), "List"),
    ("/AdminPortal/Overview/10001/Tools/OneOffCreditCardPayment", ("Payments",), "Edit"),
    ("/AdminPortal/Payment/New", ("Payments",), "Edit"),
    ("/AdminPortal/Payment/1", ("Payments",), "List"),
    ("/AdminPortal/Tickets", ("Tickets",), "List"),
    ("/AdminPortal/Ticket/New", ("Tickets",), "Edit"),
    ("/AdminPortal/Ticket/1", ("Tickets",), "List"),
    ("/AdminPortal/Workorders", ("Workorders",), "List"),
    ("/AdminPortal/Workorder/New", ("Workorders",), "Edit"),
    ("/AdminPortal/Workorder/1", ("Workorders",), "List"),
    ("/AdminPortal/Provisioning", ("Provisioning",), "List"),
    ("/AdminPortal/Reports", ("Reports",), "List"),
    ("/AdminPortal/Reports/EventLog", ("Reports",), "List"),
    ("/AdminPortal/Reports/AuditLog", ("Reports",), "List"),
    ("/AdminPortal/Reports/UDRHistory", ("Reports",), "List"),
    ("/AdminPortal/Reports/AccountServices", ("Reports",), "List"),
    ("/AdminPortal/Statistics", ("Reports",), "List"),
    ("/AdminPortal/Setup", ("Setup", "Import", "BillRuns"), "List"),
    ("/AdminPortal/Setup/Roles", ("Setup",), "List"),
    ("/AdminPortal/Setup/Roles/1", ("Setup",), "List"),
    ("/AdminPortal/Setup/CardProcessors", ("Setup",), "List"),
    ("/AdminPortal/Setup/Packages", ("Setup",), "List"),
    ("/AdminPortal/Setup/Discounts", ("Setup",), "List"),
    ("/AdminPortal/Setup/TicketCategories", ("Setup",), "List"),
    ("/AdminPortal/Setup/PageExtensions", ("Setup",), "List"),
    ("/AdminPortal/Setup/Actions", ("Setup",), "List"),
    ("/AdminPortal/Setup/CustomCode", ("Setup",), "List"),
    ("/AdminPortal/Setup/Import", ("Import",), "List"),
    ("/AdminPortal/Setup/BillRuns", ("BillRuns",), "List"),
]

POST_ROUTES: list[tuple[str, tuple[str, ...]]] = [
    ("/AdminPortal/Account/New", ("Accounts",)),
    ("/AdminPortal/Overview/10001/Edit", ("Accounts",)),
    ("/AdminPortal/Overview/10001/Contacts/New", ("Contacts",)),
    ("/AdminPortal/Overview/10007/Contacts/1/Edit", ("Contacts",)),
    ("/AdminPortal/Overview/10007/Contacts/1/Delete", ("Contacts",)),
    ("/AdminPortal/Overview/10001/Packages/Add", ("Packages",)),
    ("/AdminPortal/Overview/10001/Packages/1/Status", ("Packages",)),
    ("/AdminPortal/Overview/10001/Transactions/New", ("Transactions",)),
    ("/AdminPortal/Overview/10001/Tools/OneOffCreditCardPayment", ("Payments",)),
    ("/AdminPortal/Overview/10001/Tools/BillAccount", ("BillRuns",)),
    ("/AdminPortal/Payment/New", ("Payments",)),
    ("/AdminPortal/Ticket/New", ("Tickets",)),
    ("/AdminPortal/Ticket/1", ("Tickets",)),
    ("/AdminPortal/Workorder/New", ("Workorders",)),
    ("/AdminPortal/Workorder/1", ("Workorders",)),
    ("/AdminPortal/Provisioning/1/Retry", ("Provisioning",)),
    ("/AdminPortal/Setup/Roles/1", ("Setup",)),
    ("/AdminPortal/Setup/CardProcessors", ("Setup",)),
    ("/AdminPortal/Setup/Discounts", ("Setup",)),
    ("/AdminPortal/Setup/TicketCategories", ("Setup",)),
    ("/AdminPortal/Setup/PageExtensions", ("Setup",)),
    ("/AdminPortal/Setup/Actions", ("Setup",)),
    ("/AdminPortal/Setup/CustomCode", ("Setup",)),
    ("/AdminPortal/Setup/Import", ("Import",)),
    ("/AdminPortal/Setup/BillRuns", ("BillRuns",)),
]


def allowed(role: str, areas: tuple[str, ...], level: str) -> bool:
    flag = "E" if level == "Edit" else "L"
    return any(flag in MATRIX[role][a] for a in areas)


@pytest.fixture(scope="module")
def clients(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import shutil

    from smoke.sandbox.app import create_app

    path = tmp_path_factory.mktemp("perm") / "perm.db"
    shutil.copy(seeded_db, path)
    app = create_app(path, csrf=False, testing=True)
    yield {user: login(app.test_client(), user) for user in USERS}


@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize(("path", "areas", "level"), GET_ROUTES, ids=[r[0] for r in GET_ROUTES])
def test_get_permission(clients: dict[str, Any], user: str, path: str, areas: tuple[str, ...], level: str) -> None:
    r = clients[user].get(path)
    body = r.get_data(as_text=True)
    if allowed(USERS[user], areas, level):
        assert r.status_code == 200, body[:500]
    else:
        assert r.status_code == 403
        assert "<title>Access Denied" in body and "<h1>Access Denied</h1>" in body
        assert f"{areas[0]}: {level}" in body


@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize(("path", "areas"), POST_ROUTES, ids=[r[0] for r in POST_ROUTES])
def test_post_denied_without_edit(clients: dict[str, Any], user: str, path: str, areas: tuple[str, ...]) -> None:
    if allowed(USERS[user], areas, "Edit"):
        pytest.skip("allowed: covered by the route tests (this module shares one database)")
    r = clients[user].post(path, data={})
    assert r.status_code == 403
    assert f"{areas[0]}: Edit" in r.get_data(as_text=True)


def test_all_adminportal_rules_are_covered(app: Any) -> None:
    covered = {p for p, *_ in GET_ROUTES} | {p for p, _ in POST_ROUTES}
    public = {
        "/AdminPortal/",
        "/AdminPortal/Login",
        "/AdminPortal/Logout",
        "/AdminPortal/Home",
        "/AdminPortal/ChangePassword",
        "/AdminPortal/About",
    }
    import re

    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/AdminPortal") or rule.rule in public:
            continue
        pattern = re.sub(r"<[^>]+>", "[^/]+", rule.rule) + "$"
        assert any(re.match(pattern, p) for p in covered), f"{rule.rule} has no permission test"


@pytest.mark.parametrize("user", list(USERS))
def test_login_only_pages(clients: dict[str, Any], user: str) -> None:
    for path in ("/AdminPortal/Home", "/AdminPortal/About", "/AdminPortal/ChangePassword"):
        assert clients[user].get(path).status_code == 200


def test_tabs_follow_permissions(clients: dict[str, Any]) -> None:
    page = clients["support"].get("/AdminPortal/Overview/10001").get_data(as_text=True)
    assert 'id="Tickets_tab"' in page and 'id="Transactions_tab"' not in page
    assert 'id="Setup_tab"' not in clients["csr"].get("/AdminPortal/Home").get_data(as_text=True)
    assert 'id="Setup_tab"' in clients["billing"].get("/AdminPortal/Home").get_data(as_text=True)


def test_csr_typing_a_setup_url_is_refused(clients: dict[str, Any]) -> None:
    r = clients["csr"].get("/AdminPortal/Setup/Roles")
    assert r.status_code == 403
    body = r.get_data(as_text=True)
    assert "Your role (CSR) does not have the Setup: List permission." in body
