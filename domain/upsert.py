"""Adding to a counter row that may not exist yet, in one statement (INSERT ... ON CONFLICT DO
UPDATE, on PostgreSQL and SQLite alike), so concurrent writers never lose a count."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from extensions import db


def add_to_counter(model, key_column, key: str, count_column, amount: int) -> None:
    """`count_column` of the row whose `key_column` is `key` grows by `amount` (created if absent)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values({key_column.key: key, count_column.key: amount})
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[key_column],
            set_={count_column.key: count_column + statement.excluded[count_column.key]},
        )
    )
