"""The shard split: balanced by durations, the same everywhere, groups together, counts without history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smoke.run.shard import (
    ShardError,
    durations_from_history,
    match,
    parse_shard,
    split,
    suite_digest,
    units,
)


def test_parse_shard_takes_k_of_n_and_refuses_the_rest() -> None:
    assert parse_shard("2/3") == (2, 3)
    assert parse_shard(" 1/1 ") == (1, 1)
    for bad in ("0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""):
        with pytest.raises(ShardError, match="K/N"):
            parse_shard(bad)


def _loads(shards: list[list[str]], seconds: dict[str, float]) -> list[float]:
    return [sum(seconds[k] for k in shard) for shard in shards]


def test_parts_are_balanced_by_duration_not_by_count() -> None:
    seconds = {"long.yaml": 60.0, "a.yaml": 10.0, "b.yaml": 10.0, "c.yaml": 10.0, "d.yaml": 10.0, "e.yaml": 10.0}
    parts, basis = units([(k, None) for k in seconds], seconds)
    shards = split(parts, 2)
    assert basis.startswith("durations")
    assert sorted(_loads(shards, seconds)) == [50.0, 60.0]
    assert ["long.yaml"] in shards  # the long one alone: by count it would have had two more
    assert sorted(k for s in shards for k in s) == sorted(seconds)


def test_the_split_is_the_same_whatever_order_the_scenarios_come_in() -> None:
    seconds = {f"s{i:02d}.yaml": float((i * 7) % 11 + 1) for i in range(20)}
    pairs = [(k, None) for k in seconds]
    first = split(units(pairs, seconds)[0], 3)
    again = split(units(list(reversed(pairs)), dict(reversed(list(seconds.items()))))[0], 3)
    assert [sorted(s) for s in first] == [sorted(s) for s in again]
    assert max(_loads(first, seconds)) - min(_loads(first, seconds)) <= max(seconds.values())


def test_a_group_stays_in_one_part() -> None:
    pairs = [("a.yaml", "billing"), ("b.yaml", None), ("c.yaml", "billing"), ("d.yaml", None), ("e.yaml", "billing")]
    for total in (2, 3, 4):
        shards = split(units(pairs, {})[0], total)
        holding = [i for i, shard in enumerate(shards) if {"a.yaml", "c.yaml", "e.yaml"} & set(shard)]
        assert len(holding) == 1, shards
        assert {"a.yaml", "c.yaml", "e.yaml"} <= set(shards[holding[0]])


def test_without_history_parts_are_balanced_by_count() -> None:
    pairs = [(f"s{i}.yaml", None) for i in range(7)]
    parts, basis = units(pairs, {})
    shards = split(parts, 3)
    assert basis.startswith("counts")
    assert sorted(len(s) for s in shards) == [2, 2, 3]


def test_more_parts_than_scenarios_leaves_parts_empty() -> None:
    shards = split(units([("a.yaml", None)], {})[0], 3)
    assert shards == [["a.yaml"], [], []]


def test_a_new_scenario_weighs_the_median_of_the_known_ones() -> None:
    parts, basis = units(
        [("old.yaml", None), ("new.yaml", None), ("mid.yaml", None)], {"old.yaml": 9.0, "mid.yaml": 3.0}
    )
    assert {p.keys[0]: p.weight for p in parts}["new.yaml"] == 6.0
    assert "2 of 3" in basis


def _results(folder: Path, target: str, started: str, seconds: dict[str, float], shard: bool = False) -> None:
    folder.mkdir(parents=True)
    data = {
        "id": folder.name,
        "started": started,
        "target": {"name": target},
        "shard": {"index": 1, "total": 2} if shard else None,
        "scenarios": [
            {"nodeid": f"scenarios/{k}::{k[:-5]}", "name": k, "status": "passed", "duration_s": v}
            for k, v in seconds.items()
        ],
    }
    (folder / "results.json").write_text(json.dumps(data))


def test_history_is_the_median_of_the_targets_whole_runs(tmp_path: Path) -> None:
    _results(tmp_path / "r1", "staging", "2026-11-01T02:00:00", {"a.yaml": 10.0})
    _results(tmp_path / "r2", "staging", "2026-11-02T02:00:00", {"a.yaml": 30.0})
    _results(tmp_path / "r3", "staging", "2026-11-03T02:00:00", {"a.yaml": 20.0})
    _results(tmp_path / "other", "production", "2026-11-04T02:00:00", {"a.yaml": 99.0})
    _results(tmp_path / "one-shard", "staging", "2026-11-05T02:00:00", {"a.yaml": 99.0}, shard=True)
    seconds = durations_from_history(tmp_path, "staging")
    assert match(seconds, ["a.yaml", "b.yaml"]) == {"a.yaml": 20.0}


def test_the_suite_digest_changes_with_any_scenario_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rows.yaml").write_text("- 1\n")
    before = suite_digest(tmp_path)
    assert suite_digest(tmp_path) == before
    (tmp_path / "data" / "rows.yaml").write_text("- 2\n")
    assert suite_digest(tmp_path) != before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--shard", "4/3"], "--shard '4/3': give K/N with 1 <= K <= N"),
        (["--shard", "two"], "--shard 'two': give K/N"),
        (["--shard", "1/2", "--shard-durations", "no-such.json"], "--shard-durations no-such.json: no such file"),
    ],
)
def test_bad_shard_options_are_one_line_and_exit_2(args: list[str], says: str) -> None:
    from tests.conftest import EXAMPLE, run_smoke

    done = run_smoke("run", *args, "--scenarios", str(EXAMPLE / "scenarios"))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"smoke: {says}")
