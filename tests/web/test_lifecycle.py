"""A lifecycle without dead ends (DOMAIN.md A6 v2): withdraw after a bureau rejection or a failed
SMS verification, always confirmed; staff return a filing for edits from later stages; every entry
into submitted re-checks each website and each product IP; materials are required by the domain;
stale filings are reminded, then withdrawn by the system."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.filing import filings
from domain.lifecycle.states import Action, FilingState, Role
from domain.review import reviewing, stale
from domain.review.reviewing import Reason, ReviewError
from extensions import db
from models import (
    AuditEvent,
    Filing,
    OutboxMessage,
    ProviderIP,
    ProvinceRule,
    RegistryWebsite,
    utcnow,
)
from runtime.policy import current_policy
from tests.helpers.wizard import walk_to_confirm, website_block

S = FilingState


@pytest.mark.parametrize("state", [S.bureau_rejected, S.sms_failed], ids=str)
def test_the_applicant_can_withdraw_after_a_bureau_rejection_or_a_failed_sms(
    state, client, login, make_filing
):
    filing = make_filing(state)
    login(filing.account)
    status = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert f"/filings/{filing.id}/withdraw" in status  # a link to the confirmation, not a button
    page = client.get(f"/filings/{filing.id}/withdraw").get_data(as_text=True)
    assert "不能恢复" in page and "确认放弃" in page and "返回，不放弃" in page
    client.post(f"/filings/{filing.id}/withdraw", data={"version": filing.version})
    db.session.refresh(filing)
    assert filing.state is S.withdrawn


def test_withdraw_is_refused_where_the_table_has_no_row_for_the_applicant(
    client, login, make_filing
):
    filing = make_filing(S.materials_pending)  # only the system withdraws here (a stale filing)
    login(filing.account)
    assert "/withdraw" not in client.get(f"/filings/{filing.id}").get_data(as_text=True)
    refused = client.get(f"/filings/{filing.id}/withdraw", follow_redirects=True)
    assert "当前状态下不能放弃该备案" in refused.get_data(as_text=True)
    client.post(f"/filings/{filing.id}/withdraw", data={"version": filing.version})
    db.session.refresh(filing)
    assert filing.state is S.materials_pending


@pytest.mark.parametrize("state", [S.re_review, S.bureau_pending, S.sms_failed], ids=str)
def test_staff_return_a_filing_for_edits_and_initial_review_comes_again(
    state, client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(state, reviewer=reviewer)
    policy = current_policy()
    assert reviewing.claim(filing, reviewer, policy)
    with pytest.raises(ReviewError):  # the applicant must be told why
        reviewing.decide(filing, reviewer, Action.return_for_edits, policy=policy,
                         expected_version=filing.version)  # fmt: skip
    reason = Reason("subject.mailing_address", "", "通信地址请写到门牌号")
    reviewing.decide(filing, reviewer, Action.return_for_edits, policy=policy,
                     expected_version=filing.version, reasons=[reason])  # fmt: skip
    db.session.commit()
    assert filing.state is S.initial_rejected
    login(filing.account)
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "退回修改" in page and "通信地址请写到门牌号" in page and "修改并重新提交" in page
    assert "<strong>通信地址</strong>" in page and "subject.mailing_address" not in page  # a label


def test_submission_rechecks_that_the_product_ips_are_still_the_accounts(
    client, applicant, make_user
):
    filing = walk_to_confirm(client, applicant)
    moved = db.session.scalar(select(ProviderIP).where(ProviderIP.address == filing.product_ips[0]))
    moved.account_id = make_user(Role.applicant).id  # reassigned to another customer meanwhile
    db.session.commit()
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    assert filing.state is S.draft
    confirm = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    assert f"IP {filing.product_ips[0]} 已不在本账号名下" in confirm


def test_submission_rechecks_every_website_against_the_registry(client, applicant):
    filing = walk_to_confirm(client, applicant)
    data = {**website_block(filing, 0), "new_domain": "qhnote.cn"}
    client.post(f"/filings/{filing.id}/websites/add", data=data)
    db.session.refresh(filing)
    second = filing.websites[1]
    record = db.session.scalar(
        select(RegistryWebsite).where(RegistryWebsite.website_number == second.icp_number)
    )
    record.change_in_progress = True  # a change started at the bureau after the website was added
    db.session.commit()
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    assert filing.state is S.draft  # the domain typed at the start is fine: the second is not
    confirm = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    assert f"网站“{second.name}”正在办理变更备案" in confirm


def test_the_domain_refuses_materials_that_are_not_there(app, make_filing):
    filing = make_filing(S.materials_pending)
    with pytest.raises(filings.FilingError):
        filings.submit_materials(filing, filing.account, current_policy(), filing.version)
    assert filing.state is S.materials_pending


def test_a_stale_filing_is_reminded_then_withdrawn_by_the_system(app, make_filing):
    filing = make_filing(S.initial_rejected)
    draft = make_filing(S.draft, owner=filing.account)
    policy = current_policy()
    entered = filing.state_entered_at
    assert stale.sweep(policy, now=entered + timedelta(days=6)).reminded == 0
    assert stale.sweep(policy, now=entered + timedelta(days=8)).reminded == 1
    assert stale.sweep(policy, now=entered + timedelta(days=9)).reminded == 0  # once per step
    assert stale.sweep(policy, now=entered + timedelta(days=22)).reminded == 1
    reminders = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "filing_reminder")
    ).all()
    assert [m.recipient for m in reminders] == [filing.account.email] * 2
    result = stale.sweep(policy, now=entered + timedelta(days=31))
    db.session.commit()
    assert result.withdrawn == 1 and filing.state is S.withdrawn and draft.state is S.draft
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.filing_id == filing.id, AuditEvent.action == "withdraw")
    )
    assert event.actor_id is None and event.actor_role is Role.system
    notice = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.filing_id == filing.id,
                                    OutboxMessage.template == "filing_withdrawn")
    )  # fmt: skip
    assert notice is not None and notice.recipient == filing.account.email


def test_an_applicants_act_restarts_the_stale_clock(app, make_filing):
    filing = make_filing(S.materials_pending)
    policy = current_policy()
    entered = filing.state_entered_at
    db.session.add(
        AuditEvent(filing_id=filing.id, actor_id=filing.account_id, actor_role=Role.applicant,
                   action="upload", created_at=entered + timedelta(days=20))
    )  # fmt: skip
    db.session.commit()
    assert stale.sweep(policy, now=entered + timedelta(days=31)).withdrawn == 0
    assert db.session.get(Filing, filing.id).state is S.materials_pending


def test_the_reviewers_all_tab_finds_a_filing_in_any_state(client, login, make_filing, make_user):
    waiting = make_filing(S.materials_pending)
    withdrawn = make_filing(S.withdrawn)
    approved = make_filing(S.approved)
    login(make_user(Role.reviewer))
    queue = client.get("/review/?stage=submitted").get_data(as_text=True)
    assert f"#{withdrawn.id}<" not in queue  # the stage tabs show what waits on staff
    everything = client.get("/review/?stage=all").get_data(as_text=True)
    for filing in (waiting, withdrawn, approved):
        assert f">#{filing.id}</a>" in everything
    assert "已放弃" in everything and "接入成功" in everything and "待上传资料及核验" in everything
    found = client.get(f"/review/?stage=all&q=%23{withdrawn.id}").get_data(as_text=True)
    assert f">#{withdrawn.id}</a>" in found and f">#{approved.id}</a>" not in found
    assert client.get("/review/?stage=approved").status_code == 404  # not a queue of its own
    panel = client.get("/review/?stage=all", headers={"HX-Request": "true"})  # the tab, by htmx
    assert panel.status_code == 200 and "已放弃" in panel.get_data(as_text=True)


def test_an_ip_in_use_is_released_only_when_the_admin_confirms(
    client, login, make_filing, make_user
):
    filing = make_filing(S.materials_pending)
    address = filing.websites[0].ips[0].address
    ip = ProviderIP(address=address, account_id=filing.account_id, assigned_at=utcnow())
    db.session.add(ip)
    db.session.commit()
    login(make_user(Role.admin))
    pool = client.get("/admin/ips").get_data(as_text=True)
    assert f">#{filing.id}</a>" in pool  # the pool shows which filing uses the IP
    release = {"email": "", "release": "1"}  # the row's 释放 button
    refused = client.post(f"/admin/ips/{ip.id}/assign", data=release, follow_redirects=True)
    assert f"正被备案 #{filing.id} 使用" in refused.get_data(as_text=True)
    db.session.refresh(ip)
    assert ip.account_id == filing.account_id
    client.post(f"/admin/ips/{ip.id}/assign", data={**release, "confirm": "1"})
    db.session.refresh(ip)
    assert ip.account_id is None


def test_mail_in_shows_what_and_where_and_takes_the_tracking_number(
    app, client, login, make_filing, make_user
):
    rule = db.session.get(ProvinceRule, "33")
    rule.mail_required, rule.mail_items = (
        True,
        "真实性承诺书原件（盖章）\n营业执照复印件（加盖公章）",
    )
    app.config["MAIL_ADDRESS"] = "杭州市西湖区文三路 1 号 备案组 0571-88888888"
    db.session.commit()
    filing = make_filing(S.re_review)
    reviewer = make_user(Role.reviewer)
    assert reviewing.claim(filing, reviewer, current_policy())
    reviewing.decide(filing, reviewer, Action.re_approve_mail, policy=current_policy(),
                     expected_version=filing.version)  # fmt: skip
    db.session.commit()
    login(filing.account)
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "真实性承诺书原件（盖章）" in page and "文三路 1 号 备案组" in page
    bad = client.post(
        f"/filings/{filing.id}/mail", data={"courier": "顺丰", "tracking_number": "12"}
    )
    assert "快递单号应为 6–32 位" in client.get(bad.headers["Location"]).get_data(as_text=True)
    client.post(
        f"/filings/{filing.id}/mail", data={"courier": "顺丰", "tracking_number": "sf1234567890"}
    )
    db.session.refresh(filing)
    assert (filing.mail_courier, filing.mail_tracking_number) == ("顺丰", "SF1234567890")
    assert "顺丰 SF1234567890" in client.get(f"/filings/{filing.id}").get_data(as_text=True)
    client.post("/auth/logout")
    login(reviewer)
    assert "SF1234567890" in client.get(f"/review/filings/{filing.id}").get_data(as_text=True)


def test_no_mailing_is_recorded_when_nothing_is_to_be_posted(client, login, make_filing):
    filing = make_filing(S.re_review)
    login(filing.account)
    client.post(
        f"/filings/{filing.id}/mail", data={"courier": "顺丰", "tracking_number": "SF12345678"}
    )
    db.session.refresh(filing)
    assert filing.mail_tracking_number == ""


def test_a_return_that_names_an_authenticity_check_reopens_it(
    app, client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.re_review, reviewer=reviewer)
    filing.websites[0].authenticity_verified_at = utcnow()
    db.session.commit()
    policy = current_policy()
    assert reviewing.claim(filing, reviewer, policy)
    reason = Reason("websites[0].authenticity", "", "请网站负责人本人重新核验")
    reviewing.decide(filing, reviewer, Action.return_for_edits, policy=policy,
                     expected_version=filing.version, reasons=[reason])  # fmt: skip
    db.session.commit()
    assert filing.websites[0].authenticity_verified_at is None  # a new QR code is due
    assert filings.named_items(filing).websites == frozenset()  # nothing to upload while editing
