from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from smoke.pack.seal import read_envelope, sslib_key
from smoke.report.manifest import sha256_file


def _pae(payload_type: str, payload: bytes) -> bytes:
    # DSSE v1 pre-authentication encoding, written out here from the protocol, not taken from the library
    kind = payload_type.encode()
    return b"DSSEv1 " + str(len(kind)).encode() + b" " + kind + b" " + str(len(payload)).encode() + b" " + payload


def test_the_envelope_verifies_with_the_public_key(signed_run: Path, key_files: tuple[Path, Path]) -> None:
    lines = (signed_run / "attestation.intoto.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    envelope = json.loads(lines[0])
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    public = load_pem_public_key(key_files[1].read_bytes())
    assert isinstance(public, Ed25519PublicKey)
    payload = base64.b64decode(envelope["payload"])
    [signature] = envelope["signatures"]
    public.verify(base64.b64decode(signature["sig"]), _pae(envelope["payloadType"], payload))
    der = public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert signature["keyid"] == hashlib.sha256(der).hexdigest()
    # and securesystemslib, which made it, agrees
    read_envelope(signed_run / "attestation.intoto.jsonl").verify([sslib_key(public)], 1)


def test_the_statement_is_an_in_toto_test_result_of_the_evidence(signed_run: Path) -> None:
    envelope = json.loads((signed_run / "attestation.intoto.jsonl").read_text(encoding="utf-8"))
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://in-toto.io/attestation/test-result/v0.1"
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    manifest = json.loads((signed_run / "manifest.json").read_text(encoding="utf-8"))
    assert subjects.pop("manifest.json") == sha256_file(signed_run / "manifest.json")
    assert subjects == {f["path"]: f["sha256"] for f in manifest["files"]}
    predicate = statement["predicate"]
    results = json.loads((signed_run / "results.json").read_text(encoding="utf-8"))
    # the synthetic run passed with a flaky and a skipped scenario: warned, not a clean pass
    assert predicate["result"] in ("PASSED", "WARNED")
    assert set(predicate) >= {"result", "configuration", "passedTests", "warnedTests", "failedTests"}
    named = predicate["passedTests"] + predicate["warnedTests"] + predicate["failedTests"]
    assert sorted(named) == sorted(s["file"] for s in results["scenarios"])
    assert "scenarios/role_permissions.yaml" in predicate["warnedTests"] or predicate["failedTests"] == []
    target = next(c for c in predicate["configuration"] if c["name"].startswith("target "))
    assert target["uri"] == results["target"]["admin_url"]
    assert target["annotations"]["release"] == results["release"]
    assert target["annotations"]["suite_revision"] == results["revision"]
    for descriptor in predicate["configuration"]:  # a ResourceDescriptor has one of uri, digest, content
        assert {"uri", "digest", "content"} & set(descriptor)


def test_a_failed_run_attests_failed(failed_run: Path) -> None:
    envelope = json.loads((failed_run / "attestation.intoto.jsonl").read_text(encoding="utf-8"))
    predicate = json.loads(base64.b64decode(envelope["payload"]))["predicate"]
    assert predicate["result"] == "FAILED"
    assert "scenarios/diverse_accounts.yaml" in predicate["failedTests"]


def test_the_in_toto_project_s_own_model_accepts_it(signed_run: Path) -> None:
    json_format = pytest.importorskip("google.protobuf.json_format")
    statement_pb2 = pytest.importorskip("in_toto_attestation.v1.statement_pb2")
    from in_toto_attestation.predicates.test_result.v0 import test_result_pb2
    from in_toto_attestation.v1.statement import Statement

    envelope = json.loads((signed_run / "attestation.intoto.jsonl").read_text(encoding="utf-8"))
    data = json.loads(base64.b64decode(envelope["payload"]))
    Statement.copy_from_pb(json_format.Parse(json.dumps(data), statement_pb2.Statement())).validate()
    # parsing is strict: a field the Test Result predicate does not define would fail here
    predicate = json_format.Parse(json.dumps(data["predicate"]), test_result_pb2.TestResult())
    assert predicate.result == data["predicate"]["result"]
