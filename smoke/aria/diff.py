"""Two accessibility trees of a page -> what changed, in the words a person would use. No browser.

Only what a person finds their way by is compared: controls (buttons, links, fields, tabs,
checkboxes, ...), headings, table columns and named regions (region, group, navigation, form,
dialog, table, ...), each by role and accessible name. Text, values and data rows are left to the
scenarios' checks. The two pages' items are aligned like the lines of a text diff; a removed and an
added item of the same role at the same place with similar names are one rename; what an added
region holds is told with the region ("added: region 'Order Insights' with 3 items"), not item by
item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from smoke.aria.tree import Node, is_data_row, name_pattern
from smoke.results import AriaChange

CONTROL_ROLES = frozenset(
    {
        "button",
        "link",
        "textbox",
        "searchbox",
        "combobox",
        "listbox",
        "checkbox",
        "radio",
        "switch",
        "tab",
        "spinbutton",
        "slider",
        "menuitem",
        "menuitemcheckbox",
        "menuitemradio",
        "treeitem",
    }
)
FIELD_ROLES = frozenset({"textbox", "searchbox", "combobox", "listbox", "spinbutton", "slider", "checkbox", "radio"})
COLUMN_ROLES = frozenset({"columnheader", "rowheader"})
# named containers: what a person calls "the Customer Details panel", "the Packages table"
CONTAINER_ROLES = frozenset(
    {
        "region",
        "group",
        "navigation",
        "form",
        "dialog",
        "alertdialog",
        "tabpanel",
        "tablist",
        "complementary",
        "search",
        "table",
        "grid",
        "treegrid",
        "menu",
        "menubar",
        "toolbar",
        "article",
    }
)
RENAME_RATIO = 0.5


@dataclass
class Item:
    role: str
    name: str
    node: Node
    where: str  # the nearest named container: "region 'Customer Details'"
    parent: int | None  # index of the nearest container item
    order: int = 0
    children: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.role, self.name)

    @property
    def container(self) -> bool:
        return self.role in CONTAINER_ROLES


def items(root: Node) -> list[Item]:
    """The nodes worth naming, in page order, each with the container it is in."""
    out: list[Item] = []

    def visit(node: Node, parent: int | None, where: str) -> None:
        if is_data_row(node):
            return  # a table's rows are data
        here, here_where = parent, where
        notable = (
            node.role in CONTROL_ROLES
            or node.role == "heading"
            or node.role in COLUMN_ROLES
            or (node.role in CONTAINER_ROLES and bool(node.name))
        )
        if notable:
            item = Item(node.role, node.name or "", node, where, parent, len(out))
            out.append(item)
            if parent is not None:
                out[parent].children.append(item.order)
            if item.container:
                here, here_where = item.order, describe(node.role, item.name)
        if node.role in CONTROL_ROLES and node.role not in ("listbox", "tablist"):
            return  # a link's text, a combobox's options: part of the control, not more controls
        for child in node.children:
            visit(child, here, here_where)

    for child in root.children:
        visit(child, None, "")
    return out


def describe(role: str, name: str) -> str:
    word = "column" if role == "columnheader" else "row header" if role == "rowheader" else role
    return f"{word} {name!r}" if name else word


def _similar(a: str, b: str) -> float:
    a, b = a.lower(), b.lower()
    if a and b and (a in b or b in a):
        return max(0.8, SequenceMatcher(None, a, b).ratio())
    return SequenceMatcher(None, a, b).ratio()


def _same_kind(a: str, b: str) -> bool:
    return a == b or (a in FIELD_ROLES and b in FIELD_ROLES)


def _holds(item: Item) -> str:
    """What an added or removed container holds: "with 3 items", "with 4 columns and 2 controls"."""
    nodes = list(item.node.walk())[1:]
    counts = [
        (sum(1 for n in nodes if n.role == "listitem"), "item"),
        (sum(1 for n in nodes if n.role == "columnheader"), "column"),
        (sum(1 for n in nodes if n.role == "tab"), "tab"),
        (sum(1 for n in nodes if n.role in FIELD_ROLES), "field"),
        (sum(1 for n in nodes if n.role in ("button", "link", "menuitem")), "control"),
    ]
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts if n]
    if not parts:
        return ""
    return " with " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])


def _where(item: Item) -> str:
    return f" (in {item.where})" if item.where else ""


def _appeared(kind: Literal["added", "removed"], item: Item) -> AriaChange:
    if item.role in COLUMN_ROLES:  # a column is in its table: "added: column 'X' in Orders"
        preposition = " in " if kind == "added" else " from "
        text = f"{kind}: {describe(item.role, item.name)}" + (preposition + item.where if item.where else "")
    else:
        text = f"{kind}: {describe(item.role, item.name)}" + (_holds(item) if item.container else "") + _where(item)
    return AriaChange(kind, item.role, item.name, where=item.where, text=text)


def _renamed(old: Item, new: Item) -> AriaChange:
    if old.name == new.name:
        text = f"changed: {describe(old.role, old.name)} is now a {new.role}" + _where(new)
        return AriaChange("changed", new.role, new.name, was=old.role, where=new.where, text=text)
    word = describe(new.role, "").strip()
    text = f"renamed: {word} {old.name!r} -> {new.name!r}" + _where(new)
    return AriaChange("renamed", new.role, new.name, was=old.name, where=new.where, text=text)


def _pair(removed: list[Item], added: list[Item]) -> list[tuple[Item, Item]]:
    """Renames among the removed and added items of one place: same role, similar names, best first."""
    candidates = []
    for r in removed:
        for a in added:
            if not _same_kind(r.role, a.role):
                continue
            ratio = 1.0 if r.name == a.name else _similar(r.name, a.name)
            if ratio >= RENAME_RATIO:
                candidates.append((ratio + (0.05 if r.where == a.where else 0.0), r.order, a.order, r, a))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    pairs: list[tuple[Item, Item]] = []
    used_r: set[int] = set()
    used_a: set[int] = set()
    for _, _, _, r, a in candidates:
        if r.order in used_r or a.order in used_a:
            continue
        used_r.add(r.order)
        used_a.add(a.order)
        pairs.append((r, a))
    return pairs


def diff(baseline: Node, new: Node) -> list[AriaChange]:
    """What changed from ``baseline`` to ``new`` (both normalised trees), in page order."""
    old_items, new_items = items(baseline), items(new)
    matcher = SequenceMatcher(None, [i.key for i in old_items], [i.key for i in new_items], autojunk=False)
    removed: list[Item] = []
    added: list[Item] = []
    renames: list[tuple[Item, Item]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        block_removed, block_added = old_items[i1:i2], new_items[j1:j2]
        pairs = _pair(block_removed, block_added) if tag == "replace" else []
        paired_r = {r.order for r, _ in pairs}
        paired_a = {a.order for _, a in pairs}
        renames += pairs
        removed += [r for r in block_removed if r.order not in paired_r]
        added += [a for a in block_added if a.order not in paired_a]
    # an item that only moved (removed here, added there with the same role and name) is not new
    moved: list[tuple[Item, Item]] = []
    for r in list(removed):
        twin = next((a for a in added if a.key == r.key), None)
        if twin is not None:
            removed.remove(r)
            added.remove(twin)
            if r.where != twin.where:
                moved.append((r, twin))
    # what an added container holds is told with it
    added_orders = {a.order for a in added}
    removed_orders = {r.order for r in removed}
    added = [a for a in added if not _inside(a, new_items, added_orders)]
    removed = [r for r in removed if not _inside(r, old_items, removed_orders)]
    changes: list[tuple[float, AriaChange]] = []
    changes += [(a.order, _appeared("added", a)) for a in added]
    # a removed item goes where it was: after the new place of the last item before it that stayed
    kept = {i1 + k: j1 + k for i1, j1, size in matcher.get_matching_blocks() for k in range(size)}
    kept.update({r.order: a.order for r, a in renames})
    changes += [
        (max((j for i, j in kept.items() if i < r.order), default=-1) + 0.5, _appeared("removed", r)) for r in removed
    ]
    changes += [(a.order, _renamed(r, a)) for r, a in renames]
    for r, a in moved:
        text = f"moved: {describe(a.role, a.name)} from {r.where or 'the page'} to {a.where or 'the page'}"
        changes.append((a.order, AriaChange("moved", a.role, a.name, was=r.where, where=a.where, text=text)))
    changes.sort(key=lambda c: c[0])
    return [change for _, change in changes]


def _inside(item: Item, all_items: list[Item], changed: set[int]) -> bool:
    parent = item.parent
    while parent is not None:
        if parent in changed:
            return True
        parent = all_items[parent].parent
    return False


# -- removed controls a scenario needs --------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """How a scenario finds an element: a locator reduced to what a snapshot can show."""

    how: str  # role | label | text | placeholder
    value: str  # the role, or the label/text
    name: str | None = None
    exact: bool = False


def _matches(expected: str, name: str, exact: bool) -> bool:
    if "{{" in expected:
        return False  # a template: its value is only known in the run
    pattern = name_pattern(name)
    if exact:
        return bool(pattern.match(expected))
    return bool(pattern.match(expected)) or expected.lower() in name.lower()


def _finds(use: Use, role: str, name: str) -> bool:
    """Whether the locator would find an element of this role and (normalised) name."""
    if use.how == "role":
        return use.value == role and use.name is not None and _matches(use.name, name, use.exact)
    if use.how in ("label", "placeholder"):
        return role in FIELD_ROLES and _matches(use.value, name, use.exact)
    if use.how == "text":
        return role in CONTROL_ROLES | {"heading"} and _matches(use.value, name, use.exact)
    return False


def is_used(change: AriaChange, uses: Iterable[Use]) -> bool:
    """Whether a locator of the scenario found this element before the change and cannot now: a
    removed one, a field that became another kind, a rename its locator does not match any more."""
    for use in uses:
        if change.change == "removed" and _finds(use, change.role, change.name):
            return True
        kind_changed = change.change == "changed" and _finds(use, change.was or "", change.name)
        if kind_changed and not _finds(use, change.role, change.name):
            return True
        renamed_away = change.change == "renamed" and _finds(use, change.role, change.was or "")
        if renamed_away and not _finds(use, change.role, change.name):
            return True
    return False


def mark_used(changes: list[AriaChange], uses: Iterable[Use] | Mapping[str, Iterable[Use]]) -> list[AriaChange]:
    """Flag the removed (and renamed away) elements that scenarios' locators name; ``uses`` is one
    scenario's, or every scenario's by name (then ``used_by`` says which)."""
    by_scenario = {k: list(v) for k, v in uses.items()} if isinstance(uses, Mapping) else {"": list(uses)}
    for change in changes:
        if change.change not in ("removed", "renamed", "changed"):
            continue
        users = [name for name, found in by_scenario.items() if is_used(change, found)]
        if users:
            change.used = True
            change.used_by = [u for u in users if u]
    return changes
