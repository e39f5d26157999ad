"""The evidence manifest: SHA-256 of every evidence file of a run.

The report cannot contain its own hash (writing the hash changes the file), so the chain is:
evidence files -> ``manifest.json`` (their hashes, deterministic, no timestamps) -> the report shows
the manifest's hash -> ``report.html.sha256`` beside the report records the report's hash. A signer
checks ``sha256sum -c SHA256SUMS`` and that the manifest hash shown in the report matches.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"

# Report outputs are not evidence: they are derived from it and are hashed through sidecars.
_NOT_EVIDENCE_NAMES = {MANIFEST, SUMS, "report.html", "report-single.html", "report.pdf", "index.html"}
_NOT_EVIDENCE_DIRS = {"assets"}
# What smoke.pack writes beside the manifest: signatures of it, and the sign-off log appended later
_PACK_NAMES = {"signing-key.pub", "attestation.intoto.jsonl", "signoff.jsonl"}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_evidence(relative: Path) -> bool:
    if relative.parts and relative.parts[0] in _NOT_EVIDENCE_DIRS:
        return False
    name = relative.name
    return not (
        name in _NOT_EVIDENCE_NAMES
        or name.endswith((".sha256", ".tmp"))
        or (len(relative.parts) == 1 and (name in _PACK_NAMES or name.endswith(".sig")))
        or (len(relative.parts) == 1 and name.startswith("report") and name.endswith((".html", ".pdf")))
    )


def evidence_files(run_dir: Path) -> list[Path]:
    files = []
    for path in run_dir.rglob("*"):
        if path.is_file() and not path.is_symlink():
            relative = path.relative_to(run_dir)
            if is_evidence(relative):
                files.append(relative)
    return sorted(files, key=lambda p: p.as_posix())


def build_manifest(run_dir: Path) -> dict[str, Any]:
    run_id = run_dir.name
    results = run_dir / "results.json"
    if results.is_file():
        with contextlib.suppress(OSError, ValueError):
            run_id = json.loads(results.read_text(encoding="utf-8")).get("id") or run_id
    files = [
        {
            "path": rel.as_posix(),
            "sha256": sha256_file(run_dir / rel),
            "bytes": (run_dir / rel).stat().st_size,
        }
        for rel in evidence_files(run_dir)
    ]
    return {"run_id": run_id, "algorithm": "sha256", "files": files}


def write_manifest(run_dir: Path) -> Path:
    """Write ``manifest.json`` (and ``SHA256SUMS`` for ``sha256sum -c``) for the run's evidence files."""
    manifest = build_manifest(run_dir)
    path = run_dir / MANIFEST
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    _write_atomic(path, text)
    sums = "".join(f"{entry['sha256']}  {entry['path']}\n" for entry in manifest["files"])
    _write_atomic(run_dir / SUMS, sums)
    return path


def write_sidecar(path: Path) -> Path:
    """``<file>.sha256`` in ``sha256sum`` format, for report outputs that cannot hold their own hash.

    Its second line names the manifest the report was rendered from, so the report is bound to the
    evidence (``sha256sum -c`` in the run folder checks both lines)."""
    sidecar = path.with_name(path.name + ".sha256")
    text = f"{sha256_file(path)}  {path.name}\n"
    manifest = path.parent / MANIFEST
    if manifest.is_file():
        text += f"{sha256_file(manifest)}  {MANIFEST}\n"
    _write_atomic(sidecar, text)
    return sidecar


@dataclass(frozen=True)
class Problem:
    path: str
    problem: str  # "changed" | "missing" | "not in manifest"


def verify_manifest(run_dir: Path) -> list[Problem]:
    """What differs between the evidence files and ``manifest.json``; empty when nothing was altered."""
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    problems: list[Problem] = []
    listed = set()
    for entry in manifest["files"]:
        listed.add(entry["path"])
        path = run_dir / entry["path"]
        if not path.is_file():
            problems.append(Problem(entry["path"], "missing"))
        elif sha256_file(path) != entry["sha256"]:
            problems.append(Problem(entry["path"], "changed"))
    for rel in evidence_files(run_dir):
        if rel.as_posix() not in listed:
            problems.append(Problem(rel.as_posix(), "not in manifest"))
    return problems


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
