"""The phone page for the live photo shows no account navigation (only the brand and the language
switch), and the terms of service say each clause in the interface's language."""

from __future__ import annotations

import io
import re

import pytest
from flask import url_for

from domain.lifecycle.states import FilingState, OrderKind
from extensions import db
from tests.helpers.app import PASSWORD
from tests.helpers.photos import face_photo
from tests.helpers.signup import confirm

# The terms' clauses as msgids; the first names the provider (PROVIDER_NAME is 测试云 in tests).
CLAUSES = [
    "本平台由%(name)s（下称“服务商”）提供，用于办理 ICP 接入备案。",
    "您应保证提交的主体、网站及负责人信息和证件资料真实、准确、完整，并对其真实性负责。",
    "服务商依照国家有关规定核验您提交的信息并报送通信管理局，备案结果以通信管理局的审核为准。",
    "您提交的个人信息仅用于办理备案及相关通知，服务商依法保存和保护，不用于其他目的。",
    "网站接入后，您应遵守互联网信息服务的有关法律法规；备案信息发生变化时，应及时办理变更。",
]


@pytest.fixture
def due(applicant, make_filing):
    """The logged-in applicant's filing whose materials are due (one website)."""
    return make_filing(FilingState.materials_pending, owner=applicant)


@pytest.fixture
def account_urls(app) -> dict[str, str]:
    with app.test_request_context():
        return {
            "login": url_for("auth.login"),
            "signup": url_for("auth.signup"),
            "logout": url_for("auth.logout"),
            "account": url_for("account.show_account"),
        }


def phone_path(client, filing) -> str:
    """Take a QR code on the desktop; the path its link opens on the phone."""
    html = client.post(f"/filings/{filing.id}/websites/{filing.websites[0].id}/authenticity")
    return re.search(r'href="http://localhost(/verify/[^"]+)"', html.get_data(as_text=True)).group(
        1
    )


def nav_of(html: str) -> str:
    match = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', html, re.S)
    assert match, html[:2000]
    return match.group(1)


def assert_no_account_navigation(html: str, urls: dict[str, str]) -> None:
    for url in urls.values():
        assert f'"{url}' not in html  # neither a link nor a form action, with or without ?next=
    assert 'class="who"' not in html
    nav = nav_of(html)
    assert 'href="/lang/en"' in nav and "English" in nav  # the language switch stays
    assert '<a class="brand" href="/">测试云 · ICP 备案</a>' in html  # and so does the brand


def test_a_normal_page_still_links_login_and_sign_up(client, account_urls):
    nav = nav_of(client.get("/").get_data(as_text=True))
    assert f'href="{account_urls["login"]}"' in nav and f'href="{account_urls["signup"]}"' in nav


def test_the_phone_page_has_no_login_or_sign_up_links(client, due, account_urls):
    phone = client.application.test_client()  # the person's own phone, not logged in
    response = phone.get(phone_path(client, due))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "真实性核验" in html
    assert_no_account_navigation(html, account_urls)


def test_the_phone_page_has_no_account_links_even_when_logged_in(client, due, account_urls):
    # The applicant's own logged-in browser opening the link: still no account navigation.
    html = client.get(phone_path(client, due)).get_data(as_text=True)
    assert "真实性核验" in html
    assert_no_account_navigation(html, account_urls)


def test_the_done_and_expired_phone_pages_have_no_account_links(client, due, account_urls):
    path = phone_path(client, due)
    phone = client.application.test_client()
    done = phone.post(
        path,
        data={"photo": (io.BytesIO(face_photo()), "selfie.jpg")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200 and "核验完成" in done.get_data(as_text=True)
    assert_no_account_navigation(done.get_data(as_text=True), account_urls)
    expired = phone.get(path)  # used up
    assert expired.status_code == 404 and "链接已失效" in expired.get_data(as_text=True)
    assert_no_account_navigation(expired.get_data(as_text=True), account_urls)


def clauses_of(html: str) -> list[str]:
    match = re.search(r"<ol[^>]*>(.*?)</ol>", html, re.S)
    assert match, html[-2000:]
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def test_the_terms_show_their_clauses_in_chinese(client):
    html = client.get("/terms").get_data(as_text=True)
    assert clauses_of(html) == [clause % {"name": "测试云"} for clause in CLAUSES]


def test_in_english_every_clause_is_english(client):
    client.get("/lang/en")
    html = client.get("/terms").get_data(as_text=True)
    clauses = clauses_of(html)
    assert "<ol>" in html and len(clauses) == len(CLAUSES)  # no lang="zh-CN" left on the list
    assert clauses[0].startswith("This platform is provided by 测试云")
    for clause in clauses:  # no Chinese but the provider's own name
        assert not re.search(r"[\u4e00-\u9fff]", clause.replace("测试云", "")), clause


def test_the_sign_up_checkbox_links_the_terms_in_a_new_tab(app, client):
    page = client.get("/auth/signup").get_data(as_text=True)
    label = re.search(r'<label class="check">(.*?)</label>', page, re.S).group(1)
    assert 'href="/terms" target="_blank" rel="noopener"' in label and "服务条款" in label
    assert 'name="agree"' in label
    terms = client.get("/terms")
    text = terms.get_data(as_text=True)
    assert terms.status_code == 200 and "<h1>服务条款</h1>" in text and "由服务商" in text
    client.get("/lang/en")
    text = client.get("/terms").get_data(as_text=True)  # the shipped English catalogue
    assert "<h1>Terms of service</h1>" in text and "This platform is provided by" in text
    assert "本平台" not in text  # the clauses follow the interface language


def test_signing_up_still_needs_the_tick(client):
    data = {"display_name": "新用户", "email": "new@example.cn", "password": PASSWORD,
            "confirm": PASSWORD}  # fmt: skip
    page = client.post("/auth/signup", data=data).get_data(as_text=True)
    assert "我已阅读并同意服务条款：须勾选后才能注册" in page
    assert client.post("/auth/signup", data={**data, "agree": "y"}).status_code == 200
    assert confirm(client, "new@example.cn").status_code == 302


def test_the_phone_page_names_the_order_and_no_empty_number(client, due):
    """A 首次备案's website has no number before the bureau's approval: no "（）" after its name."""
    due.kind, due.websites[0].icp_number = OrderKind.first_filing, ""
    db.session.commit()
    html = client.get(phone_path(client, due)).get_data(as_text=True)
    assert "办理首次备案的真实性核验" in html and "同意本次首次备案" in html
    assert "接入备案" not in html.split("<main")[1] and "（）" not in html
