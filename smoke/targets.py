"""Targets: where the admin side and the portal are, how to log in, and whether changes are allowed.

``scenarios/targets.yaml``::

    default: sandbox
    targets:
      staging:
        admin_url: https://staging.example.com/admin/
        portal_url: https://staging.example.com/Portal/
        read_only: false
        locators: locators/app.yaml
        roles:
          admin: {side: admin, user_env: SMOKE_ADMIN_USER, password_env: SMOKE_ADMIN_PASSWORD}
        login:
          admin:
            - open: /
            - fill: {label: Username, value: "{{ user }}"}
            - fill: {label: Password, value: "{{ password }}"}
            - click: {button: Log In}
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smoke.health import HealthPolicy, SlowPolicy, parse_health, parse_slow
from smoke.locators import LocatorSpec, parse_locator
from smoke.scenario import SIDES, Step, check_steps, parse_steps
from smoke.values import EnvView
from smoke.yamlfile import ConfigError, MarkedDict, Pos, display_path, load_file, mapping_items

TARGET_KEYS = {
    "description",
    "admin_url",
    "portal_url",
    "read_only",
    "locators",
    "roles",
    "login",
    "env_defaults",
    "server",
    "release",
    "mask",
    "secrets",
    "external",
    "browsers",
    "health",
    "slow",
    "signing_key",
}


@dataclass
class Role:
    name: str
    side: str
    user_env: str
    password_env: str


@dataclass
class ServerSpec:
    command: str
    ready: str = "/"
    timeout_s: float = 30.0


@dataclass
class ExternalSystem:
    """An external system the scenarios read (GET only), as ``{{ target.external.NAME }}``.

    Either its address (``url``), or where to read the address (``discover``: a URL answering JSON,
    ``path``: the dotted key holding the address), for a server that chooses it at start, as the
    sandbox does for its RADIUS stand-in (``/health`` -> ``radius``)."""

    name: str
    url: str | None = None
    discover: str | None = None
    path: str = ""

    def filled(self, server_url: str) -> ExternalSystem:
        import dataclasses

        def fill(value: str | None) -> str | None:
            return None if value is None else value.replace("{server}", server_url.rstrip("/"))

        return dataclasses.replace(self, url=fill(self.url), discover=fill(self.discover))


_DISCOVERED: dict[tuple[str, str], str] = {}


class ExternalAddress:
    """The address of an external system in templates; a discovered one is read on first use."""

    def __init__(self, spec: ExternalSystem) -> None:
        self.spec = spec

    def __str__(self) -> str:
        spec = self.spec
        if spec.url is not None:
            return spec.url
        assert spec.discover is not None
        key = (spec.discover, spec.path)
        if key not in _DISCOVERED:
            _DISCOVERED[key] = _discover(spec)
        return _DISCOVERED[key]

    def __repr__(self) -> str:
        return f"ExternalAddress({self.spec.name!r})"


def _discover(spec: ExternalSystem) -> str:
    import json
    import urllib.error
    import urllib.request

    where = f"the address of external system {spec.name!r} from {spec.discover}"
    if spec.discover is None or "{server}" in spec.discover:
        raise ValueError(f"cannot read {where}: its server is not started")
    try:
        with urllib.request.urlopen(spec.discover, timeout=5) as response:
            node: Any = json.loads(response.read(1_000_000))
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError) as exc:
        raise ValueError(f"cannot read {where}: {getattr(exc, 'reason', exc)}") from None
    for part in [p for p in spec.path.split(".") if p]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise ValueError(f"cannot read {where}: the answer has no {spec.path!r}")
    if not isinstance(node, str) or not re.match(r"^https?://", node):
        raise ValueError(f"cannot read {where}: {spec.path!r} is {node!r}, not a URL")
    return node if node.endswith("/") else node + "/"


@dataclass
class ReleaseSpec:
    url: str
    pattern: str


@dataclass
class SigningKeySpec:
    """``signing_key: {path: FILE}`` (relative to the targets file) or ``{path_env: NAME}``."""

    pos: Pos
    path: str | None = None
    path_env: str | None = None

    def key_path(self, base_dir: Path) -> str:
        if self.path_env:
            value = os.environ.get(self.path_env, "").strip()
            if not value:
                raise ConfigError(
                    f"signing_key: environment variable {self.path_env} is not set",
                    self.pos,
                    f"export {self.path_env}=PATH-OF-THE-KEY (`smoke keys new` makes one)",
                )
            return value
        return str(base_dir / str(self.path))


@dataclass
class Target:
    name: str
    admin_url: str
    portal_url: str
    pos: Pos
    read_only: bool = True
    description: str = ""
    roles: dict[str, Role] = field(default_factory=dict)
    login: dict[str, list[Step]] = field(default_factory=dict)
    locators: dict[str, LocatorSpec] = field(default_factory=dict)
    env_defaults: dict[str, str] = field(default_factory=dict)
    server: ServerSpec | None = None
    release: ReleaseSpec | None = None
    mask: list[LocatorSpec] = field(default_factory=list)
    secret_envs: list[str] = field(default_factory=list)
    base_dir: Path = Path(".")
    external: dict[str, ExternalSystem] = field(default_factory=dict)
    browsers: list[str] = field(default_factory=list)  # a pool of ws:// run-server endpoints
    health: HealthPolicy = field(default_factory=HealthPolicy)
    slow: SlowPolicy = field(default_factory=SlowPolicy)
    signing_key: SigningKeySpec | None = None

    def env(self) -> EnvView:
        return EnvView(self.env_defaults)

    def template_fields(self) -> list[str]:
        return ["name", "admin_url", "portal_url", "read_only", "description", "external"]

    def template_view(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "admin_url": self.admin_url,
            "portal_url": self.portal_url,
            "read_only": self.read_only,
            "description": self.description,
            "external": {name: ExternalAddress(spec) for name, spec in self.external.items()},
        }

    def base_url(self, side: str) -> str:
        return self.admin_url if side == "admin" else self.portal_url

    def with_server(self, server_url: str) -> Target:
        """The URLs with ``{server}`` filled in, once the target's own server is up."""
        import dataclasses

        return dataclasses.replace(
            self,
            admin_url=self.admin_url.replace("{server}", server_url.rstrip("/")),
            portal_url=self.portal_url.replace("{server}", server_url.rstrip("/")),
            release=None
            if self.release is None
            else ReleaseSpec(self.release.url.replace("{server}", server_url.rstrip("/")), self.release.pattern),
            external={name: spec.filled(server_url) for name, spec in self.external.items()},
        )

    def credentials(self, role: str) -> tuple[str, str]:
        spec = self.roles[role]
        env = self.env()
        missing = [name for name in (spec.user_env, spec.password_env) if name not in env]
        if missing:
            raise ConfigError(
                f"target {self.name!r}, role {role!r}: environment variable {missing[0]} is not set",
                self.pos,
                f"export {missing[0]}=... before running",
            )
        return env[spec.user_env], env[spec.password_env]

    def secret_values(self) -> list[str]:
        env = self.env()
        names = {role.password_env for role in self.roles.values()} | set(self.secret_envs)
        return [env[name] for name in sorted(names) if env.get(name)]

    def hosts(self) -> list[str]:
        return sorted({urlsplit(url).netloc for url in (self.admin_url, self.portal_url)})


@dataclass
class TargetsFile:
    path: Path
    default: str
    targets: dict[str, Target]
    groups: dict[str, list[str]] = field(default_factory=dict)  # a name for several targets: nightly: [a, b]

    def expand(self, names: Sequence[str]) -> list[str]:
        """Target names with groups replaced by their members, each once; the default for none."""
        out: list[str] = []
        for name in names or [self.default]:
            for member in self.groups.get(name, [name]):
                self.get(member)
                if member not in out:
                    out.append(member)
        return out

    def get(self, name: str | None) -> Target:
        name = name or self.default
        if name not in self.targets:
            close = difflib.get_close_matches(name, sorted(self.targets), n=2)
            hint = f"did you mean {' or '.join(close)}?" if close else f"targets: {', '.join(sorted(self.targets))}"
            raise ConfigError(f"no target named {name!r} in {display_path(self.path)}", None, hint)
        return self.targets[name]


def _req_str(raw: MarkedDict, key: str, where: str) -> str:
    if key not in raw or not isinstance(raw[key], str) or not raw[key].strip():
        raise ConfigError(f"{where}: {key} is required (a text)", raw.pos_of(key) if key in raw else raw.pos)
    return str(raw[key])


def _url(raw: MarkedDict, key: str, where: str) -> str:
    url = _req_str(raw, key, where)
    if not re.match(r"^(https?://|\{server\})", url):
        raise ConfigError(
            f"{where}: {key} must start with http:// or https:// (or {{server}} for a target that starts its own server)",
            raw.pos_of(key),
        )
    return url if url.endswith("/") else url + "/"


def _parse_target(name: str, raw: Any, pos: Pos, base_dir: Path) -> Target:
    where = f"target {name!r}"
    if not isinstance(raw, MarkedDict):
        raise ConfigError(f"{where} must be a mapping", pos)
    for key in raw:
        if key not in TARGET_KEYS:
            close = difflib.get_close_matches(str(key), sorted(TARGET_KEYS), n=2)
            hint = (
                f"did you mean {' or '.join(close)}?" if close else f"a target takes: {', '.join(sorted(TARGET_KEYS))}"
            )
            raise ConfigError(f"{where}: unknown key {key!r}", raw.key_pos.get(key, pos), hint)
    target = Target(
        name=name,
        admin_url=_url(raw, "admin_url", where),
        portal_url=_url(raw, "portal_url", where),
        pos=pos,
        read_only=bool(raw.get("read_only", True)),
        description=str(raw.get("description", "")),
        base_dir=base_dir,
    )
    if "read_only" in raw and not isinstance(raw["read_only"], bool):
        raise ConfigError(f"{where}: read_only must be true or false", raw.pos_of("read_only"))
    env_defaults = raw.get("env_defaults", {})
    if not isinstance(env_defaults, dict):
        raise ConfigError(f"{where}: env_defaults must be a mapping NAME: value", raw.pos_of("env_defaults"))
    target.env_defaults = {str(k): str(v) for k, v in env_defaults.items()}
    roles = mapping_items(raw.get("roles"), f"{where}: roles must be a mapping", raw.pos_of("roles"))
    for role_name, spec, role_pos in roles:
        if not isinstance(spec, MarkedDict):
            raise ConfigError(f"{where}: role {role_name!r} must be a mapping", role_pos)
        side = spec.get("side", "admin")
        if side not in SIDES:
            raise ConfigError(f"{where}: role {role_name!r}: side must be admin or portal", role_pos)
        target.roles[str(role_name)] = Role(
            name=str(role_name),
            side=side,
            user_env=_req_str(spec, "user_env", f"{where} role {role_name!r}"),
            password_env=_req_str(spec, "password_env", f"{where} role {role_name!r}"),
        )
    login_message = f"{where}: login must map a side (admin, portal) to steps"
    for side, steps, side_pos in mapping_items(raw.get("login"), login_message, raw.pos_of("login")):
        if side not in SIDES:
            raise ConfigError(f"{where}: login side must be admin or portal, got {side!r}", side_pos)
        target.login[side] = parse_steps(steps, side_pos, prefix=f"login.{side} step ")
    for side in {role.side for role in target.roles.values()}:
        if side not in target.login:
            raise ConfigError(f"{where}: roles log in on the {side} side but login.{side} has no steps", pos)
    locators = raw.get("locators")
    if isinstance(locators, str):
        path = base_dir / locators
        loaded = load_file(path)
        if not isinstance(loaded, MarkedDict):
            raise ConfigError("a locator map is a mapping of name: locator", Pos(display_path(path), 1, 1))
        locators = loaded
    if locators is not None:
        if not isinstance(locators, MarkedDict):
            raise ConfigError(f"{where}: locators must be a file name or a mapping", raw.pos_of("locators"))
        for key, value in _flatten(locators).items():
            target.locators[key] = parse_locator(value[0], value[1])
    server = raw.get("server")
    if server is not None:
        if not isinstance(server, MarkedDict) or "command" not in server:
            raise ConfigError(f"{where}: server needs command: (with {{port}})", raw.pos_of("server"))
        target.server = ServerSpec(
            command=str(server["command"]),
            ready=str(server.get("ready", "/")),
            timeout_s=float(server.get("timeout", 30)),
        )
        if "{port}" not in target.server.command:
            raise ConfigError(f"{where}: server command must contain {{port}}", server.pos_of("command"))
    release = raw.get("release")
    if release is not None:
        if not isinstance(release, MarkedDict) or "url" not in release:
            raise ConfigError(f"{where}: release needs url: and pattern:", raw.pos_of("release"))
        target.release = ReleaseSpec(str(release["url"]), str(release.get("pattern", r"\d+(\.\d+)+")))
    mask = raw.get("mask", [])
    if not isinstance(mask, list):
        raise ConfigError(f"{where}: mask must be a list of locators", raw.pos_of("mask"))
    target.mask = [parse_locator(item, raw.pos_of("mask")) for item in mask]
    secrets = raw.get("secrets", [])
    if not isinstance(secrets, list):
        raise ConfigError(f"{where}: secrets must be a list of environment variable names", raw.pos_of("secrets"))
    target.secret_envs = [str(s) for s in secrets]
    target.external = _parse_external(raw, where)
    browsers = raw.get("browsers", [])
    if not isinstance(browsers, list) or not all(
        isinstance(b, str) and b.startswith(("ws://", "wss://")) for b in browsers
    ):
        raise ConfigError(
            f"{where}: browsers must be a list of ws:// addresses of `playwright run-server`s",
            raw.pos_of("browsers"),
        )
    target.browsers = [str(b) for b in browsers]
    target.health = parse_health(raw.get("health"), where, raw.pos_of("health") if "health" in raw else pos)
    target.slow = parse_slow(raw.get("slow"), where, raw.pos_of("slow") if "slow" in raw else pos)
    signing = raw.get("signing_key")
    if signing is not None:
        if not isinstance(signing, dict) or len(signing) != 1 or not isinstance(next(iter(signing.values())), str):
            raise ConfigError(
                f"{where}: signing_key takes path: FILE or path_env: NAME",
                raw.pos_of("signing_key"),
                "e.g. signing_key: {path_env: SMOKE_STAGING_KEY}",
            )
        ((key, value),) = signing.items()
        if key not in ("path", "path_env"):
            raise ConfigError(
                f"{where}: signing_key: unknown key {key!r}", raw.pos_of("signing_key"), "it takes path: or path_env:"
            )
        target.signing_key = SigningKeySpec(raw.pos_of("signing_key"), **{str(key): str(value)})
    return target


def _parse_external(raw: MarkedDict, where: str) -> dict[str, ExternalSystem]:
    """``external: {NAME: URL}`` or ``{NAME: {url: URL}}`` or ``{NAME: {discover: URL, path: KEY}}``."""
    external = raw.get("external")
    if external is None:
        return {}
    example = 'e.g. external: {radius: "https://radius.example.com/api/"}'
    if not isinstance(external, MarkedDict):
        raise ConfigError(f"{where}: external must map a name to its address", raw.pos_of("external"), example)
    out: dict[str, ExternalSystem] = {}
    for name, spec in external.items():
        pos = external.pos_of(name)
        label = f"{where}: external system {name!r}"
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError(f"{label}: the name must be letters, digits and _", pos)
        if isinstance(spec, str):
            spec = {"url": spec}
        if not isinstance(spec, dict) or not (("url" in spec) ^ ("discover" in spec)):
            raise ConfigError(
                f"{label} needs url: (its address) or discover: and path: (where to read it)", pos, example
            )
        unknown = sorted(set(spec) - {"url", "discover", "path"})
        if unknown:
            raise ConfigError(f"{label}: unknown key {unknown[0]!r}", pos, "it takes url:, or discover: and path:")
        for key in ("url", "discover"):
            value = spec.get(key)
            if value is not None and (not isinstance(value, str) or not re.match(r"^(https?://|\{server\})", value)):
                raise ConfigError(f"{label}: {key} must start with http://, https:// or {{server}}", pos)
        url = spec.get("url")
        if isinstance(url, str) and not url.endswith("/") and "?" not in url:
            url += "/"
        out[name] = ExternalSystem(name, url=url, discover=spec.get("discover"), path=str(spec.get("path", "")))
    return out


def _flatten(tree: MarkedDict, prefix: str = "") -> dict[str, tuple[Any, Pos]]:
    """Nested groups of the locator map become dotted names: login: {username: ...} -> login.username."""
    out: dict[str, tuple[Any, Pos]] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, MarkedDict) and not _is_locator(value):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = (value, tree.pos_of(key))
    return out


def _is_locator(value: MarkedDict) -> bool:
    """A group of named locators holds mappings; a locator holds locator keys with plain values."""
    from smoke.locators import LOCATOR_KEYS, PRIMARY_KEYS

    return (
        any(k in PRIMARY_KEYS for k in value)
        and all(k in LOCATOR_KEYS for k in value)
        and all(not isinstance(v, dict) for k, v in value.items() if k != "in")
    )


def load_targets(path: Path) -> TargetsFile:
    raw = load_file(path)
    top = Pos(display_path(path), 1, 1)
    if not isinstance(raw, MarkedDict) or not isinstance(raw.get("targets"), MarkedDict):
        raise ConfigError("a targets file has 'targets:' mapping each name to its settings", top)
    targets = {
        str(name): _parse_target(str(name), spec, raw["targets"].pos_of(name), path.parent)
        for name, spec in raw["targets"].items()
    }
    if not targets:
        raise ConfigError("no targets defined", top)
    default = str(raw.get("default", next(iter(targets))))
    if default not in targets:
        raise ConfigError(f"default target {default!r} is not defined", raw.pos_of("default"))
    return TargetsFile(path=path, default=default, targets=targets, groups=_parse_groups(raw, targets))


def _parse_groups(raw: MarkedDict, targets: dict[str, Target]) -> dict[str, list[str]]:
    groups = raw.get("groups", {})
    if not isinstance(groups, dict):
        raise ConfigError("groups must map a name to a list of targets, e.g. nightly: [a, b]", raw.pos_of("groups"))
    out: dict[str, list[str]] = {}
    for name, members in groups.items():
        pos = groups.pos_of(name) if isinstance(groups, MarkedDict) else raw.pos_of("groups")
        if name in targets:
            raise ConfigError(f"group {name!r} has the name of a target", pos, "rename the group")
        if not isinstance(members, list) or not members:
            raise ConfigError(f"group {name!r} must list its targets, e.g. {name}: [a, b]", pos)
        for member in members:
            if str(member) not in targets:
                close = difflib.get_close_matches(str(member), sorted(targets), n=2)
                hint = f"did you mean {' or '.join(close)}?" if close else f"targets: {', '.join(sorted(targets))}"
                raise ConfigError(f"group {name!r}: no target named {member!r}", pos, hint)
        out[str(name)] = [str(m) for m in members]
    return out


def check_target(target: Target, roles: set[str]) -> set[str]:
    """Check the login recipes' templates; roles used must have their credentials set."""
    env = target.env()
    env_used: set[str] = set()
    for side, steps in target.login.items():
        env_used |= check_steps(
            steps,
            target=target,
            data={},
            env=env,
            roots=("run", "target", "env"),
            saved=set(),
            row_keys=None,
            extra_roots=("user", "password"),
        )
        del side
    for role in sorted(roles):
        target.credentials(role)
    return env_used


def env_missing(names: set[str], env: Mapping[str, str]) -> list[str]:
    return sorted(name for name in names if name not in env and name not in os.environ)
