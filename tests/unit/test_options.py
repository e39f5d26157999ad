"""The table of run options is the one declaration: `smoke run`, `smoke demo` and the plugin's
pytest options are made from it, and so are the pytest arguments a command passes on."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from smoke import launch, options
from smoke.cli import main, run
from smoke.demo import demo
from smoke.options import RUN_OPTIONS, Command, Kind, Pass, RunOption, offered, pytest_args
from smoke.overlay import PACES
from smoke.results import new_run_id
from tests.conftest import EXAMPLE, ROOT

RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$")


def _flat(text: str) -> str:
    # --help wraps lines (at spaces and after hyphens) and indents them: compare without the whitespace
    return "".join(text.split())


def _options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and p.name != "help"]


@pytest.mark.parametrize(("command", "which"), [(run, Command.RUN), (demo, Command.DEMO)])
def test_each_command_offers_exactly_its_rows_in_the_table_order(command: click.Command, which: Command) -> None:
    rows = offered(which)
    assert [p.name for p in _options(command)] == [o.name for o in rows]
    given = command.make_context(command.name, []).params  # what the command gets with no options
    for param, row in zip(_options(command), rows, strict=True):
        assert tuple(param.opts + param.secondary_opts) == row.cli, row.name
        assert param.help == ((which is Command.DEMO and row.demo_help) or row.help), row.name
        assert given[row.name] == row.command_default(), row.name
        assert param.multiple == row.repeat, row.name
        if row.choices:
            assert isinstance(param.type, click.Choice) and tuple(param.type.choices) == row.choices


def test_smoke_run_help_shows_every_run_option_with_its_help() -> None:
    done = CliRunner().invoke(main, ["run", "--help"])
    assert done.exit_code == 0, done.output
    text = _flat(done.output)
    for row in offered(Command.RUN):
        assert _flat(", ".join(reversed(row.cli))) in text, row.name
        if row.help:
            assert _flat(row.help) in text, row.name
        if row.choices:
            assert "[" + "|".join(row.choices) + "]" in text, row.name


def test_smoke_demo_help_words_the_shared_options_its_own_way() -> None:
    text = _flat(CliRunner().invoke(main, ["demo", "--help"]).output)
    assert _flat("Only scenarios with this tag, e.g. new-feature (repeatable: any of them).") in text
    assert _flat("Only scenarios with this tag (repeatable: any of them).") not in text
    assert _flat("--speed [slow|normal|fast]") in text


def test_the_demo_paces_are_the_speed_choices() -> None:
    assert options.option("speed").choices == tuple(PACES)


@pytest.fixture
def smoke_config(pytester: pytest.Pytester) -> Any:
    def parse(*args: str) -> pytest.Config:
        return pytester.parseconfig(*args)

    return parse


def test_the_plugin_declares_every_smoke_row_with_its_default_and_help(
    smoke_config: Any, pytester: pytest.Pytester
) -> None:
    ours = [o for o in RUN_OPTIONS if o.ours]
    assert {o.pytest for o in ours} >= {"--smoke-target", "--smoke-retries", "--smoke-demo", "--smoke-aria"}
    config = smoke_config()
    for row in ours:
        expected = [] if row.repeat and row.passed is Pass.EACH else row.default
        if row.kind is Kind.FLAG:
            expected = False
        elif row.name == "speed":
            expected = None  # no --smoke-demo, no demo mode
        assert config.getoption(row.dest) == expected, row.pytest
    text = _flat(pytester.runpytest("--help", "-p", "no:cacheprovider").stdout.str())
    for row in ours:
        assert row.pytest in text and _flat(row.pytest_help or "") in text, row.pytest


def test_only_the_plugin_own_options_are_declared_to_pytest() -> None:
    # pytest-playwright owns --headed, --slowmo, --tracing, --video; pytest owns -k, -m; xdist -n
    theirs = {o.pytest for o in RUN_OPTIONS if o.pytest and not o.ours}
    assert theirs == {"--headed", "--slowmo", "-m", "-k", "-n", "--tracing", "--video"}
    assert all(o.pytest_help is None for o in RUN_OPTIONS if o.pytest in theirs)


MADE_UP = RunOption(
    "max_failures",
    ("--max-failures",),
    "Stop the run after N failed scenarios.",
    "--smoke-max-failures",
    "stop after N failed scenarios",
    kind=Kind.COUNT,
    default=0,
    on=(Command.RUN, Command.DEMO),
)


def test_a_row_added_to_the_table_appears_on_every_side(
    monkeypatch: pytest.MonkeyPatch, pytester: pytest.Pytester
) -> None:
    monkeypatch.setattr(options, "RUN_OPTIONS", (*RUN_OPTIONS, MADE_UP))
    seen: dict[str, Any] = {}

    @click.command()
    @options.click_options(Command.RUN)
    def fake_run(**given: Any) -> None:
        seen.update(given)

    done = CliRunner().invoke(fake_run, ["--max-failures", "3"])
    assert done.exit_code == 0, done.output
    assert seen["max_failures"] == 3
    assert pytest_args(seen)[-1:] == ["--smoke-max-failures=3"]
    assert "Stop the run after N failed scenarios." in CliRunner().invoke(fake_run, ["--help"]).output
    bad = CliRunner().invoke(fake_run, ["--max-failures", "-1"])
    assert bad.exit_code == 2 and "-1 is not in the range x>=0" in bad.output
    assert [o.name for o in offered(Command.DEMO)][-1] == "max_failures"

    config = pytester.parseconfig("--smoke-max-failures=5")
    assert config.getoption("smoke_max_failures") == 5
    assert pytester.parseconfig().getoption("smoke_max_failures") == 0
    assert "stop after N failed scenarios" in pytester.runpytest("--help").stdout.str()


def test_values_reach_pytest_as_the_table_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    at_defaults = options.defaults(Command.RUN)
    assert pytest_args(at_defaults) == ["--tracing=retain-on-failure", "--video=off"]
    given = {
        **at_defaults,
        "retries": 2,
        "tags": ("nightly", "billing"),
        "keyword": "login and not slow",
        "workers": "auto",
        "browser_ws": ("ws://a:1", "ws://b:2"),
        "notify_on": "always",
        "baselines": Path("bl"),
        "visual_strict": True,
        "pytest_args": ("-x", "--maxfail=1"),
        "run_id": "named",
        "targets": ("staging",),
    }
    args = pytest_args(given)
    assert args == [
        "-m", "nightly or billing",
        "-k", "login and not slow",
        "-n", "auto", "--dist", "loadgroup",
        "--smoke-retries=2",
        "--tracing=retain-on-failure",
        "--video=off",
        "--smoke-browser-ws=ws://a:1",
        "--smoke-browser-ws=ws://b:2",
        f"--smoke-baselines={tmp_path / 'bl'}",  # resolved where smoke runs, not in pytest's rootdir
        "--smoke-visual-strict",
        "-x", "--maxfail=1",
    ]  # fmt: skip
    # --notify-on goes with --notify; the run id, targets and folders are the run's to pass
    assert "--smoke-notify-on=always" in pytest_args({**given, "notify": "https://hook"})
    assert not any(a.startswith(("--smoke-run-id", "--smoke-target", "--smoke-scenarios")) for a in args)


def test_demo_rows_become_the_smoke_demo_options() -> None:
    args = pytest_args({"speed": "slow", "pause": True, "record": False, "overlay_in_shots": True, "headless": True})
    assert args == ["--smoke-demo=slow", "--smoke-demo-pause", "--smoke-demo-overlay-in-shots"]


def _captured(monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[click.testing.Result, list[str]]:
    calls: list[list[str]] = []
    monkeypatch.setattr(launch, "_pytest", lambda args, run_dir=None: calls.append(args) or 0)
    done = CliRunner().invoke(main, list(argv))
    return done, calls[0] if calls else []


def test_smoke_run_hands_the_table_translation_to_pytest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenarios = str(EXAMPLE / "scenarios")
    done, args = _captured(
        monkeypatch, "run", "login", "--scenarios", scenarios, "--report-dir", str(tmp_path), "--retries", "1"
    )
    assert done.exit_code == 0, done.output
    assert f"--smoke-scenarios={EXAMPLE / 'scenarios'}" in args and f"--smoke-report-dir={tmp_path}" in args
    assert "--smoke-retries=1" in args and "--tracing=retain-on-failure" in args
    [run_id] = [a.split("=", 1)[1] for a in args if a.startswith("--smoke-run-id=")]
    assert RUN_ID.match(run_id), run_id  # made by results.new_run_id
    assert f"--junitxml={tmp_path / run_id / 'junit.xml'}" in args


def test_smoke_demo_runs_through_the_same_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenarios = str(EXAMPLE / "scenarios")
    argv = ["demo", "login", "--headless", "--speed", "fast", "--pause", "--tag", "quick"]
    done, args = _captured(monkeypatch, *argv, "--scenarios", scenarios, "--report-dir", str(tmp_path))
    assert done.exit_code == 0, done.output
    assert {"--smoke-demo=fast", "--smoke-demo-pause", "--video=off", "-s"} <= set(args)
    assert "--headed" not in args and args[args.index("-m") + 1] == "quick"


def test_a_bad_worker_count_is_one_line_and_exit_2() -> None:
    done = CliRunner().invoke(main, ["run", "--workers", "0"])
    assert done.exit_code == 2
    assert done.output.strip() == "smoke: --workers: '0' is not a number of workers (give a number from 1, or auto)"


def test_new_run_ids_sort_by_time_and_differ() -> None:
    ids = {new_run_id() for _ in range(20)}
    assert all(RUN_ID.match(i) for i in ids) and len(ids) > 1
    assert re.match(r"^baseline-\d{8}-\d{6}-[0-9a-f]{4}$", new_run_id("baseline"))


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # in functions and TYPE_CHECKING too
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("module", ["demo.py", "launch.py", "options.py"])
def test_the_run_helpers_and_demo_never_import_the_cli_or_the_plugin(module: str) -> None:
    # cli -> demo (registering it) and plugin -> demo (DemoPlugin): the other way would be a cycle
    assert _imports(ROOT / "smoke" / module) & {"smoke.cli", "smoke.plugin"} == set()


def test_the_table_rows_are_frozen_and_uniquely_named() -> None:
    names = [(o.name, o.on) for o in RUN_OPTIONS]
    assert len({n for n, _ in names}) == len(names)
    for command in Command:
        flags = [f for o in offered(command) for f in o.cli]
        assert len(flags) == len(set(flags)), command
    assert len({o.pytest for o in RUN_OPTIONS if o.ours}) == len([o for o in RUN_OPTIONS if o.ours])
    with pytest.raises(dataclasses.FrozenInstanceError):
        RUN_OPTIONS[0].name = "x"  # type: ignore[misc]
