"""A for_each's results as the report's tables: each row's checks by column, and the grid view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smoke.locators import LocatorSpec
from smoke.results import DataTable, StepError, TableRow
from smoke.scenario import Step
from smoke.steps import Check


@dataclass
class RowRecord:
    label: str
    checks: dict[str, Check] = field(default_factory=dict)
    failures: dict[str, StepError] = field(default_factory=dict)
    error: StepError | None = None
    failed_step: str | None = None


def row_label(row: Any, number: int) -> str:
    if isinstance(row, dict):
        values = [str(v) for v in row.values() if isinstance(v, str | int | float)][:2]
        return " ".join(values) or f"row {number}"
    return str(row)


def column_name(step: Step, spec: LocatorSpec | None) -> str:
    if spec is not None:
        if spec.how in ("test_id", "label", "placeholder", "text"):
            return spec.value
        if spec.how == "role" and spec.name:
            return spec.name
        return spec.describe()
    return step.kind.replace("expect_", "")


def rows_table(title: str, style: str, records: list[RowRecord]) -> DataTable:
    columns: list[str] = []
    for rec in records:
        for name in [*rec.checks, *rec.failures]:
            if name not in columns:
                columns.append(name)
    table = DataTable(title=title, columns=["Row", *columns, "Result"], kind=style)
    for rec in records:
        cells = [rec.label]
        diffs: dict[str, list[str]] = {}
        for column in columns:
            if column in rec.checks:
                cells.append(rec.checks[column].shown)
            elif column in rec.failures:
                failure = rec.failures[column]
                cells.append(failure.actual or "—")
                diffs[column] = [failure.expected or "", failure.actual or ""]
            else:
                cells.append("")
        status = "failed" if rec.error else "passed"
        message = rec.error.message if rec.error else None
        cells.append("FAIL" if rec.error else "PASS")
        table.rows.append(TableRow(cells=cells, status=status, diffs=diffs, message=message))  # type: ignore[arg-type]
    return table


def grid_table(title: str, cells: list[tuple[str, str, str, RowRecord]]) -> DataTable:
    """Rows of a for_each laid out as a grid: one line per `rows` value, one column per `columns` value."""
    row_names = list(dict.fromkeys(c[0] for c in cells))
    column_names = list(dict.fromkeys(c[1] for c in cells))
    table = DataTable(title=title, columns=["", *column_names], kind="grid")
    by_key = {(r, c): (text, rec) for r, c, text, rec in cells}
    for name in row_names:
        texts = [name]
        diffs: dict[str, list[str]] = {}
        failed = False
        for column in column_names:
            if (name, column) not in by_key:
                texts.append("")
                continue
            text, rec = by_key[(name, column)]
            texts.append(text)
            if rec.error is not None:
                failed = True
                diffs[column] = [f"{text}: {rec.error.expected or ''}", rec.error.actual or rec.error.message]
        table.rows.append(TableRow(cells=texts, status="failed" if failed else "passed", diffs=diffs))
    return table
