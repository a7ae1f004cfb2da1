"""The notification outbox: messages are rows written in the caller's transaction, sent later, and
the applicant's message centre (消息中心) reads the same rows.

A row holds a template key and its parameters (an SMS code sealed, domain/support/sealing.py);
`flask --app app outbox send` or `outbox work` delivers pending rows (domain/support/notify.py);
an admin puts a dead letter back with domain/operator/outbox_admin.py.
Nothing here talks to an SMTP server or an SMS gateway, so a rolled-back transition sends nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from domain.errors import DomainError
from domain.support.paging import Page, keyset_page
from extensions import db
from models import Filing, OutboxMessage, User, utcnow

PAGE_SIZE = 50
# The demo's copy of a sealed code or link (BEIAN_DEMO_MODE only): the sender leaves it in place when
# it drops `sealed_code`, so the demo can still show what the phone or the mailbox got.
DEMO_SEALED = "demo_sealed_code"
DEMO_MAILBOX_SIZE = 50
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


def as_delivered(message: OutboxMessage) -> OutboxMessage:
    """A detached copy of a row carrying its demo copy as the sealed code again (what the phone or
    the mailbox got, even after the sender dropped it); the row itself when it has no demo copy."""
    if DEMO_SEALED not in message.context:
        return message
    context = {k: v for k, v in message.context.items() if k not in (DEMO_SEALED, "code")}
    return OutboxMessage(
        id=message.id, filing_id=message.filing_id, account_id=message.account_id,
        channel=message.channel, recipient=message.recipient, template=message.template,
        status=message.status, created_at=message.created_at, sent_at=message.sent_at,
        context={**context, "sealed_code": message.context[DEMO_SEALED]},
    )  # fmt: skip


def demo_mailbox(recipient: str = "", limit: int = DEMO_MAILBOX_SIZE) -> list[OutboxMessage]:
    """The newest e-mails of the outbox (of one address, when given), each as delivered: the demo's
    mailbox (the caller checks BEIAN_DEMO_MODE)."""
    query = select(OutboxMessage).where(OutboxMessage.channel == "email")
    if recipient:
        query = query.where(func.lower(OutboxMessage.recipient) == recipient.strip().lower())
    rows = db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit))
    return [as_delivered(row) for row in rows]
