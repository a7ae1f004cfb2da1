"""Authenticity verification (真实性核验): the website responsible person opens a one-time,
time-limited link on a phone (shown as a QR code), confirms, and proves who they are to the
verifier the provider chose (DOMAIN.md A10): the built-in live photo, which must show exactly one
face (and is refused as blank, uniform or tiny), or a platform's face verification (Alibaba Cloud,
Tencent Cloud) begun from the phone page and read back when the person returns. The website
records which verifier judged and what it said (`Website.identity_check`), for the review screen.

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

from PIL import ImageStat
from sqlalchemy import select, update

from domain import audit
from domain.errors import DomainError
from domain.filing import materials
from domain.filing.materials import UploadRefused
from domain.ports import (
    FaceDetector,
    IdentityResult,
    IdentitySession,
    IdentityVerifier,
    Storage,
    Verdict,
)
from domain.support.i18n import N_, Message
from domain.support.upsert import rows_changed
from extensions import db
from models import Filing, Person, Website, utcnow

VALID_FOR = timedelta(minutes=30)
VERIFIED = "authenticity_verified"  # the audit event of a completed check (its data: the website)
PHOTO = "photo"  # the built-in verifier's name
# A live photo whose grey levels spread less than this (standard deviation, 0-255) is one colour:
# a lens cap, a dark room, a white wall (a face photo spreads 40 and more).
MIN_SPREAD = 12.0


class LinkUsed(DomainError):
    """The one-time link was used already (another request with it went first)."""

    default = N_("该核验链接已使用、已过期或不存在。请在电脑上重新生成二维码。")


class VerifierUnavailable(DomainError):
    """The identity platform did not answer (or refused our request): try again later."""

    default = N_("人脸核验服务暂时无法使用，请稍后再试。")


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


def check_live_photo(photo: bytes, faces: FaceDetector) -> materials.Picture:
    """The built-in verifier's judgement of a live photo: an image (JPEG or PNG, at least 300
    pixels a side), not one colour, with exactly one face. The photo is decoded once: the face
    detector gets its grey levels; the copy to store is re-encoded from it and returned.

    :raises materials.UploadRefused: with what the person is to do about it.
    """
    image, image_format = materials.inspect_image(photo)
    grey = image.convert("L")
    if ImageStat.Stat(grey).stddev[0] < MIN_SPREAD:
        raise UploadRefused(
            Message(
                N_(
                    "照片几乎是一片纯色（如全黑或全白），看不到人。请在光线充足处，对着本人的脸重新拍摄。"
                )
            )
        )
    # re-encoded now, so that the colour pixels (48 MB of a phone photo) are let go before the face
    # detector works on the grey ones
    picture = materials.Picture.of(image, image_format)
    del image
    count = faces.count_faces(grey)
    if count == 0:
        raise UploadRefused(
            Message(N_("照片中没有检测到人脸。请本人正对镜头、露出整张脸，在光线充足处重新拍摄。"))
        )
    if count > 1:
        raise UploadRefused(
            Message(
                N_("照片中检测到 %(count)s 张人脸。请只拍本人一人，画面中不要有其他人或人像。"),
                {"count": count},
            )
        )
    return picture


def _record(website: Website, verifier: str, result: IdentityResult, now: datetime,
            session: IdentitySession | None = None) -> None:  # fmt: skip
    """Keep the verifier's word on the website (a new dict: the JSON column sees the change)."""
    check = dict(website.identity_check or {})
    if session is not None:
        check.update(reference=session.reference, url=session.url)
    check.update(verifier=verifier, verdict=result.verdict.value, reason=result.reason[:200],
                 at=now.isoformat())  # fmt: skip
    website.identity_check = check


def confirm(
    website: Website, photo: bytes, photo_name: str, store: Storage, faces: FaceDetector,
    now: datetime | None = None,
) -> None:  # fmt: skip
    """Judge the live photo (check_live_photo), store it and mark the website verified; the token
    is used up.

    :raises materials.UploadRefused: the photo is not an acceptable image or face photo.
    :raises LinkUsed: the link was used (or renewed) a moment ago by another request.
    """
    filing: Filing = website.filing
    now = now or utcnow()
    picture = check_live_photo(photo, faces)
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
    materials.store_upload(
        store, filing, "live_photo", website, picture, photo_name, filing.account
    )
    _record(website, PHOTO, IdentityResult(Verdict.passed, "faces=1"), now)
    # The phone page has no login: the link was issued to the filing's account, whose act this
    # is (as the photo is its upload; the stale-filing sweep counts it); the label says who took
    # the photo (网站负责人), the data which website.
    audit.record(
        VERIFIED, filing.account, filing=filing, now=now,
        data={"website": website.id, "website_name": website.name, "verifier": PHOTO},
    )  # fmt: skip
    db.session.flush()


# --- a platform's face verification -----------------------------------------------------------


def responsible_person(website: Website) -> Person | None:
    """Who is verified for the website: its own responsible person, else the subject's."""
    if website.responsible_person is not None:
        return website.responsible_person
    subject = website.filing.subject
    return subject.responsible_person if subject is not None else None


def begin(
    website: Website, verifier: IdentityVerifier, return_url: str, now: datetime | None = None
) -> IdentitySession:
    """Begin the platform's verification of the website's responsible person from the phone page;
    the session (its reference, its address) is kept on the website, pending.

    :raises VerifierUnavailable: the platform did not answer or refused the request.
    """
    person = responsible_person(website)
    if person is None:
        raise VerifierUnavailable()
    try:
        session = verifier.start(person, website, return_url)
    except ConnectionError:
        raise VerifierUnavailable() from None
    _record(website, verifier.name, IdentityResult(Verdict.pending), now or utcnow(), session)
    db.session.flush()
    return session


def pending_session(website: Website, verifier: IdentityVerifier) -> IdentitySession | None:
    """The website's session with this verifier that waits for its verdict, if any."""
    check = website.identity_check or {}
    if check.get("verdict") != Verdict.pending or check.get("verifier") != verifier.name:
        return None
    if not check.get("reference") or website.authenticity_verified_at is not None:
        return None
    return IdentitySession(verifier.name, str(check["reference"]), str(check.get("url", "")))


def settle(
    website: Website, verifier: IdentityVerifier, now: datetime | None = None
) -> Verdict | None:
    """Ask the platform about the website's pending session (the person came back, or the
    computer's page polls): passed marks the website verified (the link spent; of two requests at
    once, one records it), failed keeps the platform's reason (a new try may follow), pending or
    no answer changes nothing. None: no session waits.
    """
    session = pending_session(website, verifier)
    if session is None:
        return None
    try:
        result = verifier.result(session)
    except ConnectionError:
        return Verdict.pending
    if result.verdict == Verdict.pending:
        return Verdict.pending
    now = now or utcnow()
    filing: Filing = website.filing
    db.session.execute(select(Filing.id).where(Filing.id == filing.id).with_for_update())
    if result.verdict == Verdict.failed:
        _record(website, verifier.name, result, now)
        db.session.flush()
        return Verdict.failed
    spent = rows_changed(
        update(Website)
        .where(Website.id == website.id, Website.authenticity_verified_at.is_(None))
        .values(authenticity_verified_at=now, authenticity_token_hash="",
                authenticity_expires_at=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.refresh(website)
    if spent == 1:
        _record(website, verifier.name, result, now)
        audit.record(
            VERIFIED, filing.account, filing=filing, now=now,
            data={"website": website.id, "website_name": website.name, "verifier": verifier.name},
        )  # fmt: skip
        db.session.flush()
    return Verdict.passed


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
    person = responsible_person(website)
    if website.responsible_person is None:
        role = N_("网站负责人（即主体负责人）")
    else:
        role = N_("网站负责人")
    return Photographer(role, mask_name(person.name if person else ""))
