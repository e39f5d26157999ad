"""The pytest plugin in a throwaway pytest session (pytester), against the example site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE

pytestmark = pytest.mark.browser


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    shutil.copytree(EXAMPLE / "scenarios", pytester.path / "scenarios", ignore=shutil.ignore_patterns("__pycache__"))
    return pytester.path


VIEWPORT_CHECK = """
def viewport_is(page, context, width):
    assert page.viewport_size["width"] == width, page.viewport_size
"""


def test_a_conftest_override_of_a_fixture_link_reaches_the_scenarios(
    pytester: pytest.Pytester, project: Path, site_url: str
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def browser_context_args(browser_context_args):
            return {**browser_context_args, "viewport": {"width": 1000, "height": 700}}
        """
    )
    (project / "scenarios" / "checks" / "viewport.py").write_text(VIEWPORT_CHECK)
    (project / "scenarios" / "viewport.yaml").write_text(
        "name: Viewport\nrole: demo\nsteps:\n  - open: /home.html\n  - call: {function: 'checks.viewport:viewport_is', args: {width: 1000}}\n"
    )
    result = pytester.runpytest_subprocess(
        "scenarios/viewport.yaml", f"--smoke-server-url={site_url}", "--smoke-report-dir=r", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1)
    results = json.loads((project / "r" / "latest" / "results.json").read_text())
    assert results["scenarios"][0]["status"] == "passed"


def test_k_selects_by_scenario_file_name_and_m_by_tag(pytester: pytest.Pytester, project: Path, site_url: str) -> None:
    result = pytester.runpytest_subprocess(
        "scenarios",
        "-k",
        "accounts",
        f"--smoke-server-url={site_url}",
        "--smoke-report-dir=r",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["PASS  Accounts show their expected values*"])
    result = pytester.runpytest_subprocess(
        "scenarios",
        "-m",
        "vocabulary",
        "--collect-only",
        "-q",
        f"--smoke-server-url={site_url}",
        "-p",
        "no:cacheprovider",
    )
    result.stdout.fnmatch_lines(["scenarios/all-steps.yaml::all-steps"])


def test_unknown_target_is_a_usage_error(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest_subprocess("scenarios", "--smoke-target=stagng", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no target named 'stagng'*targets: example, readonly-example*"])


def test_a_bad_scenario_is_a_collection_error_of_one_line(
    pytester: pytest.Pytester, project: Path, site_url: str
) -> None:
    (project / "scenarios" / "bad.yaml").write_text("name: bad\nsteps:\n  - fil: {label: City, value: x}\n")
    result = pytester.runpytest_subprocess(
        "scenarios/bad.yaml", f"--smoke-server-url={site_url}", "-p", "no:cacheprovider"
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*bad.yaml:3:5: step 1: unknown step kind 'fil' (did you mean fill*"])


def test_headed_without_a_display_is_one_line_under_plain_pytest(
    pytester: pytest.Pytester, project: Path, site_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = pytester.runpytest_subprocess("scenarios", "--headed", f"--smoke-server-url={site_url}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--headed needs a display and none was found: run under `xvfb-run -a*"])
    assert "TargetClosedError" not in result.stdout.str() + result.stderr.str()


def test_an_unrelated_pytest_run_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    (pytester.path / "config.yaml").write_text("steps: nonsense\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
