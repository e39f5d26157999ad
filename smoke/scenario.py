"""YAML scenarios -> a typed, validated model. Every error names file:line:col and what would be right."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smoke.locators import LOCATOR_KEYS, LocatorSpec, close_map_names, has_locator_keys, parse_locator
from smoke.steps import REGISTRY, StepKind
from smoke.values import ROOTS, check_template, is_template
from smoke.yamlfile import ConfigError, MarkedDict, MarkedList, Pos, display_path, load_file

if TYPE_CHECKING:
    from smoke.targets import Target

COMMON_KEYS = ("says", "timeout", "optional", "capture", "name", "allow")
SIDES = ("admin", "portal")
SCENARIO_KEYS = {
    "name": "a short title",
    "description": "what the scenario proves, for the report",
    "checklist": "the checklist ids it covers",
    "tags": "labels to select it by (-m / --tag)",
    "side": "admin or portal: where it starts",
    "role": "the role it logs in as (from the target's roles)",
    "login": "false to start logged out (for scenarios that test the login itself)",
    "changes_data": "true when it creates or changes data on the target",
    "group": "scenarios of one group never run at the same time",
    "timeout": "seconds a single step may wait (default 10)",
    "order": "a number: higher runs later (e.g. 100 for a check of what the others left behind)",
    "steps": "the list of steps",
}


@dataclass
class Step:
    kind: str
    args: dict[str, Any]
    pos: Pos
    locator: LocatorSpec | None = None
    says: str | None = None
    name: str | None = None
    timeout_s: float | None = None
    optional: bool = False
    screenshot: bool = True
    children: list[Step] = field(default_factory=list)
    allow: list[Any] = field(default_factory=list)  # page trouble this step expects (smoke.health.HealthRule)

    @property
    def spec(self) -> StepKind:
        """What kind of step this is: ask it (``step.spec.loop``, ``.navigates``, ...), never compare names."""
        return REGISTRY[self.kind]


@dataclass
class Scenario:
    name: str
    file: Path
    pos: Pos
    steps: list[Step]
    description: str = ""
    checklist: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    side: str = "admin"
    role: str | None = None
    login: bool = True
    changes_data: bool = False
    group: str | None = None
    timeout_s: float = 10.0
    order: int = 0

    @property
    def slug(self) -> str:
        return self.file.stem

    def walk(self) -> Iterable[Step]:
        yield from walk_steps(self.steps)


def walk_steps(steps: Iterable[Step]) -> Iterable[Step]:
    for step in steps:
        yield step
        yield from walk_steps(step.children)


def _suggest(word: str, options: Iterable[str], n: int = 3) -> str | None:
    close = difflib.get_close_matches(word, sorted(options), n=n, cutoff=0.5)
    return f"did you mean {' or '.join(close)}?" if close else None


def parse_step(raw: Any, pos: Pos, where: str) -> Step:
    registry = REGISTRY
    if isinstance(raw, str):
        if raw in registry:
            raise ConfigError(f"{where}: step {raw!r} needs a value", pos, f"e.g. {registry[raw].example}")
        raise ConfigError(
            f"{where}: a step must be a mapping like '- click: ...', got the text {raw!r}",
            pos,
            "start the line with the step kind and a colon",
        )
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: a step must be a mapping like '- click: ...'", pos)
    kinds = [key for key in raw if key in registry]
    unknown = [key for key in raw if key not in registry and key not in COMMON_KEYS]
    if unknown:
        key = unknown[0]
        key_pos = raw.key_pos.get(key, pos) if isinstance(raw, MarkedDict) else pos
        if not kinds:
            hint = _suggest(str(key), registry) or "run `smoke steps` to list the step kinds"
            raise ConfigError(f"{where}: unknown step kind {key!r}", key_pos, hint)
        kind = kinds[0]
        if key in LOCATOR_KEYS or key in {p.name for p in registry[kind].params}:
            hint = f"indent it under '{kind}:' (it belongs to the {kind} step)"
        else:
            hint = _suggest(str(key), list(COMMON_KEYS)) or f"a step takes one kind plus {', '.join(COMMON_KEYS)}"
        raise ConfigError(f"{where}: unexpected key {key!r} beside {kind!r}", key_pos, hint)
    if not kinds:
        raise ConfigError(f"{where}: no step kind given", pos, "run `smoke steps` to list the step kinds")
    if len(kinds) > 1:
        raise ConfigError(
            f"{where}: one step per list item, got {' and '.join(kinds)}",
            pos,
            "put each on its own '- ' line",
        )
    kind = kinds[0]
    spec = registry[kind]
    value = raw[kind]
    value_pos = raw.pos_of(kind) if isinstance(raw, MarkedDict) else pos
    step = Step(kind=kind, args={}, pos=value_pos)
    label = f"{where} ({kind})"

    says = raw.get("says")
    if says is not None and not isinstance(says, str):
        raise ConfigError(f"{label}: says must be a text", pos)
    step.says = says
    name = raw.get("name")
    step.name = None if name is None else str(name)
    if "timeout" in raw:
        timeout = raw["timeout"]
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigError(f"{label}: timeout is a number of seconds, got {timeout!r}", pos)
        step.timeout_s = float(timeout)
    if "allow" in raw:
        from smoke.health import parse_rules

        step.allow = parse_rules(
            raw["allow"], f"{label}: allow", raw.pos_of("allow") if isinstance(raw, MarkedDict) else pos
        )
    for flag, attr in (("optional", "optional"), ("capture", "screenshot")):
        if flag in raw:
            if not isinstance(raw[flag], bool):
                raise ConfigError(f"{label}: {flag} must be true or false", pos)
            setattr(step, attr, raw[flag])

    if spec.parse is not None:
        spec.parse(step, value, value_pos, label)
        return step

    params = {p.name: p for p in spec.params}
    if value is None:
        raise ConfigError(f"{label}: needs a value", value_pos, f"e.g. {spec.example}")
    if not isinstance(value, dict):
        if spec.scalar is None:
            raise ConfigError(f"{label}: needs a mapping of settings", value_pos, f"e.g. {spec.example}")
        if isinstance(value, list) and not any(list in p.types for p in spec.params if p.name == spec.scalar):
            raise ConfigError(f"{label}: a list is not a value for this step", value_pos, f"e.g. {spec.example}")
        if spec.scalar == "locator":
            step.locator = parse_locator(str(value) if not isinstance(value, str) else value, value_pos)
        else:
            step.args[spec.scalar] = value
    else:
        locator_part = {k: v for k, v in value.items() if k in LOCATOR_KEYS and k not in params}
        for key in value:
            if key in params or key in locator_part:
                continue
            item_pos = value.key_pos.get(key, value_pos) if isinstance(value, MarkedDict) else value_pos
            options = list(dict.fromkeys(list(params) + (sorted(LOCATOR_KEYS) if spec.locator != "none" else [])))
            if key in COMMON_KEYS:
                hint = f"'{key}:' goes on the step itself, on its own line beside '{kind}:'"
            else:
                hint = _suggest(str(key), options) or f"{kind} takes: {', '.join(options) or 'nothing else'}"
            raise ConfigError(f"{label}: unknown setting {key!r}", item_pos, hint)
        if locator_part:
            if spec.locator == "none":
                key = next(iter(locator_part))
                raise ConfigError(f"{label}: {kind} does not take a locator ({key!r})", value_pos)
            marked = MarkedDict(locator_part)
            marked.pos = value_pos
            marked.key_pos = getattr(value, "key_pos", {})
            marked.value_pos = getattr(value, "value_pos", {})
            if has_locator_keys(marked):
                step.locator = parse_locator(marked, value_pos)
            elif spec.locator == "required":
                raise ConfigError(
                    f"{label}: says how to narrow the element ({', '.join(locator_part)}) but not how to find it",
                    value_pos,
                    "add label:, role:/button:/link:, text:, test_id: or css:",
                )
        for key, item in value.items():
            if key in params:
                step.args[key] = item
    if spec.locator == "required" and step.locator is None:
        raise ConfigError(
            f"{label}: which element? give a locator",
            value_pos,
            f"e.g. {spec.example}",
        )
    for param in spec.params:
        if param.name not in step.args:
            if param.required:
                raise ConfigError(f"{label}: missing {param.name!r}", value_pos, f"e.g. {spec.example}")
            continue
        item = step.args[param.name]
        if not isinstance(item, param.types) or (isinstance(item, bool) and bool not in param.types):
            wanted = " or ".join(t.__name__.replace("str", "text").replace("dict", "mapping") for t in param.types)
            raise ConfigError(f"{label}: {param.name} must be {wanted}, got {item!r}", value_pos)
        if param.choices and item not in param.choices:
            raise ConfigError(
                f"{label}: {param.name} must be one of {', '.join(map(str, param.choices))}, got {item!r}",
                value_pos,
            )
    if spec.nested:
        raw_steps = step.args.pop("steps", None)
        if not isinstance(raw_steps, list) or not raw_steps:
            raise ConfigError(f"{label}: needs 'steps:' with at least one step", value_pos)
        step.children = parse_steps(raw_steps, value_pos, prefix=f"{where}.")
    step.args = _plain(step.args)
    return step


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_steps(raw: Any, pos: Pos, prefix: str = "step ") -> list[Step]:
    if not isinstance(raw, list):
        raise ConfigError("steps must be a list ('- ' items)", pos, "put '- ' before each step")
    steps = []
    for i, item in enumerate(raw):
        item_pos = raw.pos_of(i) if isinstance(raw, MarkedList) else pos
        where = f"{prefix}{i + 1}" if prefix.endswith(".") else f"step {i + 1}"
        if prefix.endswith("."):
            where = f"{prefix}{i + 1}"
        steps.append(parse_step(item, item_pos, where))
    return steps


def _str_list(raw: Mapping[str, Any], key: str, pos: Pos) -> list[str]:
    value = raw.get(key, [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{key} must be a list of names", pos, f"e.g. {key}: [a, b]")
    return [str(v) for v in value]


def load_scenario(path: Path) -> Scenario:
    raw = load_file(path)
    name_for_errors = display_path(path)
    top = Pos(name_for_errors, 1, 1)
    if not isinstance(raw, MarkedDict):
        raise ConfigError("a scenario file is a mapping with name:, steps: ...", top)
    for key in raw:
        if key not in SCENARIO_KEYS:
            hint = _suggest(str(key), SCENARIO_KEYS) or f"a scenario takes: {', '.join(SCENARIO_KEYS)}"
            raise ConfigError(f"unknown scenario key {key!r}", raw.key_pos.get(key, top), hint)
    if "steps" not in raw:
        raise ConfigError("this scenario has no steps:", top, "add 'steps:' with a list of steps")
    name = raw.get("name") or path.stem
    side = raw.get("side", "admin")
    if side not in SIDES:
        raise ConfigError(f"side must be admin or portal, got {side!r}", raw.pos_of("side"))
    for flag in ("changes_data", "login"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise ConfigError(f"{flag} must be true or false", raw.pos_of(flag))
    timeout = raw.get("timeout", 10)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("timeout is a number of seconds", raw.pos_of("timeout"))
    role = raw.get("role")
    return Scenario(
        name=str(name),
        file=path,
        pos=top,
        steps=parse_steps(raw["steps"], raw.pos_of("steps")),
        description=str(raw.get("description", "")).strip(),
        checklist=_str_list(raw, "checklist", raw.pos_of("checklist")),
        tags=_str_list(raw, "tags", raw.pos_of("tags")),
        side=side,
        role=None if role is None else str(role),
        login=raw.get("login", True),
        changes_data=raw.get("changes_data", False),
        group=None if raw.get("group") is None else str(raw["group"]),
        timeout_s=float(timeout),
        order=_order(raw),
    )


def _order(raw: MarkedDict) -> int:
    value = raw.get("order", 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError("order must be a whole number", raw.pos_of("order"))
    return value


# -- checks that need the target and the data files ------------------------------------------------


def check_steps(
    steps: list[Step],
    *,
    target: Target,
    data: Mapping[str, Any],
    env: Mapping[str, str],
    roots: tuple[str, ...],
    saved: set[str],
    row_keys: set[str] | None,
    checklist_ids: set[str] | None = None,
    extra_roots: tuple[str, ...] = (),
) -> set[str]:
    """Check names used in templates, locator-map references and roles. Returns env vars read."""
    env_used: set[str] = set()
    allowed_roots = tuple(r for r in roots if r != "row" or row_keys is not None) + extra_roots
    for step in steps:
        label = f"{step.kind} step"
        kind = step.spec
        row_scope: set[str] | None = None
        per_row: list[Any] = []
        alias = "row"
        if kind.loop is not None:
            row_scope = set()
            for row in _data_rows(step, data):
                if isinstance(row, dict):
                    row_scope |= set(row)
            alias = str(step.args.get(kind.loop.alias) or "row")
            for name in kind.loop.per_row:  # rendered once per row, with the row in scope
                value = step.args.get(name)
                per_row.extend(value.values() if isinstance(value, dict) else [value])
        for text in _template_strings(step):
            inner = row_scope is not None and text in per_row
            env_used |= check_template(
                text,
                step.pos,
                allowed_roots=(*allowed_roots, "row", alias) if inner else allowed_roots,
                env=env,
                data=data,
                saved=saved,
                row_keys=row_scope if inner else row_keys,
                target_keys=target.template_fields(),
                external=target.external,
            )
        specs = [step.locator] if step.locator else []
        specs += [spec for spec in step.args.get("vars", {}).values() if isinstance(spec, LocatorSpec)]
        for spec in specs:
            _check_ref(spec, target, label, step.pos)
        if kind.role_param is not None:
            role = step.args[kind.role_param]
            if not is_template(role) and role not in target.roles:
                hint = _suggest(role, target.roles) or f"roles of target {target.name}: {', '.join(target.roles)}"
                raise ConfigError(f"{label}: target {target.name!r} has no role {role!r}", step.pos, hint)
        if row_scope is not None:
            env_used |= check_steps(
                step.children,
                target=target,
                data=data,
                env=env,
                roots=roots,
                saved=saved,
                row_keys=row_scope,
                extra_roots=(*extra_roots, alias) if alias != "row" else extra_roots,
            )
        saved.update(kind.saves(step.args))
    return env_used


class RowsError(Exception):
    """A for_each `data:` path that leads nowhere, or not to a list of rows."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def rows_at(data: Mapping[str, Any], path: str) -> list[Any]:
    """The rows a for_each's ``data: a.b`` names; a data file whose rows sit under its one list key
    (``{customers: [...]}``) gives that list."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        where = ".".join(parts[:i]) or "data"
        options = list(node) if isinstance(node, dict) else []
        hint = _suggest(part, options) or (
            f"{where} has: {', '.join(map(str, options))}" if options else "data files live in scenarios/data/"
        )
        raise RowsError(f"no data {path!r} ({part!r} not found in {where})", hint)
    if isinstance(node, dict):
        lists = [v for v in node.values() if isinstance(v, list)]
        if len(lists) == 1:
            node = lists[0]
    if not isinstance(node, list):
        raise RowsError(f"data {path!r} is not a list of rows")
    return node


def _data_rows(step: Step, data: Mapping[str, Any]) -> list[Any]:
    loop = step.spec.loop
    assert loop is not None
    try:
        return rows_at(data, str(step.args[loop.data]))
    except RowsError as exc:
        raise ConfigError(f"{step.kind}: {exc.message}", step.pos, exc.hint) from None


def _check_ref(spec: LocatorSpec, target: Target, label: str, pos: Pos) -> None:
    if spec.within is not None:
        _check_ref(spec.within, target, label, pos)
    if spec.how != "ref" or is_template(spec.value):
        return
    if spec.value in target.locators:
        return
    looks_like_name = bool(re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", spec.value))
    close = close_map_names(spec.value, target.locators)
    if looks_like_name or close:
        hint = f"did you mean {' or '.join(close)}?" if close else "add it to the target's locator map"
        raise ConfigError(
            f"{label}: {spec.value!r} is not in the locator map of target {target.name!r}",
            spec.pos or pos,
            hint,
        )


def _template_strings(step: Step) -> list[str]:
    out: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, str):
            if is_template(value):
                out.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, LocatorSpec):
            for text in value.templates():
                visit(text)

    visit(step.args)
    if step.locator:
        visit(step.locator)
    if step.says:
        visit(step.says)
    return out


def check_scenario(
    scenario: Scenario,
    *,
    target: Target,
    data: Mapping[str, Any],
    env: Mapping[str, str],
    checklist_ids: set[str] | None = None,
) -> set[str]:
    """Everything that can be known before a browser starts. Returns the env variables it needs."""
    if checklist_ids is not None:
        for item in scenario.checklist:
            if item not in checklist_ids:
                hint = _suggest(item, checklist_ids) or "see scenarios/checklist.yaml"
                raise ConfigError(f"unknown checklist id {item!r}", scenario.pos, hint)
    roles = [scenario.role] if scenario.role else []
    for role in roles:
        if role not in target.roles:
            hint = _suggest(role, target.roles) or f"roles of target {target.name}: {', '.join(target.roles)}"
            raise ConfigError(f"target {target.name!r} has no role {role!r}", scenario.pos, hint)
        if target.roles[role].side != scenario.side:
            raise ConfigError(
                f"role {role!r} logs in on the {target.roles[role].side} side, but the scenario starts on {scenario.side}",
                scenario.pos,
                f"set side: {target.roles[role].side}, or pick a {scenario.side} role",
            )
    return check_steps(
        scenario.steps,
        target=target,
        data=data,
        env=env,
        roots=ROOTS,
        saved=set(),
        row_keys=None,
    )


def discover(paths: Iterable[Path]) -> list[Path]:
    """Scenario files under the given files/folders (not targets, checklist, data or locator maps)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*.y*ml")):
                if is_scenario_file(candidate, path):
                    found.append(candidate)
        elif path.suffix in (".yaml", ".yml"):
            found.append(path)
    return found


NOT_SCENARIOS = {"targets.yaml", "targets.yml", "checklist.yaml", "checklist.yml"}
NOT_SCENARIO_DIRS = {"data", "locators", "baselines", "fixtures"}


def is_scenario_file(path: Path, root: Path | None = None) -> bool:
    if path.suffix not in (".yaml", ".yml") or path.name in NOT_SCENARIOS or path.name.startswith("_"):
        return False
    rel = path.relative_to(root) if root is not None and path.is_relative_to(root) else path
    return not any(part in NOT_SCENARIO_DIRS for part in rel.parts[:-1])
