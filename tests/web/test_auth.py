"""Sign-up, login, logout, the failed-login limit and CSRF, through the real forms."""

from __future__ import annotations

import re
import time

import pytest
import time_machine
from sqlalchemy import func, select

from domain.lifecycle.states import Role
from extensions import db
from models import AuditEvent, User
from tests.helpers.app import PASSWORD

SIGNUP = {
    "display_name": "王小明",
    "email": "wang@example.cn",
    "password": "Qinghe2026",
    "confirm": "Qinghe2026",
    "agree": "y",
}


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_signup_creates_an_applicant_and_logs_in(client):
    response = client.post("/auth/signup", data=SIGNUP)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/filings/")
    user = db.session.scalar(select(User))
    assert (user.email, user.role, user.display_name) == (
        "wang@example.cn",
        Role.applicant,
        "王小明",
    )
    assert user.password_hash != SIGNUP["password"]
    page = client.get("/filings/").get_data(as_text=True)
    assert "我的备案" in page and "您还没有备案申请" in page


def test_duplicate_email_is_refused_with_a_clear_message(client, make_user):
    make_user(email="wang@example.cn")
    response = client.post("/auth/signup", data={**SIGNUP, "email": "WANG@example.cn"})
    assert response.status_code == 422
    assert "邮箱：已被注册，请直接登录" in response.get_data(as_text=True)
    assert count_users() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "short1", "密码：至少 8 位"),
        ("password", "onlyletters", "密码：须同时包含字母和数字"),
        ("confirm", "Different99", "确认密码：与密码不一致"),
        ("email", "not-an-email", "邮箱：格式不正确"),
        ("agree", "", "须勾选后才能注册"),
    ],
)
def test_signup_errors_name_the_field_and_the_rule(client, field, value, message):
    data = {**SIGNUP, field: value}
    if field == "password":
        data["confirm"] = value
    response = client.post("/auth/signup", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_users() == 0


def test_signup_errors_in_english(client):
    client.get("/lang/en")
    response = client.post(
        "/auth/signup", data={**SIGNUP, "password": "short1", "confirm": "short1"}
    )
    assert "Password: must be at least 8 characters" in response.get_data(as_text=True)


def test_signup_shows_every_error_at_once_the_taken_email_included(client, make_user):
    make_user(email="wang@example.cn")
    data = {**SIGNUP, "password": "short1", "confirm": "short2", "agree": ""}
    response = client.post("/auth/signup", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for error in ("邮箱：已被注册，请直接登录", "密码：至少 8 位", "确认密码：与密码不一致",
                  "须勾选后才能注册"):  # fmt: skip
        assert error in page, error
    assert count_users() == 1


def test_signup_shows_a_bad_email_beside_a_bad_password(client):
    data = {**SIGNUP, "email": "not-an-email", "password": "onlyletters", "confirm": "onlyletters"}
    page = client.post("/auth/signup", data=data).get_data(as_text=True)
    assert "邮箱：格式不正确" in page and "密码：须同时包含字母和数字" in page


def test_wrong_password_is_refused_and_counted(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "Wrong1234"})
    assert response.status_code == 422
    assert "邮箱或密码错误" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.failed_logins == 1
    assert client.get("/filings/").status_code == 302  # still not logged in
    assert db.session.scalar(select(AuditEvent.action)) == "login_failed"


def test_unknown_email_gets_the_same_message(client):
    response = client.post(
        "/auth/login", data={"email": "nobody@example.cn", "password": "Wrong1234"}
    )
    assert response.status_code == 422
    assert "邮箱或密码错误" in response.get_data(as_text=True)


def test_the_same_client_waits_after_the_failure_limit_even_for_the_right_password(
    client, make_user, app
):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/auth/login", data={"email": user.email, "password": "Wrong1234"})
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "尝试次数过多，请 30 秒后再试" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"


def test_the_wait_expires(client, make_user, app):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/auth/login", data={"email": user.email, "password": "Wrong1234"})
    with time_machine.travel(time.time() + 31):
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_disabled_account_cannot_log_in(client, make_user):
    user = make_user()
    user.is_enabled = False
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert "该账号已停用" in response.get_data(as_text=True)


def test_login_and_logout(client, make_user, login):
    user = make_user(Role.reviewer)
    response = login(user)
    assert response.headers["Location"].endswith("/review/")
    assert client.get("/review/").status_code == 200
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert client.get("/review/").status_code == 302


def test_logout_is_not_a_get(client, make_user, login):
    login(make_user())
    assert client.get("/auth/logout").status_code == 405


def test_open_redirect_after_login_is_ignored(client, make_user):
    user = make_user()
    response = client.post(
        "/auth/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/filings/"


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.example/x", "/%0a/evil.example", "/%5Cevil.example", "/\\evil.example",
     "https://evil.example/", "/%0d%0aSet-Cookie:x=1", "javascript:alert(1)"],
)  # fmt: skip
def test_a_next_that_a_browser_would_read_as_another_site_is_ignored(client, make_user, target):
    """Browsers drop tabs and newlines and read a backslash as a slash ("/\t/evil" is "//evil")."""
    user = make_user()
    response = client.post(
        f"/auth/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/filings/"


def test_a_next_path_on_this_site_is_followed(client, make_user):
    user = make_user()
    response = client.post(
        "/auth/login?next=/filings/%3Fx%3D1", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/filings/?x=1"


class TestCsrf:
    """With CSRF on (as in production), a form post without the token changes nothing."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_signup_without_token_is_refused(self, client):
        response = client.post("/auth/signup", data=SIGNUP)
        assert response.status_code == 400
        assert "缺少安全令牌" in response.get_data(as_text=True)
        assert count_users() == 0

    def test_signup_with_the_token_from_the_form_works(self, client):
        page = client.get("/auth/signup").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/auth/signup", data={**SIGNUP, "csrf_token": token})
        assert response.status_code == 302
        assert count_users() == 1

    def test_htmx_header_token_is_accepted(self, client):
        page = client.get("/auth/signup").get_data(as_text=True)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        response = client.post("/auth/signup", data=SIGNUP, headers={"X-CSRFToken": token})
        assert response.status_code == 302

    def test_logout_without_token_keeps_the_session(self, client, make_user):
        user = make_user()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert client.post("/auth/logout").status_code == 400
        assert client.get("/filings/").status_code == 200
