"""The anonymous API's rate-limit counts in the app's own database: Flask-Limiter's default store
when BEIAN_RATELIMIT_STORAGE_URI is empty, so that every gunicorn worker and every app host counts
against the same limit without another service (redis://… still selects Redis).

A `limits` storage for the fixed-window strategy: one row per limit key (a SHA-256 of the key, which
holds the client address) with its hits and the end of its window. Each hit is one atomic upsert
on a connection of its own, committed at once, so a request that fails later still counts.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from models import RateLimitWindow

SCHEME = "database"


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """Fixed windows in the `rate_limit_windows` table of the engine `engine()` returns."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any
    ) -> None:
        super().__init__(uri, wrap_exceptions)
        self._engine: Callable[[], Engine] = options["engine"]

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits in the key's window, opening a new window when the last one ended."""
        now = time.time()
        table = RateLimitWindow.__table__
        with self._engine().begin() as connection:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(table).values(
                key=_hashed(key), hits=amount, expires_at=now + expiry
            )
            ended = table.c.expires_at <= now
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "hits": case((ended, amount), else_=table.c.hits + amount),
                    "expires_at": case((ended, now + expiry), else_=table.c.expires_at),
                },
            ).returning(table.c.hits)
            return int(connection.execute(statement).scalar_one())

    def _window(self, key: str) -> tuple[int, float] | None:
        with self._engine().connect() as connection:
            row = connection.execute(
                select(RateLimitWindow.hits, RateLimitWindow.expires_at).where(
                    RateLimitWindow.key == _hashed(key)
                )
            ).first()
        if row is None or row.expires_at <= time.time():
            return None
        return int(row.hits), float(row.expires_at)

    def get(self, key: str) -> int:
        """The hits in the key's current window (0 when it has none)."""
        window = self._window(key)
        return window[0] if window else 0

    def get_expiry(self, key: str) -> float:
        """When the key's current window ends (now when it has none)."""
        window = self._window(key)
        return window[1] if window else time.time()

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self._engine().connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every window."""
        with self._engine().begin() as connection:
            return int(connection.execute(delete(RateLimitWindow)).rowcount or 0)

    def clear(self, key: str) -> None:
        """Forget the key's window."""
        with self._engine().begin() as connection:
            connection.execute(delete(RateLimitWindow).where(RateLimitWindow.key == _hashed(key)))


def forget_ended(engine: Engine, now: float | None = None) -> int:
    """Delete the windows that have ended (sweep); how many were deleted."""
    cutoff = time.time() if now is None else now
    with engine.begin() as connection:
        ended = delete(RateLimitWindow).where(RateLimitWindow.expires_at <= cutoff)
        return int(connection.execute(ended).rowcount or 0)
