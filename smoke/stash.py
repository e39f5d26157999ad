"""The keys under which the plugin keeps a run's state in ``config.stash``, for every module that reads it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from smoke.plugin import SmokeState

STATE: pytest.StashKey[SmokeState] = pytest.StashKey()
SIGNING_KEY = pytest.StashKey[Any]()  # smoke.pack.keys.SigningKey | None
