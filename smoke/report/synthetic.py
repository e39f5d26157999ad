"""A synthetic run: results.json and real small screenshots, without a browser.

Used by the report's tests and by ``make bench`` (render time of a 1,000-step run). The run looks
like a night of the default suite against the sandbox: scenarios for the checklist items, a for_each
loop, data tables of each kind, a flaky scenario with an earlier attempt, a skipped one, and as many
failed scenarios as asked for, each with a screenshot at failure, console errors, failed requests
and a trace.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from smoke.report.images import make_thumbnail, thumbnail_path
from smoke.results import (
    Attempt,
    ChecklistItem,
    DataTable,
    RunResult,
    ScenarioResult,
    Status,
    StepError,
    StepResult,
    TableRow,
)

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
NOT_REQUIRED = frozenset({"new-features", "sign-off"})

# (file stem, name, checklist ids, side, role, changes_data); the order failures are taken in
SCENARIOS = [
    (
        "diverse_accounts",
        "Diverse accounts match production",
        ["diverse-accounts", "account-data"],
        "admin",
        "billing",
        False,
    ),
    ("payments", "Pay a bill on every card processor", ["payment-processing"], "admin", "billing", True),
    ("role_permissions", "Each role reaches what it needs", ["role-permissions"], "admin", "admin", False),
    ("admin_login", "Log in to the AdminPortal", ["admin-login"], "admin", "admin", False),
    ("event_log", "Event log has no errors since the run started", ["event-log"], "admin", "admin", False),
    (
        "portal_signup",
        "Portal signup creates an account and a user-package",
        ["portal-signup", "provisioning", "portal-integration"],
        "portal",
        None,
        True,
    ),
    ("portal_payment", "Pay a bill online in the portal", ["online-payments"], "portal", "customer", True),
    (
        "portal_account",
        "Portal shows accurate account data",
        ["account-data", "portal-integration"],
        "portal",
        "customer",
        False,
    ),
    ("contacts", "Add and update a contact", ["contacts"], "admin", "csr", True),
    ("tickets", "Open and edit a ticket", ["tickets"], "admin", "csr", True),
    (
        "special_pricing",
        "Discounts and price plans price correctly",
        ["special-pricing"],
        "admin",
        "billing",
        False,
    ),
    ("usage_report", "Usage report shows the rated UDRs", ["customer-reports"], "admin", "billing", False),
    ("custom_code", "Page extension and custom action run", ["custom-code"], "admin", "admin", False),
    ("provisioning_queue", "Provisioning queue is drained", ["provisioning"], "admin", "admin", False),
    ("data_import", "CSV import of accounts", ["data-import"], "admin", "admin", True),
]
FLAKY_STEM = "tickets"
SKIPPED = ("new_features", "Walk through the new features", ["new-features"], "admin", "admin", False)

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

_KINDS = ["open", "fill", "fill", "click", "expect_text", "select", "expect_row", "save", "screenshot"]


_FONTS: dict[int, ImageFont.ImageFont | ImageFont.FreeTypeFont] = {}


def _cached_font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    if size not in _FONTS:
        _FONTS[size] = ImageFont.load_default(size=size)
    return _FONTS[size]


def draw_screenshot(
    path: Path,
    title: str,
    caption: str,
    url: str,
    *,
    failed: bool = False,
    size: tuple[int, int] = (800, 500),
) -> None:
    """A fake AdminPortal page with the step's caption written on it, saved as JPEG."""
    image = Image.new("RGB", size, (246, 247, 249))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, 0, width, 44), fill=(22, 58, 104))
    draw.text((16, 12), "EngageIP  AdminPortal", fill=(255, 255, 255), font=_cached_font(18))
    draw.rectangle((0, 44, width, 70), fill=(228, 232, 238))
    draw.text((16, 50), url, fill=(60, 60, 70), font=_cached_font(13))
    draw.text((24, 90), title, fill=(20, 20, 30), font=_cached_font(20))
    draw.text((24, 124), caption[:80], fill=(40, 40, 50), font=_cached_font(15))
    for row in range(6):
        top = 170 + row * 34
        draw.rectangle(
            (24, top, width - 24, top + 28),
            outline=(200, 205, 212),
            fill=(255, 255, 255) if row % 2 else (240, 243, 247),
        )
        draw.text(
            (34, top + 6),
            f"Row {row + 1}    Active    $ {row * 17 + 3}.00",
            fill=(50, 50, 60),
            font=_cached_font(13),
        )
    if failed:
        draw.rectangle((24, height - 70, width - 24, height - 24), fill=(253, 226, 226), outline=(200, 30, 30))
        draw.text(
            (36, height - 58),
            "Error: the page did not show what was expected",
            fill=(160, 20, 20),
            font=_cached_font(15),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=80)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _secret_text(secrets: Sequence[str], i: int) -> str:
    return secrets[i % len(secrets)] if secrets else ""


def make_synthetic_run(
    run_dir: Path,
    steps: int = 1000,
    failures: int = 1,
    *,
    run_id: str | None = None,
    started: datetime | None = None,
    flaky: bool = True,
    skipped: bool = True,
    secrets: Sequence[str] = (),
    failing: Sequence[str] = (),
) -> Path:
    """Write a synthetic run with ``steps`` steps and ``failures`` failed scenarios; returns ``run_dir``.

    ``secrets`` are planted in captions, messages and console output (as a careless step would) so a
    test can check the report scrubs them. ``failing`` names scenario file stems to fail instead of
    the first ``failures`` ones.
    """
    run_dir = Path(run_dir)
    shots = run_dir / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    started = started or datetime(2026, 11, 26, 2, 0, 0, tzinfo=UTC)
    run_id = run_id or started.strftime("%Y%m%d-%H%M%S")
    failing_stems = set(failing) if failing else {s[0] for s in SCENARIOS[: max(0, failures)]}

    defs = list(SCENARIOS)
    per_scenario_min = 2
    if steps < per_scenario_min * len(defs):
        defs = defs[: max(1, steps // per_scenario_min)]
    counts = _split(steps, len(defs))
    clock = started
    shot_no = 0
    scenarios: list[ScenarioResult] = []

    def make_step(
        index: str,
        kind: str,
        caption: str,
        status: str,
        title: str,
        url: str,
        *,
        depth: int = 0,
        row: str | None = None,
        error: StepError | None = None,
        prefix: str = "",
    ) -> StepResult:
        nonlocal clock, shot_no
        shot_no += 1
        name = f"{prefix}{shot_no:04d}-{title.lower().replace(' ', '-')[:24]}-{index.replace('.', '_')}"
        if status == "failed":
            name += "-failed"
        shot = f"shots/{name}.jpg"
        draw_screenshot(run_dir / shot, title, caption, url, failed=status == "failed")
        thumb = thumbnail_path(shot)
        make_thumbnail(run_dir / shot, run_dir / thumb)
        duration = 0.2 + (shot_no % 7) * 0.13
        step = StepResult(
            index=index,
            kind=kind,
            caption=caption,
            status=status,  # type: ignore[arg-type]
            started=_iso(clock),
            duration_s=round(duration, 2),
            depth=depth,
            screenshot=shot,
            thumbnail=thumb,
            url=url,
            error=error,
            row=row,
        )
        clock += timedelta(seconds=duration)
        return step

    for n, ((stem, name, checklist, side, role, changes), count) in enumerate(zip(defs, counts, strict=True)):
        base = "http://127.0.0.1:8765" + ("/AdminPortal" if side == "admin" else "/portal")
        scenario_started = clock
        fails = stem in failing_stems
        secret = _secret_text(secrets, n)
        step_list: list[StepResult] = []
        loop_at = 3 if count >= 8 else None
        i = 0
        top = 0
        while i < count:
            top += 1
            last = i == count - 1
            if loop_at is not None and top == loop_at and count - i > 3:
                # a for_each over data rows: a header step then nested steps per row
                inner = min(count - i - 1, 6 + (count // 4))
                step_list.append(
                    make_step(
                        str(top),
                        "for_each",
                        "For each row of data/accounts.yaml",
                        "passed",
                        name,
                        base + "/Accounts",
                    )
                )
                i += 1
                for k in range(inner):
                    row_no, sub = divmod(k, 2)
                    label = f"account {100230 + row_no}"
                    kind = "open" if sub == 0 else "expect_text"
                    caption = (
                        f"Open the overview of {label}"
                        if sub == 0
                        else f"Expect the balance of {label} to read ${40 + row_no * 5}.00"
                    )
                    step_list.append(
                        make_step(
                            f"{top}.{row_no + 1}.{sub + 1}",
                            kind,
                            caption,
                            "passed",
                            name,
                            f"{base}/Overview/{100230 + row_no}",
                            depth=1,
                            row=label,
                        )
                    )
                    i += 1
                continue
            kind = _KINDS[(top + n) % len(_KINDS)]
            caption = {
                "open": f"Open {base}/Page{top}",
                "fill": "Fill 'Portal Login' with smoke-" + run_id,
                "click": "Click the 'Save' button",
                "expect_text": "Expect the page to show 'Saved'",
                "select": "Select 'Fiber 100' in 'Package'",
                "expect_row": "Expect a row in 'Packages' with Fiber 100, Active",
                "save": "Save the account number shown as account_number",
                "screenshot": "Take the screenshot 'overview'",
            }[kind]
            if top == 2 and secret:
                kind, caption = "fill", f"Fill 'Password' with {secret}"
            if top == 1:
                kind, caption = "open", f"Open {name.lower()}"
            status = "passed"
            error = None
            if last and fails:
                status = "failed"
                error = _failure(stem, secret)
                caption = error.message.split(":")[0] if stem == "diverse_accounts" else caption
            step_list.append(make_step(str(top), kind, caption, status, name, f"{base}/Page{top}", error=error))
            i += 1

        scenario = ScenarioResult(
            nodeid=f"scenarios/{stem}.yaml::{name}",
            name=name,
            file=f"scenarios/{stem}.yaml",
            description=f"{name}. Covers {', '.join(checklist)} of the release checklist.",
            checklist=list(checklist),
            tags=[side, "nightly"] + (["changes-data"] if changes else []),
            side=side,
            role=role,
            changes_data=changes,
            status="failed" if fails else "passed",
            started=_iso(scenario_started),
            duration_s=round((clock - scenario_started).total_seconds(), 2),
            steps=step_list,
            worker="gw0",
            logins=1,
        )
        if fails:
            failed = step_list[-1]
            scenario.error = failed.error
            scenario.failed_step = failed.index
            scenario.console_errors = [
                "TypeError: Cannot read properties of undefined (reading 'balance') at overview.js:112",
                f"Failed to load resource: the server responded with a status of 500 (INTERNAL SERVER ERROR) {secret}",
            ]
            scenario.network_failures = [
                f"POST {base}/Payments/Process -> 500 INTERNAL SERVER ERROR",
                f"GET {base}/api/balance?account=100234 -> net::ERR_CONNECTION_RESET",
            ]
            trace = run_dir / "traces" / f"{stem}.zip"
            trace.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("trace.trace", '{"type":"context-options"}\n')
            trace.write_bytes(buffer.getvalue())
            scenario.trace = f"traces/{stem}.zip"
        scenario.tables = _tables(stem, fails)
        if flaky and stem == FLAKY_STEM and not fails:
            attempt_steps = [
                make_step(
                    s.index,
                    s.kind,
                    s.caption,
                    s.status,
                    name,
                    s.url or base,
                    depth=s.depth,
                    row=s.row,
                    prefix="attempt1-",
                )
                for s in step_list[: max(1, len(step_list) - 1)]
            ]
            timeout = StepError(
                message="Timed out after 10 s waiting for the 'Save' button to be enabled",
                expected="button 'Save' enabled",
                actual="button 'Save' disabled",
                kind="timeout",
            )
            attempt_steps[-1].status = "failed"
            attempt_steps[-1].error = timeout
            scenario.attempts = [
                Attempt(number=1, status="failed", error=timeout, steps=attempt_steps, duration_s=12.5)
            ]
            scenario.status = "flaky"
        scenarios.append(scenario)

    if skipped:
        stem, name, checklist, side, role, changes = SKIPPED
        scenarios.append(
            ScenarioResult(
                nodeid=f"scenarios/{stem}.yaml::{name}",
                name=name,
                file=f"scenarios/{stem}.yaml",
                description="The headed demo walk-through of the release's new features.",
                checklist=list(checklist),
                tags=["demo"],
                side=side,
                role=role,
                changes_data=changes,
                status="skipped",
                skip_reason="demo scenarios run only with `smoke demo`",
            )
        )

    checklist_items = []
    for item_id, text in CHECKLIST.items():
        covering = [s for s in scenarios if item_id in s.checklist]
        item_status: Status
        if not covering:
            item_status = "not run"
        elif any(s.status in ("failed", "error") for s in covering):
            item_status = "failed"
        elif any(s.status in ("passed", "flaky") for s in covering):
            item_status = "passed"
        else:
            item_status = "skipped"
        checklist_items.append(
            ChecklistItem(
                id=item_id,
                text=text,
                scenarios=[s.nodeid for s in covering],
                status=item_status,
                required=item_id not in NOT_REQUIRED,
            )
        )

    run = RunResult(
        id=run_id,
        started=_iso(started),
        finished=_iso(clock),
        duration_s=round((clock - started).total_seconds(), 2),
        status="failed" if failing_stems & {s[0] for s in defs} else "passed",
        target={
            "name": "sandbox",
            "admin_url": "http://127.0.0.1:8765/AdminPortal/",
            "portal_url": "http://127.0.0.1:8765/portal/",
            "read_only": False,
        },
        release="8.5.26.5",
        browser={
            "name": "chromium",
            "version": "Chromium 131.0.6778.85",
            "headless": True,
            "executable": "/usr/bin/chromium",
        },
        user="qa",
        host="smoke-runner-01",
        revision="1db7e39",
        command="smoke run --target sandbox",
        checklist=checklist_items,
        scenarios=scenarios,
        logins=len(scenarios),
    )
    run.counts = run.count()
    run.write(run_dir / "results.json")
    (run_dir / "junit.xml").write_text(_junit(run), encoding="utf-8")
    return run_dir


def _failure(stem: str, secret: str) -> StepError:
    if stem == "diverse_accounts":
        return StepError(
            message="Balance of account 100234 differs from production: expected $120.00, shown $95.00",
            expected="$120.00",
            actual="$95.00",
            kind="assertion",
        )
    if stem == "payments":
        return StepError(
            message="Payment on 'Authorize.Net (test)' eCheck/ACH was declined",
            expected="text 'Payment approved'",
            actual="text 'Payment declined (code 2)'",
        )
    return StepError(
        message=f"Expected the page to show 'Saved' {secret}".strip(),
        expected="text 'Saved'",
        actual="text 'An error occurred'",
        kind="assertion",
    )


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


def _junit(run: RunResult) -> str:
    from xml.sax.saxutils import quoteattr

    counts = run.count()
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<testsuites><testsuite name="smoke" tests="{counts["total"]}" failures="{counts["failed"]}" '
        f'skipped="{counts["skipped"]}">',
    ]
    for s in run.scenarios:
        lines.append(f'<testcase classname={quoteattr(s.file)} name={quoteattr(s.name)} time="{s.duration_s}">')
        if s.status == "failed" and s.error:
            lines.append(f"<failure message={quoteattr(s.error.message)}/>")
        if s.status == "skipped":
            lines.append(f"<skipped message={quoteattr(s.skip_reason or '')}/>")
        lines.append("</testcase>")
    lines.append("</testsuite></testsuites>")
    return "\n".join(lines) + "\n"
