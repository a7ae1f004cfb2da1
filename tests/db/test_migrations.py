"""Alembic migrations apply on SQLite and PostgreSQL and produce exactly the models' schema."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.helpers.app import make_test_app
from tests.helpers.postgres import postgres_url, temporary_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    with temporary_schema("beian_migrate") as schema:
        yield postgres_url(schema)


def _diff(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(empty_database_url, tmp_path):
    app = make_test_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        assert _diff(db.engine) == []
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {
            "filings",
            "users",
            "registry_subjects",
            "audit_events",
            "outbox_messages",
        } <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrated_database_keeps_the_check_constraints(empty_database_url, tmp_path):
    app = make_test_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO users (email, password_hash, display_name, role, is_enabled, "
                    "failed_logins, created_at) VALUES ('a@b.cn', 'x', '', 'applicant', true, 0, "
                    "CURRENT_TIMESTAMP)"
                )
            )
            with pytest.raises(sa.exc.IntegrityError):
                connection.execute(
                    sa.text(
                        "INSERT INTO users (email, password_hash, display_name, role, is_enabled, "
                        "failed_logins, created_at) VALUES ('b@b.cn', 'x', '', 'superuser', true, "
                        "0, CURRENT_TIMESTAMP)"
                    )
                )
            connection.rollback()
        db.engine.dispose()
