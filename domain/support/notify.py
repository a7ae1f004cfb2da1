"""Delivering the outbox: SMS through an SMS gateway, e-mail through SMTP, each an interface whose
default implementation writes to the log (masked). Failures are retried with a count.

`flask --app app outbox send` runs dispatch_pending() from cron or a systemd timer; on PostgreSQL
rows are taken with SKIP LOCKED, so several hosts can run it at once without sending twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Protocol

from flask import current_app, render_template
from sqlalchemy import select

from domain.support import sealing
from domain.support.masking import mask_phone
from extensions import db
from models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class SmsGateway(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class EmailSender(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class LogSmsGateway:
    """Writes SMS to the log, the number masked (the default; a provider plugs in its gateway)."""

    def send(self, mobile: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(mobile), text)


class LogEmailSender:
    """Writes e-mail to the log (the default when no SMTP host is set)."""

    def send(self, to: str, subject: str, body: str) -> None:
        log.info("e-mail to %s: %s", to, subject)


class SmtpEmailSender:
    """E-mail through an SMTP server (BEIAN_SMTP_HOST and friends)."""

    def __init__(
        self, host: str, port: int, user: str, password: str, sender: str, tls: bool
    ) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.sender, self.tls = sender, tls

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.tls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, signature: str) -> None: ...


class HttpWebhookSender:
    """POSTs the event; the receiver checks X-Beian-Signature = sha256=HMAC(secret, body)."""

    def send(self, url: str, body: bytes, signature: str) -> None:
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


def default_senders() -> tuple[SmsGateway, EmailSender]:
    """The configured senders: SMTP when BEIAN_SMTP_HOST is set, else the log."""
    config = current_app.config
    email: EmailSender = LogEmailSender()
    if config.get("SMTP_HOST"):
        email = SmtpEmailSender(
            config["SMTP_HOST"], int(config.get("SMTP_PORT", 587)), config.get("SMTP_USER", ""),
            config.get("SMTP_PASSWORD", ""), config.get("SMTP_SENDER", "noreply@localhost"),
            bool(config.get("SMTP_STARTTLS", True)),
        )  # fmt: skip
    return LogSmsGateway(), email


def webhook_payload(message: OutboxMessage) -> bytes:
    """The JSON body of a webhook event (sorted keys, so that the signature is reproducible)."""
    document = {"event": message.template, "id": message.id, **message.context}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def render(message: OutboxMessage, provider_name: str) -> tuple[str, str]:
    """(subject, text) of a message, from templates/notifications/<template>.txt, signed with
    `provider_name` (the policy's: the one stored in the console)."""
    if message.channel == "webhook":
        return message.template, webhook_payload(message).decode()
    context = dict(message.context)
    if "sealed_code" in context:  # the SMS code travels sealed; only the text that is sent has it
        secret_key = current_app.config["SECRET_KEY"]
        context["code"] = sealing.unseal(context.pop("sealed_code"), secret_key) or "******"
    text = render_template(
        f"notifications/{message.template}.txt",
        provider_name=provider_name,
        **context,
    )
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip()


def dispatch_pending(
    sms: SmsGateway,
    email: EmailSender,
    *,
    provider_name: str,
    limit: int = 100,
    webhook: WebhookSender | None = None,
) -> tuple[int, int]:
    """Send up to `limit` pending messages; returns (sent, failed for good). Commits once."""
    webhook = webhook or HttpWebhookSender()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    sent = failed = 0
    for message in db.session.scalars(query).all():
        try:
            if message.channel == "webhook":
                payload = webhook_payload(message)
                webhook.send(
                    message.recipient, payload, sign(payload, current_app.config["WEBHOOK_SECRET"])
                )
            elif message.channel == "sms":
                subject, body = render(message, provider_name)
                sms.send(message.recipient, body or subject)
            else:
                subject, body = render(message, provider_name)
                email.send(message.recipient, subject, body)
        except Exception as exc:  # any sender failure is counted and retried later
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
                failed += 1
        else:
            message.attempts += 1
            message.status, message.sent_at = "sent", utcnow()
            if "sealed_code" in message.context:  # not even the sealed code is kept once sent
                context = {k: v for k, v in message.context.items() if k != "sealed_code"}
                message.context = {**context, "code": "******"}
            sent += 1
    db.session.commit()
    return sent, failed
