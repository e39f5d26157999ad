"""`smoke baseline accept`: a run's page snapshots become the baseline the next run compares with."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from smoke.aria.snapshot import baseline_dir
from smoke.results import RunResult
from smoke.visual import write_baseline


def accept_pages(
    run_dir: Path, steps: list[str], baselines: Path | None, say: Callable[[str], None] = print
) -> list[Path]:
    """Take a run's page snapshots as the baseline: those that changed or had none, or the ones
    named (by page key, SCENARIO/KEY, step index or the name of the compare: step on that page)."""
    run = RunResult.read(run_dir / "results.json")
    wanted = set(steps)
    accepted: list[Path] = []
    for scenario in run.scenarios:
        slug = Path(scenario.file).stem
        for page in scenario.pages:
            if not page.snapshot or page.status in ("error", "captured"):
                continue
            keys = {page.key, f"{slug}/{page.key}", page.step, f"{slug}/{page.step}"}
            if page.compare:
                keys |= {page.compare, f"{slug}/{page.compare}"}
            if wanted and not keys & wanted:
                continue
            if not wanted and page.status not in ("changed", "no-baseline"):
                continue
            src = run_dir / page.snapshot
            if not src.is_file():
                raise FileNotFoundError(f"{slug}/{page.key}: {src} is missing")
            if baselines:
                dest = baseline_dir(baselines, slug) / f"{page.key}.yaml"
            elif page.status == "changed" and page.baseline_file:
                # the baseline it was compared with may be an earlier step's; this page gets its own
                dest = Path(page.baseline_file).with_name(f"{page.key}.yaml")
            else:
                dest = Path(str(page.baseline_file))
            info = {
                "target": run.target.get("name"),
                "release": run.release,
                "captured": run.started,
                "run": run.id,
                "scenario": slug,
                "step": page.step,
                "url": page.url,
                "path": page.path,
                "role": page.role,
                "side": page.side,
                "accepted": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            }
            write_baseline(src, dest, info)
            say(f"accepted {slug}/{page.key} ({page.status}) -> {dest}")
            accepted.append(dest)
    return accepted
