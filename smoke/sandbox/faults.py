"""Faults: switches that make the sandbox behave like a bad upgrade in one specific way.

A fault changes behaviour only, never the seed data. Each fault names the checklist items it breaks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

ENV_VAR = "ENGAGEIP_SANDBOX_FAULTS"


@dataclass(frozen=True)
class Fault:
    name: str
    checklist: tuple[str, ...]
    description: str
    symptom: str


_FAULTS = [
    Fault(
        "admin-login-broken",
        ("admin-login",),
        "AdminPortal login fails for every user, even with the right password",
        'Login page stays put with the alert "Login failed: An error has occurred. Please contact your '
        'administrator." and an Error row (Module Security) in the event log.',
    ),
    Fault(
        "event-log-errors",
        ("event-log",),
        "background services write Error/Exception rows to the event log",
        "At start, on each AdminPortal login and every 5 seconds an Error row (Module Event, Result "
        "\"Error: System.Data.SqlClient.SqlException: Invalid column name 'ExtendedStatus'\") is written.",
    ),
    Fault(
        "provisioning-stuck",
        ("provisioning",),
        "provisioning requests stay Queued and time out",
        'Requests stay "Queued" with message "Timed out waiting for RADIUS server"; the event log gets '
        "Error rows (Module Provisioning).'",
    ),
    Fault(
        "radius-down",
        ("provisioning",),
        "the external provisioning target (the RADIUS server) is down",
        'The RADIUS stand-in answers every request with HTTP 503; provisioning requests end "Failed" in '
        'the queue ("RADIUS server answered HTTP 503: RADIUS server unavailable") and the event log gets '
        '"Failed request N: ..." Error rows.',
    ),
    Fault(
        "radius-duplicate",
        ("provisioning",),
        "every new subscriber is sent to the RADIUS server twice",
        "Each Add User request creates the subscriber twice on the RADIUS server (two rows for one user "
        'name); EngageIP shows one request, "Completed".',
    ),
    Fault(
        "radius-wrong-profile",
        ("provisioning",),
        "provisioning requests carry the wrong RADIUS profile",
        "Add and Change User requests carry the next provisioned package's profile (Fiber 100 arrives as "
        'Fiber 500); EngageIP shows the right package, "Completed".',
    ),
    Fault(
        "radius-no-suspend",
        ("provisioning",),
        "suspensions are never sent to the RADIUS server",
        "Suspending an account or package queues a Suspend User request that EngageIP marks "
        '"Completed", but the RADIUS subscriber stays Active.',
    ),
    Fault(
        "discount-ignored",
        ("special-pricing",),
        "discounts are not applied to charges",
        "Recurring charges, package prices and new bill-run charges ignore the account discount "
        "(e.g. 10009 shows $79.99 instead of $63.99).",
    ),
    Fault(
        "price-plan-ignored",
        ("special-pricing",),
        "price plans (volume pricing) are not applied to charges",
        "Recurring charges and package prices use list prices (10010 shows $150.00 instead of $114.00).",
    ),
    Fault(
        "card-declines-all",
        ("payment-processing", "online-payments"),
        "the credit card processor declines every card, including the approving test card",
        'Every card payment (admin, one-off, portal) shows payment result "Declined" '
        '("Declined: Processor returned code 05 (Do not honor)").',
    ),
    Fault(
        "echeck-processor-missing",
        ("payment-processing", "online-payments"),
        "the eCheck/ACH processor is gone after the upgrade",
        '"Sandbox ACH" is missing from Setup > Card Processors, the portal offers no eCheck option and '
        'eCheck payments fail with "No eCheck processor is configured".',
    ),
    Fault(
        "portal-stale-balance",
        ("account-data", "portal-integration", "online-payments"),
        "the portal shows the balance as of the last invoice, not the current one",
        "The portal dashboard balance ignores everything after the last invoice date (payments made "
        "in the portal do not change it).",
    ),
    Fault(
        "portal-wrong-bill-date",
        ("account-data",),
        "the portal shows the previous bill date instead of the next one",
        "The portal dashboard next-bill-date is one month earlier than the AdminPortal's.",
    ),
    Fault(
        "signup-no-userpackage",
        ("portal-signup", "provisioning"),
        "portal signup creates the account but no user-package",
        "After signup the account exists but its Packages list is empty, no charge is posted and no "
        "provisioning request is queued.",
    ),
    Fault(
        "contact-save-ignored",
        ("contacts",),
        "contact changes are accepted but not saved",
        'Saving a contact (AdminPortal or portal) says "Contact saved" but the old values remain; '
        "new contacts are not created.",
    ),
    Fault(
        "ticket-edit-fails",
        ("tickets",),
        "editing a ticket fails with an exception",
        'Saving a ticket edit or comment shows the alert "Error saving ticket: '
        'System.InvalidOperationException: ..." and nothing changes.',
    ),
    Fault(
        "usage-report-empty",
        ("customer-reports",),
        "usage reports return no records",
        'Portal Usage and AdminPortal UDR History show "No usage records found." with totals of 0.',
    ),
    Fault(
        "role-csr-lost-tickets",
        ("role-permissions", "tickets"),
        "the CSR role lost its Tickets permissions",
        'CSR gets "Access Denied" (missing Tickets: List) on every ticket page; the Tickets tab is gone.',
    ),
    Fault(
        "role-readonly-gained-setup",
        ("role-permissions",),
        "the Read Only role can reach and change Setup",
        "readonly can open /AdminPortal/Setup pages (200 instead of 403) and sees the Setup tab.",
    ),
    Fault(
        "page-extension-missing",
        ("custom-code",),
        "page extensions are no longer injected",
        'The Overview page has no panel data-testid="page-extension" ("Credit check: OK").',
    ),
    Fault(
        "action-not-firing",
        ("custom-code",),
        "actions no longer fire on events",
        "Editing an account or contact writes no Module=Actions row to the event log and no audit note.",
    ),
    Fault(
        "custom-code-error",
        ("custom-code",),
        "the LateFeeCalculator custom code throws",
        'The overdue account shows "Late fee: Error: ..." and Setup > Custom Code > Run shows an error '
        "alert and writes an Exception row to the event log.",
    ),
    Fault(
        "import-rejects-good-rows",
        ("data-import",),
        "imports reject valid rows",
        'Every row of a valid CSV is rejected ("not a valid date"): "Imported 0 rows, N errors".',
    ),
    Fault(
        "balance-ignores-credits",
        ("diverse-accounts",),
        "balances leave out credit adjustments",
        "Accounts with Credit transactions show a wrong balance (10011 shows $0.00 instead of -$100.00).",
    ),
    Fault(
        "bill-run-fails",
        ("event-log", "diverse-accounts"),
        "the bill run throws and generates no invoices",
        'Run Now writes "Starting Bill Run ..." then an Exception row and no "Finished Bill Run" row; '
        "0 invoices generated.",
    ),
    Fault(
        "portal-login-broken",
        ("portal-integration",),
        "customers cannot log in to the portal",
        'Portal login answers "Login failed: the portal could not reach EngageIP (Error 503)".',
    ),
    Fault(
        "statistics-page-error",
        ("new-features",),
        "the new Statistics page (new in 9.6.2) crashes",
        "/AdminPortal/Statistics answers HTTP 500 \"Server Error in '/AdminPortal' Application\".",
    ),
    Fault(
        "version-missing",
        ("sign-off",),
        "the release version is no longer reported",
        'Footer, About page and /health show "EngageIP (unknown version)" instead of the release.',
    ),
]

FAULTS: dict[str, Fault] = {f.name: f for f in _FAULTS}


class UnknownFaultError(ValueError):
    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            f"unknown fault{'s' if len(names) > 1 else ''}: {', '.join(names)}; valid faults: {', '.join(FAULTS)}"
        )


def parse_faults(values: Iterable[str]) -> frozenset[str]:
    """Validate fault names (each value may be comma separated); raise UnknownFaultError."""
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        raise UnknownFaultError(unknown)
    return frozenset(names)


def faults_from_env(environ: dict[str, str] | None = None) -> frozenset[str]:
    env = os.environ if environ is None else environ
    return parse_faults([env.get(ENV_VAR, "")])


def sorted_faults(active: Iterable[str]) -> list[str]:
    order = list(FAULTS)
    return sorted(active, key=order.index)
