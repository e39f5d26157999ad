"""``smoke report merge``: the shards of one run made into one run, after checking their evidence.

Every shard's evidence is checked against its own manifest (each listed file's SHA-256 is computed
again) before anything is copied; shards of another target, release or suite revision, shards that
overlap and incomplete sets are refused. The merged run has one results.json with the verdict of
``smoke.results.decide`` over all scenarios, one junit.xml, the checklist over all, and one
manifest (written by the report) that also covers each shard's own results.json and manifest.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

from smoke.report.manifest import MANIFEST, SUMS, sha256_file, verify_manifest
from smoke.results import ChecklistItem, RunResult, checklist_status, decide

SHARDS = "shards"  # each shard's own results.json, junit.xml and manifest, under shards/K/


class MergeError(Exception):
    """Why shards cannot be merged, in one line."""


def _load(run_dir: Path) -> tuple[RunResult, dict[str, Any]]:
    results = run_dir / "results.json"
    if not results.is_file():
        raise MergeError(f"{run_dir}: no results.json (is this a run folder?)")
    if not (run_dir / MANIFEST).is_file():
        raise MergeError(f"{run_dir}: no {MANIFEST}, so its evidence cannot be checked (render its report first)")
    problems = verify_manifest(run_dir)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise MergeError(
            f"{run_dir}: evidence does not match its {MANIFEST}: {first.path} is {first.problem}{more}; refusing to merge"
        )
    run = RunResult.read(results)
    if not run.shard or "index" not in run.shard:
        raise MergeError(f"{run_dir}: not a shard (run it with `smoke run --shard K/N`)")
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    return run, manifest


def check_shards(runs: list[tuple[Path, RunResult]]) -> None:
    """Raise MergeError unless the runs are the N distinct parts of one selection of one suite."""
    first_dir, first = runs[0]
    assert first.shard is not None
    total = int(first.shard["total"])
    seen: dict[int, Path] = {}
    owner: dict[str, Path] = {}
    for run_dir, run in runs:
        shard = run.shard or {}
        name = f"{run_dir} (shard {shard.get('index')}/{shard.get('total')})"
        if int(shard["total"]) != total:
            raise MergeError(f"{name}: is one of {shard['total']} parts, {first_dir} of {total}")
        for what, mine, theirs in (
            ("target", run.target.get("name"), first.target.get("name")),
            ("release", run.release, first.release),
            ("suite revision", run.revision, first.revision),
            ("suite (scenario files)", shard.get("suite_digest"), first.shard.get("suite_digest")),
            ("selection", shard.get("selected"), first.shard.get("selected")),
        ):
            if mine != theirs:
                shown = (mine, theirs) if what not in ("selection", "suite (scenario files)") else ("one", "another")
                raise MergeError(f"{name}: {what} differs from {first_dir}'s ({shown[0]} vs {shown[1]})")
        index = int(shard["index"])
        if index in seen:
            raise MergeError(f"{name}: shard {index}/{total} given twice ({seen[index]} too)")
        seen[index] = run_dir
        for key in shard.get("scenarios", []):
            if key in owner:
                raise MergeError(f"{name}: scenario {key} also ran in {owner[key]}: shards overlap")
            owner[key] = run_dir
    missing = sorted(set(range(1, total + 1)) - set(seen))
    if missing:
        raise MergeError(
            f"missing shard{'s' if len(missing) > 1 else ''} {', '.join(f'{i}/{total}' for i in missing)}: "
            f"a merge needs all {total} parts"
        )
    unrun = sorted(set(first.shard.get("selected", [])) - set(owner))
    if unrun:
        raise MergeError(f"scenario {unrun[0]} of the selection ran in no shard (the shards split differently)")


def _copy_evidence(run_dir: Path, index: int, manifest: dict[str, Any], out: Path, origin: dict[str, str]) -> None:
    for entry in manifest["files"]:
        rel = Path(entry["path"])
        # run-level files of a shard (results.json, junit.xml) are kept apart; the rest keep their path
        dest = out / SHARDS / str(index) / rel if len(rel.parts) == 1 else out / rel
        if dest.exists() and sha256_file(dest) != entry["sha256"]:
            raise MergeError(f"{run_dir}: {rel} is also in {origin[rel.as_posix()]} with other content")
        origin[rel.as_posix()] = str(run_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(run_dir / rel, dest)
    for name in (MANIFEST, SUMS):
        target = out / SHARDS / str(index) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(run_dir / name, target)


def _junit(shard_dirs: list[Path], out: Path) -> None:
    suite = ET.Element("testsuite", name="engageip-smoke")
    counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    seconds = 0.0
    for run_dir in shard_dirs:
        path = run_dir / "junit.xml"
        if not path.is_file():
            continue
        for shard_suite in ET.parse(path).getroot().iter("testsuite"):
            for key in counts:
                counts[key] += int(shard_suite.get(key, "0"))
            seconds += float(shard_suite.get("time", "0") or 0)
            suite.extend(shard_suite.findall("testcase"))
    suite.attrib.update({key: str(value) for key, value in counts.items()}, time=f"{seconds:.3f}")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(out / "junit.xml", encoding="utf-8", xml_declaration=True)


def merge_runs(run_dirs: list[Path], out: Path, *, run_id: str | None = None) -> RunResult:
    """Check the shards in ``run_dirs`` and write their merged run into ``out``; returns the run."""
    if not run_dirs:
        raise MergeError("no run folders given")
    loaded = [(Path(d).resolve(), *_load(Path(d).resolve())) for d in run_dirs]
    runs = sorted(((d, r) for d, r, _ in loaded), key=lambda pair: int((pair[1].shard or {})["index"]))
    check_shards(runs)
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        raise MergeError(f"{out}: already exists and is not empty (give another --out)")
    out.mkdir(parents=True, exist_ok=True)
    origin: dict[str, str] = {}
    manifests = {d: m for d, _, m in loaded}
    for run_dir, run in runs:
        _copy_evidence(run_dir, int((run.shard or {})["index"]), manifests[run_dir], out, origin)
    _junit([d for d, _ in runs], out)
    merged = merged_result([r for _, r in runs], run_id or out.name)
    merged.shard = {
        "merged_from": [
            {
                "index": (r.shard or {})["index"],
                "id": r.id,
                "host": r.host,
                "status": r.status,
                "manifest_sha256": sha256_file(d / MANIFEST),
            }
            for d, r in runs
        ],
        "total": len(runs),
        "selected": (runs[0][1].shard or {}).get("selected", []),
        "suite": (runs[0][1].shard or {}).get("suite", []),
        "suite_digest": (runs[0][1].shard or {}).get("suite_digest"),
        # so the next night's shards read this run's durations as history, scenario by scenario
        "keys": {k: v for _, r in runs for k, v in (r.shard or {}).get("keys", {}).items()},
    }
    merged.write(out / "results.json")
    return merged


def merged_result(shards: list[RunResult], run_id: str) -> RunResult:
    first = shards[0]
    shard = first.shard or {}
    order = {key: i for i, key in enumerate(shard.get("selected", []))}

    def position(run: RunResult, nodeid: str) -> int:
        key = (run.shard or {}).get("keys", {}).get(nodeid)
        return order.get(key, len(order))

    scenarios = sorted(((position(r, s.nodeid), s) for r in shards for s in r.scenarios), key=lambda pair: pair[0])
    run = RunResult(id=run_id, started=min(r.started for r in shards))
    run.scenarios = [s for _, s in scenarios]
    finished = [r.finished for r in shards if r.finished]
    run.finished = max(finished) if finished else None
    if run.finished:
        run.duration_s = round(
            (datetime.fromisoformat(run.finished) - datetime.fromisoformat(run.started)).total_seconds(), 1
        )
    run.target = dict(first.target)
    run.release = first.release
    run.revision = first.revision
    run.browser = dict(first.browser)
    run.user = ", ".join(dict.fromkeys(r.user for r in shards if r.user))
    run.host = ", ".join(dict.fromkeys(r.host for r in shards if r.host))
    ids = " ".join(f"{(r.shard or {}).get('index')}/{len(shards)}:{r.id}" for r in shards)
    run.command = f"smoke report merge {ids} (shards of: {first.command})"
    run.logins = sum(r.logins for r in shards)
    run.slower = [s for r in shards for s in r.slower]
    stopped = [f"shard {(r.shard or {}).get('index')}: {r.interrupted}" for r in shards if r.interrupted]
    run.interrupted = "; ".join(stopped) or None
    # together the shards ran the whole suite unless the selection itself left scenarios out
    run.selection = set(shard.get("selected", [])) != set(shard.get("suite", []))
    items: dict[str, ChecklistItem] = {}
    for r in shards:
        for item in r.checklist:
            items.setdefault(item.id, ChecklistItem(item.id, item.text, [], "not run", item.required))
    for item in items.values():
        covering = [s for s in run.scenarios if item.id in s.checklist]
        item.scenarios = [s.name for s in covering]
        item.status = checklist_status({s.status for s in covering})  # type: ignore[assignment]
    run.checklist = list(items.values())
    decide(run)
    return run
