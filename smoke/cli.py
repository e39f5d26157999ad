"""The ``smoke`` command: a friendly front over pytest and the scenarios folder."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from click_default_group import DefaultGroup

# the other commands check their input as a run does (the names they had here)
from smoke.launch import checked as _checked
from smoke.launch import fail as _fail
from smoke.launch import load as _load
from smoke.launch import select as _select
from smoke.launch import start
from smoke.options import Command, click_option, click_options, option
from smoke.results import EXIT_CODES_TEXT as EXIT_CODES
from smoke.results import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE
from smoke.results import EXIT_PASSED as EXIT_OK
from smoke.yamlfile import ConfigError

scenarios_option = click_option(option("scenarios_dir"))
target_option = click.option(
    "--target", "-t", default=None, help="Target name from targets.yaml (default: its default)."
)


class _Group(click.Group):
    """Bad options and arguments get one line naming what to do, not click's usage block."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.pop("standalone_mode", None)
        try:
            return super().main(args, prog_name, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(EXIT_OK)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "smoke"
            click.echo(f"smoke: {exc.format_message()} (see `{command} --help`)", err=True)
            sys.exit(EXIT_USAGE)
        except click.Abort:
            click.echo("smoke: aborted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as exc:
            click.echo(f"smoke: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EXIT_CODES
)
@click.version_option(package_name="engageip-smoke", prog_name="smoke")
def main() -> None:
    """Smoke-test an application's upgrade with a real browser, and keep the evidence.

    Scenarios are YAML files in scenarios/ that log into the application's admin side and its
    customer portal and check what a person would check after an upgrade. Every step is
    screenshotted and the run ends with an HTML report in reports/<run-id>/. With no target named,
    runs use targets.yaml's default target (one with a server: command is started for the run).

    \b
    Start here:
      smoke run                      the whole suite against the default target
      smoke run --headed --slowmo 500 portal-signup
      smoke check                    validate every scenario, no browser
      smoke doctor                   which browser, video, display
    """


@main.command()
@click.argument("scenario", nargs=-1)
@click_options(Command.RUN)
def run(scenario: tuple[str, ...], **options: Any) -> None:
    """Run scenarios in a real browser and write the evidence report.

    With no SCENARIO, runs every scenario in the scenarios folder. A SCENARIO is a file path or a
    scenario's file name without .yaml. Everything is checked before the browser starts; a
    scenario that changes data is refused against a read-only target. Prints one line per
    scenario, then the counts and the path of the report.

    \b
    Examples:
      smoke run
      smoke run portal-signup tickets --headed --slowmo 400
      smoke run --target staging --tag nightly --workers 2
      smoke run --target staging-a --target staging-b     (or a group: --target nightly)
      smoke run --shard 2/3 --shard-durations last-night/results.json
    """
    sys.exit(start(scenario, options))


@main.command(name="list")
@target_option
@scenarios_option
def list_(target: str | None, scenarios_dir: Path) -> None:
    """List the scenarios with their checklist ids and tags, then the checklist coverage.

    \b
    Example:
      smoke list
    """
    from smoke.project import load_scenarios

    project = _load(scenarios_dir)
    scenarios, errors = load_scenarios(project)
    for error in errors:
        click.echo(f"(not loaded) {error.line()}", err=True)
    width = max((len(s.slug) for s in scenarios), default=10)
    click.echo(click.style(f"{'SCENARIO':<{width}}  SIDE    ROLE      CHANGES  CHECKLIST / TAGS", bold=True))
    for s in sorted(scenarios, key=lambda s: s.slug):
        extra = ", ".join(s.checklist) + (f"  [{', '.join(s.tags)}]" if s.tags else "")
        click.echo(
            f"{s.slug:<{width}}  {s.side:<6}  {s.role or '-'!s:<8}  {'yes' if s.changes_data else 'no':<7}  {extra}"
        )
    if project.checklist:
        click.echo()
        click.echo(click.style("CHECKLIST COVERAGE", bold=True))
        for entry in project.checklist:
            covering = [s.slug for s in scenarios if entry.id in s.checklist]
            mark = "ok " if covering else ("-- " if not entry.required else "!! ")
            text = ", ".join(covering) or ("(covered by the report / demo)" if not entry.required else "NOT COVERED")
            click.echo(f"{mark}{entry.id:<20} {text}")
    sys.exit(EXIT_USAGE if errors else EXIT_OK)


@main.command()
@click.argument("scenario", nargs=-1)
@target_option
@scenarios_option
def check(scenario: tuple[str, ...], target: str | None, scenarios_dir: Path) -> None:
    """Check every scenario (or the named ones) without a browser.

    Reads the targets, data files and checklist, parses each scenario, and checks step kinds,
    locators, template variables, roles, credentials and read-only safety for the target. Exits 2
    on any error, with one line per error naming the file and line. Without SCENARIO it also
    fails when a required checklist id has no scenario.

    \b
    Example:
      smoke check --target staging
    """
    project = _load(scenarios_dir)
    paths = _select(project, scenario)
    target_obj, scenarios = _checked(project, target, paths, ())
    if not scenario and project.checklist:
        uncovered = [e.id for e in project.checklist if e.required and not any(e.id in s.checklist for s in scenarios)]
        if uncovered:
            _fail(
                f"{project.root / 'checklist.yaml'}: required checklist ids with no scenario: {', '.join(uncovered)} (add a scenario with checklist: [{uncovered[0]}], or mark it required: false)"
            )
    click.echo(f"ok: {len(scenarios)} scenarios valid for target {target_obj.name}")


@main.command()
@click.argument("kind", required=False)
def steps(kind: str | None) -> None:
    """List the step kinds a scenario can use, or explain one.

    \b
    Examples:
      smoke steps
      smoke steps fill
    """
    from smoke.steps import REGISTRY, documentation

    docs = {d.name: d for d in documentation()}
    if kind:
        if kind not in docs:
            from difflib import get_close_matches

            close = get_close_matches(kind, list(docs), n=3)
            _fail(f"no step kind {kind!r}" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
        d = docs[kind]
        click.echo(click.style(d.name, bold=True) + "  " + " ".join(d.takes))
        click.echo()
        click.echo(d.doc)
        return
    for d in docs.values():
        click.echo(click.style(f"{d.name:<15}", bold=True) + d.summary)
        click.echo(f"{'':<15}e.g. {d.example}")
    click.echo()
    click.echo(
        "Every step may also carry: says (a caption), timeout (seconds), optional, capture (false: no screenshot), name."
    )
    click.echo("Locators: label, button/link/tab/checkbox/heading/row/cell/table..., role+name, text, placeholder,")
    click.echo("test_id, alt, title, css, xpath; modifiers exact, nth (first/last/N), in (scope), has_text.")
    click.echo("A plain text is a name in the target's locator map, or else the exact visible text.")
    del REGISTRY


@main.command()
@click.option("--install", is_flag=True, help="Install what is missing: a browser, and the ffmpeg link for video.")
@scenarios_option
def doctor(install: bool, scenarios_dir: Path) -> None:
    """Say which browser will be used, whether video and headed runs can work, and the targets.

    With --install (what `make setup` runs), installs a browser when none is found: Playwright's
    own download where it can reach it, otherwise Debian's chromium package when run as root; and
    links the system's ffmpeg where Playwright looks for it, so videos can be recorded.

    \b
    Examples:
      smoke doctor
      smoke doctor --install
    """
    import platform

    from smoke.browser import ensure_browser, ffmpeg_for_playwright, find_chromium, has_display, link_ffmpeg, xvfb_run

    if install:
        ensure_browser(click.echo)
        click.echo(link_ffmpeg())
    ok = True
    info = find_chromium()
    try:
        from importlib.metadata import version

        pw_version = version("playwright")
    except Exception:
        pw_version = "not installed"
    click.echo(f"python      {platform.python_version()} ({sys.executable})")
    click.echo(f"playwright  {pw_version}")
    if info.found:
        click.echo(f"browser     {info.version or 'chromium'} ({info.source}: {info.executable})")
    else:
        ok = False
        click.echo(
            "browser     NONE FOUND: run `make setup` (installs Debian's chromium as root, or `python -m playwright install chromium`)"
        )
    video, detail = ffmpeg_for_playwright()
    click.echo(f"video       {'yes' if video else 'no'} ({detail})")
    if has_display():
        click.echo(f"headed      yes (DISPLAY={os.environ.get('DISPLAY', '')})")
    elif xvfb_run():
        click.echo("headed      no display; use `xvfb-run smoke run --headed ...`")
    else:
        click.echo("headed      no display and no xvfb-run (apt-get install xvfb)")
    try:
        from smoke.project import load_project

        project = load_project(scenarios_dir)
        click.echo(f"targets     {', '.join(project.targets.targets)} (default {project.targets.default})")
    except ConfigError as exc:
        click.echo(f"targets     {exc.line()}")
    sys.exit(EXIT_OK if ok else EXIT_FAILED)


@main.group(cls=DefaultGroup, default="render", default_if_no_args=True)
def report() -> None:
    """Render the report of a run again (`smoke report RUN`), or merge shards (`smoke report merge`).

    \b
    Examples:
      smoke report latest --single-file
      smoke report merge reports/shard-1 reports/shard-2 --out reports/nightly
    """


@report.command(name="render")
@click.argument("run_ref", default="latest")
@click.option("--report-dir", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--single-file", is_flag=True, help="Write one self-contained HTML file with every image embedded.")
@click.option("--pdf", is_flag=True, help="Also print report.pdf (every step) and report-short.pdf (for the sign-off).")
@click.option("--short-pdf", is_flag=True, help="Also print report-short.pdf only (summary, checklist, sign-off).")
@click.option("--signed-off-by", multiple=True, help="NAME:ROLE for the sign-off table (repeatable).")
def report_render(
    run_ref: str, report_dir: Path, single_file: bool, pdf: bool, short_pdf: bool, signed_off_by: tuple[str, ...]
) -> None:
    """Render the report of a run again (RUN is a run id, a run folder, or 'latest'); the default.

    --pdf prints two PDFs with Chromium: report.pdf, every step with its screenshot, and
    report-short.pdf for the sign-off (summary, failures, page health, checklist, one picture per
    scenario, the sign-off page; a few MB). --short-pdf prints only the short one.

    \b
    Examples:
      smoke report latest --single-file
      smoke report 20261126-020000-ab12 --pdf --signed-off-by "Dana Lee:QA lead"
    """
    run_dir = Path(run_ref) if Path(run_ref).is_dir() else report_dir / run_ref
    if not (run_dir / "results.json").exists():
        _fail(f"no run at {run_dir} (expected {run_dir / 'results.json'}); `ls {report_dir}` lists the runs")
    import time

    from smoke.pack import PackError
    from smoke.pack.keys import key_for_run
    from smoke.pack.seal import sign_outputs
    from smoke.report.render import render_report, signoff_from

    try:
        key = key_for_run(run_dir)
    except PackError as exc:
        _fail(exc.message)
    started = time.time()
    signoff = signoff_from(signed_off_by)
    path = render_report(run_dir.resolve(), single_file=single_file, signoff=signoff, signing_key=key)
    click.echo(f"report: {path}" + ("" if key else " (unsigned: no SMOKE_SIGNING_KEY)"))
    if pdf or short_pdf:
        from smoke.report.pdf import print_pdfs

        for out in print_pdfs(run_dir.resolve(), full=pdf, signoff=signoff, html=None if single_file else path):
            click.echo(f"pdf: {out}")
    sign_outputs(run_dir, key, started)  # every report output this command wrote (PDFs too)


@main.command()
@click.option("--keep", type=click.IntRange(min=1), required=True, help="How many of the newest runs to keep.")
@click.option("--report-dir", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def prune(keep: int, report_dir: Path) -> None:
    """Delete all but the newest runs in the reports folder, and refresh its index.

    \b
    Example (keep a month of nightly runs):
      smoke prune --keep 30
    """
    import shutil

    runs = (
        sorted(
            (p for p in report_dir.iterdir() if p.is_dir() and not p.is_symlink() and (p / "results.json").exists()),
            key=lambda p: (p / "results.json").stat().st_mtime,
            reverse=True,
        )
        if report_dir.is_dir()
        else []
    )
    for old in runs[keep:]:
        shutil.rmtree(old)
        click.echo(f"removed {old}")
    latest = report_dir / "latest"
    if latest.is_symlink() and not latest.exists() and runs[:keep]:
        latest.unlink()
        latest.symlink_to(runs[0].name, target_is_directory=True)
    if runs[:keep]:
        from smoke.report.render import render_index

        render_index(report_dir.resolve())
    click.echo(f"kept {min(keep, len(runs))} of {len(runs)} runs in {report_dir}")


@main.group()
def baseline() -> None:
    """Record what a target shows now (e.g. production, before the upgrade) as expected values."""


@baseline.command(name="capture")
@click.argument("scenario", nargs=-1)
@target_option
@click.option(
    "--screens", is_flag=True, help="Also capture the screenshots of the scenarios' compare: steps as the baseline."
)
@click.option(
    "--no-accounts", is_flag=True, help="With --screens: capture only the screenshots, not the accounts' values."
)
@click.option(
    "--baselines",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the baseline screenshots (default: SCENARIOS/baselines).",
)
@click.option(
    "--report-dir",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the capture run writes its report.",
)
@click.option(
    "--accounts",
    "data_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The data file to capture (default: SCENARIOS/data/accounts.yaml).",
)
@click.option(
    "--out",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: print the path of a new file beside the data file).",
)
@click.option("--role", default=None, help="The role to log in as (default: the target's first admin-side role).")
@click.option("--server-url", default=None, help="Use an already running server for a target that starts its own.")
@scenarios_option
def baseline_capture(
    scenario: tuple[str, ...],
    target: str | None,
    screens: bool,
    no_accounts: bool,
    baselines: Path | None,
    report_dir: Path,
    data_file: Path | None,
    out: Path | None,
    role: str | None,
    server_url: str | None,
    scenarios_dir: Path,
) -> None:
    """Read each row's values from a target's pages, read-only, into a data file.

    Opens the page the data file's capture: section names for every row and reads the named
    values there; it never submits a form, so it works against a read-only target. The file it
    writes has the same format, so a scenario can compare another target with it.

    With --screens it also runs the scenarios that have compare: steps (or the SCENARIOs named),
    read-only, and each compare: step writes its screenshot into the baseline folder instead of
    comparing; later runs compare with it. A scenario that changes data is not run to capture.

    \b
    Example (before the upgrade, against production; then run the suite against staging):
      smoke baseline capture --target production --out scenarios/data/accounts.yaml
      smoke baseline capture --target production --screens --no-accounts
    """
    from smoke.baseline import capture, capture_screens

    if no_accounts and not screens:
        _fail("--no-accounts goes with --screens")
    if scenario and not screens:
        _fail("naming scenarios goes with --screens")
    if screens:
        try:
            code = capture_screens(
                scenarios_dir, target, baselines or scenarios_dir / "baselines", list(scenario),
                report_dir=report_dir, server_url=server_url, say=click.echo,
            )  # fmt: skip
        except ConfigError as exc:
            _fail(exc.line())
        if code != EXIT_OK:
            _fail(f"capturing the screens failed (exit {code}); the run's report says why", code)
        if no_accounts:
            return
    data_file = data_file or scenarios_dir / "data" / "accounts.yaml"
    out = out or data_file.with_name(data_file.stem + ".captured.yaml")
    try:
        path = capture(scenarios_dir, target, data_file, out, role=role, server_url=server_url, say=click.echo)
    except ConfigError as exc:
        _fail(exc.line())
    click.echo(f"written: {path}")


@baseline.command(name="accept")
@click.argument("run_ref", default="latest")
@click.option(
    "--step",
    "steps",
    multiple=True,
    help="Only this compared step: its compare name, SCENARIO/NAME or step index (repeatable).",
)
@click.option(
    "--baselines",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the baseline screenshots (default: the one the run compared with).",
)
@click.option("--report-dir", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def baseline_accept(run_ref: str, steps: tuple[str, ...], baselines: Path | None, report_dir: Path) -> None:
    """Take a run's new screenshots and page snapshots of compared pages as the baseline.

    Without --step, every compare: step and every page snapshot of the run that changed or had no
    baseline yet; with --step, only those named (a page snapshot also by its key, e.g.
    001-admin-overview-id). The next run compares with these.

    \b
    Examples:
      smoke baseline accept latest
      smoke baseline accept 20261126-020000-ab12 --step overview
    """
    from smoke.aria.store import accept_pages
    from smoke.baseline import accept_screens

    run_dir = Path(run_ref) if Path(run_ref).is_dir() else report_dir / run_ref
    if not (run_dir / "results.json").exists():
        _fail(f"no run at {run_dir} (expected {run_dir / 'results.json'}); `ls {report_dir}` lists the runs")
    try:
        accepted = accept_screens(run_dir, list(steps), baselines, say=click.echo)
        pages = accept_pages(run_dir, list(steps), baselines, say=click.echo)
    except FileNotFoundError as exc:
        _fail(str(exc))
    if pages:
        click.echo(f"accepted {len(pages)} page snapshot{'s' if len(pages) != 1 else ''}")
    if not accepted and pages:
        return
    if not accepted:
        _fail(
            "nothing to accept: "
            + (
                f"no compared step {', '.join(steps)} in the run"
                if steps
                else "no compared page changed or lacked a baseline"
            ),
            EXIT_FAILED,
        )
    click.echo(f"accepted {len(accepted)} screenshot{'s' if len(accepted) != 1 else ''}")


def _register_optional(module: str, name: str, group: click.Group = main) -> None:
    """The engine's own commands that live in other modules (demo mode, the pack, the recorder)."""
    import importlib

    try:
        command = getattr(importlib.import_module(module), name)
    except ImportError:
        return
    group.add_command(command, name=name)


COMMANDS_GROUP = "smoke.commands"


def _register_plugins(group: click.Group = main) -> None:
    """Commands other packages register in the ``smoke.commands`` entry-point group (the sandbox's
    ``sandbox`` and ``faults``): the engine names none of them."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=COMMANDS_GROUP):
        if entry.name in group.commands:
            continue  # another package cannot replace an engine command (`smoke run` stays ours)
        try:
            command = entry.load()
        except ImportError:
            continue  # a package installed without its optional dependencies: its commands are absent
        group.add_command(command, name=entry.name)


_register_optional("smoke.demo", "demo")
_register_optional("smoke.pack.merge_cli", "merge", report)
_register_optional("smoke.pack.cli", "keys")
_register_optional("smoke.pack.cli", "verify")
_register_optional("smoke.pack.cli", "signoff")
_register_optional("smoke.record.cli", "record")
_register_optional("smoke.record.cli", "probe")
_register_plugins()  # last: a registered command never shadows one of the engine's


if __name__ == "__main__":
    main()
