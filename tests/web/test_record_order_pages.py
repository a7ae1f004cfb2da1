"""The pages of the orders on records (DOMAIN.md A7 v3): started from the records page, the change
page with old → new and the materials it needs, the cancellation confirmed by typing the number,
the claim form, the reviewer's screen with the record beside the change, the admin's bind and
unbind."""

from __future__ import annotations

import re

from sqlalchemy import select

from domain.lifecycle.states import FilingState, OrderKind, Role
from extensions import db
from models import AuditEvent, Filing, SubjectHolding
from tests.helpers.orders import SUBJECT, WEBSITE

S = FilingState
YUNFAN = "沪ICP备2019012345号"


def _order(kind: OrderKind) -> Filing:
    return db.session.scalar(select(Filing).where(Filing.kind == kind).order_by(Filing.id.desc()))


def _claimed_website_change_submitted(client, **fields):
    """云帆's record claimed by the logged-in applicant, a 变更网站 of its website opened and
    submitted with `fields` beside its name, domain, service and language; the order and the
    answer."""
    client.post(
        "/records/claim",
        data={"certificate_type": "uscc", "certificate_number": "9131011566P50L230K",
              "password": "Yunfan2019"},
    )  # fmt: skip
    client.post(
        "/records/open",
        data={"kind": "change_website", "subject": YUNFAN, "website": "沪ICP备2019012345号-1"},
    )
    order = _order(OrderKind.change_website)
    response = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "submit", "version": order.version, "commitment": "y", "name": "云帆官网",
              "domains": "yunfan-net.com", "service_types": "website", "languages": "zh-Hans",
              **fields},
    )  # fmt: skip
    return order, response


def _content(order: Filing) -> list[str]:
    return list(order.websites[0].content_types or [])


def test_the_records_page_offers_every_order_and_the_claim(client, applicant, held):
    page = client.get("/records/").get_data(as_text=True)
    for words in ("变更主体", "变更网站", "注销网站", "注销主体", "认领备案"):
        assert words in page, words


def test_a_change_of_website_from_the_records_page_to_submission(client, applicant, held):
    response = client.post(
        "/records/open", data={"kind": "change_website", "subject": SUBJECT, "website": WEBSITE}
    )
    assert response.status_code == 302
    order = _order(OrderKind.change_website)
    assert order.state is S.draft and response.location.endswith(f"/records/orders/{order.id}/edit")
    page = client.get(f"/records/orders/{order.id}/edit").get_data(as_text=True)
    assert "qinghe.com.cn" in page and "与备案信息相比没有修改" in page
    saved = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "save", "name": "青禾科技", "domains": "qinghe.cn\nqinghe-tech.cn",
              "service_types": "website", "languages": "zh-Hans", "person_mode": "subject",
              "content_types": _content(order)},
    )  # fmt: skip
    assert saved.status_code == 302
    page = client.get(f"/records/orders/{order.id}/edit").get_data(as_text=True)
    assert "<del>青禾科技官网</del>" in page and "<ins>青禾科技</ins>" in page  # old → new
    refused = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "save", "domains": "qinghe.cn yunfan-net.com"},
    )
    assert refused.status_code == 422 and "已在其他网站的备案中" in refused.get_data(as_text=True)
    db.session.refresh(order)
    submitted = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "submit", "version": order.version, "commitment": "y", "name": "青禾科技",
              "domains": "qinghe.cn\nqinghe-tech.cn", "service_types": "website",
              "languages": "zh-Hans", "person_mode": "subject", "content_types": _content(order)},
    )  # fmt: skip
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]
    db.session.refresh(order)
    assert order.state is S.submitted
    status = client.get(f"/filings/{order.id}").get_data(as_text=True)
    assert "变更网站" in status and "待审核" in status


def test_the_change_of_subject_page_asks_for_the_new_persons_id(client, applicant, held):
    client.post("/records/open", data={"kind": "change_subject", "subject": SUBJECT})
    order = _order(OrderKind.change_subject)
    client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "save", "person_name": "李四", "person_id_type": "resident_id",
              "person_id_number": "110101199003077774", "person_mobile": "13912345678",
              "person_email": "lisi@qinghe.cn",
              "certificate_address": order.subject.certificate_address,
              "mailing_address": order.subject.mailing_address, "remark": order.subject.remark},
    )  # fmt: skip
    page = client.get(f"/records/orders/{order.id}/edit").get_data(as_text=True)
    assert "身份证人像面" in page and "<ins>李四</ins>" in page
    assert 'name="certificate_number"' not in page  # the certificate is never changed


def test_the_reviewer_sees_the_record_beside_the_change(client, applicant, held, login):
    _filing, reviewer = held
    client.post("/records/open", data={"kind": "change_website", "subject": SUBJECT, "website": WEBSITE})  # fmt: skip
    order = _order(OrderKind.change_website)
    client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "submit", "version": order.version, "commitment": "y", "name": "青禾科技",
              "domains": "qinghe.cn", "service_types": "website", "languages": "zh-Hans",
              "person_mode": "subject", "content_types": _content(order)},
    )  # fmt: skip
    db.session.refresh(order)
    assert order.state is S.submitted
    client.post("/auth/logout")
    login(reviewer)
    page = client.get(f"/review/filings/{order.id}").get_data(as_text=True)
    assert 'id="record-change"' in page and "<del>青禾科技官网</del>" in page
    assert "<ins>青禾科技</ins>" in page


def test_a_cancellation_is_confirmed_by_typing_the_number(client, applicant, held):
    url = f"/records/cancel-record?kind=cancel_subject&subject={SUBJECT}"
    page = client.get(url).get_data(as_text=True)
    assert "不可撤销" in page and WEBSITE in page
    wrong = client.post(url, data={"confirm_number": WEBSITE})
    assert wrong.status_code == 422 and "不一致" in wrong.get_data(as_text=True)
    right = client.post(url, data={"confirm_number": SUBJECT})
    assert right.status_code == 302
    assert _order(OrderKind.cancel_subject).state is S.submitted


def test_the_claim_form_takes_a_record_and_says_why_not(client, applicant):
    wrong = client.post(
        "/records/claim",
        data={"certificate_type": "uscc", "certificate_number": "9131011566P50L230K",
              "password": "nope"},
    )  # fmt: skip
    assert wrong.status_code == 422  # told at the form, at the bottom, not in a flash at the top
    page = wrong.get_data(as_text=True)
    form = page.split('id="claim"')[1]
    assert 'id="claim-password-errors"' in form and "工信部备案密码：备案密码不正确" in form
    assert 'aria-describedby="claim-password-errors" autofocus' in form
    assert 'value="9131011566P50L230K"' in form  # the typed certificate kept, not the password
    assert "备案密码不正确" not in page.split('id="claim"')[0]
    unknown = client.post(
        "/records/claim",
        data={"certificate_type": "uscc", "certificate_number": "91330106MA2B3C4D5X",
              "password": "nope"},
    )  # fmt: skip
    assert unknown.status_code == 422 and 'id="claim-number-errors"' in unknown.get_data(
        as_text=True
    )
    client.post(
        "/records/claim",
        data={"certificate_type": "uscc", "certificate_number": "9131011566p50l230k",
              "password": "Yunfan2019"},
    )  # fmt: skip
    page = client.get("/records/").get_data(as_text=True)
    assert YUNFAN in page and "已认领" in page and "yunfan-net.com" in page
    # the claimed subject's dashes are explained: no IP or access date is known here
    assert "本系统没有记录所用的 IP 和接入时间" in page


def test_the_admin_binds_and_unbinds_on_the_subjects_page(client, make_user, login, applicant):
    admin = make_user(Role.admin)
    client.post("/auth/logout")  # the applicant fixture logged its user in
    login(admin)
    found = client.get("/admin/subjects?q=云帆").get_data(as_text=True)
    assert YUNFAN in found
    page = client.get(f"/admin/subjects/{YUNFAN}").get_data(as_text=True)
    assert "目前没有账号持有该主体" in page
    client.post(f"/admin/subjects/{YUNFAN}/bind", data={"email": applicant.email, "reason": ""})
    assert db.session.scalar(select(SubjectHolding)) is None  # a reason is required
    client.post(
        f"/admin/subjects/{YUNFAN}/bind", data={"email": applicant.email, "reason": "客户来电"}
    )
    assert applicant.email in client.get(f"/admin/subjects/{YUNFAN}").get_data(as_text=True)
    client.post(f"/admin/subjects/{YUNFAN}/unbind", data={"reason": "客户申请"})
    holding = db.session.scalar(select(SubjectHolding))
    assert holding.ended_at is not None and holding.end_reason == "客户申请"
    actions = {e.action for e in db.session.scalars(select(AuditEvent))}
    assert {"record_bound", "record_unbound"} <= actions
    client.post("/auth/logout")
    login(applicant)
    assert client.get(f"/admin/subjects/{YUNFAN}").status_code == 403


def test_a_reviewer_passes_a_claimed_records_change_and_finds_it_by_its_type(
    client, applicant, make_user, login
):
    order, response = _claimed_website_change_submitted(
        client, person_mode="subject", content_types="portal"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    client.post("/auth/logout")
    login(make_user(Role.reviewer))
    queue = client.get("/review/?type=change_website").get_data(as_text=True)
    assert f"#{order.id}" in queue
    assert f"#{order.id}" not in client.get("/review/?type=cancel_subject").get_data(as_text=True)
    assert client.post(f"/review/filings/{order.id}/claim").status_code == 302
    db.session.refresh(order)
    decided = client.post(
        f"/review/filings/{order.id}/decide",
        data={"action": "review_approve", "version": order.version},
    )
    assert decided.status_code == 302, decided.get_data(as_text=True)[:3000]
    db.session.refresh(order)
    assert order.state is S.bureau_pending  # the claimed record counts as held (no problem listed)


def test_a_looked_at_change_blocks_nothing_and_is_not_opened_twice(client, applicant, held):
    opened = {"kind": "change_website", "subject": SUBJECT, "website": WEBSITE}
    first = client.post("/records/open", data=opened)
    again = client.post("/records/open", data=opened)
    assert first.location == again.location  # the same draft, not a second one
    drafts = db.session.scalars(select(Filing).where(Filing.kind == OrderKind.change_website))
    assert len(drafts.all()) == 1
    # the draft is no open order: the subject's other orders stay open to the user
    page = client.get("/records/").get_data(as_text=True)
    assert "正在办理中的订单" not in page and "变更主体" in page
    cancel = client.get(f"/records/cancel-record?kind=cancel_subject&subject={SUBJECT}")
    assert cancel.status_code == 200


def test_a_change_of_a_websites_name_shows_its_own_five_steps_and_words(client, applicant, held):
    """No materials, no SMS for this change: the step bar does not tick steps it never takes,
    and the waiting words are of a review, not an initial review."""
    client.post(
        "/records/open", data={"kind": "change_website", "subject": SUBJECT, "website": WEBSITE}
    )
    order = _order(OrderKind.change_website)
    domains = "\n".join(d.domain for d in order.websites[0].domains)  # as on record: no SMS
    values = {"name": "青禾科技", "domains": domains, "service_types": "website",
              "languages": "zh-Hans", "person_mode": "subject", "content_types": _content(order)}  # fmt: skip
    client.post(f"/records/orders/{order.id}/edit", data={"action": "save", **values})
    db.session.refresh(order)
    submitted = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "submit", "version": order.version, "commitment": "y", **values},
    )
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]
    status = client.get(f"/filings/{order.id}").get_data(as_text=True)
    bar = status.split('class="lifecycle"')[1].split("</ol>")[0]
    labels = re.findall(r'<span class="step-label">([^<]+)</span>', bar)
    assert labels == ["填写", "审核", "提交管局", "管局审核", "完成"]
    assert "初审" not in status.split('class="lifecycle"')[1].split("<h2>")[0]
    assert "审核员将在时限内审核本次变更" in status


def test_a_claimed_websites_change_says_each_missing_field_at_the_field(client, applicant):
    """A claimed record has no content types (the registry keeps none): a 变更网站 that changes them
    and its person says what is missing at each field, the summary linking there."""
    order, response = _claimed_website_change_submitted(
        client, person_mode="other", person_name="", person_mobile="1380013"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)

    def said_at(name: str) -> str:
        start = page.index(f'id="field-{name}"')
        return page[start : page.index("</div>" if name.startswith("person_") else "</fieldset>",
                                       start)]  # fmt: skip

    assert 'class="choices has-error"' in page and "请至少选择一项网站服务内容" in said_at(
        "content_types"
    )
    assert "姓名：请填写负责人姓名" in said_at("person_name")
    assert 'aria-invalid="true"' in said_at("person_mobile") and "11 位" in said_at("person_mobile")
    summary = page[page.index('id="change-problems"') :].split("</section>")[0]
    assert 'href="#field-content_types"' in summary and 'href="#field-person_name"' in summary
    assert f'action="/records/orders/{order.id}/edit"' in page  # no #field anchor carried on
