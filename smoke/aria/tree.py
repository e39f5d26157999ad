"""Playwright's aria snapshot (YAML text) as a tree, normalised so that an unchanged page reads the same.

A snapshot looks like::

    - banner:
      - link "Example app":
        - /url: /admin/
    - heading "Event Log" [level=1]
    - textbox "Date From": 2026-06-15
    - text: 200 row(s).

Each item is a role, an optional quoted accessible name, ``[attributes]``, and either an inline text
or children; items whose key starts with ``/`` are properties of their parent (``/url``).
:func:`normalise` replaces what changes on its own (dates, times, amounts, run ids, counters, long
digit runs) with placeholders, drops what a person typed (field values: they may be secrets) and the
rows of data tables (their cells are data, checked by the scenarios, not page structure).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

# libyaml's loader where PyYAML was built with it: a big page parses several times faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Roles whose inline text is what was typed or chosen, not what the page says
VALUE_ROLES = frozenset({"textbox", "searchbox", "spinbutton", "combobox", "slider"})
CELL_ROLES = frozenset({"cell", "gridcell"})

_KEY = re.compile(r'^(?P<role>[A-Za-z][\w-]*)(?: "(?P<name>(?:[^"\\]|\\.)*)")?(?P<attrs>(?: \[[^\]]*\])*)$')
_ATTR = re.compile(r"\[([^\]]*)\]")

# Order matters: a run id holds a date, a date holds numbers.
_VOLATILE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b\d{8}-\d{6}(?:-[0-9a-f]{2,8})?(?:-\d+)?\b"), "<run>"),
    (
        re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"),
        "<date>",
    ),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"), "<date>"),
    (re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?\b"), "<time>"),
    (re.compile(r"\(?-?[$€£¥]\s?-?\d[\d,]*(?:\.\d+)?\)?"), "<amount>"),
    (re.compile(r"\d{4,}"), "<id>"),
    (re.compile(r"\d+(?:[.,]\d+)*"), "<n>"),
]
PLACEHOLDER = re.compile(r"<(?:run|date|time|amount|id|n)>")


@dataclass
class Node:
    role: str
    name: str | None = None
    attrs: list[str] = field(default_factory=list)  # "level=2", "checked", ...
    value: str | None = None  # inline text: "- listitem: Packages 2"
    props: dict[str, str] = field(default_factory=dict)  # "/url": "/admin/"
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def label(self) -> str:
        return f"{self.role} {self.name!r}" if self.name else self.role


class SnapshotError(ValueError):
    pass


def parse(text: str) -> Node:
    """The snapshot's items as the children of a root node (role ``page``)."""
    try:
        data = yaml.load(text, Loader=_LOADER) if text.strip() else []
    except yaml.YAMLError as exc:
        raise SnapshotError(f"the aria snapshot is not YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        data = []
    if not isinstance(data, list):
        raise SnapshotError("an aria snapshot is a YAML list of items")
    root = Node("page")
    root.children = [node for node in (_item(item) for item in data) if node is not None]
    return root


def _item(item: Any) -> Node | None:
    if isinstance(item, dict):
        if len(item) != 1:
            raise SnapshotError(f"an aria snapshot item has one key, got {sorted(map(str, item))}")
        key, value = next(iter(item.items()))
        node = _key(str(key))
        if isinstance(value, list):
            for child in value:
                if isinstance(child, dict) and len(child) == 1 and str(next(iter(child))).startswith("/"):
                    prop, prop_value = next(iter(child.items()))
                    node.props[str(prop)] = "" if prop_value is None else str(prop_value)
                    continue
                sub = _item(child)
                if sub is not None:
                    node.children.append(sub)
        elif value is not None:
            node.value = _scalar_text(value)
        return node
    if isinstance(item, str):
        return _key(item)
    if item is None:
        return None
    return Node("text", value=_scalar_text(item))


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _key(key: str) -> Node:
    match = _KEY.match(key.strip())
    if match is None:
        # not role "name" [attrs]: keep the text as it is, it still reads the same next time
        return Node("text", value=key.strip())
    name = match.group("name")
    if name is not None:
        with contextlib.suppress(ValueError):
            name = json.loads(f'"{name}"')
    attrs = _ATTR.findall(match.group("attrs") or "")
    return Node(match.group("role"), name, attrs)


# -- normalising -------------------------------------------------------------------------------


def normalise_text(text: str, known: Iterable[str] = ()) -> str:
    """Volatile parts of a text as placeholders: ``Order 100046 on 2026-06-12`` -> ``Order <id> on <date>``."""
    for value in sorted((k for k in known if k), key=len, reverse=True):
        text = text.replace(value, "<run>")
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())


def is_data_row(node: Node) -> bool:
    return node.role == "row" and any(child.role in CELL_ROLES for child in node.children)


def normalise(root: Node, known: Iterable[str] = ()) -> Node:
    """A copy of the tree as it reads on any run of the same release (``known``: run ids to blank)."""
    known = list(known)

    def copy(node: Node) -> Node:
        norm = Node(
            node.role,
            None if node.name is None else normalise_text(node.name, known),
            list(node.attrs),
            None if node.value is None or node.role in VALUE_ROLES else normalise_text(node.value, known),
            {key: normalise_text(value, known) for key, value in node.props.items() if key != "/value"},
        )
        norm.children = [copy(child) for child in node.children if not is_data_row(child)]
        return norm

    return copy(root)


# -- writing it back -----------------------------------------------------------------------------

_PLAIN_UNSAFE = re.compile(r"""^[\s\-?:,\[\]{}#&*!|>'"%@`]|: |\s#|:$|\s$|^$""")


def _yaml_scalar(text: str) -> str:
    if not _PLAIN_UNSAFE.search(text):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return "'" + text.replace("'", "''") + "'"


def node_key(node: Node) -> str:
    key = node.role
    if node.name is not None:
        key += " " + json.dumps(node.name, ensure_ascii=False)
    for attr in node.attrs:
        key += f" [{attr}]"
    return key


def dump(root: Node) -> str:
    """The tree as aria snapshot YAML again (what :func:`parse` reads back to the same tree)."""
    lines: list[str] = []

    def write(node: Node, depth: int) -> None:
        pad = "  " * depth
        key = _yaml_scalar(node_key(node))
        if node.children or node.props:
            lines.append(f"{pad}- {key}:")
            for prop, value in node.props.items():
                lines.append(f"{pad}  - {prop}: {_yaml_scalar(value)}")
            for child in node.children:
                write(child, depth + 1)
        elif node.value is not None:
            lines.append(f"{pad}- {key}: {_yaml_scalar(node.value)}")
        else:
            lines.append(f"{pad}- {key}")

    for child in root.children:
        write(child, 0)
    return "\n".join(lines) + ("\n" if lines else "")


def name_pattern(name: str) -> re.Pattern[str]:
    """A normalised name as a pattern matching the names it stands for (placeholders match anything)."""
    parts = PLACEHOLDER.split(name)
    return re.compile("^" + ".+?".join(re.escape(part) for part in parts) + "$")
