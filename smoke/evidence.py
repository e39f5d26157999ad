"""Screenshots with secrets masked, thumbnails made off the critical path, and secret scrubbing."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

MASK_TEXT = "••••"
# Fields that hold secrets on any site: always masked in screenshots.
ALWAYS_MASKED = (
    "input[type=password]",
    "input[autocomplete=cc-number]",
    "input[autocomplete=cc-csc]",
    "input[autocomplete=current-password]",
    "input[autocomplete=new-password]",
    "[data-smoke-mask]",
)
# Data-file keys whose values are secrets (card numbers, passwords, bank details).
SECRET_KEY = re.compile(
    r"(password|passwd|secret|token|card_?number|cc_?number|cvv|cvc|csc|bank_?account|account_?no_bank|routing)",
    re.IGNORECASE,
)


class Secrets:
    """Strings that must never reach a report, a log or a screenshot."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        for value in values:
            self.add(value)

    def add(self, value: str | None) -> None:
        # very short values ("1", "ok") would blank out ordinary text; they are not secrets worth the name
        if value and len(value) >= 4:
            with self._lock:
                self._values.add(value)

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._values, key=len, reverse=True)

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def scrub(self, text: str | None) -> str | None:
        if not text:
            return text
        for value in self.values():
            if value in text:
                text = text.replace(value, MASK_TEXT)
        return text

    def add_from_data(self, data: Any) -> None:
        """Register the values under secret-looking keys anywhere in the data files."""
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str | int) and SECRET_KEY.search(str(key)):
                    self.add(str(value))
                else:
                    self.add_from_data(value)
        elif isinstance(data, list):
            for item in data:
                self.add_from_data(item)


class Evidence:
    """Writes the screenshots of one process (a worker) into the run's shots/ folder."""

    def __init__(self, run_dir: Path, secrets: Secrets, *, quality: int = 70) -> None:
        self.run_dir = run_dir
        self.shots = run_dir / "shots"
        self.shots.mkdir(parents=True, exist_ok=True)
        self.secrets = secrets
        self.quality = quality

    def masks(self, page: Page, extra: Iterable[Locator]) -> list[Locator]:
        masks = [page.locator(", ".join(ALWAYS_MASKED)), *extra]
        values = self.secrets.values()
        if values:
            # one locator for every secret shown as text, however many secrets there are
            masks.append(page.get_by_text(re.compile("|".join(re.escape(v) for v in values))))
        return masks

    def capture(
        self, page: Page, name: str, extra_masks: Iterable[Locator] = (), full_page: bool = False
    ) -> tuple[str, str | None] | None:
        """Screenshot the page as JPEG with secrets masked; returns (image, thumbnail) relative paths."""
        path = self.shots / f"{name}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(
                path=str(path),
                type="jpeg",
                quality=self.quality,
                full_page=full_page,
                mask=self.masks(page, extra_masks),
                mask_color="#1f2937",
                timeout=10_000,
            )
        except PlaywrightError:
            return None
        # Thumbnails are the report's business: it makes them after the run, on every core, so no
        # image work competes with the browser while scenarios run (measured: 12% of a run's time).
        return str(path.relative_to(self.run_dir)), None

    def flush(self) -> None:
        """Nothing is pending: kept so callers can close evidence the same way whatever it does."""

    def close(self) -> None:
        self.flush()


def slug(text: str, limit: int = 48) -> str:
    value = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return value[:limit] or "step"
