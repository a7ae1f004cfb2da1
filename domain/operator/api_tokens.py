"""Bearer tokens for the provider's own console: shown once at creation, stored as SHA-256.

A token has scopes (`read`: a filing's state and timeline; `write`: also drafts for applicant
accounts; `service_codes`: the billing system issues, lists and revokes service codes, A10), an expiry, and the time of its last use. It works only while it is neither revoked nor
expired and the admin who issued it is still an enabled admin.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from domain import audit
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.support.i18n import N_
from extensions import db
from models import ApiToken, User, utcnow

READ, WRITE, SERVICE_CODES = "read", "write", "service_codes"
MAX_DAYS = 3650


class TokenError(DomainError):
    """A token could not be issued or revoked as asked."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    name: str, creator: User, write: bool = False, days: int = 90, now: datetime | None = None,
    service_codes: bool = False,
) -> str:  # fmt: skip
    """A new token named `name`, valid for `days` (flushed; the caller commits). The plain token is
    returned once.

    :raises TokenError: the creator is not an enabled admin, or `days` is outside 1..3650.
    """
    if creator.role is not Role.admin or not creator.is_enabled:
        raise TokenError(N_("只有启用的管理员可以签发 API 令牌"), "by")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(N_("有效期应为 1 至 3650 天"), "days")
    now = now or utcnow()
    token = "bd_" + secrets.token_urlsafe(32)
    scopes = " ".join(
        [READ, *([WRITE] if write else []), *([SERVICE_CODES] if service_codes else [])]
    )
    db.session.add(
        ApiToken(
            name=name.strip()[:64] or "api",
            token_hash=_hash(token),
            created_by_id=creator.id,
            created_at=now,
            scopes=scopes,
            expires_at=now + timedelta(days=days),
        )
    )
    audit.record("api_token_issued", creator, note=name, data={"scopes": scopes, "days": days})
    db.session.flush()
    return token


def state(token: ApiToken, now: datetime | None = None) -> str:
    """`live`, `revoked`, `expired` or `creator_disabled` (an untranslated code; see STATE_LABELS)."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    creator = token.created_by
    if not creator.is_enabled or creator.role is not Role.admin:
        return "creator_disabled"
    return "live"


STATE_LABELS = {
    "live": N_("有效"),
    "revoked": N_("已吊销"),
    "expired": N_("已过期"),
    "creator_disabled": N_("签发人已停用"),
}


def has_scope(token: ApiToken, scope: str) -> bool:
    """Whether the token may do what `scope` covers."""
    return scope in token.scopes.split()


def authenticate(header: str | None, now: datetime | None = None) -> ApiToken | None:
    """The live token named by an `Authorization: Bearer …` header (its last use is set), or None."""
    if not header or not header.startswith("Bearer "):
        return None
    token = header[len("Bearer ") :].strip()
    if not token or len(token) > 200:
        return None
    row: ApiToken | None = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.created_by))
        .where(ApiToken.token_hash == _hash(token))
    )
    now = now or utcnow()
    if row is None or state(row, now) != "live":
        return None
    row.last_used_at = now
    return row


def all_tokens() -> list[ApiToken]:
    """Every token, newest first, with its creator."""
    return list(
        db.session.scalars(
            select(ApiToken).options(joinedload(ApiToken.created_by)).order_by(ApiToken.id.desc())
        )
    )


def revoke(token_id: int, actor: User | None, now: datetime | None = None) -> ApiToken:
    """Revoke a token for good (flushed; the caller commits); revoking twice changes nothing.

    :raises TokenError: there is no token with this id.
    """
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise TokenError(N_("没有该编号的 API 令牌"), "token")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        audit.record("api_token_revoked", actor, note=token.name, data={"token_id": token.id})
        db.session.flush()
    return token
