"""Test fixtures (flaskr's shape): an app per test on SQLite and on PostgreSQL, clients, factories.

PostgreSQL: TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test. Each run works in
a schema of its own and drops it at the end. Where no server answers, the PostgreSQL half of every
database test is reported as skipped with the reason (never silently passed).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

from app import create_app
from domain.accounts import accounts
from domain.lifecycle.states import Action, FilingState, FilingType, Role
from domain.rulebook.seed_tables import seed_rule_tables
from extensions import db
from models import Filing, Person, Subject, User, Website, WebsiteDomain, WebsiteIP, utcnow
from tests.helpers import transitions

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "Test-Secret-2026"  # the accounts of make_user(); not on the common-password list


def _postgres_reachable() -> str | None:
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
    problem = _postgres_reachable()
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


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the PostgreSQL test database for the whole run."""
    with temporary_schema("beian_test") as schema:
        yield schema


def schema_of(url: str) -> str:
    """The schema a postgres_url() points at."""
    return parse_qs(urlparse(url).query)["options"][0].split("=", 1)[1]


# The server as pg_dump and pg_restore take it (libpq does not know SQLAlchemy's driver suffix).
PG_LIBPQ_URL = PG_URL.replace("postgresql+psycopg://", "postgresql://")


def postgres_url(schema: str) -> str:
    """The test URL with the search path set to `schema`."""
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """Every database test runs twice: on an SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        yield postgres_url(request.getfixturevalue("postgres_schema"))


@pytest.fixture(scope="session")
def _tables_created() -> set[str]:
    return set()


def make_test_app(database_url: str, tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "PROVIDER_CODE": "BEIANDESK",
        "PROVIDER_NAME": "测试云",
        "PUBLIC_URL": "http://localhost",  # the test client's host: links in pages and e-mails
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SETTINGS_REFRESH_SECONDS": 0,
        "OVERDUE_COUNTS_SECONDS": 0,
        # Admins made by make_user() have no second factor; the tests of the second factor turn
        # the requirement on (tests/web/test_account_security.py, the browser's live app).
        "ADMIN_TOTP_REQUIRED": False,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app_config() -> dict:
    """Per-test config overrides; a test module redefines this fixture to change them."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config, _tables_created):
    """A fresh app on a clean database (tables created once per backend, emptied after each test)."""
    application = make_test_app(database_url, tmp_path, **app_config)
    with application.app_context():
        if database_url not in _tables_created:
            db.drop_all()
            db.create_all()
            _tables_created.add(database_url)
        seed_rule_tables()
        db.session.commit()
        yield application
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables() -> None:
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """make_user(role=..., email=...) -> User, committed, password PASSWORD."""
    counter = iter(range(1, 10_000))

    def factory(role: Role = Role.applicant, email: str | None = None) -> User:
        user = accounts.register(
            email or f"{role.value}{next(counter)}@example.cn", PASSWORD, f"{role.label}", role
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def applicant(app, client, make_user, login):
    """A logged-in applicant holding two of the provider's IPs, with the demo registry loaded."""
    from domain.operator import ip_pool
    from tests.wizard_helpers import load_demo

    load_demo()
    user = make_user(Role.applicant)
    ip_pool.assign_free(user, 2)
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def login(client):
    """login(user) logs the test client in through the real login form."""

    def do_login(user: User, password: str = PASSWORD):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


# How to reach each state from a draft: the actions, in order (who acts is derived from the role).
PATH_TO: dict[FilingState, tuple[Action, ...]] = {
    FilingState.draft: (),
    FilingState.submitted: (Action.submit,),
    FilingState.withdrawn: (Action.withdraw,),
    FilingState.initial_rejected: (Action.submit, Action.initial_reject),
    FilingState.materials_pending: (Action.submit, Action.initial_approve),
    FilingState.re_review: (Action.submit, Action.initial_approve, Action.submit_materials),
}
PATH_TO[FilingState.re_rejected] = (*PATH_TO[FilingState.re_review], Action.re_reject)
PATH_TO[FilingState.bureau_pending] = (*PATH_TO[FilingState.re_review], Action.re_approve)
PATH_TO[FilingState.sms_pending] = (*PATH_TO[FilingState.bureau_pending], Action.submit_to_bureau)
PATH_TO[FilingState.sms_failed] = (*PATH_TO[FilingState.sms_pending], Action.sms_fail)
PATH_TO[FilingState.bureau_review] = (*PATH_TO[FilingState.sms_pending], Action.sms_verify)
PATH_TO[FilingState.bureau_rejected] = (*PATH_TO[FilingState.bureau_review], Action.bureau_reject)
PATH_TO[FilingState.approved] = (*PATH_TO[FilingState.bureau_review], Action.bureau_approve)

APPLICANT_ACTIONS = {Action.submit, Action.withdraw, Action.submit_materials, Action.sms_verify}
SYSTEM_ACTIONS = {Action.sms_fail}


@pytest.fixture
def make_filing(app, make_user):
    """make_filing(state=..., owner=..., province=...) -> Filing walked there through apply()."""

    def factory(
        state: FilingState = FilingState.draft,
        owner: User | None = None,
        province: str = "33",
        reviewer: User | None = None,
    ) -> Filing:
        owner = owner or make_user(Role.applicant)
        reviewer = reviewer or make_user(Role.reviewer)
        person = Person(name="王小明", mobile="13800138000", email="wang@example.cn")
        filing = Filing(
            account_id=owner.id,
            filing_type=FilingType.new_access,
            province=province,
            product_ips=["121.41.100.10"],
            password_verified_at=utcnow(),
            subject=Subject(
                name="杭州青禾科技有限公司",
                province=province,
                responsible_person=person,
                certificate_number="91330106MA2B3C4D5E",
            ),
            websites=[
                Website(
                    position=0,
                    name="青禾科技官网",
                    domains=[WebsiteDomain(domain="qinghe.cn")],
                    ips=[WebsiteIP(address="121.41.100.10")],
                )
            ],
        )
        db.session.add(filing)
        db.session.flush()
        for action in PATH_TO[state]:
            actor = owner if action in APPLICANT_ACTIONS else reviewer
            transitions.apply(filing, action, None if action in SYSTEM_ACTIONS else actor)
        db.session.commit()
        assert filing.state is state
        return filing

    return factory
