from __future__ import annotations

import json
from pathlib import Path

import pytest

from smoke.pack.plan import build_plan, edited_inputs, planned_vs_executed, read_plan, write_plan
from smoke.report.render import render_report
from smoke.results import ChecklistItem, RunResult, ScenarioResult, StepError, StepResult

SCENARIO = """\
name: {name}
checklist: [{item}]
steps:
  - open: /home.html
  - fill: {{label: Password, value: "{{{{ env.PW }}}}"}}
    says: Type the password
  - click: {{button: Save}}
  - for_each:
      data: accounts
      steps:
        - open: /a
  - expect_text: Saved
"""


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "targets.yaml").write_text("targets: {}\n")
    for stem, item in (("alpha", "one"), ("beta", "two"), ("gamma", "three")):
        (folder / f"{stem}.yaml").write_text(SCENARIO.format(name=stem.title(), item=item))
    (folder / "baselines").mkdir()
    (folder / "baselines" / "x.yaml").write_text("not an input\n")
    return folder


def _step(index: str, status: str = "passed") -> StepResult:
    return StepResult(index=index, kind="open", caption="c", status=status, started="", duration_s=0.1)  # type: ignore[arg-type]


def _plan(scenarios: Path) -> dict:
    items = [ChecklistItem(i, i) for i in ("one", "two", "three")]
    return build_plan(scenarios, target={"name": "staging"}, checklist=items, options={"smoke_retries": 1})


def test_the_plan_holds_hashes_steps_and_the_checklist(scenarios: Path) -> None:
    plan = _plan(scenarios)
    alpha = next(s for s in plan["scenarios"] if s["file"] == "scenarios/alpha.yaml")
    assert len(alpha["sha256"]) == 64
    assert [s["index"] for s in alpha["steps"]] == ["1", "2", "3", "4", "5"]
    assert alpha["steps"][1]["caption"] == {"says": "Type the password"}
    assert alpha["steps"][0]["caption"] == {"generated": "open"}
    assert alpha["steps"][3]["steps"][0]["index"] == "4.*.1"
    assert {"id": "two", "required": True, "scenarios": ["scenarios/beta.yaml"]} in plan["checklist"]
    assert plan["options"] == {"smoke_retries": 1}
    inputs = {i["rel"] for i in plan["inputs"]}
    assert "alpha.yaml" in inputs and "targets.yaml" in inputs and "baselines/x.yaml" not in inputs
    assert "value" not in json.dumps(plan)  # step arguments (values typed into fields) are never recorded


def test_planned_steps_that_did_not_run_are_named_with_why(scenarios: Path) -> None:
    plan = _plan(scenarios)
    failed = ScenarioResult(nodeid="a", name="Alpha", file="scenarios/alpha.yaml", status="failed")
    failed.steps = [_step("1"), _step("2"), _step("3", "failed")]
    failed.failed_step = "3"
    skipped = ScenarioResult(
        nodeid="b", name="Beta", file="scenarios/beta.yaml", status="skipped", skip_reason="demo only"
    )
    run = RunResult(id="r", started="", scenarios=[failed, skipped])
    rows = {r["file"]: r for r in planned_vs_executed(plan, run)}
    alpha = rows["scenarios/alpha.yaml"]
    assert (alpha["planned"], alpha["executed"]) == (5, 3)
    assert [(m["index"], m["why"]) for m in alpha["missing"]] == [
        ("4", "not reached: the scenario failed at step 3"),
        ("5", "not reached: the scenario failed at step 3"),
    ]
    assert {m["why"] for m in rows["scenarios/beta.yaml"]["missing"]} == {"skipped: demo only"}
    assert not rows["scenarios/gamma.yaml"]["selected"]

    run.interrupted = "interrupted (Ctrl-C or a signal) before every scenario ran"
    run.scenarios.append(ScenarioResult(nodeid="g", name="Gamma", file="scenarios/gamma.yaml", status="not run"))
    gamma = {r["file"]: r for r in planned_vs_executed(plan, run)}["scenarios/gamma.yaml"]
    assert {m["why"] for m in gamma["missing"]} == {"interrupted: the run stopped before it ran"}
    run.scenarios[-1].steps = [_step("1"), _step("2")]
    run.scenarios[-1].status = "interrupted"
    gamma = {r["file"]: r for r in planned_vs_executed(plan, run)}["scenarios/gamma.yaml"]
    assert [(m["index"], m["why"]) for m in gamma["missing"]] == [
        (i, "interrupted: the run stopped during this scenario") for i in ("3", "4", "5")
    ]

    login_failed = ScenarioResult(nodeid="a", name="Alpha", file="scenarios/alpha.yaml", status="failed")
    login_failed.failed_step, login_failed.error = "0", StepError("login as admin failed")
    why = planned_vs_executed(plan, RunResult(id="r", started="", scenarios=[login_failed]))[0]["missing"][0]["why"]
    assert why == "not reached: the scenario stopped before its steps (login as admin failed)"


def test_a_scenario_edited_during_the_run_is_detected(scenarios: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "reports" / "r"
    run_dir.mkdir(parents=True)
    write_plan(run_dir, _plan(scenarios))
    assert edited_inputs(run_dir, scenarios) == []
    (scenarios / "beta.yaml").write_text((scenarios / "beta.yaml").read_text() + "# edited\n")
    (scenarios / "gamma.yaml").unlink()
    assert edited_inputs(run_dir, scenarios) == ["scenarios/beta.yaml", "scenarios/gamma.yaml (removed)"]
    assert read_plan(run_dir) is not None


def test_the_report_shows_planned_against_executed(_template: Path, reports: Path) -> None:
    import shutil

    run_dir = reports / "run"
    shutil.copytree(_template, run_dir)
    results = RunResult.read(run_dir / "results.json")
    first = results.scenarios[0]
    steps = [
        {"index": s.index, "kind": s.kind, "line": 3 + n, "caption": {"generated": s.kind}}
        for n, s in enumerate(first.steps)
        if s.depth == 0
    ]
    steps.append({"index": str(len(steps) + 1), "kind": "expect_text", "line": 99, "caption": {"says": "The end"}})
    write_plan(
        run_dir, {"version": 1, "frozen": "2026-11-26T02:00:00", "scenarios": [{"file": first.file, "steps": steps}]}
    )
    results.edited = [first.file]
    results.write(run_dir / "results.json")
    text = render_report(run_dir).read_text(encoding="utf-8")
    assert "Planned against executed" in text
    assert f"step {len(steps)} (expect_text, line 99): did not run (no record of it)" in text
    assert f"Edited during the run:</strong> <code>{first.file}</code>" in text
    assert any(f["path"] == "plan.json" for f in json.loads((run_dir / "manifest.json").read_text())["files"])
    # the verdict's notes carry it too (results.json)
    from smoke.results import decide

    assert any("edited during the run" in note and first.file in note for note in decide(results).notes)


def test_without_a_plan_the_report_says_so(_template: Path, reports: Path) -> None:
    import shutil

    run_dir = reports / "run"
    shutil.copytree(_template, run_dir)
    assert "No plan was frozen for this run" in render_report(run_dir).read_text(encoding="utf-8")


def test_the_plan_of_the_bundled_suite_holds_no_secret(tmp_path: Path) -> None:
    from smoke.pack.plan import freeze
    from smoke.project import load_project

    root = Path(__file__).resolve().parents[2]
    project = load_project(root / "scenarios")
    target = project.targets.get(None)
    secrets = target.secret_values()  # every role's password
    assert len(secrets) >= 3, "the bundled target has passwords to keep out"
    path = freeze(tmp_path, project, target, run_id="r", started="now", options={}, signing=None)
    text = path.read_text(encoding="utf-8")
    plan = json.loads(text)
    assert len(plan["scenarios"]) >= 10 and all(s.get("steps") for s in plan["scenarios"])
    for secret in secrets:
        assert secret not in text
