"""Authenticity verification (真实性核验): the website responsible person opens a one-time,
time-limited link on a phone (shown as a QR code), confirms, and takes a live photo."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from domain.filing import materials
from domain.filing.storage import Storage
from extensions import db
from models import Filing, Website, utcnow

VALID_FOR = timedelta(minutes=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(website: Website, now: datetime | None = None) -> str:
    """A new one-time token for the website's verification (any earlier one stops working)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(24)
    website.authenticity_token_hash = _hash(token)
    website.authenticity_expires_at = now + VALID_FOR
    db.session.flush()
    return token


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
    """
    filing: Filing = website.filing
    materials.store_upload(store, filing, "live_photo", website, photo, photo_name, filing.account)
    website.authenticity_verified_at = now or utcnow()
    website.authenticity_token_hash = ""
    website.authenticity_expires_at = None
    db.session.flush()


def unverified(filing: Filing) -> list[Website]:
    """Websites whose responsible person has not completed the verification."""
    return [w for w in filing.websites if w.authenticity_verified_at is None]
