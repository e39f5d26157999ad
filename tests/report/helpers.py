"""Helpers for the report tests: planted secrets and a small HTML element finder."""

from __future__ import annotations

import re
from html.parser import HTMLParser

SECRETS = ["hunter2-S3cret&<pw>", "4111111111111111", "eCheck-9876543210"]


class Elements(HTMLParser):
    """Every start tag of a document with its attributes, in document order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        found = []
        for name, values in self.tags:
            if name != tag:
                continue
            if all(
                (
                    re.search(rf"(^|\s){re.escape(v)}(\s|$)", values.get("class", ""))
                    if k == "class_"
                    else values.get(k) == v
                )
                for k, v in attrs.items()
            ):
                found.append(values)
        return found
