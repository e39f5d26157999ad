"""YAML loading that remembers where every value came from, so errors can name file:line:col."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Pos:
    file: str
    line: int  # 1-based
    col: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class ConfigError(Exception):
    """Bad input: a one-line message that names the file, the line and what to do."""

    def __init__(self, message: str, pos: Pos | None = None, hint: str | None = None) -> None:
        self.message = message
        self.pos = pos
        self.hint = hint
        super().__init__(self.line())

    def line(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class MarkedDict(dict[Any, Any]):
    pos: Pos
    key_pos: dict[Any, Pos]
    value_pos: dict[Any, Pos]

    def pos_of(self, key: Any) -> Pos:
        return self.value_pos.get(key, self.pos)


class MarkedList(list[Any]):
    pos: Pos
    item_pos: list[Pos]

    def pos_of(self, index: int) -> Pos:
        return self.item_pos[index] if index < len(self.item_pos) else self.pos


def _pos(filename: str, mark: yaml.Mark) -> Pos:
    return Pos(filename, mark.line + 1, mark.column + 1)


class _Loader(yaml.SafeLoader):
    filename = "<yaml>"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)
    result = MarkedDict()
    result.pos = _pos(loader.filename, node.start_mark)
    result.key_pos = {}
    result.value_pos = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise ConfigError("a mapping key must be a plain value", _pos(loader.filename, key_node.start_mark))
        if key in result:
            raise ConfigError(
                f"duplicate key {key!r}",
                _pos(loader.filename, key_node.start_mark),
                f"it was already given on line {result.key_pos[key].line}; keep one",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_pos[key] = _pos(loader.filename, key_node.start_mark)
        result.value_pos[key] = _pos(loader.filename, value_node.start_mark)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> MarkedList:
    result = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    result.pos = _pos(loader.filename, node.start_mark)
    result.item_pos = [_pos(loader.filename, child.start_mark) for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def mapping_items(raw: Any, message: str, pos: Pos) -> list[tuple[Any, Any, Pos]]:
    """An optional mapping's entries as (key, value, the value's position): none when it is absent
    (None), ``ConfigError(message, pos)`` when it is not a mapping."""
    if raw is None:
        return []
    if not isinstance(raw, MarkedDict):
        raise ConfigError(message, pos)
    return [(key, value, raw.pos_of(key)) for key, value in raw.items()]


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_text(text: str, filename: str) -> Any:
    loader = _Loader(text)
    loader.filename = filename
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        pos = _pos(filename, mark) if mark else Pos(filename, 1, 1)
        hint = "check the indentation: items of one list or mapping line up, children go two spaces deeper"
        if "tab" in problem:
            hint = "YAML does not allow tabs for indentation; use spaces"
        raise ConfigError(f"YAML syntax: {problem}", pos, hint) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML: {exc}", Pos(filename, 1, 1)) from None
    finally:
        loader.dispose()


def load_file(path: Path) -> Any:
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"file not found: {name}") from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", Pos(name, 1, 1), "save the file as UTF-8") from None
    return load_text(text, name)


def plain(value: Any) -> Any:
    """Marked containers back to plain dicts and lists (for JSON and for templates)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
