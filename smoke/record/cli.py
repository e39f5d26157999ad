"""``smoke record`` and ``smoke probe``: the commands that port the suite to an installation."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smoke.cli_options import scenarios_option, server_url_option, target_option
from smoke.results import EXIT_FAILED, EXIT_PASSED, EXIT_UNREACHABLE, EXIT_USAGE
from smoke.yamlfile import ConfigError

_scenarios = scenarios_option(help="The scenarios folder (with targets.yaml).")


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"smoke: {message}", err=True)
    sys.exit(code)


@click.command()
@click.argument("name")
@target_option
@click.option("--as", "role", default=None, help="The role to log in as (default: the side's first role).")
@click.option("--side", type=click.Choice(["admin", "portal"]), default=None, help="Where to start (default: admin).")
@click.option("--url", default=None, help="The page to start at, e.g. /Overview/10001 (default: the side's home).")
@click.option("--force", is_flag=True, help="Overwrite SCENARIOS/NAME.yaml if it exists.")
@server_url_option
@_scenarios
def record(
    name: str,
    target: str | None,
    role: str | None,
    side: str | None,
    url: str | None,
    force: bool,
    server_url: str | None,
    scenarios_dir: Path,
) -> None:
    """Record a new scenario by doing it in a browser: scenarios/NAME.yaml.

    Opens a browser window already logged in as ROLE (through the target's login steps) with
    Playwright's recorder. Do the workflow; pick checks with the recorder toolbar's assert tools
    (text, value, visibility): they become expect_* steps. Close the window when done. The steps
    are written in our vocabulary: locators as a person sees them (the locator map's names where an
    entry finds the same element), passwords and known secrets as {{ env.NAME }}, a caption per
    step; the file is checked as `smoke check` does before it is written.

    Needs a display: without one, run it under `xvfb-run -a smoke record ...` (and a VNC viewer)
    or on a desktop.

    \b
    Examples:
      smoke record ticket-edit --target staging --as csr --url /Tickets
      smoke record portal-orders --side portal
    """
    from smoke.browser import has_display
    from smoke.project import load_project
    from smoke.record.session import Unreachable, choose_role, destination
    from smoke.record.session import record as record_scenario

    try:  # what can be wrong without a browser is said first
        choose_role(load_project(scenarios_dir).targets.get(target), role, side)
        destination(scenarios_dir, name, force)
    except ConfigError as exc:
        _fail(exc.line())
    if not has_display():
        _fail("smoke record needs a display to show the browser: none found (run it on a desktop, or under xvfb-run)")
    try:
        done = record_scenario(
            scenarios_dir, name, target_name=target, role=role, side=side, url=url, force=force,
            server_url=server_url, command="smoke " + " ".join(sys.argv[1:]), say=click.echo,
        )  # fmt: skip
    except Unreachable as exc:
        _fail(exc.line(), EXIT_UNREACHABLE)
    except ConfigError as exc:
        _fail(exc.line())
    for note in done.converted.notes:
        click.echo(f"note: {note}")
    for env_name, field_name in done.converted.new_env.items():
        click.echo(f"export {env_name}=...   # the secret typed into {field_name.strip()!r}; not written to the file")
    click.echo(f"written: {done.path} ({done.steps} steps; `smoke run {done.path.stem}` runs it)")
    sys.exit(EXIT_PASSED)


@click.command()
@target_option
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for probe.html and probe.json (default: reports/probe-<date-time>).",
)
@server_url_option
@_scenarios
def probe(target: str | None, out_dir: Path | None, server_url: str | None, scenarios_dir: Path) -> None:
    """Check, read-only, that the locators the suite uses are on the target's pages.

    Opens the pages that the scenarios which do not change data open (logging in through the
    target's login steps; it never submits anything else and never acts on a page), and reports
    for every locator-map entry and every locator those scenarios use: found, missing or
    ambiguous, with the nearest candidates on the page for a missing one. Pages whose address
    needs values saved during a run are skipped, and said so. Writes probe.html (a worklist for
    fixing the locator map) and probe.json. Exits 0 when nothing is missing, 1 otherwise.

    \b
    Examples:
      smoke probe --target staging
      smoke probe --target production --out reports/probe-production
    """
    from datetime import datetime

    from smoke.record.probe import probe as run_probe
    from smoke.record.probe import write_report
    from smoke.record.session import Unreachable

    try:
        result = run_probe(scenarios_dir, target, server_url=server_url, say=click.echo)
    except Unreachable as exc:
        _fail(exc.line(), EXIT_UNREACHABLE)
        return
    except ConfigError as exc:
        _fail(exc.line())
        return
    out_dir = out_dir or Path("reports") / f"probe-{datetime.now():%Y%m%d-%H%M%S}"
    path = write_report(result, out_dir)
    for finding in result.findings:
        if finding.status not in ("missing", "ambiguous"):
            continue
        used = finding.uses[0].where if finding.uses else "locator map"
        line = f"{finding.status:<9} {finding.name}  ({used}; on {finding.page})"
        if finding.candidates:
            line += "  nearest: " + ", ".join(finding.candidates[:3])
        elif finding.note:
            line += f"  {finding.note}"
        click.echo(line)
    for page in result.failed_pages:
        click.echo(f"page failed {page['address'] or page['url']}: {page['error']}")
    counts = result.counts()
    click.echo(
        f"{counts['found']} found, {counts['missing']} missing, {counts['ambiguous']} ambiguous, "
        f"{counts['not checked']} not checked ({len(result.pages)} pages)"
    )
    click.echo(f"probe report: {path}")
    sys.exit(EXIT_FAILED if result.missing or result.failed_pages else EXIT_PASSED)
