from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from smoke.cli import main
from smoke.pack.keys import SigningKey, load_private, new_key_pair
from smoke.report.render import render_report
from tests.report.synthetic import make_synthetic_run


@dataclass
class Outcome:
    code: int
    out: str
    err: str


Smoke = Callable[..., Outcome]


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # drawing screenshots is the slow part: one synthetic run, copied per test
    return make_synthetic_run(tmp_path_factory.mktemp("template") / "run", steps=40, failures=0)


@pytest.fixture(scope="session")
def _failed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_synthetic_run(tmp_path_factory.mktemp("failed") / "run", steps=30, failures=1)


@pytest.fixture(scope="session")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    private, public, _ = new_key_pair(tmp_path_factory.mktemp("keys") / "run-key")
    return private, public


@pytest.fixture(scope="session")
def run_key(key_files: tuple[Path, Path]) -> SigningKey:
    return SigningKey(key_files[0], load_private(key_files[0]), "test")


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SMOKE_SIGNING_KEY", raising=False)
    monkeypatch.delenv("SMOKE_SIGNING_KEY_PASSPHRASE", raising=False)
    return tmp_path / "reports"


@pytest.fixture
def signed_run(_template: Path, reports: Path, run_key: SigningKey) -> Path:
    run_dir = reports / "20261126-020000"
    shutil.copytree(_template, run_dir)
    render_report(run_dir, signing_key=run_key)
    return run_dir


@pytest.fixture
def unsigned_run(_template: Path, reports: Path) -> Path:
    run_dir = reports / "20261126-020000"
    shutil.copytree(_template, run_dir)
    render_report(run_dir)
    return run_dir


@pytest.fixture
def failed_run(_failed_template: Path, reports: Path, run_key: SigningKey) -> Path:
    run_dir = reports / "20261126-030000"
    shutil.copytree(_failed_template, run_dir)
    render_report(run_dir, signing_key=run_key)
    return run_dir


@pytest.fixture
def smoke() -> Smoke:
    def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Outcome:
        result = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
        return Outcome(result.exit_code, result.stdout, result.stderr)

    return invoke


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
