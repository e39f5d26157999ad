from __future__ import annotations

import json
from pathlib import Path

import pytest

from smoke.pack import EXIT_MISMATCH, EXIT_OK, EXIT_REFUSED
from smoke.pack.keys import SigningKey
from smoke.pack.signoff import is_approval
from smoke.report.manifest import sha256_file
from smoke.report.render import render_report
from tests.pack.conftest import Smoke, snapshot

DANA = ("--name", "Dana Lee", "--role", "QA lead")


def test_a_signoff_survives_rendering_and_breaks_when_the_evidence_changes(
    signed_run: Path, key_files: tuple[Path, Path], run_key: SigningKey, smoke: Smoke
) -> None:
    outcome = smoke("signoff", signed_run, *DANA, "--meaning", "Approved for production", "--key", key_files[0])
    assert outcome.code == EXIT_OK, outcome.err
    [line] = (signed_run / "signoff.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry["name"] == "Dana Lee" and entry["role"] == "QA lead" and entry["meaning"] == "Approved for production"
    assert entry["signed_at"].endswith("Z") and entry["override"] is None
    assert entry["manifest_sha256"] == sha256_file(signed_run / "manifest.json")

    report = render_report(signed_run, signing_key=run_key)
    assert (signed_run / "signoff.jsonl").read_text(encoding="utf-8").splitlines() == [line]
    text = report.read_text(encoding="utf-8")
    assert "Dana Lee" in text and "Approved for production" in text and "INVALID" not in text
    verified = smoke("verify", signed_run)
    assert verified.code == EXIT_OK and "1 of 1 sign-offs valid" in verified.out

    shot = sorted((signed_run / "shots").glob("*.jpg"))[1]
    shot.write_bytes(shot.read_bytes()[:-1])
    render_report(signed_run)
    verified = smoke("verify", signed_run)
    assert verified.code == EXIT_MISMATCH
    assert any(
        line.startswith("FAIL signoff.jsonl:1: Dana Lee (Approved for production): signed for manifest")
        for line in verified.out.splitlines()
    )
    assert "INVALID" in (signed_run / "report.html").read_text(encoding="utf-8")


def test_an_edited_entry_or_a_removed_one_is_caught(
    signed_run: Path, key_files: tuple[Path, Path], smoke: Smoke
) -> None:
    for meaning in ("Reviewed", "Approved for production"):
        assert smoke("signoff", signed_run, *DANA, "--meaning", meaning, "--key", key_files[0]).code == EXIT_OK
    log = signed_run / "signoff.jsonl"
    first, second = log.read_text(encoding="utf-8").splitlines()
    log.write_text(first.replace("Dana Lee", "Dan Lee") + "\n" + second + "\n", encoding="utf-8")
    out = smoke("verify", signed_run).out
    assert (
        "FAIL signoff.jsonl:1: Dan Lee (Reviewed): its signature does not match the entry (the entry was edited)" in out
    )
    assert "FAIL signoff.jsonl:2: Dana Lee (Approved for production): the entry before it was removed or changed" in out
    log.write_text(second + "\n", encoding="utf-8")
    assert "the entry before it was removed or changed" in smoke("verify", signed_run).out


def test_approving_a_failed_run_needs_an_override(failed_run: Path, key_files: tuple[Path, Path], smoke: Smoke) -> None:
    before = snapshot(failed_run)
    outcome = smoke("signoff", failed_run, *DANA, "--meaning", "Approved for production", "--key", key_files[0])
    assert outcome.code == EXIT_REFUSED
    assert outcome.err.startswith("smoke: refused: 'Approved for production' approves a run that did not pass")
    assert len(outcome.err.strip().splitlines()) == 1
    assert snapshot(failed_run) == before

    # a meaning that does not approve needs none
    outcome = smoke("signoff", failed_run, *DANA, "--meaning", "Not approved: payments fail", "--key", key_files[0])
    assert outcome.code == EXIT_OK, outcome.err

    reason = "Known gateway outage on staging; payments checked by hand (ticket OPS-12)"
    outcome = smoke(
        "signoff",
        failed_run,
        *DANA,
        "--meaning",
        "Approved for production",
        "--override",
        reason,
        "--key",
        key_files[0],
    )
    assert outcome.code == EXIT_OK, outcome.err
    entries = [json.loads(line) for line in (failed_run / "signoff.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["override"] for e in entries] == [None, reason]
    assert entries[1]["run_status"] == "failed"
    assert smoke("verify", failed_run).code == EXIT_OK
    text = render_report(failed_run).read_text(encoding="utf-8")
    assert reason in text


def test_approving_a_partial_run_needs_an_override(
    signed_run: Path, key_files: tuple[Path, Path], smoke: Smoke
) -> None:
    results = json.loads((signed_run / "results.json").read_text(encoding="utf-8"))
    results["partial"] = True
    (signed_run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    # the evidence no longer verifies: that is refused first, and nothing is written
    outcome = smoke("signoff", signed_run, *DANA, "--meaning", "Approved", "--key", key_files[0])
    assert outcome.code == EXIT_MISMATCH and "results.json" in outcome.err
    assert not (signed_run / "signoff.jsonl").exists()
    from smoke.pack import PackError
    from smoke.pack.keys import load_private
    from smoke.pack.signoff import new_entry

    signer = SigningKey(key_files[0], load_private(key_files[0]), "test")
    with pytest.raises(PackError) as refused:
        new_entry(signed_run, results, name="Dana Lee", role="QA lead", meaning="Approved", key=signer)
    assert refused.value.code == EXIT_REFUSED and "partial" in refused.value.message


@pytest.mark.parametrize(
    ("meaning", "approves"),
    [
        ("Approved for production", True),
        ("Accepted", True),
        ("Ready to go live", True),
        ("Release approved, no blockers", True),
        ("Not approved: payments fail", False),
        ("Rejected", False),
        ("Reviewed the evidence", False),
        ("Unapproved", False),
        ("Reviewed; not accepted until OPS-12 is fixed", False),
    ],
)
def test_what_counts_as_approval(meaning: str, approves: bool) -> None:
    assert is_approval(meaning) is approves


def test_signoff_renders_the_report_again_when_the_run_key_is_at_hand(
    signed_run: Path, key_files: tuple[Path, Path], smoke: Smoke
) -> None:
    env = {"SMOKE_SIGNING_KEY": str(key_files[0])}
    outcome = smoke("signoff", signed_run, *DANA, "--meaning", "Approved for production", env=env)
    assert outcome.code == EXIT_OK, outcome.err
    assert "Dana Lee" in (signed_run / "report.html").read_text(encoding="utf-8")
    assert smoke("verify", signed_run).code == EXIT_OK
