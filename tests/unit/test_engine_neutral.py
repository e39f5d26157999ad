"""No EngageIP in the engine: smoke/ outside smoke/sandbox/ neither imports the sandbox nor speaks
EngageIP's vocabulary (shared/engageip-notes.md); the product lives in scenarios/, the locator maps,
the data files and the sandbox."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import tomllib
from collections.abc import Iterator
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import click
import pytest

from smoke.report.synthetic import make_synthetic_run

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "smoke"
SANDBOX = ENGINE / "sandbox"
TEXT_SUFFIXES = {".py", ".j2", ".css", ".js", ".md", ".yaml", ".html"}


def _engine_files(suffixes: set[str]) -> list[Path]:
    return sorted(
        p
        for p in ENGINE.rglob("*")
        if p.is_file() and p.suffix in suffixes and SANDBOX not in p.parents and "__pycache__" not in p.parts
    )


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sandbox_references(source: str, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, what) for every import of smoke.sandbox in ``source``, at any depth (functions included),
    relative ones resolved, and every string naming it (importlib.import_module("smoke.sandbox.cli"))."""

    def is_sandbox(name: str) -> bool:
        return name == "smoke.sandbox" or name.startswith("smoke.sandbox.")

    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, f"import {a.name}") for a in node.names if is_sandbox(a.name))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [base] + [f"{base}.{a.name}" for a in node.names]
            if any(is_sandbox(n) for n in names):
                yield node.lineno, f"from {'.' * node.level}{node.module or ''} import ..."
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and is_sandbox(node.value):
            yield node.lineno, repr(node.value)


def test_no_engine_module_imports_the_sandbox() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _engine_files({".py"})
        for line, what in _sandbox_references(
            path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py"
        )
    ]
    assert found == [], "the engine must not import smoke.sandbox (the sandbox registers itself)"


@pytest.mark.parametrize(
    ("source", "module", "found"),
    [
        ("import smoke.sandbox.app\n", "smoke.cli", [1]),
        ("def f():\n    from smoke.sandbox.cli import faults\n", "smoke.cli", [2]),
        ("def f():\n    from ..sandbox import cli\n", "smoke.report.view", [2]),
        ("from . import sandbox\n", "smoke.cli", [1]),
        ("from smoke import sandbox\n", "smoke.cli", [1]),
        ("import importlib\nimportlib.import_module('smoke.sandbox.cli')\n", "smoke.cli", [2]),
        ("from . import view\nfrom smoke.report import render\nimport sandbox_tools\n", "smoke.report", []),
        ("from ..run import pool\n", "smoke.report.view", []),
    ],
)
def test_the_import_check_sees_every_form(source: str, module: str, found: list[int]) -> None:
    assert [line for line, _ in _sandbox_references(source, module, module == "smoke.report")] == found


def test_the_sandbox_commands_are_registered_through_entry_points() -> None:
    from smoke.cli import COMMANDS_GROUP, main

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]
    assert declared[COMMANDS_GROUP] == {"sandbox": "smoke.sandbox.cli:sandbox", "faults": "smoke.sandbox.cli:faults"}
    installed = {e.name: e for e in entry_points(group=COMMANDS_GROUP)}
    assert set(installed) >= {"sandbox", "faults"}, "reinstall (make setup): the entry points are not installed"
    for name, entry in installed.items():
        assert main.commands[name] is entry.load()


@click.command("hello")
def _hello() -> None:
    click.echo("hello")


def test_registered_commands_are_added_but_never_replace_the_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    from smoke import cli

    here = __name__
    entries = [
        EntryPoint("hello", f"{here}:_hello", cli.COMMANDS_GROUP),
        EntryPoint("run", f"{here}:_hello", cli.COMMANDS_GROUP),
        EntryPoint("broken", "no_such_module_anywhere:command", cli.COMMANDS_GROUP),
    ]
    monkeypatch.setattr(
        importlib.metadata, "entry_points", lambda group: entries if group == cli.COMMANDS_GROUP else []
    )
    group = click.Group(commands={"run": cli.run})
    cli._register_plugins(group)
    assert group.commands == {"run": cli.run, "hello": _hello}


# EngageIP's words (shared/engageip-notes.md): the product, its vendor and pages, the entities of its
# billing domain, the sandbox's processors and package, and the sandbox's address. Everyday words the
# product also uses (package, contact, role, portal, ticket, provisioning) are not on the list: an engine
# may say them; the list holds what only an EngageIP suite would.
VOCABULARY = {
    "EngageIP": r"engage\s?ip",
    "LogiSense": r"logi\s?sense",
    "AdminPortal": r"admin\s?portal",
    "webservice.asmx": r"webservice\.asmx",
    "account": r"(?<![a-z])(sub-?)?accounts?(?![a-z])",
    "invoice": r"invoic\w*",
    "payment processor": r"(payment|card) processors?",
    "user-package": r"user-?(package|service)s?(?![a-z])",
    "bill run": r"bill(ing)? (run|group|day)s?",
    "UDR": r"(?<![a-z])udrs?(?![a-z])",
    "workorder": r"work\s?orders?",
    "price plan": r"price plans?",
    "processor names": r"moneris|authorize\.net|paymentech|e-?check",
    "the sandbox's package": r"fiber \d+",
    "EngageIP element ids": r"currentusername|userpackage_listbody|detailscontactname",
    "the sandbox's port": r"(?<![\d.])8765(?!\d)",
}
_PATTERN = re.compile("|".join(f"(?P<w{i}>{p})" for i, p in enumerate(VOCABULARY.values())), re.IGNORECASE)
_WORDS = list(VOCABULARY)

# The distribution is called engageip-smoke (pyproject.toml [project] name); the engine names itself by
# it (version lookup, the junit suite, the pytest option group). Renaming the distribution is a
# packaging decision, not the engine's: the name as a whole is not EngageIP vocabulary here.
DISTRIBUTION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]

_BASELINE = (
    "`smoke baseline capture`'s option names and default data file are its users' interface: renaming"
    " them (with the old names as aliases) is a change of the command, not of wording"
)
_BANK = "bank account numbers are secrets in any application: masking them is not EngageIP's"

# (file, a fragment of the line, "def NAME" for a whole function, "*" for the file): why the word stays.
ALLOWED: dict[tuple[str, str], str] = {
    ("smoke/cli.py", "--no-accounts"): _BASELINE,
    ("smoke/cli.py", "no_accounts"): _BASELINE,
    ("smoke/cli.py", '"--accounts",'): _BASELINE,
    ("smoke/cli.py", "data/accounts.yaml"): _BASELINE,
    ("smoke/cli.py", '"data" / "accounts.yaml"'): _BASELINE,
    ("smoke/secrets.py", "bank_?account|account_?no_bank"): _BANK,
    ("smoke/secrets.py", "(card numbers, passwords, bank accounts)"): _BANK,
    ("smoke/secrets.py", "grouped (card and account numbers)"): _BANK,
    ("smoke/secrets.py", "(account numbers,"): _BANK,
    (
        "smoke/bench.py",
        "def bench_screenshots",
    ): "make bench measures an evidence screenshot on the bundled sandbox's pages",
    # in the Scrubber, which another change rewrites; the sentence is true of any application
    ("smoke/secrets.py", "# card and account numbers are written grouped"): _BANK,
    (
        "smoke/report/view.py",
        'TABLE_STYLES = {"accounts": "diff"',
    ): "older runs' results.json name their tables' layouts so; the report still reads them",
}


def _function_lines(path: Path, name: str) -> range:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return range(node.lineno, (node.end_lineno or node.lineno) + 1)
    raise AssertionError(f"{path.relative_to(ROOT)} has no function {name} (allowed in ALLOWED): remove the entry")


def _vocabulary(text: str) -> list[str]:
    text = text.replace(DISTRIBUTION, "")
    return [_WORDS[int(next(k for k, v in m.groupdict().items() if v)[1:])] for m in _PATTERN.finditer(text)]


def test_the_engine_speaks_no_engageip() -> None:
    used: set[tuple[str, str]] = set()
    found: list[str] = []
    for path in _engine_files(TEXT_SUFFIXES):
        rel = path.relative_to(ROOT).as_posix()
        allowed_lines: dict[int, tuple[str, str]] = {}
        for file, fragment in ALLOWED:
            if file == rel and fragment.startswith("def "):
                allowed_lines.update(dict.fromkeys(_function_lines(path, fragment[4:]), (file, fragment)))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            words = _vocabulary(line)
            if not words:
                continue
            entry = allowed_lines.get(number) or next(
                ((f, frag) for f, frag in ALLOWED if f == rel and (frag == "*" or frag in line)), None
            )
            if entry:
                used.add(entry)
            else:
                found.append(f"{rel}:{number}: {', '.join(sorted(set(words)))}: {line.strip()[:100]}")
    assert found == [], "EngageIP words in the engine (say it neutrally, or move it to scenarios/ or the sandbox)"
    assert set(ALLOWED) - used == set(), "allowed words that are gone: remove their ALLOWED entries"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Log in to the AdminPortal", ["AdminPortal"]),
        ("data/accounts.yaml and {{ saved.account_number }}", ["account", "account"]),
        ("an EngageIP release; engageip-smoke is the distribution", ["EngageIP"]),
        ("open http://127.0.0.1:8765/portal", ["the sandbox's port"]),
        ("Email Invoice on 'Moneris (test)'", ["invoice", "processor names"]),
        ("the page's own account of each element", ["account"]),
        ("accountable, 18765, package, portal, ticket", []),
    ],
)
def test_the_vocabulary_check_sees_the_words(text: str, words: list[str]) -> None:
    assert _vocabulary(text) == words


def test_the_synthetic_run_make_bench_renders_is_neutral(tmp_path: Path) -> None:
    run_dir = make_synthetic_run(tmp_path / "run", steps=40, failures=2)
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert _vocabulary(json.dumps(results)) == []
    assert _vocabulary((run_dir / "junit.xml").read_text(encoding="utf-8")) == []
    assert results["checklist"] and any(s["tables"] for s in results["scenarios"])
