"""``smoke keys``, ``smoke verify`` and ``smoke signoff``: the sign-off pack's commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from smoke.pack import (
    EXIT_MISMATCH,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNSIGNED,
    EXIT_USAGE,
    SIGNOFF_LOG,
    PackError,
)

F = TypeVar("F", bound=Callable[..., Any])

VERIFY_CODES = (
    f"Exit codes: {EXIT_OK} verified (every file matches, the signature and every sign-off are valid);"
    f" {EXIT_MISMATCH} tampered or mismatched (a file changed, is missing or was added, a signature does not"
    f" verify, a report is not the run's, a sign-off no longer matches); {EXIT_USAGE} bad input (no such run"
    f" or file, an unreadable key); {EXIT_UNSIGNED} the files match the manifest but the run is unsigned."
)
SIGNOFF_CODES = (
    f"Exit codes: {EXIT_OK} signed; {EXIT_MISMATCH} the run's evidence does not verify (nothing written);"
    f" {EXIT_USAGE} bad input (unknown run, missing or unreadable key, an empty field; nothing written);"
    f" {EXIT_REFUSED} refused: approving a run that did not pass completely needs --override (nothing written)."
)

report_dir_option = click.option(
    "--report-dir", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path)
)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"smoke: {message}", err=True)
    sys.exit(code)


def _guard(func: F) -> F:
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PackError as exc:
            _fail(exc.message, exc.code)

    return wrapper  # type: ignore[return-value]


@click.group()
def keys() -> None:
    """Signing keys for runs and sign-offs (Ed25519)."""


@keys.command(name="new")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the private key (default: ~/.config/smoke/signing-key); the public key goes to OUT.pub.",
)
@_guard
def keys_new(out: Path | None) -> None:
    """Make an Ed25519 key pair: a private key (mode 0600) and its public key beside it.

    A run signs its evidence when SMOKE_SIGNING_KEY names the private key (or the target says
    `signing_key: {path_env: NAME}` or `{path: FILE}`); a person signs a run off with
    `smoke signoff --key`. Give the .pub file and the fingerprint printed here to whoever verifies.
    Set SMOKE_SIGNING_KEY_PASSPHRASE to encrypt the key (and to use it later). Never overwrites.

    \b
    Example:
      smoke keys new --out ~/.config/smoke/staging-key
      export SMOKE_SIGNING_KEY=~/.config/smoke/staging-key
    """
    from smoke.pack.keys import default_key_path, new_key_pair

    private, public, print_fp = new_key_pair((out or default_key_path()).expanduser())
    click.echo(f"private key: {private} (keep it secret; mode 0600)")
    click.echo(f"public key:  {public}")
    click.echo(f"fingerprint: {print_fp}")


def _public_key(path: Path | None) -> Any:
    if path is None:
        return None
    from smoke.pack.keys import load_public

    return load_public(path)


@click.command(epilog=VERIFY_CODES)
@click.argument("ref", metavar="RUN|FILE", default="latest")
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The public key the run must be signed with (default: the one recorded in the run).",
)
@click.option(
    "--run", "run_ref", default=None, help="For a FILE: the run it is the report of (default: found by hash)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@report_dir_option
@_guard
def verify(ref: str, key: Path | None, run_ref: str | None, as_json: bool, report_dir: Path) -> None:
    """Check a run's evidence offline: nothing changed, it is signed, every sign-off still holds.

    RUN is a run id, a run folder or 'latest'; FILE is a report (report-single.html, a PDF), for
    example the copy attached to a ticket: its run is found by the file's SHA-256. Checks every
    evidence file against manifest.json, the manifest's Ed25519 signature and its in-toto attestation
    (with --key, or the public key recorded in the run: then compare the fingerprint printed with the
    one you were given), each report against its sidecar and the manifest it names, and every entry of
    the sign-off log. One line per problem, naming the file.

    \b
    Examples:
      smoke verify latest --key staging-key.pub
      smoke verify ~/Downloads/report-single.html --key staging-key.pub
    """
    from smoke.pack.verify import find_run, verify_file, verify_run

    public = _public_key(key)
    path = Path(ref)
    if path.is_file():
        result = verify_file(path, public, report_dir, run_ref)
    else:
        result = verify_run(find_run(ref, report_dir), public)
    code = EXIT_MISMATCH if result.problems else EXIT_UNSIGNED if result.unsigned else EXIT_OK
    if as_json:
        click.echo(
            json.dumps(
                {
                    "run": str(result.run_dir),
                    "verified": code == EXIT_OK,
                    "signed_by": result.signed_by,
                    "files": result.files,
                    "problems": result.problems,
                    "notes": result.notes,
                    "signoffs": [
                        {"line": c.line, "name": c.entry.get("name"), "valid": c.valid} for c in result.signoffs
                    ],
                },
                indent=2,
            )
        )
        sys.exit(code)
    for problem in result.problems:
        click.echo(f"FAIL {problem}")
    for note in result.notes:
        click.echo(f"note {note}")
    valid = sum(1 for c in result.signoffs if c.valid)
    signoffs = f"; {valid} of {len(result.signoffs)} sign-offs valid" if result.signoffs else "; no sign-offs"
    if result.problems:
        click.echo(f"NOT VERIFIED: {len(result.problems)} problem(s) in {result.run_dir}")
    elif result.unsigned:
        click.echo(
            f"UNSIGNED: the {result.files} evidence files match manifest.json, but nothing signs it"
            f" (no key was configured for the run){signoffs}"
        )
    else:
        click.echo(
            f"verified: {result.files} evidence files match manifest.json, signed by key {result.signed_by}{signoffs}"
        )
    sys.exit(code)


@click.command(epilog=SIGNOFF_CODES)
@click.argument("run_ref", metavar="RUN")
@click.option("--name", required=True, help="The signer's printed name.")
@click.option("--role", required=True, help="The signer's role, e.g. 'QA lead'.")
@click.option("--meaning", required=True, help="What the signature means, e.g. 'Approved for production'.")
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The signer's private key (default: $SMOKE_SIGNING_KEY).",
)
@click.option("--override", default=None, help="Why a run that did not pass completely is approved anyway (recorded).")
@report_dir_option
@_guard
def signoff(
    run_ref: str, name: str, role: str, meaning: str, key: Path | None, override: str | None, report_dir: Path
) -> None:
    """Sign a run off: a signed, time-stamped entry bound to the evidence, appended to signoff.jsonl.

    The entry holds the printed name, the role, the meaning, the UTC date and time and the SHA-256 of
    the run's manifest.json, signed with the signer's Ed25519 key (`smoke keys new` makes one). It
    is refused when the evidence does not verify. A meaning that approves (approve, accept, release,
    go live, ready, sign off, pass) is refused for a run whose verdict is not PASSED or that ran only
    a selection, unless --override "REASON" is given; the reason is recorded in the entry. The
    report, rendered again, lists every sign-off and whether it still matches the evidence.

    \b
    Example:
      smoke signoff latest --name "Dana Lee" --role "QA lead" --meaning "Approved for production" \\
        --key ~/.config/smoke/dana-key
    """
    import os

    from smoke.pack.keys import KEY_ENV, SigningKey, load_private
    from smoke.pack.signoff import append_entry, new_entry
    from smoke.pack.verify import find_run, verify_run

    run_dir = find_run(run_ref, report_dir)
    key_path = key or (Path(os.environ[KEY_ENV]).expanduser() if os.environ.get(KEY_ENV) else None)
    if key_path is None:
        raise PackError(f"no signing key: pass --key PRIVATE-KEY or set {KEY_ENV} (`smoke keys new` makes one)")
    signer = SigningKey(key_path, load_private(key_path), "--key" if key else f"${KEY_ENV}")
    results_path = run_dir / "results.json"
    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise PackError(
            f"{results_path}: missing or unreadable: not a run that can be signed off", EXIT_MISMATCH
        ) from None
    checked = verify_run(run_dir)
    if checked.problems:
        raise PackError(
            f"refused: the evidence of {run_dir.name} does not verify ({checked.problems[0]}; `smoke verify {run_ref}` lists all)",
            EXIT_MISMATCH,
        )
    entry = new_entry(run_dir, results, name=name, role=role, meaning=meaning, key=signer, override=override)
    append_entry(run_dir, entry)
    click.echo(
        f"signed off: {entry['name']} ({entry['role']}): {entry['meaning']!r} at {entry['signed_at']},"
        f" bound to manifest {entry['manifest_sha256'][:12]}…, key {signer.fingerprint[:16]}…"
        + (f"; override: {entry['override']}" if entry["override"] else "")
    )
    click.echo(f"log: {run_dir / SIGNOFF_LOG}")
    _refresh_report(run_dir)


def _refresh_report(run_dir: Path) -> None:
    """Render report.html again so it lists the new entry, if that keeps it signed."""
    from smoke.pack.keys import fingerprint, run_key
    from smoke.pack.seal import manifest_signed, recorded_key

    if not (run_dir / "report.html").is_file():
        return
    try:
        key = run_key()
    except PackError:
        key = None
    recorded = recorded_key(run_dir)
    if manifest_signed(run_dir) and (key is None or recorded is None or fingerprint(recorded) != key.fingerprint):
        click.echo(
            "report.html not rendered again (the run is signed and its key is not at hand):"
            f" `SMOKE_SIGNING_KEY=RUN-KEY smoke report {run_dir}` shows the new sign-off"
        )
        return
    from smoke.report.render import render_report

    click.echo(f"report: {render_report(run_dir, signing_key=key)}")
