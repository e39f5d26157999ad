"""Native dialogs (alert, confirm, prompt, beforeunload): the step that expects one answers it; any
other is dismissed at once and reported, so that a dialog nobody expected never hangs a run."""

from __future__ import annotations

import contextlib
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smoke import pw

if TYPE_CHECKING:
    from playwright.sync_api import Dialog, Page

ACTIONS = ("accept", "dismiss")


@dataclass
class Seen:
    """A dialog that appeared, and what was done with it."""

    type: str  # alert | confirm | prompt | beforeunload
    message: str
    answer: str  # accepted | dismissed
    url: str


@dataclass
class Expectation:
    """What the current step said to do with the dialog it raises."""

    action: str  # accept | dismiss
    text: str | None = None  # the dialog must say this (part of its message); else it is dismissed
    seen: Seen | None = None


Unexpected = Callable[[Seen], None]


class DialogWatch:
    """The one dialog listener of a page. Once Playwright has a listener it no longer dismisses
    dialogs by itself, so this one answers every dialog, expected or not."""

    def __init__(self, page: Page, on_unexpected: Unexpected | None = None) -> None:
        self.page = page
        self.on_unexpected = on_unexpected
        self.expecting: Expectation | None = None
        self.unexpected: list[Seen] = []
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: Dialog) -> None:
        expecting = self.expecting
        if expecting is not None and expecting.seen is None:
            # a dialog that says something else than the step expected is never confirmed
            accept = expecting.action == "accept" and (not expecting.text or expecting.text in dialog.message)
            # noted before it is answered: the step may be waiting for it (see wait())
            expecting.seen = self._seen(dialog, accept)
            self._answer(dialog, accept)
            return
        seen = self._seen(dialog, False)
        self._answer(dialog, False)
        self.unexpected.append(seen)
        if self.on_unexpected is not None:
            self.on_unexpected(seen)

    def _seen(self, dialog: Dialog, accept: bool) -> Seen:
        return Seen(dialog.type, dialog.message, "accepted" if accept else "dismissed", self.page.url)

    def _answer(self, dialog: Dialog, accept: bool) -> None:
        with contextlib.suppress(pw.Error):  # the page may have gone with its dialog
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

    @contextlib.contextmanager
    def expect(self, action: str, text: str | None = None) -> Iterator[Expectation]:
        expectation = Expectation(action, text)
        self.expecting = expectation
        try:
            yield expectation
        finally:
            self.expecting = None

    def wait(self, expectation: Expectation, timeout_ms: float) -> Seen | None:
        """The dialog the step raised; a dialog usually opens while the click is still running, so
        this returns at once, and only a dialog opened later (by a timer, a request) is waited for."""
        deadline = time.monotonic() + timeout_ms / 1000
        while expectation.seen is None:
            left = (deadline - time.monotonic()) * 1000
            if left <= 0:
                return None
            with contextlib.suppress(pw.Error):  # timed out, or the page closed
                self.page.wait_for_event("dialog", timeout=left)
        return expectation.seen


_WATCHES: weakref.WeakKeyDictionary[Page, DialogWatch] = weakref.WeakKeyDictionary()


def watch(page: Page, on_unexpected: Unexpected | None = None) -> DialogWatch:
    """The page's dialog watch, started on first use; ``on_unexpected`` hears of every dialog that
    no step expected (it has been dismissed by then)."""
    existing = _WATCHES.get(page)
    if existing is not None:
        if on_unexpected is not None:
            existing.on_unexpected = on_unexpected
        return existing
    created = DialogWatch(page, on_unexpected)
    _WATCHES[page] = created
    return created


def unexpected_message(seen: Seen) -> str:
    """What the page health warning says of a dialog that no step expected (already dismissed)."""
    return f"{seen.type} dialog {seen.message!r} appeared and was dismissed: no step expected it (give that step dialog: accept or dismiss)"
