"""Shared helpers: a copy of the example scenarios, its site on a free port, and running `smoke`."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "example"


def launched_chromium() -> Iterator[Any]:
    """A Chromium for tests that drive one directly (skipped where there is none): ``yield from`` it."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from smoke.browser import chromium_launch_kwargs, find_chromium

    if not find_chromium().found:
        pytest.skip("no Chromium on this machine (smoke doctor)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(**chromium_launch_kwargs())
        yield launched
        launched.close()


def page_showing(browser: Any, html: str, width: int, height: int) -> Iterator[Any]:
    """A page of its own context, of that viewport, showing ``html``: ``yield from`` it in a fixture."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_content(html)
    yield page
    context.close()


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """The example site, served on a port the OS picks."""
    handler = functools.partial(_QuietHandler, directory=str(EXAMPLE / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    """A private copy of the example scenarios folder that a test may edit."""
    dest = tmp_path / "scenarios"
    shutil.copytree(EXAMPLE / "scenarios", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def run_smoke(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smoke", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
