"""`flask backup` and `flask restore` round-trip the SQLite database to identical data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from demo.seed import seed_demo
from extensions import db


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
    assert snapshot() == before
