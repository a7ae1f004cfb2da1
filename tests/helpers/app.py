"""The app as the tests build it: test settings over the defaults, and the password every test user
has."""

from __future__ import annotations

import copy
import shutil
from collections import OrderedDict
from pathlib import Path

from flask import Flask

import runtime
from app import create_app

PASSWORD = "Test-Secret-2026"  # the accounts of make_user(); not on the common-password list


def make_test_app(database_url: str, tmp_path, **overrides):
    """An app on `database_url` with the tests' settings (uploads under `tmp_path`), `overrides` on
    top."""
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
        # Mobile codes (R-PH-3) are on by default; the tests of other things submit without them.
        # The wizard's tests turn them on and walk_to_confirm() verifies each mobile as a person
        # does, by the code the SMS carried (docs/decisions.md, "Mobile codes in the tests").
        "VERIFY_MOBILES": False,
        # `outbox work` lowers its own CPU priority; run in a test's process it would slow the
        # rest of that worker's tests (tests/domain/test_outbox.py checks the setting is applied)
        "OUTBOX_WORK_NICENESS": 0,
    }
    config.update(overrides)
    return create_app(config)


def migrated_copy(migrated: Path, folder: Path) -> str:
    """The URL of a fresh copy, in `folder`, of an SQLite file the migrations were run on (the
    browser tests' `migrated_database`)."""
    path = folder / "live.sqlite3"
    shutil.copyfile(migrated, path)
    return f"sqlite:///{path}"


class TestApps:
    """The apps of one test run, one per database and settings, at most `size` kept (the oldest
    let go). Building an app compiles its 130 routes and every template it renders anew (about
    0.15 s), more than most tests take. A test gets the app of its database and settings as it was
    built: every setting as it was (a test may change them), the adapters built anew on the test's
    upload folder, and what an app keeps while it serves (the gate's state, the queue panels, the
    policy read from the database) gone."""

    __test__ = False  # not a test class

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[str, str], tuple[Flask, dict, set[str]]] = OrderedDict()

    def get(self, database_url: str, tmp_path, overrides: dict) -> Flask:
        key = (database_url, repr(sorted(overrides.items())))
        kept = self._kept.pop(key, None)
        if kept is None:
            application = make_test_app(database_url, tmp_path, **overrides)
            kept = (
                application,
                copy.deepcopy(dict(application.config)),
                set(application.extensions),
            )
        else:
            application, settings, extensions = kept
            application.config.clear()
            application.config.update(copy.deepcopy(settings))
            application.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
            for name in set(application.extensions) - extensions:
                del application.extensions[name]
            runtime.install(application)
        self._kept[key] = kept
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return application
