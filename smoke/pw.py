"""Playwright's ``expect`` and ``Error``, imported when first used; ``untraced`` calls.

Reading and checking scenarios (the model layer, ``smoke check``, ``smoke steps``) needs no browser.
The step vocabulary and the dialog watcher name Playwright's API through this module, so importing
them does not import Playwright; the first step that runs does (PEP 562's module ``__getattr__``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def untraced() -> Iterator[None]:
    """Playwright calls made inside are sent as Playwright's own internal calls are: its tracer
    records no action and takes no DOM snapshot before and after them, and its API log skips them.

    For the engine's bookkeeping around a step (the evidence mask question and screenshot): in a
    trace, each of those cost two DOM snapshots, outnumbered the scenario's own actions and hid
    them in the trace viewer. The Python API has no public switch for it; this sets the API zone
    Playwright's client sets for its own internal calls. Where this Playwright has no such zone,
    the calls are made as usual (traced): ``untraced_works()`` says which.
    """
    zone = _internal_zone()
    if zone is None:
        yield
        return
    token = zone[0].set(zone[1])
    try:
        yield
    finally:
        zone[0].reset(token)


def untraced_works() -> bool:
    """Does ``untraced()`` keep calls out of traces with this Playwright?"""
    return _internal_zone() is not None


def _internal_zone() -> tuple[Any, Any] | None:
    try:
        from playwright._impl.channel_owner import ApiZone
        from playwright._impl.utils import zones

        storage = zones._async_local_storage
        zone = zones.current_zone().with_("apiZone", ApiZone("smoke", [], None, True))
    except (ImportError, AttributeError, TypeError):
        return None
    return storage, zone
