"""Many targets in one command: groups in targets.yaml, the arguments each run gets, the worst exit code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smoke.results import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_PASSED, EXIT_UNREACHABLE
from smoke.run.targets_loop import without_targets, worst
from smoke.targets import load_targets
from smoke.yamlfile import ConfigError

TARGETS = """
default: a
groups:
  nightly: [a, b]
  all: [nightly, c]
targets:
  a: {admin_url: "http://a.test/", portal_url: "http://a.test/"}
  b: {admin_url: "http://b.test/", portal_url: "http://b.test/", browsers: ["ws://grid.test:3000/"]}
  c: {admin_url: "http://c.test/", portal_url: "http://c.test/"}
"""


def test_a_group_expands_to_its_targets_once_each(tmp_path: Path) -> None:
    (tmp_path / "targets.yaml").write_text(TARGETS.replace("  all: [nightly, c]\n", ""))
    targets = load_targets(tmp_path / "targets.yaml")
    assert targets.expand(["nightly"]) == ["a", "b"]
    assert targets.expand(["b", "nightly", "a"]) == ["b", "a"]
    assert targets.expand([]) == ["a"]
    assert targets.get("b").browsers == ["ws://grid.test:3000/"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  all: [nightly, c]", "  all: [a, nope]"), "group 'all': no target named 'nope'"),
        (("  all: [nightly, c]", "  c: [a]"), "group 'c' has the name of a target"),
        (("  all: [nightly, c]", "  all: []"), "group 'all' must list its targets"),
        (('browsers: ["ws://grid.test:3000/"]', "browsers: http://grid.test/"), "browsers must be a list of ws://"),
    ],
)
def test_bad_groups_and_browsers_are_one_clear_line(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    (tmp_path / "targets.yaml").write_text(
        TARGETS.replace("  all: [nightly, c]\n", "  all: [nightly, c]\n").replace(*change)
    )
    with pytest.raises(ConfigError, match=message) as caught:
        load_targets(tmp_path / "targets.yaml")
    assert "targets.yaml:" in caught.value.line()


def test_each_target_run_gets_the_arguments_less_targets_and_run_id() -> None:
    argv = ["run", "login", "--target", "nightly", "-t", "b", "--target=c", "-tc", "--run-id", "x", "--run-id=y"]
    assert without_targets([*argv, "--workers", "2"]) == ["run", "login", "--workers", "2"]


def test_the_worst_exit_code_wins() -> None:
    assert worst([EXIT_PASSED, EXIT_PASSED]) == EXIT_PASSED
    assert worst([EXIT_PASSED, EXIT_INCOMPLETE]) == EXIT_INCOMPLETE
    assert worst([EXIT_INCOMPLETE, EXIT_FAILED, EXIT_PASSED]) == EXIT_FAILED
    assert worst([EXIT_FAILED, EXIT_UNREACHABLE]) == EXIT_UNREACHABLE
    assert worst([EXIT_INTERRUPTED, EXIT_FAILED]) == EXIT_INTERRUPTED


def test_the_index_shows_targets_side_by_side_only_when_there_are_several(tmp_path: Path) -> None:
    import json
    from datetime import UTC, datetime

    from smoke.report.index import build_index
    from tests.report.synthetic import make_synthetic_run

    for i, (target, failures) in enumerate([("staging-a", 0), ("staging-b", 1), ("staging-a", 0)]):
        run = make_synthetic_run(
            tmp_path / f"run{i}", steps=30, failures=failures, started=datetime(2026, 11, 20 + i, tzinfo=UTC)
        )
        data = json.loads((run / "results.json").read_text())
        data["target"]["name"] = target
        data["status"] = "failed" if failures else "passed"
        data["verdict"] = data["status"].upper()
        (run / "results.json").write_text(json.dumps(data))
    cards = {c["name"]: c for c in build_index(tmp_path)["targets"]}
    assert list(cards) == ["staging-a", "staging-b"]
    assert cards["staging-a"]["runs"] == 2 and cards["staging-a"]["latest"]["id"] == "20261122-000000"
    assert cards["staging-b"]["latest"]["verdict"] == "fail" and len(cards["staging-b"]["chart"]["bars"]) == 1
    shutil.rmtree(tmp_path / "run1")  # one target left: nothing to put side by side
    assert build_index(tmp_path)["targets"] == []
