"""Records held here and the orders on them (DOMAIN.md A7): 变更接入 and 取消接入 through approval and
rejection, one open order per subject of any kind, the shell warning, the registry and the IP pool
after each approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.filing import orders
from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind, Role
from domain.operator import ip_pool
from domain.rulebook.filing_type import verify_filing_type
from extensions import db
from models import Filing, OutboxMessage, utcnow
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.orders import (
    ORDER_PATH,
    SUBJECT,
    WEBSITE,
    new_ip,
    registry_website,
    walk,
)
from tests.helpers.wizard import QINGHE_USCC

S = FilingState


def test_the_records_page_lists_what_is_held_here(client, applicant, held):
    filing, _ = held
    page = client.get("/records/").get_data(as_text=True)
    assert "杭州青禾科技有限公司" in page and WEBSITE in page and "qinghe.com.cn" in page
    assert filing.websites[0].ips[0].address in page
    assert "接入另一个网站" in page and "变更接入" in page and "取消接入" in page
    assert 'name="certificate_number" value="913301069755TH2H1L"' in page


def test_another_website_of_a_held_subject_starts_a_continued_access(client, applicant, held):
    response = client.post("/filings/new", data={  # the records page's form posts these
        "certificate_type": "uscc", "certificate_number": QINGHE_USCC, "domain": "qhnote.cn",
    })  # fmt: skip
    assert response.status_code == 302
    draft = db.session.scalar(
        select(Filing).where(Filing.account_id == applicant.id, Filing.state == S.draft)
    )
    assert draft.filing_type.value == "continued_access"
    held_filing, _ = held  # what was filed last time comes along, to be checked, not retyped
    assert draft.subject.mailing_address == held_filing.subject.mailing_address != ""
    before, now = held_filing.subject.responsible_person, draft.subject.responsible_person
    assert (now.name, now.mobile, now.id_number) == (before.name, before.mobile, before.id_number)
    assert now.id != before.id  # a copy: editing the draft leaves the approved filing as it was


def test_a_change_goes_through_one_review_and_the_bureau_and_replaces_the_ips(
    client, applicant, held
):
    filing, reviewer = held
    website = filing.websites[0]
    old_ip, ip = website.ips[0].address, new_ip(applicant, filing)
    response = client.post(
        f"/records/change?subject={SUBJECT}",
        data={"websites": str(website.id), f"ips-{website.id}": ip},
    )
    assert response.status_code == 302
    order = db.session.scalar(select(Filing).where(Filing.kind == OrderKind.change_access))
    assert order.state is S.submitted and [i.address for i in order.websites[0].ips] == [ip]
    assert workflow.actions_for(order, Role.reviewer) == [
        Action.review_approve,
        Action.initial_reject,
    ]
    with pytest.raises(workflow.TransitionNotAllowed):  # an access row does not serve a change
        transitions.apply(order, Action.initial_approve, reviewer)
    walk(order, ORDER_PATH, applicant, reviewer)
    assert order.state is S.approved
    told = {
        m.template
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.filing_id == order.id)
        )
    }
    assert {"order_submitted", "order_bureau_review", "order_approved"} <= told  # its own words
    assert not told & {"filing_submitted", "bureau_review", "filing_approved"}
    assert order.filing_type is None  # not a 新增/继续接入
    events = [e.to_state for e in order.events]
    assert "sms_pending" not in events and "materials_pending" not in events
    records = orders.held_websites(applicant)
    assert [(w.icp_number, [i.address for i in w.ips]) for w in records] == [(WEBSITE, [ip])]
    db.session.refresh(website)
    assert website.superseded_at is not None
    assert old_ip not in ip_pool.filings_using([old_ip])
    assert ip_pool.filings_using([ip]) == {ip: [order.id]}
    assert "BEIANDESK" in registry_website().provider_codes  # a change keeps the access


def test_a_cancellation_drops_this_provider_and_frees_the_ips(client, applicant, held):
    filing, reviewer = held
    website = filing.websites[0]
    ip = website.ips[0].address
    page = client.get(f"/records/cancel?subject={SUBJECT}").get_data(as_text=True)
    assert "空壳" not in page  # 阿里云 still serves it: not a shell
    assert client.post(f"/records/cancel?subject={SUBJECT}", data={"websites": str(website.id)}).status_code == 302  # fmt: skip
    order = db.session.scalar(select(Filing).where(Filing.kind == OrderKind.cancel_access))
    walk(order, ORDER_PATH, applicant, reviewer)
    assert registry_website().provider_codes == ["ALIYUN"]
    assert orders.held_websites(applicant) == []
    assert ip_pool.filings_using([ip]) == {}
    assert "没有在本服务商接入成功的网站" in client.get("/records/").get_data(as_text=True)


def test_the_shell_warning_names_exactly_the_sole_provider_websites(client, applicant, held):
    filing, _ = held
    website = filing.websites[0]
    registry_website().access_providers = "BEIANDESK"
    db.session.commit()
    page = client.get(f"/records/cancel?subject={SUBJECT}").get_data(as_text=True)
    assert page.count("shell-warning") == 1 and "青禾科技官网" in page and "空壳" in page
    refused = client.post(f"/records/cancel?subject={SUBJECT}", data={"websites": str(website.id)})
    assert refused.status_code == 422 and "请确认已知晓空壳网站将被管局注销" in refused.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Filing).where(Filing.kind == OrderKind.cancel_access)) is None
    confirmed = client.post(
        f"/records/cancel?subject={SUBJECT}",
        data={"websites": str(website.id), "confirm_shells": "on"},
    )
    assert confirmed.status_code == 302


def test_one_open_order_per_subject_of_any_kind(client, applicant, held):
    filing, _ = held
    website = filing.websites[0]
    ip = new_ip(applicant, filing)
    client.post(f"/records/change?subject={SUBJECT}", data={"websites": str(website.id), f"ips-{website.id}": ip})  # fmt: skip
    second = client.post(
        f"/records/cancel?subject={SUBJECT}",
        data={"websites": str(website.id)},
        follow_redirects=True,
    )
    assert "正在办理中的订单" in second.get_data(as_text=True)
    assert db.session.scalar(select(Filing).where(Filing.kind == OrderKind.cancel_access)) is None
    with pytest.raises(orders.OrderRefused):  # the use case refuses too, whatever the page
        orders.start_cancel(applicant, [website.id], current_policy(), confirmed_shells=True)
    verdict = verify_filing_type(
        "uscc", QINGHE_USCC, "qhnote.cn", "BEIANDESK", utcnow().date(), account=applicant
    )
    assert verdict.refusal == "open_order_exists"  # A5 row 7 counts every kind
    assert "正在办理中的订单" in client.get("/records/").get_data(as_text=True)


def test_a_rejected_change_is_resubmitted_or_withdrawn(client, applicant, held):
    filing, reviewer = held
    website = filing.websites[0]
    ip = new_ip(applicant, filing)
    client.post(f"/records/change?subject={SUBJECT}", data={"websites": str(website.id), f"ips-{website.id}": ip})  # fmt: skip
    order = db.session.scalar(select(Filing).where(Filing.kind == OrderKind.change_access))
    transitions.apply(order, Action.initial_reject, reviewer, note="IP 不对")
    db.session.commit()
    status = client.get(f"/filings/{order.id}").get_data(as_text=True)
    assert "重新提交" in status and "/withdraw" in status and "/product" not in status
    client.post(f"/records/orders/{order.id}/submit", data={"version": order.version})
    db.session.refresh(order)
    assert order.state is S.submitted
    walk(order, ORDER_PATH[:2], applicant, reviewer)
    transitions.apply(order, Action.bureau_reject, reviewer, note="管局驳回")
    db.session.commit()
    transitions.apply(order, Action.withdraw, applicant)
    db.session.commit()
    assert order.state is S.withdrawn
    assert [w.icp_number for w in orders.held_websites(applicant)] == [WEBSITE]  # nothing changed
    assert ip_pool.filings_using([ip]) == {}


def test_orders_on_records_of_others_are_refused(client, applicant, held, make_user, login):
    filing, _ = held
    client.post("/auth/logout")
    login(make_user(Role.applicant))
    assert client.get(f"/records/change?subject={SUBJECT}").status_code == 404
    other = client.post(
        f"/records/cancel?subject={SUBJECT}", data={"websites": str(filing.websites[0].id)}
    )
    assert other.status_code == 404


def test_after_an_access_approval_the_applicant_is_told_what_comes_next(client, applicant, held):
    filing, _ = held
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert (
        "接入成功后请注意" in page and "空壳" in page and "ICP 许可证" in page and "30 日内" in page
    )
