"""API keys: a text file of hashed keys, each with the models it may use.

File format, one key per line (`#` starts a comment):

    sha256:<64 hex digits>  <scope>[,<scope>...]  [label]

A scope is a model name, `*` (every model) or `admin` (may also load and unload versions).
Create a key and its line with `torchworks serve --new-api-key SCOPES` (e.g. `'*'` or
`summarizer,admin`): it prints the key once (give it to the client) and the line to append to
the file; the server never stores the key itself. Clients send `Authorization: Bearer <key>` or
`X-API-Key: <key>`. Keys are 256-bit random tokens, so one SHA-256 suffices (no password
stretching needed); the hash is compared against every entry with `hmac.compare_digest`, so
the time taken does not reveal which entry, or how much of one, matched.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from torchworks.errors import ConfigError

KEY_PREFIX = "tw_"
_SCOPE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LINE = re.compile(r"^sha256:([0-9a-f]{64})\s+(\S+)(?:\s+(.*))?$")


@dataclass(frozen=True)
class ApiKey:
    digest: bytes
    scopes: frozenset[str]
    label: str = ""

    def allows(self, model: str | None, admin: bool = False) -> bool:
        if admin and "admin" not in self.scopes:
            return False
        return model is None or "*" in self.scopes or model in self.scopes


def hash_key(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key(scopes: str, label: str = "") -> tuple[str, str]:
    """A fresh key and the key-file line that grants it `scopes` (comma-separated)."""
    parsed = _scopes(scopes, "--new-api-key")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    line = f"{hash_key(key)} {','.join(sorted(parsed))}" + (f" {label}" if label else "")
    return key, line


class KeyRing:
    """The keys of one key file; `check` answers which key, if any, a presented secret is."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self.keys = keys

    @classmethod
    def from_file(cls, path: Path) -> KeyRing:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read API key file {path}: {exc.strerror}",
                              fix="create one with `torchworks serve --new-api-key '*'`") from None
        keys, problems = [], []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            match = _LINE.match(line)
            if not match:
                problems.append(f"line {number}: expected 'sha256:<64 hex> scopes [label]'")
                continue
            try:
                scopes = _scopes(match.group(2), f"line {number}")
            except ConfigError as exc:
                problems.append(exc.message)
                continue
            keys.append(ApiKey(bytes.fromhex(match.group(1)), scopes, match.group(3) or ""))
        if problems or not keys:
            raise ConfigError(f"API key file {path} is not usable:\n  - "
                              + "\n  - ".join(problems or ["it holds no keys"]),
                              fix="add lines printed by `torchworks serve --new-api-key SCOPES`")
        return cls(keys)

    def check(self, presented: str) -> ApiKey | None:
        digest = hashlib.sha256(presented.encode("utf-8")).digest()
        found = None
        for key in self.keys:  # no early exit: every entry costs the same
            if hmac.compare_digest(digest, key.digest):
                found = key
        return found


def _scopes(text: str, where: str) -> frozenset[str]:
    scopes = frozenset(s.strip() for s in text.split(",") if s.strip())
    bad = [s for s in scopes if s not in ("*", "admin") and not _SCOPE.fullmatch(s)]
    if not scopes or bad:
        raise ConfigError(f"{where}: scopes {text!r} are not valid",
                          fix="use model names, '*' for all models, and 'admin' to allow loads")
    return scopes
