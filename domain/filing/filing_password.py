"""The MIIT filing password (备案密码): verified against the registry, at most 5 wrong tries per
subject per hour, counted in the database so that the limit holds across workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from domain.errors import DomainError
from domain.rulebook.registry import LocalRegistry
from domain.support.i18n import N_, Message
from extensions import db
from models import FilingPasswordFailure, RegistrySubject, User, utcnow

MAX_FAILURES = 5
WINDOW = timedelta(hours=1)


class TooManyPasswordFailures(DomainError):
    """The subject's password was entered wrongly too often; `retry_at` says when to try again."""

    def __init__(self, retry_at: datetime) -> None:
        super().__init__(Message(N_("错误次数过多，请稍后再试")), "password")
        self.retry_at = retry_at


def failures_in_window(subject: RegistrySubject, now: datetime) -> list[datetime]:
    """Times of the wrong passwords for `subject` in the last hour, oldest first."""
    return list(
        db.session.scalars(
            select(FilingPasswordFailure.created_at)
            .where(
                FilingPasswordFailure.registry_subject_id == subject.id,
                FilingPasswordFailure.created_at > now - WINDOW,
            )
            .order_by(FilingPasswordFailure.created_at)
        )
    )


def check_filing_password(
    subject: RegistrySubject,
    password: str,
    account: User | None = None,
    now: datetime | None = None,
    registry: LocalRegistry | None = None,
) -> bool:
    """True for the right password. A wrong one is recorded (flushed; the caller commits).

    The subject's registry row is locked for the check (PostgreSQL), so concurrent tries for one
    subject are counted one after another.

    :raises TooManyPasswordFailures: 5 wrong tries within the last hour, before this one is checked.
    """
    now = now or utcnow()
    registry = registry or LocalRegistry()
    db.session.execute(
        select(RegistrySubject.id).where(RegistrySubject.id == subject.id).with_for_update()
    )
    recent = failures_in_window(subject, now)
    if len(recent) >= MAX_FAILURES:
        raise TooManyPasswordFailures(recent[-MAX_FAILURES] + WINDOW)
    if registry.verify_filing_password(subject, password):
        return True
    db.session.add(
        FilingPasswordFailure(
            registry_subject_id=subject.id,
            account_id=account.id if account is not None else None,
            created_at=now,
        )
    )
    db.session.flush()
    return False


def remaining_tries(subject: RegistrySubject, now: datetime | None = None) -> int:
    """How many wrong tries are left in the current hour."""
    count = db.session.scalar(
        select(func.count())
        .select_from(FilingPasswordFailure)
        .where(
            FilingPasswordFailure.registry_subject_id == subject.id,
            FilingPasswordFailure.created_at > (now or utcnow()) - WINDOW,
        )
    )
    return max(MAX_FAILURES - (count or 0), 0)
