"""``--smoke-shard K/N``: run the K-th of N parts of the selection, the same split on every machine.

Parts are balanced by the scenarios' durations in earlier runs of the same target (or a given
results.json), falling back to counts; scenarios of one ``group:`` stay in one part. Every shard
records in its results.json which part it was, the whole selection and the whole suite, so that
``smoke report merge`` can tell a complete set of shards and whether together they ran the suite.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HISTORY_RUNS = 5  # the median of a scenario's last few durations: one slow night does not move it
MEASURED = ("passed", "failed", "flaky")  # a skipped or errored scenario's time says nothing


class ShardError(ValueError):
    pass


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; a ShardError saying what a shard looks like otherwise."""
    head, sep, tail = str(text).strip().partition("/")
    try:
        index, total = int(head), int(tail)
    except ValueError:
        index = total = 0
    if not sep or total < 1 or not 1 <= index <= total:
        raise ShardError(f"--shard {text!r}: give K/N with 1 <= K <= N, e.g. --shard 2/3")
    return index, total


@dataclass(frozen=True)
class Unit:
    """What cannot be split: one scenario, or every scenario of one group."""

    keys: tuple[str, ...]
    weight: float


def units(scenarios: Sequence[tuple[str, str | None]], seconds: dict[str, float]) -> tuple[list[Unit], str]:
    """Group ``(key, group)`` pairs into units weighted by ``seconds`` (or 1 each); and the basis."""
    known = [seconds[key] for key, _ in scenarios if key in seconds]
    if known:
        # a scenario new since the last run weighs what a typical one does
        fallback = statistics.median(known)
        weight = {key: seconds.get(key, fallback) for key, _ in scenarios}
        basis = f"durations ({len(known)} of {len(scenarios)} scenarios from earlier runs)"
    else:
        weight = {key: 1.0 for key, _ in scenarios}
        basis = "counts (no earlier run of this target)"
    grouped: dict[str, list[str]] = {}
    for key, group in scenarios:
        grouped.setdefault(f"group:{group}" if group else f"scenario:{key}", []).append(key)
    return [Unit(tuple(keys), sum(weight[k] for k in keys)) for keys in grouped.values()], basis


def split(parts: Iterable[Unit], total: int) -> list[list[str]]:
    """Longest first onto the lightest part; ties by key and part number, so every machine agrees."""
    loads = [0.0] * total
    shards: list[list[str]] = [[] for _ in range(total)]
    for unit in sorted(parts, key=lambda u: (-round(u.weight, 3), u.keys)):
        lightest = min(range(total), key=lambda i: (round(loads[i], 3), i))
        loads[lightest] += unit.weight
        shards[lightest].extend(unit.keys)
    return shards


def durations_from_results(path: Path) -> dict[str, float]:
    """Each scenario's duration in one results.json, keyed by its file relative to the scenarios folder."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, float] = {}
    for scenario in data.get("scenarios", []):
        key = scenario_key_of_result(scenario, data)
        if key and scenario.get("status") in MEASURED and scenario.get("duration_s"):
            out[key] = float(scenario["duration_s"])
    return out


def durations_from_history(report_dir: Path, target: str, runs: int = HISTORY_RUNS) -> dict[str, float]:
    """The median duration of each scenario over the last ``runs`` runs of ``target`` in ``report_dir``.

    Runs that were one shard are left out; whole runs and merged runs count.
    """
    found: list[tuple[str, Path]] = []
    if report_dir.is_dir():
        for results in report_dir.glob("*/results.json"):
            if results.parent.is_symlink():
                continue
            try:
                data = json.loads(results.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            # a single shard is not history: the shards of one run, run one after another into one
            # folder, must all see the same history to split alike (a merged run counts)
            if (data.get("shard") or {}).get("index"):
                continue
            if (data.get("target") or {}).get("name") == target:
                found.append((str(data.get("started") or ""), results))
    samples: dict[str, list[float]] = {}
    for _, results in sorted(found, reverse=True)[:runs]:
        for key, seconds in durations_from_results(results).items():
            samples.setdefault(key, []).append(seconds)
    return {key: statistics.median(values) for key, values in samples.items()}


def scenario_key(path: Path, scenarios_dir: Path) -> str:
    """A scenario's name on every machine: its file relative to the scenarios folder."""
    try:
        return path.resolve().relative_to(scenarios_dir.resolve()).as_posix()
    except ValueError:
        return path.name


def scenario_key_of_result(scenario: dict[str, Any], run: dict[str, Any]) -> str | None:
    keys = (run.get("shard") or {}).get("keys") or {}
    if scenario.get("nodeid") in keys:
        return str(keys[scenario["nodeid"]])
    # a run without shard data: the nodeid's file part, relative to where that run's rootdir was
    return str(scenario.get("nodeid", "")).split("::")[0] or str(scenario.get("file", "")) or None


def match(seconds: dict[str, float], keys: Iterable[str]) -> dict[str, float]:
    """The recorded durations of ``keys``: the same key, or a recorded path that ends with it."""
    out = {}
    for key in keys:
        if key in seconds:
            out[key] = seconds[key]
            continue
        ends = sorted(path for path in seconds if path.endswith("/" + key))
        if ends:
            out[key] = seconds[ends[0]]
    return out


def suite_digest(scenarios_dir: Path) -> str:
    """SHA-256 over every file of the scenarios folder (names and bytes): shards of one suite agree."""
    digest = hashlib.sha256()
    for path in sorted(p for p in scenarios_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(scenarios_dir)
        if "__pycache__" in rel.parts or path.suffix == ".pyc" or rel.parts[0] == "baselines":
            continue
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class ShardPlugin:
    """Deselects what is not this shard's, in the process that collects (each xdist worker too)."""

    def __init__(self, config: pytest.Config, state: Any) -> None:
        self.config = config
        self.state = state
        self.index, self.total = parse_shard(config.getoption("smoke_shard"))
        self.durations_file = config.getoption("smoke_shard_durations")

    def _seconds(self) -> dict[str, float]:
        if self.durations_file:
            path = Path(self.durations_file)
            try:
                return durations_from_results(path)
            except (OSError, ValueError, AttributeError) as exc:
                raise pytest.UsageError(
                    f"--shard-durations {path}: not a readable results.json ({exc}); give a run's results.json"
                ) from None
        return durations_from_history(Path(self.config.getoption("smoke_report_dir")), self.state.target.name)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
        root = self.state.scenarios_dir
        scenarios = [item for item in items if hasattr(item, "scenario")]
        keyed = [(scenario_key(item.path, root), item.scenario.group) for item in scenarios]
        parts, basis = units(keyed, match(self._seconds(), [k for k, _ in keyed]))
        mine = set(split(parts, self.total)[self.index - 1])
        keep = [item for item in items if not hasattr(item, "scenario") or scenario_key(item.path, root) in mine]
        dropped = [item for item in items if item not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep
        from smoke.scenario import is_scenario_file

        suite = sorted(scenario_key(p, root) for p in root.rglob("*.y*ml") if is_scenario_file(p, root))
        info = {
            "index": self.index,
            "total": self.total,
            "basis": basis,
            "scenarios": sorted(mine),
            "selected": sorted(k for k, _ in keyed),
            "suite": suite,
            "suite_digest": suite_digest(root),
            "keys": {item.nodeid: scenario_key(item.path, root) for item in scenarios},
        }
        self.state.shard = info
        workeroutput = getattr(config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput["smoke_shard"] = info  # the controller collects nothing: hand it the split

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        info = getattr(node, "workeroutput", {}).get("smoke_shard")
        if info and self.state.shard is None:
            self.state.shard = info

    def pytest_report_header(self, config: pytest.Config) -> str:
        return f"shard {self.index}/{self.total}"
