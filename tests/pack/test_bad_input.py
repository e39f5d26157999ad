from __future__ import annotations

import stat
from pathlib import Path

import pytest

from smoke.pack import EXIT_MISMATCH, EXIT_OK, EXIT_USAGE
from smoke.targets import load_targets
from smoke.yamlfile import ConfigError
from tests.pack.conftest import Smoke, snapshot

DANA = ("--name", "Dana Lee", "--role", "QA lead", "--meaning", "Approved for production")


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_keys_new_writes_a_private_key_only_its_owner_reads(tmp_path: Path, smoke: Smoke) -> None:
    outcome = smoke("keys", "new", "--out", tmp_path / "k" / "ops-key")
    assert outcome.code == EXIT_OK, outcome.err
    private, public = tmp_path / "k" / "ops-key", tmp_path / "k" / "ops-key.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert "fingerprint: " in outcome.out
    before = private.read_bytes()
    again = smoke("keys", "new", "--out", private)
    assert again.code == EXIT_USAGE and "already exists" in _one_line(again.err)
    assert private.read_bytes() == before


def test_an_encrypted_key_needs_its_passphrase(tmp_path: Path, smoke: Smoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKE_SIGNING_KEY_PASSPHRASE", "correct horse")
    assert smoke("keys", "new", "--out", tmp_path / "enc").code == EXIT_OK
    assert "ENCRYPTED" in (tmp_path / "enc").read_text()
    from smoke.pack import PackError
    from smoke.pack.keys import load_private

    load_private(tmp_path / "enc")
    monkeypatch.delenv("SMOKE_SIGNING_KEY_PASSPHRASE")
    with pytest.raises(PackError, match="is encrypted: set SMOKE_SIGNING_KEY_PASSPHRASE"):
        load_private(tmp_path / "enc")


def test_verify_an_unknown_run(reports: Path, smoke: Smoke) -> None:
    outcome = smoke("verify", "20990101-000000", "--report-dir", reports)
    assert outcome.code == EXIT_USAGE
    assert _one_line(outcome.err).startswith("smoke: no run '20990101-000000'")


def test_verify_with_an_unreadable_key(signed_run: Path, tmp_path: Path, smoke: Smoke) -> None:
    garbage = tmp_path / "garbage.pub"
    garbage.write_text("not a key")
    for key in (garbage, tmp_path / "absent.pub"):
        outcome = smoke("verify", signed_run, "--key", key)
        assert outcome.code == EXIT_USAGE
        assert str(key) in _one_line(outcome.err)


def test_signoff_bad_input_changes_nothing(
    signed_run: Path, key_files: tuple[Path, Path], tmp_path: Path, smoke: Smoke
) -> None:
    before = snapshot(signed_run)
    garbage = tmp_path / "garbage.key"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    cases = [
        (("signoff", "nope", *DANA, "--key", key_files[0], "--report-dir", signed_run.parent), "no run 'nope'"),
        (("signoff", signed_run, *DANA), "no signing key: pass --key"),
        (("signoff", signed_run, *DANA, "--key", tmp_path / "absent"), "no such file"),
        (("signoff", signed_run, *DANA, "--key", garbage), "not a readable private key"),
        (("signoff", signed_run, *DANA, "--key", key_files[1]), "not a readable private key"),  # the public half
        (("signoff", signed_run, "--name", " ", "--role", "QA", "--meaning", "Reviewed", "--key", key_files[0]), "--name is empty"),
    ]  # fmt: skip
    for args, message in cases:
        outcome = smoke(*args)
        assert outcome.code == EXIT_USAGE, (args, outcome.err)
        assert message in _one_line(outcome.err)
    assert snapshot(signed_run) == before


def test_signoff_on_a_tampered_or_incomplete_run_is_refused(
    signed_run: Path, key_files: tuple[Path, Path], smoke: Smoke
) -> None:
    (sorted((signed_run / "shots").glob("*.jpg"))[0]).unlink()
    before = snapshot(signed_run)
    outcome = smoke("signoff", signed_run, *DANA, "--key", key_files[0])
    assert outcome.code == EXIT_MISMATCH
    assert "does not verify" in _one_line(outcome.err) and "missing" in outcome.err
    assert snapshot(signed_run) == before


def test_a_run_with_a_key_that_is_gone_stops_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smoke.pack import PackError
    from smoke.pack.keys import run_key

    monkeypatch.setenv("SMOKE_SIGNING_KEY", str(tmp_path / "gone"))
    with pytest.raises(PackError, match=r"^\$SMOKE_SIGNING_KEY: signing key .*gone: no such file"):
        run_key()


TARGETS = """\
default: staging
targets:
  staging:
    admin_url: https://staging.example.com/AdminPortal/
    portal_url: https://staging.example.com/Portal/
    signing_key: {SPEC}
"""


def test_the_target_names_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from smoke.pack import PackError
    from smoke.pack.keys import new_key_pair, target_key

    monkeypatch.delenv("SMOKE_SIGNING_KEY", raising=False)
    path = tmp_path / "targets.yaml"
    path.write_text(TARGETS.replace("{SPEC}", "{path_env: STAGING_KEY}"))
    target = load_targets(path).targets["staging"]
    monkeypatch.delenv("STAGING_KEY", raising=False)
    with pytest.raises(
        PackError, match=r"targets.yaml:6:\d+: signing_key: environment variable STAGING_KEY is not set"
    ):
        target_key(target)
    _, _, fingerprint = new_key_pair(tmp_path / "staging-key")
    monkeypatch.setenv("STAGING_KEY", str(tmp_path / "staging-key"))
    key = target_key(target)
    assert key is not None and key.fingerprint == fingerprint
    path.write_text(TARGETS.replace("{SPEC}", "{path: staging-key}"))
    key = target_key(load_targets(path).targets["staging"])
    assert key is not None and key.fingerprint == fingerprint


@pytest.mark.parametrize("spec", ["{file: x}", "[x]", "{path: x, path_env: Y}"])
def test_a_bad_signing_key_setting_names_the_line(tmp_path: Path, spec: str) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(TARGETS.replace("{SPEC}", spec))
    with pytest.raises(ConfigError) as bad:
        load_targets(path)
    assert bad.value.line().startswith(f"{path.name}:6:") or ":6:" in bad.value.line()
    assert "signing_key" in bad.value.line()


def test_smoke_check_and_run_refuse_a_configured_key_that_is_gone(tmp_path: Path, smoke: Smoke) -> None:
    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    for command in ("check", "run"):
        outcome = smoke(
            command, "admin-login", "--scenarios", scenarios, env={"SMOKE_SIGNING_KEY": str(tmp_path / "gone")}
        )
        assert outcome.code == EXIT_USAGE
        assert (
            _one_line(outcome.err)
            == f"smoke: $SMOKE_SIGNING_KEY: signing key {tmp_path / 'gone'}: no such file (`smoke keys new --out {tmp_path / 'gone'}` makes one)"
        )
    assert list(tmp_path.iterdir()) == []
