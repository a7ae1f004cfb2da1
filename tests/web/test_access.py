"""Role checks, owner-only loading, the per-role pages, htmx fragments, the language switch and the
security headers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.lifecycle.states import FilingState, Role
from tests.helpers import transitions
from tests.helpers.app import PASSWORD


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/filings/", {Role.applicant}),
        ("/review/", {Role.reviewer, Role.admin}),
        ("/admin/", {Role.admin}),
    ],
)
def test_each_page_is_open_to_its_roles_only(client, make_user, login, path, allowed):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    for role in (Role.applicant, Role.reviewer, Role.admin):
        login(make_user(role))
        expected = 200 if role in allowed else 403
        assert client.get(path).status_code == expected, (role, path)
        client.post("/auth/logout")


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/filings/")
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_applicant_sees_own_filing_and_404_for_anothers(client, make_user, make_filing, login):
    owner, other = make_user(), make_user()
    mine = make_filing(FilingState.submitted, owner=owner)
    theirs = make_filing(FilingState.submitted, owner=other)
    login(owner)
    page = client.get(f"/filings/{mine.id}")
    assert page.status_code == 200 and "待初审" in page.get_data(as_text=True)
    assert client.get(f"/filings/{theirs.id}").status_code == 404
    assert client.get("/filings/999999").status_code == 404
    listing = client.get("/filings/").get_data(as_text=True)
    assert f"#{mine.id}" in listing and f"#{theirs.id}" not in listing


def test_applicant_timeline_hides_internal_events(client, make_user, make_filing, login):
    from domain.lifecycle.states import Action
    from extensions import db

    owner = make_user()
    filing = make_filing(FilingState.submitted, owner=owner)
    transitions.apply(
        filing,
        Action.initial_reject,
        make_user(Role.reviewer),
        note="内部备注：疑似冒用",
        internal=True,
    )
    db.session.commit()
    login(owner)
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "初审驳回" in page and "内部备注" not in page


def test_reviewer_queue_lists_the_stage_with_counts_and_masks_numbers(
    client, make_user, make_filing, login
):
    filing = make_filing(FilingState.submitted)
    make_filing(FilingState.re_review)
    login(make_user(Role.reviewer))
    page = client.get("/review/").get_data(as_text=True)
    assert f'id="filing-{filing.id}"' in page
    assert "91330106MA2B3C4D5E" not in page and "913301********4D5E" in page
    assert '<span class="count">1</span>' in page


def test_reviewer_queue_answers_htmx_with_the_table_only(client, make_user, make_filing, login):
    make_filing(FilingState.re_review)
    login(make_user(Role.reviewer))
    response = client.get("/review/?stage=re_review", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="queue">')
    assert 'aria-current="page" class="active"' in body.split("待复审")[0].rsplit("<a", 1)[1]
    assert "<html" not in body and "待复审" in body
    assert "HX-Request" in response.headers["Vary"]


def test_unknown_queue_stage_is_404(client, make_user, login):
    login(make_user(Role.reviewer))
    assert client.get("/review/?stage=approved").status_code == 404
    assert client.get("/review/?stage=nonsense").status_code == 404


def test_demo_reviewer_lands_on_an_empty_queue(client, make_user, login):
    response = login(make_user(Role.reviewer))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "该阶段暂无待处理的备案" in page


def test_admin_dashboard_counts(client, make_user, login):
    login(make_user(Role.admin))
    page = client.get("/admin/").get_data(as_text=True)
    assert "省份规则" in page
    assert "<strong>31</strong>" in page  # the 31 province rules seeded


def test_ui_is_chinese_by_default_even_for_an_english_browser(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "ICP 备案" in page


def test_language_switch_to_english_and_back(client):
    client.get("/lang/en", headers={"Referer": "http://localhost/"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "ICP filing" in page and "first filing" in page
    client.get("/lang/zh_Hans_CN")
    assert "ICP 备案" in client.get("/").get_data(as_text=True)


def test_language_switch_does_not_redirect_off_site(client):
    response = client.get("/lang/en", headers={"Referer": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_error_pages_are_localised(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "Strict-Transport-Security" not in response.headers
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers


def test_login_session_expires(client, make_user, login, app):
    login(make_user())
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None  # a lasting, not a browser, session
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_behind_a_proxy_the_forwarded_scheme_counts(app, database_url, tmp_path):
    from extensions import db
    from tests.helpers.app import make_test_app

    proxied = make_test_app(database_url, tmp_path, BEHIND_PROXY=True)
    with proxied.app_context():
        response = proxied.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
        db.session.remove()
        db.engine.dispose()
    assert "Strict-Transport-Security" in response.headers


def test_a_login_ends_after_eight_hours(client, make_user, login):
    import time_machine

    from models import utcnow

    login(make_user())
    assert client.get("/filings/").status_code == 200
    with time_machine.travel(utcnow() + timedelta(hours=8, minutes=1)):
        assert client.get("/filings/").status_code == 302


def test_a_login_ends_eight_hours_after_it_began_whatever_changed_the_session_since(
    app, client, make_user, login
):
    """A change of the session (the language switch) signs the cookie anew; the login still ends
    eight hours after it began, for the browser and for a copy of its cookie."""
    import time_machine

    from models import utcnow

    start = utcnow()
    with time_machine.travel(start, tick=False):
        login(make_user())
    with time_machine.travel(start + timedelta(hours=7, minutes=50), tick=False):
        assert client.get("/lang/en").status_code == 302  # the cookie is signed again now
        assert client.get("/filings/").status_code == 200
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    with time_machine.travel(start + timedelta(hours=8, minutes=1), tick=False):
        for browser in (client, copy):
            response = browser.get("/filings/")
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Your login has expired" in page  # the browser is told why (in its language)
        assert client.get("/filings/").status_code == 302  # and stays logged out


def test_no_remember_me_cookie_is_issued_and_a_made_up_one_logs_nobody_in(app, client, make_user):
    """Flask-Login's remember-me cookie would outlive the session: none is set at login, and one
    made with the app's own key (as Flask-Login would) finds no login time and no session version."""
    from flask_login.utils import encode_cookie

    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and client.get_cookie("remember_token") is None
    stranger = app.test_client()
    with app.test_request_context():
        stranger.set_cookie("remember_token", encode_cookie(str(user.id)))
    assert stranger.get("/filings/").status_code == 302


# Features Chromium knows (an unknown one is logged on every page: "Unrecognized feature").
CHROMIUM_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb", "serial",
                     "display-capture", "interest-cohort", "fullscreen", "autoplay"}  # fmt: skip


def test_the_permissions_policy_names_only_features_chromium_knows(client):
    policy = client.get("/").headers["Permissions-Policy"]
    features = {item.strip().split("=")[0] for item in policy.split(",")}
    assert "bluetooth" not in features and features <= CHROMIUM_FEATURES
    assert "camera=(self)" in policy and "geolocation=()" in policy
