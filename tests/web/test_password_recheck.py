"""The password asked again on the account pages (changing it, deleting the account, the second
factor) is throttled per account like the login and audited, so a held session cannot guess it;
the second factor's enrolment begins on the password with a secret of its own."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select
from werkzeug.security import check_password_hash

from domain.accounts import accounts
from domain.lifecycle.states import Role
from extensions import db
from models import AuditEvent, User, utcnow
from tests.helpers.app import PASSWORD

NEW_PASSWORD = "Fresh2026pw"
WRONG = "Wrong-guess-2026"


RECHECKS = ("password_rechecked", "password_recheck_failed", "password_recheck_throttled")


def recheck_events(user: User) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor_id == user.id, AuditEvent.action.in_(RECHECKS))
        .order_by(AuditEvent.id)
    )
    return [(row.action, row.data["purpose"]) for row in rows]


def with_totp(app, user: User) -> User:
    accounts.enable_totp_with_secret(
        user, pyotp.random_base32(), app.config["SECRET_KEY"], utcnow()
    )
    db.session.commit()
    return user


# Each page that asks for the password again: the role, the path, the form's data for a password,
# and whether the change was made.
PAGES = {
    "password_change": (
        Role.applicant,
        "/account/password",
        lambda pw: {"current_password": pw, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        lambda user: check_password_hash(user.password_hash, NEW_PASSWORD),
    ),
    "account_deletion": (
        Role.applicant,
        "/account/privacy/delete",
        lambda pw: {"password": pw},
        lambda user: not user.is_enabled,
    ),
    "totp_off": (
        Role.reviewer,
        "/account/two-factor/off",
        lambda pw: {"password": pw},
        lambda user: not accounts.has_totp(user),
    ),
    "recovery_codes": (
        Role.reviewer,
        "/account/two-factor/recovery-codes",
        lambda pw: {"password": pw},
        lambda user: accounts.recovery_codes_left(user) == accounts.RECOVERY_CODE_COUNT,  # 0 before
    ),
}


@pytest.mark.parametrize("purpose", sorted(PAGES))
def test_wrong_passwords_asked_again_make_the_account_wait_and_are_audited(
    app, client, make_user, login, purpose
):
    role, path, data, changed = PAGES[purpose]
    user = make_user(role)
    login(user)
    if role is Role.reviewer:
        with_totp(app, user)  # after the login (which would ask for a code)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        for _ in range(5):  # free, as five wrong logins are
            client.post(path, data=data(WRONG))
        held = client.post(path, data=data(PASSWORD))  # the right one, but within the delay
        if held.status_code == 302:
            held = client.get(held.headers["Location"])
        assert held.status_code in (200, 429)
        assert "尝试次数过多，请 30 秒后再试" in held.get_data(as_text=True)
        db.session.expire_all()
        assert not changed(db.session.get(User, user.id))
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        client.post(path, data=data(PASSWORD))
    db.session.expire_all()
    assert changed(db.session.get(User, user.id))
    assert recheck_events(user) == (
        [("password_recheck_failed", purpose)] * 5
        + [("password_recheck_throttled", purpose), ("password_rechecked", purpose)]
    )


def test_the_count_is_the_accounts_across_the_pages_and_sessions(app, client, make_user, login):
    user = make_user(Role.reviewer)
    login(user)
    other = app.test_client()
    other.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    with_totp(app, user)
    wrong = {"current_password": WRONG, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for _ in range(3):
        assert client.post("/account/password", data=wrong).status_code == 422
    for _ in range(2):
        other.post("/account/two-factor/off", data={"password": WRONG})
    right = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = other.post("/account/password", data=right)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert "当前密码：尝试次数过多" in response.get_data(as_text=True)


def test_a_right_password_asked_again_starts_the_count_anew(app, client, make_user, login):
    user = make_user(Role.reviewer)
    login(user)
    with_totp(app, user)
    for _ in range(4):
        client.post("/account/two-factor/recovery-codes", data={"password": WRONG})
    right = {"password": PASSWORD}
    assert client.post("/account/two-factor/recovery-codes", data=right).status_code == 200
    for _ in range(4):
        client.post("/account/two-factor/recovery-codes", data={"password": WRONG})
    assert client.post("/account/two-factor/recovery-codes", data=right).status_code == 200


# --- the second factor's enrolment --------------------------------------------------------------


def shown_secret(page: str) -> str | None:
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)
    return found.group(1).replace(" ", "") if found else None


def begin(client, password: str = PASSWORD):
    return client.post("/account/two-factor/start", data={"password": password})


def test_enrolment_asks_for_the_password_before_showing_a_secret(app, client, make_user, login):
    admin = make_user(Role.admin)
    login(admin)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert shown_secret(page) is None and 'id="password"' in page
    assert db.session.get(User, admin.id).totp_secret is None  # nothing drawn on a view
    refused = begin(client, WRONG)
    assert refused.status_code == 422 and "密码：密码不正确" in refused.get_data(as_text=True)
    assert shown_secret(client.get("/account/two-factor").get_data(as_text=True)) is None
    assert begin(client).status_code == 302
    assert shown_secret(client.get("/account/two-factor").get_data(as_text=True))
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-3:] == [
        "password_recheck_failed",
        "password_rechecked",
        "totp_enrolment_started",
    ]


def test_each_enrolment_draws_a_new_secret_shown_only_to_the_session_that_began_it(
    app, client, make_user, login
):
    admin = make_user(Role.admin)
    login(admin)
    other = app.test_client()  # another login of the same account (a held session)
    other.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
    begin(other)
    first = shown_secret(other.get("/account/two-factor").get_data(as_text=True))
    assert first
    # the owner's page does not show the other session's secret, and a new start draws another
    assert shown_secret(client.get("/account/two-factor").get_data(as_text=True)) is None
    begin(client)
    second = shown_secret(client.get("/account/two-factor").get_data(as_text=True))
    assert second and second != first
    # the first secret is dead: its session is sent back to the start, its code enrols nothing
    code = pyotp.TOTP(first).now()
    response = other.post("/account/two-factor", data={"code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith("/two-factor")
    assert shown_secret(other.get("/account/two-factor").get_data(as_text=True)) is None
    assert not accounts.has_totp(db.session.get(User, admin.id))
    # the owner's own secret enrols
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(second).now()})
    assert response.status_code == 200 and "恢复码" in response.get_data(as_text=True)
    assert accounts.has_totp(db.session.get(User, admin.id))


def test_the_secret_is_not_in_the_session_cookie(app, client, make_user, login):
    from flask.sessions import SecureCookieSessionInterface

    login(make_user(Role.admin))
    begin(client)
    secret = shown_secret(client.get("/account/two-factor").get_data(as_text=True))
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    content = serializer.loads(client.get_cookie("session").value)
    assert secret and secret not in str(content)
