"""Password hashes for accounts and for the registry's filing passwords, with the configured method
(scrypt by default; the tests configure a cheap one). This and the outbox sender are the domain's
only readers of the Flask configuration.

Filing passwords (the MIIT 备案密码 in the registry copy) are keyed hashes instead: HMAC-SHA256 under a
key derived from SECRET_KEY, with a salt per hash. A registry import writes thousands of them in one
request (scrypt made 1 500 rows outlast the worker's 60 s), and they are checked only at the
wizard's password step, behind its own limit of 5 tries per hour. A database dump alone does not
allow guessing them: the key is not in the database. After SECRET_KEY changes they no longer match
until the registry is imported again (which hashes them anew). Hashes of earlier imports (scrypt)
are still checked as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

FILING_HASH_PREFIX = "hmac-sha256$"


def hash_password(password: str) -> str:
    """A salted hash with the configured method (BEIAN_PASSWORD_HASH_METHOD)."""
    method = str(current_app.config["PASSWORD_HASH_METHOD"])
    return generate_password_hash(password, method=method)


def _filing_mac(salt: str, password: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"beian-desk filing password\x00" + secret).digest()
    return hmac.new(key, f"{salt}\x00{password}".encode(), hashlib.sha256).hexdigest()


def hash_filing_password(password: str) -> str:
    """The keyed, salted hash of a registry filing password (microseconds, not scrypt's 0.1–0.5 s)."""
    salt = secrets.token_hex(8)
    return f"{FILING_HASH_PREFIX}{salt}${_filing_mac(salt, password)}"


def check_filing_password_hash(stored: str, password: str) -> bool:
    """Whether `password` matches a stored filing-password hash (keyed, or werkzeug's of old)."""
    if stored.startswith(FILING_HASH_PREFIX):
        salt, _, mac = stored.removeprefix(FILING_HASH_PREFIX).partition("$")
        return hmac.compare_digest(mac, _filing_mac(salt, password))
    return check_password_hash(stored, password)
