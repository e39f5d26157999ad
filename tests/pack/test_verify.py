from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from smoke.pack import EXIT_MISMATCH, EXIT_OK, EXIT_UNSIGNED, EXIT_USAGE
from smoke.pack.keys import SigningKey, new_key_pair
from smoke.report.render import render_report
from tests.pack.conftest import Smoke


def _problems(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("FAIL ")]


def test_a_fresh_signed_run_verifies(signed_run: Path, key_files: tuple[Path, Path], smoke: Smoke) -> None:
    outcome = smoke("verify", signed_run, "--key", key_files[1])
    assert outcome.code == EXIT_OK, outcome.out
    assert _problems(outcome.out) == []
    assert "verified:" in outcome.out and "signed by key" in outcome.out
    # found by id in --report-dir too
    assert smoke("verify", signed_run.name, "--report-dir", signed_run.parent).code == EXIT_OK


def test_one_changed_screenshot_byte_fails_naming_the_file(signed_run: Path, smoke: Smoke) -> None:
    shot = sorted((signed_run / "shots").glob("*.jpg"))[3]
    data = bytearray(shot.read_bytes())
    data[len(data) // 2] ^= 0x01
    shot.write_bytes(bytes(data))
    outcome = smoke("verify", signed_run)
    assert outcome.code == EXIT_MISMATCH
    rel = shot.relative_to(signed_run).as_posix()
    assert _problems(outcome.out) == [f"FAIL {rel}: changed since the manifest was written (its SHA-256 differs)"]


def test_edited_results_json_fails_naming_it(signed_run: Path, smoke: Smoke) -> None:
    results = json.loads((signed_run / "results.json").read_text(encoding="utf-8"))
    results["scenarios"][0]["status"] = "passed"
    results["verdict"] = "PASSED"
    (signed_run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    outcome = smoke("verify", signed_run)
    assert outcome.code == EXIT_MISMATCH
    assert any(line.startswith("FAIL results.json: changed") for line in _problems(outcome.out))


def test_a_removed_signature_fails_naming_it(signed_run: Path, smoke: Smoke) -> None:
    (signed_run / "manifest.json.sig").unlink()
    outcome = smoke("verify", signed_run)
    assert outcome.code == EXIT_MISMATCH
    assert any(line.startswith("FAIL manifest.json.sig: missing") for line in _problems(outcome.out))


def test_removing_every_signature_file_still_fails_when_the_plan_says_signed(
    signed_run: Path, run_key: SigningKey, smoke: Smoke
) -> None:
    from smoke.pack.plan import write_plan
    from smoke.report.manifest import write_manifest

    write_plan(signed_run, {"version": 1, "signing": {"fingerprint": run_key.fingerprint}, "scenarios": []})
    write_manifest(signed_run)
    shutil.rmtree(signed_run / "assets")
    for name in ("manifest.json.sig", "signing-key.pub", "attestation.intoto.jsonl", "report.html.sha256.sig"):
        (signed_run / name).unlink()
    outcome = smoke("verify", signed_run)
    assert outcome.code == EXIT_MISMATCH
    assert f"FAIL manifest.json.sig: missing: the run is to be signed by key {run_key.fingerprint}" in outcome.out


def test_tampering_then_rendering_again_is_still_caught(signed_run: Path, smoke: Smoke) -> None:
    shot = sorted((signed_run / "shots").glob("*.jpg"))[0]
    shot.write_bytes(shot.read_bytes() + b"\0")
    render_report(signed_run)  # the manifest is rewritten from the altered files, without the key
    outcome = smoke("verify", signed_run)
    assert outcome.code == EXIT_MISMATCH
    problems = _problems(outcome.out)
    assert "FAIL manifest.json.sig: does not match manifest.json: the manifest changed after it was signed" in problems
    # the signed attestation still knows what the file was
    rel = shot.relative_to(signed_run).as_posix()
    assert f"FAIL {rel}: changed since the run was signed (the attestation has another SHA-256)" in problems
    # and the report says so plainly
    assert "SIGNATURE DOES NOT MATCH" in (signed_run / "report.html").read_text(encoding="utf-8")


def test_rendering_again_with_the_key_does_not_re_sign_altered_evidence(
    signed_run: Path, run_key: SigningKey, smoke: Smoke
) -> None:
    before = (signed_run / "manifest.json.sig").read_bytes()
    (signed_run / "junit.xml").write_text("<testsuites/>", encoding="utf-8")
    render_report(signed_run, signing_key=run_key)
    assert (signed_run / "manifest.json.sig").read_bytes() == before
    assert smoke("verify", signed_run).code == EXIT_MISMATCH


def test_an_unsigned_run_says_so_with_its_own_exit_code(unsigned_run: Path, smoke: Smoke) -> None:
    outcome = smoke("verify", unsigned_run)
    assert outcome.code == EXIT_UNSIGNED
    assert outcome.out.splitlines()[-1].startswith("UNSIGNED: the ")
    assert "UNSIGNED:" in (unsigned_run / "report.html").read_text(encoding="utf-8")


def test_a_run_signed_by_another_key_fails_with_key(signed_run: Path, tmp_path: Path, smoke: Smoke) -> None:
    _, other, _ = new_key_pair(tmp_path / "other-key")
    outcome = smoke("verify", signed_run, "--key", other)
    assert outcome.code == EXIT_MISMATCH
    assert any("not the key given" in line for line in _problems(outcome.out))


def test_a_changed_report_fails_naming_it(signed_run: Path, smoke: Smoke) -> None:
    report = signed_run / "report.html"
    report.write_text(report.read_text(encoding="utf-8").replace("PASSED", "PASSED!"), encoding="utf-8")
    outcome = smoke("verify", signed_run)
    assert outcome.code == EXIT_MISMATCH
    assert _problems(outcome.out) == [
        "FAIL report.html: changed since it was rendered (its SHA-256 is not the one report.html.sha256 names)"
    ]


def test_a_single_file_copy_is_found_and_checked(
    signed_run: Path, run_key: SigningKey, tmp_path: Path, smoke: Smoke
) -> None:
    single = render_report(signed_run, single_file=True, signing_key=run_key)
    attached = tmp_path / "attachments" / "upgrade-evidence.html"
    attached.parent.mkdir()
    shutil.copy(single, attached)
    outcome = smoke("verify", attached, "--report-dir", signed_run.parent)
    assert outcome.code == EXIT_OK, outcome.out
    attached.write_bytes(attached.read_bytes().replace(b"</body>", b"<p>edited</p></body>"))
    outcome = smoke("verify", attached, "--report-dir", signed_run.parent)
    assert outcome.code == EXIT_USAGE  # no run names this file any more
    assert str(attached) in outcome.err and len(outcome.err.strip().splitlines()) == 1
    outcome = smoke("verify", attached, "--run", signed_run)
    assert outcome.code == EXIT_MISMATCH
    assert f"FAIL {attached}: changed since it was rendered, or not a report of run {signed_run.name}" in outcome.out


def test_a_missing_evidence_file_is_named(signed_run: Path, smoke: Smoke) -> None:
    (signed_run / "junit.xml").unlink()
    outcome = smoke("verify", signed_run)
    assert outcome.code == EXIT_MISMATCH
    assert "FAIL junit.xml: missing (listed in the manifest)" in _problems(outcome.out)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_openssl_checks_the_manifest_signature_as_it_is(signed_run: Path) -> None:
    done = subprocess.run(
        [
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "signing-key.pub", "-rawin",
            "-in", "manifest.json", "-sigfile", "manifest.json.sig",
        ],
        cwd=signed_run, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "Verified Successfully" in done.stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", "signing-key.pub", "-outform", "DER"], cwd=signed_run, capture_output=True
    ).stdout
    import hashlib

    assert hashlib.sha256(der).hexdigest() in (signed_run / "report.html").read_text(encoding="utf-8")


def test_smoke_report_signs_with_the_key_in_the_environment(
    signed_run: Path, key_files: tuple[Path, Path], smoke: Smoke
) -> None:
    outcome = smoke("report", signed_run, "--single-file", env={"SMOKE_SIGNING_KEY": str(key_files[0])})
    assert outcome.code == EXIT_OK, outcome.err
    assert (signed_run / "report-single.html.sha256.sig").is_file()
    assert smoke("verify", signed_run).code == EXIT_OK
    # rendered again without the key: that rendering is not vouched for, and verify says which
    outcome = smoke("report", signed_run, "--single-file", env={"SMOKE_SIGNING_KEY": ""})
    assert "unsigned" in outcome.out
    verified = smoke("verify", signed_run)
    assert verified.code == EXIT_MISMATCH
    assert _problems(verified.out) == [
        "FAIL report-single.html: not signed by the run's key (re-render it with the key: `smoke report RUN`)"
    ]
