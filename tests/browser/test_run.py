"""`smoke run` end to end against the example site, in a real headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_smoke

pytestmark = pytest.mark.browser


def smoke_run(
    scenarios: Path, reports: Path, site_url: str, *names: str, extra: tuple[str, ...] = ()
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], Path]:
    done = run_smoke(
        "run", *names, "--scenarios", str(scenarios), "--report-dir", str(reports), "--server-url", site_url, *extra
    )
    latest = reports / "latest"
    results = json.loads((latest / "results.json").read_text()) if (latest / "results.json").exists() else {}
    return done, results, latest


def test_every_step_kind_passes_with_a_screenshot_per_step(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    done, results, run_dir = smoke_run(scenarios, tmp_path / "reports", site_url, "all-steps")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  Every step kind" in done.stdout
    assert f"report: {run_dir.resolve()}/report.html" in done.stdout.replace(
        str(run_dir.resolve()), str(run_dir.resolve())
    )
    [scenario] = results["scenarios"]
    assert scenario["status"] == "passed"
    kinds = {step["kind"] for step in scenario["steps"]}
    assert {"open", "click", "fill", "select", "check", "uncheck", "press", "upload", "expect_text", "expect_no_text",
            "expect_url", "expect_value", "expect_row", "expect_count", "save", "as", "screenshot", "wait_for",
            "for_each", "call"} <= kinds  # fmt: skip
    for step in scenario["steps"]:
        if step["kind"] != "for_each":
            assert step["screenshot"], step
            assert (run_dir / step["screenshot"]).stat().st_size > 1000
            # the report made a thumbnail of every screenshot after the run, and shows it
            shot = Path(step["screenshot"])
            assert (run_dir / shot.parent / "thumbs" / (shot.stem + ".jpg")).exists()
    # two roles: demo logs in once, clerk once; the caption of the saved step is generated
    assert scenario["logins"] == 2
    assert any(step["caption"] == "Save the form" for step in scenario["steps"])
    assert any(step["caption"].startswith("Choose 'Fiber 500'") for step in scenario["steps"])
    assert results["release"] == "Example Home"
    assert (run_dir / "junit.xml").exists() and (run_dir / "report.html").exists()


def test_no_secret_reaches_any_file_of_the_run(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    done, _, run_dir = smoke_run(scenarios, tmp_path / "reports", site_url, "all-steps", extra=("--self-contained",))
    assert done.returncode == 0, done.stdout + done.stderr
    secrets = ["Demo#Pass1", "Clerk#Pass2", "4111111111111111"]
    for path in run_dir.resolve().rglob("*"):
        if path.is_file() and path.suffix in (".json", ".html", ".xml", ".txt", ".sha256", ".css", ".js"):
            text = path.read_text(errors="replace")
            for secret in secrets:
                assert secret not in text, f"{secret} in {path}"
    for secret in secrets:
        assert secret not in done.stdout + done.stderr


def test_failure_names_step_caption_expected_and_shown(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    (scenarios / "wrong-balance.yaml").write_text(
        "name: Wrong balance\nrole: demo\nsteps:\n  - open: /home.html\n"
        "  - expect_text: {test_id: balance, text: '$99.00', exact: true}\n    timeout: 1\n  - open: /never.html\n"
    )
    done, results, run_dir = smoke_run(scenarios, tmp_path / "reports", site_url, "wrong-balance")
    assert done.returncode == 1
    assert "FAIL  Wrong balance" in done.stdout
    assert "step 2 'See '$99.00' in [data-testid=balance]' failed" in done.stdout
    assert "expected: $99.00" in done.stdout and "shown:    $120.50" in done.stdout
    [scenario] = results["scenarios"]
    assert scenario["status"] == "failed" and scenario["failed_step"] == "2"
    failed = [s for s in scenario["steps"] if s["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["screenshot"].endswith("-failed.jpg")
    assert (run_dir / failed[0]["screenshot"]).exists()
    assert failed[0]["error"] == {
        "message": failed[0]["error"]["message"],
        "expected": "$99.00",
        "actual": "$120.50",
        "kind": "assertion",
    }
    assert [s["index"] for s in scenario["steps"] if not s["index"].startswith("0.")] == ["1", "2"], (
        "nothing runs after a failure"
    )
    assert results["status"] == "failed" and results["verdict"].startswith("FAILED")
    assert scenario["trace"] and (run_dir / scenario["trace"]).exists()
    with zipfile.ZipFile(run_dir / scenario["trace"]) as trace:
        events = trace.read("trace.trace").decode()
        # the DOM snapshots of each action are there; the screencast is not (the step screenshots are)
        assert '"frame-snapshot"' in events and "screencast-frame" not in events
        assert not [n for n in trace.namelist() if n.endswith(".jpeg")]


def test_for_each_reports_every_row_with_differences(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    data = scenarios / "data" / "accounts.yaml"
    data.write_text(
        "accounts:\n  - {number: '1001', name: Jane Smith, balance: '$120.50'}\n"
        "  - {number: '1002', name: Jane Smith, balance: '$7.00'}\n  - {number: '1003', name: Jane Smith, balance: '$120.50'}\n"
    )
    (scenarios / "accounts.yaml").write_text(
        (scenarios / "accounts.yaml").read_text().replace("exact: true}", "exact: true}\n          timeout: 1")
    )
    done, results, _ = smoke_run(scenarios, tmp_path / "reports", site_url, "accounts")
    assert done.returncode == 1
    [scenario] = results["scenarios"]
    [table] = scenario["tables"]
    assert table["kind"] == "diff"  # as the scenario declares (table: diff); it was guessed from the name "accounts"
    assert table["columns"] == ["Row", "account-name", "balance", "Result"]
    assert [row["status"] for row in table["rows"]] == ["passed", "failed", "passed"]
    assert table["rows"][1]["diffs"] == {"balance": ["$7.00", "$120.50"]}
    assert "1 of 3 rows failed (1002 Jane Smith)" in scenario["error"]["message"]


def test_unreachable_target_exits_3_and_still_writes_results(scenarios: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    done, results, _ = smoke_run(scenarios, tmp_path / "reports", "http://127.0.0.1:9", "login")
    assert done.returncode == 3, done.stdout + done.stderr
    assert time.monotonic() - started < 60
    assert "target unreachable" in done.stdout + done.stderr
    assert results["status"] == "interrupted" and "unreachable" in results["interrupted"]
    # our line, not pytest's internals
    assert "_pytest" not in done.stdout + done.stderr and "Exit:" not in done.stdout + done.stderr
    assert "stopped early: target unreachable" in done.stdout and results["exit_code"] == 3


def test_config_errors_exit_2_before_any_browser(scenarios: Path, tmp_path: Path) -> None:
    (scenarios / "typo.yaml").write_text("name: typo\nsteps:\n  - clik: Save\n")
    done = run_smoke("run", "typo", "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "typo.yaml:3:5: step 1: unknown step kind 'clik' (did you mean click" in line
    assert not (tmp_path / "r").exists()
    (scenarios / "typo.yaml").write_text("name: writer\nchanges_data: true\nlogin: false\nsteps:\n  - open: /\n")
    done = run_smoke("run", "typo", "--target", "readonly-example", "--scenarios", str(scenarios))
    assert done.returncode == 2 and "read-only: refused" in done.stderr


def test_plain_pytest_collects_scenarios_with_tags_as_markers(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(scenarios), "-m", "quick", f"--smoke-scenarios={scenarios}",
         f"--smoke-server-url={site_url}", f"--smoke-report-dir={tmp_path / 'r'}", "-p", "no:cacheprovider"],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    assert [s["name"] for s in results["scenarios"]] == ["Log in and see the overview"]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed")
def test_headed_run_under_xvfb(scenarios: Path, tmp_path: Path, site_url: str) -> None:
    import sys

    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-m", "smoke", "run", "login", "--headed", "--slowmo", "50",
         "--scenarios", str(scenarios), "--report-dir", str(tmp_path / "r"), "--server-url", site_url],
        capture_output=True, text=True, check=False, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    assert results["browser"]["headless"] is False


def test_headed_without_display_says_how(scenarios: Path, tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(
        [sys.executable, "-m", "smoke", "run", "login", "--headed", "--scenarios", str(scenarios)],
        capture_output=True, text=True, check=False, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "xvfb-run" in done.stderr


def test_a_target_that_dies_mid_run_fails_the_rest_fast_and_the_report_is_written(
    scenarios: Path, tmp_path: Path
) -> None:
    from tests.conftest import EXAMPLE

    targets = scenarios / "targets.yaml"
    targets.write_text(
        targets.read_text().replace(
            '"{python} -m http.server {port} --bind 127.0.0.1 --directory tests/example/site"',
            f'"{{python}} {EXAMPLE / "dying_server.py"} {{port}}"',
        )
    )
    (scenarios / "a-kill.yaml").write_text("name: Kill the target\nlogin: false\nsteps:\n  - open: /die\n")
    for name in ("b-after-1", "c-after-2", "d-after-3"):
        (scenarios / f"{name}.yaml").write_text(f"name: {name}\nrole: demo\nsteps:\n  - open: /home.html\n")
    started = time.monotonic()
    done = run_smoke(
        "run",
        "a-kill",
        "b-after-1",
        "c-after-2",
        "d-after-3",
        "--scenarios",
        str(scenarios),
        "--report-dir",
        str(tmp_path / "r"),
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr
    results = json.loads((tmp_path / "r" / "latest" / "results.json").read_text())
    statuses = {s["name"]: s["status"] for s in results["scenarios"]}
    assert statuses == {
        "Kill the target": "passed",
        "b-after-1": "failed",
        "c-after-2": "failed",
        "d-after-3": "failed",
    }
    for s in results["scenarios"][1:]:
        assert s["error"]["kind"] == "target" and "target unreachable" in s["error"]["message"]
        assert s["duration_s"] < 3
    assert (tmp_path / "r" / "latest" / "report.html").exists()
    assert elapsed < 60
