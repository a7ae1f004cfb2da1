"""The outbox sender as the CLI, the worker and the pages use it: the domain's dispatch and notices
(domain/support/notify.py, domain/lifecycle/notices.py) with this process's senders and renderer."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from adapters.console import LogEmailSender, LogSmsGateway
from domain.lifecycle import notices
from domain.policy import Policy
from domain.ports import EmailSender, Rendered, SendError, SmsGateway, SmsMessage, WebhookSender
from domain.support import notify
from domain.support.notify import backoff, next_due, sms_params, webhook_payload
from models import OutboxMessage
from runtime import current

__all__ = [
    "LogEmailSender", "LogSmsGateway", "SendError", "SmsMessage", "backoff", "default_senders",
    "dispatch_pending", "next_due", "render", "sms_params",
]  # fmt: skip


def render(message: OutboxMessage, policy: Policy, *, reveal_code: bool = False) -> Rendered:
    """A message as its reader gets it (see domain/lifecycle/notices.py): a webhook's JSON body,
    an SMS text or an e-mail's text and HTML, an SMS code masked unless `reveal_code`."""
    if message.channel == "webhook":
        return Rendered(message.template, webhook_payload(message).decode())
    return current().renderer.render(notices.notice(message, policy, reveal_code=reveal_code))


def default_senders(policy: Policy) -> tuple[SmsGateway, EmailSender]:
    """This process's SMS gateway and e-mail sender (built once from the settings)."""
    runtime = current()
    return runtime.sms, runtime.email


def dispatch_pending(
    sms: SmsGateway,
    email: EmailSender,
    *,
    policy: Policy,
    limit: int = 100,
    webhook: WebhookSender | None = None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """notify.dispatch_pending with this process's renderer and webhook sender, and the webhook
    secret as configured now."""
    runtime = current()
    return notify.dispatch_pending(
        sms, email, webhook or runtime.webhook,
        render=lambda message, reveal: render(message, policy, reveal_code=reveal),
        policy=policy, webhook_secret=str(current_app.config.get("WEBHOOK_SECRET") or ""), limit=limit, now=now,
    )  # fmt: skip
