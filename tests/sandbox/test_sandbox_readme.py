"""The README's expected values are what the pages show (the suite's data file is written from it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smoke.sandbox.faults import FAULTS
from tests.sandbox.sandbox_helpers import PASSWORDS, portal_login, text_of

README = Path(__file__).resolve().parents[2] / "smoke" / "sandbox" / "README.md"


def accounts_table() -> list[dict[str, str]]:
    lines = README.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Account | Name |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)))
    return rows


def test_readme_lists_at_least_12_accounts() -> None:
    assert len(accounts_table()) >= 12


def test_readme_values_match_overview(admin: Any) -> None:
    for row in accounts_table():
        page = admin.get(f"/AdminPortal/Overview/{row['Account']}").get_data(as_text=True)
        for column, testid in [
            ("Name", "account-name"),
            ("Type", "account-type"),
            ("Status", "account-status"),
            ("Parent", "parent-account"),
            ("Bill Day", "bill-day"),
            ("Next Bill Date", "next-bill-date"),
            ("Balance", "balance"),
            ("Last Invoice Total", "last-invoice-total"),
            ("Recurring Charges", "recurring-charges"),
            ("Default Payment Method", "default-payment-method"),
        ]:
            assert text_of(page, testid) == row[column], (row["Account"], column)
        packages = page.split('id="userpackage_ListBody"')[1].split("</tbody>")[0]
        for item in row["Packages (status)"].split(", "):
            name = item.split(" (")[0].split(" x")[0]
            assert name in packages, (row["Account"], name)


@pytest.mark.parametrize("login_name", ["jsmith", "mgarcia", "edavis", "dwilson", "sbrown"])
def test_readme_values_match_portal_dashboard(app: Any, login_name: str) -> None:
    row = next(r for r in accounts_table() if r["Portal Login"] == login_name)
    page = portal_login(app.test_client(), login_name).get("/Portal/Dashboard").get_data(as_text=True)
    for column, testid in [
        ("Name", "account-name"),
        ("Account", "account-number"),
        ("Next Bill Date", "next-bill-date"),
        ("Balance", "balance"),
    ]:
        assert text_of(page, testid) == row[column]


def test_readme_documents_users_and_faults() -> None:
    text = README.read_text()
    for user, password in PASSWORDS.items():
        assert f"| {user} | `{password}` |" in text
    for name in FAULTS:
        assert f"| `{name}` |" in text
