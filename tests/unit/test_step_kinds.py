"""Step kinds describe themselves: the engine asks a kind's traits and never compares its name."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smoke.scenario import parse_steps
from smoke.steps import REGISTRY, StepCall, documentation, step
from smoke.yamlfile import Pos

SMOKE = Path(__file__).resolve().parents[2] / "smoke"


def _literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return [v for elt in node.elts for v in _literals(elt)]
    return []


def _kind_comparisons(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """`x.kind == "click"`, `kind in ("open", "as")`, `step.kind not in ACTING`... with a step kind's name."""
    sets: dict[str, list[str]] = {}  # module-level NAME = {"click", ...}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value.args[0] if isinstance(node.value, ast.Call) and node.value.args else node.value
            names = [v for v in _literals(value) if v in REGISTRY]
            if names:
                sets[node.targets[0].id] = names
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        about_kind = any(
            (isinstance(s, ast.Attribute) and s.attr == "kind") or (isinstance(s, ast.Name) and s.id == "kind")
            for s in sides
        )
        if not about_kind:
            continue
        for side in sides:
            named = [v for v in _literals(side) if v in REGISTRY]
            if isinstance(side, ast.Name) and side.id in sets:
                named = sets[side.id]
            if named:
                yield node.lineno, ", ".join(named)


def test_no_module_outside_the_step_vocabulary_compares_a_kind_name() -> None:
    found = []
    for path in sorted(SMOKE.rglob("*.py")):
        rel = path.relative_to(SMOKE)
        if rel.parts[0] in ("steps", "sandbox"):
            continue  # a kind's own module; the sandbox is a web application, not the engine
        for line, names in _kind_comparisons(ast.parse(path.read_text(), str(path))):
            found.append(f"smoke/{rel}:{line}: compares a step kind with {names}")
    assert found == [], "ask the kind's traits (step.spec) instead:\n" + "\n".join(found)


def test_the_check_itself_finds_a_comparison() -> None:
    code = 'ACTING = {"click", "fill"}\nif step.kind in ACTING or step.kind == "open":\n    pass\n'
    assert [names for _, names in _kind_comparisons(ast.parse(code))] == ["click, fill", "open"]


@pytest.fixture
def made_up_kind() -> Iterator[str]:
    """A kind registered from outside the engine, as a new domain module would."""

    @step(
        "point_at",
        category="action",
        example="point_at: {button: Help}",
        caption=lambda a, w: f"Point at {w}",
        locator="required",
        scalar="locator",
        navigates=True,
    )
    def point_at(call: StepCall) -> None:
        """Point at an element.

        Example: ``- point_at: {button: Help}``"""

    yield "point_at"
    del REGISTRY["point_at"]


def test_a_new_kind_needs_only_its_registration(made_up_kind: str) -> None:
    steps = parse_steps([{made_up_kind: {"button": "Help"}, "says": "Point"}], Pos("s.yaml", 1, 1))
    kind = steps[0].spec
    assert kind.name == made_up_kind and kind.acts and kind.changes_page and kind.navigates
    assert not kind.tabulated and kind.loop is None
    assert steps[0].locator is not None and steps[0].locator.describe() == "button 'Help'"
    assert made_up_kind in {d.name for d in documentation()}


def test_what_each_kind_is() -> None:
    by = {name: kind for name, kind in REGISTRY.items()}
    assert {n for n, k in by.items() if k.acts} == {
        "click",
        "fill",
        "select",
        "hover",
        "check",
        "uncheck",
        "press",
        "upload",
    }
    assert {n for n, k in by.items() if k.loop is not None} == {"for_each"}
    assert {n for n, k in by.items() if k.tabulated} >= {"expect_text", "expect_row", "expect_json", "call"}
    assert not by["save"].tabulated and by["save"].saves({"vars": {"a": None, "b": None}}) == ["a", "b"]
    assert by["as"].role_param == "role" and by["open"].opens == "url"
    assert by["compare"].compares and not by["screenshot"].compares
    assert not by["expect_count"].needs_element({"count": 0}) and by["expect_count"].needs_element({"count": 2})
    assert not by["wait_for"].needs_element({"state": "hidden"}) and by["wait_for"].needs_element({})


def test_reading_and_checking_scenarios_never_imports_playwright() -> None:
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from smoke.project import load_project, load_scenarios, check_all\n"
        "project = load_project(Path('scenarios'))\n"
        "scenarios, errors = load_scenarios(project)\n"
        "assert scenarios and not errors, errors\n"
        "assert check_all(project, scenarios, project.targets.get('sandbox')) == []\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'playwright')\n"
        "print(loaded)\n"
    )
    root = SMOKE.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
