"""Screenshots with secrets masked (what a secret is: `smoke.secrets`)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Locator, Page

from smoke.secrets import ALWAYS_MASKED, Secrets

# One evaluate before an evidence shot answers what the page needs masked, so the shot resolves no
# mask locator it does not need (each one is a round trip and, for text, a walk of the whole DOM).
# It searches the document and its open shadow roots (Playwright's selectors pierce them): are
# there always-masked fields; is a secret in the text (raw or with whitespace collapsed, as
# get_by_text matches it); which fields hold a secret as their value. get_by_text never matches a
# field's value, so those are marked data-smoke-mask (in ALWAYS_MASKED) and masked from then on:
# a secret typed into a plain text field (a routing number, say) is masked too.
_NEEDS = """([selector, secrets]) => {
  const roots = [document];
  for (let i = 0; i < roots.length; i++)
    for (const el of roots[i].querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
  const has = (text) => !!text && secrets.some((s) => text.includes(s));
  let fields = false, text = false;
  for (const root of roots) {
    fields = fields || root.querySelector(selector) !== null;
    const all = (root === document ? document.documentElement : root)?.textContent ?? '';
    text = text || has(all) || has(all.replace(/\\s+/g, ' '));
    for (const el of root.querySelectorAll('input, textarea, select'))
      if (has(el.value)) { el.setAttribute('data-smoke-mask', ''); fields = true; }
  }
  return [fields, text];
}"""
MASKED = ", ".join(ALWAYS_MASKED)


class Evidence:
    """Writes the screenshots of one process (a worker) into the run's shots/ folder."""

    def __init__(self, run_dir: Path, secrets: Secrets, *, quality: int = 70) -> None:
        self.run_dir = run_dir
        self.shots = run_dir / "shots"
        self.shots.mkdir(parents=True, exist_ok=True)
        self.secrets = secrets
        self.quality = quality
        self._pattern: tuple[tuple[str, ...], re.Pattern[str] | None] = ((), None)
        self._navigations: weakref.WeakKeyDictionary[Page, list[int]] = weakref.WeakKeyDictionary()

    def _secret_text(self) -> re.Pattern[str] | None:
        forms = tuple(self.secrets.written())
        if forms != self._pattern[0]:
            # one pattern for every secret shown as text, however many secrets there are
            self._pattern = (forms, re.compile("|".join(map(re.escape, forms))) if forms else None)
        return self._pattern[1]

    def _mask(self, page: Page, *, text: bool) -> Locator:
        """The always-masked fields and, with ``text``, any element whose text shows a secret: one locator."""
        masked = page.locator(MASKED)
        pattern = self._secret_text() if text else None
        return masked.or_(page.get_by_text(pattern)) if pattern else masked

    def masks(self, page: Page, extra: Iterable[Locator]) -> list[Locator]:
        """Everything that could show a secret on ``page``, whatever it shows now, and ``extra``."""
        return [self._mask(page, text=True), *extra]

    def needed_masks(self, page: Page, extra: Iterable[Locator]) -> list[Locator]:
        """What ``page`` shows now that must be masked, and ``extra``: none of ours on a page with
        no secret field and no secret in it. If the page cannot be asked, everything that could."""
        try:
            fields, text = page.evaluate(_NEEDS, [MASKED, self.secrets.written()])
        except PlaywrightError:
            return self.masks(page, extra)
        if not (fields or text):
            return list(extra)
        return [self._mask(page, text=bool(text)), *extra]

    def _navigated(self, page: Page) -> list[int]:
        """A count of the page's navigations, kept by an event listener (no round trip to ask)."""
        count = self._navigations.get(page)
        if count is None:
            count = self._navigations[page] = [0]

            def navigated(frame: Frame) -> None:
                if frame == page.main_frame:
                    count[0] += 1

            page.on("framenavigated", navigated)
        return count

    def capture(
        self, page: Page, name: str, extra_masks: Iterable[Locator] = (), full_page: bool = False
    ) -> tuple[str, str | None] | None:
        """Screenshot the page as JPEG with secrets masked; returns (image, thumbnail) relative paths."""
        path = self.shots / f"{name}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = list(extra_masks)
        count = self._navigated(page)
        before = count[0]
        try:
            masks = self.needed_masks(page, extra)
            self._shoot(page, path, masks, full_page)
            if count[0] != before:
                # another document came between the question and the shot: it was not asked
                self._shoot(page, path, self.masks(page, extra), full_page)
        except PlaywrightError:
            return None
        # Thumbnails are the report's business: it makes them after the run, on every core, so no
        # image work competes with the browser while scenarios run (measured: 12% of a run's time).
        return str(path.relative_to(self.run_dir)), None

    def _shoot(self, page: Page, path: Path, masks: list[Locator], full_page: bool) -> None:
        page.screenshot(
            path=str(path),
            type="jpeg",
            quality=self.quality,
            full_page=full_page,
            mask=masks,
            mask_color="#1f2937",
            # the caret is left as it is: hiding it restyles the page and paints it twice more, per
            # shot (see `make bench`, "screenshots"); evidence JPEGs are never compared pixel by pixel
            caret="initial",
            timeout=10_000,
        )

    def flush(self) -> None:
        """Nothing is pending: kept so callers can close evidence the same way whatever it does."""

    def close(self) -> None:
        self.flush()


def slug(text: str, limit: int = 48) -> str:
    value = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return value[:limit] or "step"
