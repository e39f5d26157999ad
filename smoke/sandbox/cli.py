"""`smoke sandbox` and `smoke faults`: the sandbox's commands, registered through the `smoke.commands`
entry-point group (pyproject.toml); the engine names neither.

Importing this module must stay cheap (no Flask, no Playwright).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from smoke.cli_options import scenarios_option

from . import DEFAULT_TODAY, LOOK_ENV, LOOKS, TODAY_ENV


@click.command("sandbox", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--port", type=int, default=8765, show_default=True, help="Port to listen on; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--radius-port",
    type=int,
    default=0,
    show_default=True,
    help="Port of the RADIUS stand-in (the external provisioning target, its own process); 0 picks a free one.",
)
@click.option("--no-radius", is_flag=True, help="Start no RADIUS stand-in: provisioning completes without one.")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME",
    help="Switch on a fault (repeatable, or comma separated). Also ENGAGEIP_SANDBOX_FAULTS.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite database file (default: a temporary file, deleted on exit).",
)
@click.option("--keep", is_flag=True, help="Reuse an existing seeded --db instead of reseeding it.")
@click.option(
    "--today",
    default=None,
    metavar="YYYY-MM-DD",
    help=f"The sandbox business date the seed is relative to (default {DEFAULT_TODAY}; env {TODAY_ENV}).",
)
@click.option(
    "--look",
    type=click.Choice(LOOKS),
    default=None,
    help=f"'new' looks like a new release: a new panel on the Overview page, a renamed button (env {LOOK_ENV}).",
)
@click.option("--list-faults", is_flag=True, help="List the faults, one per line, and exit.")
def sandbox(
    port: int,
    host: str,
    radius_port: int,
    no_radius: bool,
    faults: tuple[str, ...],
    db_path: str | None,
    keep: bool,
    today: str | None,
    look: str | None,
    list_faults: bool,
) -> None:
    """Start the bundled stand-in EngageIP server (AdminPortal + customer portal).

    It creates and seeds a fresh SQLite database (accounts, staff users for five roles, portal
    customers, card processors in test mode, a page extension, an action, custom code), serves it
    with waitress, and prints the AdminPortal and portal URLs and the demo users with their
    passwords. It also starts the RADIUS stand-in, the external system the provisioning worker
    provisions to (its own process and port; the banner's "RADIUS:" line and /health say where). Faults make it behave like a bad upgrade in one specific way, so the smoke suite can
    be shown to catch it. GET /health answers when it is ready; Ctrl+C or SIGTERM stops it.

    Example: smoke sandbox --port 0 --fault card-declines-all --fault portal-stale-balance
    """
    from .faults import ENV_VAR, FAULTS, UnknownFaultError, parse_faults

    if list_faults:
        width = max(len(n) for n in FAULTS)
        for name, fault in FAULTS.items():
            click.echo(f"{name:<{width}}  {fault.description}")
        return
    try:
        active = parse_faults([*faults, os.environ.get(ENV_VAR, "")])
    except UnknownFaultError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    raw_today = today or os.environ.get(TODAY_ENV) or DEFAULT_TODAY
    try:
        business_date = date.fromisoformat(raw_today)
    except ValueError:
        click.echo(f"Error: --today '{raw_today}' is not a date (expected YYYY-MM-DD)", err=True)
        sys.exit(2)
    look = look or os.environ.get(LOOK_ENV) or "classic"
    if look not in LOOKS:
        click.echo(f"Error: {LOOK_ENV}={look!r} is not a look (choose from {', '.join(LOOKS)})", err=True)
        sys.exit(2)
    if keep and not db_path:
        click.echo("Error: --keep needs --db PATH", err=True)
        sys.exit(2)
    from .server import serve

    try:
        code = serve(
            host=host,
            port=port,
            faults=active,
            db_path=db_path,
            keep=keep,
            today=business_date,
            look=look,
            radius_port=None if no_radius else radius_port,
        )
    except OSError as exc:
        click.echo(f"Error: cannot listen on {host}:{port}: {exc}", err=True)
        sys.exit(1)
    sys.exit(code)


@click.command("faults", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("fault", nargs=-1)
@click.option(
    "--full",
    is_flag=True,
    help="Run the whole suite for each fault (default: the scenarios covering its checklist items).",
)
@click.option("--workers", "-n", default=None, help="Workers for each run (pytest-xdist).")
@click.option("--no-healthy", is_flag=True, help="Skip the healthy run (when it was just checked).")
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the runs and the table (default: a temporary one).",
)
@scenarios_option(help="The scenarios folder the suite is read from.")
def faults(
    fault: tuple[str, ...], full: bool, workers: str | None, no_healthy: bool, out_dir: Path | None, scenarios_dir: Path
) -> None:
    """Run the suite against the sandbox healthy, then with each fault on: what does it catch?

    Prints one line per fault and writes fault-matrix.md (a table: fault -> the scenario that
    caught it and its first message). Exits 1 when the healthy run fails or a fault is missed: a
    missed fault is a missing check; exits 2 on an unknown fault name. Sandbox only.

    \b
    Examples:
      smoke faults
      smoke faults card-declines-all provisioning-stuck --out reports/faults
    """
    from .faultmatrix import run_matrix
    from .faults import FAULTS

    unknown = [name for name in fault if name not in FAULTS]
    if unknown:
        # checked before any run starts: a typo must not cost a healthy run first
        click.echo(f"smoke: unknown fault {unknown[0]!r}; `smoke sandbox --list-faults` lists them", err=True)
        sys.exit(2)
    from smoke.yamlfile import ConfigError

    try:
        rows, table = run_matrix(
            list(fault) or None,
            full=full,
            with_healthy=not no_healthy,
            workers=workers,
            scenarios_dir=scenarios_dir,
            out_dir=out_dir,
            say=click.echo,
        )
    except ConfigError as exc:
        click.echo(f"smoke: {exc.line()}", err=True)
        sys.exit(2)
    click.echo(f"table: {table}")
    missed = [r.fault for r in rows if not r.caught]
    if missed:
        click.echo("smoke: not caught: " + ", ".join(missed), err=True)
        sys.exit(1)
