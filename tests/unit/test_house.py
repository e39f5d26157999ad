"""The house rules of smoke/, checked without a browser: no import cycle among its modules, no private
name used across modules, and mypy strict on the engine (configured in pyproject.toml).

Run alone with `.venv/bin/python -m pytest tests/unit/test_house.py -q`; docs/architecture.md
("House rules") says what each rule is for."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMOKE = ROOT / "smoke"

# Import edges (importer, imported) that lie on a cycle today, and private names used across modules
# (user, "module._name"): removed by issue 16's other slices. The tests fail on a violation that is not
# listed here and on an entry that no longer occurs, so these lists can only shrink.
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()
KNOWN_PRIVATE_USES: set[tuple[str, str]] = set()


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    imports: set[str] = field(default_factory=set)  # smoke modules this one imports
    private_uses: set[str] = field(default_factory=set)  # "smoke.x._name" used from here


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def _is_type_checking(test: ast.expr) -> bool:
    # `if TYPE_CHECKING:` and `if typing.TYPE_CHECKING:`; such imports never run, so they make no cycle
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree except what stands under `if TYPE_CHECKING:` (its `else:` does run)."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            todo.append(node.test)
        else:
            todo.extend(ast.iter_child_nodes(node))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _scan() -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for path in sorted(SMOKE.rglob("*.py")):
        name, is_package = _module_name(path)
        modules[name] = Module(name, path, is_package)
    for module in modules.values():
        _scan_module(module, modules)
    return modules


def _scan_module(module: Module, modules: dict[str, Module]) -> None:
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    runtime = {id(node) for node in _runtime_nodes(tree)}
    aliases: dict[str, str] = {}  # a local name bound to a smoke module -> that module
    for node in ast.walk(tree):
        # private names count wherever they stand; only the imports that run make a cycle
        imported: set[str] = set()
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "smoke":
                    continue
                target = _longest_module(alias.name, modules)
                imported.add(target)
                if alias.asname:
                    aliases[alias.asname] = target
                else:
                    aliases["smoke"] = "smoke"
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(node, package)
            if base is None or base.split(".")[0] != "smoke":
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:  # `from smoke.pkg import module`
                    imported.add(submodule)
                    aliases[alias.asname or alias.name] = submodule
                    if _is_private(alias.name):
                        module.private_uses.add(submodule)
                else:
                    imported.add(_longest_module(base, modules))
                    if _is_private(alias.name) and base != module.name:
                        module.private_uses.add(f"{base}.{alias.name}")
        if id(node) in runtime:
            module.imports |= imported
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            owner = _dotted(node.value, aliases)
            if owner is not None and owner in modules and owner != module.name:
                module.private_uses.add(f"{owner}.{node.attr}")
    module.imports.discard(module.name)


def _resolve_from(node: ast.ImportFrom, package: str) -> str | None:
    if node.level == 0:
        return node.module
    parts = package.split(".")
    if node.level - 1 >= len(parts):
        return None
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def _longest_module(dotted: str, modules: dict[str, Module]) -> str:
    # `import smoke.report.view` and `from smoke.report.view import x` depend on smoke.report.view
    parts = dotted.split(".")
    while len(parts) > 1 and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts)


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """The smoke module an expression such as `view` or `smoke.report.view` names, if it names one."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value, aliases)
        return f"{owner}.{node.attr}" if owner is not None else None
    return None


def _path(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """The shortest chain of imports from start to goal (breadth first), or None."""
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == goal:
            chain = [here]
            while (before := came_from[chain[-1]]) is not None:
                chain.append(before)
            return chain[::-1]
        for there in sorted(graph.get(here, ())):
            if there not in came_from:
                came_from[there] = here
                queue.append(there)
    return None


def cycle_edges(modules: dict[str, Module]) -> dict[tuple[str, str], list[str]]:
    """Every import a -> b that closes a cycle (b leads back to a), with that cycle."""
    graph = {name: set(m.imports) for name, m in modules.items()}
    found: dict[tuple[str, str], list[str]] = {}
    for a, targets in graph.items():
        for b in targets:
            back = _path(graph, b, a)
            if back is not None:
                found[(a, b)] = [a, *back]
    return found


def private_uses(modules: dict[str, Module]) -> set[tuple[str, str]]:
    return {(m.name, used) for m in modules.values() for used in m.private_uses}


def _check_against_known(found: set[tuple[str, str]], known: set[tuple[str, str]], what: str) -> list[str]:
    problems = [f"new {what}: {a} -> {b}" for a, b in sorted(found - known)]
    problems += [f"gone (remove it from the KNOWN list): {a} -> {b}" for a, b in sorted(known - found)]
    return problems


def test_no_import_cycle_among_smoke_modules() -> None:
    cycles = cycle_edges(_scan())
    problems = _check_against_known(set(cycles), KNOWN_CYCLE_EDGES, "import on a cycle")
    shown = [" -> ".join(cycles[edge]) for edge in sorted(set(cycles) - KNOWN_CYCLE_EDGES)]
    assert problems == [], "\n".join([*problems, "cycles:", *shown])


def test_no_private_name_is_used_across_smoke_modules() -> None:
    problems = _check_against_known(private_uses(_scan()), KNOWN_PRIVATE_USES, "private name used across modules")
    assert problems == [], "\n".join(problems)


def _write_tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for path in sorted(tmp_path.rglob("*.py")):
        parts = list(path.relative_to(tmp_path).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        modules[name] = Module(name, path, is_package)
    for module in modules.values():
        _scan_module(module, modules)
    return modules


def test_the_scan_sees_relative_function_level_and_package_imports_and_skips_type_checking(
    tmp_path: Path,
) -> None:
    modules = _write_tree(
        tmp_path,
        {
            "smoke/__init__.py": "",
            "smoke/a.py": "def f():\n    from smoke.pkg import b\n    return b._hidden\n",
            "smoke/pkg/__init__.py": "",
            "smoke/pkg/b.py": "from . import c\n",
            "smoke/pkg/c.py": "import smoke.a as a\nfrom ..d import _helper\n",
            "smoke/d.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from smoke import a\n"
                "else:\n    import smoke.e\n_helper = 1\n"
            ),
            "smoke/e.py": "",
        },
    )
    assert modules["smoke.a"].imports == {"smoke.pkg.b"}
    assert modules["smoke.pkg.b"].imports == {"smoke.pkg.c"}
    assert modules["smoke.pkg.c"].imports == {"smoke.a", "smoke.d"}
    assert modules["smoke.d"].imports == {"smoke.e"}
    assert private_uses(modules) == {("smoke.a", "smoke.pkg.b._hidden"), ("smoke.pkg.c", "smoke.d._helper")}
    cycles = cycle_edges(modules)
    assert set(cycles) == {("smoke.a", "smoke.pkg.b"), ("smoke.pkg.b", "smoke.pkg.c"), ("smoke.pkg.c", "smoke.a")}
    assert cycles[("smoke.a", "smoke.pkg.b")] == ["smoke.a", "smoke.pkg.b", "smoke.pkg.c", "smoke.a"]


def test_a_known_entry_that_is_gone_fails_as_well_as_a_new_one() -> None:
    assert _check_against_known({("a", "b")}, {("c", "d")}, "x") == [
        "new x: a -> b",
        "gone (remove it from the KNOWN list): c -> d",
    ]


def test_mypy_strict_passes_on_smoke() -> None:
    # pyproject.toml's [tool.mypy] makes it strict for the engine; `make lint` runs the same command
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists():
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    env = {**os.environ, "MYPY_FORCE_COLOR": "0"}
    done = subprocess.run(
        [str(mypy), "smoke"], cwd=ROOT, capture_output=True, text=True, env=env, check=False, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
