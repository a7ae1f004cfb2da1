"""What a seed writes, recorded and written again after: the demo data (load_demo) and the rule
tables (the `app` fixture) cost a test 0.2–0.5 s and 20–80 ms through the services and the ORM
(hundreds of queries); the recorded rows go in with one INSERT a table, in a few milliseconds.

A recording is replayed only onto the database it was recorded from, in the same state: the key
holds the database's URL, the app's settings (the upload folder apart, a test's own), the day in
Shanghai (the seed dates things from it) and every row the database held before the seed (their
times apart; on PostgreSQL also where each sequence stood). A state met for the first time (rows a
test wrote first, other settings, the next day) is seeded through the services; met a second time,
it is seeded and recorded; after that, replayed. Replayed times are moved forward by the time since
the recording, as if seeded now; sequences are set where the seed left them. Each worker seeds
through the services at least twice per database, and tests/domain/test_seed_demo.py tests the
seed itself, called directly.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from domain.lifecycle.workdays import shanghai_today
from extensions import db
from models import utcnow

Rows = dict[str, dict[tuple, dict]]  # table name -> primary key -> row


@dataclass
class Recording:
    """The rows a seed added, changed (their keys and changed values) and removed (their keys), by
    table; where the sequences stood after it; and when it ran."""

    taken_at: datetime
    added: dict[str, list[dict]] = field(default_factory=dict)
    changed: dict[str, list[dict]] = field(default_factory=dict)
    removed: dict[str, list[tuple]] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)


_recordings: dict[tuple, Recording] = {}
_seen: set[tuple] = set()  # the keys met once: recorded at the second meeting


def seeded(name: str, seed: Callable[[], object]) -> None:
    """seed() run and committed, or its recording replayed where this database in this state got
    it before (the module docstring)."""
    db.session.flush()
    connection = db.session.connection()
    before = _rows(connection)
    sequences = _sequences(connection)
    key = (
        name,
        str(connection.engine.url),
        _settings(),
        shanghai_today(),
        _digest(before, sequences),
    )
    recording = _recordings.get(key)
    if recording is not None:
        _replay(connection, recording)
    elif key not in _seen:  # a state met once (a test's own rows first) may never come again
        _seen.add(key)
        seed()
    else:
        taken_at = utcnow()
        seed()
        db.session.flush()
        _recordings[key] = _recording(before, _rows(connection), _sequences(connection), taken_at)
    db.session.commit()


def _settings() -> str:
    return repr(sorted((k, v) for k, v in current_app.config.items() if k != "UPLOAD_FOLDER"))


@functools.cache
def _tables() -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def tables_holding_rows(connection: sa.Connection, tables: list[sa.Table]) -> list[sa.Table]:
    """Those of `tables` that hold a row, in their order: one query for all of them."""
    probe = sa.union_all(
        *(sa.select(sa.literal(i)).where(sa.exists().select_from(t)) for i, t in enumerate(tables))
    )  # fmt: skip
    return [tables[index] for index in sorted(connection.execute(probe).scalars())]


def _rows(connection: sa.Connection) -> Rows:
    """Every row of every table that holds any, by primary key."""
    rows: Rows = {}
    for table in tables_holding_rows(connection, _tables()):
        keys = [column.key for column in table.primary_key.columns]
        found = {}
        for row in connection.execute(sa.select(table)).mappings():
            values = {column.key: row[column] for column in table.columns}
            found[tuple(values[k] for k in keys)] = values
        rows[table.name] = found
    return rows


def _sequences(connection: sa.Connection) -> dict[str, int]:
    if connection.dialect.name != "postgresql":
        return {}  # SQLite's ids follow the rows (no AUTOINCREMENT table)
    moved = connection.execute(
        sa.text(
            "SELECT sequencename, last_value FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    )
    return {name: value for name, value in moved}


def _digest(rows: Rows, sequences: dict[str, int]) -> str:
    """The rows and sequences, their times left out (replayed rows are moved to the present)."""
    timeless = []
    for table in _tables():
        if table.name in rows:
            times = {c.key for c in table.columns if _is_time(c.type)}
            found = [
                [v for k, v in row.items() if k not in times] for row in rows[table.name].values()
            ]
            timeless.append((table.name, sorted(found, key=repr)))
    text = repr((timeless, sorted(sequences.items())))
    return hashlib.sha256(text.encode()).hexdigest()


def _recording(before: Rows, after: Rows, sequences: dict[str, int], taken_at) -> Recording:
    recording = Recording(taken_at=taken_at, sequences=sequences)
    for table in _tables():
        old, new = before.get(table.name, {}), after.get(table.name, {})
        keys = {column.key for column in table.primary_key.columns}
        added = [row for key, row in new.items() if key not in old]
        changed = [
            {k: v for k, v in row.items() if k in keys or old[key][k] != v}
            for key, row in new.items()
            if key in old and old[key] != row
        ]
        removed = [key for key in old if key not in new]
        if added:
            recording.added[table.name] = added
        if changed:
            recording.changed[table.name] = changed
        if removed:
            recording.removed[table.name] = removed
    return recording


def _moved(table: sa.Table, rows: list[dict], by: timedelta) -> list[dict]:
    times = [c.key for c in table.columns if _is_time(c.type)]
    if not times:
        return rows
    return [
        {**row, **{k: row[k] + by for k in times if row.get(k) is not None}} for row in rows
    ]  # fmt: skip


def _is_time(kind: sa.types.TypeEngine) -> bool:
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, sa.DateTime)


def _replay(connection: sa.Connection, recording: Recording) -> None:
    by = utcnow() - recording.taken_at
    tables = _tables()
    for table in tables:
        rows = _moved(table, recording.changed.get(table.name, []), by)
        keys = [column for column in table.primary_key.columns]
        for row in rows:
            match = sa.and_(*(column == row[column.key] for column in keys))
            connection.execute(table.update().where(match).values(row))
        if table.name in recording.added:
            # RETURNING: SQLAlchemy sends the rows as one INSERT of many VALUES, compiled once (a
            # plain executemany costs psycopg a round trip a row)
            returning = table.insert().returning(*table.primary_key.columns)
            connection.execute(returning, _moved(table, recording.added[table.name], by))
    for table in reversed(tables):
        keys = [column for column in table.primary_key.columns]
        for key in recording.removed.get(table.name, []):
            connection.execute(
                table.delete().where(sa.and_(*(c == v for c, v in zip(keys, key, strict=True))))
            )
    if recording.sequences:
        connection.execute(sa.select(*(
            sa.func.setval(f'"{name}"', value, True) for name, value in recording.sequences.items()
        )))  # fmt: skip
