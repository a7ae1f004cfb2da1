"""Mobile codes (联系信息真实有效, R-PH-3, DOMAIN.md A10): where VERIFY_MOBILES is on, each responsible
person's mobile of an order gets a 6-digit code by SMS when it is entered or changed in the wizard,
and the order is not submitted until every one of them is verified.

A code is good for 10 minutes and 5 tries; a new one may be asked for 60 seconds after the last,
and at most MOBILE_CODES_PER_HOUR go to one number in an hour over every order (a stranger cannot
flood somebody's phone by typing the number into drafts). The code is kept as an HMAC bound to the
order, the number and this purpose (never the bureau's SMS code's form); the outbox row carries it
sealed until it is sent, with a demo copy in demo mode, as the bureau's codes are (filing/sms.py).
A verification belongs to the order and the number: a number no longer on the order loses it, so a
changed mobile, even changed back, is asked again. A number verified on another order of the same
subject (the same account, certificate type and number) within REUSE_DAYS counts for this one too:
the subject's person is not asked again for a 新增网站 minutes after an access filing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from domain import audit
from domain.filing import stored_checks
from domain.policy import Policy
from domain.ports import Registry
from domain.rulebook.precheck import Breach
from domain.rulebook.rules import check_mobile
from domain.support import outbox, sealing
from domain.support.i18n import N_, Message
from domain.support.masking import mask_phone
from extensions import db
from models import Filing, MobileCode, OutboxMessage, User, utcnow

VALID_MINUTES = 10
MAX_FAILURES = 5
RESEND_SECONDS = 60
TEMPLATE = "mobile_code"
RULE = "R-PH-3"
REUSE_DAYS = 30  # a verification on another order of the same subject counts this long


def _digest(filing_id: int, mobile: str, code: str, policy: Policy) -> str:
    message = f"mobile-code:{filing_id}:{mobile}:{code}".encode()
    return hmac.new(policy.secret_key.encode(), message, hashlib.sha256).hexdigest()


def mobiles_to_verify(filing: Filing) -> list[tuple[str, str]]:
    """Every responsible person's mobile and emergency mobile of the order (A10: both), as (A2
    field, number), each number once (at its first field): the subject's person, then each
    website's own person."""
    people = [
        (
            "subject.responsible_person",
            filing.subject.responsible_person if filing.subject else None,
        )
    ]
    people += [
        (f"websites[{index}].responsible_person", website.responsible_person)
        for index, website in enumerate(filing.websites)
    ]
    found: list[tuple[str, str]] = []
    for path, person in people:
        for part in ("mobile", "emergency_mobile"):
            number = getattr(person, part, "") if person is not None else ""
            if number:
                found.append((f"{path}.{part}", number))
    seen: set[str] = set()
    distinct = []
    for field, mobile in found:
        if mobile not in seen:
            seen.add(mobile)
            distinct.append((field, mobile))
    return distinct


def verified(filing: Filing, now: datetime | None = None) -> set[str]:
    """The numbers verified for this order, and those verified within REUSE_DAYS on another order
    of the same subject (same account and verified certificate) that are on this order too."""
    own = MobileCode.filing_id == filing.id
    if filing.verified_certificate_number:
        since = (now or utcnow()) - timedelta(days=REUSE_DAYS)
        same_subject = select(Filing.id).where(
            Filing.account_id == filing.account_id,
            Filing.verified_certificate_type == filing.verified_certificate_type,
            Filing.verified_certificate_number == filing.verified_certificate_number,
        )
        own = own | (MobileCode.filing_id.in_(same_subject) & (MobileCode.verified_at > since))
    return set(
        db.session.scalars(
            select(MobileCode.mobile).where(own, MobileCode.verified_at.is_not(None))
        )
    )


def problems(filing: Filing, policy: Policy | None) -> list[Breach]:
    """R-PH-3: each mobile of the order not verified yet, on its field (none where it is off)."""
    if policy is None or not policy.verify_mobiles or filing.id is None:
        return []
    done = verified(filing)
    return [
        Breach(field, RULE, Message(N_("%(mobile)s 尚未通过短信验证，请填写发送到该手机的验证码"),
                                    {"mobile": mask_phone(mobile)}))
        for field, mobile in mobiles_to_verify(filing)
        if mobile not in done and check_mobile(mobile) is None
    ]  # fmt: skip


def _last(filing: Filing, mobile: str) -> MobileCode | None:
    return db.session.scalar(
        select(MobileCode)
        .where(MobileCode.filing_id == filing.id, MobileCode.mobile == mobile)
        .order_by(MobileCode.id.desc())
        .limit(1)
    )


def _open(filing: Filing, mobile: str) -> MobileCode | None:
    last = _last(filing, mobile)
    return last if last is not None and last.closed_at is None else None


def _lock(filing: Filing) -> None:
    """Sends and tries at one order one after the other (PostgreSQL: its row lock)."""
    db.session.flush()
    db.session.execute(select(Filing.id).where(Filing.id == filing.id).with_for_update())


class Sent:
    SENT = "sent"
    TOO_SOON = "too_soon"  # RESEND_SECONDS have not passed since the last code to that number
    CAP = "cap"  # MOBILE_CODES_PER_HOUR codes went to that number within the hour
    VERIFIED = "verified"  # nothing to send: already verified for this order
    NOT_ON_ORDER = "not_on_order"  # not a mobile of this order, or not a mobile number


def seconds_until_resend(filing: Filing, mobile: str, now: datetime | None = None) -> int:
    """How long before another code may go to `mobile` for this order (0: now)."""
    last = _last(filing, mobile)
    if last is None:
        return 0
    left = (last.created_at + timedelta(seconds=RESEND_SECONDS) - (now or utcnow())).total_seconds()
    return max(0, int(left + 0.999))


def send_code(filing: Filing, mobile: str, policy: Policy, now: datetime | None = None) -> str:
    """Send a new code to one mobile of the order through the outbox (the earlier one ends)."""
    now = now or utcnow()
    _lock(filing)
    if mobile not in {m for _, m in mobiles_to_verify(filing)} or check_mobile(mobile):
        return Sent.NOT_ON_ORDER
    if mobile in verified(filing):
        return Sent.VERIFIED
    if seconds_until_resend(filing, mobile, now) > 0:
        return Sent.TOO_SOON
    sent_in_hour = db.session.scalar(
        select(func.count(MobileCode.id)).where(
            MobileCode.mobile == mobile, MobileCode.created_at > now - timedelta(hours=1)
        )
    )
    if (sent_in_hour or 0) >= policy.mobile_codes_per_hour:
        return Sent.CAP
    earlier = _open(filing, mobile)
    if earlier is not None:
        earlier.closed_at = now
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(
        MobileCode(
            filing_id=filing.id, mobile=mobile, code_hash=_digest(filing.id, mobile, code, policy),
            created_at=now, expires_at=now + timedelta(minutes=VALID_MINUTES),
        )
    )  # fmt: skip
    demo = {outbox.DEMO_SEALED: sealing.seal(code, policy.secret_key)} if policy.demo_mode else {}
    outbox.enqueue(
        filing, "sms", mobile, TEMPLATE, sealed_code=sealing.seal(code, policy.secret_key),
        minutes=VALID_MINUTES, **demo,
    )  # fmt: skip
    db.session.flush()
    return Sent.SENT


def after_edit(
    filing: Filing, policy: Policy, registry: Registry, now: datetime | None = None
) -> list[str]:
    """After the wizard saved persons: forget verifications of numbers no longer on the order, and
    send a code to each new or changed mobile that has none running, except a number another
    subject's person uses (R-P-4 refuses it: no code is paid for); the numbers texted."""
    if not policy.verify_mobiles:
        return []
    now = now or utcnow()
    _lock(filing)
    on_order = {m for _, m in mobiles_to_verify(filing)}
    for row in db.session.scalars(select(MobileCode).where(MobileCode.filing_id == filing.id)):
        if row.mobile not in on_order and (row.verified_at or row.closed_at is None):
            row.verified_at = None
            row.closed_at = row.closed_at or now
    db.session.flush()
    done = verified(filing)
    texted: list[str] = []
    refused: set[str] | None = None  # asked once, when a number would be texted
    for _field, mobile in mobiles_to_verify(filing):
        if mobile in done or check_mobile(mobile) is not None or _last_live(filing, mobile, now):
            continue
        refused = used_elsewhere(filing, registry) if refused is None else refused
        if mobile in refused:
            continue
        if send_code(filing, mobile, policy, now) == Sent.SENT:
            texted.append(mobile)
    return texted


def used_elsewhere(filing: Filing, registry: Registry) -> set[str]:
    """The order's numbers that R-P-4 refuses (another subject's person uses them)."""
    refused = {breach.field for breach in stored_checks.mobile_reuse(filing, registry)}
    return {number for path, number in stored_checks.numbers(filing) if path in refused}


def _last_live(filing: Filing, mobile: str, now: datetime) -> bool:
    """Whether a code sent to this number for this order can still be used (or was just sent)."""
    row = _open(filing, mobile)
    if row is not None and row.expires_at > now and row.failures < MAX_FAILURES:
        return True
    return seconds_until_resend(filing, mobile, now) > 0


class Checked:
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"  # past its 10 minutes: ask for a new one
    SPENT = "spent"  # the fifth wrong try ended it: ask for a new one
    NO_CODE = "no_code"  # none sent to that number for this order (or a number not on it)


@dataclass(frozen=True)
class Verdict:
    """The answer to a code typed: what happened and the tries left on that code."""

    result: str
    tries_left: int = 0


def verify(
    filing: Filing, mobile: str, code: str, actor: User, policy: Policy,
    now: datetime | None = None,
) -> Verdict:  # fmt: skip
    """Check a code typed for one mobile of the order; a right one marks the number verified."""
    now = now or utcnow()
    _lock(filing)
    if mobile not in {m for _, m in mobiles_to_verify(filing)}:
        return Verdict(Checked.NO_CODE)
    if mobile in verified(filing):
        return Verdict(Checked.VERIFIED)
    row = _open(filing, mobile)
    if row is None:
        return Verdict(Checked.NO_CODE)
    db.session.refresh(row)
    if row.failures >= MAX_FAILURES:
        return Verdict(Checked.SPENT)
    if row.expires_at <= now:
        return Verdict(Checked.EXPIRED)
    typed = "".join((code or "").split())
    if hmac.compare_digest(row.code_hash, _digest(filing.id, mobile, typed, policy)):
        row.verified_at = row.closed_at = now
        audit.record("mobile_verified", actor, filing=filing, now=now,
                     data={"mobile": mask_phone(mobile)})  # fmt: skip
        db.session.flush()
        return Verdict(Checked.VERIFIED)
    row.failures += 1
    db.session.flush()
    left = MAX_FAILURES - row.failures
    return Verdict(Checked.SPENT) if left <= 0 else Verdict(Checked.WRONG, left)


@dataclass(frozen=True)
class Status:
    """One mobile of the order as the wizard's panel shows it."""

    field: str
    mobile: str
    masked: str
    verified: bool
    code_sent: bool  # a code is running (not expired, tries left)
    resend_wait: int


def statuses(filing: Filing, now: datetime | None = None) -> list[Status]:
    """Every mobile of the order with where its verification stands."""
    now = now or utcnow()
    done = verified(filing)
    rows = []
    for field, mobile in mobiles_to_verify(filing):
        if check_mobile(mobile) is not None:
            continue  # R-PH-1 says so on the field; no code goes to a number that is not one
        row = _open(filing, mobile)
        running = row is not None and row.expires_at > now and row.failures < MAX_FAILURES
        rows.append(Status(field, mobile, mask_phone(mobile), mobile in done, running,
                           seconds_until_resend(filing, mobile, now)))  # fmt: skip
    return rows


def sent_codes(filing: Filing) -> list[OutboxMessage]:
    """The outbox rows of the order's running mobile codes, newest first (the demo shows them)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.filing_id == filing.id, OutboxMessage.template == TEMPLATE)
            .order_by(OutboxMessage.id.desc())
            .limit(10)
        )
    )
