"""Jinja2 expressions in step values: sandboxed, strict, checked before the browser starts."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from smoke.yamlfile import ConfigError, Pos

ROOTS = ("run", "saved", "row", "data", "target", "env", "loop_index")

_env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


def _money(value: Any) -> str:
    """Format a number as money, in dollars: 1234.5 -> $1,234.50, -12 -> -$12.00."""
    amount = float(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _amount(value: Any) -> float:
    """Read money as shown ("$1,234.56", "-$12.00", "($5.00)") back as a number, for arithmetic."""
    text = str(value).strip()
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    number = float(digits) if digits else 0.0
    return -number if negative else number


_env.filters["money"] = _money
_env.filters["amount"] = _amount


def is_template(value: str) -> bool:
    return "{{" in value or "{%" in value


class EnvView(Mapping[str, str]):
    """``env.NAME`` in templates: the process environment plus the target's defaults."""

    def __init__(self, defaults: Mapping[str, str] | None = None) -> None:
        self._defaults = dict(defaults or {})

    def __getitem__(self, key: str) -> str:
        if key in os.environ:
            return os.environ[key]
        return self._defaults[key]

    def __iter__(self) -> Any:
        return iter(set(os.environ) | set(self._defaults))

    def __len__(self) -> int:
        return len(set(os.environ) | set(self._defaults))


def render(value: Any, context: Mapping[str, Any]) -> Any:
    """Render every template string inside ``value`` (strings, lists, mappings)."""
    if isinstance(value, str):
        if not is_template(value):
            return value
        try:
            return _env.from_string(value).render(context)
        except jinja2.UndefinedError as exc:
            raise TemplateValueError(_undefined_message(str(exc), value)) from None
        except jinja2.TemplateError as exc:
            raise TemplateValueError(f"cannot render {value!r}: {exc}") from None
        except (TypeError, ValueError, ArithmeticError) as exc:  # e.g. text minus a number
            raise TemplateValueError(f"cannot compute {value.strip()!r}: {exc}") from None
    if isinstance(value, dict):
        return {k: render(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, context) for v in value]
    return value


class TemplateValueError(Exception):
    pass


def _undefined_message(error: str, source: str) -> str:
    # "'dict object' has no attribute 'x'" is Jinja's wording; say it in the user's terms
    match = re.search(r"has no attribute '([^']+)'", error)
    if match:
        return f"{source.strip()}: no value named {match.group(1)!r} ({error})"
    return f"{source.strip()}: {error}"


def _dotted(node: nodes.Node) -> list[str] | None:
    """``env.ADMIN_PASSWORD`` -> ["env", "ADMIN_PASSWORD"]; ``row['x']`` -> ["row", "x"]."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            parts.append(str(node.arg.value))
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return list(reversed(parts))
        else:
            return None


def references(source: str, pos: Pos) -> tuple[set[str], list[list[str]]]:
    """Parse a template; return its free root names and every dotted reference in it."""
    try:
        ast = _env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(
            f"template syntax error in {source.strip()!r}: {exc.message}",
            pos,
            "expressions look like {{ saved.order_number }}",
        ) from None
    free = meta.find_undeclared_variables(ast)
    dotted: list[list[str]] = []
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        path = _dotted(node)
        if path and len(path) >= 2:
            dotted.append(path)
    return free, dotted


def check_template(
    source: str,
    pos: Pos,
    *,
    allowed_roots: Iterable[str],
    env: Mapping[str, str],
    data: Mapping[str, Any],
    saved: Iterable[str],
    row_keys: Iterable[str] | None,
    target_keys: Iterable[str] = (),
    external: Iterable[str] | None = None,
) -> set[str]:
    """Check a template's names before the run. Returns the env variables it reads."""
    allowed = set(allowed_roots)
    free, dotted = references(source, pos)
    for name in sorted(free):
        if name not in allowed:
            close = difflib.get_close_matches(name, sorted(allowed), n=2)
            hint = (
                f"did you mean {' or '.join(close)}?"
                if close
                else f"names available here: {', '.join(sorted(allowed))}"
            )
            if name == "row":
                hint = "row.* is only available inside for_each"
            raise ConfigError(f"undefined variable {name!r} in {source.strip()!r}", pos, hint)
    env_used: set[str] = set()
    saved_names = set(saved)
    external = set(external) if external is not None else None
    for path in dotted:
        root, first = path[0], path[1]
        if root not in allowed:
            continue
        if root == "env":
            env_used.add(first)
            if first not in env:
                raise ConfigError(
                    f"environment variable {first} is not set (used in {source.strip()!r})",
                    pos,
                    f"export {first}=... before running, or add it to the target's env_defaults",
                )
        elif root == "data" and first not in data:
            close = difflib.get_close_matches(first, sorted(data), n=2)
            raise ConfigError(
                f"no data file named {first!r} (used in {source.strip()!r})",
                pos,
                f"did you mean {' or '.join(close)}?" if close else "data files live in scenarios/data/NAME.yaml",
            )
        elif root == "saved" and first not in saved_names:
            raise ConfigError(
                f"saved.{first} is used before any save step stores it (in {source.strip()!r})",
                pos,
                f"add a step '- save: {{{first}: ...}}' earlier",
            )
        elif root == "row" and row_keys is not None and first not in set(row_keys):
            keys = sorted(set(row_keys))
            close = difflib.get_close_matches(first, keys, n=2)
            raise ConfigError(
                f"row.{first} is not a column of the data rows (used in {source.strip()!r})",
                pos,
                f"did you mean {' or '.join(close)}?" if close else f"columns: {', '.join(keys)}",
            )
        elif (
            root == "target"
            and first == "external"
            and len(path) > 2
            and external is not None
            and path[2] not in external
        ):
            close = difflib.get_close_matches(path[2], sorted(external), n=2)
            raise ConfigError(
                f"target has no external system {path[2]!r} (used in {source.strip()!r})",
                pos,
                f"did you mean {' or '.join(close)}?"
                if close
                else f"external systems: {', '.join(sorted(external)) or 'none'}",
            )
        elif root == "target" and target_keys and first not in set(target_keys):
            raise ConfigError(
                f"target.{first} is not a target field (used in {source.strip()!r})",
                pos,
                f"fields: {', '.join(sorted(target_keys))}",
            )
    return env_used
