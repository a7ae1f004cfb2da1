"""The confirm step as a new user meets it: a mobile verified in place makes the order
submittable without a reload, each demo SMS names its phone beside that phone's input, and a mobile
verified on another order of the same subject is not asked again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.filing import mobiles
from domain.filing.filings import account_ips
from extensions import db
from models import Filing, OutboxMessage, utcnow
from runtime.policy import current_policy
from tests.helpers.app import PASSWORD
from tests.helpers.new_filings import (
    NEW_DOMAIN,
    NEW_SITE_DOMAIN,
    NEW_USCC,
    start,
    submit,
    walk_first_filing,
    walk_new_website,
)
from tests.helpers.wizard import (
    QINGHE_USCC,
    SUBJECT_FORM,
    mobile_code_sent,
    qinghe_to_subject,
    verify_mobiles,
    walk_to_confirm,
    website_block,
)

MOBILE = SUBJECT_FORM["person_mobile"]
OTHER = "13912345678"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def app_config() -> dict:
    return {"VERIFY_MOBILES": True}


@pytest.fixture
def draft(client, applicant) -> Filing:
    """An access filing up to the confirm step: the subject's person and a website's own person,
    two mobiles, each sent a code and neither verified."""
    filing = qinghe_to_subject(client, applicant)
    block = website_block(
        filing, 0, person_mode="other", person_name="李小红", person_id_number="330106199003071252",
        person_mobile=OTHER, person_email="lixh@qinghe.cn",
    )  # fmt: skip
    assert client.post(f"/filings/{filing.id}/websites", data=block).status_code == 302
    db.session.refresh(filing)
    return filing


def verify_in_place(client, filing, mobile):
    return client.post(
        f"/filings/{filing.id}/mobiles/verify",
        data={"mobile": mobile, "code": mobile_code_sent(filing, mobile), "back": "confirm"},
        headers=HTMX,
    )


def submit_button(html: str) -> str:
    return re.search(r'<button[^>]*id="submit-filing"[^>]*>', html).group(0)


def test_the_last_mobile_verified_in_place_redraws_the_precheck_and_enables_submit(client, draft):
    page = client.get(f"/filings/{draft.id}/confirm").get_data(as_text=True)
    assert "disabled" in submit_button(page)
    first = verify_in_place(client, draft, MOBILE).get_data(as_text=True)
    assert 'id="precheck" hx-swap-oob="true"' in first and "还有 1 处需要修改" in first
    assert "disabled" in submit_button(first)  # one mobile is still to verify
    last = verify_in_place(client, draft, OTHER).get_data(as_text=True)
    precheck = last.split('id="precheck"')[1].split("</section>")[0]
    assert "预检通过，可以提交" in precheck and "尚未通过短信验证" not in precheck
    assert 'id="submit-form" hx-swap-oob="true"' in last
    assert "disabled" not in submit_button(last)


def test_the_panel_elsewhere_answers_without_the_confirm_cards(client, draft):
    answer = client.post(
        f"/filings/{draft.id}/mobiles/verify",
        data={"mobile": MOBILE, "code": mobile_code_sent(draft, MOBILE), "back": "websites"},
        headers=HTMX,
    ).get_data(as_text=True)
    assert "已验证" in answer and 'id="precheck"' not in answer


def test_the_precheck_names_the_mobile_field_once(client, draft):
    page = client.get(f"/filings/{draft.id}/confirm").get_data(as_text=True)
    assert "139****5678 尚未通过短信验证" in page
    assert "手机号码：手机号码" not in page


def test_each_demo_sms_names_its_mobile_beside_that_mobiles_input(client, draft, app):
    app.config["DEMO_MODE"] = True
    page = client.get(f"/filings/{draft.id}/confirm").get_data(as_text=True)
    rows = re.findall(r'<div class="mobile-code" id="mobile-code-\d+".*?(?=<div class="mobile-code"|</section>)', page, re.S)  # fmt: skip
    assert len(rows) == 2
    for row, mobile, masked in zip(
        rows, (MOBILE, OTHER), ("138****8000", "139****5678"), strict=True
    ):
        code = mobile_code_sent(draft, mobile)
        assert f"演示环境：{masked} 收到的短信" in row and code in row
        other_code = mobile_code_sent(draft, OTHER if mobile == MOBILE else MOBILE)
        assert other_code not in row
    verify_in_place(client, draft, MOBILE)
    page = client.get(f"/filings/{draft.id}/confirm").get_data(as_text=True)
    assert "演示环境：138****8000" not in page and "演示环境：139****5678" in page


def test_a_mobile_verified_on_another_order_of_the_subject_is_not_asked_again(client, applicant):
    access = db.session.get(Filing, _access_draft(client, applicant))
    client.post(
        f"/filings/{access.id}/mobiles/verify",
        data={"mobile": MOBILE, "code": mobile_code_sent(access, MOBILE), "back": "confirm"},
    )
    assert MOBILE in mobiles.verified(access)
    new_site = walk_new_website(client, applicant)  # the same subject's person and mobile
    sent = db.session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.filing_id == new_site.id, OutboxMessage.recipient == MOBILE
        )
    ).all()
    assert sent == []  # no second code to the same phone
    assert mobiles.problems(new_site, current_policy()) == []
    page = client.get(f"/filings/{new_site.id}/confirm").get_data(as_text=True)
    assert "138****8000 尚未通过短信验证" not in page
    later = utcnow() + timedelta(days=mobiles.REUSE_DAYS, hours=1)
    assert MOBILE not in mobiles.verified(new_site, now=later)  # a month on, it is asked again


def _access_draft(client, applicant) -> int:
    filing = start(client, applicant, QINGHE_USCC, "qinghe.cn")
    base = f"/filings/{filing.id}"
    assert client.post(f"{base}/product", data={"ips": account_ips(applicant)}).status_code == 302
    assert client.post(f"{base}/password", data={"password": "Qinghe2021"}).status_code == 302
    assert client.post(f"{base}/subject", data=SUBJECT_FORM).status_code == 302
    return filing.id


# --- what a 首次备案 shows, and how every order kind is named -----------------------------------


def test_a_first_filings_confirm_page_shows_every_typed_field(client, applicant):
    filing = walk_first_filing(client, applicant)
    page = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    facts = {"subject-kind": "企业", "subject-province": "浙江", "subject-investor": "王小明",
             "subject-certificate-type": "统一社会信用代码"}  # fmt: skip
    for dd_id, shown in facts.items():
        assert re.search(rf'<dd id="{dd_id}">[^<]*{shown}', page), dd_id
    assert page.count("审核通过后由管局下发") == 2  # 主体备案号 and 网站备案号, not empty rows
    assert "主体负责人 · 证件号码" in page and "主体证件号码" in page


def test_a_new_filing_is_named_before_its_subject_and_explained_once(client, applicant):
    page = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": NEW_USCC, "domain": NEW_DOMAIN},
        follow_redirects=True,
    ).get_data(as_text=True)  # the product step, with what the type step flashed
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "首次备案 xinhe-tech.cn" in heading
    assert page.count("因此本次为主体和网站申请新的备案号") == 1  # the card, not a flash as well
    assert "办理首次备案须使用本服务商的公网 IP" in page and "接入备案须使用" not in page


def test_a_pasted_address_gives_one_banner(client, applicant):
    from domain.operator import ip_pool

    ip_pool.assign_free(applicant, 2)
    db.session.commit()
    page = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": QINGHE_USCC,
              "domain": "https://www.qinghe.cn/"},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    banners = re.findall(r'class="flash flash-ok"[^>]*>(.*?)</', page, re.S)
    assert len(banners) == 1
    assert "验证通过" in banners[0] and "已将粘贴的网址" in banners[0] and "按主域名" in banners[0]
    assert "。已将粘贴的网址" in banners[0]  # Chinese sentences run on, no space between


def test_the_app_offers_every_new_order_not_only_access(app, client, applicant):
    home = app.test_client().get("/").get_data(as_text=True)  # nobody logged in
    assert "首次备案" in home and "新增网站" in home
    mine = client.get("/filings/").get_data(as_text=True)
    assert "新建备案" in mine and "新建接入备案" not in mine and 'id="new-filing-kinds"' in mine


def test_the_bureau_sms_names_the_order_kind(app):
    from flask import render_template

    with app.test_request_context():
        first = render_template("notifications/sms_code.txt", order_kind="first_filing",
                                provider_name="示例云", code="123456", hours=24)  # fmt: skip
        old_row = render_template("notifications/sms_code.txt", provider_name="示例云",
                                  code="123456", hours=24)  # fmt: skip
    assert "您正在办理首次备案（示例云）" in first and "接入" not in first
    assert "您正在办理接入备案（示例云）" in old_row  # a row queued before the kind was kept


def test_a_second_order_is_refused_in_the_words_of_the_attempt_naming_the_open_one(
    client, applicant
):
    access = walk_to_confirm(client, applicant)
    client.post(f"/filings/{access.id}/submit", data={"version": access.version, "commitment": "y"})
    answer = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": QINGHE_USCC,
              "domain": NEW_SITE_DOMAIN},
    )  # fmt: skip
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "不能办理新增网站" in page and "不能办理接入备案" not in page
    assert f'href="/filings/{access.id}"' in page and f"#{access.id} 接入备案" in page


def test_another_accounts_open_order_is_not_named(app, client, applicant, make_user):
    access = walk_to_confirm(client, applicant)
    client.post(f"/filings/{access.id}/submit", data={"version": access.version, "commitment": "y"})
    other = app.test_client()
    stranger = make_user()
    other.post("/auth/login", data={"email": stranger.email, "password": PASSWORD})
    page = other.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": QINGHE_USCC, "domain": "qinghe.cn"},
    ).get_data(as_text=True)
    assert "不能办理接入备案" in page and 'id="blocking-order"' not in page


def test_one_withdraw_label_for_every_kind(client, applicant):
    filing = walk_first_filing(client, applicant)
    verify_mobiles(client, filing)
    submit(client, filing)
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "放弃本订单" in page and "放弃订单" not in page and "放弃备案" not in page


def test_the_websites_steps_mobile_card_sits_above_save_and_continue(client, draft):
    page = client.get(f"/filings/{draft.id}/websites").get_data(as_text=True)
    button = re.search(r'<button[^>]*id="save-websites"[^>]*>', page).group(0)
    assert page.index('id="mobile-codes"') < page.index('id="save-websites"')
    assert 'form="websites-form"' in button  # outside the form, still its submit button
    assert 'class="mobile-code-actions"' in page
