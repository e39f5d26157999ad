"""Secrets: the values that must never reach a report, a log or a screenshot, and the one scrubber.

The run registers values in `Secrets` (role passwords, `secrets:` variables, values under
secret-looking keys in the data files, values typed with `secret: true`) and scrubs what it records
with them; the report is rendered with a `Scrubber` of the same values. Both scrub the same way.
Screenshots mask the fields in `ALWAYS_MASKED` and any element that shows a secret (`smoke.evidence`).
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "••••"
# Fields that hold secrets on any site: always masked in screenshots.
ALWAYS_MASKED = (
    "input[type=password]",
    "input[autocomplete=cc-number]",
    "input[autocomplete=cc-csc]",
    "input[autocomplete=current-password]",
    "input[autocomplete=new-password]",
    "[data-smoke-mask]",
)
# Data-file keys whose values are secrets (card numbers, passwords, bank accounts).
SECRET_KEY = re.compile(
    r"(password|passwd|secret|token|card_?number|cc_?number|cvv|cvc|csc|bank_?account|account_?no_bank|routing)",
    re.IGNORECASE,
)
# Shorter spellings would also match markup (a secret "abc" in <abbr>) and, in a screenshot, any
# element that happens to contain them; they are masked in texts only.
MIN_DOCUMENT = 4


def written(secret: str) -> set[str]:
    """How a page or a person writes a secret: as it is, and grouped (card and account numbers)."""
    if not secret:
        return set()
    forms = {secret}
    compact = secret.replace(" ", "").replace("-", "")
    if compact.isdigit() and len(compact) >= 12:
        # card and account numbers are written grouped as often as not
        groups = [compact[i : i + 4] for i in range(0, len(compact), 4)]
        forms.update({compact, " ".join(groups), "-".join(groups)})
    return forms


def spellings(secret: str) -> set[str]:
    """Every spelling a record may hold: written, URL-quoted, HTML-escaped."""
    forms = written(secret)
    forms |= {q for f in forms for q in (quote(f, safe=""), quote(f), quote_plus(f))}
    # a secret with & or < is in HTML (a page, the report) escaped, with or without quotes escaped
    return forms | {html.escape(f, quote=True) for f in forms} | {html.escape(f, quote=False) for f in forms}


class Scrubber:
    """Replaces secrets (and their usual spellings) with the mask in any text: the last line of defence."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            forms |= spellings(secret)
        # longest first, so a secret that contains another is masked whole
        self._text = sorted(forms, key=len, reverse=True)
        self._document = [f for f in self._text if len(f) >= MIN_DOCUMENT]

    def __bool__(self) -> bool:
        return bool(self._text)

    @staticmethod
    def _mask(value: str, forms: list[str]) -> str:
        for form in forms:
            if form in value:
                value = value.replace(form, MASK)
        return value

    def text(self, value: str) -> str:
        return self._mask(value, self._text)

    def document(self, value: str) -> str:
        """A whole HTML document: every spelling of four characters or more."""
        return self._mask(value, self._document)

    def walk(self, value: Any) -> Any:
        """Every string in nested lists, tuples and dicts, except image sources and links."""
        if not self:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.walk(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.walk(v) for v in value)
        if isinstance(value, dict):
            # image sources and links are paths or data: URIs, scrubbed by the document pass
            return {k: (v if k.endswith(("src", "href")) else self.walk(v)) for k, v in value.items()}
        return value


class Secrets:
    """The secrets of a run: added to while it runs (from any thread), scrubbed with at every record."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._scrubber: Scrubber | None = Scrubber(())
        for value in values:
            self.add(value)

    def add(self, value: str | None) -> None:
        # very short values ("1", "ok", a CVV "123") would blank out ordinary text (account numbers,
        # amounts) in every record; they are not secrets worth the name, and a CVV has its own field
        if value and len(value) >= MIN_DOCUMENT:
            with self._lock:
                if value not in self._values:
                    self._values.add(value)
                    self._scrubber = None  # built again on the next scrub

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._values, key=len, reverse=True)

    def written(self) -> list[str]:
        """Every written form of every value (what a page could show), longest first."""
        forms: set[str] = set()
        for value in self.values():
            forms |= written(value)
        return sorted(forms, key=len, reverse=True)

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def scrubber(self) -> Scrubber:
        with self._lock:
            if self._scrubber is None:
                self._scrubber = Scrubber(self._values)
            return self._scrubber

    def scrub(self, text: str | None) -> str | None:
        if not text:
            return text
        return self.scrubber().text(text)

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
