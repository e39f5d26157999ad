"""Screenshots with secrets masked (what a secret is: `smoke.secrets`)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Locator, Page

from smoke.pw import untraced
from smoke.secrets import ALWAYS_MASKED, Secrets

# Has the page changed since the last shot? A watch installed in the document by its first shot
# counts what can change what a screenshot shows: DOM mutations (not the mask attribute above, nor
# Playwright's own x-pw-* mask overlay), scrolling, input, focus, the pointer, loads (images, fonts,
# any resource), animations and transitions starting or ending, resizes, selections, style sheets
# changed by script (their setters and changing methods are wrapped). The answer is
# a token: a new document, a mutation, a scroll position, a field's value (set by script or typed)
# or the fonts' state changes it. What changed before the watch was installed does not matter:
# the shot that installs it is taken after. A page it cannot follow is "volatile" and always shot: frames,
# canvas, video, plugins, SVG animation, web components and shadow roots (a closed one mutates
# unseen; one attached after the watch is seen by wrapping attachShadow), or an animation running
# now. Not seen: a closed shadow root on a plain element attached before the page's first shot, and
# a style rule's property assigned by name (rule.style.color = ...: Chromium offers no setter to
# wrap; rule.style.setProperty is seen, and an element's own style is an attribute, seen).
_CHANGES = r"""(custom) => {
  let w = window.__smokeChanges;
  if (!w) {
    w = window.__smokeChanges = {id: Math.random().toString(36).slice(2), n: 0};
    const ours = (node) => !!node && node.nodeType === 1 && node.localName.startsWith('x-pw-');
    w.count = (records) => {
      for (const r of records) {
        if (r.type === 'attributes' && r.attributeName === 'data-smoke-mask') continue;
        if (ours(r.target) || [...r.addedNodes, ...r.removedNodes].some(ours)) continue;
        w.n++;
        return;
      }
    };
    w.observer = new MutationObserver(w.count);
    w.observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
    const bump = () => { w.n++; };
    for (const type of ['scroll', 'input', 'change', 'focusin', 'focusout', 'mouseover', 'mouseout',
        'pointerdown', 'pointerup', 'keydown', 'keyup', 'load', 'error', 'animationstart', 'animationend',
        'animationcancel', 'transitionrun', 'transitionend', 'transitioncancel', 'resize', 'selectionchange',
        'toggle', 'pageshow'])
      window.addEventListener(type, bump, true);
    if (document.fonts) document.fonts.addEventListener('loadingdone', bump);
    // a shadow root attached from now on (open or closed) makes the page one it cannot follow
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (...args) { w.n++; w.shadow = true; return attach.apply(this, args); };
    try { new PerformanceObserver(bump).observe({type: 'resource'}); } catch (e) { w.n++; }
    // style sheets changed by script (the CSSOM) show in no mutation record: every setter and every
    // changing method of theirs counts (a setter that changes nothing visible only costs a shot)
    const changing = ['insertRule', 'deleteRule', 'addRule', 'removeRule', 'replace', 'replaceSync',
      'setProperty', 'removeProperty', 'appendMedium', 'deleteMedium'];
    for (const name of ['StyleSheet', 'CSSStyleSheet', 'CSSRule', 'CSSGroupingRule', 'CSSStyleRule',
        'CSSStyleDeclaration', 'CSSStyleProperties', 'CSS2Properties', 'MediaList']) {
      const proto = window[name]?.prototype;
      if (!proto) continue;
      for (const key of Object.getOwnPropertyNames(proto)) {
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (!d.configurable) continue;
        const inner = d.set || (changing.includes(key) && typeof d.value === 'function' ? d.value : null);
        if (!inner) continue;
        const counted = function (...args) { w.n++; return inner.apply(this, args); };
        Object.defineProperty(proto, key, d.set ? {...d, set: counted} : {...d, value: counted});
      }
    }
  }
  w.count(w.observer.takeRecords());
  const volatile = custom || w.shadow || document.fonts?.status === 'loading'
    || !!document.querySelector('iframe, frame, canvas, video, embed, object, marquee, animate, animateMotion, animateTransform, set')
    || document.getAnimations().some((a) => a.playState === 'running' || a.pending);
  if (volatile) return null;
  let hash = 2166136261;  // FNV-1a over every field's value, ticked state and selection
  for (const el of document.querySelectorAll('input, textarea, select')) {
    const value = `${el.value}\u0001${el.checked ? 1 : 0}${el.selectedIndex ?? ''}\u0002`;
    for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 16777619);
  }
  return `${w.id}:${w.n}:${scrollX},${scrollY}:${hash >>> 0}:${document.adoptedStyleSheets?.length ?? 0}`;
}"""
# One evaluate before an evidence shot answers what the page needs masked, so the shot resolves no
# mask locator it does not need (each one is a round trip and, for text, a walk of the whole DOM).
# It searches the document and its open shadow roots (Playwright's selectors pierce them): are
# there always-masked fields; is a secret in the text (raw or with whitespace collapsed, as
# get_by_text matches it); which fields hold a secret as their value. get_by_text never matches a
# field's value, so those are marked data-smoke-mask (in ALWAYS_MASKED) and masked from then on:
# a secret typed into a plain text field (a routing number, say) is masked too.
# It also answers whether the page changed since its last shot (_CHANGES).
_NEEDS = (
    """([selector, secrets]) => {
  const roots = [document];
  let custom = false;
  for (let i = 0; i < roots.length; i++)
    for (const el of roots[i].querySelectorAll('*')) {
      if (el.shadowRoot) roots.push(el.shadowRoot);
      if (!custom && el.localName.includes('-') && !el.localName.startsWith('x-pw-')) custom = true;
    }
  custom = custom || roots.length > 1;  // shadow roots: what changes in them is not all seen
  const has = (text) => !!text && secrets.some((s) => text.includes(s));
  let fields = false, text = false;
  for (const root of roots) {
    fields = fields || root.querySelector(selector) !== null;
    const all = (root === document ? document.documentElement : root)?.textContent ?? '';
    text = text || has(all) || has(all.replace(/\\s+/g, ' '));
    for (const el of root.querySelectorAll('input, textarea, select'))
      if (has(el.value)) { el.setAttribute('data-smoke-mask', ''); fields = true; }
  }
  return [fields, text, ("""
    + _CHANGES
    + """)(custom)];
}"""
)
MASKED = ", ".join(ALWAYS_MASKED)


class Evidence:
    """Writes the screenshots of one process (a worker) into the run's shots/ folder."""

    def __init__(self, run_dir: Path, secrets: Secrets, *, quality: int = 70, reuse: bool = True) -> None:
        self.run_dir = run_dir
        # a step that changed nothing keeps its page's last shot when the page shows what it did then
        self.reuse = reuse
        self.reused = 0  # shots not taken again: the page had not changed since its last one
        self.shots = run_dir / "shots"
        self.shots.mkdir(parents=True, exist_ok=True)
        self.secrets = secrets
        self.quality = quality
        self._pattern: tuple[tuple[str, ...], re.Pattern[str] | None] = ((), None)
        self._navigations: weakref.WeakKeyDictionary[Page, list[int]] = weakref.WeakKeyDictionary()
        # per page: what its last shot showed (the page's change token, and what masked it) and the shot
        self._last: weakref.WeakKeyDictionary[Page, tuple[tuple[object, ...], tuple[str, str | None]]]
        self._last = weakref.WeakKeyDictionary()

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
        return self._ask(page, list(extra))[0]

    def _ask(self, page: Page, extra: list[Locator]) -> tuple[list[Locator], str | None]:
        """The masks ``page`` needs now, and its change token (None: a new document, or one that
        cannot be followed, or a page that cannot be asked)."""
        try:
            fields, text, token = page.evaluate(_NEEDS, [MASKED, self.secrets.written()])
        except PlaywrightError:
            return self.masks(page, extra), None
        if not (fields or text):
            return extra, token
        return [self._mask(page, text=bool(text)), *extra], token

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
        self,
        page: Page,
        name: str,
        extra_masks: Iterable[Locator] = (),
        full_page: bool = False,
        *,
        unchanged_ok: bool = False,
    ) -> tuple[str, str | None] | None:
        """Screenshot the page as JPEG with secrets masked; returns (image, thumbnail) relative paths.

        With ``unchanged_ok`` (the step changed nothing it knows of: a check, a save) and reuse on,
        a page that shows exactly what it showed at its last shot, with the same masks, is not shot
        again: its last shot is returned."""
        path = self.shots / f"{name}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = list(extra_masks)
        try:
            with untraced():  # the engine's bookkeeping is no action of the scenario's in its trace
                return self._capture(page, path, extra, full_page, unchanged_ok)
        except PlaywrightError:
            return None

    def _capture(
        self, page: Page, path: Path, extra: list[Locator], full_page: bool, unchanged_ok: bool
    ) -> tuple[str, str | None]:
        count = self._navigated(page)
        before = count[0]
        masks, token = self._ask(page, extra)
        # what the shot would show: the page's state, and what covers it (secrets, masks, size)
        state = (token, before, len(self.secrets.written()), tuple(map(repr, extra)), full_page)
        last = self._last.get(page)
        if token is not None and unchanged_ok and self.reuse and last is not None and last[0] == state:
            self.reused += 1
            return last[1]
        self._shoot(page, path, masks, full_page)
        if count[0] != before:
            # another document came between the question and the shot: it was not asked
            self._shoot(page, path, self.masks(page, extra), full_page)
            token = None
        # Thumbnails are the report's business: it makes them after the run, on every core, so no
        # image work competes with the browser while scenarios run (measured: 12% of a run's time).
        shot = (str(path.relative_to(self.run_dir)), None)
        if token is not None:
            self._last[page] = (state, shot)
        else:
            self._last.pop(page, None)
        return shot

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
