"""The notification outbox: messages are rows written in the caller's transaction, sent later, and
the applicant's message centre (消息中心) reads the same rows.

A row holds a template key and its parameters (an SMS code sealed, domain/support/sealing.py);
`flask --app app outbox send` or `outbox work` delivers pending rows (domain/support/notify.py);
an admin puts a dead letter back with domain/operator/outbox_admin.py.
Nothing here talks to an SMTP server or an SMS gateway, so a rolled-back transition sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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


# One notice (one transition's word to the applicant) goes out by several channels at once: its
# rows are written in one transaction, one per channel, with the same template and parameters.
# The message centre shows such rows as one notice with the channels it went by.
NOTICE_WINDOW = timedelta(seconds=60)
_PRIVATE_KEYS = frozenset({"sealed_code", "code", DEMO_SEALED})


@dataclass
class InboxNotice:
    """One notice of the message centre: its rows (one per channel, newest first as listed)."""

    messages: list[OutboxMessage]

    @property
    def id(self) -> int:
        """The id of its first row (the one the page names it by)."""
        return min(m.id for m in self.messages)

    @property
    def read(self) -> bool:
        return all(m.read_at is not None for m in self.messages)

    @property
    def created_at(self) -> datetime:
        return min(m.created_at for m in self.messages)

    @property
    def by_channel(self) -> list[OutboxMessage]:
        """Its rows, the e-mail (the fuller text) first."""
        return sorted(self.messages, key=lambda m: (m.channel != "email", m.id))


def _same_notice(notice: InboxNotice, row: OutboxMessage) -> bool:
    """Whether `row` is `notice` told by one more channel (same filing, template and parameters,
    written together)."""
    first = notice.messages[0]
    return (
        row.channel not in {m.channel for m in notice.messages}
        and (row.account_id, row.filing_id, row.template) == (
            first.account_id, first.filing_id, first.template)
        and _public(row.context) == _public(first.context)
        and abs(row.created_at - first.created_at) <= NOTICE_WINDOW
    )  # fmt: skip


def _public(context: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in (context or {}).items() if k not in _PRIVATE_KEYS}


def notices(rows: list[OutboxMessage]) -> list[InboxNotice]:
    """Rows (in id order, either way) as notices: neighbouring rows of one notice together."""
    found: list[InboxNotice] = []
    for row in rows:
        if found and _same_notice(found[-1], row):
            found[-1].messages.append(row)
        else:
            found.append(InboxNotice([row]))
    return found


def inbox_page(account: User, before: int | None = None) -> tuple[list[InboxNotice], int | None]:
    """One page of the account's notices, newest first, and the `before` of the next page (None:
    no more). A notice is never split between two pages."""
    rows = inbox(account, before, PAGE_SIZE)
    found = notices(rows)
    if len(rows) < PAGE_SIZE:
        return found, None
    if len(found) > 1:  # its last notice may go on past the page: shown whole on the next one
        found.pop()
    return found, found[-1].id


UNREAD_SHOWN = 99  # the header shows up to this many unread notices, then "99+"


def unread_count(account: User) -> int:
    """How many of the account's notices are not read yet, up to UNREAD_SHOWN + 1 (the header
    says "99+" then): every page's header asks, so it reads the newest rows only."""
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.account_id == account.id, OutboxMessage.read_at.is_(None))
        .order_by(OutboxMessage.id.desc())
        .limit(2 * (UNREAD_SHOWN + 1))  # a notice is at most two rows (e-mail and SMS)
    ).all()
    return min(len(notices(list(rows))), UNREAD_SHOWN + 1)


def own_message(account: User, message_id: int) -> OutboxMessage | None:
    """One of the account's messages; None for another's or an unknown id."""
    message = db.session.get(OutboxMessage, message_id)
    return message if message is not None and message.account_id == account.id else None


def notice_of(message: OutboxMessage) -> InboxNotice:
    """The notice the message belongs to (its neighbours in its account's message centre)."""
    span = 8  # rows of one notice are neighbours: one per channel
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.account_id == message.account_id,
            OutboxMessage.id.between(message.id - span, message.id + span),
        )
        .order_by(OutboxMessage.id.desc())
    ).all()
    return next(n for n in notices(list(rows)) if message in n.messages)


def mark_read(message: OutboxMessage, now: datetime | None = None) -> InboxNotice:
    """Mark the message's notice read, every channel of it (a second time changes nothing).
    Flushes."""
    notice = notice_of(message)
    for row in notice.messages:
        if row.read_at is None:
            row.read_at = now or utcnow()
    db.session.flush()
    return notice


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
