"""Accounts a provider can trust: sessions that end, password reset by a one-use link,
password change, one-time passwords changed at the first login, the staff's second factor."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
import time_machine
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from demo.seed import DEMO_TOTP_SECRET, seed_demo
from domain.accounts import accounts
from domain.lifecycle.states import Role
from domain.support import sealing
from extensions import db
from models import AuditEvent, OutboxMessage, RecoveryCode, User, utcnow
from tests.helpers.app import PASSWORD

NEW_PASSWORD = "Fresh2026pw"


def copied_cookie(app, client):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def reset_messages() -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.template == "password_reset")
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def reset_path(app, message: OutboxMessage) -> str:
    """The path of the link the e-mail carries (sealed in the outbox row, as an SMS code is)."""
    link = sealing.unseal(message.context["sealed_code"], app.config["SECRET_KEY"])
    assert link and link.startswith(app.config["PUBLIC_URL"].rstrip("/") + "/auth/reset/")
    return urlsplit(link).path


def ask_reset(client, email: str):
    """The forgot form sent, and the page it leads to (POST/redirect/GET)."""
    return client.post("/auth/forgot", data={"email": email}, follow_redirects=True)


def set_new_password(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


# --- sessions that end ----------------------------------------------------------------------------


def test_a_copied_cookie_is_refused_after_logout(app, client, make_user, login):
    login(make_user())
    thief = copied_cookie(app, client)
    assert thief.get("/filings/").status_code == 200  # the copy works while the session lives
    client.post("/auth/logout")
    response = thief.get("/filings/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_copied_cookie_is_refused_after_log_out_everywhere(app, client, make_user, login):
    login(make_user())
    thief = copied_cookie(app, client)
    response = client.post("/account/logout-everywhere")
    assert response.headers["Location"].endswith("/auth/login")
    assert thief.get("/filings/").status_code == 302
    assert client.get("/filings/").status_code == 302


def test_a_copied_cookie_is_refused_after_a_password_reset(app, client, make_user, login):
    user = make_user()
    login(user)
    thief = copied_cookie(app, client)
    stranger = app.test_client()
    ask_reset(stranger, user.email)
    response = set_new_password(stranger, reset_path(app, reset_messages()[0]))
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert thief.get("/filings/").status_code == 302
    assert client.get("/filings/").status_code == 302
    assert login(user, NEW_PASSWORD).headers["Location"].endswith("/filings/")


def test_a_copied_cookie_is_refused_after_disabling_even_when_enabled_again(
    app, client, make_user, login
):
    user, admin = make_user(), make_user(Role.admin)
    login(user)
    thief = copied_cookie(app, client)
    console = app.test_client()
    console.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
    assert console.post(f"/admin/users/{user.id}/disable").status_code == 302
    assert thief.get("/filings/").status_code == 302
    console.post(f"/admin/users/{user.id}/enable")
    assert thief.get("/filings/").status_code == 302
    assert client.get("/filings/").status_code == 302


def test_a_copied_cookie_loses_the_status_polls_short_answer_after_logout(
    app, client, applicant, make_filing
):
    filing = make_filing(owner=applicant)
    url = f"/filings/{filing.id}/status?version={filing.version}"
    headers = {"HX-Request": "true"}
    thief = copied_cookie(app, client)
    assert thief.get(url, headers=headers).status_code == 204
    client.post("/auth/logout")
    assert thief.get(url, headers=headers).status_code in (302, 401)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(
    app, client, make_user, login
):
    user = make_user()
    login(user)
    other_browser = app.test_client()
    other_browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/filings/").status_code == 200
    assert other_browser.get("/filings/").status_code == 302
    assert "共 1 个会话" in client.get("/account/").get_data(as_text=True)  # this one only
    db.session.refresh(user)
    assert user.password_changed_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current_password": "Wrong12345", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
         "当前密码：当前密码不正确"),
        ({"current_password": PASSWORD, "password": "short1", "confirm": "short1"},
         "新密码：至少 8 位"),
        ({"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "Other2026pw"},
         "确认新密码：与新密码不一致"),
        ({"current_password": PASSWORD, "password": PASSWORD, "confirm": PASSWORD},
         "新密码：不能与当前密码相同"),
        ({"current_password": "", "password": "", "confirm": ""}, "当前密码：必填"),
    ],
)  # fmt: skip
def test_a_refused_password_change_names_the_field_and_the_rule(
    client, make_user, login, data, message
):
    user = make_user()
    login(user)
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert client.get("/filings/").status_code == 200  # still logged in, password unchanged
    assert check_password_hash(db.session.get(User, user.id).password_hash, PASSWORD)


def test_the_csrf_token_rotates_at_login(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        user = make_user()
        page = client.get("/auth/login").get_data(as_text=True)
        before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"email": user.email, "password": PASSWORD, "csrf_token": before}
        assert client.post("/auth/login", data=data).status_code == 302
        after = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/filings/").get_data(True))
        assert after.group(1) != before
        # the token of the anonymous page no longer works: a planted token cannot ride along
        assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
        assert client.post("/auth/logout", data={"csrf_token": after.group(1)}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_account_page_shows_the_open_logins_and_who_one_is(app, client, make_user, login):
    user = make_user()
    login(user)
    app.test_client().post("/auth/login", data={"email": user.email, "password": PASSWORD})
    page = client.get("/account/").get_data(as_text=True)
    assert user.email in page and "共 2 个会话" in page
    client.post("/account/logout-everywhere")
    login(user)
    assert "共 1 个会话" in client.get("/account/").get_data(as_text=True)


def test_the_display_name_can_be_changed_and_a_long_one_is_refused(client, make_user, login):
    user = make_user()
    login(user)
    client.post("/account/name", data={"display_name": "李雷"})
    assert db.session.get(User, user.id).display_name == "李雷"
    client.post("/account/name", data={"display_name": "长" * 65})
    page = client.get("/account/").get_data(as_text=True)
    assert "姓名或称呼：最多 64 个字符" in page
    assert db.session.get(User, user.id).display_name == "李雷"


# --- password reset by e-mail ---------------------------------------------------------------------


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client, make_user):
    make_user(email="known@example.cn")
    known = ask_reset(client, "known@example.cn")
    unknown = ask_reset(client, "unknown@example.cn")
    assert known.status_code == unknown.status_code == 200

    def shape(response, address: str) -> str:  # a CSRF token carries the second it was made
        text = response.get_data(as_text=True).replace(address, "ADDRESS")
        return re.sub(r'(csrf_token"[^>]*value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", text)

    assert shape(known, "known@example.cn") == shape(unknown, "unknown@example.cn")
    assert "如果 known@example.cn 是已注册的账号" in known.get_data(as_text=True)
    assert [m.recipient for m in reset_messages()] == ["known@example.cn"]


def test_a_reload_of_the_sent_page_sends_no_second_link(client, make_user):
    user = make_user()
    posted = client.post("/auth/forgot", data={"email": user.email})
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/auth/forgot/sent")
    for _reload in range(2):
        page = client.get("/auth/forgot/sent").get_data(as_text=True)
        assert f"如果 {user.email} 是已注册的账号" in page
    assert len(reset_messages()) == 1
    assert client.get("/auth/forgot/sent", follow_redirects=False).status_code == 200
    fresh = client.application.test_client()
    assert fresh.get("/auth/forgot/sent").headers["Location"].endswith("/auth/forgot")


def test_a_disabled_account_gets_no_link_and_the_same_answer(client, make_user):
    user = make_user()
    user.is_enabled = False
    db.session.commit()
    assert ask_reset(client, user.email).status_code == 200
    assert reset_messages() == []


def test_the_forgot_form_names_the_field_and_the_rule(client):
    for email, message in (("", "邮箱：必填"), ("not-an-address", "邮箱：格式不正确")):
        response = ask_reset(client, email)
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_a_reset_link_works_once(app, client, make_user):
    user = make_user()
    ask_reset(client, user.email)
    path = reset_path(app, reset_messages()[0])
    assert client.get(path).status_code == 200
    assert set_new_password(client, path).status_code == 302
    again = set_new_password(client, path, "Another2026")
    assert again.status_code == 400 and "已使用或已过期" in again.get_data(as_text=True)
    assert client.get(path).status_code == 400
    assert check_password_hash(db.session.get(User, user.id).password_hash, NEW_PASSWORD)


def test_a_reset_link_expires_after_thirty_minutes(app, client, make_user):
    user = make_user()
    ask_reset(client, user.email)
    path = reset_path(app, reset_messages()[0])
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=29)):
        assert client.get(path).status_code == 200
    with time_machine.travel(start + timedelta(minutes=31)):
        assert client.get(path).status_code == 400
        assert set_new_password(client, path).status_code == 400
    assert check_password_hash(db.session.get(User, user.id).password_hash, PASSWORD)


def test_a_new_password_set_by_other_means_kills_an_open_link(app, client, make_user, login):
    user = make_user()
    ask_reset(client, user.email)
    path = reset_path(app, reset_messages()[0])
    login(user)
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert app.test_client().get(path).status_code == 400


@pytest.mark.parametrize(
    "token",
    ["x", "0" * 32, "eyJ1IjoxfQ.Zz.abc", "a" * 600, "%00", "..%2F..%2Fetc", "é" * 20],
)
def test_forged_or_odd_tokens_are_refused_without_a_server_error(client, make_user, token):
    make_user()
    assert client.get(f"/auth/reset/{token}").status_code in (400, 404)
    assert set_new_password(client, f"/auth/reset/{token}").status_code in (400, 404)


def test_a_weak_new_password_is_refused_and_the_link_stays_good(app, client, make_user):
    user = make_user()
    ask_reset(client, user.email)
    path = reset_path(app, reset_messages()[0])
    response = set_new_password(client, path, "Password1")
    assert response.status_code == 422
    assert "新密码：过于常见" in response.get_data(as_text=True)
    assert set_new_password(client, path).status_code == 302


def test_reset_mails_to_one_address_are_capped_per_hour(client, make_user):
    user = make_user()
    for _ in range(5):
        assert ask_reset(client, user.email).status_code == 200
    assert len(reset_messages()) == accounts.RESET_MAILS_PER_HOUR


def test_the_reset_link_is_sealed_in_the_outbox_and_hidden_from_the_console(
    app, client, make_user, login
):
    user = make_user()
    ask_reset(client, user.email)
    message = reset_messages()[0]
    assert "/auth/reset/" not in str(message.context)
    login(make_user(Role.admin))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "/auth/reset/" not in page


def test_the_login_page_links_to_forgot_password(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in page and "忘记密码" in page


# --- the admin console: applicants ---------------------------------------------------------------


def test_admins_find_applicants_by_email_or_name_and_send_a_reset_link(client, make_user, login):
    wang = make_user(email="wang_xm@example.cn")
    make_user(email="li@example.cn")
    wang.display_name = "王小明"
    db.session.commit()
    login(make_user(Role.admin))
    page = client.get("/admin/applicants?q=王小").get_data(as_text=True)
    assert "wang_xm@example.cn" in page and "li@example.cn" not in page
    page = client.get("/admin/applicants?q=_xm").get_data(as_text=True)
    assert "wang_xm@example.cn" in page and "li@example.cn" not in page
    page = client.get("/admin/applicants?q=%25").get_data(as_text=True)  # % is not a wildcard
    assert "没有找到申请人账号" in page
    response = client.post(f"/admin/users/{wang.id}/reset-link")
    assert response.headers["Location"].endswith("/admin/applicants")
    assert [m.recipient for m in reset_messages()] == ["wang_xm@example.cn"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reset_link_sent"))


@pytest.mark.parametrize("query", ["\x00", "a\x00b", "'; drop table users; --", "\\", "长" * 300])
def test_odd_applicant_searches_answer_without_a_server_error(client, make_user, login, query):
    login(make_user(Role.admin))
    response = client.get("/admin/applicants", query_string={"q": query})
    if "\x00" in query:  # refused before any view runs (blueprints/hardening.py), never stored
        assert response.status_code == 400 and "空字符" in response.get_data(as_text=True)
    else:
        assert response.status_code == 200


def test_reviewers_and_applicants_cannot_list_applicants(client, make_user, login):
    for role in (Role.reviewer, Role.applicant):
        login(make_user(role))
        assert client.get("/admin/applicants").status_code == 403
        client.post("/auth/logout")


# --- one-time passwords ---------------------------------------------------------------------------


def invite(client, email: str, role: str = "reviewer") -> str:
    page = client.post(
        "/admin/staff",
        data={"email": email, "display_name": "张审", "role": role},
        follow_redirects=True,
    ).get_data(as_text=True)
    return re.search(r"一次性密码：(\S+?)（只显示这一次）", page).group(1)


def test_an_invited_reviewer_must_change_the_one_time_password_first(app, client, make_user, login):
    login(make_user(Role.admin))
    one_time = invite(client, "zhang@provider.cn")
    reviewer = app.test_client()
    reviewer.post("/auth/login", data={"email": "zhang@provider.cn", "password": one_time})
    for path in ("/review/", "/account/", "/filings/"):
        response = reviewer.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/account/password"
        )
    page = reviewer.get("/account/password").get_data(as_text=True)
    assert "您正在使用一次性密码" in page
    response = reviewer.post(
        "/account/password",
        data={"current_password": one_time, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.headers["Location"].endswith("/review/")
    assert reviewer.get("/review/").status_code == 200
    assert (
        db.session.scalar(
            select(User.must_change_password).where(User.email == "zhang@provider.cn")
        )
        is False
    )


def test_a_second_browser_on_the_one_time_password_is_logged_out_cleanly_not_looped(
    app, client, make_user, login
):
    login(make_user(Role.admin))
    one_time = invite(client, "li@provider.cn")
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        browser.post("/auth/login", data={"email": "li@provider.cn", "password": one_time})
    first.post(
        "/account/password",
        data={"current_password": one_time, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    # the other browser's session ended with the change: every page leads to a login form that
    # renders (it looped /account/password <-> /auth/login before)
    for path in ("/auth/login", "/review/", "/account/password", "/account/"):
        response = second.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert len(response.history) <= 1, [
            path,
            *(r.headers["Location"] for r in response.history),
        ]
        assert 'name="password"' in response.get_data(as_text=True)
        assert response.request.path == "/auth/login"
    response = second.post(
        "/auth/login", data={"email": "li@provider.cn", "password": NEW_PASSWORD}
    )
    assert response.headers["Location"].endswith("/review/")
    assert second.get("/review/").status_code == 200


def test_an_admin_reset_gives_a_one_time_password_and_ends_the_sessions(
    app, client, make_user, login
):
    reviewer = make_user(Role.reviewer)
    own = app.test_client()
    own.post("/auth/login", data={"email": reviewer.email, "password": PASSWORD})
    login(make_user(Role.admin))
    client.post(f"/admin/users/{reviewer.id}/reset")
    assert own.get("/review/").status_code == 302  # the old session ended
    db.session.refresh(reviewer)
    assert reviewer.must_change_password is True


# --- the second factor ----------------------------------------------------------------------------


class TestSecondFactor:
    """As in production: admins must enrol a second factor."""

    spent = ""  # the code the last enrolment used

    @pytest.fixture
    def app_config(self):
        return {"ADMIN_TOTP_REQUIRED": True}

    @staticmethod
    def begin(client, password: str = PASSWORD) -> str:
        """Begin an enrolment on the password; the secret the page shows."""
        response = client.post("/account/two-factor/start", data={"password": password})
        assert response.headers["Location"].endswith("/account/two-factor"), response.status
        page = client.get("/account/two-factor").get_data(as_text=True)
        return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")

    @staticmethod
    def enrol(client) -> tuple[pyotp.TOTP, list[str]]:
        """Enrol with the code of the current time step (the class keeps it as `spent`)."""
        TestSecondFactor.begin(client)
        page = client.get("/account/two-factor").get_data(as_text=True)
        secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
        totp = pyotp.TOTP(secret)
        TestSecondFactor.spent = totp.at(int(utcnow().timestamp()) // 30 * 30)
        response = client.post("/account/two-factor", data={"code": TestSecondFactor.spent})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        codes = re.findall(r"<code>([0-9a-f-]{23})</code>", response.get_data(as_text=True))
        assert len(codes) == accounts.RECOVERY_CODE_COUNT
        return totp, codes

    def test_an_admin_without_a_second_factor_is_sent_to_enrol_it(self, client, make_user, login):
        login(make_user(Role.admin))
        response = client.get("/admin/")
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/account/two-factor"
        )
        assert "管理员账号必须启用两步验证" in client.get("/account/two-factor").get_data(True)
        self.enrol(client)
        assert client.get("/admin/").status_code == 200

    def test_a_wrong_code_does_not_enrol(self, client, make_user, login):
        admin = make_user(Role.admin)
        login(admin)
        self.begin(client)
        response = client.post("/account/two-factor", data={"code": "000000"})
        assert response.status_code == 422
        assert "验证码：验证码不正确或已使用" in response.get_data(as_text=True)
        assert not accounts.has_totp(db.session.get(User, admin.id))
        assert client.get("/admin/").status_code == 302

    def test_an_enrolled_admin_needs_the_code_to_log_in(self, app, client, make_user, login):
        admin = make_user(Role.admin)
        login(admin)
        totp, _codes = self.enrol(client)
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
        assert response.headers["Location"].endswith("/auth/second-factor")
        assert client.get("/admin/").status_code == 302  # the password alone is not a login
        wrong = client.post("/auth/second-factor", data={"code": "123456"})
        assert wrong.status_code == 422
        assert "验证码：不正确或已使用" in wrong.get_data(as_text=True)
        step = int(utcnow().timestamp()) // 30 + 1  # the next step: this one was spent enrolling
        response = client.post("/auth/second-factor", data={"code": totp.at(step * 30)})
        assert response.headers["Location"].endswith("/admin/")
        assert client.get("/admin/").status_code == 200

    def test_a_spent_code_is_not_taken_twice(self, app, client, make_user, login):
        admin = make_user(Role.admin)
        login(admin)
        self.enrol(client)
        client.post("/auth/logout")
        client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
        assert client.post("/auth/second-factor", data={"code": self.spent}).status_code == 422

    def test_a_recovery_code_works_once(self, app, client, make_user, login):
        admin = make_user(Role.admin)
        login(admin)
        _totp, codes = self.enrol(client)
        client.post("/auth/logout")
        client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
        response = client.post("/auth/second-factor", data={"code": codes[0].upper()})
        assert response.headers["Location"].endswith("/admin/")
        client.post("/auth/logout")
        client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
        assert client.post("/auth/second-factor", data={"code": codes[0]}).status_code == 422
        assert client.post("/auth/second-factor", data={"code": codes[1]}).status_code == 302
        used = select(func.count()).where(RecoveryCode.used_at.is_not(None))
        assert db.session.scalar(used) == 2
        assert all(len(row) == 64 for row in db.session.scalars(select(RecoveryCode.code_hash)))
        assert codes[2] not in str(list(db.session.scalars(select(RecoveryCode.code_hash))))

    def test_five_wrong_codes_send_the_login_back_to_the_password(
        self, app, client, make_user, login
    ):
        admin = make_user(Role.admin)
        login(admin)
        totp, _codes = self.enrol(client)
        client.post("/auth/logout")
        client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
        for _ in range(5):
            assert client.post("/auth/second-factor", data={"code": "000000"}).status_code == 422
        step = int(utcnow().timestamp()) // 30 + 1
        response = client.post("/auth/second-factor", data={"code": totp.at(step * 30)})
        assert response.headers["Location"].endswith("/auth/login")
        assert client.get("/admin/").status_code == 302

    def test_the_second_step_lapses_after_five_minutes(self, app, client, make_user, login):
        admin = make_user(Role.admin)
        login(admin)
        totp, _codes = self.enrol(client)
        client.post("/auth/logout")
        client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
        later = utcnow() + timedelta(minutes=6)
        with time_machine.travel(later):
            response = client.post("/auth/second-factor", data={"code": totp.now()})
        assert response.headers["Location"].endswith("/auth/login")

    def test_a_reviewer_may_enrol_and_turn_it_off_with_the_password(self, client, make_user, login):
        reviewer = make_user(Role.reviewer)
        login(reviewer)
        assert client.get("/review/").status_code == 200  # offered, not required
        self.enrol(client)
        response = client.post("/account/two-factor/off", data={"password": "Wrong12345"})
        assert "密码：密码不正确" in client.get(response.headers["Location"]).get_data(True)
        assert accounts.has_totp(db.session.get(User, reviewer.id))
        client.post("/account/two-factor/off", data={"password": PASSWORD})
        assert not accounts.has_totp(db.session.get(User, reviewer.id))

    def test_an_admin_cannot_turn_it_off(self, client, make_user, login):
        admin = make_user(Role.admin)
        login(admin)
        self.enrol(client)
        response = client.post("/account/two-factor/off", data={"password": PASSWORD})
        assert "管理员必须使用两步验证" in client.get(response.headers["Location"]).get_data(True)
        assert accounts.has_totp(db.session.get(User, admin.id))

    def test_new_recovery_codes_replace_the_old_ones(self, client, make_user, login):
        admin = make_user(Role.admin)
        login(admin)
        _totp, old = self.enrol(client)
        page = client.post("/account/two-factor/recovery-codes", data={"password": PASSWORD})
        new = re.findall(r"<code>([0-9a-f-]{23})</code>", page.get_data(as_text=True))
        assert len(new) == 10 and not set(new) & set(old)
        client.post("/auth/logout")
        client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
        assert client.post("/auth/second-factor", data={"code": old[0]}).status_code == 422
        assert client.post("/auth/second-factor", data={"code": new[0]}).status_code == 302

    def test_applicants_are_not_offered_a_second_factor(self, client, make_user, login):
        login(make_user())
        assert client.get("/account/two-factor").status_code == 302
        assert "两步验证" not in client.get("/account/").get_data(as_text=True)

    def test_the_secret_is_stored_sealed(self, app, client, make_user, login):
        admin = make_user(Role.admin)
        login(admin)
        secret = self.begin(client)
        stored = db.session.get(User, admin.id).totp_secret
        assert stored and secret not in stored
        assert accounts.totp_secret(db.session.get(User, admin.id), "another key") is None

    def test_an_admin_resets_a_lost_second_factor_and_the_owner_enrols_again(
        self, app, client, make_user, login
    ):
        lost = make_user(Role.admin)
        own = app.test_client()
        own.post("/auth/login", data={"email": lost.email, "password": PASSWORD})
        self.enrol(own)
        admin = make_user(Role.admin)
        login(admin)
        self.enrol(client)
        refused = client.post(f"/admin/users/{admin.id}/reset-second-factor")
        assert "不能重置自己的两步验证" in client.get(refused.headers["Location"]).get_data(True)
        response = client.post(f"/admin/users/{lost.id}/reset-second-factor")
        assert response.headers["Location"].endswith("/admin/staff")
        assert own.get("/admin/").status_code == 302  # its sessions ended
        assert not accounts.has_totp(db.session.get(User, lost.id))
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == lost.id)) == 0  # fmt: skip
        response = own.post("/auth/login", data={"email": lost.email, "password": PASSWORD})
        assert response.headers["Location"].endswith("/admin/")  # no second step to pass
        assert own.get("/admin/").headers["Location"].endswith("/account/two-factor")

    def test_the_next_path_survives_the_second_step_and_a_hostile_one_does_not(
        self, app, client, make_user, login
    ):
        admin = make_user(Role.admin)
        login(admin)
        self.enrol(client)
        for target, landing in (("/admin/ips", "/admin/ips"), ("//evil.example/x", "/admin/")):
            client.post("/auth/logout")
            client.post(
                "/auth/login",
                query_string={"next": target},
                data={"email": admin.email, "password": PASSWORD},
            )
            code = accounts.current_totp_code(
                db.session.get(User, admin.id),
                app.config["SECRET_KEY"],
                utcnow() + timedelta(seconds=30),
            )
            db.session.execute(
                User.__table__.update().where(User.id == admin.id).values(totp_last_step=None)
            )
            db.session.commit()
            response = client.post("/auth/second-factor", data={"code": code})
            assert response.headers["Location"] == landing


# As they would stand in a link's query string (percent-encoded where a browser would send so).
HOSTILE_NEXT = [
    "//evil.example/x", "///evil.example", "/%5C%5Cevil.example", "/%09/evil.example/x",
    "/%0a/evil.example", "/%0d/evil.example", "/%5Cevil.example", "%5C%5Cevil.example",
    "https://evil.example/", "http:evil.example", "HTTPS://evil.example", "javascript:alert(1)",
    "data:text/html,x", "evil.example", "/%2F%2Fevil.example", "%20//evil.example",
    "/%E3%80%80/evil.example", "/%E2%80%8B/evil.example", "//evil.example@beian.example",
    "/%00/evil.example",
]  # fmt: skip


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_twenty_hostile_next_values_never_leave_the_site(client, make_user, target):
    user = make_user()
    response = client.post(
        f"/auth/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    if "%00" in target:  # a NUL byte is refused as a whole (blueprints/hardening.py): no redirect
        assert response.status_code == 400 and "Location" not in response.headers
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/filings/"


def test_twenty_hostile_next_values_are_twenty():
    assert len(set(HOSTILE_NEXT)) == 20


def test_totp_code_prints_the_demo_admins_code_in_demo_mode_only(app):
    seed_demo()
    db.session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["totp-code", "admin@demo.beiandesk.cn"])
    assert refused.exit_code != 0 and "demo mode" in refused.output
    app.config["DEMO_MODE"] = True
    try:
        result = runner.invoke(args=["totp-code", "admin@demo.beiandesk.cn"])
        assert result.exit_code == 0
        totp = pyotp.TOTP(DEMO_TOTP_SECRET)
        assert totp.verify(result.output.strip(), valid_window=1)
        none = runner.invoke(args=["totp-code", "reviewer@demo.beiandesk.cn"])
        assert none.exit_code != 0 and "no such account with a second factor" in none.output
    finally:
        app.config["DEMO_MODE"] = False
