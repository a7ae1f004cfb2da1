"""Writes that hold across workers: adding to a counter row that may not exist yet, in one
statement (INSERT ... ON CONFLICT DO UPDATE, on PostgreSQL and SQLite alike), so concurrent
writers never lose a count; and conditional UPDATEs that say how many rows they changed."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, TextClause, text
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from extensions import db


def add_to_counter(
    model: type[DeclarativeBase],
    key_column: InstrumentedAttribute[str],
    key: str,
    count_column: InstrumentedAttribute[int],
    amount: int,
) -> None:
    """`count_column` of the row whose `key_column` is `key` grows by `amount` (created if absent)."""
    add_to_counters(model, key_column, count_column, {key: amount})


def add_to_counters(
    model: type[DeclarativeBase],
    key_column: InstrumentedAttribute[str],
    count_column: InstrumentedAttribute[int],
    amounts: Mapping[str, int],
) -> None:
    """Several counter rows grow at once, in one statement; the rows are written in key order, so
    two writers moving the same counters never wait on each other crosswise."""
    if not amounts:
        return
    statement = _upsert(model.__tablename__, key_column.key, count_column.key, len(amounts))
    values: dict[str, object] = {}
    for number, key in enumerate(sorted(amounts)):
        values[f"key{number}"], values[f"amount{number}"] = key, amounts[key]
    db.session.connection().execute(statement, values)


@lru_cache(maxsize=32)
def _upsert(table: str, key: str, count: str, rows: int) -> TextClause:
    """The upsert of `rows` counter rows, written once. The same text on PostgreSQL and SQLite
    (3.24+); SQLAlchemy compiles a multi-row INSERT anew at every execution, which cost eight
    times the database's own work on it, at every transition."""
    values = ", ".join(f"(:key{n}, :amount{n})" for n in range(rows))
    return text(
        f"INSERT INTO {table} ({key}, {count}) VALUES {values} "
        f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )


def rows_changed(statement: Executable) -> int:
    """Run a conditional UPDATE in the session; how many rows it changed (a compare-and-set won
    when this is 1)."""
    result = cast(CursorResult[Any], db.session.execute(statement))
    return result.rowcount
