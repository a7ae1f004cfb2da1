"""Password hashes for accounts and for the registry's filing passwords, with the configured method
(scrypt by default; the tests configure a cheap one). This and the outbox sender are the domain's
only readers of the Flask configuration."""

from __future__ import annotations

from flask import current_app
from werkzeug.security import generate_password_hash


def hash_password(password: str) -> str:
    """A salted hash with the configured method (BEIAN_PASSWORD_HASH_METHOD)."""
    method = str(current_app.config["PASSWORD_HASH_METHOD"])
    return generate_password_hash(password, method=method)
