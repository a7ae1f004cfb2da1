"""Authenticity verification (真实性核验): the website responsible person opens a one-time,
time-limited link on a phone (shown as a QR code), confirms, and takes a live photo.

The link's token is stored only as its SHA-256. So that a reload of the materials page shows the
same QR code again (not a new one, not none), the token is derived, not drawn: an HMAC under a key
from SECRET_KEY of the website and the link's expiry to the microsecond. The server can derive it
again from the row while the link is pending; a database dump alone cannot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from domain import audit
from domain.errors import DomainError
from domain.filing import materials
from domain.ports import Storage
from domain.support.i18n import N_
from domain.support.upsert import rows_changed
from extensions import db
from models import Filing, Person, Website, utcnow

VALID_FOR = timedelta(minutes=30)
VERIFIED = "authenticity_verified"  # the audit event of a completed check (its data: the website)


class LinkUsed(DomainError):
    """The one-time link was used already (another request with it went first)."""

    default = N_("该核验链接已使用、已过期或不存在。请在电脑上重新生成二维码。")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _derived(website: Website, expires_at: datetime, secret_key: str) -> str:
    key = hashlib.sha256(b"beian-desk authenticity link\x00" + secret_key.encode()).digest()
    moment = expires_at.astimezone(UTC).isoformat(timespec="microseconds")
    message = f"{website.id}\x00{moment}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def start(website: Website, now: datetime | None = None, secret_key: str | None = None) -> str:
    """A new one-time token for the website's verification (any earlier one stops working);
    derivable again while pending when `secret_key` is given, else random."""
    now = now or utcnow()
    expires_at = now + VALID_FOR
    if secret_key is None:
        token = secrets.token_urlsafe(24)
    else:
        token = _derived(website, expires_at, secret_key)
        if _hash(token) == website.authenticity_token_hash:  # the same microsecond: a new link
            expires_at += timedelta(microseconds=1)
            token = _derived(website, expires_at, secret_key)
    website.authenticity_token_hash = _hash(token)
    website.authenticity_expires_at = expires_at
    db.session.flush()
    return token


@dataclass(frozen=True)
class Pending:
    """A link issued and neither used nor expired: its token when it can be shown again."""

    token: str | None  # None: issued by an older release or under another key, not recoverable
    expires_at: datetime
    minutes_left: int


def pending(website: Website, secret_key: str, now: datetime | None = None) -> Pending | None:
    """The website's live link, if any, with its token derived again and its remaining time."""
    now = now or utcnow()
    expires_at = website.authenticity_expires_at
    if (
        website.authenticity_verified_at is not None
        or not website.authenticity_token_hash
        or expires_at is None
        or expires_at <= now
    ):
        return None
    token: str | None = _derived(website, expires_at, secret_key)
    if not hmac.compare_digest(_hash(token or ""), website.authenticity_token_hash):
        token = None
    minutes_left = max(1, -(-int((expires_at - now).total_seconds()) // 60))  # rounded up
    return Pending(token, expires_at, minutes_left)


def website_for_token(token: str, now: datetime | None = None) -> Website | None:
    """The website a live, unused token belongs to; None for an unknown, used or expired one."""
    if not token or len(token) > 64:
        return None
    website = db.session.scalar(
        select(Website).where(Website.authenticity_token_hash == _hash(token))
    )
    now = now or utcnow()
    if (
        website is None
        or website.authenticity_expires_at is None
        or website.authenticity_expires_at <= now
    ):
        return None
    return website


def confirm(
    website: Website, photo: bytes, photo_name: str, store: Storage, now: datetime | None = None
) -> None:
    """Store the live photo and mark the website verified; the token is used up.

    :raises materials.UploadRefused: the photo is not an acceptable image.
    :raises LinkUsed: the link was used (or renewed) a moment ago by another request.
    """
    filing: Filing = website.filing
    now = now or utcnow()
    # The link is spent first, by one conditional UPDATE: of requests posting it at once, one
    # changes the row and goes on; the others (PostgreSQL: once the first commits) change none.
    # A refused photo rolls the transaction back, and the link with it. The filing's row is
    # locked first, as the upload below and every transition lock it: one order, no deadlock.
    db.session.execute(select(Filing.id).where(Filing.id == filing.id).with_for_update())
    spent = rows_changed(
        update(Website)
        .where(
            Website.id == website.id,
            Website.authenticity_token_hash == website.authenticity_token_hash,
            Website.authenticity_token_hash != "",
            Website.authenticity_expires_at > now,
        )
        .values(authenticity_verified_at=now, authenticity_token_hash="",
                authenticity_expires_at=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if spent != 1:
        raise LinkUsed()
    db.session.refresh(website)
    materials.store_upload(store, filing, "live_photo", website, photo, photo_name, filing.account)
    # The phone page has no login: the link was issued to the filing's account, whose act this
    # is (as the photo is its upload; the stale-filing sweep counts it); the label says who took
    # the photo (网站负责人), the data which website.
    audit.record(
        VERIFIED, filing.account, filing=filing, now=now,
        data={"website": website.id, "website_name": website.name},
    )  # fmt: skip
    db.session.flush()


def unverified(filing: Filing) -> list[Website]:
    """Websites whose responsible person has not completed the verification."""
    return [w for w in filing.websites if w.authenticity_verified_at is None]


def mask_name(name: str) -> str:
    """A person's name with all but its first character starred (张*, 欧阳**; John → J***): enough
    for the person to recognise, not enough to identify them on a page without a login."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


@dataclass(frozen=True)
class Photographer:
    """Who must take the live photo: their role (msgid) and masked name."""

    role: str
    masked_name: str


def photographer(website: Website) -> Photographer:
    """The website's responsible person, who takes the live photo; when the website names none of
    its own, the subject's responsible person is also the website's."""
    person: Person | None = website.responsible_person
    if person is None:
        person = website.filing.subject.responsible_person if website.filing.subject else None
        role = N_("网站负责人（即主体负责人）")
    else:
        role = N_("网站负责人")
    return Photographer(role, mask_name(person.name if person else ""))
