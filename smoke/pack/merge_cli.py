"""The ``smoke report merge`` command."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from smoke.results import EXIT_USAGE, new_run_id


@click.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the merged run (default: merged-<time> beside the first shard).",
)
@click.option("--self-contained", is_flag=True, help="Also write report-single.html with every image embedded.")
def merge(run_dirs: tuple[Path, ...], out: Path | None, self_contained: bool) -> None:
    """Merge the run folders of `smoke run --shard K/N` into one run with one report.

    Checks every shard's evidence against its manifest.json first (each file's SHA-256 again), and
    refuses, with one line saying why and exit 2, shards with a missing or edited file, of another
    target, release or suite revision, that overlap, or that are not all N parts. The merged run
    has one results.json (verdict over all scenarios; a full suite is not a selection), one
    junit.xml, the checklist over all, one manifest, and the report; exits with its verdict's code.

    \b
    Example (three CI machines ran --shard 1/3, 2/3, 3/3 and uploaded their run folders):
      smoke report merge shard-1 shard-2 shard-3 --out reports/nightly-merged
    """
    import time

    from smoke.pack import PackError
    from smoke.pack.keys import key_for_run
    from smoke.pack.merge import MergeError, merge_runs
    from smoke.pack.seal import sign_outputs
    from smoke.report.render import render_index, render_report

    out = out or run_dirs[0].parent / new_run_id("merged")
    try:
        run = merge_runs(list(run_dirs), out)
        key = key_for_run(out)
    except (MergeError, PackError) as exc:
        click.echo(f"smoke: {getattr(exc, 'message', exc)}", err=True)
        sys.exit(EXIT_USAGE)
    started = time.time()
    # the merged manifest is signed like any run's, when a signing key is configured
    path = render_report(out, signing_key=key)
    if self_contained:
        render_report(out, single_file=True, signing_key=key)
    sign_outputs(out, key, started)
    with contextlib.suppress(Exception):  # the merged run is written; an index problem must not hide it
        render_index(out.resolve().parent)
    click.echo(f"{run.verdict}: {run.verdict_detail}")
    if not key:
        click.echo("unsigned: no SMOKE_SIGNING_KEY")
    click.echo(f"report: {path}")
    sys.exit(run.exit_code if run.exit_code is not None else EXIT_USAGE)
