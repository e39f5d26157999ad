from __future__ import annotations

from datetime import date

import pytest

from smoke.sandbox import domain
from smoke.sandbox.domain import Ctx, DomainError, money
from tests.sandbox.sandbox_helpers import TODAY


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "$0.00"), (123456, "$1,234.56"), (-1200, "-$12.00"), (5, "$0.05"), (100000000, "$1,000,000.00")],
)
def test_money_format(cents: int, text: str) -> None:
    assert money(cents) == text


@pytest.mark.parametrize(
    ("text", "cents"), [("12", 1200), ("12.5", 1250), ("$1,234.56", 123456), ("0.07", 7), ("-3.00", -300)]
)
def test_parse_money(text: str, cents: int) -> None:
    assert domain.parse_money(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1..2", "12a"])
def test_parse_money_rejects(text: str) -> None:
    with pytest.raises(DomainError):
        domain.parse_money(text)


def test_add_months_keeps_bill_day() -> None:
    assert domain.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert domain.add_months(date(2026, 11, 5), 2) == date(2027, 1, 5)
    assert domain.add_months(date(2026, 6, 15), -3, 1) == date(2026, 3, 1)


def summary(ctx: Ctx, number: str) -> dict:
    acct = domain.account_by_number(ctx, number)
    assert acct is not None
    return domain.account_summary(ctx, acct["id"])


def test_seed_has_diverse_accounts(ctx: Ctx) -> None:
    rows = ctx.q("SELECT * FROM accounts")
    assert len(rows) >= 12
    statuses = {r["status"] for r in rows}
    assert statuses == {"Active", "Suspended", "Cancelled", "Prospect"}
    assert {r["account_type"] for r in rows} == {"Residential", "Business"}
    assert any(r["parent_id"] for r in rows)
    assert ctx.q1("SELECT COUNT(*) AS n FROM discounts")["n"] >= 1
    assert ctx.q1("SELECT COUNT(*) AS n FROM price_plans")["n"] >= 1
    assert ctx.q1("SELECT COUNT(DISTINCT account_id) AS n FROM usage_records")["n"] >= 2
    kinds = {r["kind"] for r in ctx.q("SELECT kind FROM payment_methods WHERE is_default = 1")}
    assert kinds == {"Credit Card", "eCheck"}
    assert summary(ctx, "10011")["balance_cents"] < 0
    assert domain.overdue_amount(ctx, domain.account_by_number(ctx, "10012")["id"]) > 0


def test_seed_is_deterministic(ctx: Ctx, tmp_path) -> None:
    from smoke.sandbox import db, seed

    conn = db.create(tmp_path / "again.db")
    seed.seed(conn, TODAY)
    other = Ctx(conn, TODAY)
    for number in ("10001", "10004", "10009", "10010", "10012"):
        a, b = summary(ctx, number), summary(other, number)
        for key in ("balance", "next_bill_date", "last_invoice_total", "recurring_charges"):
            assert a[key] == b[key]
    conn.close()


def test_seed_follows_today(tmp_path) -> None:
    from smoke.sandbox import db, seed

    conn = db.create(tmp_path / "later.db")
    seed.seed(conn, date(2027, 3, 10))
    c = Ctx(conn, date(2027, 3, 10))
    assert summary(c, "10001")["next_bill_date"] == "2027-04-01"
    assert summary(c, "10013")["next_bill_date"] == "2027-03-10"
    conn.close()


def test_seed_event_log_has_no_errors(ctx: Ctx) -> None:
    assert (
        ctx.q1(
            "SELECT COUNT(*) AS n FROM event_log WHERE level = 'Error' OR result GLOB '*Error*' "
            "OR result GLOB '*Exception*'"
        )["n"]
        == 0
    )
    assert ctx.q1("SELECT COUNT(*) AS n FROM event_log WHERE result LIKE 'Starting Bill Run for owner%'")["n"] > 0


def test_balance_is_sum_of_transactions(ctx: Ctx) -> None:
    for acct in ctx.q("SELECT id FROM accounts"):
        total = ctx.q1(
            "SELECT COALESCE(SUM(amount_cents), 0) AS s FROM transactions WHERE account_id = ?", (acct["id"],)
        )["s"]
        assert domain.balance(ctx, acct["id"]) == total
    assert "balance" not in {r["name"] for r in ctx.q("PRAGMA table_info(accounts)")}


def test_one_open_invoice_per_account(ctx: Ctx) -> None:
    assert (
        ctx.q1(
            "SELECT MAX(n) AS m FROM (SELECT COUNT(*) AS n FROM invoices WHERE status = 'Open' GROUP BY account_id)"
        )["m"]
        <= 1
    )


def test_charges_go_on_the_open_invoice(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10001")["id"]
    t1 = domain.post_transaction(ctx, aid, "Charge", "Router rental", 500)
    t2 = domain.post_transaction(ctx, aid, "Charge", "Late fee", 700)
    rows = ctx.q("SELECT invoice_id FROM transactions WHERE id IN (?, ?)", (t1, t2))
    assert rows[0]["invoice_id"] == rows[1]["invoice_id"]
    assert ctx.q1("SELECT status FROM invoices WHERE id = ?", (rows[0]["invoice_id"],))["status"] == "Open"


def test_payments_apply_oldest_invoice_first(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10012")["id"]
    before = [i for i in domain.invoices_for(ctx, aid) if i["due"] > 0]
    oldest, newest = sorted(before, key=lambda i: i["date"])[0], sorted(before, key=lambda i: i["date"])[-1]
    pay = domain.take_payment(ctx, aid, "50.00", "Cash")
    assert pay["result"] == "Approved"
    after = {i["id"]: i for i in domain.invoices_for(ctx, aid)}
    assert after[oldest["id"]]["due"] == oldest["due"] - 5000
    assert after[newest["id"]]["due"] == newest["due"]
    assert domain.balance(ctx, aid) == 20998 - 5000


def test_overpayment_leaves_a_credit_balance(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10003")["id"]
    domain.take_payment(ctx, aid, "10.00", "Check", reference="123")
    assert domain.balance(ctx, aid) == -1000
    assert all(i["due"] == 0 for i in domain.invoices_for(ctx, aid))


def test_discount_applies_to_charges(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10009")["id"]
    fiber500 = ctx.q1("SELECT id FROM packages WHERE name = 'Fiber 500'")["id"]
    lines = domain.charge_lines(ctx, aid, fiber500)
    assert lines == [("Charge", "Fiber 500", 7999), ("Discount", "Discount: Loyalty 20%", -1600)]
    faulty = Ctx(ctx.conn, TODAY, frozenset({"discount-ignored"}))
    assert domain.charge_lines(faulty, aid, fiber500) == [("Charge", "Fiber 500", 7999)]


def test_price_plan_uses_volume_tier(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10010")["id"]
    line = ctx.q1("SELECT id FROM packages WHERE name = 'Business Line'")["id"]
    assert domain.charge_lines(ctx, aid, line)[0][2] == 1900
    assert domain.recurring_charges(ctx, aid) == 6 * 1900
    other = domain.account_by_number(ctx, "10004")["id"]
    assert domain.charge_lines(ctx, other, line)[0][2] == 2500


def test_add_package_bills_first_period_and_queues_provisioning(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10014")["id"]
    before = domain.balance(ctx, aid)
    pkg = ctx.q1("SELECT id FROM packages WHERE name = 'Fiber 1000'")["id"]
    up = domain.add_package(ctx, aid, pkg, radius_username="mlee-fiber")
    assert domain.balance(ctx, aid) - before == 9999 + 4900
    row = ctx.q1("SELECT * FROM user_packages WHERE id = ?", (up,))
    assert row["next_bill_date"] == "2026-07-28"
    req = ctx.q1("SELECT * FROM provisioning_requests WHERE user_package_id = ?", (up,))
    assert req["status"] == "Queued" and req["username"] == "mlee-fiber"
    assert domain.process_provisioning_queue(ctx, min_age=0) >= 1
    assert ctx.q1("SELECT status FROM provisioning_requests WHERE id = ?", (req["id"],))["status"] == "Completed"
    assert (
        ctx.q1(
            "SELECT COUNT(*) AS n FROM event_log WHERE module = 'Provisioning' AND result LIKE ?",
            (f"Completed request {req['id']}:%",),
        )["n"]
        == 1
    )


def test_duplicate_radius_user_name_is_refused(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10014")["id"]
    pkg = ctx.q1("SELECT id FROM packages WHERE name = 'Fiber 100'")["id"]
    with pytest.raises(DomainError, match="already in use"):
        domain.add_package(ctx, aid, pkg, radius_username="jsmith")


def test_stuck_provisioning_writes_an_error(ctx: Ctx) -> None:
    stuck = Ctx(ctx.conn, TODAY, frozenset({"provisioning-stuck"}))
    aid = domain.account_by_number(ctx, "10014")["id"]
    pkg = ctx.q1("SELECT id FROM packages WHERE name = 'DSL Basic'")["id"]
    up = domain.add_package(stuck, aid, pkg, radius_username="mlee-dsl2")
    domain.process_provisioning_queue(stuck, min_age=0, stuck_after=0)
    req = ctx.q1("SELECT * FROM provisioning_requests WHERE user_package_id = ?", (up,))
    assert req["status"] == "Queued" and "Timed out" in req["message"]
    assert ctx.q1("SELECT COUNT(*) AS n FROM event_log WHERE level = 'Error' AND module = 'Provisioning'")["n"] == 1


def test_bill_run_generates_invoices_and_event_rows(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10013")["id"]
    result = domain.run_bill_run(ctx, TODAY, TODAY, "Test run")
    assert [i["account"] for i in result["invoices"]] == ["10013"]
    assert result["total"] == 7999
    assert domain.next_bill_date(ctx, aid) == date(2026, 7, 15)
    assert domain.balance(ctx, aid) == 7999
    results = [
        r["result"] for r in ctx.q("SELECT result FROM event_log WHERE module = 'Billing' ORDER BY id DESC LIMIT 3")
    ]
    assert results[0].startswith("Finished Bill Run for owner 'Sandbox Telecom'")
    assert results[2] == "Starting Bill Run for owner 'Sandbox Telecom'"
    assert domain.run_bill_run(ctx, TODAY, TODAY)["invoices"] == []


def test_bill_run_bills_unbilled_usage(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10001")["id"]
    unbilled = ctx.q1(
        "SELECT SUM(amount_cents) AS s FROM usage_records WHERE account_id = ? AND invoice_id IS NULL", (aid,)
    )["s"]
    assert unbilled > 0
    domain.run_bill_run(ctx, date(2026, 7, 1), date(2026, 7, 1))
    inv = domain.last_invoice(ctx, aid)
    assert inv["total"] == 5999 + 2499 + unbilled


def test_card_and_ach_test_numbers(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10001")["id"]
    ok = domain.take_payment(
        ctx, aid, "1.00", "Credit Card", card_number="4111 1111 1111 1111", expiry="12/30", cvv="123"
    )
    no = domain.take_payment(ctx, aid, "1.00", "Credit Card", card_number="4000000000000002", expiry="12/30", cvv="123")
    assert (ok["result"], no["result"]) == ("Approved", "Declined")
    assert ok["label"] == "Visa ending 1111"
    ach_ok = domain.take_payment(ctx, aid, "1.00", "eCheck", routing="011000015", bank_account="123456789")
    ach_no = domain.take_payment(ctx, aid, "1.00", "eCheck", routing="011000015", bank_account="000000000")
    assert (ach_ok["result"], ach_no["result"]) == ("Approved", "Declined")
    assert domain.balance(ctx, aid) == -200
    stored = " ".join(str(v) for r in ctx.q("SELECT * FROM payments") for v in tuple(r))
    assert "4111111111111111" not in stored and "123456789" not in stored


def test_invalid_card_is_refused(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10001")["id"]
    with pytest.raises(DomainError, match="not a valid card"):
        domain.take_payment(ctx, aid, "1.00", "Credit Card", card_number="1234", expiry="12/30", cvv="123")
    with pytest.raises(DomainError, match="MM/YY"):
        domain.take_payment(
            ctx, aid, "1.00", "Credit Card", card_number=domain.TEST_CARD_APPROVE, expiry="13/30", cvv="123"
        )


def test_late_fee(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10012")["id"]
    assert domain.late_fee(ctx, aid) == (20998, 500)
    assert domain.late_fee(ctx, domain.account_by_number(ctx, "10001")["id"]) == (0, 0)
    msg = domain.run_custom_code(ctx, "LateFeeCalculator")
    assert msg.startswith("LateFeeCalculator completed: 1 overdue account(s), late fees $5.00")


def test_import_usage_counts_good_and_bad_rows(ctx: Ctx) -> None:
    csv_text = (
        "account_number,date,description,minutes,amount\n"
        "10001,2026-06-10,Call to 555-0000,12,0.60\n"
        "10005,2026-06-11,Call to 555-0001,5,\n"
        "99999,2026-06-11,Nobody,5,0.10\n"
        "10001,2026-13-01,Bad date,5,0.10\n"
        "10001,2026-06-12,Bad minutes,abc,0.10\n"
    )
    result = domain.import_csv(ctx, "usage", csv_text, "udr.csv")
    assert result["imported"] == 2
    assert [e["row"] for e in result["errors"]] == [4, 5, 6]
    assert "not found" in result["errors"][0]["error"]
    rated = ctx.q1("SELECT amount_cents FROM usage_records WHERE description = 'Call to 555-0001'")
    assert rated["amount_cents"] == 15


def test_import_payments(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10005")["id"]
    before = domain.balance(ctx, aid)
    result = domain.import_csv(
        ctx, "payments", "account_number,date,amount,method,reference\n10005,2026-06-14,55.01,Check,Chk 777\n"
    )
    assert result == {"imported": 1, "errors": [], "kind": "Payments"}
    assert domain.balance(ctx, aid) == before - 5501


def test_import_rejects_missing_columns(ctx: Ctx) -> None:
    with pytest.raises(DomainError, match="Missing column"):
        domain.import_csv(ctx, "usage", "account,when\n1,2\n")


def test_signup_creates_account_contact_package_and_request(ctx: Ctx) -> None:
    pkg = ctx.q1("SELECT id FROM packages WHERE name = 'Fiber 100'")["id"]
    result = domain.signup(
        ctx,
        first_name="Smoke",
        last_name="Tester",
        email="smoke@example.com",
        phone="555",
        address="1 Test St",
        package_id=pkg,
        login="smoke1",
        password="Secret#123",
        confirm="Secret#123",
    )
    assert result["number"] == "10015"
    s = domain.account_summary(ctx, result["account_id"])
    assert [p["package_name"] for p in s["packages"]] == ["Fiber 100"]
    assert s["balance"] == "$59.99"
    assert s["contact"]["point"]["Portal Login"] == "smoke1"
    assert s["contact"]["point"]["Portal Password"] != "Secret#123"
    assert domain.portal_authenticate(ctx, "smoke1", "Secret#123") == result["account_id"]
    assert ctx.q1("SELECT status FROM provisioning_requests WHERE account_id = ?", (result["account_id"],))
    with pytest.raises(DomainError, match="already in use"):
        domain.signup(
            ctx,
            first_name="A",
            last_name="B",
            email="a@b.c",
            phone="",
            address="",
            package_id=pkg,
            login="smoke1",
            password="Secret#123",
            confirm="Secret#123",
        )


def test_actions_fire_on_user_update(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10001")["id"]
    notes = ctx.q1("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'Action'")["n"]
    domain.update_account(ctx, aid, sales_rep="Pat")
    row = ctx.q1("SELECT * FROM event_log WHERE module = 'Actions' ORDER BY id DESC")
    assert row["action"] == "User.Update" and "Log Account Changes" in row["result"] and "10001" in row["result"]
    assert ctx.q1("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'Action'")["n"] == notes + 1


def test_tickets_assign_only_to_assignable_roles(ctx: Ctx) -> None:
    aid = domain.account_by_number(ctx, "10001")["id"]
    billing = ctx.q1("SELECT id FROM staff_users WHERE username = 'billing'")["id"]
    support = ctx.q1("SELECT id FROM staff_users WHERE username = 'support'")["id"]
    with pytest.raises(DomainError, match="ticket-assignable"):
        domain.create_ticket(ctx, aid, subject="x", assigned_to=billing)
    tid = domain.create_ticket(ctx, aid, subject="x", assigned_to=support)
    domain.update_ticket(ctx, tid, status="Closed", comment="done")
    t = domain.ticket(ctx, tid)
    assert t["status"] == "Closed" and t["comments"][0]["body"] == "done"
