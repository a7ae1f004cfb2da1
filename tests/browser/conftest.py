"""A live server on a free loopback port and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from extensions import db
from tests.helpers.app import make_test_app, migrated_copy
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def live_server(live_app):
    """The URL of the app as `make run` builds it."""
    return live_app.config["LIVE_URL"]


def _buffered(app):
    """The app with each response read whole and closed before it is sent. Werkzeug's threaded dev
    server does not close a response when the browser drops the connection mid-send (Chromium does
    for a favicon when a test closes its page), and the open static file then surfaces as a
    ResourceWarning in a later, unrelated test. No response here streams."""

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """An SQLite file with every migration applied (`flask db upgrade`), made once per worker: a
    live app starts from a copy of it (the migrations took about a second at every module)."""
    from flask_migrate import upgrade

    tmp = tmp_path_factory.mktemp("migrated")
    path = tmp / "migrated.sqlite3"
    app = make_test_app(f"sqlite:///{path}", tmp)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture(scope="module")
def live_app(tmp_path_factory, migrated_database):
    """The app as `make run` builds it (migrations, demo data, CSRF on), served in a thread; the
    status panel polls every second instead of ten."""
    from demo.seed import seed_demo

    tmp = tmp_path_factory.mktemp("live")
    app = make_test_app(
        migrated_copy(migrated_database, tmp),
        tmp,
        WTF_CSRF_ENABLED=True,
        TESTING=False,
        DEMO_MODE=True,
        STATUS_POLL_SECONDS=1,
        ADMIN_TOTP_REQUIRED=True,
    )
    with app.app_context():
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = app.config["LIVE_URL"]  # the QR links and e-mails point here
    yield app
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def _chromium():
    """Playwright's driver and Chromium, started once per worker (starting the driver, a Node
    process, took about 2.5 s, at every module)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser(_chromium):
    """Chromium for a module's tests; at the module's end every context and page they opened is
    closed (as closing the browser did), so nothing of theirs outlives its live server."""
    yield _chromium
    for context in _chromium.contexts:
        context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and errors.append(f"{message.text} @ {message.location.get('url')}")
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    # No script error and no Content-Security-Policy violation on any page the test visited
    # (expected 4xx answers, such as a 422 form, are not script errors).
    assert [e for e in errors if "status of 4" not in e] == []


HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items) -> None:
    """Every test under tests/browser/ drives Chromium: marked `browser` and `slow` (left out of
    `make test-fast`)."""
    for item in items:
        path = Path(item.path)
        if HERE in path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
