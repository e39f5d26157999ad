"""smoke.pw.untraced: the engine's calls as Playwright's internal ones, and plain calls where it cannot."""

from __future__ import annotations

import pytest

from smoke import pw


def test_inside_untraced_the_current_api_zone_is_an_internal_one() -> None:
    pytest.importorskip("playwright._impl.utils.zones")
    from playwright._impl.utils import zones

    assert zones.current_zone().data("apiZone") is None
    with pw.untraced():
        zone = zones.current_zone().data("apiZone")
        assert zone is not None and zone.internal
    assert zones.current_zone().data("apiZone") is None  # and nothing is left behind


def test_a_playwright_without_api_zones_gets_plain_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    zones = pytest.importorskip("playwright._impl.utils.zones")
    monkeypatch.delattr(zones, "_async_local_storage")  # as a Playwright that keeps its zones elsewhere
    assert not pw.untraced_works()
    ran = []
    with pw.untraced():
        ran.append(True)
    assert ran == [True]
