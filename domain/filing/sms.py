"""The bureau's SMS verification (短信核验, R-S-2 to R-S-5): a 6-digit code per website responsible
person's mobile on the MIIT record, valid 24 hours, 5 wrong tries. The challenge keeps an HMAC of
the code; the outbox row carries it sealed (domain/support/sealing.py) until it is sent. In demo mode
(BEIAN_DEMO_MODE, never production) the row carries a second sealed copy that the sender leaves in
place, so that the demo's "what the phone got" box can still show the code once the SMS has gone."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, or_, select, update

from domain import audit
from domain.filing import record_orders
from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind
from domain.policy import Policy
from domain.ports import Registry
from domain.rulebook.registry import LocalRegistry
from domain.support import outbox, sealing
from domain.support.upsert import rows_changed
from extensions import db
from models import Filing, OutboxMessage, SmsChallenge, User, utcnow

MAX_FAILURES = 5
# Core, not ORM: a plain UPDATE of the counters leaves the filing's version (optimistic lock) alone
FILINGS = cast(Table, Filing.__table__)
# The demo's copy of the code (sealed; "sealed" in the key keeps it out of a data export too)
DEMO_CODE = outbox.DEMO_SEALED


def _digest(filing_id: int, mobile: str, code: str, policy: Policy) -> str:
    key = policy.secret_key.encode()
    return hmac.new(key, f"{filing_id}:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


def recipients(filing: Filing, registry: Registry | None = None) -> list[str]:
    """Who gets a code (B R-S-2), each distinct mobile once (see recipients_by_website)."""
    return list(recipients_by_website(filing, registry))


def recipients_by_website(filing: Filing, registry: Registry | None = None) -> dict[str, list[str]]:
    """Each mobile that gets a code, with the names of the websites it answers for ("" for the
    subject's person where no website is theirs), in the order the codes go out. An access
    filing: the mobiles on the existing MIIT record of each website in the filing (R-S-5). A new
    filing (A8), the typed mobiles: a 首次备案's subject and website responsible persons, a
    新增网站's website responsible persons (a website whose person is the subject's: the subject's).
    A change of subject or website (A7 v3, R-S-2): the new mobile of the person whose data
    changes."""
    found: dict[str, list[str]] = {}

    def add(mobile: str, website_name: str) -> None:
        if mobile:
            names = found.setdefault(mobile, [])
            if website_name and website_name not in names:
                names.append(website_name)

    if filing.kind in workflow.CHANGES:
        for mobile in record_orders.sms_recipients(filing):
            add(mobile, filing.websites[0].name if filing.kind is OrderKind.change_website else "")
        return found
    subject_person = filing.subject.responsible_person
    if filing.kind is OrderKind.first_filing and subject_person is not None:
        add(subject_person.mobile, "")
    registry = registry or LocalRegistry()
    for website in filing.websites:
        if filing.kind in (OrderKind.first_filing, OrderKind.new_website):
            person = website.responsible_person or subject_person
            add(person.mobile if person is not None else "", website.name)
        else:
            first = website.domains[0].domain if website.domains else None
            record = registry.website_by_domain(first) if first else None
            add(record.responsible_mobile if record is not None else "", website.name)
    return found


def open_challenges(filing: Filing) -> list[SmsChallenge]:
    """The codes the filing is waiting for."""
    return list(
        db.session.scalars(
            select(SmsChallenge)
            .where(SmsChallenge.filing_id == filing.id, SmsChallenge.closed_at.is_(None))
            .order_by(SmsChallenge.id)
        )
    )


def issue_codes(
    filing: Filing, policy: Policy, now: datetime | None = None, registry: Registry | None = None
) -> list[SmsChallenge]:
    """Close any earlier codes and send a new one to every recipient (through the outbox)."""
    now = now or utcnow()
    for challenge in open_challenges(filing):
        challenge.closed_at = now
    hours = policy.sms_valid_hours
    issued = []
    for mobile in recipients(filing, registry):
        code = f"{secrets.randbelow(10**6):06d}"
        challenge = SmsChallenge(
            filing_id=filing.id, mobile=mobile, code_hash=_digest(filing.id, mobile, code, policy),
            created_at=now, expires_at=now + timedelta(hours=hours),
        )  # fmt: skip
        db.session.add(challenge)
        demo = {DEMO_CODE: sealing.seal(code, policy.secret_key)} if policy.demo_mode else {}
        outbox.enqueue(
            filing,
            "sms",
            mobile,
            "sms_code",
            sealed_code=sealing.seal(code, policy.secret_key),
            hours=hours,
            order_kind=filing.kind.value,  # the text names the order: 接入备案, 首次备案, …
            **demo,
        )
        issued.append(challenge)
    db.session.flush()
    return issued


def start_round(
    filing: Filing, now: datetime, policy: Policy, registry: Registry | None = None
) -> list[SmsChallenge]:
    """The bureau's submission: send the codes and count them as the round's first send."""
    db.session.execute(
        update(FILINGS).where(FILINGS.c.id == filing.id).values(sms_sends=1, sms_sent_at=now)
    )
    return issue_codes(filing, policy, now, registry)


class ResendResult:
    SENT = "sent"
    TOO_SOON = "too_soon"  # SMS_RESEND_SECONDS have not passed since the last code
    CAP = "cap"  # SMS_SEND_CAP codes have gone out in this round
    CLOSED = "closed"  # the filing is not waiting for a code


def resend(
    filing: Filing, actor: User, policy: Policy, now: datetime | None = None,
    registry: Registry | None = None,
) -> str:  # fmt: skip
    """Send new codes at the applicant's request (R-S-3: the user can ask for a resend).

    The cap and the interval are checked and counted by one conditional UPDATE, so however many
    workers take a burst of clicks at once, at most SMS_SEND_CAP codes go out per round.
    """
    now = now or utcnow()
    table = FILINGS
    interval = timedelta(seconds=policy.sms_resend_seconds)
    granted = rows_changed(
        update(table)
        .where(
            table.c.id == filing.id,
            table.c.state == FilingState.sms_pending,
            table.c.sms_sends < policy.sms_send_cap,
            or_(table.c.sms_sent_at.is_(None), table.c.sms_sent_at <= now - interval),
        )
        .values(sms_sends=table.c.sms_sends + 1, sms_sent_at=now)
    )
    if not granted:
        db.session.refresh(filing)
        if filing.state is not FilingState.sms_pending:
            return ResendResult.CLOSED
        if resends_used_up(filing, policy):
            return ResendResult.CAP
        return ResendResult.TOO_SOON
    issue_codes(filing, policy, now, registry)
    audit.record("sms_resent", actor, filing=filing, now=now)
    return ResendResult.SENT


def resends_used_up(filing: Filing, policy: Policy) -> bool:
    """Whether this round's codes (SMS_SEND_CAP) have all gone out: no resend until a new round."""
    return filing.sms_sends >= policy.sms_send_cap


def seconds_until_resend(filing: Filing, policy: Policy, now: datetime | None = None) -> int:
    """How long the applicant must still wait before asking for a new code (0: now)."""
    if filing.sms_sent_at is None:
        return 0
    interval = timedelta(seconds=policy.sms_resend_seconds)
    left = (filing.sms_sent_at + interval - (now or utcnow())).total_seconds()
    return max(0, int(left + 0.999))


def sent_codes(filing: Filing) -> list[OutboxMessage]:
    """The outbox rows carrying the filing's current codes (shown in the demo only)."""
    opened = min((c.created_at for c in open_challenges(filing)), default=None)
    if opened is None:
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.filing_id == filing.id,
                OutboxMessage.template == "sms_code",
                OutboxMessage.created_at >= opened,
            )
        )
    )


def as_the_phone_got_it(message: OutboxMessage, policy: Policy) -> OutboxMessage:
    """The demo's view of a code's row: a detached copy carrying the code sealed again, even after
    the sender dropped it (demo mode only; elsewhere the row itself, its code masked once sent)."""
    if not policy.demo_mode or DEMO_CODE not in message.context:
        return message
    context = {k: v for k, v in message.context.items() if k not in (DEMO_CODE, "code")}
    return OutboxMessage(
        id=message.id, filing_id=message.filing_id, account_id=message.account_id,
        channel=message.channel, recipient=message.recipient, template=message.template,
        context={**context, "sealed_code": message.context[DEMO_CODE]},
    )  # fmt: skip


class SmsResult:
    VERIFIED = "verified"  # this code was right; others may still be open
    COMPLETE = "complete"  # every code verified: the filing moved to bureau review
    WRONG = "wrong"
    FAILED = "failed"  # expired or too many wrong tries: the filing moved to sms_failed
    CLOSED = "closed"  # nothing to verify (not waiting for this code)


def verify_code(
    filing: Filing,
    challenge_id: int,
    code: str,
    actor: User,
    policy: Policy,
    now: datetime | None = None,
) -> tuple[str, int]:
    """Check a code typed for one challenge. Returns (result, tries left).

    A wrong try is counted with one UPDATE (no lost counts across workers); the fifth, or a try
    after expiry, fails the verification (R-S-3), and the filing goes to sms_failed.
    """
    now = now or utcnow()
    # Tries at one filing are taken one after the other (PostgreSQL: its row lock), each reading
    # the filing and the challenge as the one before left them: the fifth wrong code fails the
    # round once, and the tries after it find it closed (no stale version, no server error).
    db.session.flush()
    db.session.execute(select(Filing.id).where(Filing.id == filing.id).with_for_update())
    db.session.refresh(filing)
    challenge = db.session.get(SmsChallenge, challenge_id, populate_existing=True)
    if challenge is None or challenge.filing_id != filing.id:
        return SmsResult.CLOSED, 0
    if challenge.closed_at is not None or filing.state is not FilingState.sms_pending:
        return _answered_before(filing, challenge, code, policy), 0
    if challenge.expires_at <= now:
        fail(filing, now, policy, note="expired")
        return SmsResult.FAILED, 0
    expected = challenge.code_hash
    if hmac.compare_digest(
        expected, _digest(filing.id, challenge.mobile, (code or "").strip(), policy)
    ):
        challenge.closed_at = now
        db.session.flush()
        if not open_challenges(filing):
            workflow.apply(
                filing, Action.sms_verify, actor, policy=policy, note="短信核验通过", now=now
            )
            return SmsResult.COMPLETE, 0
        return SmsResult.VERIFIED, 0
    db.session.execute(
        update(SmsChallenge)
        .where(SmsChallenge.id == challenge.id, SmsChallenge.failures < MAX_FAILURES)
        .values(failures=SmsChallenge.failures + 1)
    )
    db.session.refresh(challenge)
    left = MAX_FAILURES - challenge.failures
    if left <= 0:
        fail(filing, now, policy, note="too many wrong codes")
        return SmsResult.FAILED, 0
    return SmsResult.WRONG, left


def _answered_before(filing: Filing, challenge: SmsChallenge, code: str, policy: Policy) -> str:
    """The answer to the same right code sent again (a double click on 提交验证码): what the first
    answer was, so the second request reports the success too; CLOSED for anything else."""
    right = challenge.closed_at is not None and hmac.compare_digest(
        challenge.code_hash, _digest(filing.id, challenge.mobile, (code or "").strip(), policy)
    )
    if not right or filing.state is FilingState.sms_failed:
        return SmsResult.CLOSED
    if filing.state is not FilingState.sms_pending:
        return SmsResult.COMPLETE  # the last code was verified and the filing went on
    replaced = any(c.mobile == challenge.mobile for c in open_challenges(filing))
    return SmsResult.CLOSED if replaced else SmsResult.VERIFIED


def fail(filing: Filing, now: datetime, policy: Policy, note: str) -> None:
    """Close the open codes and move the filing to sms_failed (as the system)."""
    for challenge in open_challenges(filing):
        challenge.closed_at = now
    workflow.apply(filing, Action.sms_fail, None, policy=policy, note=note, now=now)


def expire_overdue(policy: Policy, now: datetime | None = None) -> int:
    """Fail every filing whose SMS verification ran past its 24 hours (the cron sweep)."""
    now = now or utcnow()
    query = select(Filing).where(Filing.state == FilingState.sms_pending, Filing.due_at <= now)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # another host's sweep takes the others
    overdue = db.session.scalars(query).all()
    for filing in overdue:
        fail(filing, now, policy, note="expired")
    return len(overdue)
