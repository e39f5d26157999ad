"""Engine pieces for external systems: a target's external: addresses and the expect_json step."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from smoke.steps import REGISTRY, StepCall, StepFailure
from smoke.targets import load_targets
from smoke.yamlfile import ConfigError

DOCUMENTS: dict[str, Any] = {}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        doc = DOCUMENTS.get(self.path.split("?")[0])
        body = json.dumps(doc).encode()
        self.send_response(200 if doc is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Any:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _targets(tmp_path: Path, external: str) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text('targets:\n  t:\n    admin_url: "{server}/A/"\n    portal_url: "{server}/P/"\n' + external)
    return path


def test_external_url_and_discovery(tmp_path: Path, server: str) -> None:
    DOCUMENTS["/health"] = {"status": "ok", "systems": {"radius": server + "/radius"}}
    path = _targets(
        tmp_path,
        "    external:\n      nms: https://nms.example.com/api\n"
        '      radius: {discover: "{server}/health", path: systems.radius}\n',
    )
    target = load_targets(path).get("t").with_server(server)
    view = target.template_view()["external"]
    assert str(view["nms"]) == "https://nms.example.com/api/"
    assert str(view["radius"]) == server + "/radius/"
    assert "external" in target.template_fields()


def test_discovery_failure_is_a_clear_value_error(tmp_path: Path, server: str) -> None:
    path = _targets(tmp_path, '    external:\n      radius: {discover: "{server}/nothing", path: radius}\n')
    target = load_targets(path).get("t").with_server(server)
    with pytest.raises(ValueError, match="cannot read the address of external system 'radius'"):
        str(target.template_view()["external"]["radius"])


@pytest.mark.parametrize(
    "external",
    [
        "    external: [radius]\n",
        "    external:\n      radius: {path: x}\n",
        "    external:\n      radius: ftp://x/\n",
        '    external:\n      radius: {url: "http://x/", extra: 1}\n',
    ],
)
def test_bad_external_is_a_config_error(tmp_path: Path, external: str) -> None:
    with pytest.raises(ConfigError):
        load_targets(_targets(tmp_path, external))


class _Ctx:
    def url(self, path: str) -> str:
        return path


def _run(args: dict[str, Any], timeout_ms: float = 1200) -> Any:
    return REGISTRY["expect_json"].func(StepCall(_Ctx(), None, args, None, None, timeout_ms))  # type: ignore[arg-type]


def test_expect_json_where_count_equals(server: str) -> None:
    DOCUMENTS["/subs"] = {
        "subscribers": [
            {"username": "a", "profile": "Fiber 100", "status": "Active"},
            {"username": "b", "profile": "DSL Basic", "status": "Suspended"},
            {"username": "b", "profile": "DSL Basic", "status": "Suspended"},
        ]
    }
    url = server + "/subs"
    check = _run(
        {
            "url": url,
            "path": "subscribers",
            "where": {"username": "a"},
            "count": "1",
            "equals": {"profile": "Fiber 100"},
        }
    )
    assert check.shown == "1 × subscriber with username 'a': profile=Fiber 100"
    assert _run({"url": url, "path": "subscribers.0.status", "equals": "Active"}).shown == "Active"
    assert _run({"url": url, "path": "subscribers", "where": {"username": "z"}, "count": 0, "equals": {"profile": "x"}})
    with pytest.raises(StepFailure, match=r"2 × subscriber with username 'b' at .*, expected 1"):
        _run({"url": url, "path": "subscribers", "where": {"username": "b"}, "count": 1})
    with pytest.raises(StepFailure, match=r"no subscriber with username 'c' at .* \(expected 1\)"):
        _run({"url": url, "path": "subscribers", "where": {"username": "c"}, "count": 1})
    with pytest.raises(
        StepFailure, match=r"subscriber with username 'a': profile is 'Fiber 100', expected 'Fiber 500'"
    ):
        _run({"url": url, "path": "subscribers", "where": {"username": "a"}, "equals": {"profile": "Fiber 500"}})


def test_expect_json_waits_for_the_answer_to_change(server: str) -> None:
    DOCUMENTS["/later"] = {"status": "Active"}
    threading.Timer(0.4, lambda: DOCUMENTS.__setitem__("/later", {"status": "Suspended"})).start()
    assert (
        _run({"url": server + "/later", "path": "status", "equals": "Suspended"}, timeout_ms=5000).shown == "Suspended"
    )


def test_expect_json_reports_http_errors(server: str) -> None:
    with pytest.raises(StepFailure, match="answered HTTP 404"):
        _run({"url": server + "/missing", "path": "x"}, timeout_ms=100)
