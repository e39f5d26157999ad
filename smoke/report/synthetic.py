"""A synthetic run: results.json and real small screenshots, without a browser.

``make bench`` times the report of a 1,000-step one, and the report's tests render them. The run
has the shape of a night's suite: scenarios for checklist items, a for_each loop, data tables, a
flaky scenario with an earlier attempt, a skipped one, and as many failed scenarios as asked for,
each with a screenshot at failure, console errors, failed requests and a trace. What the run is
*about* (names, checklist, URLs, captions, tables) is a ``Suite``: ``EXAMPLE`` here is neutral; the
tests bring their own (``tests/report/synthetic.py``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class SyntheticScenario:
    stem: str  # the file stem, scenarios/<stem>.yaml
    name: str
    checklist: tuple[str, ...]
    side: str
    role: str | None
    changes_data: bool


@dataclass(frozen=True)
class Loop:
    """The for_each over data rows in the longer scenarios: ``{id}`` is a row's number, ``{label}``
    the row's label, ``{amount}`` a figure that grows with the row."""

    caption: str
    path: str  # the for_each step's page, under the side's base URL
    label: str
    open: str
    check: str
    row_path: str
    first_id: int = 100230


@dataclass(frozen=True)
class Failure:
    error: StepError
    caption: str | None = None  # the failing step's caption, when the message tells it better


@dataclass(frozen=True)
class Suite:
    """What a synthetic run is about; the generator gives every run the same shape."""

    brand: str  # written in the screenshots' title bar
    checklist: Mapping[str, str]  # id -> text, as a project's checklist.yaml would give it
    not_required: frozenset[str]
    scenarios: Sequence[SyntheticScenario]  # the order failures are taken in
    flaky: str  # the stem that passes on a retry
    skipped: SyntheticScenario
    skipped_description: str
    skip_reason: str
    base_urls: Mapping[str, str]  # side -> base URL of its pages
    target: Mapping[str, Any]
    release: str
    command: str
    loop: Loop
    captions: Mapping[str, str]  # step kind -> caption; {base}, {top} (the step's number), {run_id}
    console_errors: Sequence[str]  # of a failed scenario; {secret}
    network_failures: Sequence[str]  # of a failed scenario; {base}
    failures: Mapping[str, Failure] = field(default_factory=dict)  # stem -> its failure; others fail a check
    tables: Callable[[str, bool], list[DataTable]] = lambda stem, fails: []  # stem, failed -> its data tables


_KINDS = ["open", "fill", "fill", "click", "expect_text", "select", "expect_row", "save", "screenshot"]


def _example_tables(stem: str, fails: bool) -> list[DataTable]:
    if stem == "scenario_01":
        rows = []
        for k in range(12):
            row = TableRow(cells=[str(100230 + k), f"Item {k + 1}", "Active", f"${40 + k * 5}.00", "2026-12-01"])
            if fails and k == 4:
                row.cells[3] = "$95.00"
                row.status = "failed"
                row.diffs = {"Total": ["$120.00", "$95.00"]}
                row.message = "total differs from the expected one"
            rows.append(row)
        return [
            DataTable(
                title="Items: expected vs shown",
                columns=["Number", "Name", "Status", "Total", "Due"],
                rows=rows,
            )
        ]
    if stem == "scenario_03":
        roles = ["Admin", "Editor", "Viewer"]
        grants = {"Admin": [1, 1, 1], "Editor": [1, 1, 0], "Viewer": [1, 0, 0]}
        return [
            DataTable(
                title="Role x function permissions (expected vs actual)",
                columns=["Role", "Read", "Edit", "Settings"],
                rows=[TableRow(cells=[role] + ["yes" if g else "no" for g in grants[role]]) for role in roles],
                kind="permissions",
            )
        ]
    return []


def _example_scenario(
    number: int, *, side: str = "admin", role: str | None = "admin", changes: bool = False
) -> SyntheticScenario:
    return SyntheticScenario(
        f"scenario_{number:02d}", f"Scenario {number}", (f"item-{number:02d}",), side, role, changes
    )


# A neutral suite of 15 scenarios over a made-up application at example.test (``make bench``)
EXAMPLE = Suite(
    brand="Example app",
    checklist={f"item-{n:02d}": f"Checklist item {n}" for n in range(1, 19)},
    not_required=frozenset({"item-17", "item-18"}),
    scenarios=[
        *(_example_scenario(n, changes=n % 3 == 0) for n in range(1, 6)),
        *(_example_scenario(n, side="portal", role="user" if n > 6 else None, changes=n == 6) for n in range(6, 9)),
        *(_example_scenario(n, role="user", changes=n % 2 == 0) for n in range(9, 15)),
        SyntheticScenario("scenario_15", "Scenario 15", ("item-15", "item-16"), "admin", "admin", True),
    ],
    flaky="scenario_10",
    skipped=SyntheticScenario("scenario_16", "Scenario 16", ("item-17",), "admin", "admin", False),
    skipped_description="A scenario this run leaves out.",
    skip_reason="left out on purpose",
    base_urls={"admin": "https://example.test/admin", "portal": "https://example.test/portal"},
    target={
        "name": "example",
        "admin_url": "https://example.test/admin/",
        "portal_url": "https://example.test/portal/",
        "read_only": False,
    },
    release="1.0.0",
    command="smoke run --target example",
    loop=Loop(
        caption="For each row of data/items.yaml",
        path="/Items",
        label="item {id}",
        open="Open {label}",
        check="Expect the total of {label} to read ${amount}.00",
        row_path="/Items/{id}",
    ),
    captions={
        "open": "Open {base}/Page{top}",
        "fill": "Fill 'Name' with smoke-{run_id}",
        "click": "Click the 'Save' button",
        "expect_text": "Expect the page to show 'Saved'",
        "select": "Select 'Option 2' in 'Choice'",
        "expect_row": "Expect a row in 'Items' with Item 2, Active",
        "save": "Save the number shown as item_number",
        "screenshot": "Take the screenshot 'overview'",
    },
    console_errors=[
        "TypeError: Cannot read properties of undefined (reading 'total') at app.js:112",
        "Failed to load resource: the server responded with a status of 500 (INTERNAL SERVER ERROR) {secret}",
    ],
    network_failures=[
        "POST {base}/Items/Save -> 500 INTERNAL SERVER ERROR",
        "GET {base}/api/items/100234 -> net::ERR_CONNECTION_RESET",
    ],
    failures={
        "scenario_01": Failure(
            StepError(
                message="Total of item 100234 differs from the expected one: expected $120.00, shown $95.00",
                expected="$120.00",
                actual="$95.00",
                kind="assertion",
            ),
            caption="Total of item 100234 differs from the expected one",
        )
    },
    tables=_example_tables,
)


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
    brand: str = "Example app",
) -> None:
    """A made-up page with ``brand`` in its title bar and the step's caption written on it, saved as JPEG."""
    image = Image.new("RGB", size, (246, 247, 249))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, 0, width, 44), fill=(22, 58, 104))
    draw.text((16, 12), brand, fill=(255, 255, 255), font=_cached_font(18))
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
    suite: Suite = EXAMPLE,
) -> Path:
    """Write a synthetic run of ``suite`` with ``steps`` steps and ``failures`` failed scenarios; returns ``run_dir``.

    ``secrets`` are planted in captions, messages and console output (as a careless step would) so a
    test can check the report scrubs them. ``failing`` names scenario file stems to fail instead of
    the first ``failures`` ones.
    """
    run_dir = Path(run_dir)
    shots = run_dir / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    started = started or datetime(2026, 11, 26, 2, 0, 0, tzinfo=UTC)
    run_id = run_id or started.strftime("%Y%m%d-%H%M%S")
    failing_stems = set(failing) if failing else {s.stem for s in suite.scenarios[: max(0, failures)]}

    defs = list(suite.scenarios)
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
        draw_screenshot(run_dir / shot, title, caption, url, failed=status == "failed", brand=suite.brand)
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

    loop = suite.loop
    for n, (definition, count) in enumerate(zip(defs, counts, strict=True)):
        stem, name, checklist, side = definition.stem, definition.name, definition.checklist, definition.side
        base = suite.base_urls[side]
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
                        loop.caption,
                        "passed",
                        name,
                        base + loop.path,
                    )
                )
                i += 1
                for k in range(inner):
                    row_no, sub = divmod(k, 2)
                    row_id = loop.first_id + row_no
                    label = loop.label.format(id=row_id)
                    kind = "open" if sub == 0 else "expect_text"
                    caption = (
                        loop.open.format(label=label)
                        if sub == 0
                        else loop.check.format(label=label, amount=40 + row_no * 5)
                    )
                    step_list.append(
                        make_step(
                            f"{top}.{row_no + 1}.{sub + 1}",
                            kind,
                            caption,
                            "passed",
                            name,
                            base + loop.row_path.format(id=row_id),
                            depth=1,
                            row=label,
                        )
                    )
                    i += 1
                continue
            kind = _KINDS[(top + n) % len(_KINDS)]
            caption = suite.captions[kind].format(base=base, top=top, run_id=run_id)
            if top == 2 and secret:
                kind, caption = "fill", f"Fill 'Password' with {secret}"
            if top == 1:
                kind, caption = "open", f"Open {name.lower()}"
            status = "passed"
            error = None
            if last and fails:
                status = "failed"
                failure = suite.failures.get(stem)
                error = failure.error if failure else _failed_check(secret)
                caption = failure.caption if failure and failure.caption else caption
            step_list.append(make_step(str(top), kind, caption, status, name, f"{base}/Page{top}", error=error))
            i += 1

        scenario = ScenarioResult(
            nodeid=f"scenarios/{stem}.yaml::{name}",
            name=name,
            file=f"scenarios/{stem}.yaml",
            description=f"{name}. Covers {', '.join(checklist)} of the release checklist.",
            checklist=list(checklist),
            tags=[side, "nightly"] + (["changes-data"] if definition.changes_data else []),
            side=side,
            role=definition.role,
            changes_data=definition.changes_data,
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
            scenario.console_errors = [line.format(secret=secret) for line in suite.console_errors]
            scenario.network_failures = [line.format(base=base) for line in suite.network_failures]
            trace = run_dir / "traces" / f"{stem}.zip"
            trace.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("trace.trace", '{"type":"context-options"}\n')
            trace.write_bytes(buffer.getvalue())
            scenario.trace = f"traces/{stem}.zip"
        scenario.tables = suite.tables(stem, fails)
        if flaky and stem == suite.flaky and not fails:
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
        left_out = suite.skipped
        scenarios.append(
            ScenarioResult(
                nodeid=f"scenarios/{left_out.stem}.yaml::{left_out.name}",
                name=left_out.name,
                file=f"scenarios/{left_out.stem}.yaml",
                description=suite.skipped_description,
                checklist=list(left_out.checklist),
                tags=["demo"],
                side=left_out.side,
                role=left_out.role,
                changes_data=left_out.changes_data,
                status="skipped",
                skip_reason=suite.skip_reason,
            )
        )

    checklist_items = []
    for item_id, text in suite.checklist.items():
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
                required=item_id not in suite.not_required,
            )
        )

    run = RunResult(
        id=run_id,
        started=_iso(started),
        finished=_iso(clock),
        duration_s=round((clock - started).total_seconds(), 2),
        status="failed" if failing_stems & {s.stem for s in defs} else "passed",
        target=dict(suite.target),
        release=suite.release,
        browser={
            "name": "chromium",
            "version": "Chromium 131.0.6778.85",
            "headless": True,
            "executable": "/usr/bin/chromium",
        },
        user="qa",
        host="smoke-runner-01",
        revision="1db7e39",
        command=suite.command,
        checklist=checklist_items,
        scenarios=scenarios,
        logins=len(scenarios),
    )
    run.counts = run.count()
    run.write(run_dir / "results.json")
    (run_dir / "junit.xml").write_text(_junit(run), encoding="utf-8")
    return run_dir


def _failed_check(secret: str) -> StepError:
    return StepError(
        message=f"Expected the page to show 'Saved' {secret}".strip(),
        expected="text 'Saved'",
        actual="text 'An error occurred'",
        kind="assertion",
    )


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
