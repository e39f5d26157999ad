"""Signing a run: the manifest's detached signature, the in-toto attestation, the report sidecars.

``manifest.json.sig`` is the raw Ed25519 signature of ``manifest.json``'s bytes, so OpenSSL checks
it as it is (``openssl pkeyutl -verify -pubin -inkey signing-key.pub -rawin -in manifest.json
-sigfile manifest.json.sig``). ``attestation.intoto.jsonl`` is one DSSE envelope around an in-toto
v1 Statement of the Test Result predicate; securesystemslib builds and signs the envelope (PAE).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

from smoke.pack import ATTESTATION, PLAN, PUBLIC_KEY, SIGNATURE
from smoke.pack.keys import SigningKey, fingerprint, public_from_pem, public_pem, verifies
from smoke.report.manifest import MANIFEST, sha256_file

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://in-toto.io/attestation/test-result/v0.1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
RUN_URL_ENV = "SMOKE_RUN_URL"  # e.g. the CI job's address; the predicate's optional url


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def recorded_key(run_dir: Path) -> Ed25519PublicKey | None:
    path = run_dir / PUBLIC_KEY
    return public_from_pem(path.read_bytes()) if path.is_file() else None


def manifest_signed(run_dir: Path) -> bool:
    """Whether ``manifest.json`` carries a signature that verifies with the key recorded beside it."""
    sig, manifest, key = run_dir / SIGNATURE, run_dir / MANIFEST, recorded_key(run_dir)
    return (
        key is not None
        and sig.is_file()
        and manifest.is_file()
        and verifies(key, sig.read_bytes(), manifest.read_bytes())
    )


def seal(run_dir: Path, key: SigningKey | None) -> str | None:
    """Sign the run's ``manifest.json`` and write its attestation, when a key is given.

    A run already signed is left as it is. A signature that no longer matches the manifest (the
    evidence changed since it was signed) is never replaced: it stays, so the report and
    ``smoke verify`` say so. Returns a warning for the operator, or None.
    """
    manifest = run_dir / MANIFEST
    if key is None or not manifest.is_file():
        return None
    if (run_dir / SIGNATURE).exists():
        if manifest_signed(run_dir):
            recorded = recorded_key(run_dir)
            if not (run_dir / ATTESTATION).is_file() and recorded and fingerprint(recorded) == key.fingerprint:
                write_attestation(run_dir, key)
            return None
        return (
            f"{run_dir / SIGNATURE}: not re-signed: manifest.json changed since the run was signed"
            " (the evidence was altered; `smoke verify` names the files)"
        )
    _write(run_dir / PUBLIC_KEY, public_pem(key.public))
    _write(run_dir / SIGNATURE, key.private.sign(manifest.read_bytes()))
    write_attestation(run_dir, key)
    return None


def sign_sidecar(sidecar: Path, key: SigningKey | None) -> None:
    """``<report>.sha256.sig``: the run's key vouches for this rendering of the report.

    Rendered without the key, a stale signature is removed: the report is then plainly unsigned.
    """
    sig = sidecar.with_name(sidecar.name + ".sig")
    if key is None:
        sig.unlink(missing_ok=True)
        return
    _write(sig, key.private.sign(sidecar.read_bytes()))


def sign_outputs(run_dir: Path, key: SigningKey | None, since: float) -> None:
    """Sign the report sidecars of the run written since ``since`` (a ``time.time()``), e.g. PDFs.

    Only what this command rendered is vouched for, never a report file found lying in the folder.
    Without the key, signatures that no longer match their sidecar are removed (the report was
    rendered again by someone without it): the report is then plainly unsigned.
    """
    recorded = recorded_key(run_dir)
    for sidecar in sorted(run_dir.glob("*.sha256")):
        if not (run_dir / sidecar.name[: -len(".sha256")]).is_file():
            continue
        sig = sidecar.with_name(sidecar.name + ".sig")
        if key is not None and sidecar.stat().st_mtime >= since:
            _write(sig, key.private.sign(sidecar.read_bytes()))
        elif sig.is_file() and (recorded is None or not verifies(recorded, sig.read_bytes(), sidecar.read_bytes())):
            sig.unlink()


def _result(results: dict[str, Any]) -> str:
    status = results.get("status")
    if status != "passed":
        return "FAILED"  # failed, incomplete, interrupted: none is a pass a policy may accept
    return "WARNED" if results.get("partial") or results.get("notes") else "PASSED"


def statement(run_dir: Path) -> dict[str, Any]:
    """The in-toto Test Result statement of the run: the evidence's digests, its result and inputs."""
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    results_path = run_dir / "results.json"
    results: dict[str, Any] = json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else {}
    subjects = [{"name": MANIFEST, "digest": {"sha256": sha256_file(run_dir / MANIFEST)}}]
    subjects += [{"name": f["path"], "digest": {"sha256": f["sha256"]}} for f in manifest.get("files", [])]
    target = results.get("target") or {}
    configuration: list[dict[str, Any]] = []
    if (run_dir / PLAN).is_file():
        plan = json.loads((run_dir / PLAN).read_text(encoding="utf-8"))
        configuration.append({"name": PLAN, "digest": {"sha256": sha256_file(run_dir / PLAN)}})
        configuration += [
            {"name": f["path"], "digest": {"sha256": f["sha256"]}} for f in plan.get("inputs", []) if f.get("sha256")
        ]
    configuration.append(
        {
            "name": f"target {target.get('name', '?')}",
            "uri": target.get("admin_url") or "about:blank",
            "annotations": {
                "target": target.get("name"),
                "portal_url": target.get("portal_url"),
                "read_only": target.get("read_only"),
                "release": results.get("release"),
                "suite_revision": results.get("revision"),
                "run_id": results.get("id") or manifest.get("run_id"),
                "verdict": results.get("verdict"),
            },
        }
    )
    passed, warned, failed = [], [], []
    for scenario in results.get("scenarios", []):
        name = scenario.get("file") or scenario.get("name")
        status = scenario.get("status")
        if status == "passed" and not any(h.get("action") != "fail" for h in scenario.get("health", [])):
            passed.append(name)
        elif status in ("passed", "flaky", "skipped"):
            warned.append(name)
        else:
            failed.append(name)  # failed, error, not run, interrupted: the check did not pass
    predicate: dict[str, Any] = {
        "result": _result(results),
        "configuration": configuration,
        "passedTests": passed,
        "warnedTests": warned,
        "failedTests": failed,
    }
    if os.environ.get(RUN_URL_ENV):
        predicate["url"] = os.environ[RUN_URL_ENV]
    return {"_type": STATEMENT_TYPE, "subject": subjects, "predicateType": PREDICATE_TYPE, "predicate": predicate}


def sslib_key(public: Ed25519PublicKey) -> SSlibKey:
    # the keyid is our fingerprint, so the envelope names the same key the report and verify show
    return SSlibKey.from_crypto(public, keyid=fingerprint(public), scheme="ed25519")


def write_attestation(run_dir: Path, key: SigningKey) -> Path:
    payload = json.dumps(statement(run_dir), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    envelope = Envelope(payload, PAYLOAD_TYPE, {})
    envelope.sign(CryptoSigner(key.private, sslib_key(key.public)))
    path = run_dir / ATTESTATION
    _write(path, (json.dumps(envelope.to_dict(), separators=(",", ":")) + "\n").encode())
    return path


def read_envelope(path: Path) -> Envelope:
    line = path.read_text(encoding="utf-8").strip().splitlines()[0]
    return Envelope.from_dict(json.loads(line))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
