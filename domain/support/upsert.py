"""Writes that hold across workers: adding to a counter row that may not exist yet, in one
statement (INSERT ... ON CONFLICT DO UPDATE, on PostgreSQL and SQLite alike), so concurrent
writers never lose a count; and conditional UPDATEs that say how many rows they changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite
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
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(
        [{key_column.key: key, count_column.key: amounts[key]} for key in sorted(amounts)]
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[key_column],
            set_={count_column.key: count_column + statement.excluded[count_column.key]},
        )
    )


def rows_changed(statement: Executable) -> int:
    """Run a conditional UPDATE in the session; how many rows it changed (a compare-and-set won
    when this is 1)."""
    result = cast(CursorResult[Any], db.session.execute(statement))
    return result.rowcount
