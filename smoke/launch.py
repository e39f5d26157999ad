"""One run from the command line: check everything, build pytest's arguments, run pytest.

``smoke run`` and ``smoke demo`` both call :func:`start` with their options (see smoke.options);
neither command imports the other. The checks that end with one line and exit 2 (``fail``, ``load``,
``select``, ``checked``) are shared with the other commands of smoke.cli.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from smoke.options import Command, defaults, pytest_args
from smoke.results import EXIT_FAILED, EXIT_UNREACHABLE, EXIT_USAGE, new_run_id
from smoke.results import EXIT_PASSED as EXIT_OK
from smoke.yamlfile import ConfigError


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"smoke: {message}", err=True)
    sys.exit(code)


def load(scenarios_dir: Path) -> Any:
    from smoke.project import load_project

    try:
        return load_project(scenarios_dir)
    except ConfigError as exc:
        fail(exc.line())


def select(project: Any, names: Sequence[str]) -> list[Path]:
    paths: list[Path] = []
    for name in names:
        path = Path(name)
        candidates = [path, project.root / name, project.root / f"{name}.yaml", project.root / f"{name}.yml"]
        found = next((c for c in candidates if c.is_file() or (c.is_dir() and c != Path("."))), None)
        if found is None:
            from difflib import get_close_matches

            stems = sorted(p.stem for p in project.root.rglob("*.yaml"))
            close = get_close_matches(path.stem, stems, n=3)
            hint = f" (did you mean {' or '.join(close)}?)" if close else " (smoke list shows the scenarios)"
            fail(f"no scenario {name!r} in {project.root}{hint}")
        paths.append(found)
    return paths


def checked(project: Any, target_name: str | None, paths: list[Path], tags: Sequence[str]) -> tuple[Any, list[Any]]:
    from smoke.project import check_all, load_scenarios

    try:
        target = project.targets.get(target_name)
    except ConfigError as exc:
        fail(exc.line())
    scenarios, errors = load_scenarios(project, paths or None)
    if tags:
        scenarios = [s for s in scenarios if set(tags) & set(s.tags)]
    errors += check_all(project, scenarios, target)
    if errors:
        for error in errors:
            click.echo(error.line(), err=True)
        sys.exit(EXIT_USAGE)
    from smoke.pack import PackError
    from smoke.pack.keys import target_key

    try:  # a signing key that is configured must be there: a run meant to be signed never ends unsigned
        target_key(target)
    except PackError as exc:
        fail(exc.message)
    return target, scenarios


def start(scenario: Sequence[str], options: Mapping[str, Any]) -> int:
    """Run SCENARIO (all when empty) with OPTIONS, the parameters of ``smoke run`` (any left out are at
    their defaults, plus those ``smoke demo`` adds); return the run's exit code."""
    params = {**defaults(Command.RUN), **options}
    shard: str | None = params["shard"]
    shard_durations: Path | None = params["shard_durations"]
    report_dir: Path = params["report_dir"]
    tags: Sequence[str] = params["tags"]
    if shard:
        from smoke.run.shard import ShardError, parse_shard

        try:
            parse_shard(shard)
        except ShardError as exc:
            fail(str(exc))
    if shard_durations and not shard_durations.is_file():
        fail(f"--shard-durations {shard_durations}: no such file (give a run's results.json)")
    project = load(params["scenarios_dir"])
    try:
        names = project.targets.expand(params["targets"])
    except ConfigError as exc:
        fail(exc.line())
    run_id: str = params["run_id"] or new_run_id()
    if len(names) > 1:
        from smoke.run.targets_loop import run_each

        if "run" not in sys.argv[1:2]:  # e.g. `smoke demo`: run_each runs this command line again per target
            fail(f"{', '.join(names)}: one target at a time here (`smoke run` runs several in turn)")
        return run_each(names, sys.argv[1:], run_id, report_dir, click.echo)
    target = names[0]
    paths = select(project, scenario)
    target_obj, scenarios = checked(project, target, paths, tags)
    if not scenarios:
        fail("no scenario selected" + (f" with tag {', '.join(tags)}" if tags else ""))
    if params["headed"] and not _display_ok():
        fail("--headed needs a display: none found (run under `xvfb-run smoke run --headed ...`, or set DISPLAY)")
    run_dir = report_dir.resolve() / run_id
    args = [str(p) for p in (paths or [project.root])]
    args += [
        "-p", "no:cacheprovider",
        "-q",
        "--no-header",
        "-r", "N",
        "-o", "console_output_style=classic",
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        f"--rootdir={_rootdir(project.root)}",
        f"--smoke-scenarios={project.root}",
        f"--smoke-target={target_obj.name}",
        f"--smoke-report-dir={report_dir}",
        f"--smoke-run-id={run_id}",
        f"--output={run_dir / 'playwright'}",
        f"--junitxml={run_dir / 'junit.xml'}",
        "-o", "junit_family=xunit2",
        "-o", "junit_suite_name=engageip-smoke",
    ]  # fmt: skip
    args += pytest_args(params)
    code = _pytest(args, run_dir)
    report_path = run_dir / "report.html"
    # the last line a user (or a scheduler's log) sees is where the evidence is
    click.echo(f"report: {report_path}" if report_path.exists() else f"results: {run_dir / 'results.json'}")
    return code


def _rootdir(scenarios_root: Path) -> Path:
    # test ids are paths relative to the rootdir: keep the scenarios folder inside it
    cwd = Path.cwd().resolve()
    root = scenarios_root.resolve()
    return cwd if root.is_relative_to(cwd) else root.parent


def _pytest(args: list[str], run_dir: Path | None = None) -> int:
    import pytest

    os.environ.setdefault("SMOKE_COMMAND", " ".join(sys.argv[1:]))
    code = int(pytest.main(args))
    if run_dir is not None:
        decided = _run_exit_code(run_dir)
        if decided is not None:
            return decided
    # no run was recorded: pytest's 0 ok, 1 failed, 2 interrupted, 3 internal error, 4 usage error, 5 nothing collected
    return {0: EXIT_OK, 1: EXIT_FAILED, 2: EXIT_FAILED, 3: EXIT_UNREACHABLE, 4: EXIT_USAGE, 5: EXIT_USAGE}.get(
        code, code
    )


def _run_exit_code(run_dir: Path) -> int | None:
    """The run's own exit code, from the one verdict in results.json; None when no run was recorded."""
    import json

    try:
        code = json.loads((run_dir / "results.json").read_text(encoding="utf-8")).get("exit_code")
    except (OSError, ValueError):
        return None
    return code if isinstance(code, int) else None


def _display_ok() -> bool:
    from smoke.browser import has_display

    return has_display()
