"""Finding elements the way a person sees them: role and name, label, text, test id, ...

A locator is written in a scenario as a mapping (``{label: Username}``, ``{button: Log In}``,
``{role: row, name: Order 42}``, ``{test_id: balance}``, ``{css: "#username"}``) or as a
plain string, which is the name of an entry in the target's locator map or, failing that, the
exact visible text. ``in:`` scopes a locator inside another one; ``nth:`` picks one of several.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smoke.yamlfile import ConfigError, MarkedDict, Pos

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# Shorthand keys: `button: Save` means role=button, name=Save.
ROLE_SHORTHANDS = (
    "button",
    "link",
    "heading",
    "tab",
    "checkbox",
    "radio",
    "textbox",
    "combobox",
    "row",
    "cell",
    "menuitem",
    "option",
    "table",
    "dialog",
    "alert",
    "status",
    "listitem",
)
PRIMARY_KEYS = (
    "role",
    "label",
    "text",
    "placeholder",
    "test_id",
    "alt",
    "title",
    "css",
    "xpath",
    "ref",
    *ROLE_SHORTHANDS,
)
MODIFIER_KEYS = ("name", "exact", "nth", "in", "has_text")
LOCATOR_KEYS = frozenset(PRIMARY_KEYS + MODIFIER_KEYS)


@dataclass(frozen=True)
class LocatorSpec:
    how: str  # role | label | text | placeholder | test_id | alt | title | css | xpath | ref
    value: str  # may hold a template; rendered at run time
    name: str | None = None  # accessible name, for role
    exact: bool | None = None
    nth: int | None = None  # 0-based; -1 = last
    within: LocatorSpec | None = None
    has_text: str | None = None
    pos: Pos | None = None
    label: str | None = None  # the locator-map name it came from: what messages call it

    def describe(self) -> str:
        if self.label:
            base = self.label
        elif self.how == "role":
            base = f"{self.value} {self.name!r}" if self.name else f"any {self.value}"
        elif self.how == "ref":
            base = f"{self.value!r}"
        elif self.how == "test_id":
            base = f"[data-testid={self.value}]"
        elif self.how in ("css", "xpath"):
            base = self.value
        else:
            base = f"{self.how} {self.value!r}"
        if self.has_text:
            base += f" with text {self.has_text!r}"
        if self.nth is not None:
            base += " (last)" if self.nth == -1 else f" (#{self.nth + 1})"
        if self.within is not None:
            base += f" in {self.within.describe()}"
        return base

    def templates(self) -> list[str]:
        out = [self.value]
        if self.name:
            out.append(self.name)
        if self.has_text:
            out.append(self.has_text)
        if self.within:
            out.extend(self.within.templates())
        return out


def has_locator_keys(raw: Mapping[str, Any]) -> bool:
    return any(key in PRIMARY_KEYS for key in raw)


def parse_locator(raw: Any, pos: Pos) -> LocatorSpec:
    """A locator from YAML: a string (map name or visible text) or a mapping."""
    if isinstance(raw, str):
        return LocatorSpec("ref", raw, pos=pos)
    if not isinstance(raw, dict):
        raise ConfigError(
            f"a locator must be a text or a mapping, not {type(raw).__name__}",
            pos,
            "e.g. {label: Username} or {button: Log In} or {test_id: balance}",
        )
    primaries = [key for key in raw if key in PRIMARY_KEYS]
    if not primaries:
        raise ConfigError(
            "this locator says nothing to find the element by",
            pos,
            "give one of: role, label, text, placeholder, test_id, css, or button/link/tab/... with a name",
        )
    if len(primaries) > 1:
        raise ConfigError(
            f"a locator takes one way to find the element, got {', '.join(primaries)}",
            pos,
            "keep one, and put scoping under 'in:'",
        )
    for key in raw:
        if key not in LOCATOR_KEYS:
            close = difflib.get_close_matches(str(key), sorted(LOCATOR_KEYS), n=2)
            raise ConfigError(
                f"unknown locator key {key!r}",
                raw.pos_of(key) if isinstance(raw, MarkedDict) else pos,
                f"did you mean {' or '.join(close)}?" if close else "see `smoke steps` for locator keys",
            )
    key = primaries[0]
    value = raw[key]
    name = raw.get("name")
    how = key
    if key in ROLE_SHORTHANDS:
        how, name, value = "role", value, key
    if not isinstance(value, str | int | float):
        raise ConfigError(f"{key!r} needs a text value", pos)
    nth_raw = raw.get("nth")
    nth: int | None
    if nth_raw is None:
        nth = None
    elif nth_raw == "first":
        nth = 0
    elif nth_raw == "last":
        nth = -1
    elif isinstance(nth_raw, int) and nth_raw >= 1:
        nth = nth_raw - 1
    else:
        raise ConfigError(f"nth must be first, last or a number from 1, got {nth_raw!r}", pos)
    within = None
    if "in" in raw:
        inner_pos = raw.pos_of("in") if isinstance(raw, MarkedDict) else pos
        within = parse_locator(raw["in"], inner_pos)
    exact = raw.get("exact")
    if exact is not None and not isinstance(exact, bool):
        raise ConfigError("exact must be true or false", pos)
    return LocatorSpec(
        how=how,
        value=str(value),
        name=None if name is None else str(name),
        exact=exact,
        nth=nth,
        within=within,
        has_text=None if raw.get("has_text") is None else str(raw["has_text"]),
        pos=pos,
    )


def resolve_ref(spec: LocatorSpec, locator_map: Mapping[str, LocatorSpec]) -> LocatorSpec:
    """A string locator: the map entry of that name, else the exact visible text."""
    if spec.how != "ref":
        if spec.within is not None:
            return LocatorSpec(**{**spec.__dict__, "within": resolve_ref(spec.within, locator_map)})
        return spec
    if spec.value in locator_map:
        mapped = locator_map[spec.value]
        if mapped.how == "ref" and mapped.value != spec.value:
            mapped = resolve_ref(mapped, locator_map)
        # modifiers written beside a map name (in:, nth:, has_text:, exact:) narrow the mapped locator
        return LocatorSpec(
            how=mapped.how,
            value=mapped.value,
            name=mapped.name,
            exact=spec.exact if spec.exact is not None else mapped.exact,
            nth=spec.nth if spec.nth is not None else mapped.nth,
            within=resolve_ref(spec.within, locator_map) if spec.within is not None else mapped.within,
            has_text=spec.has_text or mapped.has_text,
            pos=mapped.pos,
            label=spec.value,
        )
    within = resolve_ref(spec.within, locator_map) if spec.within is not None else None
    return LocatorSpec(
        "text",
        spec.value,
        exact=True if spec.exact is None else spec.exact,
        nth=spec.nth,
        within=within,
        has_text=spec.has_text,
        pos=spec.pos,
    )


def close_map_names(name: str, locator_map: Mapping[str, LocatorSpec]) -> list[str]:
    return difflib.get_close_matches(name, sorted(locator_map), n=3, cutoff=0.7)


def build(page: Page | Locator, spec: LocatorSpec, render: Any = lambda s: s) -> Locator:
    """Turn a resolved spec into a Playwright locator; ``render`` fills in templates."""
    root: Page | Locator = page
    if spec.within is not None:
        root = build(page, spec.within, render)
    value = render(spec.value)
    exact = spec.exact
    loc: Locator
    if spec.how == "role":
        name = render(spec.name) if spec.name else None
        loc = root.get_by_role(value, name=name, exact=bool(exact)) if name else root.get_by_role(value)
    elif spec.how == "label":
        loc = root.get_by_label(value, exact=bool(exact))
    elif spec.how == "text":
        loc = root.get_by_text(value, exact=bool(exact))
    elif spec.how == "placeholder":
        loc = root.get_by_placeholder(value, exact=bool(exact))
    elif spec.how == "test_id":
        loc = root.get_by_test_id(value)
    elif spec.how == "alt":
        loc = root.get_by_alt_text(value, exact=bool(exact))
    elif spec.how == "title":
        loc = root.get_by_title(value, exact=bool(exact))
    elif spec.how == "xpath":
        loc = root.locator(f"xpath={value}")
    else:  # css, and any ref that reached here unresolved
        loc = root.locator(value)
    if spec.has_text:
        loc = loc.filter(has_text=render(spec.has_text))
    if spec.nth is not None:
        loc = loc.last if spec.nth == -1 else loc.nth(spec.nth)
    return loc
