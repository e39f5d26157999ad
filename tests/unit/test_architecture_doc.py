"""docs/architecture.md stays true to the code: every part of smoke/ is in its table, and the names it
points a newcomer to exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def _table_names() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Who owns what", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+(?:\.py|/))` \|", table, flags=re.M))


def test_every_module_and_package_of_smoke_is_in_the_table_and_nothing_else() -> None:
    smoke = ROOT / "smoke"
    parts = {p.name for p in smoke.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    parts |= {f"{p.name}/" for p in smoke.iterdir() if (p / "__init__.py").exists()}
    named = _table_names()
    assert parts - named == set(), f"add these to the table in {DOC.name}"
    assert named - parts == set(), f"{DOC.name} names parts that are gone"


def test_the_names_the_how_to_sections_point_to_exist() -> None:
    # when the redesign removes one of these, the page's how-to sections need rewriting
    for module, name in [
        ("smoke.steps", "REGISTRY"),
        ("smoke.steps", "step"),
        ("smoke.steps", "StepCall"),
        ("smoke.steps", "StepFailure"),
        ("smoke.steps", "Check"),
        ("smoke.steps", "StepKind"),
        ("smoke.steps.base", "act"),
        ("smoke.steps.interaction", "hover"),
        ("smoke.report.view", "build_view"),
        ("smoke.results", "from_dict"),
        ("smoke.results", "scenario_from_dict"),
        ("smoke.results", "decide"),
        ("smoke.plugin", "pytest_addoption"),
        ("smoke.finish", "finish"),
        ("smoke.finish", "assemble"),
        ("smoke.plugin", "pytest_configure_node"),
        ("smoke.cli", "_register_optional"),
    ]:
        assert hasattr(importlib.import_module(module), name), f"{module}.{name} (named in {DOC.name}) is gone"
    for path in [
        "smoke/report/templates/report.html.j2",
        "smoke/report/static/report.css",
        "smoke/report/synthetic.py",
        "tests/example/scenarios/all-steps.yaml",
        "tests/report/test_report_render.py",
        "tests/browser/test_plugin.py",
    ]:
        assert (ROOT / path).exists(), f"{path} (named in {DOC.name}) is gone"
