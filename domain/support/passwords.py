"""Password hashes for accounts and for the registry's filing passwords: a PasswordHasher, built
once per process by the runtime from the settings (the hash method, BEIAN_PASSWORD_HASH_METHOD:
scrypt by default, the tests configure a cheap one; and a key derived from SECRET_KEY) and passed
to the use cases that hash or check a password.

Filing passwords (the MIIT 备案密码 in the registry copy) are keyed hashes instead: HMAC-SHA256 under a
key derived from SECRET_KEY, with a salt per hash. A registry import writes thousands of them in one
request (scrypt made 1 500 rows outlast the worker's 60 s), and they are checked only at the
wizard's password step, behind its own limit of 5 tries per hour. A database dump alone does not
allow guessing them: the key is not in the database. After SECRET_KEY changes (and the process
restarts with it) they no longer match until the registry is imported again (which hashes them
anew). Hashes of earlier imports (scrypt) are still checked as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

FILING_HASH_PREFIX = "hmac-sha256$"
DUMMY_PASSWORD = "not-a-real-password-0"


def filing_key(secret_key: str) -> bytes:
    """The key of the filing-password hashes, derived from SECRET_KEY."""
    return hashlib.sha256(b"beian-desk filing password\x00" + secret_key.encode()).digest()


def _filing_mac(key: bytes, salt: str, password: str) -> str:
    return hmac.new(key, f"{salt}\x00{password}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PasswordHasher:
    """Hashes and checks passwords: accounts' with `method` (werkzeug's method string), filing
    passwords' keyed with `filing_key`."""

    method: str
    filing_key: bytes = field(repr=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PasswordHasher:
        """From PASSWORD_HASH_METHOD and SECRET_KEY."""
        return cls(str(config["PASSWORD_HASH_METHOD"]), filing_key(str(config["SECRET_KEY"])))

    def hash_password(self, password: str) -> str:
        """A salted hash of an account password, with the configured method."""
        return generate_password_hash(password, method=self.method)

    def check_password(self, stored: str, password: str) -> bool:
        """Whether `password` matches an account's stored hash (of whatever method made it)."""
        return check_password_hash(stored, password)

    @cached_property
    def dummy_hash(self) -> str:
        """A hash to check a password against where there is no account (or the attempt is held
        back): the same cost as a real check. Made once per hasher."""
        return self.hash_password(DUMMY_PASSWORD)

    def check_nothing(self, password: str) -> None:
        """Spend the time of one check where none is due, so the timing tells nothing."""
        check_password_hash(self.dummy_hash, password)

    def hash_filing_password(self, password: str) -> str:
        """The keyed, salted hash of a registry filing password (microseconds, not scrypt's
        0.1–0.5 s)."""
        salt = secrets.token_hex(8)
        return f"{FILING_HASH_PREFIX}{salt}${_filing_mac(self.filing_key, salt, password)}"

    def check_filing_password_hash(self, stored: str, password: str) -> bool:
        """Whether `password` matches a stored filing-password hash (keyed, or werkzeug's of old)."""
        if stored.startswith(FILING_HASH_PREFIX):
            salt, _, mac = stored.removeprefix(FILING_HASH_PREFIX).partition("$")
            return hmac.compare_digest(mac, _filing_mac(self.filing_key, salt, password))
        return check_password_hash(stored, password)
