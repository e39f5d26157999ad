"""``smoke verify``: check a run folder, or a report file, offline.

Every evidence file against ``manifest.json``; the manifest against its signature (the key given,
or the one recorded in the run); the attestation; each report output against its sidecar and the
manifest it names; the sign-off log. One line per problem, each naming the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from securesystemslib.exceptions import VerificationError

from smoke.pack import ATTESTATION, PUBLIC_KEY, SIGNATURE, PackError
from smoke.pack.keys import fingerprint, verifies
from smoke.pack.plan import read_plan
from smoke.pack.seal import PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, read_envelope, recorded_key, sslib_key
from smoke.pack.signoff import EntryCheck, check_log
from smoke.report.manifest import MANIFEST, SUMS, evidence_files, sha256_file, verify_manifest

_REPORT_OUTPUT = re.compile(r"^report.*\.(html|pdf)$")


@dataclass
class Verification:
    run_dir: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signed_by: str | None = None  # fingerprint of the key whose signature verified
    files: int = 0
    signoffs: list[EntryCheck] = field(default_factory=list)

    @property
    def unsigned(self) -> bool:
        return self.signed_by is None


def find_run(ref: str, report_dir: Path) -> Path:
    path = Path(ref)
    if path.is_dir():
        run_dir = path
    elif (report_dir / ref).is_dir():
        run_dir = report_dir / ref
    else:
        raise PackError(f"no run {ref!r}: not a folder, and not in {report_dir}/ (`ls {report_dir}` lists the runs)")
    run_dir = run_dir.resolve()
    if not (run_dir / MANIFEST).is_file() and not (run_dir / "results.json").is_file():
        raise PackError(f"{run_dir} is not a run folder (it has neither {MANIFEST} nor results.json)")
    return run_dir


def _load_json(path: Path, problems: list[str]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"{path.name}: unreadable ({exc})")
        return None


def verify_run(run_dir: Path, key: Ed25519PublicKey | None = None) -> Verification:
    result = Verification(run_dir)
    problems = result.problems
    manifest_path = run_dir / MANIFEST
    if not manifest_path.is_file():
        problems.append(f"{MANIFEST}: missing: nothing lists this run's evidence (was it removed?)")
        return result
    manifest = _load_json(manifest_path, problems)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        problems.append(f"{MANIFEST}: not a manifest (no files list)")
        return result
    result.files = len(manifest["files"])
    for problem in verify_manifest(run_dir):
        text = {
            "changed": "changed since the manifest was written (its SHA-256 differs)",
            "missing": "missing (listed in the manifest)",
            "not in manifest": "not in the manifest (added after it was written)",
        }.get(problem.problem, problem.problem)
        problems.append(f"{problem.path}: {text}")
    sums = "".join(f"{f['sha256']}  {f['path']}\n" for f in manifest["files"])
    if (run_dir / SUMS).is_file() and (run_dir / SUMS).read_text(encoding="utf-8") != sums:
        problems.append(f"{SUMS}: does not match {MANIFEST}")
    _check_signature(run_dir, key, result)
    _check_reports(run_dir, result)
    result.signoffs = check_log(run_dir)
    for check in result.signoffs:
        who = f"{check.entry.get('name', '?')} ({check.entry.get('meaning', '?')})"
        problems.extend(f"signoff.jsonl:{check.line}: {who}: {text}" for text in check.problems)
    return result


def _check_signature(run_dir: Path, given: Ed25519PublicKey | None, result: Verification) -> None:
    problems = result.problems
    plan = read_plan(run_dir)
    expected = ((plan or {}).get("signing") or {}).get("fingerprint")
    sig_path, pub_path = run_dir / SIGNATURE, run_dir / PUBLIC_KEY
    recorded = recorded_key(run_dir)
    if pub_path.is_file() and recorded is None:
        problems.append(f"{PUBLIC_KEY}: not an Ed25519 public key")
    if not sig_path.is_file():
        known = given or recorded
        if expected or known is not None:
            who = expected or (fingerprint(known) if known is not None else "?")
            problems.append(f"{SIGNATURE}: missing: the run is to be signed by key {who} (was it removed?)")
        return
    key = given or recorded
    if key is None:
        problems.append(f"{PUBLIC_KEY}: missing: no key to check {SIGNATURE} with (pass --key PUBLIC-KEY)")
        return
    print_fp = fingerprint(key)
    if given is not None and recorded is not None and fingerprint(recorded) != print_fp:
        problems.append(f"{PUBLIC_KEY}: the run records key {fingerprint(recorded)}, not the key given ({print_fp})")
    if expected and expected != print_fp:
        problems.append(f"{SIGNATURE}: the plan says the run signs with key {expected}, the key is {print_fp}")
    manifest = (run_dir / MANIFEST).read_bytes()
    if verifies(key, sig_path.read_bytes(), manifest):
        result.signed_by = print_fp
    elif given is not None and recorded is not None and fingerprint(recorded) != print_fp:
        problems.append(f"{SIGNATURE}: not made with the key given ({print_fp})")
    else:
        problems.append(f"{SIGNATURE}: does not match {MANIFEST}: the manifest changed after it was signed")
    _check_attestation(run_dir, key, result, manifest_ok=result.signed_by is not None)


def _check_attestation(run_dir: Path, key: Ed25519PublicKey, result: Verification, *, manifest_ok: bool) -> None:
    problems = result.problems
    path = run_dir / ATTESTATION
    if not path.is_file():
        problems.append(f"{ATTESTATION}: missing (a signed run has one)")
        return
    try:
        envelope = read_envelope(path)
        envelope.verify([sslib_key(key)], 1)
        statement = json.loads(envelope.payload)
    except VerificationError:
        problems.append(f"{ATTESTATION}: its DSSE signature does not verify with key {fingerprint(key)}")
        return
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        problems.append(f"{ATTESTATION}: not a DSSE envelope ({exc})")
        return
    if (
        envelope.payload_type != PAYLOAD_TYPE
        or statement.get("_type") != STATEMENT_TYPE
        or statement.get("predicateType") != PREDICATE_TYPE
    ):
        problems.append(f"{ATTESTATION}: not an in-toto v1 Test Result statement")
        return
    digests = {s.get("name"): (s.get("digest") or {}).get("sha256") for s in statement.get("subject", [])}
    if digests.get(MANIFEST) != sha256_file(run_dir / MANIFEST) and manifest_ok:
        problems.append(f"{ATTESTATION}: names another {MANIFEST} than the signed one")
    if not manifest_ok:
        # the manifest was rewritten; the signed attestation still names what the evidence was
        for rel in evidence_files(run_dir):
            name = rel.as_posix()
            if name in digests and digests[name] != sha256_file(run_dir / rel):
                problems.append(f"{name}: changed since the run was signed (the attestation has another SHA-256)")
            elif name not in digests:
                problems.append(f"{name}: not among the files the run signed")
        for name in digests:
            if name != MANIFEST and not (run_dir / name).is_file():
                problems.append(f"{name}: missing (the run signed it)")


def _sidecar_lines(sidecar: Path) -> dict[str, str]:
    out = {}
    for line in sidecar.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            out[name.strip()] = digest.strip()
    return out


def check_output(report: Path, run_dir: Path, result: Verification, name: str | None = None) -> None:
    """A report file against the sidecar of ``name`` in the run: its hash, the manifest it shows, the signature."""
    problems = result.problems
    name = name or report.name
    label = name if report.parent.resolve() == run_dir.resolve() and report.name == name else str(report)
    sidecar = run_dir / (name + ".sha256")
    if not sidecar.is_file():
        problems.append(f"{label}: no {sidecar.name} beside it: nothing says which run it is the report of")
        return
    lines = _sidecar_lines(sidecar)
    if lines.get(name) != sha256_file(report):
        problems.append(f"{label}: changed since it was rendered (its SHA-256 is not the one {sidecar.name} names)")
    manifest = run_dir / MANIFEST
    if MANIFEST not in lines:
        result.notes.append(f"{label}: {sidecar.name} does not name the manifest (rendered by an older version)")
    elif manifest.is_file() and lines[MANIFEST] != sha256_file(manifest):
        problems.append(f"{label}: rendered from another {MANIFEST} than this run's (the evidence changed since)")
    if report.suffix == ".html":
        shown = re.search(r'id="manifest-sha256">([0-9a-f]{64})<', report.read_text(encoding="utf-8", errors="replace"))
        if shown and manifest.is_file() and shown.group(1) != sha256_file(manifest):
            problems.append(f"{label}: shows manifest {shown.group(1)[:12]}…, not this run's")
    sig = sidecar.with_name(sidecar.name + ".sig")
    key = recorded_key(run_dir)
    if (run_dir / SIGNATURE).exists():
        if not sig.is_file():
            problems.append(f"{label}: not signed by the run's key (re-render it with the key: `smoke report RUN`)")
        elif key is None or not verifies(key, sig.read_bytes(), sidecar.read_bytes()):
            problems.append(f"{label}: {sig.name} does not match {sidecar.name}")


def _check_reports(run_dir: Path, result: Verification) -> None:
    for path in sorted(run_dir.iterdir()):
        if path.is_file() and _REPORT_OUTPUT.match(path.name):
            check_output(path, run_dir, result)


def _named_by(run_dir: Path, digest: str) -> str | None:
    for sidecar in sorted(run_dir.glob("*.sha256")):
        for name, value in _sidecar_lines(sidecar).items():
            if value == digest and name != MANIFEST and sidecar.name == name + ".sha256":
                return name
    return None


def find_run_of(report: Path, report_dir: Path, run: str | None) -> tuple[Path, str | None]:
    """The run whose sidecar names ``report``: beside it, the run given, or any run by the file's SHA-256."""
    if run:
        run_dir = find_run(run, report_dir)
        if (run_dir / (report.name + ".sha256")).is_file():
            return run_dir, report.name
        return run_dir, _named_by(run_dir, sha256_file(report))
    if (report.parent / (report.name + ".sha256")).is_file() and (report.parent / MANIFEST).is_file():
        return report.parent.resolve(), report.name
    digest = sha256_file(report)
    if report_dir.is_dir():
        for run_dir in sorted(p for p in report_dir.iterdir() if p.is_dir() and not p.is_symlink()):
            name = _named_by(run_dir, digest)
            if name:
                return run_dir.resolve(), name
    raise PackError(
        f"{report}: no run in {report_dir}/ names this file (SHA-256 {digest[:12]}…): it was changed since it"
        " was rendered, or pass --run RUN to say whose report it is"
    )


def verify_file(report: Path, key: Ed25519PublicKey | None, report_dir: Path, run: str | None) -> Verification:
    """Verify the run a report file belongs to, and that the file is the report that run names."""
    if not report.is_file():
        raise PackError(f"{report}: no such file")
    run_dir, name = find_run_of(report, report_dir, run)
    result = verify_run(run_dir, key)
    if name is None:
        result.problems.append(
            f"{report}: changed since it was rendered, or not a report of run {run_dir.name}"
            " (no sidecar of the run names its SHA-256)"
        )
    elif report.resolve() != (run_dir / name).resolve():
        check_output(report, run_dir, result, name)  # a copy, e.g. the attachment of a ticket
    return result
