"""The thirdparty scenarios written as a plain Playwright script, for ``make bench``: the same
actions on the Django admin site, with the same screenshots (a JPEG per step, the password field
masked), so that the engine's whole-command time can be compared with it.

    python -m tests.thirdparty.plain URL OUT_DIR
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from smoke.browser import chromium_launch_kwargs

USER, PASSWORD = "smoke", "Smoke#Django1"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


class Shots:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.n = 0
        out.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page) -> None:
        self.n += 1
        page.screenshot(
            path=str(self.out / f"{self.n:03d}.jpg"),
            type="jpeg",
            quality=70,
            mask=[page.locator("input[type=password]")],
            mask_color="#1f2937",
        )


def log_in(page: Page, url: str, shot: Shots) -> None:
    page.goto(url + "/admin/login/")
    shot(page)
    page.get_by_label("Username").fill(USER)
    shot(page)
    page.get_by_label("Password").fill(PASSWORD)
    shot(page)
    page.get_by_role("button", name="Log in").click()
    shot(page)
    expect(page.locator("#user-tools strong").first).to_have_text(USER)
    shot(page)


def login_scenario(browser: Any, url: str, shot: Shots) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url + "/admin/")
    shot(page)
    expect(page).to_have_url(re.compile(re.escape("/admin/login/")))
    shot(page)
    page.get_by_label("Username").fill(USER)
    shot(page)
    page.get_by_label("Password").fill("not-the-password")
    shot(page)
    page.get_by_role("button", name="Log in").click()
    shot(page)
    expect(page.locator("body")).to_contain_text("Please enter the correct username and password")
    shot(page)
    page.get_by_label("Password").fill(PASSWORD)
    shot(page)
    page.get_by_role("button", name="Log in").click()
    shot(page)
    expect(page.locator("#user-tools strong").first).to_have_text(USER)
    shot(page)
    expect(page.locator("body")).to_contain_text("Site administration")
    shot(page)
    expect(page.get_by_role("table", name="Helpdesk").locator("tr").filter(has_text="Tickets").first).to_be_visible()
    shot(page)
    context.close()


def tickets_scenario(page: Page, url: str, shot: Shots, uid: str) -> None:
    subject = f"Printer on fire {uid}"
    page.goto(url + "/admin/helpdesk/ticket/add/")
    shot(page)
    page.get_by_label("Subject").fill(subject)
    shot(page)
    page.get_by_label("Country").select_option(value="CA")
    shot(page)
    page.get_by_label("Priority").select_option(label="High")
    shot(page)
    page.get_by_role("button", name="Save and continue editing").click()
    shot(page)
    expect(page.locator("ul.messagelist").first).to_contain_text("was added successfully")
    shot(page)
    ticket_id = re.search(r"/ticket/(\d+)/change/", page.url).group(1)  # type: ignore[union-attr]
    shot(page)
    expect(page.get_by_label("Country")).to_have_value("CA")
    shot(page)
    expect(page.get_by_label("Priority")).to_have_value("3")
    shot(page)
    page.goto(url + "/admin/helpdesk/ticket/")
    shot(page)
    page.locator("#searchbar").fill(subject)
    shot(page)
    page.locator("#searchbar").press("Enter")
    shot(page)
    expect(page.locator("#result_list tr").filter(has_text=subject).filter(has_text="Canada")).to_have_count(1)
    shot(page)
    page.get_by_role("link", name=subject).click()
    shot(page)
    expect(page).to_have_url(re.compile(re.escape(f"/admin/helpdesk/ticket/{ticket_id}/change/")))
    shot(page)
    page.get_by_label("Status").select_option(value="closed")
    shot(page)
    page.get_by_label("Priority").select_option(value="1")
    shot(page)
    page.get_by_role("button", name="Save", exact=True).click()
    shot(page)
    expect(page.locator("ul.messagelist").first).to_contain_text("was changed successfully")
    shot(page)
    expect(page.locator("#result_list tr").filter(has_text=subject).filter(has_text="Closed").first).to_be_visible()
    shot(page)
    page.goto(url + f"/admin/helpdesk/ticket/{ticket_id}/change/")
    shot(page)
    page.get_by_role("link", name="Delete", exact=True).click()
    shot(page)
    expect(page.locator("body")).to_contain_text("Are you sure you want to delete the ticket")
    shot(page)
    page.locator("#content form input[type=submit]").click()
    shot(page)
    expect(page.locator("ul.messagelist").first).to_contain_text("was deleted successfully")
    shot(page)
    page.goto(url + f"/admin/helpdesk/ticket/{ticket_id}/change/")
    shot(page)
    expect(page.locator("body")).to_contain_text("doesn’t exist")
    shot(page)


def users_scenario(page: Page, url: str, shot: Shots) -> None:
    page.goto(url + "/admin/auth/user/")
    shot(page)
    expect(page.locator("#result_list tr").filter(has_text=f"{USER}@example.com").first).to_be_visible()
    shot(page)
    page.get_by_role("link", name=USER, exact=True).click()
    shot(page)
    user_id = re.search(r"/user/(\d+)/change/", page.url).group(1)  # type: ignore[union-attr]
    shot(page)
    expect(page.get_by_label("Username")).to_have_value(USER)
    shot(page)
    expect(page.locator("#content h2").first).to_contain_text(USER)
    shot(page)
    page.goto(url + f"/admin/auth/user/{user_id}/password/")
    shot(page)
    expect(page.locator("body")).to_contain_text(f"Change password: {USER}")
    shot(page)


def main(argv: list[str]) -> int:
    url, out = argv[0].rstrip("/"), Path(argv[1])
    shot = Shots(out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium_launch_kwargs())  # type: ignore[arg-type]
        login_scenario(browser, url, shot)
        # one login, its session reused by the next scenarios, as the engine does
        context = browser.new_context(viewport=VIEWPORT)
        log_in(context.new_page(), url, shot)
        state = context.storage_state()
        context.close()
        for run in ("tickets", "users"):
            context = browser.new_context(viewport=VIEWPORT, storage_state=state)
            page = context.new_page()
            page.goto(url + "/admin/")
            if run == "tickets":
                tickets_scenario(page, url, shot, f"plain-{time.time_ns()}")
            else:
                users_scenario(page, url, shot)
            context.close()
        browser.close()
    print(f"{shot.n} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
