"""What the applicant, the reviewer and the admin see of the type step's v3 answers and the domain
lookup: the order to make (首次备案, 新增网站) with its warnings, never blocking; a domain filed
under another certificate; the lookup's answer on the review screen; the province's
domain_min_days on the province-rules console."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from domain.lifecycle.states import FilingState, Role
from domain.lifecycle.workdays import shanghai_today
from extensions import db
from models import DomainRecord, Filing, ProvinceRule, RegistryDomain
from tests.helpers.domain_lookup import NEW_COMPANY
from tests.helpers.wizard import QINGHE_USCC


def start(client, domain, cert=NEW_COMPANY):
    return client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": cert, "domain": domain},
    )


def filings_of(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Filing).where(Filing.account_id == user.id)
    )


def opened(client, response) -> str:
    """The page the type step sent the applicant to (the order it opened, its warnings flashed)."""
    assert response.status_code == 302  # a warning never blocks
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_first_filing_answer_opens_it_with_its_warnings(client, applicant):
    page = opened(client, start(client, "chunfeng-tea.cn"))  # another company's in the demo table
    assert (
        "首次备案：" in page
        and "持有者为“杭州春风茶业有限公司”，与备案主体不一致" in html.unescape(page)
    )
    assert 'class="flash flash-warn"' in page
    assert filings_of(applicant) == 1


def test_a_new_website_answer_in_english_with_a_domain_expiring_soon(client, applicant):
    client.get("/lang/en")
    page = opened(client, start(client, "xinya-shop.cn"))
    assert "First filing" in page and "20 days left" in page
    client.get("/lang/zh_Hans_CN")
    page = opened(client, start(client, "qinghe-lab.cn", cert=QINGHE_USCC))
    assert "新增网站" in page and "实名" in page


def test_a_domain_filed_under_another_certificate_is_refused_with_what_to_do(client, applicant):
    response = start(client, "qinghe.cn")  # 青禾's domain, typed with another certificate
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="type-refusal"' in page
    refusal = page.split('id="type-refusal"')[1].split("</div>")[0]
    assert "请按原备案信息中的证件类型和号码填写" in refusal and "首次备案" not in refusal
    client.get("/lang/en")
    english = start(client, "qinghe.cn")
    assert "Type the certificate type and number as they are on the record" in english.get_data(
        as_text=True
    )


def test_an_access_type_opens_the_draft_and_shows_the_expiry_warning(client, applicant):
    soon = shanghai_today() + timedelta(days=30)
    for domain in db.session.scalars(select(RegistryDomain)):
        if domain.domain in ("qinghe.cn", "qinghe.com.cn"):
            domain.expires_on = soon
    db.session.commit()
    response = start(client, "qinghe.cn", cert=QINGHE_USCC)
    assert response.status_code == 302  # a warning never blocks
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count('class="flash flash-warn"') == 2 and "qinghe.com.cn 将于" in page


@pytest.fixture
def reviewer(client, make_user, login):
    user = make_user(Role.reviewer)
    login(user)
    return user


def test_the_review_screen_shows_what_the_lookup_said_of_a_new_domain(
    client, make_filing, make_user, login
):
    filing = make_filing(FilingState.submitted)  # its qinghe.cn is on no registry website here
    db.session.add(
        DomainRecord(domain="qinghe.cn", holder_name="杭州春风茶业有限公司",
                     holder_certificate_type="营业执照", holder_certificate_number="91330108MA7B2Q4X1C",
                     registrar="某注册商", expires_on=date(2030, 1, 1), real_name_verified=True)
    )  # fmt: skip
    db.session.commit()
    login(make_user(Role.reviewer))
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert 'id="new-domains"' in page and "杭州春风茶业有限公司" in page
    assert "与主体名称不同" in page and "与主体证件号码不同" in page
    assert "持有者为“杭州春风茶业有限公司”，与备案主体不一致" in html.unescape(page)  # R-D-3


def test_the_review_screen_says_when_the_lookup_has_no_answer(
    client, make_filing, make_user, login
):
    filing = make_filing(FilingState.submitted)
    login(make_user(Role.reviewer))
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert "未查询到注册信息，请核对域名证书" in page
    assert "请在资料中上传域名证书" in page  # domain_unverified among the warnings


def test_the_admin_edits_domain_min_days_per_province(client, make_user, login):
    login(make_user(Role.admin))
    row = client.get("/admin/provinces/33", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'name="domain_min_days"' in row
    response = client.post(
        "/admin/provinces/33",
        data={"sms_required": "on", "min_age": "18", "bureau_review_workdays": "30",
              "domain_min_days": "90", "notes": ""},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200 and "<td>90</td>" in response.get_data(as_text=True)
    assert db.session.get(ProvinceRule, "33").domain_min_days == 90
    refused = client.post("/admin/provinces/33", data={"domain_min_days": "-1"})
    assert refused.status_code == 422 and "0–3650" in refused.get_data(as_text=True)
    assert db.session.get(ProvinceRule, "33").domain_min_days == 90
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "域名最少剩余天数：0 → 90" in page
    assert "域名最少剩余天数" in client.get("/admin/provinces").get_data(as_text=True)
