"""首次备案 and 新增网站 (DOMAIN.md A8) through the wizard, the stages and the approval."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from domain.filing import filings, materials, sms
from domain.filing.filings import account_ips
from domain.lifecycle.states import FilingState, FilingType, OrderKind, Role
from domain.lifecycle.workdays import SHANGHAI
from domain.operator import api_tokens, ip_pool
from domain.rulebook import provinces
from extensions import db
from models import Filing, ProvinceRule, RegistrySubject, RegistryWebsite
from tests.helpers import new_filings
from tests.helpers.new_filings import NEW_DOMAIN, NEW_SITE_DOMAIN, NEW_USCC
from tests.helpers.orders import walk
from tests.helpers.wizard import load_demo


def test_a_certificate_on_no_record_opens_a_first_filing_with_everything_typed(client, applicant):
    filing = new_filings.walk_first_filing(client, applicant)
    assert filing.kind is OrderKind.first_filing
    assert filing.subject.name == "杭州新禾科技有限公司"
    assert filing.subject.investor == "王小明"
    assert filing.province == "33"
    assert [d.domain for d in filing.websites[0].domains] == [NEW_DOMAIN]
    for step in ("product", "subject", "websites", "confirm"):  # which order, and why: every step
        page = client.get(f"/filings/{filing.id}/{step}").get_data(as_text=True)
        assert 'id="order-reason"' in page and "首次备案：证件 91330106MA28XY5Q78" in page, step
    assert client.get(f"/filings/{filing.id}/password").status_code == 302  # no password step
    new_filings.submit(client, filing)
    assert filing.state is FilingState.submitted, page
    status = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert 'id="order-reason"' in status  # and on the status page


def test_a_first_filing_preselects_the_province_its_credit_code_was_issued_in(client, applicant):
    filing = new_filings.start(client, applicant, NEW_USCC, NEW_DOMAIN)  # 913301…: Zhejiang
    assert (filing.subject.province, filing.province) == ("33", "33")
    page = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    assert re.search(r'<option selected value="33">|<option value="33" selected>', page)
    assert provinces.registered_in("uscc", "91440300MA5XXXXXXX") == "44"  # Shenzhen: Guangdong
    assert provinces.registered_in("uscc", "91990300MA5XXXXXXX") == ""  # no such province
    assert provinces.registered_in("resident_id", "330106199001011234") == ""  # not where one lives


def test_a_filed_subject_with_a_new_domain_opens_a_new_website(client, applicant):
    filing = new_filings.walk_new_website(client, applicant)
    assert filing.kind is OrderKind.new_website
    assert filing.subject.name == "杭州青禾科技有限公司"
    assert filing.registry_subject_number == "浙ICP备2021000001号"
    assert filing.websites[0].name == "青禾商城"
    new_filings.submit(client, filing)
    assert filing.state is FilingState.submitted


def _approve(client, applicant, make_user, filing):
    new_filings.submit(client, filing)
    reviewer = make_user(Role.reviewer)
    walk(filing, new_filings.NEW_FILING_PATH, applicant, reviewer)
    assert filing.state is FilingState.approved
    return reviewer


def test_an_approved_first_filing_gets_new_numbers_and_becomes_a_record_held_here(
    client, applicant, make_user
):
    filing = new_filings.walk_first_filing(client, applicant)
    _approve(client, applicant, make_user, filing)
    year = filing.approved_at.astimezone(SHANGHAI).year
    subject_number = filing.subject.icp_number
    assert re.fullmatch(rf"浙ICP备{year}\d{{6}}号", subject_number)
    assert filing.registry_subject_number == subject_number
    assert filing.websites[0].icp_number == f"{subject_number}-1"
    record = db.session.scalar(
        select(RegistrySubject).where(RegistrySubject.certificate_number == NEW_USCC)
    )
    assert record.subject_number == subject_number
    assert [w.provider_codes for w in record.websites] == [["BEIANDESK"]]
    assert [d.domain for d in record.websites[0].domains] == [NEW_DOMAIN]
    records = client.get("/records/").get_data(as_text=True)
    assert f"{subject_number}-1" in records
    status = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "首次备案成功" in status and "接入成功" not in status  # its own words, timeline too
    assert f"{subject_number}-1</a>" in html.unescape(status)  # the footer snippet


def test_a_subject_first_filed_here_files_a_new_website_without_a_filing_password(
    client, applicant, make_user
):
    """The registry copy has no filing password for a subject the bureau approved through this
    provider (until its export is imported): the account that holds it proves it by holding it."""
    first = new_filings.walk_first_filing(client, applicant)
    _approve(client, applicant, make_user, first)
    second = new_filings.start(client, applicant, NEW_USCC, "xinhe-shop.cn")
    assert second.kind is OrderKind.new_website and second.password_verified_at is not None
    base = f"/filings/{second.id}"
    assert (
        client.post(f"{base}/product", data={"ips": account_ips(applicant)})
        .headers["Location"]
        .endswith(f"{base}/subject")
    )  # the password step is not on its way
    assert client.get(f"{base}/password").headers["Location"].endswith(f"{base}/subject")


def test_an_approved_new_website_takes_the_subjects_next_number(client, applicant, make_user):
    filing = new_filings.walk_new_website(client, applicant)
    _approve(client, applicant, make_user, filing)
    assert filing.subject.icp_number == "浙ICP备2021000001号"
    assert filing.websites[0].icp_number == "浙ICP备2021000001号-3"  # after -1 and -2
    website = db.session.scalar(
        select(RegistryWebsite).where(RegistryWebsite.website_number == "浙ICP备2021000001号-3")
    )
    assert website.provider_codes == ["BEIANDESK"]
    assert [d.domain for d in website.domains] == [NEW_SITE_DOMAIN]
    status = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "新增网站成功" in status


def test_numbers_never_repeat_across_first_filings(client, applicant, make_user):
    first = new_filings.walk_first_filing(client, applicant)
    _approve(client, applicant, make_user, first)
    second = new_filings.walk_first_filing(
        client, applicant, cert="91330106MA2J4KLM3N", domain="xinhe-two.cn", mobile="13900139002"
    )
    _approve(client, applicant, make_user, second)
    assert first.subject.icp_number != second.subject.icp_number
    assert int(second.subject.icp_number[-7:-1]) == int(first.subject.icp_number[-7:-1]) + 1


def test_sms_goes_to_the_typed_mobiles_of_the_persons_r_s_2_names(client, applicant, make_user):
    first = new_filings.walk_first_filing(client, applicant)
    base = f"/filings/{first.id}"
    other = {"person_mode": "other", "person_name": "李四", "person_id_number": "330106199003071236",
             "person_mobile": "13900139000", "person_email": "lisi@xinhe.cn"}  # fmt: skip
    data = new_filings.new_block(first, 0, "新禾科技官网", NEW_DOMAIN, **other)
    assert client.post(f"{base}/websites", data=data).status_code == 302
    db.session.refresh(first)
    assert sms.recipients(first) == ["13800138000", "13900139000"]  # subject's and website's
    first.websites[0].responsible_person = None  # the same person: one code
    assert sms.recipients(first) == ["13800138000"]
    site = new_filings.walk_new_website(client, applicant)
    assert sms.recipients(site) == ["13800138000"]  # the typed one, not the record's 13800138001


def test_every_new_domain_needs_its_certificate_whatever_the_province(client, applicant, make_user):
    filing = new_filings.walk_first_filing(client, applicant)
    db.session.get(ProvinceRule, "33").domain_certificate_required = False
    db.session.commit()
    kinds = {
        (materials.base_kind(r.kind), r.website_id) for r in materials.required_materials(filing)
    }
    assert ("domain_certificate", filing.websites[0].id) in kinds


def test_a_new_website_takes_no_domain_on_the_registry_and_says_which_order_fits(client, applicant):
    filing = new_filings.walk_new_website(client, applicant)
    base = f"/filings/{filing.id}/websites"
    block = new_filings.new_block(filing, 0, "青禾商城", NEW_SITE_DOMAIN)
    page = client.post(f"{base}/add", data={**block, "new_domain": "qhnote.cn"})
    assert page.status_code == 422
    assert "青禾云笔记" in page.get_data(as_text=True)  # filed for this subject: an access filing
    page = client.post(f"{base}/add", data={**block, "new_domain": "yunfan-net.com"})
    assert "其他主体" in page.get_data(as_text=True)
    assert (
        client.post(f"{base}/add", data={**block, "new_domain": "qinghe-blog.cn"}).status_code
        == 200
    )
    db.session.refresh(filing)
    assert [d.domain for w in filing.websites for d in w.domains] == [
        NEW_SITE_DOMAIN,
        "qinghe-blog.cn",
    ]
    block = {**new_filings.new_block(filing, 0, "青禾商城", "qinghe.com.cn"),
             **new_filings.new_block(filing, 1, "青禾博客", "qinghe-blog.cn")}  # fmt: skip
    page = client.post(base, data=block)
    assert page.status_code == 422 and "已在本主体的网站" in page.get_data(as_text=True)


def test_the_type_step_opens_the_order_each_v3_type_names():
    def verdict(type_=None):
        return SimpleNamespace(type=type_)

    kinds = [
        filings.new_order_kind(verdict(FilingType.first_filing)),
        filings.new_order_kind(verdict(FilingType.new_website)),
        filings.new_order_kind(verdict(FilingType.new_access)),
        filings.new_order_kind(verdict(None)),  # a refusal
    ]
    assert kinds == [OrderKind.first_filing, OrderKind.new_website, None, None]


def _at_bureau_review(client, applicant, make_user, filing):
    new_filings.submit(client, filing)
    reviewer = make_user(Role.reviewer)
    walk(filing, new_filings.NEW_FILING_PATH[:-1], applicant, reviewer)
    assert filing.state is FilingState.bureau_review
    return reviewer


def test_the_bureau_decision_form_takes_the_numbers_prefilled_with_the_suggestion(
    client, applicant, make_user, login
):
    filing = new_filings.walk_first_filing(client, applicant)
    reviewer = _at_bureau_review(client, applicant, make_user, filing)
    client.post("/auth/logout")
    login(reviewer)
    base = f"/review/filings/{filing.id}"
    assert client.post(f"{base}/claim").status_code == 302
    page = client.get(base).get_data(as_text=True)
    year = datetime.now(SHANGHAI).year
    assert f'value="浙ICP备{year}000001号"' in page  # the simulated bureau's suggestion
    assert f"浙ICP备{year}000001号-1</textarea>" in page
    db.session.refresh(filing)
    data = {"version": filing.version, "action": "bureau_approve", "receipt": "ZJ-2026-1",
            "subject_number": f"浙ICP备{year}000123号", "website_numbers": f"浙ICP备{year}000123号-1"}  # fmt: skip
    bad = {**data, "website_numbers": "浙ICP备2020000001号-1"}
    page = client.post(f"{base}/decide", data=bad)
    assert page.status_code == 422 and "网站备案号必须以本主体的备案号开头" in page.get_data(
        as_text=True
    )
    assert client.post(f"{base}/decide", data=data).status_code == 302
    db.session.refresh(filing)
    assert filing.state is FilingState.approved
    assert filing.websites[0].icp_number == f"浙ICP备{year}000123号-1"
    queue = client.get("/review/?stage=all&type=first_filing").get_data(as_text=True)
    assert f'id="filing-{filing.id}"' in queue and "首次备案" in queue
    assert f'id="filing-{filing.id}"' not in client.get(
        "/review/?stage=&type=new_website"
    ).get_data(as_text=True)


def test_the_console_api_opens_a_first_filing_with_the_subject_as_typed(client, make_user):
    load_demo()
    admin, owner = make_user(Role.admin), make_user(Role.applicant)
    ip_pool.assign_free(owner, 2)
    token = api_tokens.issue("console", admin, write=True)
    db.session.commit()
    document = json.loads((Path(__file__).parents[1] / "data" / "application_ok.json").read_text())
    document["subject"].update(
        certificate_number=NEW_USCC, name="杭州新禾科技有限公司", icp_number=""
    )
    document["websites"] = document["websites"][:1]
    document["websites"][0].update(
        name="新禾科技官网", icp_number="", domains=[NEW_DOMAIN], ips=account_ips(owner)[:1]
    )
    response = client.post(
        "/api/v1/filings",
        json={"account": owner.email, "application": document},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.get_json()
    filing = db.session.get(Filing, response.get_json()["id"])
    assert filing.kind is OrderKind.first_filing
    assert (filing.subject.name, filing.subject.certificate_number, filing.province) == (
        "杭州新禾科技有限公司", NEW_USCC, "33",
    )  # fmt: skip
    assert (filing.websites[0].name, [d.domain for d in filing.websites[0].domains]) == (
        "新禾科技官网", [NEW_DOMAIN],
    )  # fmt: skip


def test_the_website_step_names_whose_name_the_domain_is_held_in(client, applicant):
    """R-D-3 at the websites step: the refusal says who holds the domain (the lookup's holder,
    what the domain certificate carries), in Chinese and in English."""
    filing = new_filings.start(client, applicant, NEW_USCC, "chunfeng-tea.cn")  # 春风茶业's
    base = f"/filings/{filing.id}"
    client.post(f"{base}/product", data={"ips": account_ips(applicant)})
    assert client.post(f"{base}/subject", data=new_filings.TYPED_SUBJECT).status_code == 302
    db.session.refresh(filing)
    block = new_filings.new_block(filing, 0, "新禾科技官网", "chunfeng-tea.cn")
    page = client.post(f"{base}/websites", data=block)
    assert page.status_code == 422
    text = html.unescape(page.get_data(as_text=True))
    assert "域名 chunfeng-tea.cn 的持有者为“杭州春风茶业有限公司”，与备案主体不一致" in text
    client.get("/lang/en")
    english = html.unescape(client.post(f"{base}/websites", data=block).get_data(as_text=True))
    assert "is held by “杭州春风茶业有限公司”, not by the filing subject" in english
