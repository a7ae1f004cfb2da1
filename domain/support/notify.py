"""Delivering the outbox: SMS through the configured SMS gateway (a template key and its parameters
under the provider's approved signature, as Chinese SMS platforms take them), e-mail through SMTP
(a text and an HTML part), webhooks by HTTP POST.

`flask --app app outbox send` (cron) or `outbox work` (a long-running worker) runs
dispatch_pending(); on PostgreSQL rows are taken with SKIP LOCKED, so several hosts can run it at
once without sending twice. A failed try is retried with exponential backoff; after the last try,
or at once when the platform refuses for good (an invalid number, a template not approved), the
row is a dead letter (`failed`) with its last error, for an admin to put back.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import logging
import smtplib
import ssl
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import or_, select

from domain.lifecycle import workflow
from domain.policy import Policy
from domain.support import sealing
from domain.support.masking import mask_phone
from extensions import db
from models import AuditEvent, Filing, OutboxMessage, User, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8  # the default of BEIAN_OUTBOX_MAX_ATTEMPTS
MASKED_CODE = "******"

# The variables of each SMS template, in the order the platform's template numbers them (Tencent
# takes a list; Alibaba a JSON object by these names). The provider registers its templates with
# these variables under its signature and maps our keys to its template codes (BEIAN_SMS_TEMPLATES).
SMS_PARAMS: dict[str, tuple[str, ...]] = {"sms_code": ("code", "hours")}
DEFAULT_SMS_PARAMS = ("filing_id",)
REJECTIONS = frozenset({"filing_rejected", "filing_returned"})  # they carry the reasons and note


class SendError(Exception):
    """A platform's answer that the message was not sent: `permanent` ones are not tried again."""

    def __init__(self, code: str, detail: str = "", *, permanent: bool) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.permanent = code, permanent


@dataclass(frozen=True)
class SmsMessage:
    """One SMS as a platform takes it: the number, our template key, its parameters by name (in
    the template's order) and the text it reads as, with any code masked (for the log)."""

    mobile: str
    template: str
    params: dict[str, str]
    masked_text: str


@dataclass(frozen=True)
class Email:
    """One e-mail: a text and an HTML part."""

    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Rendered:
    """A message as people read it (the e-mail's text part, or the SMS text)."""

    subject: str
    text: str
    html: str = ""


class SmsGateway(Protocol):
    def send(self, message: SmsMessage) -> None:
        """Send one SMS.

        :raises SendError: the platform refused it (permanent or not).
        """


class EmailSender(Protocol):
    def send(self, email: Email) -> None:
        """Send one e-mail."""


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, signature: str) -> None:
        """POST one event."""


class LogSmsGateway:
    """Writes SMS to the log, the number and any code masked (the default, for development)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> LogSmsGateway:
        """The log gateway needs no settings."""
        return cls()

    def send(self, message: SmsMessage) -> None:
        """Log the template key and the masked text."""
        log.info(
            "SMS to %s [%s]: %s", mask_phone(message.mobile), message.template, message.masked_text
        )


class LogEmailSender:
    """Writes e-mail to the log (the default when no SMTP host is set)."""

    def send(self, email: Email) -> None:
        """Log the recipient and the subject (never the body)."""
        log.info("e-mail to %s: %s", email.to, email.subject)


class SmtpEmailSender:
    """E-mail through an SMTP server (BEIAN_SMTP_HOST and friends), STARTTLS and login if set."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        sender: str,
        tls: bool,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.sender, self.tls = sender, tls
        self.ssl_context = ssl_context or ssl.create_default_context()

    def send(self, email: Email) -> None:
        """Send a multipart/alternative message.

        :raises SendError: the server refused the recipient for good (a 5xx answer).
        """
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, email.to, email.subject
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype="html")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
                if self.tls:
                    smtp.starttls(context=self.ssl_context)
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise SendError(
                f"SMTP {codes[0] if codes else ''}", "recipient refused",
                permanent=all(code >= 500 for code in codes),
            ) from None  # fmt: skip


class HttpWebhookSender:
    """POSTs the event; the receiver checks X-Beian-Signature = sha256=HMAC(secret, body)."""

    def send(self, url: str, body: bytes, signature: str) -> None:
        """POST it; a non-2xx answer is an error (retried)."""
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Beian-Signature": signature,
                     "User-Agent": "beian-desk-webhook"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured URL
            if response.status >= 300:
                raise ConnectionError(f"webhook answered {response.status}")


def sign(body: bytes, secret: str) -> str:
    """The X-Beian-Signature value of a webhook body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sms_gateway(config: Mapping[str, Any], policy: Policy) -> SmsGateway:
    """The configured SMS gateway (BEIAN_SMS_GATEWAY, "module:Class" with a from_config())."""
    module_name, _, class_name = str(config["SMS_GATEWAY"]).partition(":")
    gateway_class = getattr(importlib.import_module(module_name), class_name)
    gateway: SmsGateway = gateway_class.from_config(config, policy)
    return gateway


def default_senders(policy: Policy) -> tuple[SmsGateway, EmailSender]:
    """The configured senders: the SMS gateway; SMTP when BEIAN_SMTP_HOST is set, else the log."""
    config = current_app.config
    email: EmailSender = LogEmailSender()
    if config.get("SMTP_HOST"):
        context = ssl.create_default_context(cafile=config.get("SMTP_CA_FILE") or None)
        email = SmtpEmailSender(
            config["SMTP_HOST"], int(config.get("SMTP_PORT", 587)), config.get("SMTP_USER", ""),
            config.get("SMTP_PASSWORD", ""), config.get("SMTP_SENDER", "noreply@localhost"),
            bool(config.get("SMTP_STARTTLS", True)), context,
        )  # fmt: skip
    return sms_gateway(config, policy), email


def webhook_payload(message: OutboxMessage) -> bytes:
    """The JSON body of a webhook event (sorted keys, so that the signature is reproducible)."""
    document = {"event": message.template, "id": message.id, **message.context}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


# --- rendering ------------------------------------------------------------------------------------


def _code(message: OutboxMessage, policy: Policy, reveal: bool) -> str | None:
    """The SMS code the row carries: in clear only when `reveal`, else masked; None without one."""
    if "sealed_code" not in message.context and "code" not in message.context:
        return None
    if not reveal or "sealed_code" not in message.context:
        return MASKED_CODE
    return sealing.unseal(message.context["sealed_code"], policy.secret_key) or MASKED_CODE


def filing_link(filing_id: int, policy: Policy) -> str:
    """The absolute address of the applicant's page of a filing (BEIAN_PUBLIC_URL + the route)."""
    path = current_app.url_map.bind("localhost").build(
        "applicant.show_filing", {"filing_id": filing_id}
    )
    return policy.public_url.rstrip("/") + path


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


def render(message: OutboxMessage, policy: Policy, *, reveal_code: bool = False) -> Rendered:
    """A message as its reader gets it, from templates/notifications/<template>.txt (first line
    the subject): an e-mail is wrapped with the reasons of a rejection, the link to the filing and
    the provider's name, in text and HTML. An SMS code shows masked unless `reveal_code` (the
    sender itself, and the demo's "what the phone got")."""
    if message.channel == "webhook":
        return Rendered(message.template, webhook_payload(message).decode())
    locale = _locale(message)
    if locale is None:
        return _render(message, policy, reveal_code)
    with force_locale(locale):
        return _render(message, policy, reveal_code)


def _render(message: OutboxMessage, policy: Policy, reveal_code: bool) -> Rendered:
    context = {k: v for k, v in message.context.items() if k not in ("sealed_code", "code")}
    code = _code(message, policy, reveal_code)
    if code is not None:
        context["code"] = code
    context.update(
        provider_name=policy.provider_name,
        initial_review_workdays=policy.initial_review_workdays,
        re_review_workdays=policy.re_review_workdays,
        bureau_submit_workdays=policy.bureau_submit_workdays,
        sms_valid_hours=policy.sms_valid_hours,
    )
    text = render_template(f"notifications/{message.template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    subject, body = subject.strip(), body.strip()
    if message.channel == "sms":
        return Rendered(subject, body or subject)
    filing = db.session.get(Filing, message.filing_id) if message.filing_id else None
    rejection = _rejection(message) if message.template in REJECTIONS else None
    wrapper = {
        "subject": subject, "body": body, "filing": filing, "provider_name": policy.provider_name,
        "link": filing_link(filing.id, policy) if filing is not None else "",
        "rejection": rejection,
        "reasons": rejection.data.get("reasons", []) if rejection is not None else [],
    }  # fmt: skip
    return Rendered(
        subject,
        render_template("notifications/email.txt", **wrapper).strip(),
        render_template("notifications/email.html", **wrapper),
    )


def sms_params(message: OutboxMessage, policy: Policy) -> dict[str, str]:
    """The SMS template's parameters by name, in order, the code unsealed (for the platform only)."""
    names = SMS_PARAMS.get(message.template, DEFAULT_SMS_PARAMS)
    values = {k: v for k, v in message.context.items() if k not in ("sealed_code", "code")}
    code = _code(message, policy, reveal=True)
    if code is not None:
        values["code"] = code
    return {name: str(values.get(name, "")) for name in names}


# --- sending --------------------------------------------------------------------------------------


def backoff(attempts: int, policy: Policy) -> timedelta:
    """How long to wait after the `attempts`-th failed try: the base doubled each time, capped."""
    seconds = policy.outbox_backoff_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, policy.outbox_backoff_max_seconds))


def _deliver(
    message: OutboxMessage,
    sms: SmsGateway,
    email: EmailSender,
    webhook: WebhookSender,
    policy: Policy,
) -> None:
    if message.channel == "webhook":
        payload = webhook_payload(message)
        webhook.send(
            message.recipient, payload, sign(payload, current_app.config["WEBHOOK_SECRET"])
        )
    elif message.channel == "sms":
        masked = render(message, policy)
        sms.send(
            SmsMessage(
                message.recipient, message.template, sms_params(message, policy), masked.text
            )
        )
    else:
        rendered = render(message, policy)
        email.send(Email(message.recipient, rendered.subject, rendered.text, rendered.html))


def _error_text(exc: Exception, message: OutboxMessage, policy: Policy) -> str:
    """The error as kept on the row and shown to the admin: never with the code in it."""
    text = f"{type(exc).__name__}: {exc}"
    code = _code(message, policy, reveal=True)
    if code and code != MASKED_CODE:
        text = text.replace(code, MASKED_CODE)
    return text[:500]


def dispatch_pending(
    sms: SmsGateway,
    email: EmailSender,
    *,
    policy: Policy,
    limit: int = 100,
    webhook: WebhookSender | None = None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Send up to `limit` messages that are due; returns (sent, failed for good). Commits once.

    A failed try waits `backoff()` before the next; the last try (BEIAN_OUTBOX_MAX_ATTEMPTS), or a
    permanent refusal, makes the row a dead letter (`failed`) with its last error.
    """
    webhook = webhook or HttpWebhookSender()
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
            _deliver(message, sms, email, webhook, policy)
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
