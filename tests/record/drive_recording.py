"""A scripted visit recorded by `smoke record`'s machinery: run under xvfb-run by test_record_browser.

    python tests/record/drive_recording.py SCENARIOS NAME [LOG]

Acts in the recorded page the way a person would (Playwright's input is trusted, so the recorder
takes it as the person's), picks two checks with the recorder's assert tools, and ends.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from smoke.record.session import record


def pick(page: Any, tool: str) -> None:
    # what the recorder toolbar's "Assert text" / "Assert visibility" buttons call
    page.evaluate(f"async () => {{ await window.__pw_recorderSetMode({tool!r}); window.__pw_refreshOverlay(); }}")


def visit(page: Any) -> None:
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
    page.wait_for_timeout(300)  # the overlay polls the recorder's mode: let it take the new tool
    page.get_by_test_id("balance").click()
    page.keyboard.press("Control+Enter")  # accept the text the recorder proposes
    page.wait_for_timeout(300)
    pick(page, "assertingVisibility")
    page.wait_for_timeout(300)
    page.get_by_test_id("account-name").click()
    page.wait_for_timeout(300)
    page.get_by_role("link", name="Contacts").first.click()
    page.wait_for_load_state()
    page.wait_for_timeout(500)  # the recorder writes its log a moment after the last action


if __name__ == "__main__":
    scenarios, name = Path(sys.argv[1]), sys.argv[2]
    log = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    done = record(scenarios, name, drive=visit, keep_log=log, command=f"smoke record {name}")
    print(f"written: {done.path}")
