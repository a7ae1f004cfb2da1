"""The notification outbox: messages are rows written in the caller's transaction, sent later, and
the applicant's message centre (消息中心) reads the same rows.

A row holds a template key and its parameters (an SMS code sealed, domain/support/sealing.py);
`flask --app app outbox send` or `outbox work` delivers pending rows (domain/support/notify.py).
Nothing here talks to an SMTP server or an SMS gateway, so a rolled-back transition sends nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from domain import audit
from domain.errors import DomainError
from domain.support.i18n import N_, Message
from domain.support.paging import Page, keyset_page
from extensions import db
from models import Filing, OutboxMessage, User, utcnow

PAGE_SIZE = 50
CONSOLE_PAGE_SIZE = 100  # the admin's outbox page


class OutboxError(DomainError):
    """A refused outbox operation (e.g. retrying a message that is not a dead letter)."""


def enqueue(
    filing: Filing | None, channel: str, recipient: str, template: str, **context: object
) -> OutboxMessage:
    """Queue one SMS or e-mail in the current transaction (flushed, never committed here). An SMS
    or e-mail about a filing is also shown in its account's message centre.

    :raises ValueError: for an unknown channel or an empty recipient.
    """
    if channel not in ("sms", "email", "webhook"):
        raise ValueError(f"unknown channel {channel!r}")
    if not recipient:
        raise ValueError("a message needs a recipient")
    message = OutboxMessage(
        filing_id=filing.id if filing is not None else None,
        account_id=filing.account_id if filing is not None and channel != "webhook" else None,
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
    )
    db.session.add(message)
    return message


def retry_message(message: OutboxMessage, actor: User) -> None:
    """Put a dead letter back in the queue for a fresh round of tries (audited). Flushes.

    :raises OutboxError: the message is not a dead letter.
    """
    if message.status != "failed":
        raise OutboxError(Message(N_("只有发送失败的消息可以重试")))
    previous = message.last_error
    message.status, message.attempts, message.next_attempt_at = "pending", 0, None
    audit.record(
        "outbox_retry", actor, note=f"#{message.id}", data={"message_id": message.id,
                                                           "last_error": previous[:200]},
    )  # fmt: skip
    db.session.flush()


def console_page(status: str = "", after: int = 0, before: int = 0) -> Page[OutboxMessage]:
    """One page of the admin's outbox, newest first, of one status ("" for every message)."""
    query = select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    return keyset_page(query, OutboxMessage.id, CONSOLE_PAGE_SIZE, after, before)


def dead_letter_count() -> int:
    """How many messages failed for good (the admin may put them back in the queue)."""
    return (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")
        )
        or 0
    )


# --- the message centre -------------------------------------------------------------------------


def inbox(account: User, before: int | None = None, limit: int = PAGE_SIZE) -> list[OutboxMessage]:
    """The account's messages, newest first (keyset pages: ids below `before`)."""
    query = select(OutboxMessage).where(OutboxMessage.account_id == account.id)
    if before is not None:
        query = query.where(OutboxMessage.id < before)
    return list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


def unread_count(account: User) -> int:
    """How many of the account's messages are not read yet."""
    return (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.account_id == account.id, OutboxMessage.read_at.is_(None)
            )
        )
        or 0
    )


def own_message(account: User, message_id: int) -> OutboxMessage | None:
    """One of the account's messages; None for another's or an unknown id."""
    message = db.session.get(OutboxMessage, message_id)
    return message if message is not None and message.account_id == account.id else None


def mark_read(message: OutboxMessage, now: datetime | None = None) -> None:
    """Mark one message read (a second time changes nothing). Flushes."""
    if message.read_at is None:
        message.read_at = now or utcnow()
        db.session.flush()


def mark_all_read(account: User, now: datetime | None = None) -> int:
    """Mark every unread message of the account read; returns how many."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.account_id == account.id, OutboxMessage.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
