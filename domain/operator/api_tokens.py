"""Bearer tokens for the provider's own console: shown once at creation, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from domain import audit
from extensions import db
from models import ApiToken, User, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(name: str, creator: User) -> str:
    """A new token named `name` (flushed; the caller commits). The plain token is returned once."""
    token = "bd_" + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(name=name.strip()[:64] or "api", token_hash=_hash(token), created_by_id=creator.id)
    )
    audit.record("api_token_issued", creator, note=name)
    db.session.flush()
    return token


def authenticate(header: str | None) -> ApiToken | None:
    """The live token named by an `Authorization: Bearer …` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    token = header[len("Bearer ") :].strip()
    if not token or len(token) > 200:
        return None
    row: ApiToken | None = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _hash(token))
    )
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = utcnow()
    return row
