"""The applicant's wizard through the Flask client: every step and its error paths."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from domain.lifecycle.states import FilingState, FilingType, Role
from extensions import db
from models import AuditEvent, Filing
from tests.helpers import transitions
from tests.helpers.signup import confirm
from tests.helpers.wizard import (
    QINGHE_USCC,
    SUBJECT_FORM,
    filing_id_from,
    load_demo,
    walk_to_confirm,
    website_block,
)


@pytest.fixture
def app_config() -> dict:
    """The wizard as it runs by default: every mobile verified by its SMS code (R-PH-3), which
    walk_to_confirm() types as the applicant does."""
    return {"VERIFY_MOBILES": True}


def start(client, domain="qinghe.cn", cert=QINGHE_USCC):
    return client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": cert, "domain": domain},
    )


# --- step 1 -------------------------------------------------------------------------------------


def test_type_refusal_is_shown_with_its_reason_and_nothing_is_created(client, applicant):
    response = start(client, domain="yunfan-net.com")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "该域名已备案在其他主体下" in page and 'value="913301069755TH2H1L"' in page
    assert (
        db.session.scalar(
            select(func.count()).select_from(Filing).where(Filing.account_id == applicant.id)
        )
        == 0
    )


def test_type_form_errors_name_the_field(client, applicant):
    response = client.post(
        "/filings/new", data={"certificate_type": "licence", "certificate_number": "", "domain": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "主体证件类型：不是有效的选项" in page
    assert "主体证件号码：必填" in page and "网站域名：必填" in page


def test_invalid_domain_is_an_inline_error(client, applicant):
    response = start(client, domain="qinghe..cn")
    assert response.status_code == 422 and "网站域名：域名格式不正确" in response.get_data(
        as_text=True
    )


def test_verified_type_opens_a_draft_prefilled_from_the_registry(client, applicant):
    response = start(client)
    filing = db.session.get(Filing, filing_id_from(response.headers["Location"]))
    assert filing.state is FilingState.draft and filing.filing_type is FilingType.new_access
    assert (
        filing.subject.name == "杭州青禾科技有限公司"
        and filing.subject.icp_number == "浙ICP备2021000001号"
    )
    assert [d.domain for d in filing.websites[0].domains] == ["qinghe.cn", "qinghe.com.cn"]
    assert filing.verified_domain == "qinghe.cn"


def test_starting_twice_reuses_the_draft(client, applicant):
    first = start(client).headers["Location"]
    second = start(client).headers["Location"]
    assert first == second


# --- steps 2 and 3 ------------------------------------------------------------------------------


def test_product_verification_refuses_ips_of_others(client, applicant):
    filing_id = filing_id_from(start(client).headers["Location"])
    page = client.get(f"/filings/{filing_id}/product").get_data(as_text=True)
    mine = re.findall(r'value="(121\.41\.100\.\d+)"', page)
    assert len(mine) == 2
    foreign = client.post(f"/filings/{filing_id}/product", data={"ips": ["121.41.100.10"]})
    assert foreign.status_code == 422
    none = client.post(f"/filings/{filing_id}/product", data={})
    assert "请至少选择一个本服务商的公网 IP" in none.get_data(as_text=True)
    assert client.post(f"/filings/{filing_id}/product", data={"ips": mine[:1]}).status_code == 302
    assert db.session.get(Filing, filing_id).product_ips == mine[:1]


def test_filing_password_counts_wrong_tries_and_locks(client, applicant):
    filing_id = filing_id_from(start(client).headers["Location"])
    for left in (4, 3, 2, 1, 0):
        response = client.post(f"/filings/{filing_id}/password", data={"password": "nope"})
        assert response.status_code == 422
        assert f"本小时内还可尝试 {left} 次" in response.get_data(as_text=True)
    page = client.post(f"/filings/{filing_id}/password", data={"password": "Qinghe2021"}).get_data(
        as_text=True
    )
    assert "错误次数过多" in page
    assert db.session.get(Filing, filing_id).password_verified_at is None


# --- step 4 -------------------------------------------------------------------------------------


def test_subject_errors_are_shown_and_the_draft_keeps_what_was_typed(client, applicant):
    filing_id = filing_id_from(start(client).headers["Location"])
    bad = {**SUBJECT_FORM, "person_mobile": "12345", "person_id_number": "330106201501010014"}
    response = client.post(f"/filings/{filing_id}/subject", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "负责人手机号码：手机号码应为 11 位中国大陆手机号" in page
    assert "负责人证件号码：证件持有人未满 18 周岁，不能备案" in page
    filing = db.session.get(Filing, filing_id)
    assert filing.subject.responsible_person.mobile == "12345"  # saved as a draft
    reloaded = client.get(f"/filings/{filing_id}/subject").get_data(as_text=True)
    assert 'value="12345"' in reloaded


def test_inline_field_check_answers_one_field(client, applicant):
    filing_id = filing_id_from(start(client).headers["Location"])
    response = client.post(
        f"/filings/{filing_id}/subject/check?field=person_email",
        data={**SUBJECT_FORM, "person_email": "wang@"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div class="field has-error" id="field-person_email"')
    assert "负责人电子邮箱：电子邮箱格式不正确" in body and "person_mobile" not in body


# --- step 5 -------------------------------------------------------------------------------------


def test_add_another_website_of_the_same_subject_keeps_what_was_typed(client, applicant):
    filing_id = filing_id_from(start(client).headers["Location"])
    filing = db.session.get(Filing, filing_id)
    client.post(
        f"/filings/{filing_id}/product",
        data={"ips": [a for a in filing.product_ips] or _ips(client, filing_id)},
    )
    db.session.refresh(filing)
    data = {
        **website_block(filing, 0, languages=["zh-Hans", "en"]),
        "new_domain": "qhnote.cn",
    }
    response = client.post(
        f"/filings/{filing_id}/websites/add", data=data, headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="websites">')
    assert body.count("website-block") == 2 and "qhnote.cn" in body
    assert re.search(
        r'checked id="websites-0-languages-\d+" name="websites-0-languages" type="checkbox" value="en"',
        body,
    )


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("yunfan-net.com", "该域名已备案在其他主体下"),
        ("never-filed.cn", "该域名尚未备案"),
        ("qinghe.com.cn", "该网站已在本次备案中"),
        ("not a domain", "只填写域名本身"),  # as the type step says it
    ],
)
def test_adding_a_website_that_does_not_fit_is_refused_inline(client, applicant, domain, message):
    filing_id = filing_id_from(start(client).headers["Location"])
    filing = db.session.get(Filing, filing_id)
    client.post(f"/filings/{filing_id}/product", data={"ips": _ips(client, filing_id)})
    db.session.refresh(filing)
    response = client.post(
        f"/filings/{filing_id}/websites/add",
        data={**website_block(filing, 0), "new_domain": domain},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert f'value="{domain}"' in body  # the typed domain stays in the box
    assert len(db.session.get(Filing, filing_id).websites) == 1


def test_remove_a_website_but_never_the_last(client, applicant):
    filing_id = filing_id_from(start(client).headers["Location"])
    filing = db.session.get(Filing, filing_id)
    client.post(f"/filings/{filing_id}/product", data={"ips": _ips(client, filing_id)})
    db.session.refresh(filing)
    client.post(
        f"/filings/{filing_id}/websites/add",
        data={**website_block(filing, 0), "new_domain": "qhnote.cn"},
    )
    db.session.refresh(filing)
    second = filing.websites[1].id
    data = {**website_block(filing, 0), **website_block(filing, 1)}
    client.post(f"/filings/{filing_id}/websites/{second}/remove", data=data)
    db.session.refresh(filing)
    assert [w.icp_number for w in filing.websites] == ["浙ICP备2021000001号-1"]
    only = website_block(filing, 0)
    last = f"/filings/{filing_id}/websites/{filing.websites[0].id}/remove"
    assert "至少保留一个网站" in client.post(last, data=only).get_data(as_text=True)


def test_website_person_sharing_the_subject_mobile_is_refused(client, applicant):
    filing = walk_to_confirm(client, applicant)
    person = {
        "person_mode": "other",
        "person_name": "李娜",
        "person_id_number": "11010519491231002X",
        "person_mobile": SUBJECT_FORM["person_mobile"],
        "person_email": "lina@qinghe.cn",
    }
    response = client.post(
        f"/filings/{filing.id}/websites",
        data=website_block(filing, 0, **person),
    )
    assert response.status_code == 422
    assert (
        "手机号码：网站负责人与主体负责人不是同一人时，手机号码和电子邮箱不能相同"
        in response.get_data(as_text=True)
    )


def _ips(client, filing_id):
    page = client.get(f"/filings/{filing_id}/product").get_data(as_text=True)
    return re.findall(r'value="(121\.41\.100\.\d+)"', page)


# --- confirm and submit -------------------------------------------------------------------------


def test_confirm_lists_what_is_missing_and_submit_is_refused(client, applicant):
    filing_id = filing_id_from(start(client).headers["Location"])
    page = client.get(f"/filings/{filing_id}/confirm").get_data(as_text=True)
    assert "请先完成产品验证" in page and "请先验证工信部备案密码" in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(
        f"/filings/{filing_id}/submit", data={"version": version, "commitment": "y"}
    )
    assert response.status_code == 302
    assert db.session.get(Filing, filing_id).state is FilingState.draft


def test_submit_files_once_even_when_sent_twice(client, applicant):
    filing = walk_to_confirm(client, applicant)
    page = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    assert "预检通过" in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    for _ in range(2):
        response = client.post(
            f"/filings/{filing.id}/submit", data={"version": version, "commitment": "y"}
        )
        assert response.headers["Location"].endswith(f"/filings/{filing.id}")
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted and filing.due_at is not None
    submits = db.session.scalars(
        select(AuditEvent).where(AuditEvent.filing_id == filing.id, AuditEvent.action == "submit")
    ).all()
    assert len(submits) == 1


def test_submitted_filing_can_no_longer_be_edited(client, applicant):
    filing = walk_to_confirm(client, applicant)
    version = filing.version
    client.post(f"/filings/{filing.id}/submit", data={"version": version, "commitment": "y"})
    response = client.post(
        f"/filings/{filing.id}/subject", data={**SUBJECT_FORM, "mailing_address": "改"}
    )
    assert response.status_code == 302
    db.session.refresh(filing)
    assert filing.subject.mailing_address == SUBJECT_FORM["mailing_address"]


def test_another_applicant_gets_404_on_every_step(client, applicant, make_user, login):
    filing = walk_to_confirm(client, applicant)
    client.post("/auth/logout")
    login(make_user(Role.applicant))
    for path in ("product", "password", "subject", "websites", "confirm", "materials", "sms", ""):
        url = f"/filings/{filing.id}/{path}".rstrip("/")
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/filings/{filing.id}/withdraw", data={"version": filing.version}).status_code
        == 404
    )


# --- status and withdraw --------------------------------------------------------------------------


def test_withdraw_before_initial_review_passes_only(client, applicant, make_user):
    from domain.lifecycle.states import Action

    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "放弃本订单" in page
    transitions.apply(filing, Action.initial_approve, make_user(Role.reviewer))
    db.session.commit()
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "放弃本订单" not in page
    client.post(f"/filings/{filing.id}/withdraw", data={"version": filing.version})
    db.session.refresh(filing)
    assert filing.state is FilingState.materials_pending


def test_withdraw_a_submitted_filing(client, applicant):
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    client.post(f"/filings/{filing.id}/withdraw", data={"version": filing.version})
    db.session.refresh(filing)
    assert filing.state is FilingState.withdrawn and filing.finished_at is not None


def test_status_polling_stops_when_final(client, applicant):
    filing = walk_to_confirm(client, applicant)
    live = client.get(f"/filings/{filing.id}/status", headers={"HX-Request": "true"})
    assert live.status_code == 200 and 'hx-trigger="every' in live.get_data(as_text=True)
    client.post(f"/filings/{filing.id}/withdraw", data={"version": filing.version})
    final = client.get(f"/filings/{filing.id}/status", headers={"HX-Request": "true"})
    assert final.status_code == 286 and "hx-trigger" not in final.get_data(as_text=True)


def test_rejection_reasons_per_field_are_shown(client, applicant, make_user):
    from domain.lifecycle.states import Action

    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    reasons = [{"field": "subject.mailing_address", "reason": "通信地址须详细到门牌号"}]
    transitions.apply(
        filing,
        Action.initial_reject,
        make_user(Role.reviewer),
        note="请修改后重新提交",
        data={"reasons": reasons},
    )
    db.session.commit()
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "初审驳回" in page and "通信地址须详细到门牌号" in page and "修改并重新提交" in page
    edit = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    assert "通信地址须详细到门牌号" in edit
    assert 'class="field flagged" id="field-mailing_address"' in edit  # the field is highlighted
    assert 'class="field flagged" id="field-certificate_address"' not in edit


def test_demo_mode_gives_a_new_account_two_ips(app, client):
    load_demo()
    app.config["DEMO_MODE"] = True
    client.post(
        "/auth/signup",
        data={
            "display_name": "x",
            "email": "new@qinghe.cn",
            "password": "Abcdef-1234",
            "confirm": "Abcdef-1234",
            "agree": "y",
        },
    )
    confirm(client, "new@qinghe.cn")
    from domain.accounts.accounts import find_user
    from domain.filing.filings import account_ips

    assert len(account_ips(find_user("new@qinghe.cn"))) == 2
