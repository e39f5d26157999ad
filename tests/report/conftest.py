from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from smoke.report.synthetic import make_synthetic_run

SECRETS = ["hunter2-S3cret&<pw>", "4111111111111111", "eCheck-9876543210"]


class Elements(HTMLParser):
    """Every start tag of a document with its attributes, in document order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        found = []
        for name, values in self.tags:
            if name != tag:
                continue
            if all(
                (re.search(rf"(^|\s){re.escape(v)}(\s|$)", values.get("class", "")) if k == "class_" else
                 values.get(k) == v)
                for k, v in attrs.items()
            ):
                found.append(values)
        return found


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
