"""Model-folder signatures: an HMAC-SHA256, with a key kept outside MODEL_DIR, over every file of the folder.

A folder's manifest lists the relative path and the sha256 of every file it holds; its canonical JSON is signed
with the current key and written, with the key's id, to ``SIGNATURE_FILE`` beside the files. Verification
recomputes the manifest from the disk and refuses any difference (a file added, removed or changed) and any
signature that no accepted key gives, before anything of the folder is unpickled. The sha256 recorded in the
card only caught accidents: whoever could replace model.pkl could rewrite the card; only the key holder can
sign.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from database.checksums import file_sha256
from modeling.config import KEY_HELP, SigningKeys, key_id

SIGNATURE_FILE = "signature.json"
ALGORITHM = "hmac-sha256"
#: What to do when a folder is refused: re-sign a folder the bank trusts, or train a new one with the key set.
REMEDY = "restore the folder, re-sign it with `python -m modeling sign {folder}` if the bank trusts it, or retrain"


class SignatureError(RuntimeError):
    """A model folder is not signed by an accepted key, or changed since; the message says what to do."""


@dataclass(frozen=True)
class Manifest:
    """The sha256 of every file of a model folder, by path relative to the folder (``/`` separators)."""

    files: dict[str, str]

    def sha256(self, name: str) -> str:
        """The signed sha256 of one file."""
        return self.files[name]


def digest(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def folder_files(folder: Path) -> list[str]:
    """Every file of the folder and its sub-folders but the signature, as sorted relative paths."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if not p.is_dir() and p.relative_to(folder).as_posix() != SIGNATURE_FILE)


def _payload(key_name: str, files: dict[str, str]) -> bytes:
    """The bytes the HMAC covers: algorithm, key id and manifest in canonical JSON."""
    return json.dumps({"algorithm": ALGORITHM, "key_id": key_name, "files": files},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign_folder(folder: Path, keys: SigningKeys | None = None) -> str:
    """Sign every file of ``folder`` with the current key; writes ``SIGNATURE_FILE`` and returns the key id."""
    keys = keys or SigningKeys.from_env()
    if keys.current is None:
        raise SignatureError(f"cannot sign {folder}: no model-signing key; {KEY_HELP}")
    folder = Path(folder)
    files = {name: file_sha256(folder / name) for name in folder_files(folder)}
    name = key_id(keys.current)
    mac = hmac.new(keys.current, _payload(name, files), hashlib.sha256).hexdigest()
    record = {"algorithm": ALGORITHM, "key_id": name, "files": files, "signature": mac}
    temporary = folder / f".{SIGNATURE_FILE}.tmp"
    temporary.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    temporary.replace(folder / SIGNATURE_FILE)
    return name


def verify_folder(folder: Path, keys: SigningKeys | None = None) -> Manifest:
    """The signed manifest of ``folder`` once the signature and every file check; else SignatureError."""
    keys = keys or SigningKeys.from_env()
    folder = Path(folder)
    remedy = REMEDY.format(folder=folder)
    if not keys.accepted:
        raise SignatureError(f"cannot trust the model in {folder}: no model-signing key to verify it; {KEY_HELP}")
    record = _read_record(folder, remedy)
    key = keys.for_id(record["key_id"])
    if key is None:
        raise SignatureError(f"{folder / SIGNATURE_FILE} was made with key {record['key_id']}, which is not among "
                             f"the verification keys ({keys.source}): add that key to MODEL_VERIFY_KEYS while the "
                             f"bank rotates keys, or {remedy}")
    expected = hmac.new(key, _payload(record["key_id"], record["files"]), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(record["signature"])):
        raise SignatureError(f"bad signature in {folder / SIGNATURE_FILE}: the manifest was altered or signed with "
                             f"another key; {remedy}")
    on_disk = folder_files(folder)
    for name in on_disk:
        if name not in record["files"]:
            raise SignatureError(f"{folder / name} is not covered by the signature (added after signing); remove "
                                 f"it or {remedy}")
    for name, sha in record["files"].items():
        if name not in on_disk:
            raise SignatureError(f"{folder / name} is signed but missing; {remedy}")
        actual = file_sha256(folder / name)
        if actual != sha:
            raise SignatureError(f"refusing to unpickle {folder.name}: {folder / name} changed since it was signed "
                                 f"(sha256 {actual[:12]}... instead of {sha[:12]}...); {remedy}")
    return Manifest(dict(record["files"]))


def _read_record(folder: Path, remedy: str) -> dict:
    """The signature file's fields, checked for shape (one line on any problem)."""
    path = folder / SIGNATURE_FILE
    if not path.is_file():
        raise SignatureError(f"{folder} is not signed ({SIGNATURE_FILE} is missing): sign it with `python -m "
                             f"modeling sign {folder}` if the bank trusts it, or retrain with MODEL_SIGNING_KEY set")
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SignatureError(f"{path} is unreadable ({exc}); {remedy}") from None
    if (not isinstance(record, dict) or record.get("algorithm") != ALGORITHM
            or not isinstance(record.get("key_id"), str) or not isinstance(record.get("signature"), str)
            or not isinstance(record.get("files"), dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in record["files"].items())):
        raise SignatureError(f"{path} is not a {ALGORITHM} model signature; {remedy}")
    return record


def read_verified(folder: Path, name: str, manifest: Manifest) -> bytes:
    """The bytes of one file of a verified folder, checked again once in memory (a file swapped after the check
    is refused: what is unpickled is exactly what was verified)."""
    data = (Path(folder) / name).read_bytes()
    if digest(data) != manifest.sha256(name):
        raise SignatureError(f"refusing to unpickle {Path(folder) / name}: it changed while it was read "
                             f"(sha256 differs from the signed one); {REMEDY.format(folder=folder)}")
    return data
