"""What the report shows of the pack: signed or UNSIGNED, the sign-offs, planned against executed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smoke.pack import ATTESTATION, PUBLIC_KEY, SIGNATURE
from smoke.pack.keys import fingerprint
from smoke.pack.plan import planned_vs_executed, read_plan
from smoke.pack.seal import manifest_signed, recorded_key
from smoke.pack.signoff import check_log
from smoke.results import RunResult


def _signature(run_dir: Path, plan: dict[str, Any] | None) -> dict[str, Any]:
    key = recorded_key(run_dir)
    expected = ((plan or {}).get("signing") or {}).get("fingerprint")
    view: dict[str, Any] = {
        "file": SIGNATURE,
        "public_key": PUBLIC_KEY,
        "attestation": ATTESTATION if (run_dir / ATTESTATION).is_file() else None,
        "fingerprint": fingerprint(key) if key is not None else expected,
    }
    if manifest_signed(run_dir):
        view["state"] = "signed"
    elif (run_dir / SIGNATURE).exists():
        view["state"] = "mismatch"  # signed once; the manifest changed since
    elif expected:
        view["state"] = "missing"  # the plan says signed, the signature is gone
    else:
        view["state"] = "unsigned"
    return view


def pack_view(run: RunResult, run_dir: Path) -> dict[str, Any]:
    plan = read_plan(run_dir)
    rows = planned_vs_executed(plan, run)
    signoffs = [
        {
            "line": c.line,
            "name": c.entry.get("name", "?"),
            "role": c.entry.get("role", ""),
            "meaning": c.entry.get("meaning", ""),
            "signed_at": c.entry.get("signed_at", ""),
            "override": c.entry.get("override"),
            "fingerprint": c.entry.get("key_fingerprint", ""),
            "valid": c.valid,
            "problems": c.problems,
        }
        for c in check_log(run_dir)
    ]
    return {
        "signature": _signature(run_dir, plan),
        "signoffs": signoffs,
        "plan": {
            "present": plan is not None,
            "frozen": (plan or {}).get("frozen", ""),
            "rows": rows,
            "missing_steps": sum(len(r["missing"]) for r in rows if r["selected"]),
            "not_selected": [r for r in rows if not r["selected"]],
            "edited": list(getattr(run, "edited", []) or []),
        },
    }
