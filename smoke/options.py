"""The run options, declared once.

:data:`RUN_OPTIONS` is the one table of what a run can be told. From it come the plugin's
``--smoke-*`` pytest options (:func:`add_pytest_options`), the click options of ``smoke run`` and
``smoke demo`` (:func:`click_options`) and the translation of those commands' parameters into pytest
arguments (:func:`pytest_args`). A new run option is one row here, and the code that reads it.

The table is in the order ``smoke run --help`` (and ``smoke demo --help``) lists the options; the
plugin's group in ``pytest --help`` follows the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from smoke.results import EXIT_USAGE

if TYPE_CHECKING:
    import click
    import pytest

F = TypeVar("F", bound=Callable[..., Any])


class Command(Enum):
    """The commands that offer run options."""

    RUN = "run"
    DEMO = "demo"


class Kind(Enum):
    """What a value is; it gives click's type (and its errors for a bad value) and pytest's."""

    TEXT = "text"
    COUNT = "count"  # a whole number from 0
    FOLDER = "folder"  # a path that must not be a file
    FILE = "file"  # a path that must not be a folder
    CHOICE = "choice"  # one of `choices`
    FLAG = "flag"  # on when given


class Pass(Enum):
    """How a command's value reaches pytest."""

    VALUE = "value"  # --opt=VALUE (-k VALUE for a short option) when given: not None, empty or 0
    ALWAYS = "always"  # --opt=VALUE, the default too (pytest-playwright's defaults are not ours)
    FLAG = "flag"  # --opt when on
    EACH = "each"  # --opt=VALUE once per value; pytest's option is repeatable too
    PATH = "path"  # --opt=/absolute/path when given: pytest's rootdir is not where smoke was started
    RAW = "raw"  # each value is one pytest argument as it is
    BY_RUN = "by run"  # the run passes it itself, worked out with more than this value (smoke.launch)
    NOT = "not"  # a click-only option: the command itself uses it


class OptionError(Exception):
    """A value no type can check; shown as ``smoke: MESSAGE`` with exit code 2, like other bad input."""


_SAME = object()  # pytest's default is the command's


@dataclass(frozen=True)
class RunOption:
    name: str  # click's parameter name, and the row's key
    cli: tuple[str, ...] = ()  # click's names, long first; () for an option only pytest has
    help: str | None = None  # its line in `smoke run --help` (or `smoke demo --help`)
    pytest: str | None = None  # the pytest option it becomes; only --smoke-* ones are the plugin's own
    pytest_help: str | None = None  # its line in `pytest --help` (the plugin's options only)
    kind: Kind = Kind.TEXT
    repeat: bool = False  # click: may be given many times (a tuple of values)
    default: Any = None
    choices: tuple[str, ...] = ()
    on: tuple[Command, ...] = (Command.RUN,)  # the commands that offer it; () for a pytest-only option
    demo_help: str | None = None  # `smoke demo --help`'s line for a shared option that demos word differently
    passed: Pass | Callable[[Any], list[str]] = Pass.VALUE
    only_with: str | None = None  # passed only when this other option is given too
    show_default: bool = False
    metavar: str | None = None
    pytest_metavar: str | None = None  # when pytest's differs from click's
    pytest_default: Any = _SAME
    check: Callable[[Any], Any] | None = None  # click: checks the value, raises OptionError
    flag_value: str | None = None  # click: the value when the option is given without one

    @property
    def ours(self) -> bool:
        """The plugin declares this pytest option (the others are pytest's, pytest-playwright's, xdist's)."""
        return bool(self.pytest and self.pytest.startswith("--smoke-"))

    @property
    def dest(self) -> str:
        """The name ``config.getoption`` reads it by."""
        return (self.pytest or "").lstrip("-").replace("-", "_")

    def command_default(self) -> Any:
        if self.repeat:
            return ()
        if self.kind is Kind.FLAG:
            return False
        if self.kind in (Kind.FOLDER, Kind.FILE) and self.default is not None:
            return Path(self.default)
        return self.default

    def to_pytest(self, value: Any) -> list[str]:
        passed, name = self.passed, self.pytest
        if callable(passed):
            return passed(value)
        if passed is Pass.RAW:
            return [str(v) for v in value]
        if passed in (Pass.BY_RUN, Pass.NOT) or name is None:
            return []
        if passed is Pass.FLAG:
            return [name] if value else []
        if passed is Pass.EACH:
            return [arg for v in value for arg in _one(name, v)]
        if passed is Pass.ALWAYS:
            return _one(name, value)
        if not value:
            return []
        return _one(name, Path(value).resolve() if passed is Pass.PATH else value)


def _one(name: str, value: Any) -> list[str]:
    # `-k=expr` would give pytest "=expr": a short option takes its value as the next argument
    return [f"{name}={value}"] if name.startswith("--") else [name, str(value)]


def _check_workers(value: str | None) -> str | None:
    if value is None or value == "auto" or (value.isdigit() and int(value) >= 1):
        return value
    raise OptionError(f"--workers: {value!r} is not a number of workers (give a number from 1, or auto)")


def _any_of_tags(tags: Sequence[str]) -> list[str]:
    return ["-m", " or ".join(tags)] if tags else []


def _on_workers(workers: str | None) -> list[str]:
    # loadgroup keeps a scenario's group (xdist_group) on one worker
    return ["-n", workers, "--dist", "loadgroup"] if workers else []


_PACES = ("slow", "normal", "fast")  # smoke.overlay.PACES has one Pace for each
_TRACE = ("on", "off", "retain-on-failure")
RUN = (Command.RUN,)
DEMO = (Command.DEMO,)
BOTH = (Command.RUN, Command.DEMO)

RUN_OPTIONS: tuple[RunOption, ...] = (
    RunOption(
        "targets",
        ("--target", "-t"),
        "Target name (or group) from targets.yaml (default: its default); repeat to run each in turn.",
        "--smoke-target",
        "target name from the targets file (default: the file's default)",
        repeat=True,
        passed=Pass.BY_RUN,  # a group or several targets become one run per target
    ),
    RunOption(
        "target",
        ("--target", "-t"),
        on=DEMO,  # a demo shows one target; its run gets it as `targets`
        help="Target name from targets.yaml (default: its default, the sandbox).",
        passed=Pass.NOT,
    ),
    RunOption(
        "targets_file",
        pytest="--smoke-targets",
        pytest_help="targets file (default: SCENARIOS/targets.yaml)",
        on=(),  # pytest only: smoke run always reads SCENARIOS/targets.yaml
    ),
    RunOption(
        "speed",
        ("--speed",),
        pytest="--smoke-demo",
        pytest_help="demo mode at this pace: a caption bar and the element highlighted before each step",
        kind=Kind.CHOICE,
        choices=_PACES,
        default="normal",
        pytest_default=None,  # no --smoke-demo: no demo mode
        show_default=True,
        on=DEMO,
        help="How long each step is shown before and after it acts, and how fast typing goes.",
        passed=Pass.ALWAYS,
    ),
    RunOption(
        "pause",
        ("--pause",),
        pytest="--smoke-demo-pause",
        pytest_help="with --smoke-demo: wait before each step for Next (in the page) or Enter (in the terminal)",
        kind=Kind.FLAG,
        on=DEMO,
        help="Wait before each step: click Next in the caption bar or press Enter here; "
        "Continue (or c Enter) runs to the end.",
        passed=Pass.FLAG,
    ),
    RunOption(
        "record",
        ("--record",),
        pytest="--smoke-demo-record",
        pytest_help="with --smoke-demo: write an animated replay and a walk-through page into the run folder",
        kind=Kind.FLAG,
        on=DEMO,  # demo also turns the video on for it, where ffmpeg works
        help="Also write an animated replay per scenario, a walk-through page and, where video works, a video.",
        passed=Pass.FLAG,
    ),
    RunOption(
        "headed",
        ("--headed",),
        "Show the browser window (needs a display, or run under xvfb-run).",
        "--headed",
        kind=Kind.FLAG,
        passed=Pass.FLAG,
    ),
    RunOption(
        "slowmo",
        ("--slowmo",),
        "Slow every browser action down by MS milliseconds.",
        "--slowmo",
        kind=Kind.COUNT,
        default=0,
    ),
    RunOption(
        "tags",
        ("--tag",),
        "Only scenarios with this tag (repeatable: any of them).",
        "-m",
        repeat=True,
        on=BOTH,
        demo_help="Only scenarios with this tag, e.g. new-feature (repeatable: any of them).",
        passed=_any_of_tags,
    ),
    RunOption(
        "headless",
        ("--headless",),
        kind=Kind.FLAG,
        on=DEMO,  # demos are headed; the run gets headed=not headless
        help="No window: only to make the replay and walk-through on a machine without a display.",
        passed=Pass.NOT,
    ),
    RunOption(
        "overlay_in_shots",
        ("--overlay-in-shots",),
        pytest="--smoke-demo-overlay-in-shots",
        pytest_help="with --smoke-demo: keep the caption bar in the evidence screenshots",
        kind=Kind.FLAG,
        on=DEMO,
        help="Keep the caption bar in the report's screenshots too (hidden by default).",
        passed=Pass.FLAG,
    ),
    RunOption(
        "whats_new",
        ("--whats-new",),
        metavar="[RUN]",
        flag_value="latest",
        on=DEMO,  # a tour of the changed pages instead of a run (smoke.aria.tour)
        help="Instead of scenarios: tour the pages that changed in RUN (default latest), highlighting each new "
        "or renamed control; with --record, one frame per change, added to the run's walk-through.",
        passed=Pass.NOT,
    ),
    RunOption(
        "keyword",
        ("-k",),
        "Only scenarios whose name matches this pytest -k expression.",
        "-k",
    ),
    RunOption(
        "workers",
        ("--workers", "-n"),
        "Run scenarios in parallel on N workers ('auto' = one per core).",
        "-n",
        check=_check_workers,
        passed=_on_workers,
    ),
    RunOption(
        "retries",
        ("--retries",),
        "Run a failing scenario up to N more times; a pass on a retry is reported as flaky.",
        "--smoke-retries",
        "run a failing scenario up to N more times; passing on a retry is reported as flaky",
        kind=Kind.COUNT,
        default=0,
    ),
    RunOption(
        "no_login_reuse",
        pytest="--smoke-no-login-reuse",
        pytest_help="log in afresh in every scenario",
        kind=Kind.FLAG,
        on=(),  # pytest only (or --pytest-arg)
    ),
    RunOption(
        "report_dir",
        ("--report-dir",),
        None,
        "--smoke-report-dir",
        "where runs write their evidence (default: reports)",
        kind=Kind.FOLDER,
        default="reports",
        show_default=True,
        on=BOTH,
        passed=Pass.BY_RUN,  # the run's folder is REPORT_DIR/RUN_ID
    ),
    RunOption(
        "self_contained",
        ("--self-contained",),
        "Also write report-single.html with every image embedded.",
        "--smoke-self-contained",
        "also write report-single.html with every image embedded",
        kind=Kind.FLAG,
        passed=Pass.FLAG,
    ),
    RunOption(
        "fresh_screenshots",
        ("--fresh-screenshots",),
        "Take a new screenshot after every step. By default a step that changed nothing (a check, a save)"
        " keeps its page's last screenshot when the page provably shows the same (no DOM change, scroll,"
        " input, load or animation since; pages with frames, canvas or video are always shot).",
        "--smoke-fresh-screenshots",
        "take a new screenshot after every step, even where the page shows what its last one did",
        kind=Kind.FLAG,
        on=BOTH,
        passed=Pass.FLAG,
    ),
    RunOption(
        "trace",
        ("--trace",),
        "Playwright trace per scenario.",
        "--tracing",
        kind=Kind.CHOICE,
        choices=_TRACE,
        default="retain-on-failure",
        show_default=True,
        passed=Pass.ALWAYS,
    ),
    RunOption(
        "video",
        ("--video",),
        "Record a video per scenario (needs ffmpeg).",
        "--video",
        kind=Kind.CHOICE,
        choices=_TRACE,
        default="off",
        show_default=True,
        passed=Pass.ALWAYS,
    ),
    RunOption(
        "server_url",
        ("--server-url",),
        "Use an already running server for a target that starts its own.",
        "--smoke-server-url",
        "use this already running server for the target's {server}",
        on=BOTH,
    ),
    RunOption(
        "browser_ws",
        ("--browser-ws",),
        "Drive a browser served by `playwright run-server` at this ws:// address; repeat for a pool that"
        " the workers share (worker i uses endpoint i mod n; one that is down at the start is skipped).",
        "--smoke-browser-ws",
        "connect to a browser served by `playwright run-server` at this ws:// URL (repeatable: a pool)",
        repeat=True,
        passed=Pass.EACH,
    ),
    RunOption(
        "remote_executable",
        ("--remote-executable",),
        "With --browser-ws: the browser's path on that machine (run-server needs --unsafe).",
        "--smoke-remote-executable",
        "browser path on the run-server machine (the server must run with --unsafe)",
    ),
    RunOption(
        "signed_off_by",
        ("--signed-off-by",),
        "NAME:ROLE for the report's sign-off table (repeatable).",
        "--smoke-signed-off-by",
        "NAME:ROLE for the report's sign-off table (repeatable)",
        repeat=True,
        passed=Pass.EACH,
    ),
    RunOption(
        "notify",
        ("--notify",),
        "POST a JSON summary to this webhook when the run ends (Slack/Teams show its text).",
        "--smoke-notify",
        "POST a JSON summary of the run to this webhook URL when it ends",
    ),
    RunOption(
        "notify_on",
        ("--notify-on",),
        None,
        "--smoke-notify-on",
        "when to notify (default: failure)",
        kind=Kind.CHOICE,
        choices=("failure", "always"),
        default="failure",
        show_default=True,
        passed=Pass.ALWAYS,
        only_with="notify",
    ),
    RunOption(
        "run_id",
        ("--run-id",),
        "Name the run (default: date-time and a random suffix).",
        "--smoke-run-id",
        "run id (default: a new one from the time)",
        on=BOTH,
        passed=Pass.BY_RUN,  # made here when not given (results.new_run_id), so the folder is known
    ),
    RunOption(
        "baselines",
        ("--baselines",),
        "Folder of the baseline screenshots compare: steps read (default: SCENARIOS/baselines).",
        "--smoke-baselines",
        "folder of the baseline screenshots compare: steps read (default: SCENARIOS/baselines)",
        kind=Kind.FOLDER,
        passed=Pass.PATH,
    ),
    RunOption(
        "capture_baseline",
        pytest="--smoke-capture-baseline",
        pytest_help="compare: steps write their screenshot to DIR as the baseline instead of comparing",
        pytest_metavar="DIR",
        on=(),  # pytest only: `smoke baseline capture` passes it with --pytest-arg
    ),
    RunOption(
        "visual_strict",
        ("--visual-strict",),
        "A page that changed beyond its compare: threshold fails its scenario (default: a warning).",
        "--smoke-visual-strict",
        "a compare: step over its threshold fails the scenario (default: a warning)",
        kind=Kind.FLAG,
        passed=Pass.FLAG,
    ),
    RunOption(
        "shard",
        ("--shard",),
        "Run only the K-th of N parts of the selection, balanced by earlier runs' durations (merge with"
        " `smoke report merge`).",
        "--smoke-shard",
        "run only the K-th of N parts of the selection",
        metavar="K/N",
    ),
    RunOption(
        "shard_durations",
        ("--shard-durations",),
        "With --shard: balance by this results.json (give every shard machine the same one).",
        "--smoke-shard-durations",
        "with --smoke-shard: balance the parts by this run's durations (default: earlier runs of the target)",
        kind=Kind.FILE,
        pytest_metavar="RESULTS_JSON",
        passed=Pass.PATH,
    ),
    RunOption(
        "slow_fail",
        ("--slow-fail",),
        "A page much slower than in earlier runs of the target fails its scenario (default: a warning).",
        "--smoke-slow-fail",
        "a page that got much slower than in earlier runs fails its scenario (default: a warning)",
        kind=Kind.FLAG,
        passed=Pass.FLAG,
    ),
    RunOption(
        "aria",
        pytest="--smoke-aria",
        pytest_help="accessibility snapshots of the pages, compared with the baseline's: auto (scenarios with"
        " compare: steps or snapshot baselines), on (every scenario), off",
        kind=Kind.CHOICE,
        choices=("auto", "on", "off"),
        default="auto",
        on=(),  # pytest only (or --pytest-arg)
    ),
    RunOption(
        "pytest_args",
        ("--pytest-arg",),
        "Pass an extra argument to pytest (repeatable).",
        repeat=True,
        passed=Pass.RAW,  # last, so that they can override what came before
    ),
    RunOption(
        "scenarios_dir",
        ("--scenarios",),
        "The scenarios folder (with targets.yaml, checklist.yaml, data/).",
        "--smoke-scenarios",
        "the scenarios folder (default: scenarios)",
        kind=Kind.FOLDER,
        default="scenarios",
        show_default=True,
        on=BOTH,
        demo_help="The scenarios folder.",
        passed=Pass.BY_RUN,  # the run passes the project's resolved root
    ),
)


def option(name: str, table: Sequence[RunOption] | None = None) -> RunOption:
    return next(o for o in (table or RUN_OPTIONS) if o.name == name)


def offered(command: Command, table: Sequence[RunOption] | None = None) -> list[RunOption]:
    return [o for o in (table or RUN_OPTIONS) if command in o.on]


def defaults(command: Command, table: Sequence[RunOption] | None = None) -> dict[str, Any]:
    """Every option of COMMAND at its default, as click would give it."""
    return {o.name: o.command_default() for o in offered(command, table)}


# -- pytest ---------------------------------------------------------------------------------------


def add_pytest_options(group: pytest.OptionGroup, table: Sequence[RunOption] | None = None) -> None:
    """The plugin's ``--smoke-*`` options, into its group of ``pytest --help``."""
    for o in table or RUN_OPTIONS:
        if not o.ours:
            continue
        assert o.pytest is not None
        kwargs: dict[str, Any] = {"help": o.pytest_help}
        if o.kind is Kind.FLAG:
            kwargs["action"] = "store_true"
        elif o.repeat and o.passed is Pass.EACH:
            kwargs.update(action="append", default=[])
        else:
            kwargs["default"] = o.default if o.pytest_default is _SAME else o.pytest_default
            if o.kind is Kind.COUNT:
                kwargs["type"] = int
            if o.choices:
                kwargs["choices"] = o.choices
        if o.pytest_metavar or o.metavar:
            kwargs["metavar"] = o.pytest_metavar or o.metavar
        group.addoption(o.pytest, **kwargs)


def pytest_args(params: Mapping[str, Any], table: Sequence[RunOption] | None = None) -> list[str]:
    """A command's parameters as pytest arguments, in the table's order (the BY_RUN ones aside)."""
    args: list[str] = []
    for o in table or RUN_OPTIONS:
        if o.name not in params or (o.only_with and not params.get(o.only_with)):
            continue
        args += o.to_pytest(params[o.name])
    return args


# -- click ----------------------------------------------------------------------------------------


def click_options(command: Command, table: Sequence[RunOption] | None = None) -> Callable[[F], F]:
    """Decorate a click command with the options COMMAND offers, in the table's order."""
    rows = offered(command, table)

    def decorate(func: F) -> F:
        for o in reversed(rows):  # click lists a command's options in the order they decorate it
            func = click_option(o, command)(func)
        return func

    return decorate


def click_option(o: RunOption, command: Command = Command.RUN) -> Callable[[F], F]:
    import click

    kwargs: dict[str, Any] = {"help": (command is Command.DEMO and o.demo_help) or o.help}
    if o.kind is Kind.FLAG:
        kwargs["is_flag"] = True
    elif o.kind is Kind.COUNT:
        kwargs["type"] = click.IntRange(min=0)
    elif o.kind is Kind.FOLDER:
        kwargs["type"] = click.Path(file_okay=False, path_type=Path)
    elif o.kind is Kind.FILE:
        kwargs["type"] = click.Path(dir_okay=False, path_type=Path)
    elif o.kind is Kind.CHOICE:
        kwargs["type"] = click.Choice(list(o.choices))
    if o.repeat:
        kwargs["multiple"] = True
    if o.default is not None:
        kwargs["default"] = o.default
    if o.show_default:
        kwargs["show_default"] = True
    if o.metavar:
        kwargs["metavar"] = o.metavar
    if o.flag_value is not None:
        kwargs.update(is_flag=False, flag_value=o.flag_value)
    if o.check is not None:
        kwargs["callback"] = _callback(o.check)
    return click.option(*o.cli, o.name, **kwargs)


def _callback(check: Callable[[Any], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    import click

    class BadValue(click.ClickException):
        exit_code = EXIT_USAGE

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        try:
            return check(value)
        except OptionError as exc:
            # not click's BadParameter: the message already names the option and what to give
            raise BadValue(str(exc)) from None

    return callback
