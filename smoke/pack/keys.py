"""Ed25519 signing keys: make a pair, load them, fingerprint them, find the one a run signs with."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from smoke.pack import PackError

KEY_ENV = "SMOKE_SIGNING_KEY"
PASSPHRASE_ENV = "SMOKE_SIGNING_KEY_PASSPHRASE"


def default_key_path() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "smoke" / "signing-key"


def public_path(private: Path) -> Path:
    return private.with_name(private.name + ".pub")


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the key's DER SubjectPublicKeyInfo, in hex.

    The same as ``openssl pkey -pubin -in KEY.pub -outform DER | sha256sum``, so anyone can check it.
    """
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def new_key_pair(out: Path) -> tuple[Path, Path, str]:
    """Write a new Ed25519 private key (mode 0600) to ``out`` and its public key to ``out.pub``.

    Encrypted with $SMOKE_SIGNING_KEY_PASSPHRASE when that is set. Refuses to overwrite either file.
    """
    pub = public_path(out)
    for path in (out, pub):
        if path.exists():
            raise PackError(f"{path} already exists: keys are never overwritten (choose another --out, or remove it)")
    if out.parent.exists() and not out.parent.is_dir():
        raise PackError(f"{out.parent} is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    passphrase = os.environ.get(PASSPHRASE_ENV)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    # created 0600 from the start: the key is never readable by others, not even for a moment
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    pub.write_bytes(public_pem(key.public_key()))
    return out, pub, fingerprint(key.public_key())


def load_private(path: Path) -> Ed25519PrivateKey:
    if not path.is_file():
        raise PackError(f"signing key {path}: no such file (`smoke keys new --out {path}` makes one)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackError(f"signing key {path}: cannot read it ({exc.strerror})") from None
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode() if passphrase else None)
    except TypeError:
        raise PackError(f"signing key {path} is encrypted: set {PASSPHRASE_ENV} to its passphrase") from None
    except (ValueError, UnsupportedAlgorithm):
        hint = "wrong passphrase, or " if passphrase else ""
        raise PackError(f"signing key {path}: not a readable private key ({hint}not PEM PKCS#8)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PackError(f"signing key {path}: not an Ed25519 key (`smoke keys new` makes one)")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    if not path.is_file():
        raise PackError(f"public key {path}: no such file")
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise PackError(f"public key {path}: cannot read it ({exc.strerror})") from None
    except (ValueError, UnsupportedAlgorithm):
        raise PackError(
            f"public key {path}: not a PEM public key (give the .pub file `smoke keys new` wrote)"
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise PackError(f"public key {path}: not an Ed25519 key")
    return key


def public_from_pem(data: bytes) -> Ed25519PublicKey | None:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        return None
    return key if isinstance(key, Ed25519PublicKey) else None


def verifies(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    path: Path
    private: Ed25519PrivateKey
    source: str  # where the path came from, for messages: "$SMOKE_SIGNING_KEY", "target 'staging'"

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)


def run_key(target_path: str | None = None, target_source: str = "the target") -> SigningKey | None:
    """The key a run signs with: $SMOKE_SIGNING_KEY, else the target's ``signing_key``, else none.

    ``target_path`` is the target's key path already read from its setting. A configured key that is
    missing or unreadable is bad input: a run that was meant to be signed never ends unsigned quietly.
    """
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        path, source = Path(env).expanduser(), f"${KEY_ENV}"
    elif target_path:
        path, source = Path(target_path).expanduser(), target_source
    else:
        return None
    try:
        return SigningKey(path, load_private(path), source)
    except PackError as exc:
        raise PackError(f"{source}: {exc.message}") from None


def target_key(target: object) -> SigningKey | None:
    """The key a run against ``target`` (a ``smoke.targets.Target``) signs with; see :func:`run_key`."""
    spec = getattr(target, "signing_key", None)
    name = getattr(target, "name", "?")
    if spec is None:
        return run_key()
    from smoke.yamlfile import ConfigError

    try:
        path = spec.key_path(getattr(target, "base_dir", Path(".")))
    except ConfigError as exc:
        if os.environ.get(KEY_ENV, "").strip():
            return run_key()
        raise PackError(exc.line()) from None
    return run_key(path, f"target {name!r} signing_key ({spec.pos})")


def key_for_run(run_dir: Path, scenarios_dir: Path = Path("scenarios")) -> SigningKey | None:
    """For rendering a finished run again: $SMOKE_SIGNING_KEY, else its target's key when it can be found."""
    if os.environ.get(KEY_ENV, "").strip():
        return run_key()
    import json

    try:
        name = json.loads((run_dir / "results.json").read_text(encoding="utf-8")).get("target", {}).get("name")
        from smoke.targets import load_targets

        target = load_targets(scenarios_dir / "targets.yaml").targets.get(name or "")
    except Exception:  # no scenarios folder here, or it changed: render unsigned, and say so
        return None
    return target_key(target) if target is not None and target.signing_key is not None else None
