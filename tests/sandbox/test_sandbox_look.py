"""The look switch: a "new release" look changes the Overview page without breaking it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from smoke.sandbox.app import create_app
from smoke.sandbox.cli import sandbox
from smoke.sandbox.server import banner
from tests.sandbox.sandbox_helpers import login


def _overview(app: Any, number: str = "10001") -> str:
    return login(app.test_client(), "admin").get(f"/AdminPortal/Overview/{number}").get_data(as_text=True)


def test_classic_look_has_no_insights_panel(db_path: Path) -> None:
    app = create_app(db_path, csrf=False, testing=True)
    page = _overview(app)
    assert 'data-testid="account-insights"' not in page
    assert ">Edit Account</a>" in page
    assert "look" not in app.test_client().get("/health").json


def test_new_look_adds_a_panel_and_renames_the_button(db_path: Path) -> None:
    app = create_app(db_path, csrf=False, testing=True, look="new")
    page = _overview(app)
    assert 'data-testid="account-insights"' in page and "ACCOUNT INSIGHTS" in page
    assert ">Edit Account Details</a>" in page and ">Edit Account</a>" not in page
    assert app.test_client().get("/health").json["look"] == "new"


def test_new_look_keeps_the_values_scenarios_read(db_path: Path) -> None:
    classic = _overview(create_app(db_path, csrf=False, testing=True))
    new = _overview(create_app(db_path, csrf=False, testing=True, look="new"))
    for testid in ("account-name", "balance", "next-bill-date", "recurring-charges", "default-payment-method"):
        marker = f'data-testid="{testid}">'
        assert classic.split(marker)[1].split("<")[0] == new.split(marker)[1].split("<")[0], testid
    # a scenario that clicks {link: Edit Account} (not exact) still finds the renamed button
    assert "Edit Account" in new.split('class="button"')[1].split("</a>")[0]


def test_other_pages_do_not_change(db_path: Path) -> None:
    classic = login(create_app(db_path, csrf=False, testing=True).test_client(), "admin")
    new = login(create_app(db_path, csrf=False, testing=True, look="new").test_client(), "admin")
    for url in ("/AdminPortal/Reports", "/AdminPortal/Overview/10001/Contacts", "/AdminPortal/Setup/Packages"):
        assert _no_token(classic.get(url).get_data(as_text=True)) == _no_token(new.get(url).get_data(as_text=True)), url


def _no_token(page: str) -> str:
    return re.sub(r'name="csrf_token" [^>]*>', "", page)


def test_cli_rejects_an_unknown_look_from_the_environment() -> None:
    result = CliRunner().invoke(sandbox, [], env={"ENGAGEIP_SANDBOX_LOOK": "shiny"})
    assert result.exit_code == 2 and "is not a look" in result.output


def test_banner_names_the_new_look() -> None:
    assert "Look: new" in banner("127.0.0.1", 1, [], "new")
    assert not any(line.startswith("Look:") for line in banner("127.0.0.1", 1, []))
