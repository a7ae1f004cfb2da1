"""Sealing a secret the outbox must carry until it is sent (the SMS code), so that a database dump
holds no code in clear: Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from SECRET_KEY.

Only the sender (and the demo's "what the phone got" box) unseals it; once the SMS has gone out the
sealed value is dropped from the row as well.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(b"beian-desk outbox seal\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str, secret_key: str) -> str:
    """The sealed (encrypted and authenticated) form of `text`."""
    return _fernet(secret_key).encrypt(text.encode()).decode()


def unseal(token: str, secret_key: str) -> str | None:
    """The text sealed in `token`; None when it was sealed under another key or tampered with."""
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
