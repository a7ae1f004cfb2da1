"""Sign-ups per client address: a stranger cannot make accounts (or probe addresses) in bulk.

Every sign-up attempt that reaches the e-mail check counts under the client's address, in the
login throttle's `throttle_counters` table (a SHA-256 of the key; the row is locked while the
attempt is decided), so the limit holds across workers and hosts. The first `free` attempts pass;
then each further one waits a delay that doubles up to `longest`, counted from the last attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.accounts.throttle import Rule, Throttled, count_failure, counter_key, counters_of
from domain.accounts.throttle import retry_at as held_until
from models import utcnow


@dataclass(frozen=True)
class SignupLimits:
    """Attempts per client address, and when an idle address is forgotten."""

    client: Rule
    forget_after: timedelta = timedelta(hours=24)

    @classmethod
    def from_config(cls, config: Any) -> SignupLimits:
        """The limits from the app configuration (SIGNUP_* keys)."""
        return cls(
            Rule(
                int(config["SIGNUP_CLIENT_MAX"]),
                timedelta(seconds=int(config["SIGNUP_FIRST_DELAY_SECONDS"])),
                timedelta(minutes=int(config["SIGNUP_LOCK_MINUTES"])),
            )
        )


def count_attempt(client: str, limits: SignupLimits, now: datetime | None = None) -> None:
    """Count one sign-up attempt from `client` (flushed; the caller commits).

    :raises Throttled: the address is within its delay; nothing is counted.
    """
    now = now or utcnow()
    key = counter_key("signup", "client", client)
    counter = counters_of([key], lock=key)[key]
    until = held_until(counter, limits.client, limits.forget_after, now)
    if until is not None:
        raise Throttled(until, now)
    count_failure([key], now, limits.forget_after)
