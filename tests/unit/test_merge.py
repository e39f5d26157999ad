"""smoke report merge: one verified run from the shards, and every refusal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from smoke.pack.merge import MergeError, merge_runs
from smoke.report.manifest import verify_manifest, write_manifest
from smoke.results import RunResult, checklist_status
from smoke.run.shard import durations_from_results
from tests.conftest import run_smoke
from tests.report.synthetic import make_synthetic_run


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_synthetic_run(tmp_path_factory.mktemp("whole") / "run", steps=40, failures=0, skipped=False)


def _key(nodeid: str) -> str:
    return nodeid.split("::")[0].split("/", 1)[1]


def make_shards(whole: Path, folder: Path, total: int = 3) -> list[Path]:
    """The synthetic run cut into ``total`` shard folders, each with its own manifest."""
    run = RunResult.read(whole / "results.json")
    keys = [_key(s.nodeid) for s in run.scenarios]
    dirs = []
    for index in range(1, total + 1):
        shard_dir = folder / f"shard-{index}"
        shutil.copytree(whole, shard_dir)
        mine = [s for i, s in enumerate(run.scenarios) if i % total == index - 1]
        keep = {step.screenshot for s in mine for step in s.steps} | {step.thumbnail for s in mine for step in s.steps}
        for shot in [p for p in (shard_dir / "shots").rglob("*") if p.is_file()]:
            if shot.relative_to(shard_dir).as_posix() not in keep:
                shot.unlink()
        part = RunResult.read(whole / "results.json")
        part.id = f"nightly-{index}"
        part.scenarios = mine
        part.selection = True
        part.shard = {
            "index": index,
            "total": total,
            "basis": "counts",
            "scenarios": [_key(s.nodeid) for s in mine],
            "selected": sorted(keys),
            "suite": sorted(keys),
            "suite_digest": "d1",
            "keys": {s.nodeid: _key(s.nodeid) for s in mine},
        }
        part.write(shard_dir / "results.json")
        write_manifest(shard_dir)
        dirs.append(shard_dir)
    return dirs


def test_three_shards_merge_into_the_whole_run(whole: Path, tmp_path: Path) -> None:
    shards = make_shards(whole, tmp_path)
    merged = merge_runs(shards, tmp_path / "merged")
    original = RunResult.read(whole / "results.json")
    assert sorted(s.name for s in merged.scenarios) == sorted(s.name for s in original.scenarios)
    assert merged.selection is False and merged.status == "passed" and merged.exit_code == 0
    assert merged.verdict == "PASSED"
    expected = {
        c.id: checklist_status({s.status for s in original.scenarios if c.id in s.checklist})
        for c in original.checklist
    }
    assert {c.id: c.status for c in merged.checklist} == expected
    assert expected["tickets"] == "flaky" and expected["sign-off"] == "not run"
    assert [m["index"] for m in merged.shard["merged_from"]] == [1, 2, 3]  # type: ignore[index]
    for scenario in merged.scenarios:
        for step in scenario.steps:
            assert (tmp_path / "merged" / str(step.screenshot)).is_file()
    assert (tmp_path / "merged" / "shards" / "2" / "manifest.json").is_file()
    write_manifest(tmp_path / "merged")
    assert verify_manifest(tmp_path / "merged") == []
    # the merged run is the next night's history, scenario by scenario
    history = durations_from_results(tmp_path / "merged" / "results.json")
    assert set(history) == {_key(s.nodeid) for s in original.scenarios}


def test_a_failure_in_one_shard_fails_the_merged_run(whole: Path, tmp_path: Path) -> None:
    shards = make_shards(whole, tmp_path)
    data = json.loads((shards[1] / "results.json").read_text())
    data["scenarios"][0]["status"] = "failed"
    data["scenarios"][0]["error"] = {"message": "balance differs", "kind": "assertion"}
    (shards[1] / "results.json").write_text(json.dumps(data))
    write_manifest(shards[1])
    merged = merge_runs(shards, tmp_path / "merged")
    assert merged.status == "failed" and merged.exit_code == 1


def test_an_edited_screenshot_is_refused_by_name(whole: Path, tmp_path: Path) -> None:
    shards = make_shards(whole, tmp_path)
    shot = sorted((shards[2] / "shots").glob("*.jpg"))[0]
    shot.write_bytes(shot.read_bytes() + b"edited")
    with pytest.raises(MergeError, match=rf"shots/{shot.name} is changed"):
        merge_runs(shards, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_a_missing_file_is_refused_by_name(whole: Path, tmp_path: Path) -> None:
    shards = make_shards(whole, tmp_path)
    (shards[0] / "junit.xml").unlink()
    with pytest.raises(MergeError, match=r"junit\.xml is missing"):
        merge_runs(shards, tmp_path / "merged")


def test_shards_of_another_target_or_revision_are_refused(whole: Path, tmp_path: Path) -> None:
    other = {"name": "production", "admin_url": "", "portal_url": ""}
    shards = make_shards(whole, tmp_path / "t")
    data = json.loads((shards[2] / "results.json").read_text())
    data["target"] = other
    (shards[2] / "results.json").write_text(json.dumps(data))
    write_manifest(shards[2])
    with pytest.raises(MergeError, match="target differs"):
        merge_runs(shards, tmp_path / "t" / "merged")
    shards = make_shards(whole, tmp_path / "r")
    data = json.loads((shards[1] / "results.json").read_text())
    data["revision"] = "abc1234-dirty"
    (shards[1] / "results.json").write_text(json.dumps(data))
    write_manifest(shards[1])
    with pytest.raises(MergeError, match="suite revision differs"):
        merge_runs(shards, tmp_path / "r" / "merged")


def test_overlapping_duplicate_and_missing_shards_are_refused(whole: Path, tmp_path: Path) -> None:
    shards = make_shards(whole, tmp_path)
    with pytest.raises(MergeError, match="missing shard 3/3"):
        merge_runs(shards[:2], tmp_path / "merged")
    with pytest.raises(MergeError, match="given twice"):
        merge_runs([shards[0], shards[0], shards[1]], tmp_path / "merged")
    data = json.loads((shards[1] / "results.json").read_text())
    data["shard"]["scenarios"].append(json.loads((shards[0] / "results.json").read_text())["shard"]["scenarios"][0])
    (shards[1] / "results.json").write_text(json.dumps(data))
    write_manifest(shards[1])
    with pytest.raises(MergeError, match="overlap"):
        merge_runs(shards, tmp_path / "merged")


def test_a_plain_run_is_not_a_shard(whole: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(whole, plain)
    write_manifest(plain)
    with pytest.raises(MergeError, match="not a shard"):
        merge_runs([plain], tmp_path / "merged")


def test_the_command_says_why_in_one_line_and_exits_2(whole: Path, tmp_path: Path) -> None:
    shards = make_shards(whole, tmp_path)
    sorted((shards[0] / "shots").glob("*.jpg"))[0].write_bytes(b"x")
    done = run_smoke("report", "merge", *map(str, shards), "--out", str(tmp_path / "merged"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is changed" in done.stderr and "Traceback" not in done.stderr
    write_manifest(shards[0])  # accept the edit: now the shards agree with their manifests
    done = run_smoke("report", "merge", *map(str, shards), "--out", str(tmp_path / "merged"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"report: {tmp_path / 'merged' / 'report.html'}"
    assert verify_manifest(tmp_path / "merged") == []


def test_smoke_report_run_still_renders_a_run(whole: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(whole, run)
    done = run_smoke("report", str(run))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"report: {run / 'report.html'}")
    assert "merge" in run_smoke("report", "--help").stdout


def test_a_signed_merge_is_what_smoke_verify_accepts(whole: Path, tmp_path: Path) -> None:
    key = tmp_path / "keys" / "signing-key"
    assert run_smoke("keys", "new", "--out", str(key)).returncode == 0
    shards = make_shards(whole, tmp_path)
    env = {"SMOKE_SIGNING_KEY": str(key)}
    done = run_smoke("report", "merge", *map(str, shards), "--out", str(tmp_path / "merged"), env=env)
    assert done.returncode == 0, done.stderr
    assert "unsigned" not in done.stdout
    verified = run_smoke("verify", str(tmp_path / "merged"), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
