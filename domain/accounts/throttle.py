"""Login throttling that a stranger cannot turn against the owner.

Failed logins are counted under three keys: the account (by its normalised e-mail, so that an
address without an account behaves exactly like one with an account), the client address, and the
pair of both. Each key has a number of free failures, then a delay that doubles with every further
failure up to a ceiling: nothing is locked for good. A stranger's wrong guesses grow the delays of
the stranger's own pair and address. The account-wide delay (many addresses guessing at one
account) and the address-wide delay (one address guessing at many accounts) hold only clients that
have not logged in to that account from that address before (in `known_client_for`), so the
owner's own client is never held back by another client's guesses, not even by a stranger behind
the same address (an office's NAT): a known client is held by the failures of its own pair only.
Failures at addresses with and without an account count alike, so the throttle's answers do not
tell which e-mail addresses have accounts.

A logged-in account's password asked again before a sensitive change (changing it, deleting the
account, the second factor) is counted per account under the pair's rule (recheck_password): a
stolen session cannot be used to guess the password at full speed. Each such check is audited.

The counters are rows of `throttle_counters` keyed by a SHA-256 of the key (no e-mail or address
is stored); the pair's row is locked while an attempt is decided, so the limits hold across
workers and hosts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain import audit
from domain.accounts import accounts
from domain.support.i18n import N_, Message
from domain.support.passwords import PasswordHasher
from extensions import db
from models import ThrottleCounter, User, utcnow


@dataclass(frozen=True)
class Rule:
    """Free failures, then a delay from `first_delay` that doubles per failure up to `longest`."""

    free: int
    first_delay: timedelta
    longest: timedelta

    def delay(self, failures: int) -> timedelta:
        """How long to wait after the last failure once `failures` are counted (0 while free)."""
        if failures < self.free:
            return timedelta(0)
        doubled: timedelta = self.first_delay * 2 ** min(failures - self.free, 30)
        return min(doubled, self.longest)


@dataclass(frozen=True)
class LoginLimits:
    """The three login rules, when a counter is forgotten, and how long a client stays known."""

    pair: Rule
    client: Rule
    account: Rule
    forget_after: timedelta = timedelta(hours=24)
    known_client_for: timedelta = timedelta(days=90)

    @classmethod
    def from_config(cls, config: Any) -> LoginLimits:
        """The limits from the app configuration (LOGIN_* keys, see docs/configuration.md)."""
        longest = timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"]))
        first = timedelta(seconds=int(config["LOGIN_FIRST_DELAY_SECONDS"]))
        return cls(
            pair=Rule(int(config["LOGIN_MAX_FAILURES"]), first, longest),
            client=Rule(int(config["LOGIN_CLIENT_MAX_FAILURES"]), first, longest),
            account=Rule(int(config["LOGIN_ACCOUNT_MAX_FAILURES"]), first, longest),
        )


class Throttled(accounts.AccountError):
    """Too many failed attempts from this client or at this account; `retry_at` says until when."""

    def __init__(self, retry_at: datetime, now: datetime, field: str | None = None) -> None:
        seconds = max(math.ceil((retry_at - now).total_seconds()), 1)
        if seconds < 60:
            message = Message(N_("尝试次数过多，请 %(n)s 秒后再试"), {"n": seconds})
        else:
            message = Message(
                N_("尝试次数过多，请 %(n)s 分钟后再试"), {"n": math.ceil(seconds / 60)}
            )
        super().__init__(message, field=field)
        self.retry_at = retry_at
        self.retry_after = seconds


def counter_key(*parts: str) -> str:
    """The stored key: a SHA-256 of the parts, so the table holds no e-mail or address."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class LoginKeys:
    """The three counters one login attempt is decided by."""

    account: str
    client: str
    pair: str

    @classmethod
    def of(cls, email: str, client: str) -> LoginKeys:
        """The keys for an e-mail as typed (normalised as find_user does) and a client address."""
        account = email.strip().lower()
        return cls(
            counter_key("login", "account", account),
            counter_key("login", "client", client),
            counter_key("login", "pair", account, client),
        )


def retry_at(
    counter: ThrottleCounter, rule: Rule, forget_after: timedelta, now: datetime
) -> datetime | None:
    """Until when `counter` holds attempts back under `rule`, or None when it does not."""
    last, delay = counter.last_failure_at, rule.delay(counter.failures)
    if last is None or not delay or last <= now - forget_after:
        return None  # (a parallel attempt may have stamped `last` a moment after `now`)
    until = last + delay
    return until if until > now else None


def counters_of(keys: list[str], lock: str) -> dict[str, ThrottleCounter]:
    """The counters of `keys`, created when missing; the one under `lock` (the pair) stays locked
    (PostgreSQL: FOR UPDATE) until the transaction ends, so one client's parallel attempts at one
    account are decided one after another, while attempts of other clients do not wait on them."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(ThrottleCounter)
        .values([{"key": key, "failures": 0} for key in sorted(set(keys))])
        .on_conflict_do_nothing(index_elements=[ThrottleCounter.key])
    )
    db.session.execute(
        select(ThrottleCounter.key).where(ThrottleCounter.key == lock).with_for_update()
    )
    rows = db.session.scalars(
        select(ThrottleCounter)
        .where(ThrottleCounter.key.in_(keys))
        .execution_options(populate_existing=True)
    )
    return {row.key: row for row in rows}


def count_failure(keys: list[str], now: datetime, forget_after: timedelta) -> None:
    """One more failure on each key; a counter idle for `forget_after` restarts. One UPDATE per
    key in key order, so that two attempts never wait on each other's rows crosswise."""
    for key in sorted(set(keys)):
        db.session.execute(
            update(ThrottleCounter)
            .where(ThrottleCounter.key == key)
            .values(
                failures=case(
                    (ThrottleCounter.last_failure_at <= now - forget_after, 1),
                    else_=ThrottleCounter.failures + 1,
                ),
                last_failure_at=now,
            )
            .execution_options(synchronize_session=False)
        )


def login(
    email: str,
    password: str,
    client: str,
    limits: LoginLimits,
    now: datetime | None = None,
    *,
    hasher: PasswordHasher,
) -> User:
    """The account for a correct e-mail and password from `client`, unless the client is held back.

    Every path checks exactly one password hash (a dummy one when held back or when the address has
    no account), so the answer and its timing do not tell whether an account exists. Flushes; the
    caller commits, refusals included (the counts must stay).

    :raises Throttled: the pair, the client or (for a client new to the account) the account is
        within its delay; the password is not checked.
    :raises accounts.AccountError: wrong e-mail or password (one message), or a disabled account.
    """
    now = now or utcnow()
    keys = LoginKeys.of(email, client)
    counters = counters_of([keys.account, keys.client, keys.pair], lock=keys.pair)
    pair = counters[keys.pair]
    known_client = (
        pair.last_success_at is not None and pair.last_success_at > now - limits.known_client_for
    )
    holds = [retry_at(pair, limits.pair, limits.forget_after, now)]
    if not known_client:  # a client that logged in to this account before is held by its pair only
        holds.append(retry_at(counters[keys.client], limits.client, limits.forget_after, now))
        holds.append(retry_at(counters[keys.account], limits.account, limits.forget_after, now))
    held_until = max((hold for hold in holds if hold is not None), default=None)
    if held_until is not None:
        hasher.check_nothing(password)  # the same cost as a checked attempt
        raise Throttled(held_until, now)
    try:
        user = accounts.authenticate(email, password, hasher=hasher)
    except accounts.WrongCredentials:
        count_failure([keys.account, keys.client, keys.pair], now, limits.forget_after)
        raise
    pair.failures = 0
    pair.last_failure_at = None
    pair.last_success_at = now
    db.session.flush()
    return user


# Why a logged-in account's password is asked again (the audit rows say which).
RECHECK_PURPOSES = frozenset(
    {"password_change", "account_deletion", "totp_enrolment", "totp_off", "recovery_codes"}
)


class WrongPassword(accounts.AccountError):
    """The password asked again was wrong."""

    default = N_("密码不正确")


def recheck_password(
    user: User,
    password: str,
    purpose: str,
    limits: LoginLimits,
    now: datetime | None = None,
    *,
    hasher: PasswordHasher,
) -> None:
    """Check a logged-in account's password again before a sensitive change (`purpose`, one of
    RECHECK_PURPOSES). Failures are counted per account under the login pair's rule (free ones,
    then a doubling delay); every attempt is audited: `password_rechecked`,
    `password_recheck_failed`, or `password_recheck_throttled`. Flushes; the caller commits
    refusals too (the count and the audit row must stay).

    :raises Throttled: the account is within its delay; the password is not checked.
    :raises WrongPassword: the password is wrong (field `password`).
    """
    now = now or utcnow()
    data = {"user": user.id, "purpose": purpose}
    key = counter_key("recheck", "account", str(user.id))
    counter = counters_of([key], lock=key)[key]
    held_until = retry_at(counter, limits.pair, limits.forget_after, now)
    if held_until is not None:
        hasher.check_nothing(password)  # the same cost as a checked attempt
        audit.record("password_recheck_throttled", user, internal=True, data=data, now=now)
        db.session.flush()
        raise Throttled(held_until, now, field="password")
    if not hasher.check_password(user.password_hash, password):
        count_failure([key], now, limits.forget_after)
        audit.record("password_recheck_failed", user, internal=True, data=data, now=now)
        db.session.flush()
        raise WrongPassword(field="password")
    counter.failures = 0
    counter.last_failure_at = None
    counter.last_success_at = now
    audit.record("password_rechecked", user, internal=True, data=data, now=now)
    db.session.flush()


def forget_idle(now: datetime, limits: LoginLimits) -> int:
    """Delete counters with nothing left to remember (sweep); how many were deleted."""
    idle = db.session.execute(
        delete(ThrottleCounter).where(
            (ThrottleCounter.last_failure_at.is_(None))
            | (ThrottleCounter.last_failure_at <= now - limits.forget_after),
            (ThrottleCounter.last_success_at.is_(None))
            | (ThrottleCounter.last_success_at <= now - limits.known_client_for),
        ),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(idle, "rowcount", 0) or 0)
