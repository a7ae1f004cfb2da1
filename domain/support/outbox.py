"""The notification outbox: messages are rows written in the caller's transaction, sent later.

`flask --app app outbox send` (cron or a systemd timer) delivers pending rows; nothing here talks to
an SMTP server or an SMS gateway, so a rolled-back transition never sends anything.
"""

from __future__ import annotations

from extensions import db
from models import Filing, OutboxMessage


def enqueue(
    filing: Filing | None, channel: str, recipient: str, template: str, **context: object
) -> OutboxMessage:
    """Queue one SMS or e-mail in the current transaction (flushed, never committed here).

    :raises ValueError: for an unknown channel or an empty recipient.
    """
    if channel not in ("sms", "email", "webhook"):
        raise ValueError(f"unknown channel {channel!r}")
    if not recipient:
        raise ValueError("a message needs a recipient")
    message = OutboxMessage(
        filing_id=filing.id if filing is not None else None,
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
    )
    db.session.add(message)
    return message
