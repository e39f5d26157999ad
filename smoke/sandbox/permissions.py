"""Role permission areas, the default matrix, and the faults that change effective permissions."""

from __future__ import annotations

AREAS = [
    "Accounts",
    "Contacts",
    "Packages",
    "Transactions",
    "Payments",
    "Tickets",
    "Workorders",
    "Provisioning",
    "Reports",
    "BillRuns",
    "Import",
    "Setup",
]

AREA_HELP = {
    "Accounts": "view accounts / create and edit accounts (Create New > Account)",
    "Contacts": "view / add, edit and delete contacts and contact points",
    "Packages": "view user-packages / add packages to accounts, change their status",
    "Transactions": "view transactions and invoices / post charges and credits",
    "Payments": "view payments and payment methods / take payments (Create New > Payment, One-Off)",
    "Tickets": "view tickets / create and edit tickets, comments",
    "Workorders": "view workorders / create workorders and change their status",
    "Provisioning": "view the provisioning queue / retry requests",
    "Reports": "Event Log, Audit Log, UDR History, Account Services, Statistics",
    "BillRuns": "view bill runs / run a bill run, Bill Account",
    "Import": "view imports / upload CSV imports",
    "Setup": "Setup pages (roles, processors, packages, discounts, extensions, actions, custom code)",
}

ROLES = ["Admin", "CSR", "Billing", "Support", "Read Only"]

# "LE" = List and Edit, "L" = List only, "" = neither.
MATRIX: dict[str, dict[str, str]] = {
    "Admin": {a: "LE" for a in AREAS},
    "CSR": {
        "Accounts": "LE",
        "Contacts": "LE",
        "Packages": "LE",
        "Transactions": "L",
        "Payments": "L",
        "Tickets": "LE",
        "Workorders": "LE",
        "Provisioning": "L",
        "Reports": "L",
        "BillRuns": "",
        "Import": "",
        "Setup": "",
    },
    "Billing": {
        "Accounts": "L",
        "Contacts": "L",
        "Packages": "L",
        "Transactions": "LE",
        "Payments": "LE",
        "Tickets": "L",
        "Workorders": "",
        "Provisioning": "",
        "Reports": "L",
        "BillRuns": "LE",
        "Import": "LE",
        "Setup": "",
    },
    "Support": {
        "Accounts": "L",
        "Contacts": "L",
        "Packages": "L",
        "Transactions": "",
        "Payments": "",
        "Tickets": "LE",
        "Workorders": "LE",
        "Provisioning": "LE",
        "Reports": "L",
        "BillRuns": "",
        "Import": "",
        "Setup": "",
    },
    "Read Only": {
        "Accounts": "L",
        "Contacts": "L",
        "Packages": "L",
        "Transactions": "L",
        "Payments": "L",
        "Tickets": "L",
        "Workorders": "L",
        "Provisioning": "L",
        "Reports": "L",
        "BillRuns": "",
        "Import": "",
        "Setup": "",
    },
}

TICKET_ASSIGNABLE = {"Admin", "CSR", "Support"}


def apply_faults(
    role: str, perms: dict[str, tuple[bool, bool]], faults: frozenset[str]
) -> dict[str, tuple[bool, bool]]:
    perms = dict(perms)
    if role == "CSR" and "role-csr-lost-tickets" in faults:
        perms["Tickets"] = (False, False)
    if role == "Read Only" and "role-readonly-gained-setup" in faults:
        perms["Setup"] = (True, True)
    return perms


def allowed(perms: dict[str, tuple[bool, bool]], area: str, level: str) -> bool:
    can_list, can_edit = perms.get(area, (False, False))
    return can_edit if level == "Edit" else (can_list or can_edit)
