"""What a message of the outbox says, before any template turns it into text: the template, its
variables (the SMS code masked unless revealed), the reader's language, and for an e-mail the
filing, the rejection or return it tells of with its reasons. Rendering is the renderer's job
(adapters/rendering.py); deciding what to say is this module's."""

from __future__ import annotations

from sqlalchemy import select

from domain.lifecycle import workflow
from domain.policy import Policy
from domain.ports import Notice
from domain.support.notify import code_of
from extensions import db
from models import AuditEvent, Filing, OutboxMessage, User

REJECTIONS = frozenset({"filing_rejected", "filing_returned"})  # they carry the reasons and note


def _rejection(message: OutboxMessage) -> AuditEvent | None:
    """The rejection (or return for edits) the message tells of, with its reasons."""
    if message.filing_id is None:
        return None
    actions = [action.value for action in workflow.WITH_REASONS]
    query = select(AuditEvent).where(
        AuditEvent.filing_id == message.filing_id,
        AuditEvent.action.in_(actions),
        AuditEvent.internal.is_(False),
    )
    if "state" in message.context:
        query = query.where(AuditEvent.to_state == message.context["state"])
    return db.session.scalar(query.order_by(AuditEvent.id.desc()).limit(1))


def _locale(message: OutboxMessage) -> str | None:
    """The recipient account's language when the account stores one (else the request's or zh)."""
    if message.account_id is None:
        return None
    account = db.session.get(User, message.account_id)
    chosen = getattr(account, "locale", None) or getattr(account, "language", None)
    return chosen if isinstance(chosen, str) and chosen else None


def notice(message: OutboxMessage, policy: Policy, *, reveal_code: bool = False) -> Notice:
    """What `message` says (an SMS code masked unless `reveal_code`: the sender itself, and the
    demo's "what the phone got"), with the provider's name and deadlines as variables."""
    context: dict[str, object] = {
        k: v for k, v in message.context.items() if k not in ("sealed_code", "code")
    }
    code = code_of(message, policy, reveal_code)
    if code is not None:
        context["code"] = code
    context.update(
        provider_name=policy.provider_name,
        initial_review_workdays=policy.initial_review_workdays,
        re_review_workdays=policy.re_review_workdays,
        bureau_submit_workdays=policy.bureau_submit_workdays,
        sms_valid_hours=policy.sms_valid_hours,
    )
    if message.channel != "email":
        return Notice(message.template, message.channel, context, _locale(message))
    filing = db.session.get(Filing, message.filing_id) if message.filing_id else None
    rejection = _rejection(message) if message.template in REJECTIONS else None
    return Notice(
        message.template, message.channel, context, _locale(message),
        filing_id=filing.id if filing is not None else None, filing=filing, rejection=rejection,
        reasons=list(rejection.data.get("reasons", [])) if rejection is not None else [],
        public_url=policy.public_url,
    )  # fmt: skip
