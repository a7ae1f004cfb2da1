"""Backups round-trip to identical data: `flask backup` / `restore` for SQLite, and the documented
pg_dump / pg_restore for PostgreSQL."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa

from demo.seed import seed_demo
from extensions import db
from tests.helpers.postgres import PG_LIBPQ_URL, schema_of

pytestmark = pytest.mark.slow


def snapshot() -> dict[str, list]:
    with db.engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(sa.select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables
        }


def test_backup_on_postgresql_points_to_pg_dump(app, tmp_path, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite3")])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_sqlite_backup_and_restore_round_trip(app, tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL is backed up with pg_dump")
    seed_demo()
    db.session.commit()
    before = snapshot()
    target = tmp_path / "backup.sqlite3"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM outbox_messages"))
        connection.execute(sa.text("UPDATE province_rules SET min_age = 30"))
    assert snapshot() != before
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    after = snapshot()
    report(before, after, "SQLite: flask backup / restore")
    assert after == before


def report(before: dict, after: dict, how: str) -> None:
    rows = sum(len(v) for v in before.values())
    differing = sum(1 for name in before if before[name] != after.get(name))
    print(
        f"\nbackup: {how}: {rows} rows in {len(before)} tables, {differing} tables differ after restore"
    )


def test_postgresql_dump_and_restore_round_trip(app, tmp_path, database_url):
    """The README's pg_dump -Fc / pg_restore --clean, on this run's schema."""
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    seed_demo()
    db.session.commit()
    before = snapshot()
    schema, server = schema_of(database_url), PG_LIBPQ_URL
    dump = tmp_path / "beian.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "--schema", schema, "-f", str(dump), server], check=True, timeout=120
    )
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM outbox_messages"))
        connection.execute(sa.text("UPDATE province_rules SET min_age = 30"))
    assert snapshot() != before
    db.session.remove()
    db.engine.dispose()  # no open connection holds a lock on what is restored
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--single-transaction", "-d", server, str(dump)],
                   check=True, timeout=120, capture_output=True)  # fmt: skip
    after = snapshot()
    report(before, after, "PostgreSQL: pg_dump -Fc / pg_restore --clean")
    assert after == before
