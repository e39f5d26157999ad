"""Screenshots with secrets masked (what a secret is: `smoke.secrets`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from smoke.secrets import ALWAYS_MASKED, Secrets


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
