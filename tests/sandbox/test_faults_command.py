"""`smoke faults` belongs to the sandbox: registered from smoke.sandbox.cli, never defined by the engine."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from click.testing import CliRunner

from smoke.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "example" / "scenarios"


def test_the_engine_cli_neither_defines_faults_nor_imports_the_sandbox() -> None:
    tree = ast.parse((ROOT / "smoke" / "cli.py").read_text())
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if "sandbox" in m or "faultmatrix" in m]
    assert "faults" not in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert main.commands["faults"].callback.__module__ == "smoke.sandbox.cli"  # type: ignore[union-attr]
    assert not (ROOT / "smoke" / "faultmatrix.py").exists()


def test_help_is_the_docstring() -> None:
    result = CliRunner().invoke(main, ["faults", "--help"])
    assert result.exit_code == 0
    assert "Run the suite against the sandbox healthy, then with each fault on" in result.output
    assert "smoke faults card-declines-all provisioning-stuck --out reports/faults" in result.output


def test_an_unknown_fault_exits_2_before_any_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["faults", "--out", str(tmp_path / "m"), "card-declines-all", "no-such-fault"])
    assert result.exit_code == 2
    assert "unknown fault 'no-such-fault'; `smoke sandbox --list-faults` lists them" in result.output
    assert not (tmp_path / "m").exists()


def test_a_bad_scenarios_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["faults", "--scenarios", str(tmp_path / "none"), "card-declines-all"])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"smoke: no targets file at {tmp_path / 'none' / 'targets.yaml'} (create it, or pass --targets FILE)"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_fault_no_scenario_covers_is_missed_exit_1_with_the_table(tmp_path: Path) -> None:
    # the example project covers admin-login and account-data only, so no run (and no browser) starts
    out = tmp_path / "matrix"
    result = CliRunner().invoke(
        main, ["faults", "--no-healthy", "--scenarios", str(EXAMPLE), "--out", str(out), "ticket-edit-fails"]
    )
    assert result.exit_code == 1, result.output
    assert "ticket-edit-fails            MISSED: no scenario covers tickets" in result.output
    assert "smoke: not caught: ticket-edit-fails" in result.output
    assert (
        "| `ticket-edit-fails` | tickets | MISSED (no scenario covers tickets) |"
        in (out / "fault-matrix.md").read_text()
    )
    (row,) = json.loads((out / "fault-matrix.json").read_text())
    assert row["fault"] == "ticket-edit-fails" and row["caught"] is False and row["ran"] == []
