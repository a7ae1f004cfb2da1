"""The PostgreSQL test server: its URL (TEST_DATABASE_URL, default the local `test` database), a
schema of one's own, and the URLs that point into it. Without a server the caller is skipped with
the reason (never silently passed)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}"


@contextmanager
def temporary_schema(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards; the caller is skipped without a server."""
    problem = postgres_reachable()
    if problem:
        pytest.skip(problem)
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def schema_of(url: str) -> str:
    """The schema a postgres_url() points at."""
    return parse_qs(urlparse(url).query)["options"][0].split("=", 1)[1]


# The server as pg_dump and pg_restore take it (libpq does not know SQLAlchemy's driver suffix).
PG_LIBPQ_URL = PG_URL.replace("postgresql+psycopg://", "postgresql://")


def postgres_url(schema: str) -> str:
    """The test URL with the search path set to `schema`."""
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{schema}"
