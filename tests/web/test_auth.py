"""Sign-up, login, logout, the failed-login limit and CSRF, through the real forms."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from domain.lifecycle.states import Role
from extensions import db
from models import AuditEvent, OutboxMessage, User, utcnow
from tests.helpers.app import PASSWORD
from tests.helpers.signup import confirm, confirmation_link

# a signed token: payload.timestamp.signature (itsdangerous), in the page's forms and hx-headers
CSRF_TOKEN = re.compile(r"[\w-]{20,}\.[\w-]{4,8}\.[\w-]{20,}")
SIGNUP = {
    "display_name": "王小明",
    "email": "wang@example.cn",
    "password": "Qinghe2026",
    "confirm": "Qinghe2026",
    "agree": "y",
}


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_signup_sends_a_link_and_the_link_creates_the_applicant_and_logs_in(client):
    response = client.post("/auth/signup", data=SIGNUP)
    assert response.status_code == 200 and "请查收邮件" in response.get_data(as_text=True)
    assert count_users() == 0  # nothing exists before the link is opened
    path = confirmation_link("wang@example.cn").replace("http://localhost", "")
    shown = client.get(path)  # a mail scanner's GET makes nothing
    assert shown.status_code == 200 and "确认并完成注册" in shown.get_data(as_text=True)
    assert count_users() == 0
    opened = confirm(client, "wang@example.cn")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/filings/")
    user = db.session.scalar(select(User))
    assert (user.email, user.role, user.display_name) == (
        "wang@example.cn",
        Role.applicant,
        "王小明",
    )
    assert user.password_hash != SIGNUP["password"]
    page = client.get("/filings/").get_data(as_text=True)
    assert "我的备案" in page and "您还没有备案申请" in page
    client.post("/auth/logout")
    assert confirm(client, "wang@example.cn").status_code == 400  # one use
    login = client.post("/auth/login", data={"email": user.email, "password": SIGNUP["password"]})
    assert login.status_code == 302  # the password chosen at sign-up


def test_a_login_before_the_link_is_opened_says_to_open_it(client):
    client.post("/auth/signup", data=SIGNUP)
    early = client.post("/auth/login", data={"email": SIGNUP["email"], "password": "Qinghe2026"})
    assert "确认邮件中的链接" in early.get_data(as_text=True)


def test_a_taken_email_gets_the_same_answer_and_its_owner_an_email(client, make_user):
    owner = make_user(email="wang@example.cn")
    taken = client.post("/auth/signup", data={**SIGNUP, "email": "WANG@example.cn"})
    new = client.post("/auth/signup", data={**SIGNUP, "email": "li@example.cn"})
    assert taken.status_code == new.status_code == 200

    def text(response, email):
        """The page without the address typed and without the CSRF tokens (they carry the second
        they were made in, which two posts may straddle)."""
        page = response.get_data(as_text=True).replace(email, "EMAIL")
        return CSRF_TOKEN.sub("TOKEN", page)

    assert text(taken, "WANG@example.cn") == text(new, "li@example.cn")
    assert count_users() == 1
    notices = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == owner.email)
    ).all()
    assert [m.template for m in notices] == ["signup_attempt"]
    assert confirmation_link("wang@example.cn") is None


def test_a_confirmation_link_that_was_tampered_with_or_expired_is_refused(client):
    client.post("/auth/signup", data=SIGNUP)
    link = confirmation_link("wang@example.cn")
    path = link.replace("http://localhost", "")
    assert client.get(path[:-3] + "abc").status_code == 400
    assert client.post(path[:-3] + "abc").status_code == 400
    assert client.get("/auth/confirm/" + "x" * 3000).status_code == 400
    with time_machine.travel(utcnow() + timedelta(hours=25)):
        assert client.get(path).status_code == 400
        assert client.post(path).status_code == 400
    assert count_users() == 0


def test_sign_up_mails_to_one_address_are_capped(client):
    for _ in range(5):
        assert client.post("/auth/signup", data=SIGNUP).status_code == 200
    mails = db.session.scalars(select(OutboxMessage.template)).all()
    assert mails == ["signup_confirm"] * 3


def test_in_demo_mode_the_page_shows_the_email_with_its_link(app, client):
    app.config["DEMO_MODE"] = True
    page = client.post("/auth/signup", data=SIGNUP).get_data(as_text=True)
    assert 'id="demo-mail"' in page and confirmation_link("wang@example.cn") in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "short1", "密码：至少 8 位"),
        ("password", "Password1", "密码：过于常见（在常用或已泄露的密码列表中），请换一个"),
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


def test_signup_shows_every_error_at_once_but_not_whether_the_email_is_taken(client, make_user):
    make_user(email="wang@example.cn")
    data = {**SIGNUP, "password": "short1", "confirm": "short2", "agree": ""}
    response = client.post("/auth/signup", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for error in ("密码：至少 8 位", "确认密码：与密码不一致", "须勾选后才能注册"):
        assert error in page, error
    assert "已被注册" not in page
    assert count_users() == 1


def test_signup_shows_a_bad_email_beside_a_bad_password(client):
    data = {**SIGNUP, "email": "not-an-email", "password": "qwerty123", "confirm": "qwerty123"}
    page = client.post("/auth/signup", data=data).get_data(as_text=True)
    assert "邮箱：格式不正确" in page and "密码：过于常见" in page


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
        assert response.status_code == 200 and confirmation_link(SIGNUP["email"])

    def test_htmx_header_token_is_accepted(self, client):
        page = client.get("/auth/signup").get_data(as_text=True)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        response = client.post("/auth/signup", data=SIGNUP, headers={"X-CSRFToken": token})
        assert response.status_code == 200 and confirmation_link(SIGNUP["email"])

    def test_logout_without_token_keeps_the_session(self, client, make_user):
        user = make_user()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert client.post("/auth/logout").status_code == 400
        assert client.get("/filings/").status_code == 200


def test_signup_takes_a_long_passphrase_without_digits_and_refuses_a_common_password(client):
    passphrase = "correct horse battery staple on the shelf"  # 41 characters
    refused = client.post(
        "/auth/signup", data={**SIGNUP, "password": "Password1", "confirm": "Password1"}
    )
    assert refused.status_code == 422 and count_users() == 0
    client.get("/lang/en")
    refused = client.post(
        "/auth/signup", data={**SIGNUP, "password": "qwerty123", "confirm": "qwerty123"}
    )
    assert (
        "Password: is too common (on the list of common or breached passwords)"
        in refused.get_data(as_text=True)
    )
    response = client.post(
        "/auth/signup", data={**SIGNUP, "password": passphrase, "confirm": passphrase}
    )
    assert response.status_code == 200  # the same answer for every address: see the mailbox
    assert confirm(client, SIGNUP["email"]).status_code == 302 and count_users() == 1


def test_a_common_new_password_is_refused_on_change(client, make_user, login):
    login(make_user())
    data = {"current_password": PASSWORD, "password": "Password1", "confirm": "Password1"}
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert "新密码：过于常见" in response.get_data(as_text=True)


# --- the demo's mailbox ---------------------------------------------------------------------------


def test_the_demo_mailbox_shows_the_reset_link_after_it_was_sent(app, client, make_user):
    from adapters.console import LogEmailSender, LogSmsGateway
    from runtime import notify
    from runtime.policy import current_policy

    app.config["DEMO_MODE"] = True
    user = make_user(Role.applicant, email="demo-reader@example.cn")
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/demo/mailbox"' in page
    page = client.post("/auth/forgot", data={"email": user.email}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "/demo/mailbox?to=demo-reader@example.cn" in page
    notify.dispatch_pending(LogSmsGateway(), LogEmailSender(), policy=current_policy())
    page = client.get("/demo/mailbox?to=demo-reader@example.cn").get_data(as_text=True)
    link = re.search(r'href="(http[^"]*/auth/reset/[^"]+)"', page)
    assert link is not None and "******" not in page.split('class="card mail"')[1]
    path = link.group(1).split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200  # the link works


def test_without_demo_mode_there_is_no_mailbox_and_no_copy_of_the_link(app, client, make_user):
    assert not app.config["DEMO_MODE"]
    user = make_user(Role.applicant)
    assert client.get("/demo/mailbox").status_code == 404
    assert 'id="demo-mailbox"' not in client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/forgot", data={"email": user.email})
    row = db.session.scalars(select(OutboxMessage)).one()
    assert not any(key.startswith("demo") for key in row.context)


def test_the_demo_mailbox_shows_the_sign_up_link_after_it_was_sent(app, client):
    from adapters.console import LogEmailSender, LogSmsGateway
    from runtime import notify
    from runtime.policy import current_policy

    app.config["DEMO_MODE"] = True
    assert client.post("/auth/signup", data=SIGNUP).status_code == 200
    notify.dispatch_pending(LogSmsGateway(), LogEmailSender(), policy=current_policy())
    page = client.get(f"/demo/mailbox?to={SIGNUP['email']}").get_data(as_text=True)
    link = re.search(r'href="(http[^"]*/auth/confirm/[^"]+)"', page)
    assert link is not None  # the link whole, after the sender blanked the sealed original
    path = "/" + link.group(1).split("://", 1)[1].split("/", 1)[1]
    assert client.post(path).status_code == 302 and count_users() == 1
