"""Delivering the outbox: SMS through the SMS gateway (a template key and its parameters under the
provider's approved signature, as Chinese SMS platforms take them), e-mail through the e-mail sender
(a text and an HTML part), webhooks by HTTP POST. The senders are ports (domain/ports.py) the caller
passes in, and so is the renderer that turns a message into text (runtime/notify.py wires them).

`flask --app app outbox send` (cron) or `outbox work` (a long-running worker) runs
dispatch_pending(); on PostgreSQL rows are taken with SKIP LOCKED, so several hosts can run it at
once without sending twice. A failed try is retried with exponential backoff; after the last try,
or at once when the platform refuses for good (an invalid number, a template not approved), the
row is a dead letter (`failed`) with its last error, for an admin to put back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from domain.policy import Policy
from domain.ports import (
    Email,
    EmailSender,
    Rendered,
    SendError,
    SmsGateway,
    SmsMessage,
    WebhookSender,
)
from domain.support import sealing
from extensions import db
from models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8  # the default of BEIAN_OUTBOX_MAX_ATTEMPTS
MASKED_CODE = "******"

# The variables of each SMS template, in the order the platform's template numbers them (Tencent
# takes a list; Alibaba a JSON object by these names). The provider registers its templates with
# these variables under its signature and maps our keys to its template codes (BEIAN_SMS_TEMPLATES).
SMS_PARAMS: dict[str, tuple[str, ...]] = {
    "sms_code": ("code", "hours"),
    "mobile_code": ("code", "minutes"),  # the wizard's mobile verification (R-PH-3)
}
DEFAULT_SMS_PARAMS = ("filing_id",)

# (message, reveal_code) -> the message as its reader gets it
Render = Callable[[OutboxMessage, bool], Rendered]


def sign(body: bytes, secret: str) -> str:
    """The X-Beian-Signature value of a webhook body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payload(message: OutboxMessage) -> bytes:
    """The JSON body of a webhook event (sorted keys, so that the signature is reproducible)."""
    document = {"event": message.template, "id": message.id, **message.context}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def code_of(message: OutboxMessage, policy: Policy, reveal: bool) -> str | None:
    """The SMS code the row carries: in clear only when `reveal`, else masked; None without one."""
    if "sealed_code" not in message.context and "code" not in message.context:
        return None
    if not reveal or "sealed_code" not in message.context:
        return MASKED_CODE
    return sealing.unseal(message.context["sealed_code"], policy.secret_key) or MASKED_CODE


def sms_params(message: OutboxMessage, policy: Policy) -> dict[str, str]:
    """The SMS template's parameters by name, in order, the code unsealed (for the platform only)."""
    names = SMS_PARAMS.get(message.template, DEFAULT_SMS_PARAMS)
    values = {k: v for k, v in message.context.items() if k not in ("sealed_code", "code")}
    code = code_of(message, policy, reveal=True)
    if code is not None:
        values["code"] = code
    return {name: str(values.get(name, "")) for name in names}


def sms_message(message: OutboxMessage, policy: Policy, masked_text: str) -> SmsMessage:
    """The SMS as the gateway takes it, under the policy's signature and template code now."""
    return SmsMessage(
        message.recipient, message.template, sms_params(message, policy), masked_text,
        sign_name=policy.sms_sign_name or policy.provider_name,
        template_code=dict(policy.sms_templates).get(message.template, ""),
    )  # fmt: skip


def backoff(attempts: int, policy: Policy) -> timedelta:
    """How long to wait after the `attempts`-th failed try: the base doubled each time, capped."""
    seconds = policy.outbox_backoff_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, policy.outbox_backoff_max_seconds))


def _deliver(
    message: OutboxMessage,
    sms: SmsGateway,
    email: EmailSender,
    webhook: WebhookSender,
    render: Render,
    policy: Policy,
    webhook_secret: str,
) -> None:
    if message.channel == "webhook":
        payload = webhook_payload(message)
        webhook.send(message.recipient, payload, sign(payload, webhook_secret))
    elif message.channel == "sms":
        sms.send(sms_message(message, policy, render(message, False).text))
    else:
        rendered = render(message, False)
        email.send(Email(message.recipient, rendered.subject, rendered.text, rendered.html))


def _error_text(exc: Exception, message: OutboxMessage, policy: Policy) -> str:
    """The error as kept on the row and shown to the admin: never with the code in it."""
    text = f"{type(exc).__name__}: {exc}"
    code = code_of(message, policy, reveal=True)
    if code and code != MASKED_CODE:
        text = text.replace(code, MASKED_CODE)
    return text[:500]


def dispatch_pending(
    sms: SmsGateway,
    email: EmailSender,
    webhook: WebhookSender,
    *,
    render: Render,
    policy: Policy,
    webhook_secret: str,
    limit: int = 100,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Send up to `limit` messages that are due; returns (sent, failed for good). Commits once.

    A failed try waits `backoff()` before the next; the last try (BEIAN_OUTBOX_MAX_ATTEMPTS), or a
    permanent refusal, makes the row a dead letter (`failed`) with its last error.
    """
    now = now or utcnow()
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    sent = failed = 0
    for message in db.session.scalars(query).all():
        message.attempts += 1
        try:
            _deliver(message, sms, email, webhook, render, policy, webhook_secret)
        except Exception as exc:  # any sender failure is counted, and retried unless permanent
            message.last_error = _error_text(exc, message, policy)
            permanent = isinstance(exc, SendError) and exc.permanent
            if permanent or message.attempts >= policy.outbox_max_attempts:
                message.status, message.next_attempt_at = "failed", None
                failed += 1
                log.warning("outbox #%s failed for good: %s", message.id, message.last_error)
            else:
                message.next_attempt_at = now + backoff(message.attempts, policy)
        else:
            message.status, message.sent_at, message.next_attempt_at = "sent", utcnow(), None
            if "sealed_code" in message.context:  # not even the sealed code is kept once sent
                context = {k: v for k, v in message.context.items() if k != "sealed_code"}
                message.context = {**context, "code": MASKED_CODE}
            sent += 1
    db.session.commit()
    return sent, failed


def next_due(now: datetime | None = None) -> datetime | None:
    """When the next pending message is due (None: nothing pending); the worker sleeps till then."""
    now = now or utcnow()
    pending = OutboxMessage.status == "pending"
    if db.session.scalar(
        select(OutboxMessage.id).where(pending, OutboxMessage.next_attempt_at.is_(None)).limit(1)
    ):
        return now
    due: datetime | None = db.session.scalar(
        select(OutboxMessage.next_attempt_at).where(pending).order_by(OutboxMessage.next_attempt_at)
    )
    return due
