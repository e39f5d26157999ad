"""The sign-off pack: the plan frozen at run start, signatures, the attestation, verify and the sign-off log.

Everything here reads and writes files of a run folder; it never talks to a browser and knows nothing
of the application under test.
"""

from __future__ import annotations


class PackError(Exception):
    """Bad input for a pack command: one line that names the file and what to do, and its exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Exit codes of `smoke verify`, `smoke signoff` and `smoke keys`
EXIT_OK = 0
EXIT_MISMATCH = 1  # evidence, a signature, a report or a sign-off does not match
EXIT_USAGE = 2  # bad input: no such run or file, a key that is missing or unreadable, a bad option
EXIT_UNSIGNED = 3  # verify: the evidence matches its manifest, but nothing signs it
EXIT_REFUSED = 4  # signoff: approval of a run that did not pass completely, without --override

PLAN = "plan.json"
SIGNATURE = "manifest.json.sig"
PUBLIC_KEY = "signing-key.pub"
ATTESTATION = "attestation.intoto.jsonl"
SIGNOFF_LOG = "signoff.jsonl"
