"""The report tests' synthetic run: a night of the EngageIP suite against the sandbox.

The generator (``smoke.report.synthetic``) gives the run its shape; this fixture gives it the
EngageIP vocabulary the report tests assert on (the checklist of engageip-notes.md, AdminPortal and
portal URLs of the sandbox, payment processors, a role x function grid), which the engine must not
carry itself.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from smoke.report import synthetic
from smoke.report.synthetic import Failure, Loop, Suite, SyntheticScenario
from smoke.results import DataTable, StepError, TableRow

# The checklist of engageip-notes.md, as a project's checklist.yaml would give it
CHECKLIST = {
    "admin-login": "Log in to the AdminPortal.",
    "event-log": "Check the event log for errors (since the run started).",
    "provisioning": "Provisioning workflows run; what should have been provisioned was provisioned.",
    "special-pricing": "Discounts, price plans and non-standard packages price correctly.",
    "payment-processing": "Payments work on every configured processor (credit card, eCheck, ...).",
    "portal-integration": "Web portals integrated with EngageIP work (end-customer portal).",
    "tickets": "Tickets can be created and edited.",
    "customer-reports": "Customer reports work (e.g. usage tracking).",
    "online-payments": "Online payments process in the portal.",
    "portal-signup": "Signup in the portal creates the account, user-packages, etc.",
    "contacts": "Contact information can be added and updated.",
    "account-data": "Account data shown in the portal is accurate (account name, bill date, balance, ...).",
    "custom-code": "Custom code, page extensions and actions work.",
    "data-import": "Regular data imports import without issue.",
    "diverse-accounts": "Ten or more diverse accounts: balances and charges match production (previous release).",
    "role-permissions": "Each staff role can reach the functions it needs (workorders, tickets, "
    "adding accounts, adding packages) and nothing it should not.",
    "new-features": "Walk through new features (the headed demo/training run).",
    "sign-off": "The evidence is attached to the production upgrade request and sign-off.",
}
# (file stem, name, checklist ids, side, role, changes_data); the order failures are taken in
SCENARIOS = [
    SyntheticScenario(
        "diverse_accounts",
        "Diverse accounts match production",
        ("diverse-accounts", "account-data"),
        "admin",
        "billing",
        False,
    ),
    SyntheticScenario(
        "payments", "Pay a bill on every card processor", ("payment-processing",), "admin", "billing", True
    ),
    SyntheticScenario(
        "role_permissions", "Each role reaches what it needs", ("role-permissions",), "admin", "admin", False
    ),
    SyntheticScenario("admin_login", "Log in to the AdminPortal", ("admin-login",), "admin", "admin", False),
    SyntheticScenario(
        "event_log", "Event log has no errors since the run started", ("event-log",), "admin", "admin", False
    ),
    SyntheticScenario(
        "portal_signup",
        "Portal signup creates an account and a user-package",
        ("portal-signup", "provisioning", "portal-integration"),
        "portal",
        None,
        True,
    ),
    SyntheticScenario(
        "portal_payment", "Pay a bill online in the portal", ("online-payments",), "portal", "customer", True
    ),
    SyntheticScenario(
        "portal_account",
        "Portal shows accurate account data",
        ("account-data", "portal-integration"),
        "portal",
        "customer",
        False,
    ),
    SyntheticScenario("contacts", "Add and update a contact", ("contacts",), "admin", "csr", True),
    SyntheticScenario("tickets", "Open and edit a ticket", ("tickets",), "admin", "csr", True),
    SyntheticScenario(
        "special_pricing",
        "Discounts and price plans price correctly",
        ("special-pricing",),
        "admin",
        "billing",
        False,
    ),
    SyntheticScenario(
        "usage_report", "Usage report shows the rated UDRs", ("customer-reports",), "admin", "billing", False
    ),
    SyntheticScenario("custom_code", "Page extension and custom action run", ("custom-code",), "admin", "admin", False),
    SyntheticScenario(
        "provisioning_queue", "Provisioning queue is drained", ("provisioning",), "admin", "admin", False
    ),
    SyntheticScenario("data_import", "CSV import of accounts", ("data-import",), "admin", "admin", True),
]

PROCESSORS = [
    ("Moneris (test)", "Credit Card", "•••• 4242", "$25.00"),
    ("Authorize.Net (test)", "Credit Card", "•••• 1111", "$25.00"),
    ("Authorize.Net (test)", "eCheck/ACH", "•••• 6789", "$25.00"),
    ("Paymentech (test)", "Credit Card", "•••• 0005", "$25.00"),
]
ROLES = ["Admin", "Billing", "CSR", "Technician", "Read Only"]
FUNCTIONS = ["Add account", "Add package", "Edit ticket", "Edit workorder", "Setup"]
GRANTS = {
    "Admin": [1, 1, 1, 1, 1],
    "Billing": [1, 1, 0, 0, 0],
    "CSR": [1, 1, 1, 0, 0],
    "Technician": [0, 0, 1, 1, 0],
    "Read Only": [0, 0, 0, 0, 0],
}


def _tables(stem: str, fails: bool) -> list[DataTable]:
    if stem == "diverse_accounts":
        rows = []
        for k in range(12):
            number = str(100230 + k)
            balance = f"${40 + k * 5}.00"
            row = TableRow(cells=[number, f"Customer {k + 1}", "Active", balance, "2026-12-01", "$19.99"])
            if fails and k == 4:
                row.cells[3] = "$95.00"
                row.status = "failed"
                row.diffs = {"Balance": ["$120.00", "$95.00"]}
                row.message = "balance differs from production"
            rows.append(row)
        return [
            DataTable(
                title="Accounts: expected (production) vs shown (staging)",
                columns=["Account", "Name", "Status", "Balance", "Next bill date", "Last charge"],
                rows=rows,
                kind="accounts",
            )
        ]
    if stem == "payments":
        rows = []
        for k, (processor, method, number, amount) in enumerate(PROCESSORS):
            declined = fails and k == 2
            rows.append(
                TableRow(
                    cells=[
                        processor,
                        method,
                        number,
                        amount,
                        "declined" if declined else "approved",
                        "" if declined else f"TX-{7000 + k}",
                    ],
                    status="failed" if declined else "passed",
                    diffs={"Result": ["approved", "declined"]} if declined else {},
                )
            )
        return [
            DataTable(
                title="Payments per processor",
                rows=rows,
                kind="payments",
                columns=["Processor", "Method", "Card / account", "Amount", "Result", "Transaction"],
            )
        ]
    if stem == "role_permissions":
        rows = []
        for role in ROLES:
            cells = [role] + ["yes" if g else "no" for g in GRANTS[role]]
            row = TableRow(cells=cells)
            if fails and role == "CSR":
                row.cells[3] = "no"
                row.status = "failed"
                row.diffs = {"Edit ticket": ["yes", "no"]}
            rows.append(row)
        return [
            DataTable(
                title="Role x function permissions (expected vs actual)",
                columns=["Role", *FUNCTIONS],
                rows=rows,
                kind="permissions",
            )
        ]
    return []


ENGAGEIP = Suite(
    brand="EngageIP  AdminPortal",
    checklist=CHECKLIST,
    not_required=frozenset({"new-features", "sign-off"}),
    scenarios=SCENARIOS,
    flaky="tickets",
    skipped=SyntheticScenario(
        "new_features", "Walk through the new features", ("new-features",), "admin", "admin", False
    ),
    skipped_description="The headed demo walk-through of the release's new features.",
    skip_reason="demo scenarios run only with `smoke demo`",
    base_urls={"admin": "http://127.0.0.1:8765/AdminPortal", "portal": "http://127.0.0.1:8765/portal"},
    target={
        "name": "sandbox",
        "admin_url": "http://127.0.0.1:8765/AdminPortal/",
        "portal_url": "http://127.0.0.1:8765/portal/",
        "read_only": False,
    },
    release="8.5.26.5",
    command="smoke run --target sandbox",
    loop=Loop(
        caption="For each row of data/accounts.yaml",
        path="/Accounts",
        label="account {id}",
        open="Open the overview of {label}",
        check="Expect the balance of {label} to read ${amount}.00",
        row_path="/Overview/{id}",
    ),
    captions={
        "open": "Open {base}/Page{top}",
        "fill": "Fill 'Portal Login' with smoke-{run_id}",
        "click": "Click the 'Save' button",
        "expect_text": "Expect the page to show 'Saved'",
        "select": "Select 'Fiber 100' in 'Package'",
        "expect_row": "Expect a row in 'Packages' with Fiber 100, Active",
        "save": "Save the account number shown as account_number",
        "screenshot": "Take the screenshot 'overview'",
    },
    console_errors=[
        "TypeError: Cannot read properties of undefined (reading 'balance') at overview.js:112",
        "Failed to load resource: the server responded with a status of 500 (INTERNAL SERVER ERROR) {secret}",
    ],
    network_failures=[
        "POST {base}/Payments/Process -> 500 INTERNAL SERVER ERROR",
        "GET {base}/api/balance?account=100234 -> net::ERR_CONNECTION_RESET",
    ],
    failures={
        "diverse_accounts": Failure(
            StepError(
                message="Balance of account 100234 differs from production: expected $120.00, shown $95.00",
                expected="$120.00",
                actual="$95.00",
                kind="assertion",
            ),
            caption="Balance of account 100234 differs from production",
        ),
        "payments": Failure(
            StepError(
                message="Payment on 'Authorize.Net (test)' eCheck/ACH was declined",
                expected="text 'Payment approved'",
                actual="text 'Payment declined (code 2)'",
            )
        ),
    },
    tables=_tables,
)


def make_synthetic_run(
    run_dir: Path,
    steps: int = 1000,
    failures: int = 1,
    *,
    run_id: str | None = None,
    started: datetime | None = None,
    **options: Any,
) -> Path:
    """``smoke.report.synthetic.make_synthetic_run`` of the EngageIP suite (same options)."""
    return synthetic.make_synthetic_run(
        run_dir, steps, failures, run_id=run_id, started=started, suite=ENGAGEIP, **options
    )
