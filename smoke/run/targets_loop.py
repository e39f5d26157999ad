"""``smoke run --target a --target b`` (or a group of targets.yaml): the suite against each in turn.

Each target is one ordinary ``smoke run`` in its own process (one run folder each, named
``RUN_ID-TARGET``), so one target's server, browser or crash cannot touch another's; the command
exits with the worst of their exit codes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from smoke.results import (
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_PASSED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)

# worst last: a run that did not happen (bad input, interrupted) is worse than one that failed
SEVERITY = [EXIT_PASSED, EXIT_INCOMPLETE, EXIT_FAILED, EXIT_UNREACHABLE, EXIT_USAGE, EXIT_INTERRUPTED]
_TAKES_VALUE = {"--target", "-t", "--run-id"}


def worst(codes: Sequence[int]) -> int:
    return max(codes, key=lambda c: SEVERITY.index(c) if c in SEVERITY else len(SEVERITY), default=EXIT_PASSED)


def without_targets(argv: Sequence[str]) -> list[str]:
    """``smoke run`` arguments less the targets and the run id, which each target's run gets its own of."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _TAKES_VALUE:
            skip = True
            continue
        if arg.startswith(("--target=", "--run-id=")) or (arg.startswith("-t") and not arg.startswith("--")):
            continue
        out.append(arg)
    return out


def run_each(
    targets: Sequence[str], argv: Sequence[str], run_id: str, report_dir: Path, say: Callable[[str], None]
) -> int:
    """Run ``smoke run ARGV`` once per target; print one line per target; return the worst exit code."""
    args = without_targets(argv)
    outcomes: list[tuple[str, int, Path]] = []
    for name in targets:
        say(f"== target {name} ({len(outcomes) + 1} of {len(targets)})")
        one_id = f"{run_id}-{name}"
        code = subprocess.run(
            [sys.executable, "-m", "smoke", *args, "--target", name, "--run-id", one_id], check=False
        ).returncode
        outcomes.append((name, code, report_dir.resolve() / one_id))
        if code == EXIT_INTERRUPTED:
            say("interrupted: the remaining targets are not run")
            break
    say("")
    for name, code, run_dir in outcomes:
        verdict = _verdict(run_dir)
        say(f"{name:<20} exit {code}  {verdict}  {run_dir / 'report.html'}")
    for name in targets[len(outcomes) :]:
        say(f"{name:<20} not run")
    code = worst([c for _, c, _ in outcomes])
    if len(outcomes) < len(targets):
        code = worst([code, EXIT_INTERRUPTED])
    return code


def _verdict(run_dir: Path) -> str:
    import json

    try:
        return str(json.loads((run_dir / "results.json").read_text(encoding="utf-8")).get("verdict") or "")
    except (OSError, ValueError):
        return "(no results)"
