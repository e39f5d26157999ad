"""The record of a run: what the runner writes and what the report reads.

Plain dataclasses that round-trip through ``results.json``. The report code only ever sees
these (or the JSON they came from); it never talks to a browser.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal[
    "passed", "failed", "skipped", "error", "flaky", "running", "not run", "interrupted", "not checked", "incomplete"
]

SCHEMA_VERSION = 2

# Exit codes of a run, one per verdict; `smoke run`, plain pytest (through the plugin) and the
# report all take them from here.
EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 5
EXIT_CODES_TEXT = (
    "Exit codes: 0 passed (a selection that passed says 'partial' in its verdict); 1 a scenario failed;"
    " 2 bad input (a scenario, target or option is wrong: the message names the file and line);"
    " 3 the target is unreachable; 4 incomplete: nothing failed, but a required check did not run or"
    " nothing ran; 5 interrupted (Ctrl-C, SIGTERM, SIGHUP): the report shows what ran."
)


def new_run_id(kind: str = "") -> str:
    """A new run's id, which is also the name of its folder: the local time to the second (folders
    sort by when they ran), a random suffix (two runs started in the same second still differ), and
    KIND- in front for runs that are not plain runs (``baseline``, ``merged``)."""
    import secrets
    from datetime import datetime

    stamp = f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    return f"{kind}-{stamp}" if kind else stamp


@dataclass
class StepError:
    message: str
    expected: str | None = None
    actual: str | None = None
    kind: str = "assertion"  # assertion | timeout | locator | template | target | error


@dataclass
class VisualCheck:
    """What a ``compare:`` step found; stored on its StepResult (``visual``) and in results.json."""

    name: str
    status: str  # same | changed | no-baseline | captured | error
    threshold: float = 0.01
    share: float = 0.0
    changed_pixels: int = 0
    regions: list[list[int]] = field(default_factory=list)
    strict: bool = False
    new: str | None = None  # images relative to the run folder
    baseline: str | None = None
    diff: str | None = None
    baseline_file: str | None = None  # where the baseline lives (absolute), for `smoke baseline accept`
    baseline_info: dict[str, Any] = field(default_factory=dict)  # target, release, captured
    size_new: list[int] = field(default_factory=list)
    size_baseline: list[int] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""
    masks: list[list[int]] = field(default_factory=list)  # rectangles painted over and not compared
    url: str = ""

    @property
    def changed(self) -> bool:
        return self.status == "changed"


@dataclass
class StepResult:
    index: str  # "3", or "5.2.1" inside for_each
    kind: str
    caption: str
    status: Status
    started: str
    duration_s: float
    depth: int = 0
    screenshot: str | None = None  # path relative to the run directory
    thumbnail: str | None = None
    url: str | None = None
    error: StepError | None = None
    row: str | None = None  # the for_each row label this step ran for
    visual: VisualCheck | None = None  # a compare: step's screenshot against its baseline
    load_s: float | None = None  # how long the step waited for a page to load (steps that navigate)
    aria: str | None = None  # the page's accessibility snapshot after this step (run-relative), see AriaPage


@dataclass
class AriaChange:
    """One change of a page's structure since the baseline, as a person would say it."""

    change: str  # added | removed | renamed | changed | moved
    role: str
    name: str
    was: str | None = None  # a renamed control's old name, a changed control's old role
    where: str = ""  # the named region, table or navigation it is in: "region 'Customer Details'"
    text: str = ""  # "renamed: link 'Edit Customer' -> 'Edit Customer Details' (in region 'Customer Details')"
    used: bool = False  # removed, and a locator of a scenario names it: the likely regression
    used_by: list[str] = field(default_factory=list)  # those scenarios (file stems)


@dataclass
class AriaPage:
    """The accessibility snapshot of one page a scenario visited, compared with its baseline."""

    key: str  # step index + the page's path, normalised: "001-admin-overview-id"
    step: str  # index of the step after which it was taken
    status: str  # same | changed | no-baseline | captured | error
    url: str = ""
    path: str = ""  # path and query, to open the page again (the what's-new tour)
    side: str = "admin"
    role: str | None = None  # logged in as; None before a login
    snapshot: str | None = None  # run-relative
    baseline: str | None = None  # run-relative copy of the baseline it was compared with
    baseline_file: str | None = None  # where the baseline lives (absolute), for `smoke baseline accept`
    baseline_info: dict[str, Any] = field(default_factory=dict)  # target, release, captured
    changes: list[AriaChange] = field(default_factory=list)
    compare: str | None = None  # the compare: step taken on this page (its pixel diff)
    title: str = ""  # the page's first heading
    seconds: float = 0.0
    message: str = ""


@dataclass
class HealthEvent:
    """Something the browser saw go wrong on a page: an uncaught error, a 5xx, a failed request."""

    kind: str  # page_error | server_error | console_error | failed_request
    message: str
    page: str  # the page's address when it happened
    step: str | None = None  # index of the step during which it happened
    caption: str = ""
    count: int = 1
    action: str = "warn"  # fail | warn (ignored events are not recorded)


@dataclass
class SlowStep:
    """A page that took much longer to load than it used to (median of earlier runs)."""

    scenario: str
    file: str
    step: str
    caption: str
    url: str
    now_s: float
    before_s: float  # median of the earlier runs
    runs: int  # how many earlier runs the median is over
    action: str = "warn"  # fail | warn
    timed_out: bool = False


@dataclass
class TableRow:
    cells: list[str]
    status: Status = "passed"
    # column name -> (expected, shown) for the cells that were compared
    diffs: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None


@dataclass
class DataTable:
    title: str
    columns: list[str]
    rows: list[TableRow] = field(default_factory=list)
    kind: str = "plain"  # how it is laid out: plain | diff | grid (for_each's table:; older runs wrote other names, see report.view.TABLE_STYLES)


@dataclass
class Attempt:
    number: int
    status: Status
    error: StepError | None
    steps: list[StepResult]
    duration_s: float


@dataclass
class ScenarioResult:
    nodeid: str
    name: str
    file: str
    description: str = ""
    checklist: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    side: str = "admin"
    role: str | None = None
    changes_data: bool = False
    status: Status = "not run"
    started: str | None = None
    duration_s: float = 0.0
    error: StepError | None = None
    failed_step: str | None = None  # index of the step that failed
    steps: list[StepResult] = field(default_factory=list)
    tables: list[DataTable] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    network_failures: list[str] = field(default_factory=list)
    trace: str | None = None
    video: str | None = None
    worker: str | None = None
    skip_reason: str | None = None
    attempts: list[Attempt] = field(default_factory=list)  # earlier failed attempts (retries)
    logins: int = 0
    health: list[HealthEvent] = field(default_factory=list)  # page health, deduplicated
    planned_steps: int = 0  # top-level steps in the scenario file
    pages: list[AriaPage] = field(default_factory=list)  # accessibility snapshots (smoke.aria)


@dataclass
class ChecklistItem:
    id: str
    text: str
    scenarios: list[str] = field(default_factory=list)
    status: Status = "not run"
    required: bool = True


@dataclass
class RunResult:
    id: str
    started: str
    finished: str | None = None
    duration_s: float = 0.0
    status: Status = "running"  # passed | failed | incomplete | interrupted (see decide())
    verdict: str = ""  # the headline, e.g. "PASSED (partial: 3 of 16 required checklist items covered)"
    verdict_detail: str = ""
    notes: list[str] = field(default_factory=list)  # warnings that do not change the status
    partial: bool = False  # a selection: some required checklist items had no scenario in this run
    selection: bool = False  # fewer scenarios ran than the scenarios folder holds (names, --tag, -k)
    exit_code: int | None = None
    slower: list[SlowStep] = field(default_factory=list)
    target: dict[str, Any] = field(default_factory=dict)  # name, admin_url, portal_url, read_only
    release: str | None = None
    browser: dict[str, Any] = field(default_factory=dict)  # name, version, headless, executable
    user: str = ""
    host: str = ""
    revision: str | None = None
    command: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    checklist: list[ChecklistItem] = field(default_factory=list)
    scenarios: list[ScenarioResult] = field(default_factory=list)
    logins: int = 0
    interrupted: str | None = None  # why the run stopped early
    # a shard: index, total, basis, scenarios, selected, suite, suite_digest; a merge: merged_from
    shard: dict[str, Any] | None = None
    edited: list[str] = field(default_factory=list)  # input files changed while the run ran (plan.json at start)
    schema: int = SCHEMA_VERSION

    def count(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "skipped": 0, "flaky": 0, "error": 0, "not run": 0}
        for scenario in self.scenarios:
            status = "not run" if scenario.status in ("running", "interrupted") else scenario.status
            key = status if status in counts else "error"
            counts[key] += 1
        counts["total"] = len(self.scenarios)
        counts["not checked"] = sum(1 for s in self.scenarios for step in s.steps if step.status == "not checked")
        counts["health warnings"] = sum(e.count for s in self.scenarios for e in s.health if e.action != "fail")
        counts["health failures"] = sum(e.count for s in self.scenarios for e in s.health if e.action == "fail")
        counts["slower"] = len(self.slower)
        return counts

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)  # readers never see a half-written file

    @classmethod
    def read(cls, path: Path) -> RunResult:
        return from_dict(json.loads(path.read_text(encoding="utf-8")))


def _error(data: dict[str, Any] | None) -> StepError | None:
    return StepError(**data) if data else None


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def checklist_status(statuses: set[str]) -> str:
    """The status of a checklist item from the statuses of the scenarios that cover it."""
    if not statuses:
        return "not run"
    if statuses & {"failed", "error"}:
        return "failed"
    if statuses <= {"passed", "flaky"}:
        return "flaky" if "flaky" in statuses else "passed"
    if statuses & {"passed", "flaky"}:
        return "passed"  # a covering scenario passed; another was skipped or did not run
    return "skipped" if statuses <= {"skipped"} else "not run"


def decide(run: RunResult) -> RunResult:
    """The one verdict of a run, from its results: sets status, verdict, detail, notes, partial, exit code.

    Every place that tells the outcome (the exit code, results.json, junit.xml, the webhook, the
    terminal and the report) reads what this wrote; none computes its own.
    """
    counts = run.count()
    run.counts = counts
    failed = counts["failed"] + counts["error"]
    total = counts["total"]
    ran = total - counts["not run"]
    required = [c for c in run.checklist if c.required]
    in_run = {item for s in run.scenarios for item in s.checklist}
    absent = [c for c in required if c.id not in in_run]  # no scenario of this run covers it
    unproven = [c for c in required if c.id in in_run and c.status not in ("passed", "flaky", "failed")]
    # leaving scenarios out on purpose makes a partial run; a whole suite that lacks one is incomplete
    run.partial = run.selection and bool(absent)
    if not run.partial:
        unproven += absent
    notes: list[str] = []
    if counts["flaky"]:
        notes.append(f"{counts['flaky']} flaky (passed on a retry)")
    if counts["skipped"]:
        notes.append(f"{counts['skipped']} skipped")
    if counts["not checked"]:
        notes.append(_plural(counts["not checked"], "check") + " not checked (nothing to compare with yet)")
    if counts["health warnings"]:
        notes.append(_plural(counts["health warnings"], "page health warning"))
    if counts["slower"]:
        notes.append(_plural(counts["slower"], "page") + " slower than before")
    if run.edited:
        notes.append(
            _plural(len(run.edited), "scenario file") + f" edited during the run ({', '.join(run.edited)}):"
            " the evidence is of the versions hashed in plan.json"
        )
    covered = f"{len(required) - len(absent)} of {len(required)} required checklist items covered"
    if run.interrupted or run.status == "interrupted":
        run.status, headline = "interrupted", "INTERRUPTED"
        detail = f"The run stopped early: {run.interrupted or 'interrupted'}. {ran} of {total} scenarios ran."
        run.exit_code = (
            EXIT_UNREACHABLE if run.interrupted and run.interrupted.startswith("target") else EXIT_INTERRUPTED
        )
    elif failed:
        run.status, headline = "failed", "FAILED"
        detail = f"{failed} of {_plural(total, 'scenario')} failed."
        run.exit_code = EXIT_FAILED
    elif ran == 0:
        run.status, headline = "incomplete", "INCOMPLETE"
        detail = "No scenario ran in this run."
        run.exit_code = EXIT_INCOMPLETE
    elif unproven or counts["not run"]:
        run.status, headline = "incomplete", "INCOMPLETE"
        parts = []
        if counts["not run"]:
            parts.append(f"{counts['not run']} of {_plural(total, 'scenario')} did not run")
        if unproven:
            parts.append(
                f"{_plural(len(unproven), 'required checklist item')} ({', '.join(c.id for c in unproven)}) "
                "had no passing scenario"
            )
        detail = "Nothing failed, but " + " and ".join(parts) + "."
        run.exit_code = EXIT_INCOMPLETE
    else:
        run.status, headline = "passed", "PASSED"
        detail = "The one scenario passed." if total == 1 else f"All {total} scenarios passed."
        run.exit_code = EXIT_PASSED
    if run.partial and run.status in ("passed", "incomplete"):
        headline += f" (partial: {covered})"
        detail += (
            " This run was a selection: it is not evidence of a full pass "
            f"(not covered: {', '.join(c.id for c in absent)})."
        )
    run.verdict = headline
    run.verdict_detail = detail
    run.notes = notes
    return run


def _step(data: dict[str, Any]) -> StepResult:
    visual = data.get("visual")
    return StepResult(
        **{**data, "error": _error(data.get("error")), "visual": VisualCheck(**visual) if visual else None}
    )


def _page(data: dict[str, Any]) -> AriaPage:
    return AriaPage(**{**data, "changes": [AriaChange(**c) for c in data.get("changes", [])]})


def _table(data: dict[str, Any]) -> DataTable:
    return DataTable(**{**data, "rows": [TableRow(**row) for row in data.get("rows", [])]})


def scenario_from_dict(data: dict[str, Any]) -> ScenarioResult:
    return ScenarioResult(
        **{
            **data,
            "health": [HealthEvent(**h) for h in data.get("health", [])],
            "pages": [_page(p) for p in data.get("pages", [])],
            "error": _error(data.get("error")),
            "steps": [_step(s) for s in data.get("steps", [])],
            "tables": [_table(t) for t in data.get("tables", [])],
            "attempts": [
                Attempt(**{**a, "error": _error(a.get("error")), "steps": [_step(s) for s in a.get("steps", [])]})
                for a in data.get("attempts", [])
            ],
        }
    )


def from_dict(data: dict[str, Any]) -> RunResult:
    return RunResult(
        **{
            **data,
            "checklist": [ChecklistItem(**c) for c in data.get("checklist", [])],
            "scenarios": [scenario_from_dict(s) for s in data.get("scenarios", [])],
            "slower": [SlowStep(**s) for s in data.get("slower", [])],
        }
    )
