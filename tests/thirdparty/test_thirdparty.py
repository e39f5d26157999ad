"""The engine on an application nobody here wrote: the Django admin site (Django from PyPI),
started on a free port, driven by the scenarios in tests/thirdparty/scenarios with no engine change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_smoke
from tests.thirdparty.server import django_admin

pytestmark = pytest.mark.browser

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture(scope="module")
def django_url() -> Iterator[str]:
    with django_admin() as url:
        yield url


def test_the_thirdparty_scenarios_pass(django_url: str, tmp_path: Path) -> None:
    done = run_smoke(
        "run",
        "--scenarios",
        str(SCENARIOS),
        "--report-dir",
        str(tmp_path),
        "--server-url",
        django_url,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    results = json.loads((tmp_path / "latest" / "results.json").read_text())
    assert results["status"] == "passed" and results["counts"]["passed"] == 3
    steps = {s["caption"]: s for scenario in results["scenarios"] for s in scenario["steps"]}
    # the id came from the address and was used: the edited ticket's page is at /ticket/<that id>/
    [saved_at] = [c for c in steps if c.startswith("Be on /admin/helpdesk/ticket/") and c.endswith("/change/")]
    assert saved_at.removeprefix("Be on /admin/helpdesk/ticket/").removesuffix("/change/").isdigit()
    assert steps["Choose the country by its value (CA is shown as Canada)"]["status"] == "passed"
    assert steps["The deleted ticket is gone"]["status"] == "passed"
    # a drop-down chosen by value does not wait out the step timeout (10 s) any more; generous for a busy machine
    chosen = [s for s in steps.values() if s["kind"] == "select"]
    assert len(chosen) == 4 and all(s["duration_s"] < 3 for s in chosen), [
        (s["caption"], s["duration_s"]) for s in chosen
    ]
    # the password is in no file of the run
    for path in (tmp_path / "latest").resolve().rglob("*"):
        if path.is_file() and path.suffix in (".json", ".html", ".xml"):
            assert "Smoke#Django1" not in path.read_text(errors="replace"), path
