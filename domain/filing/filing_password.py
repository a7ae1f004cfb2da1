"""The MIIT filing password (备案密码): verified against the registry, at most 5 wrong tries per
account and subject per hour, and a cap per subject over all accounts, counted in the database so
that the limits hold across workers.

The subject's cap holds only accounts that have failed at that subject themselves within the hour:
an account without a wrong try of its own (the owner, typing the right password) always gets its
try, so throwaway accounts cannot lock the owner out. Once the cap is reached, every further guess
needs an account that has not guessed yet (one try each), and new accounts are limited per client
address (domain.accounts.signup_limit)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from domain.errors import DomainError
from domain.ports import Registry
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
    *,
    registry: Registry,
) -> bool:
    """True for the right password, as `registry` (the runtime's) verifies it. A wrong one is
    recorded (flushed; the caller commits).

    The subject's registry row is locked for the check (PostgreSQL), so concurrent tries for one
    subject are counted one after another.

    :raises TooManyPasswordFailures: 5 wrong tries by this account within the last hour, or
        SUBJECT_CAP by all accounts while this account (or the anonymous caller) has failed too.
    """
    now = now or utcnow()
    db.session.execute(
        select(RegistrySubject.id).where(RegistrySubject.id == subject.id).with_for_update()
    )
    own = failures_in_window(subject, now, account) if account is not None else None
    everyone = failures_in_window(subject, now)
    if len(everyone) >= SUBJECT_CAP and (own is None or own):
        raise TooManyPasswordFailures(everyone[-SUBJECT_CAP] + WINDOW)
    if own is not None and len(own) >= MAX_FAILURES:
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
    """How many wrong tries `account` has left this hour (the subject's cap included: past it, an
    account without a wrong try of its own has one)."""
    now = now or utcnow()
    below_cap = max(SUBJECT_CAP - _count(subject, now), 0)
    if account is None:
        return below_cap
    own = _count(subject, now, account)
    if own == 0:
        return max(1, min(MAX_FAILURES, below_cap))
    return max(min(MAX_FAILURES - own, below_cap), 0)


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
