from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.report.helpers import SECRETS
from tests.report.synthetic import make_synthetic_run


@pytest.fixture(scope="session")
def _synthetic_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Drawing the screenshots is the slow part: make the run once, copy it per test
    return make_synthetic_run(tmp_path_factory.mktemp("template") / "run", steps=80, failures=1, secrets=SECRETS)


@pytest.fixture
def synthetic_run(_synthetic_template: Path, tmp_path: Path) -> Path:
    run_dir = tmp_path / "reports" / "20261126-020000"
    shutil.copytree(_synthetic_template, run_dir)
    return run_dir


@pytest.fixture
def files_snapshot() -> Callable[[Path], dict[Path, float]]:
    def snapshot(root: Path) -> dict[Path, float]:
        return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}

    return snapshot
