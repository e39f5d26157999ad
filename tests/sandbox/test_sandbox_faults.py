"""Each fault's symptom: absent on a healthy sandbox, present with the fault switched on."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from smoke.sandbox import domain
from smoke.sandbox.faults import FAULTS, UnknownFaultError, faults_from_env, parse_faults
from tests.sandbox.radius_helpers import provision
from tests.sandbox.sandbox_helpers import PASSWORDS, login, portal_login, text_of

CHECKLIST = [
    "admin-login",
    "event-log",
    "provisioning",
    "special-pricing",
    "payment-processing",
    "portal-integration",
    "tickets",
    "customer-reports",
    "online-payments",
    "portal-signup",
    "contacts",
    "account-data",
    "custom-code",
    "data-import",
    "diverse-accounts",
    "role-permissions",
    "new-features",
    "sign-off",
]


def html(r: Any) -> str:
    return r.get_data(as_text=True)


def admin(app: Any) -> Any:
    return login(app.test_client(), "admin")


def overview_value(app: Any, number: str, name: str) -> str:
    return text_of(html(admin(app).get(f"/AdminPortal/Overview/{number}")), name)


def error_rows(app: Any) -> int:
    return html(admin(app).get("/AdminPortal/Reports/EventLog?errors=1")).count('data-testid="event-error"')


def sym_admin_login(app: Any) -> bool:
    r = app.test_client().post("/AdminPortal/Login", data={"Username": "admin", "Password": PASSWORDS["admin"]})
    return r.status_code != 302 and "Login failed: An error has occurred" in html(r)


def sym_event_log(app: Any) -> bool:
    return error_rows(app) > 0


def sym_provisioning(app: Any) -> bool:
    from smoke.sandbox.state import state

    c = admin(app)
    page = html(c.get("/AdminPortal/Overview/10014/Packages/Add"))
    pkg = re.search(r'<option value="(\d+)">DSL Basic ', page).group(1)
    c.post("/AdminPortal/Overview/10014/Packages/Add", data={"Package": pkg, "RadiusUserName": "probe-dsl"})
    ctx = state(app).make_ctx()
    domain.process_provisioning_queue(ctx, min_age=0, stuck_after=0)
    ctx.conn.close()
    queue = html(c.get("/AdminPortal/Provisioning?status=Queued"))
    return "probe-dsl" in queue and error_rows(app) > 0


def sym_radius_down(app: Any) -> bool:
    done = provision(app, "probe-radius-down")
    return (
        [r["status"] for r in done.requests] == ["Failed"]
        and "HTTP 503" in done.requests[0]["message"]
        and any(e["result"].startswith("Failed request") and e["level"] == "Error" for e in done.events)
        and not done.subscribers("probe-radius-down")
    )


def sym_radius_duplicate(app: Any) -> bool:
    done = provision(app, "probe-radius-dup")
    return [r["status"] for r in done.requests] == ["Completed"] and len(done.subscribers("probe-radius-dup")) == 2


def sym_radius_wrong_profile(app: Any) -> bool:
    done = provision(app, "probe-radius-profile")
    subs = done.subscribers("probe-radius-profile")
    return [r["status"] for r in done.requests] == ["Completed"] and [s["profile"] for s in subs] != ["DSL Basic"]


def sym_radius_no_suspend(app: Any) -> bool:
    done = provision(app, "probe-radius-suspend", then="Suspended")
    subs = done.subscribers("probe-radius-suspend")
    return [(r["action"], r["status"]) for r in done.requests] == [
        ("Add User", "Completed"),
        ("Suspend User", "Completed"),
    ] and [s["status"] for s in subs] == ["Active"]


def sym_discount(app: Any) -> bool:
    return overview_value(app, "10009", "recurring-charges") != "$63.99"


def sym_price_plan(app: Any) -> bool:
    return overview_value(app, "10010", "recurring-charges") != "$114.00"


def portal_pay(app: Any, **data: str) -> str:
    c = portal_login(app.test_client(), "sbrown")
    r = c.post("/Portal/PayNow", data={"Amount": "10.00", **data})
    if r.status_code != 302:
        return "Error"
    return text_of(html(c.get(r.headers["Location"])), "payment-result")


def sym_card(app: Any) -> bool:
    return (
        portal_pay(app, PaymentMethod="Credit Card", CardNumber="4111111111111111", Expiry="12/29", CVV="123")
        == "Declined"
    )


def sym_echeck(app: Any) -> bool:
    page = html(portal_login(app.test_client(), "sbrown").get("/Portal/PayNow"))
    processors = html(admin(app).get("/AdminPortal/Setup/CardProcessors"))
    missing = ">eCheck</label>" not in page and 'data-processor="Sandbox ACH"' not in processors
    return (
        missing
        and portal_pay(app, PaymentMethod="eCheck", RoutingNumber="011000015", BankAccountNumber="123456789") == "Error"
    )


def dashboard(app: Any, login_name: str = "jsmith") -> str:
    return html(portal_login(app.test_client(), login_name).get("/Portal/Dashboard"))


def sym_stale_balance(app: Any) -> bool:
    return text_of(dashboard(app), "balance") != overview_value(app, "10001", "balance")


def sym_wrong_bill_date(app: Any) -> bool:
    return text_of(dashboard(app), "next-bill-date") != overview_value(app, "10001", "next-bill-date")


def sym_signup(app: Any) -> bool:
    c = app.test_client()
    pkg = re.search(r'<option value="(\d+)">Fiber 100</option>', html(c.get("/Portal/Signup"))).group(1)
    r = c.post(
        "/Portal/Signup",
        data={
            "FirstName": "Probe",
            "LastName": "User",
            "EmailAddress": "p@example.com",
            "Package": pkg,
            "PortalLogin": "probe-user",
            "PortalPassword": "Secret#123",
            "ConfirmPassword": "Secret#123",
        },
    )
    number = text_of(html(r), "account-number")
    body = html(admin(app).get(f"/AdminPortal/Overview/{number}")).split('id="userpackage_ListBody"')[1]
    return "No packages." in body.split("</tbody>")[0]


def sym_contacts(app: Any) -> bool:
    c = portal_login(app.test_client())
    c.post("/Portal/Contact", data={"FirstName": "Johnny", "LastName": "Smith", "EmailAddress": "j@example.com"})
    return 'value="Johnny"' not in html(c.get("/Portal/Contact"))


def sym_ticket_edit(app: Any) -> bool:
    r = admin(app).post(
        "/AdminPortal/Ticket/1",
        data={
            "Subject": "Edited",
            "Status": "Open",
            "Priority": "Low",
            "Type": "Billing",
            "Comment": "probe",
        },
    )
    return r.status_code == 500 and "Error saving ticket" in html(r)


def sym_usage(app: Any) -> bool:
    page = html(portal_login(app.test_client()).get("/Portal/Usage"))
    return "No usage records found." in page and text_of(page, "usage-count") == "0"


def sym_csr_tickets(app: Any) -> bool:
    return login(app.test_client(), "csr").get("/AdminPortal/Tickets").status_code == 403


def sym_readonly_setup(app: Any) -> bool:
    return login(app.test_client(), "readonly").get("/AdminPortal/Setup/Roles").status_code == 200


def sym_page_extension(app: Any) -> bool:
    return "data-page-extension=" not in html(admin(app).get("/AdminPortal/Overview/10001"))


def sym_action(app: Any) -> bool:
    c = admin(app)
    before = html(c.get("/AdminPortal/Reports/EventLog?module=Actions")).count("<tr class=")
    c.post(
        "/AdminPortal/Overview/10001/Edit",
        data={
            "AccountName": "John Smith",
            "SalesRep": "Probe",
            "Status": "Active",
            "AccountType": "Residential",
            "BillDay": "1",
        },
    )
    after = html(c.get("/AdminPortal/Reports/EventLog?module=Actions")).count("<tr class=")
    return after == before


def sym_custom_code(app: Any) -> bool:
    c = admin(app)
    r = c.post("/AdminPortal/Setup/CustomCode", data={"Name": "LateFeeCalculator"})
    return r.status_code == 500 and overview_value(app, "10012", "late-fee").startswith("Error:")


def sym_import(app: Any) -> bool:
    page = html(
        admin(app).post(
            "/AdminPortal/Setup/Import",
            data={
                "ImportType": "usage",
                "CsvText": "account_number,date,description,minutes\n10001,2026-06-10,Call,5\n",
            },
        )
    )
    return text_of(page, "import-result") == "Imported 0 rows, 1 errors"


def sym_credits(app: Any) -> bool:
    return overview_value(app, "10011", "balance") != "-$100.00"


def sym_bill_run(app: Any) -> bool:
    c = admin(app)
    c.post("/AdminPortal/Setup/BillRuns", data={"Start": "2026-06-15", "End": "2026-06-15"})
    log = html(c.get("/AdminPortal/Reports/EventLog?module=Billing"))
    return "Finished Bill Run" not in log.split("</tr>")[1] and error_rows(app) > 0


def sym_portal_login(app: Any) -> bool:
    r = app.test_client().post("/Portal/Login", data={"PortalLogin": "jsmith", "PortalPassword": "Portal#2026"})
    return r.status_code != 302


def sym_statistics(app: Any) -> bool:
    return admin(app).get("/AdminPortal/Statistics").status_code == 500


def sym_version(app: Any) -> bool:
    page = html(admin(app).get("/AdminPortal/About"))
    return "9.6.2" not in text_of(page, "version") and app.test_client().get("/health").json["version"] == "unknown"


SYMPTOMS: dict[str, Callable[[Any], bool]] = {
    "admin-login-broken": sym_admin_login,
    "event-log-errors": sym_event_log,
    "provisioning-stuck": sym_provisioning,
    "radius-down": sym_radius_down,
    "radius-duplicate": sym_radius_duplicate,
    "radius-wrong-profile": sym_radius_wrong_profile,
    "radius-no-suspend": sym_radius_no_suspend,
    "discount-ignored": sym_discount,
    "price-plan-ignored": sym_price_plan,
    "card-declines-all": sym_card,
    "echeck-processor-missing": sym_echeck,
    "portal-stale-balance": sym_stale_balance,
    "portal-wrong-bill-date": sym_wrong_bill_date,
    "signup-no-userpackage": sym_signup,
    "contact-save-ignored": sym_contacts,
    "ticket-edit-fails": sym_ticket_edit,
    "usage-report-empty": sym_usage,
    "role-csr-lost-tickets": sym_csr_tickets,
    "role-readonly-gained-setup": sym_readonly_setup,
    "page-extension-missing": sym_page_extension,
    "action-not-firing": sym_action,
    "custom-code-error": sym_custom_code,
    "import-rejects-good-rows": sym_import,
    "balance-ignores-credits": sym_credits,
    "bill-run-fails": sym_bill_run,
    "portal-login-broken": sym_portal_login,
    "statistics-page-error": sym_statistics,
    "version-missing": sym_version,
}


def test_every_fault_has_a_symptom_probe() -> None:
    assert set(SYMPTOMS) == set(FAULTS)
    assert len(FAULTS) >= 15


def test_faults_cover_every_checklist_item() -> None:
    covered = {item for f in FAULTS.values() for item in f.checklist}
    assert covered == set(CHECKLIST)


@pytest.mark.parametrize("name", list(SYMPTOMS))
def test_healthy_sandbox_has_no_symptom(make_app: Any, name: str) -> None:
    assert not SYMPTOMS[name](make_app())


@pytest.mark.parametrize("name", list(SYMPTOMS))
def test_fault_produces_its_symptom(make_app: Any, name: str) -> None:
    app = make_app(name)
    assert app.test_client().get("/health").json["faults"] == [name]
    assert SYMPTOMS[name](app)


def test_healthy_run_writes_no_error_rows(make_app: Any) -> None:
    app = make_app()
    for name, probe in SYMPTOMS.items():
        if name not in ("admin-login-broken", "portal-login-broken"):
            probe(app)
    assert error_rows(app) == 0


def test_faults_do_not_change_seed_data(make_app: Any, ctx: Any) -> None:
    before = ctx.q1("SELECT COUNT(*) AS n, SUM(amount_cents) AS s FROM transactions")
    make_app(*FAULTS)
    after = ctx.q1("SELECT COUNT(*) AS n, SUM(amount_cents) AS s FROM transactions")
    assert tuple(before) == tuple(after)


def test_parse_faults() -> None:
    assert parse_faults(["card-declines-all", "discount-ignored,usage-report-empty", ""]) == {
        "card-declines-all",
        "discount-ignored",
        "usage-report-empty",
    }
    with pytest.raises(UnknownFaultError, match="valid faults: admin-login-broken"):
        parse_faults(["nope"])
    assert faults_from_env({"ENGAGEIP_SANDBOX_FAULTS": "version-missing, bill-run-fails"}) == {
        "version-missing",
        "bill-run-fails",
    }
