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

Status = Literal["passed", "failed", "skipped", "error", "flaky", "running", "not run", "interrupted"]

SCHEMA_VERSION = 1


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
    kind: str = "generic"  # generic | accounts | permissions | payments


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
    status: Status = "running"  # passed | failed | interrupted | error
    verdict: str = ""
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
    schema: int = SCHEMA_VERSION

    def count(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "skipped": 0, "flaky": 0, "error": 0, "not run": 0}
        for scenario in self.scenarios:
            key = scenario.status if scenario.status in counts else "error"
            counts[key] += 1
        counts["total"] = len(self.scenarios)
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


def _step(data: dict[str, Any]) -> StepResult:
    visual = data.get("visual")
    return StepResult(
        **{**data, "error": _error(data.get("error")), "visual": VisualCheck(**visual) if visual else None}
    )


def _table(data: dict[str, Any]) -> DataTable:
    return DataTable(**{**data, "rows": [TableRow(**row) for row in data.get("rows", [])]})


def _scenario(data: dict[str, Any]) -> ScenarioResult:
    return ScenarioResult(
        **{
            **data,
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
            "scenarios": [_scenario(s) for s in data.get("scenarios", [])],
        }
    )
