"""Steps that reach past the browser: read a JSON answer from a system, run a custom Python check."""

from __future__ import annotations

import importlib
import re
from typing import Any

from smoke.steps.base import Check, Param, StepCall, StepFailure, step


def _json_caption(a: dict[str, Any], w: str) -> str:
    where = a.get("where") or {}
    what = str(a.get("path") or "the answer") + (
        " with " + ", ".join(f"{k} {v!r}" for k, v in where.items()) if where else ""
    )
    return f"Read {a['url']}: {what}"


def _json_path(node: Any, path: str) -> Any:
    """``subscribers.0.profile`` -> node["subscribers"][0]["profile"]; KeyError when it is not there."""
    for part in [p for p in str(path).split(".") if p]:
        if isinstance(node, list) and re.fullmatch(r"-?\d+", part) and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(part)
    return node


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


def _fields(item: Any, keys: list[str]) -> str:
    if not isinstance(item, dict):
        return _plain(item)
    return ", ".join(f"{k}={_plain(item.get(k))}" for k in keys)


def _get_json(url: str, timeout_s: float) -> Any:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, method="GET", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read(5_000_000)
    except urllib.error.HTTPError as exc:
        raise StepFailure(
            f"GET {url} answered HTTP {exc.code}",
            expected="HTTP 200 with JSON",
            actual=f"HTTP {exc.code} {exc.reason}",
            kind="target",
        ) from None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StepFailure(
            f"cannot read {url}: {reason}", expected="an answer", actual=str(reason), kind="target"
        ) from None
    try:
        return json.loads(body)
    except ValueError:
        raise StepFailure(
            f"{url} did not answer JSON", expected="JSON", actual=body[:120].decode(errors="replace"), kind="error"
        ) from None


def _json_once(call: StepCall, url: str) -> Check:
    a = call.args
    document = _get_json(url, min(10.0, max(1.0, call.timeout_ms / 1000)))
    path = str(a.get("path") or "")
    try:
        node = _json_path(document, path)
    except KeyError as missing:
        raise StepFailure(
            f"{url}: the answer has no {path!r} ({missing} not found)", expected=path, actual=_plain(document)[:200]
        ) from None
    where = {str(k): v for k, v in (a.get("where") or {}).items()}
    noun = path.split(".")[-1] if path else "item"
    if re.fullmatch(r"[A-Za-z_]{3,}s", noun):
        noun = noun[:-1]  # subscribers with username 'x' -> subscriber with username 'x'

    desc = noun + (" with " + ", ".join(f"{k} {_plain(v)!r}" for k, v in where.items()) if where else "")
    items: Any = node
    if where:
        if not isinstance(node, list):
            raise StepFailure(
                f"{url}: {path or 'the answer'} is not a list, so where: cannot pick from it",
                expected="a list",
                actual=_plain(node)[:200],
            )
        items = [
            i for i in node if isinstance(i, dict) and all(_plain(i.get(k)) == _plain(v) for k, v in where.items())
        ]
    equals = a.get("equals")
    keys = list(equals) if isinstance(equals, dict) else []
    expected_parts = []
    if "count" in a:
        expected_parts.append(f"{a['count']} × {desc}")
    wanted = None
    if "count" in a:
        try:
            wanted = int(str(a["count"]).strip())
        except ValueError:
            raise StepFailure(f"count must be a whole number, got {a['count']!r}", kind="error") from None
    if equals is not None and wanted != 0:
        expected_parts.append(_fields(equals, keys) if isinstance(equals, dict) else _plain(equals))
    expected = "; ".join(expected_parts) or desc
    if wanted is not None:
        found = len(items) if isinstance(items, list) else (0 if items is None else 1)
        if found != wanted:
            shown = (
                "; ".join(_fields(i, keys or list(where)) for i in items[:5])
                if isinstance(items, list)
                else _plain(items)
            )
            if found == 0:
                message = f"no {desc} at {url} (expected {wanted})"
            else:
                message = f"{found} × {desc} at {url}, expected {wanted}" + (f": {shown}" if shown else "")
            raise StepFailure(message, expected=expected, actual=f"{found} × {desc}" + (f": {shown}" if shown else ""))
    if equals is None or (wanted == 0 and isinstance(items, list) and not items):
        return Check(expected=expected, shown=f"{len(items)} × {desc}" if isinstance(items, list) else _plain(items))
    if isinstance(items, list):
        if not items:
            raise StepFailure(f"no {desc} at {url}", expected=expected, actual=f"0 × {desc}")
        subjects = items
    else:
        subjects = [items]
    for item in subjects:
        if isinstance(equals, dict):
            if not isinstance(item, dict):
                raise StepFailure(
                    f"{desc} at {url} is {_plain(item)!r}, not a record", expected=expected, actual=_plain(item)
                )
            for key, value in equals.items():
                if _plain(item.get(key)) != _plain(value):
                    raise StepFailure(
                        f"{desc}: {key} is {_plain(item.get(key))!r}, expected {_plain(value)!r} ({url})",
                        expected=expected,
                        actual=_fields(item, keys),
                    )
        elif _plain(item) != _plain(equals):
            raise StepFailure(
                f"{desc} is {_plain(item)!r}, expected {_plain(equals)!r} ({url})",
                expected=expected,
                actual=_plain(item),
            )
    shown = "; ".join(_fields(i, keys) for i in subjects[:5])
    if "count" in a:
        shown = f"{a['count']} × {desc}: {shown}"
    return Check(expected=expected, shown=shown)


@step(
    "expect_json",
    category="check",
    example="expect_json: {url: '{{ target.external.radius }}subscribers', path: subscribers, where: {username: smoke-1}, count: 1, equals: {status: Active}}",
    caption=_json_caption,
    scalar="url",
    params=(
        Param("url", required=True),
        Param("path"),
        Param("where", (dict,)),
        Param("count", (int, str)),
        Param("equals", (str, int, float, bool, dict, list)),
    ),
)
def expect_json(call: StepCall) -> Check:
    """Read a JSON answer from a URL (GET only: reading never changes anything) and check it:
    ``path`` picks a value (dotted keys, list indexes: ``subscribers.0.status``); ``where`` keeps
    the items of a list whose fields have the given values; ``count`` is how many there must be;
    ``equals`` is the value, or the fields every picked item must have. It asks again until the
    check holds or the step timeout runs out, for systems that a background job updates (an
    external provisioning target, say). For an external system of the target, use its address:
    ``{{ target.external.NAME }}``. The browser's page is not touched.

    Example: ``- expect_json: {url: "{{ target.external.radius }}subscribers", path: subscribers, where: {username: "smoke-{{ run.id }}"}, count: 1, equals: {profile: Standard, status: Active}}``"""
    import time

    url = str(call.args["url"])
    if url.startswith("/"):
        url = call.ctx.url(url)
    deadline = time.monotonic() + call.timeout_ms / 1000
    while True:
        try:
            return _json_once(call, url)
        except StepFailure as failure:
            if time.monotonic() >= deadline:
                failure.message += f" (still so after {call.timeout_ms / 1000:g}s)"
                raise
        time.sleep(0.5)


@step(
    "call",
    category="check",
    navigates=True,
    example="call: checks.event_log:no_errors",
    caption=lambda a, w: f"Run {a['function']}",
    scalar="function",
    params=(Param("function", required=True), Param("args", (dict,))),
)
def call_(call: StepCall) -> Check | None:
    """Run a Python function ``module:function`` for a custom check. It gets the Playwright page
    and the run context (``saved``, ``data``, ``row``, ``target``, ``run``) and keyword ``args``;
    it raises AssertionError (or smoke.steps.StepFailure) to fail. The scenarios folder is on the
    import path, so ``checks/event_log.py`` there is ``checks.event_log``.

    Example: ``- call: {function: checks.event_log:no_errors_since, args: {since: "{{ run.started }}"}}``"""
    target = str(call.args["function"])
    if ":" not in target:
        raise StepFailure(f"call needs module:function, got {target!r}", kind="error")
    module_name, func_name = target.split(":", 1)
    import sys

    scenarios_dir = str(call.ctx.scenarios_dir)
    if scenarios_dir not in sys.path:
        sys.path.insert(0, scenarios_dir)
    try:
        module = importlib.import_module(module_name)
        func = getattr(module, func_name)
    except (ImportError, AttributeError) as exc:
        raise StepFailure(f"cannot load {target}: {exc}", kind="error") from None
    try:
        result = func(call.page, call.ctx.template_context(), **call.args.get("args", {}))
    except StepFailure:
        raise
    except AssertionError as exc:
        raise StepFailure(str(exc) or f"{target} failed") from None
    return result if isinstance(result, Check) else None
