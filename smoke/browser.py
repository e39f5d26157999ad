"""Finding a browser to drive and the arguments to launch it with.

The system's Chromium is preferred where there is one (Debian's ``chromium`` package works with
Playwright); otherwise Playwright's own download is used. ``SMOKE_CHROMIUM`` names an executable
explicitly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Chromium reaches out to Google's services at start; on a closed network those connections are
# refused, slowly and many at a time. These switches keep it quiet and quick.
QUIET_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

SYSTEM_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SYSTEM_CHROMIUM_PATHS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/lib/chromium/chromium",
    "/snap/bin/chromium",
    "/usr/bin/google-chrome",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)


@dataclass(frozen=True)
class BrowserInfo:
    source: str  # "env" | "system" | "playwright" | "none"
    executable: str | None
    version: str | None

    @property
    def found(self) -> bool:
        return self.executable is not None


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def system_chromium() -> str | None:
    override = os.environ.get("SMOKE_CHROMIUM")
    if override:
        return override if _is_executable(override) else None
    for name in SYSTEM_CHROMIUM_NAMES:
        found = shutil.which(name)
        # Ubuntu's chromium-browser may be a shell stub that asks for snap; the real paths win then
        if found and _is_executable(found):
            return found
    for path in SYSTEM_CHROMIUM_PATHS:
        if _is_executable(path):
            return path
    return None


def playwright_chromium() -> str | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as pw:
            path = pw.chromium.executable_path
    except Exception:
        return None
    return path if path and _is_executable(path) else None


def chromium_version(executable: str) -> str | None:
    try:
        out = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=20, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


def find_chromium() -> BrowserInfo:
    system = system_chromium()
    if system:
        source = "env" if os.environ.get("SMOKE_CHROMIUM") else "system"
        return BrowserInfo(source, system, chromium_version(system))
    own = playwright_chromium()
    if own:
        return BrowserInfo("playwright", own, chromium_version(own))
    return BrowserInfo("none", None, None)


def launch_args(headless: bool = True) -> list[str]:
    args = list(QUIET_ARGS)
    # Chromium refuses to run as root with its sandbox on
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


def chromium_launch_kwargs(headless: bool = True) -> dict[str, object]:
    """Keyword arguments for ``playwright.chromium.launch()`` with the browser this machine has."""
    info = find_chromium()
    kwargs: dict[str, object] = {"headless": headless, "args": launch_args(headless)}
    if info.source in ("env", "system"):
        kwargs["executable_path"] = info.executable
    return kwargs


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def xvfb_run() -> str | None:
    return shutil.which("xvfb-run")


def ffmpeg_for_playwright() -> tuple[bool, str]:
    """Whether Playwright can record video: it wants its own ffmpeg build under its cache."""
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    candidates = sorted(cache.glob("ffmpeg-*/ffmpeg-linux")) + sorted(cache.glob("ffmpeg-*/ffmpeg*"))
    for candidate in candidates:
        if _is_executable(str(candidate)):
            return True, str(candidate)
    system = shutil.which("ffmpeg")
    if system:
        return False, f"system ffmpeg at {system}; link it where Playwright looks (make setup does this)"
    return False, "no ffmpeg: video recording is off (apt-get install ffmpeg, then make setup)"


def playwright_ffmpeg_path() -> Path | None:
    """Where this Playwright version looks for its ffmpeg build (from its browsers.json)."""
    import json

    try:
        import playwright
    except ImportError:
        return None
    manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    try:
        entries = json.loads(manifest.read_text())["browsers"]
    except (OSError, ValueError, KeyError):
        return None
    revision = next((b["revision"] for b in entries if b.get("name") == "ffmpeg"), None)
    if revision is None or not sys.platform.startswith("linux"):
        return None
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    return cache / f"ffmpeg-{revision}" / "ffmpeg-linux"


def link_ffmpeg() -> str:
    """Let Playwright record video with the system's ffmpeg when its own build cannot be downloaded."""
    target = playwright_ffmpeg_path()
    if target is None:
        return "video: Playwright's ffmpeg location unknown on this platform"
    if _is_executable(str(target)):
        return f"video: ffmpeg at {target}"
    system = shutil.which("ffmpeg")
    if not system:
        return "video: no ffmpeg (apt-get install ffmpeg, then make setup) - video recording off"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    target.symlink_to(system)
    return f"video: linked {system} -> {target}"


def ensure_browser(say: object = print) -> BrowserInfo:
    """Install a browser when none is found: Playwright's own download, else Debian's chromium (as root)."""
    echo = say if callable(say) else print
    info = find_chromium()
    if info.found:
        echo(f"browser: {info.version or info.executable} ({info.source})")
        return info
    echo("browser: none found; trying `python -m playwright install chromium`")
    done = subprocess.run(
        [sys.executable, "-m", "playwright", "install", "chromium"], capture_output=True, text=True, check=False
    )
    info = find_chromium()
    if done.returncode == 0 and info.found:
        echo(f"browser: {info.version} (playwright)")
        return info
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        echo("browser: Playwright could not download one; installing Debian's chromium with apt-get")
        subprocess.run([apt, "update", "-q"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(
            [apt, "install", "-y", "-q", "chromium"],
            check=False,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        info = find_chromium()
        if info.found:
            echo(f"browser: {info.version} (system)")
            return info
    echo("browser: NONE - install Chromium (apt-get install chromium) or run `python -m playwright install chromium`")
    return info
