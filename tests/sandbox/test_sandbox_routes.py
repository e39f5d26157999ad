from __future__ import annotations

import io
import re
from typing import Any

from tests.sandbox.sandbox_helpers import login, portal_login, text_of


def html(r: Any) -> str:
    return r.get_data(as_text=True)


def test_health(app: Any) -> None:
    r = app.test_client().get("/health")
    assert r.status_code == 200
    assert r.json == {
        "status": "ok",
        "version": "9.6.2",
        "product": "EngageIP 9.6.2 (sandbox)",
        "faults": [],
        "today": "2026-06-15",
    }


def test_login_page_has_the_real_ids(app: Any) -> None:
    page = html(app.test_client().get("/AdminPortal/Login"))
    assert '<label for="Username">Username</label>' in page
    assert '<label for="Password">Password</label>' in page
    assert re.search(r'<input id="Username" name="Username"', page)
    assert re.search(r'<input id="Password" name="Password" type="password"', page)
    assert '<button id="LoginButton" type="submit">Log In</button>' in page
    assert 'name="csrf_token"' in page
    assert text_of(page, "version") == "EngageIP 9.6.2 (sandbox)"


def test_admin_root_redirects_to_login(app: Any) -> None:
    r = app.test_client().get("/AdminPortal/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/AdminPortal/Login")
    r = app.test_client().get("/AdminPortal/Overview/10001")
    assert r.status_code == 302 and "/AdminPortal/Login?next=" in r.headers["Location"]
    assert app.test_client().get("/adminportal/Login").status_code == 302


def test_login_shows_current_user_and_logout(app: Any) -> None:
    c = app.test_client()
    bad = c.post("/AdminPortal/Login", data={"Username": "admin", "Password": "wrong"})
    assert bad.status_code == 401 and "Invalid username or password." in html(bad)
    login(c, "csr")
    page = html(c.get("/AdminPortal/Home"))
    assert '<span id="CurrentUsername">csr</span>' in page
    assert "Change My Password" in page and "Log Out" in page
    c.get("/AdminPortal/Logout")
    assert c.get("/AdminPortal/Home").status_code == 302


def test_change_password(app: Any) -> None:
    c = login(app.test_client(), "support")
    r = c.post(
        "/AdminPortal/ChangePassword",
        data={
            "CurrentPassword": "Support#2026",
            "NewPassword": "NewPass#99",
            "ConfirmPassword": "NewPass#99",
        },
    )
    assert r.status_code == 302
    c.get("/AdminPortal/Logout")
    assert c.post("/AdminPortal/Login", data={"Username": "support", "Password": "NewPass#99"}).status_code == 302


def test_csrf_is_enforced(make_app: Any) -> None:
    app = make_app(csrf=True)
    c = app.test_client()
    r = c.post("/AdminPortal/Login", data={"Username": "admin", "Password": "Admin#2026"})
    assert r.status_code == 400 and "CSRF" in html(r)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html(c.get("/AdminPortal/Login"))).group(1)
    r = c.post("/AdminPortal/Login", data={"Username": "admin", "Password": "Admin#2026", "csrf_token": token})
    assert r.status_code == 302


def test_overview_values_and_ids(admin: Any) -> None:
    page = html(admin.get("/AdminPortal/Overview/10004"))
    assert text_of(page, "account-name") == "Acme Corporation - Toronto Office"
    assert text_of(page, "account-number") == "10004"
    assert text_of(page, "account-status") == "Active"
    assert text_of(page, "bill-day") == "1"
    assert text_of(page, "next-bill-date") == "2026-07-01"
    assert text_of(page, "parent-account") == "Acme Corporation"
    assert text_of(page, "balance") == "$0.00"
    for needle in (
        'id="DetailsContactName"',
        'id="DetailsContactCompany"',
        'id="DetailsParentName"',
        'id="CurrentAccountID"',
        'id="DetailsPhone"><a',
        'id="DetailsAddress"><a',
        'id="userpackage_ListBody"',
        'class="listtitle"',
        'aria-label="Packages"',
        'id="Overview_tab"',
        'id="Contacts_tab"',
        'id="Transactions_tab"',
        'id="Tools_tab"',
    ):
        assert needle in page, needle
    assert "<th>User Package Status Type</th>" in page


def test_page_extension_is_injected(admin: Any) -> None:
    page = html(admin.get("/AdminPortal/Overview/10001"))
    assert 'id="PageExtensionHost"' in page
    assert 'data-page-extension="Credit Check Panel"' in page and "Credit check: OK" in page


def test_search_goes_to_single_match(admin: Any) -> None:
    r = admin.get("/AdminPortal/Accounts?q=garcia")
    assert r.status_code == 302 and r.headers["Location"].endswith("/AdminPortal/Overview/10002")
    page = html(admin.get("/AdminPortal/Accounts?q=Acme"))
    assert page.count('data-account="') == 3


def test_create_account_with_card_and_package(admin: Any) -> None:
    pkg = re.search(r'<option value="(\d+)">Fiber 500</option>', html(admin.get("/AdminPortal/Account/New"))).group(1)
    r = admin.post(
        "/AdminPortal/Account/New",
        data={
            "FirstName": "Nina",
            "LastName": "New",
            "Email": "nina@example.com",
            "Phone": "555-9999",
            "Address": "1 New Road",
            "AccountType": "Residential",
            "Status": "Active",
            "BillDay": "15",
            "ContactType": "Billing Contact",
            "PaymentMethod": "Credit Card",
            "CardNumber": "4111111111111111",
            "Expiry": "12/29",
            "CVV": "123",
            "Package": pkg,
            "RadiusUserName": "nnew",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/AdminPortal/Overview/10015")
    page = html(admin.get("/AdminPortal/Overview/10015"))
    assert text_of(page, "account-name") == "Nina New"
    assert text_of(page, "balance") == "$79.99"
    assert text_of(page, "default-payment-method") == "Visa ending 1111"
    assert "4111111111111111" not in page
    assert "nnew" in html(admin.get("/AdminPortal/Provisioning"))


def test_add_package_queues_provisioning(admin: Any, app: Any) -> None:
    page = html(admin.get("/AdminPortal/Overview/10014/Packages/Add"))
    pkg = re.search(r'<option value="(\d+)">Fiber 100 ', page).group(1)
    r = admin.post(
        "/AdminPortal/Overview/10014/Packages/Add",
        data={"Package": pkg, "Status": "Active", "RadiusUserName": "mlee100"},
    )
    assert r.status_code == 302
    page = html(admin.get("/AdminPortal/Overview/10014/Packages"))
    assert "Provisioning request" in page and "mlee100" in page
    queue = html(admin.get("/AdminPortal/Provisioning?status=Queued"))
    assert "mlee100" in queue and "Fiber 100" in queue
    from smoke.sandbox import domain
    from smoke.sandbox.state import state

    c = state(app).make_ctx()
    domain.process_provisioning_queue(c, min_age=0)
    c.conn.close()
    assert "mlee100" in html(admin.get("/AdminPortal/Provisioning?status=Completed"))
    log = html(admin.get("/AdminPortal/Reports/EventLog?module=Provisioning"))
    assert "RADIUS user &#39;mlee100&#39; added" in log


def test_contacts_add_edit_delete(admin: Any) -> None:
    r = admin.post(
        "/AdminPortal/Overview/10001/Contacts/New",
        data={
            "ContactType": "Administrative Contact",
            "FirstName": "Jane",
            "LastName": "Smith",
            "EmailAddress": "jane@example.com",
            "HomePhone": "555-1234",
        },
    )
    assert r.status_code == 302
    page = html(admin.get("/AdminPortal/Overview/10001/Contacts"))
    assert "Jane Smith" in page and "jane@example.com" in page and "********" in page
    cid = re.search(r'/Contacts/(\d+)/Edit" aria-label="Edit Jane Smith"', page).group(1)
    admin.post(
        f"/AdminPortal/Overview/10001/Contacts/{cid}/Edit",
        data={
            "ContactType": "Administrative Contact",
            "FirstName": "Janet",
            "LastName": "Smith",
            "EmailAddress": "janet@example.com",
        },
    )
    page = html(admin.get("/AdminPortal/Overview/10001/Contacts"))
    assert "Janet Smith" in page and "janet@example.com" in page and "555-1234" not in page
    admin.post(f"/AdminPortal/Overview/10001/Contacts/{cid}/Delete")
    assert "Janet" not in html(admin.get("/AdminPortal/Overview/10001/Contacts"))
    bad = admin.post(
        "/AdminPortal/Overview/10001/Contacts/New",
        data={"ContactType": "Billing Contact", "FirstName": "X", "EmailAddress": "not-an-email"},
    )
    assert 'role="alert"' in html(bad) and "not a valid email" in html(bad)


def test_manual_transaction_changes_balance(admin: Any) -> None:
    r = admin.post(
        "/AdminPortal/Overview/10001/Transactions/New",
        data={"Type": "Credit", "Amount": "12.00", "Detail": "Goodwill", "Date": ""},
    )
    assert r.status_code == 302
    page = html(admin.get("/AdminPortal/Overview/10001"))
    assert text_of(page, "balance") == "-$12.00"
    assert "Goodwill" in html(admin.get("/AdminPortal/Overview/10001/Transactions"))


def test_invoice_page(admin: Any) -> None:
    page = html(admin.get("/AdminPortal/Overview/10012/Invoices"))
    assert page.count("Overdue") >= 2
    inv = re.search(r'href="/AdminPortal/Invoice/(\d+)"', page).group(1)
    page = html(admin.get(f"/AdminPortal/Invoice/{inv}"))
    assert 'aria-label="Invoice Lines"' in page


def test_admin_payment_receipts(admin: Any) -> None:
    r = admin.post(
        "/AdminPortal/Payment/New",
        data={
            "AccountNumber": "10012",
            "Amount": "20.00",
            "PaymentType": "Credit Card",
            "CardNumber": "4111111111111111",
            "Expiry": "12/29",
            "CVV": "123",
        },
    )
    assert r.status_code == 302
    page = html(admin.get(r.headers["Location"]))
    assert text_of(page, "payment-result") == "Approved"
    assert text_of(page, "payment-amount") == "$20.00"
    assert text_of(page, "transaction-id").startswith("SBX-")
    assert text_of(page, "new-balance") == "$189.98"
    r = admin.post(
        "/AdminPortal/Overview/10012/Tools/OneOffCreditCardPayment",
        data={"Amount": "5", "CardNumber": "4000000000000002", "Expiry": "12/29", "CVV": "123"},
    )
    page = html(admin.get(r.headers["Location"]))
    assert text_of(page, "payment-result") == "Declined"
    r = admin.post(
        "/AdminPortal/Payment/New",
        data={
            "AccountNumber": "10012",
            "Amount": "1.00",
            "PaymentType": "eCheck",
            "RoutingNumber": "011000015",
            "BankAccountNumber": "000000000",
        },
    )
    assert text_of(html(admin.get(r.headers["Location"])), "payment-result") == "Declined"


def test_tickets_create_edit_close(admin: Any) -> None:
    r = admin.post(
        "/AdminPortal/Ticket/New",
        data={
            "AccountNumber": "10002",
            "Subject": "No dial tone",
            "Type": "Trouble",
            "Priority": "High",
            "Status": "New",
        },
    )
    assert r.status_code == 302
    url = r.headers["Location"]
    r = admin.post(
        url,
        data={
            "Subject": "No dial tone",
            "Type": "Trouble",
            "Status": "Closed",
            "Priority": "High",
            "Comment": "Fixed remotely",
            "Resolution": "Reset modem",
        },
    )
    assert r.status_code == 302
    page = html(admin.get(url))
    assert text_of(page, "ticket-status") == "Closed" and "Fixed remotely" in page
    listing = html(admin.get("/AdminPortal/Tickets?status=Closed"))
    assert "No dial tone" in listing
    assert "No dial tone" not in html(admin.get("/AdminPortal/Tickets?status=Open+%28not+closed%29"))


def test_workorders(admin: Any) -> None:
    r = admin.post(
        "/AdminPortal/Workorder/New",
        data={"AccountNumber": "10003", "Type": "Repair", "ScheduledDate": "2026-06-20", "Technician": "Q"},
    )
    assert r.status_code == 302
    admin.post(r.headers["Location"], data={"Status": "Completed", "Notes": "ok"})
    assert text_of(html(admin.get(r.headers["Location"])), "workorder-status") == "Completed"


def test_event_log_filters(admin: Any) -> None:
    page = html(admin.get("/AdminPortal/Reports/EventLog"))
    for th in ("<th>id</th>", "<th>Date</th>", "<th>Module</th>", "<th>Action</th>", "<th>Result</th>"):
        assert th in page
    assert "Starting Bill Run for owner" in page
    assert 'data-testid="no-events"' in html(admin.get("/AdminPortal/Reports/EventLog?errors=1"))
    billing = html(admin.get("/AdminPortal/Reports/EventLog?module=Billing"))
    assert "Security" not in billing.split("<tbody>")[1]
    assert "2026-05" not in html(admin.get("/AdminPortal/Reports/EventLog?from=2026-06-01")).split("<tbody>")[1]


def test_bill_run_page(make_app: Any) -> None:
    app = make_app()
    c = login(app.test_client(), "billing")
    r = c.post("/AdminPortal/Setup/BillRuns", data={"Name": "June", "Start": "2026-06-15", "End": "2026-06-15"})
    page = html(r)
    assert r.status_code == 200
    assert text_of(page, "bill-run-result") == "1 invoice(s) generated, total $79.99"
    log = html(c.get("/AdminPortal/Reports/EventLog?module=Billing"))
    assert "Finished Bill Run for owner &#39;Sandbox Telecom&#39;: 1 invoice(s), $79.99" in log


def test_import_upload(admin: Any) -> None:
    data = {
        "ImportType": "usage",
        "File": (
            io.BytesIO(
                b"account_number,date,description,minutes,amount\n"
                b"10001,2026-06-10,Call,10,0.50\n"
                b"nope,2026-06-10,Call,10,0.50\n"
            ),
            "udr.csv",
        ),
    }
    page = html(admin.post("/AdminPortal/Setup/Import", data=data, content_type="multipart/form-data"))
    assert text_of(page, "import-result") == "Imported 1 rows, 1 errors"
    assert 'aria-label="Import Errors"' in page and "account &#39;nope&#39; not found" in page
    assert 'data-testid="no-events"' in html(admin.get("/AdminPortal/Reports/EventLog?errors=1"))


def test_custom_code_run(admin: Any) -> None:
    r = admin.post("/AdminPortal/Setup/CustomCode", data={"Name": "LateFeeCalculator"})
    assert r.status_code == 302
    page = html(admin.get("/AdminPortal/Setup/CustomCode"))
    assert "LateFeeCalculator completed: 1 overdue account(s), late fees $5.00" in page
    assert text_of(html(admin.get("/AdminPortal/Overview/10012")), "late-fee") == "$5.00 on $209.98 overdue"


def test_reports_pages(admin: Any) -> None:
    udr = html(admin.get("/AdminPortal/Reports/UDRHistory?account=10001"))
    assert text_of(udr, "usage-count") != "0"
    services = html(admin.get("/AdminPortal/Reports/AccountServices?package=Business+Line"))
    assert services.count("Business Line</td>") == 11
    assert "$19.00" in services and "$25.00" in services
    assert "Login" in html(admin.get("/AdminPortal/Reports/AuditLog?user=admin"))
    assert text_of(html(admin.get("/AdminPortal/Statistics")), "stat-active") == "11"


def test_about_and_footer_version(admin: Any) -> None:
    page = html(admin.get("/AdminPortal/About"))
    assert text_of(page, "about-version") == "EngageIP 9.6.2 (sandbox)"
    assert text_of(page, "version") == "EngageIP 9.6.2 (sandbox)"


def test_unknown_pages_are_404(admin: Any) -> None:
    assert admin.get("/AdminPortal/Overview/99999").status_code == 404
    assert admin.get("/AdminPortal/Ticket/9999").status_code == 404


# --------------------------------------------------------------------------------------------- portal


def test_portal_login_and_dashboard(customer: Any) -> None:
    page = html(customer.get("/Portal/Dashboard"))
    assert text_of(page, "account-name") == "John Smith"
    assert text_of(page, "account-number") == "10001"
    assert text_of(page, "next-bill-date") == "2026-07-01"
    assert text_of(page, "balance") == "$0.00"


def test_portal_login_rejects_wrong_password(app: Any) -> None:
    r = app.test_client().post("/Portal/Login", data={"PortalLogin": "jsmith", "PortalPassword": "nope"})
    assert r.status_code == 401 and 'role="alert"' in html(r)
    assert app.test_client().get("/Portal/Dashboard").status_code == 302


def test_portal_signup_then_admin_sees_it(app: Any, admin: Any) -> None:
    c = app.test_client()
    page = html(c.get("/Portal/Signup"))
    pkg = re.search(r'<option value="(\d+)">Fiber 500</option>', page).group(1)
    for label in ("First Name", "Last Name", "Email Address", "Portal Login", "Portal Password", "Package"):
        assert f">{label}</label>" in page
    r = c.post(
        "/Portal/Signup",
        data={
            "FirstName": "Smoke",
            "LastName": "Test",
            "EmailAddress": "s@example.com",
            "HomePhone": "555",
            "Address": "1 Road",
            "Package": pkg,
            "PortalLogin": "smoke-1",
            "PortalPassword": "Secret#123",
            "ConfirmPassword": "Secret#123",
        },
    )
    assert r.status_code == 201
    number = text_of(html(r), "account-number")
    assert number == "10015"
    dash = html(c.get("/Portal/Dashboard"))
    assert text_of(dash, "balance") == "$79.99" and text_of(dash, "next-bill-date") == "2026-07-15"
    overview = html(admin.get(f"/AdminPortal/Overview/{number}"))
    assert "Fiber 500" in overview.split('id="userpackage_ListBody"')[1]
    assert "smoke-1" in html(admin.get(f"/AdminPortal/Provisioning?account={number}"))
    assert "Account 10015 created for &#39;Smoke Test&#39;" in html(
        admin.get("/AdminPortal/Reports/EventLog?module=Portal")
    )
    again = c.post(
        "/Portal/Signup",
        data={
            "FirstName": "A",
            "LastName": "B",
            "EmailAddress": "a@b.c",
            "Package": pkg,
            "PortalLogin": "smoke-1",
            "PortalPassword": "Secret#123",
            "ConfirmPassword": "Secret#123",
        },
    )
    assert again.status_code == 400 and "already in use" in html(again)


def test_portal_pay_now_card_and_echeck(app: Any) -> None:
    c = portal_login(app.test_client(), "sbrown")
    page = html(c.get("/Portal/PayNow"))
    assert 'autocomplete="cc-number"' in page and 'autocomplete="cc-csc"' in page
    assert 'value="209.98"' in page and ">eCheck</label>" in page
    r = c.post(
        "/Portal/PayNow",
        data={
            "Amount": "100.00",
            "PaymentMethod": "Credit Card",
            "CardNumber": "4111111111111111",
            "Expiry": "12/29",
            "CVV": "123",
        },
    )
    page = html(c.get(r.headers["Location"]))
    assert text_of(page, "payment-result") == "Approved" and text_of(page, "payment-amount") == "$100.00"
    assert "Visa ending 1111" in page and "4111111111111111" not in page
    assert text_of(html(c.get("/Portal/Dashboard")), "balance") == "$109.98"
    r = c.post(
        "/Portal/PayNow",
        data={
            "Amount": "9.98",
            "PaymentMethod": "eCheck",
            "RoutingNumber": "011000015",
            "BankAccountNumber": "123456789",
        },
    )
    assert text_of(html(c.get(r.headers["Location"])), "payment-result") == "Approved"
    r = c.post(
        "/Portal/PayNow",
        data={
            "Amount": "1.00",
            "PaymentMethod": "Credit Card",
            "CardNumber": "4000000000000002",
            "Expiry": "12/29",
            "CVV": "123",
        },
    )
    assert text_of(html(c.get(r.headers["Location"])), "payment-result") == "Declined"
    assert text_of(html(c.get("/Portal/Dashboard")), "balance") == "$100.00"


def test_portal_contact_edit(customer: Any) -> None:
    r = customer.post(
        "/Portal/Contact",
        data={
            "FirstName": "Johnny",
            "LastName": "Smith",
            "EmailAddress": "johnny@example.com",
            "HomePhone": "555-0101",
            "Address": "12 Maple Street",
        },
    )
    assert r.status_code == 302
    page = html(customer.get("/Portal/Contact"))
    assert 'value="Johnny"' in page and 'value="johnny@example.com"' in page
    assert "Contact saved." in page
    portal_login(customer)


def test_portal_tickets(customer: Any) -> None:
    r = customer.post(
        "/Portal/Tickets/New",
        data={"Subject": "Slow speeds", "Type": "Trouble", "Description": "Since Monday"},
    )
    assert r.status_code == 302
    r = customer.post(r.headers["Location"], data={"Comment": "Still slow"})
    page = html(customer.get(r.headers["Location"]))
    assert "Still slow" in page and text_of(page, "ticket-status") == "Open"
    assert "Slow speeds" in html(customer.get("/Portal/Tickets"))


def test_portal_usage_and_invoices(customer: Any) -> None:
    page = html(customer.get("/Portal/Usage"))
    assert 'aria-label="Usage Summary"' in page and text_of(page, "usage-count") != "0"
    june = html(customer.get("/Portal/Usage?from=2026-06-01&to=2026-06-30"))
    assert int(text_of(june, "usage-count")) < int(text_of(page, "usage-count"))
    inv = html(customer.get("/Portal/Invoices"))
    link = re.search(r'href="(/Portal/Invoice/\d+)"', inv).group(1)
    assert customer.get(link).status_code == 200
    assert customer.get("/Portal/Invoice/1").status_code in (200, 404)


def test_portal_cannot_see_other_accounts_invoices(app: Any, ctx: Any) -> None:
    c = portal_login(app.test_client(), "jsmith")
    other = ctx.q1("SELECT i.id FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE a.number = '10002'")
    assert c.get(f"/Portal/Invoice/{other['id']}").status_code == 404
