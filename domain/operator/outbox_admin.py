"""The admin's hand on the outbox: putting a dead letter back in the queue, audited."""

from __future__ import annotations

from domain import audit
from domain.support.i18n import N_, Message
from domain.support.outbox import OutboxError
from extensions import db
from models import OutboxMessage, User


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
