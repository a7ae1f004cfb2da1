"""The MIIT filing password (备案密码): verified against the registry, at most 5 wrong tries per
account and subject per hour, and a generous cap per subject over all accounts (so that a stranger
cannot lock the owner out with a few wrong tries), counted in the database so that the limits hold
across workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from domain.errors import DomainError
from domain.ports import Registry
from domain.rulebook.registry import LocalRegistry
from domain.support.i18n import N_, Message
from extensions import db
from models import FilingPasswordFailure, RegistrySubject, User, utcnow

MAX_FAILURES = 5  # per account and subject
SUBJECT_CAP = 50  # per subject, every account together
WINDOW = timedelta(hours=1)


class TooManyPasswordFailures(DomainError):
    """The subject's password was entered wrongly too often; `retry_at` says when to try again."""

    def __init__(self, retry_at: datetime) -> None:
        super().__init__(Message(N_("错误次数过多，请稍后再试")), "password")
        self.retry_at = retry_at


def failures_in_window(
    subject: RegistrySubject, now: datetime, account: User | None = None
) -> list[datetime]:
    """Times of the wrong passwords for `subject` in the last hour (by `account` when given; no
    account: every account together), oldest first."""
    query = select(FilingPasswordFailure.created_at).where(
        FilingPasswordFailure.registry_subject_id == subject.id,
        FilingPasswordFailure.created_at > now - WINDOW,
    )
    if account is not None:
        query = query.where(FilingPasswordFailure.account_id == account.id)
    return list(db.session.scalars(query.order_by(FilingPasswordFailure.created_at)))


def check_filing_password(
    subject: RegistrySubject,
    password: str,
    account: User | None = None,
    now: datetime | None = None,
    registry: Registry | None = None,
) -> bool:
    """True for the right password. A wrong one is recorded (flushed; the caller commits).

    The subject's registry row is locked for the check (PostgreSQL), so concurrent tries for one
    subject are counted one after another.

    :raises TooManyPasswordFailures: 5 wrong tries by this account, or SUBJECT_CAP by all accounts,
        within the last hour, before this one is checked.
    """
    now = now or utcnow()
    registry = registry or LocalRegistry()
    db.session.execute(
        select(RegistrySubject.id).where(RegistrySubject.id == subject.id).with_for_update()
    )
    everyone = failures_in_window(subject, now)
    if len(everyone) >= SUBJECT_CAP:
        raise TooManyPasswordFailures(everyone[-SUBJECT_CAP] + WINDOW)
    if account is not None:
        own = failures_in_window(subject, now, account)
        if len(own) >= MAX_FAILURES:
            raise TooManyPasswordFailures(own[-MAX_FAILURES] + WINDOW)
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


def remaining_tries(
    subject: RegistrySubject, account: User | None = None, now: datetime | None = None
) -> int:
    """How many wrong tries `account` has left this hour (the subject's cap included)."""
    now = now or utcnow()
    left = SUBJECT_CAP - _count(subject, now)
    if account is not None:
        left = min(left, MAX_FAILURES - _count(subject, now, account))
    return max(left, 0)


def _count(subject: RegistrySubject, now: datetime, account: User | None = None) -> int:
    query = (
        select(func.count())
        .select_from(FilingPasswordFailure)
        .where(
            FilingPasswordFailure.registry_subject_id == subject.id,
            FilingPasswordFailure.created_at > now - WINDOW,
        )
    )
    if account is not None:
        query = query.where(FilingPasswordFailure.account_id == account.id)
    return db.session.scalar(query) or 0
