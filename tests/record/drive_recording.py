"""A scripted visit recorded by `smoke record`'s machinery: run under xvfb-run by test_record_browser.

    python tests/record/drive_recording.py SCENARIOS NAME [LOG]

Acts in the recorded page the way a person would (Playwright's input is trusted, so the recorder
takes it as the person's), picks two checks with the recorder's assert tools, and ends once the
recorder has logged the last action. LOG keeps a copy of the recorder's log (how the fixtures of
test_convert were captured).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from smoke.record.session import record


def pick(page: Any, tool: str) -> None:
    # what the recorder toolbar's "Assert text" / "Assert visibility" buttons call
    page.evaluate(f"async () => {{ await window.__pw_recorderSetMode({tool!r}); window.__pw_refreshOverlay(); }}")
    page.wait_for_function(f"async () => (await window.__pw_recorderState()).mode === {tool!r}")


def logged(log: Path, count: int, name: str, timeout_s: float = 10) -> None:
    """Poll the recorder's log until it holds `count` actions called `name`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        if text.count(f'"name":"{name}"') >= count:
            return
        time.sleep(0.05)  # polling a file the recorder writes, not waiting a fixed time
    raise AssertionError(f"the recorder did not log {count} x {name}: {text[-500:]}")


def visit(page: Any, log: Path) -> None:
    base = page.url.split("/AdminPortal/")[0]
    # log in again as another staff user: the password typed must not reach the file
    page.goto(f"{base}/AdminPortal/Login")
    page.get_by_label("Username").fill("readonly")
    page.get_by_label("Password").fill("Readonly#2026")
    page.get_by_role("button", name="Log In").click()
    page.locator("#CurrentUsername").wait_for()
    page.get_by_role("link", name="John Smith").click()
    page.get_by_test_id("balance").wait_for()
    pick(page, "assertingText")
    page.get_by_test_id("balance").click()
    page.keyboard.press("Control+Enter")  # accept the text the recorder proposes
    logged(log, 1, "assertText")
    pick(page, "assertingVisibility")
    page.get_by_test_id("account-name").click()
    logged(log, 1, "assertVisible")
    page.get_by_role("link", name="Contacts").first.click()
    page.wait_for_load_state()
    logged(log, 3, "click")
    page.close()  # the person closes the window: the recording ends


if __name__ == "__main__":
    scenarios, name = Path(sys.argv[1]), sys.argv[2]
    keep = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    done = record(scenarios, name, drive=visit, keep_log=keep, command=f"smoke record {name}")
    print(f"written: {done.path}")
