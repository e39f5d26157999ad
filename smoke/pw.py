"""Playwright's ``expect`` and ``Error``, imported when first used.

Reading and checking scenarios (the model layer, ``smoke check``, ``smoke steps``) needs no browser.
The step vocabulary and the dialog watcher name Playwright's API through this module, so importing
them does not import Playwright; the first step that runs does (PEP 562's module ``__getattr__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Error as Error
    from playwright.sync_api import expect as expect
else:
    _NAMES = ("Error", "expect")

    def __getattr__(name: str) -> Any:
        if name not in _NAMES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from playwright import sync_api

        return getattr(sync_api, name)
