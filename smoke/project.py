"""A scenarios folder as a whole: targets, data files, the checklist and the scenarios, checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smoke.scenario import Scenario, check_scenario, discover, load_scenario
from smoke.targets import Target, TargetsFile, check_target, load_targets
from smoke.yamlfile import ConfigError, MarkedDict, Pos, display_path, load_file, plain


@dataclass
class ChecklistEntry:
    id: str
    text: str
    required: bool = True


@dataclass
class Project:
    root: Path  # the scenarios folder
    targets: TargetsFile
    data: dict[str, Any]
    checklist: list[ChecklistEntry]
    scenarios: list[Scenario] = field(default_factory=list)

    def checklist_ids(self) -> set[str] | None:
        return {entry.id for entry in self.checklist} if self.checklist else None


def load_data(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if folder.is_dir():
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            data[path.stem.replace("-", "_")] = plain(load_file(path))
    return data


def load_checklist(path: Path) -> list[ChecklistEntry]:
    if not path.exists():
        return []
    raw = load_file(path)
    items = raw.get("items") if isinstance(raw, dict) else raw
    top = Pos(display_path(path), 1, 1)
    if not isinstance(items, list):
        raise ConfigError("a checklist is a list of {id, text}", top)
    out = []
    for i, item in enumerate(items):
        pos = items.pos_of(i) if hasattr(items, "pos_of") else top
        if not isinstance(item, MarkedDict) or "id" not in item or "text" not in item:
            raise ConfigError("each checklist item needs id: and text:", pos)
        out.append(ChecklistEntry(str(item["id"]), str(item["text"]), bool(item.get("required", True))))
    return out


def load_project(root: Path, targets_file: Path | None = None) -> Project:
    targets_path = targets_file or root / "targets.yaml"
    if not targets_path.exists():
        raise ConfigError(f"no targets file at {display_path(targets_path)}", None, "create it, or pass --targets FILE")
    return Project(
        root=root,
        targets=load_targets(targets_path),
        data=load_data(root / "data"),
        checklist=load_checklist(root / "checklist.yaml"),
    )


def load_scenarios(project: Project, paths: list[Path] | None = None) -> tuple[list[Scenario], list[ConfigError]]:
    files = discover(paths or [project.root])
    scenarios: list[Scenario] = []
    errors: list[ConfigError] = []
    for path in files:
        try:
            scenarios.append(load_scenario(path))
        except ConfigError as exc:
            errors.append(exc)
    return scenarios, errors


def check_all(project: Project, scenarios: list[Scenario], target: Target) -> list[ConfigError]:
    """Everything that can be known before a browser starts, for one target."""
    errors: list[ConfigError] = []
    env = target.env()
    roles: set[str] = set()
    for scenario in scenarios:
        try:
            check_scenario(scenario, target=target, data=project.data, env=env, checklist_ids=project.checklist_ids())
        except ConfigError as exc:
            errors.append(exc)
            continue
        if scenario.changes_data and target.read_only:
            errors.append(
                ConfigError(
                    f"scenario {scenario.name!r} changes data, and target {target.name!r} is read-only: refused",
                    scenario.pos,
                    "run it against a staging target, or leave it out",
                )
            )
        if scenario.role:
            roles.add(scenario.role)
        for step in scenario.walk():
            role_param = step.spec.role_param
            if role_param is not None and "{" not in str(step.args.get(role_param)):
                roles.add(str(step.args[role_param]))
    try:
        check_target(target, roles)
    except ConfigError as exc:
        errors.append(exc)
    return errors
