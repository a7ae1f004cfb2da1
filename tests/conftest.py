"""Test fixtures (flaskr's shape): an app per test on SQLite and on PostgreSQL, clients, factories.

PostgreSQL: TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test. Each run works in
a schema of its own and drops it at the end. Where no server answers, the PostgreSQL half of every
database test is reported as skipped with the reason (never silently passed).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from domain.accounts import accounts
from domain.lifecycle.states import FilingState, FilingType, Role
from domain.rulebook.seed_tables import seed_rule_tables
from extensions import db
from models import Filing, Person, Subject, User, Website, WebsiteDomain, WebsiteIP, utcnow
from runtime import current
from tests.helpers import orders as orders_helpers
from tests.helpers import snapshots, transitions
from tests.helpers.app import PASSWORD, TestApps
from tests.helpers.postgres import postgres_url, temporary_schema
from tests.helpers.transitions import APPLICANT_ACTIONS, PATH_TO, SYSTEM_ACTIONS

# The modules whose tests take longest (tens of seconds to minutes each: SIGKILLs, races, the
# hostile crawl), longest first.
LONGEST = (
    "tests/db/test_crash_safety.py",
    "tests/db/test_race_stress.py",
    "tests/security/test_hostile_crawl.py",
    "tests/db/test_race_promises.py",
    "tests/db/test_two_hosts.py",
    "tests/security/test_long_numbers.py",
    "tests/security/test_access_matrix.py",
    "tests/security/test_api_fuzz.py",
    "tests/security/test_codes.py",
)


@pytest.hookimpl(trylast=True)  # after the markers are set and pytest has grouped the backends
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first, the quick ones last. `make test`'s two workers take the tests in
    this order (--dist loadgroup hands out an xdist_group of several tests before single tests);
    a long test that started late kept one worker busy alone for its last minute, while quick
    tests at the end let both finish together. LONGEST, then the other slow tests (the browser and
    the PostgreSQL half), then the rest; each backend's tests together within a tier, so that a
    worker switches database seldom."""
    backends = {"sqlite": 0, "postgresql": 1}

    def rank(item: pytest.Item) -> tuple[int, int, int]:
        module = item.nodeid.split("::")[0]
        callspec = getattr(item, "callspec", None)
        backend = backends.get(callspec.params.get("database_url")) if callspec else None
        if module in LONGEST:
            return (0, backend or 0, LONGEST.index(module))
        if item.get_closest_marker("slow"):  # PostgreSQL first: the quick tests are SQLite's
            return (1, 0 if backend is None else 1 - backend, 0)
        return (2, backend or 0, 0)

    items.sort(key=rank)


@sa.event.listens_for(Engine, "connect")
def _commits_without_fsync(dbapi_connection, _record) -> None:
    """The test process's commits do not wait for the disk. SQLite files are written without fsync
    (PRAGMA synchronous=OFF): a commit costs about 0.1 ms instead of up to 9 (fsyncs, on a busy
    disk), and the suite commits tens of thousands of times. PostgreSQL's sessions commit without
    waiting for the WAL flush (synchronous_commit=off; the server still writes it a moment later,
    and nothing is ever half-written). Only what an operating-system crash, a power cut or, for
    PostgreSQL, a crash of the server itself would lose is at stake; a killed client process loses
    nothing, and the servers a test starts as processes of their own (tests/helpers/live_server.py:
    the crash-safety test's SIGKILLs) keep the databases' defaults."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()
    elif module.startswith("psycopg"):
        dbapi_connection.execute("SET synchronous_commit = off")
        dbapi_connection.commit()  # a session setting from now on (not undone by a rollback)


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the PostgreSQL test database for the whole run."""
    with temporary_schema("beian_test") as schema:
        yield schema


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]
)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """Every database test runs twice: on an SQLite file and on PostgreSQL. The PostgreSQL half
    counts as slow: the fast loop (`-m "not slow"`) runs each test once, on SQLite; `make test`
    runs both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        yield postgres_url(request.getfixturevalue("postgres_schema"))


@pytest.fixture(scope="session")
def _tables_created() -> set[str]:
    return set()


@pytest.fixture
def app_config() -> dict:
    """Per-test config overrides; a test module redefines this fixture to change them."""
    return {}


@pytest.fixture(scope="session")
def _apps() -> TestApps:
    return TestApps()


@pytest.fixture
def app(database_url, tmp_path, app_config, _tables_created, _apps):
    """The app of the test's database and settings, as built, on a clean database (tables created
    once per backend, emptied after each test; tests/helpers/app.py says what is reset)."""
    application = _apps.get(database_url, tmp_path, app_config)
    with application.app_context():
        if database_url not in _tables_created:
            db.drop_all()
            db.create_all()
            _tables_created.add(database_url)
        snapshots.seeded("rules", seed_rule_tables)  # replayed after the first tests (snapshots.py)
        yield application
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables() -> None:
    """Every row deleted and, on PostgreSQL, every sequence that moved restarted (ids count from 1
    again, as SQLite's do). One query finds the tables that hold rows; only those are emptied: a
    test writes a handful of the 39 tables, and a DELETE of each of them at every test cost more
    than most tests themselves. DELETE, not TRUNCATE: on a test's few rows PostgreSQL's TRUNCATE
    costs about five times as much (new files for each table). On PostgreSQL the DELETEs and the
    restarts go as one string of statements (one round trip, not one each)."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        holding = snapshots.tables_holding_rows(connection, tables)
        if connection.dialect.name != "postgresql":
            for table in holding:
                connection.execute(table.delete())
            return
        statements = [f'DELETE FROM "{table.name}"' for table in holding]
        statements.append(_RESTART_MOVED_SEQUENCES)
        connection.exec_driver_sql(";\n".join(statements))


# ALTER SEQUENCE … RESTART of each sequence read since its start: setval(start, not called).
_RESTART_MOVED_SEQUENCES = """DO $$
DECLARE moved record;
BEGIN
    FOR moved IN SELECT sequencename, start_value FROM pg_sequences
                 WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
        PERFORM setval(quote_ident(moved.sequencename), moved.start_value, false);
    END LOOP;
END $$"""


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """make_user(role=..., email=...) -> User, committed, password PASSWORD."""
    counter = iter(range(1, 10_000))

    def factory(role: Role = Role.applicant, email: str | None = None) -> User:
        user = accounts.register(
            email or f"{role.value}{next(counter)}@example.cn", PASSWORD, f"{role.label}", role,
            hasher=current().hasher,
        )  # fmt: skip
        db.session.commit()
        return user

    return factory


@pytest.fixture
def applicant(app, client, make_user, login):
    """A logged-in applicant holding two of the provider's IPs, with the demo registry loaded."""
    from domain.operator import ip_pool
    from tests.helpers.wizard import load_demo

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


@pytest.fixture
def held(client, applicant, make_user):
    """The demo applicant's 青禾 filing, approved: its website is a record held here."""
    return orders_helpers.hold_approved(client, applicant, make_user)
