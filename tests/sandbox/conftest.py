from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smoke.sandbox import db, domain, seed
from tests.sandbox.sandbox_helpers import TODAY, login, portal_login


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    conn = db.create(path)
    seed.seed(conn, TODAY)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def db_path(seeded_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "sandbox.db"
    shutil.copy(seeded_db, path)
    return path


@pytest.fixture
def ctx(db_path: Path) -> Iterator[domain.Ctx]:
    conn = db.connect(db_path)
    yield domain.Ctx(conn, TODAY)
    conn.close()


@pytest.fixture
def make_app(db_path: Path) -> Callable[..., Any]:
    from smoke.sandbox.app import create_app

    def factory(*faults: str, csrf: bool = False) -> Any:
        return create_app(db_path, faults=faults, csrf=csrf, testing=True)

    return factory


@pytest.fixture
def app(make_app: Callable[..., Any]) -> Any:
    return make_app()


@pytest.fixture
def admin(app: Any) -> Any:
    return login(app.test_client(), "admin")


@pytest.fixture
def customer(app: Any) -> Any:
    return portal_login(app.test_client())
