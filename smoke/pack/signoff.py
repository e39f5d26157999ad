"""The sign-off log: ``signoff.jsonl``, one signed, time-stamped entry per person who signed the run off.

Each entry binds the printed name, role, meaning and UTC time to the SHA-256 of ``manifest.json``
(and so to every evidence file), and to the entry before it; it is signed with the signer's Ed25519
key. An entry stays valid only while the evidence is the one it was signed for.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smoke.pack import EXIT_MISMATCH, EXIT_REFUSED, SIGNOFF_LOG, PackError
from smoke.pack.keys import SigningKey, fingerprint, public_from_pem, public_pem, verifies
from smoke.report.manifest import MANIFEST, sha256_file

# A meaning that approves the run; "not approved", "rejected", "reviewed only" do not.
_APPROVAL = re.compile(r"\b(approv\w*|accept\w*|pass(ed)?|go[- ]?live|release[sd]?|ready|sign(ed)?[- ]?off)\b", re.I)
_NEGATION = re.compile(r"\b(not|never|no|non|un|reject\w*|declin\w*|refus\w*|den(y|ied))\b[\s-]*(\w+\s+){0,2}$", re.I)


def is_approval(meaning: str) -> bool:
    # an approval word counts unless a negation stands just before it ("not approved")
    return any(not _NEGATION.search(meaning[: match.start()]) for match in _APPROVAL.finditer(meaning))


def _canonical(entry: dict[str, Any]) -> bytes:
    body = {k: v for k, v in entry.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def read_log(run_dir: Path) -> list[tuple[int, str, dict[str, Any] | None]]:
    """(line number, raw line, entry or None when the line is not JSON) of the run's sign-off log."""
    path = run_dir / SIGNOFF_LOG
    if not path.is_file():
        return []
    out: list[tuple[int, str, dict[str, Any] | None]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        out.append((number, line, entry if isinstance(entry, dict) else None))
    return out


@dataclass
class EntryCheck:
    line: int
    entry: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def check_log(run_dir: Path) -> list[EntryCheck]:
    """Every entry: its signature, its link to the entry before, and whether the evidence is still its own."""
    manifest = run_dir / MANIFEST
    current = sha256_file(manifest) if manifest.is_file() else None
    checks = []
    previous: str | None = None
    for number, line, entry in read_log(run_dir):
        check = EntryCheck(number, entry or {})
        if entry is None:
            check.problems.append("not a sign-off entry (not JSON)")
        else:
            key = public_from_pem(str(entry.get("public_key", "")).encode())
            try:
                signature = base64.b64decode(str(entry.get("signature", "")), validate=True)
            except ValueError:
                signature = b""
            if key is None:
                check.problems.append("its public key is missing or unreadable")
            elif fingerprint(key) != entry.get("key_fingerprint"):
                check.problems.append("its key fingerprint does not match its public key")
            elif not verifies(key, signature, _canonical(entry)):
                check.problems.append("its signature does not match the entry (the entry was edited)")
            if entry.get("previous") != previous:
                check.problems.append("the entry before it was removed or changed")
            if current is None:
                check.problems.append("manifest.json is missing")
            elif entry.get("manifest_sha256") != current:
                check.problems.append(
                    f"signed for manifest {str(entry.get('manifest_sha256'))[:12]}…, the evidence now has {current[:12]}…"
                    " (the evidence changed after it was signed)"
                )
        previous = hashlib.sha256(line.encode()).hexdigest()
        checks.append(check)
    return checks


def new_entry(
    run_dir: Path,
    results: dict[str, Any],
    *,
    name: str,
    role: str,
    meaning: str,
    key: SigningKey,
    override: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed entry for ``name``; raises PackError (nothing written) when it may not be made."""
    for label, value in (("--name", name), ("--role", role), ("--meaning", meaning)):
        if not value.strip():
            raise PackError(f"{label} is empty: a sign-off needs the printed name, the role and what it means")
    status, partial = results.get("status"), bool(results.get("partial"))
    if is_approval(meaning) and (status != "passed" or partial) and not (override and override.strip()):
        why = (
            "it ran a selection of the suite (partial)"
            if status == "passed"
            else f"its verdict is {results.get('verdict') or status}"
        )
        raise PackError(
            f"refused: {meaning!r} approves a run that did not pass completely ({why});"
            ' sign with a meaning that does not approve it, or give --override "REASON" (recorded in the entry)',
            EXIT_REFUSED,
        )
    log = read_log(run_dir)
    if any(entry is None for _, _, entry in log):
        raise PackError(f"{run_dir / SIGNOFF_LOG}: a line is not a sign-off entry: the log was edited", EXIT_MISMATCH)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    entry: dict[str, Any] = {
        "version": 1,
        "run_id": results.get("id") or run_dir.name,
        "name": name.strip(),
        "role": role.strip(),
        "meaning": meaning.strip(),
        "signed_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "manifest_sha256": sha256_file(run_dir / MANIFEST),
        "run_status": status,
        "run_partial": partial,
        "run_verdict": results.get("verdict", ""),
        "override": override.strip() if override and override.strip() else None,
        "previous": hashlib.sha256(log[-1][1].encode()).hexdigest() if log else None,
        "key_fingerprint": key.fingerprint,
        "public_key": public_pem(key.public).decode(),
    }
    entry["signature"] = base64.b64encode(key.private.sign(_canonical(entry))).decode()
    return entry


def append_entry(run_dir: Path, entry: dict[str, Any]) -> Path:
    path = run_dir / SIGNOFF_LOG
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path
