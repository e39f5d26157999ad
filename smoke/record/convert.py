"""Playwright's recorder log (JSONL, one action a line) -> steps of our vocabulary, as YAML.

The recorder writes what a person did as actions (``navigate``, ``click``, ``fill``, ``select``,
``press``, ``check``, ``assertText``, ...), each with the locator Playwright chose for the element
(role and name, label, text, test id, placeholder, or a CSS selector). This module knows nothing of
browsers: it reads that log and what the target already knows (its locator map, its credentials and
the secrets of the data files) and writes a scenario a person can read:

- locators as a person sees them, and the locator-map name where an entry finds the same element;
- values that are known secrets (passwords, card numbers) as ``{{ env.NAME }}`` or ``{{ data... }}``,
  never as text; a field that looks like a password but holds no known secret gets a new variable;
- the recorder's assertions as ``expect_*`` steps, and a caption (``says:``) for every step.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

from smoke.locators import ROLE_SHORTHANDS, LocatorSpec, parse_locator
from smoke.yamlfile import Pos

# A field whose name says it holds a secret: its value is never written, known or not.
SECRET_FIELD = re.compile(r"pass(word|wd|code)?\b|\bpin\b|secret|token|cvv|cvc|csc|card ?number|routing|iban", re.I)
# Roles whose accessible name is usually their label: `{textbox: Username}` finds what `{label: Username}` finds.
FIELD_ROLES = ("textbox", "combobox", "searchbox", "spinbutton", "checkbox", "radio", "listbox", "slider", "switch")
# Actions that only read: a recording made of these alone does not change data.
READ_ONLY_ACTIONS = {"navigate", "openPage", "closePage", "assertText", "assertValue", "assertVisible"}
_NOWHERE = Pos("<recording>", 1, 1)


@dataclass
class Known:
    """What the target already knows, so the recording uses it instead of literal values."""

    locators: Mapping[str, LocatorSpec] = field(default_factory=dict)
    # value -> the template that stands for it: secrets (passwords, card numbers) ...
    secrets: Mapping[str, str] = field(default_factory=dict)
    # ... and plain values worth naming (a role's user name)
    values: Mapping[str, str] = field(default_factory=dict)
    base_urls: Mapping[str, str] = field(default_factory=dict)  # side -> base URL, as the run will see it
    side: str = "admin"
    # what the page said of the elements the person used, as they were used (see session.FACTS_JS):
    # {"names": [map entries written as CSS that match the element], "texts": [its label, name, ...]}
    facts: Sequence[Mapping[str, Any]] = field(default_factory=list)


@dataclass
class Converted:
    steps: list[dict[str, Any]]
    notes: list[str]  # what the person should look at, one line each
    new_env: dict[str, str] = field(default_factory=dict)  # variables invented for unknown secrets -> field
    changes_data: bool = True


def read_log(text: str) -> list[dict[str, Any]]:
    """The actions of a recorder log; its first line (the recorder's options) is not an action."""
    actions: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {number} of the recorder log is not JSON: {exc}") from None
        if isinstance(entry, dict) and "name" in entry:
            actions.append(entry)
    return actions


def known_from_target(target: Any, data: Mapping[str, Any], side: str) -> Known:
    """What a target (smoke.targets.Target) and the data files know: credentials, secrets, map."""
    from smoke.secrets import SECRET_KEY

    env = target.env()
    secrets: dict[str, str] = {}
    values: dict[str, str] = {}
    for role in target.roles.values():
        if env.get(role.password_env):
            secrets[env[role.password_env]] = f"{{{{ env.{role.password_env} }}}}"
        if env.get(role.user_env):
            values[env[role.user_env]] = f"{{{{ env.{role.user_env} }}}}"
    for name in target.secret_envs:
        if env.get(name):
            secrets[env[name]] = f"{{{{ env.{name} }}}}"

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str | int) and not isinstance(value, bool) and SECRET_KEY.search(str(key)):
                    secrets.setdefault(str(value), f"{{{{ {path}.{key} }}}}")
                else:
                    walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{path}[{index}]")

    walk(data, "data")
    return Known(
        locators=target.locators,
        secrets={k: v for k, v in secrets.items() if len(k) >= 4},
        values={k: v for k, v in values.items() if len(k) >= 3},
        base_urls={"admin": target.admin_url, "portal": target.portal_url},
        side=side,
    )


# -- locators ------------------------------------------------------------------------------------


class Unrepresentable(Exception):
    pass


def locator_of(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """The recorder's locator (``{kind, body, options, next}``) as one of ours, e.g. ``{button: Log In}``."""
    current: dict[str, Any] | None = None
    part: Mapping[str, Any] | None = recorded
    while part is not None:
        kind = part.get("kind")
        body = part.get("body")
        options = part.get("options") or {}
        exact = bool(options.get("exact"))
        primary: dict[str, Any] | None = None
        if kind == "role":
            name = options.get("name")
            if name is not None and not isinstance(name, str):
                raise Unrepresentable("a role name given as a pattern")
            if name and body in ROLE_SHORTHANDS:
                primary = {str(body): name}
            elif name:
                primary = {"role": body, "name": name}
            else:
                primary = {"role": body}
            if exact and name:
                primary["exact"] = True
        elif kind in ("label", "text", "placeholder", "alt", "title"):
            if not isinstance(body, str):
                raise Unrepresentable(f"a {kind} given as a pattern")
            primary = {str(kind): body}
            if exact:
                primary["exact"] = True
        elif kind == "test-id":
            if not isinstance(body, str):
                raise Unrepresentable("a test id given as a pattern")
            primary = {"test_id": body}
        elif kind == "default":
            if not isinstance(body, str) or options.get("hasText") or options.get("hasNotText"):
                raise Unrepresentable("a CSS selector with a text filter")
            primary = {"css": body}
        elif kind in ("nth", "first", "last", "has-text", "visible"):
            if current is None:
                raise Unrepresentable(f"{kind} with nothing before it")
            if kind == "first":
                current["nth"] = "first"
            elif kind == "last":
                current["nth"] = "last"
            elif kind == "nth":
                index = int(str(body))
                current["nth"] = "last" if index == -1 else index + 1
            elif kind == "has-text":
                if not isinstance(body, str) or "has_text" in current:
                    raise Unrepresentable("a text filter given as a pattern")
                current["has_text"] = body
            # visible: the steps act on visible elements anyway
        else:
            raise Unrepresentable(f"a locator of kind {kind!r}")
        if primary is not None:
            if current is not None:
                primary["in"] = current
            current = primary
        part = part.get("next")
    if current is None:
        raise Unrepresentable("an empty locator")
    return current


def _spec(locator: Mapping[str, Any]) -> LocatorSpec | None:
    try:
        return parse_locator(dict(locator), _NOWHERE)
    except Exception:
        return None


def _keys(spec: LocatorSpec) -> set[tuple[Any, ...]]:
    """Ways to say the same element: a field's role and name is also its label."""
    within = tuple(sorted(_keys(spec.within))) if spec.within is not None else None
    common = (spec.nth, spec.has_text, within)
    keys = {(spec.how, spec.value.strip().lower(), (spec.name or "").strip().lower(), *common)}
    if spec.how == "role" and spec.value in FIELD_ROLES and spec.name:
        keys.add(("label", spec.name.strip().lower(), "", *common))
    if spec.how == "label":
        for role in FIELD_ROLES:
            keys.add(("role", role, spec.value.strip().lower(), *common))
    return keys


def map_name(locator: Mapping[str, Any], known: Known) -> str | None:
    """The locator-map entry that finds the same element as this recorded locator, if any."""
    spec = _spec(locator)
    if spec is None:
        return None
    wanted = _keys(spec)
    matches = [
        name
        for name, entry in known.locators.items()
        if "{{" not in entry.value and entry.how != "ref" and _keys(entry) & wanted
    ]
    if not matches:
        return None
    # the same test id can be named twice (overview.balance, portal.balance): the side's own group wins
    own = [name for name in matches if known.side in name.split(".")[0]]
    others = [name for name in matches if not any(side in name.split(".")[0] for side in known.base_urls)]
    # an entry of the other side's group (portal_login.submit while on the admin side) is not this element
    chosen = own or others
    return chosen[0] if chosen else None


def _wanted(locator: Mapping[str, Any]) -> str | None:
    for key in (*ROLE_SHORTHANDS, "name", "label", "placeholder", "text", "alt", "title"):
        value = locator.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class _Facts:
    """Map entries written as CSS (``{css: "#Username"}``) cannot be matched from the recorder's
    locator; the page's own description of each element used, in order, can."""

    def __init__(self, known: Known) -> None:
        self.known = known
        self.facts = list(known.facts)
        self.at = 0

    def name(self, locator: Mapping[str, Any]) -> str | None:
        wanted = _wanted(locator)
        if wanted is None or "in" in locator or "nth" in locator:
            return None
        for index in range(self.at, len(self.facts)):
            fact = self.facts[index]
            texts = {str(t).strip().lower() for t in fact.get("texts", [])}
            names = [str(n) for n in fact.get("names", []) if str(n) in self.known.locators]
            if wanted.strip().lower() in texts and names:
                self.at = index  # the next action is on this element or a later one
                own = [n for n in names if self.known.side in n.split(".")[0]]
                others = [n for n in names if not any(side in n.split(".")[0] for side in self.known.base_urls)]
                chosen = own or others
                return chosen[0] if chosen else None
        return None


def what(locator: Mapping[str, Any] | str) -> str:
    """How a caption names an element: "the Log In button", "the Username field"."""
    if isinstance(locator, str):
        return locator
    inner = f" in {what(locator['in'])}" if "in" in locator else ""
    for role in ROLE_SHORTHANDS:
        if role in locator:
            noun = {"textbox": "field", "combobox": "list", "row": "row", "cell": "cell"}.get(role, role)
            return f"the {locator[role]} {noun}{inner}"
    if "role" in locator:
        return f"the {locator.get('name', '')} {locator['role']}".replace("  ", " ") + inner
    if "label" in locator:
        return f"the {locator['label']} field{inner}"
    if "placeholder" in locator:
        return f"the {locator['placeholder']} field{inner}"
    if "text" in locator:
        return f"{locator['text']!r}{inner}"
    if "test_id" in locator:
        return f"{str(locator['test_id']).replace('-', ' ').replace('_', ' ')}{inner}"
    for key in ("alt", "title"):
        if key in locator:
            return f"{locator[key]!r}{inner}"
    return f"the element {locator.get('css', '?')}{inner}"


# -- values --------------------------------------------------------------------------------------


def _literal(text: str) -> str:
    """Recorded text as a template-safe value: a ``{{`` typed by the person is not an expression."""
    if "{{" in text or "{%" in text or "{#" in text:
        return "{{ " + json.dumps(text) + " }}"
    return text


def templated(text: str, known: Known) -> tuple[str, bool]:
    """The value with known secrets (anywhere in it) and known values (the whole of it) as templates."""
    if text in known.values:
        return known.values[text], False
    found = sorted((value for value in known.secrets if value in text), key=len, reverse=True)
    if not found:
        return _literal(text), False
    pattern = re.compile("|".join(re.escape(value) for value in found))
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        out += [_literal(text[pos : match.start()]), known.secrets[match.group(0)]]
        pos = match.end()
    out.append(_literal(text[pos:]))
    return "".join(out), True


# -- actions -------------------------------------------------------------------------------------


def _path(url: str, known: Known) -> str:
    """An address as ``open:`` takes it: a path on the current side, or the other side's URL template."""
    bases = {side: base for side, base in known.base_urls.items() if base}
    for side in [known.side, *[s for s in bases if s != known.side]]:
        base = bases.get(side)
        if not base:
            continue
        if url.startswith(base) or url.rstrip("/") == base.rstrip("/"):
            rest = url[len(base) :] if url.startswith(base) else ""
            if side == known.side:
                return "/" + rest
            return f"{{{{ target.{side}_url }}}}{_literal(rest)}"
    return _literal(url)


def _keys_of(action: Mapping[str, Any]) -> str:
    key = str(action.get("key", ""))
    modifiers = int(action.get("modifiers") or 0)
    names = [name for bit, name in ((1, "Alt"), (2, "Control"), (4, "Meta"), (8, "Shift")) if modifiers & bit]
    return "+".join([*names, key]) if names and "+" not in key else key


def convert(actions: Iterable[Mapping[str, Any]], known: Known, start: str | None = None) -> Converted:
    """Turn recorded actions into steps (mappings ready for YAML), with notes for the person.
    ``start`` is the page the recording started at: the scenario opens it first."""
    steps: list[dict[str, Any]] = []
    if start:
        steps.append({"open": start, "says": f"Open {start}"})
    notes: list[str] = []
    new_env: dict[str, str] = {}
    pages: list[str] = []
    changes = False
    facts = _Facts(known)
    for number, action in enumerate(actions, 1):
        name = str(action.get("name", ""))
        page = str(action.get("pageGuid", ""))
        if page and page not in pages:
            pages.append(page)
            if len(pages) == 2:
                notes.append(
                    f"action {number}: a second tab or window was used; its steps are written in order, "
                    "but a scenario runs in one page: check them"
                )
        for signal in action.get("signals") or []:
            kind = signal.get("name") if isinstance(signal, dict) else None
            if kind in ("dialog", "popup", "download"):
                notes.append(f"action {number} ({name}) raised a {kind}: check the steps after it")
        if name not in READ_ONLY_ACTIONS:
            changes = True
        if name in ("openPage", "navigate"):
            url = str(action.get("url") or "")
            if not url or url == "about:blank" or url.startswith(("chrome:", "about:")):
                continue
            path = _path(url, known)
            step: dict[str, Any] = {"open": path, "says": f"Open {path if '{{' not in path else url}"}
            if steps and "open" in steps[-1]:
                steps[-1] = step  # nothing was done on the page before: only the last address counts
                continue
            steps.append(step)
            continue
        if name == "closePage":
            continue
        locator: dict[str, Any] | str | None = None
        if "locator" in action or "selector" in action:
            try:
                mapping = locator_of(action["locator"]) if isinstance(action.get("locator"), dict) else None
                if mapping is None:
                    raise Unrepresentable("no locator")
                named = map_name(mapping, known) or facts.name(mapping)
                locator = named if named else mapping
            except Unrepresentable as exc:
                selector = str(action.get("selector", ""))
                locator = {"css": selector}
                notes.append(
                    f"action {number} ({name}): {exc}; kept Playwright's selector {selector!r}: "
                    "replace it with a label, a role and name, or a test id"
                )
        made = _step(name, action, locator, known, new_env, notes, number)
        if made is not None:
            steps.append(made)
    return Converted(steps=steps, notes=notes, new_env=new_env, changes_data=changes)


def _with(locator: dict[str, Any] | str, **args: Any) -> dict[str, Any]:
    base = {"ref": locator} if isinstance(locator, str) else dict(locator)
    return {**base, **args}


def _step(
    name: str,
    action: Mapping[str, Any],
    locator: dict[str, Any] | str | None,
    known: Known,
    new_env: dict[str, str],
    notes: list[str],
    number: int,
) -> dict[str, Any] | None:
    if locator is None:
        notes.append(f"action {number} ({name}) names no element: left out")
        return None
    who = what(locator)
    recorded = action.get("locator")
    if isinstance(locator, str) and isinstance(recorded, dict):
        # a map name reads badly in a caption: say what the person saw
        with contextlib.suppress(Unrepresentable):
            who = what(locator_of(recorded))
    if name == "click":
        button = action.get("button", "left")
        if button != "left" or int(action.get("modifiers") or 0):
            notes.append(f"action {number}: a {button} click with modifier keys was written as a plain click")
        args: dict[str, Any] | str = locator if int(action.get("clickCount") or 1) < 2 else _with(locator, double=True)
        return {"click": args, "says": f"Click {who}"}
    if name == "fill":
        text = str(action.get("text", ""))
        value, secret = templated(text, known)
        field_name = _field_name(action, locator)
        if not secret and text and SECRET_FIELD.search(field_name):
            env_name = f"SMOKE_RECORDED_SECRET_{len(new_env) + 1}"
            new_env[env_name] = field_name
            value, secret = f"{{{{ env.{env_name} }}}}", True
        if secret:
            variable = re.sub(r"^\{\{\s*|\s*\}\}$", "", value) if value.count("{{") == 1 else "a secret"
            return {"fill": _with(locator, value=value), "says": f"Fill {who} with the secret ({variable})"}
        return {"fill": _with(locator, value=value), "says": f"Fill {who} with {value!r}"}
    if name == "select":
        options = [str(o) for o in action.get("options") or []]
        option: str | list[str] = options[0] if len(options) == 1 else options
        return {"select": _with(locator, option=option), "says": f"Choose {', '.join(options)} in {who}"}
    if name in ("check", "uncheck"):
        return {name: locator, "says": f"{'Tick' if name == 'check' else 'Untick'} {who}"}
    if name == "press":
        key = _keys_of(action)
        return {"press": _with(locator, key=key), "says": f"Press {key} in {who}"}
    if name == "setInputFiles":
        files = [str(f) for f in action.get("files") or []]
        notes.append(
            f"action {number}: uploads {', '.join(files) or 'no file'}: put the file(s) in the scenarios "
            "folder (data/) and check the path"
        )
        file: str | list[str] = f"data/{files[0]}" if len(files) == 1 else [f"data/{f}" for f in files]
        return {"upload": _with(locator, file=file), "says": f"Upload {', '.join(files)} into {who}"}
    if name == "assertText":
        text = str(action.get("text", ""))
        value, _secret = templated(text, known)
        args = _with(locator, text=value)
        if action.get("substring") is False:
            args["exact"] = True
        return {"expect_text": args, "says": f"{who[0].upper() + who[1:]} shows {value!r}"}
    if name == "assertValue":
        value, _secret = templated(str(action.get("value", "")), known)
        return {"expect_value": _with(locator, value=value), "says": f"{who[0].upper() + who[1:]} holds {value!r}"}
    if name == "assertVisible":
        return {"expect_count": _with(locator, count=1), "says": f"{who[0].upper() + who[1:]} is shown"}
    notes.append(
        f"action {number} ({name}) has no step of its own: left out"
        + (" (an aria snapshot: check the texts with expect_text)" if name == "assertSnapshot" else "")
        + (
            " (a checked state: tick it with check:, or check the page with expect_text)"
            if name == "assertChecked"
            else ""
        )
    )
    return None


def _field_name(action: Mapping[str, Any], locator: dict[str, Any] | str) -> str:
    parts = [str(action.get("selector", ""))]
    if isinstance(locator, str):
        parts.append(locator)
    else:
        parts.extend(str(v) for k, v in locator.items() if k != "in")
    return " ".join(parts)


# -- the scenario file ---------------------------------------------------------------------------


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=100_000)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return text.removesuffix("...").strip()


def scenario_yaml(
    converted: Converted, *, name: str, side: str, role: str, command: str, recorded_on: str, url: str
) -> str:
    """The scenario file: a header saying how it was made, then one step per line with its caption."""
    lines = [
        f"# Recorded with `{command}` on {recorded_on}.",
        "# Read it through: name the checklist items it covers, add checks (expect_text, expect_row, ...)",
        "# where the recording only acted, and set changes_data: false if it only reads.",
    ]
    for note in converted.notes:
        lines.append(f"# note: {note}")
    for env_name, field_name in converted.new_env.items():
        lines.append(f"# {env_name}: the secret typed into {field_name.strip()!r}; export it before running")
    title = name.replace("-", " ").replace("_", " ").strip().capitalize() or "Recorded scenario"
    header = {
        "name": title,
        "description": f"Recorded as {role} on the {side} side, starting at {url}.",
        "checklist": [],
        "tags": ["recorded"],
        "side": side,
        "role": role,
        "changes_data": converted.changes_data,
    }
    for key, value in header.items():
        lines.append(f"{key}: {_flow(value)}")
    lines.append("steps:")
    if not converted.steps:
        lines.append(f"  - open: {_flow(url)}")
    for step in converted.steps:
        kind = next(k for k in step if k != "says")
        lines.append(f"  - {kind}: {_flow(step[kind])}")
        if step.get("says"):
            lines.append(f"    says: {_flow(step['says'])}")
    return "\n".join(lines) + "\n"


def open_path(url: str, known: Known) -> str:
    """Where a recording starts, as an ``open:`` path."""
    parts = urlsplit(url)
    return _path(url, known) if parts.scheme else url
