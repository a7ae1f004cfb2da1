"""More orders on records (DOMAIN.md A7 v3): 变更主体, 变更网站, 注销网站, 注销主体 from the records
held here to the bureau's approval, what each does to the records and the registry, their refusals,
and claiming a record (认领) and the admin's binding."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.filing import holdings, materials, orders, record_orders
from domain.filing.filing_password import TooManyPasswordFailures
from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind, Role
from domain.rulebook.filing_type import verify_filing_type
from domain.rulebook.registry import LocalRegistry
from extensions import db
from models import AuditEvent, Filing, OutboxMessage, RegistrySubject, SmsChallenge, utcnow
from runtime import current
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.orders import SUBJECT, WEBSITE, registry_website, walk
from tests.helpers.wizard import QINGHE_USCC

S = FilingState
NEW_PERSON = {
    "person_name": "李四",
    "person_id_type": "resident_id",
    "person_id_number": "110101199003077774",
    "person_mobile": "13912345678",
    "person_email": "lisi@qinghe.cn",
}
YUNFAN = "沪ICP备2019012345号"
YUNFAN_USCC = "9131011566P50L230K"


def _policy():
    return current_policy()


def _submitted(filing, applicant):
    record_orders.submit_change(filing, applicant, _policy(), utcnow().date(), committed=True)
    db.session.commit()
    assert filing.state is S.submitted


def test_a_change_of_subject_with_a_new_person_takes_materials_sms_to_the_new_mobile(
    applicant, held
):
    _filing, reviewer = held
    order = record_orders.open_change(
        applicant, OrderKind.change_subject, SUBJECT, _policy().provider_code
    )
    assert (
        order.state is S.draft and order.record_before["subject"]["name"] == "杭州青禾科技有限公司"
    )
    record_orders.edit_subject(
        order, applicant, {**NEW_PERSON, "mailing_address": "杭州市新地址 9 号"}
    )
    assert set(order.changed_items) == {"subject_person", "subject_address"}
    _submitted(order, applicant)
    # a person changed: staff review leads to materials and the authenticity check (A7 v3)
    assert workflow.actions_for(order, Role.reviewer) == [
        Action.initial_approve,
        Action.initial_reject,
    ]
    kinds = {r.kind for r in materials.required_materials(order)}
    assert kinds == {"id_front", "id_back"}  # the new person's ID, no licence (the name stayed)
    walk(order, ((Action.initial_approve, "reviewer"), (Action.submit_materials, "owner"),
                 (Action.re_approve, "reviewer"), (Action.submit_to_bureau, "reviewer")),
         applicant, reviewer)  # fmt: skip
    assert order.state is S.sms_pending
    sent_to = {c.mobile for c in db.session.scalars(select(SmsChallenge).where(SmsChallenge.filing_id == order.id))}  # fmt: skip
    assert sent_to == {"13912345678"}  # B R-S-2: the person whose data changes, at the new number
    walk(
        order, ((Action.sms_verify, None), (Action.bureau_approve, "reviewer")), applicant, reviewer
    )
    assert order.state is S.approved and workflow.shown_label(order) == "变更成功"
    record = record_orders.records_of(applicant, _policy().provider_code)[SUBJECT]
    assert record.subject.responsible_person.name == "李四"
    assert record.subject.mailing_address == "杭州市新地址 9 号"
    assert registry_website().responsible_mobile == "13912345678"


def test_a_change_of_subject_never_changes_the_certificate(applicant, held):
    order = record_orders.open_change(
        applicant, OrderKind.change_subject, SUBJECT, _policy().provider_code
    )
    record_orders.edit_subject(
        order, applicant, {"certificate_number": "91330106MA2XXXXX0X", "certificate_type": "id"}
    )
    assert order.subject.certificate_number == QINGHE_USCC and order.changed_items == []
    with pytest.raises(record_orders.RecordOrderRefused):  # nothing changed: nothing to submit
        record_orders.submit_change(order, applicant, _policy(), utcnow().date(), committed=True)


def test_a_change_of_website_adds_and_removes_domains_renames_and_the_registry_follows(
    applicant, held
):
    _filing, reviewer = held
    order = record_orders.open_change(
        applicant, OrderKind.change_website, SUBJECT, _policy().provider_code, WEBSITE
    )
    record_orders.edit_website(
        order, applicant, {"name": "青禾科技", "domains": ["qinghe.cn", "qinghe-tech.cn"]},
        _policy().provider_code,
    )  # fmt: skip
    assert set(order.changed_items) == {"website_name", "website_domains"}
    _submitted(order, applicant)
    # no person changed: one review, then the bureau with the SMS (a domain changed)
    assert workflow.actions_for(order, Role.reviewer) == [
        Action.review_approve,
        Action.initial_reject,
    ]
    walk(order, ((Action.review_approve, "reviewer"), (Action.submit_to_bureau, "reviewer"),
                 (Action.sms_verify, None), (Action.bureau_approve, "reviewer")),
         applicant, reviewer)  # fmt: skip
    assert order.state is S.approved
    registry = LocalRegistry()
    assert registry.website_by_domain("qinghe.com.cn") is None  # removed: leaves the registry
    site = registry.website_by_domain("qinghe-tech.cn")
    assert site is not None and site.website_number == WEBSITE and site.name == "青禾科技"
    held_now = orders.held_websites(applicant)
    assert [(w.name, sorted(d.domain for d in w.domains)) for w in held_now] == [
        ("青禾科技", ["qinghe-tech.cn", "qinghe.cn"])
    ]


def test_a_change_of_website_refuses_a_domain_filed_elsewhere_and_keeps_one_domain(applicant, held):
    order = record_orders.open_change(
        applicant, OrderKind.change_website, SUBJECT, _policy().provider_code, WEBSITE
    )
    code = _policy().provider_code
    with pytest.raises(record_orders.RecordOrderRefused) as refused:
        record_orders.edit_website(
            order, applicant, {"domains": ["qinghe.cn", "yunfan-net.com"]}, code
        )
    assert refused.value.field == "domains"
    with pytest.raises(record_orders.RecordOrderRefused):
        record_orders.edit_website(order, applicant, {"domains": []}, code)


def test_a_change_of_website_with_only_its_name_needs_no_sms(applicant, held):
    _filing, reviewer = held
    order = record_orders.open_change(
        applicant, OrderKind.change_website, SUBJECT, _policy().provider_code, WEBSITE
    )
    record_orders.edit_website(order, applicant, {"name": "青禾官网"}, _policy().provider_code)
    _submitted(order, applicant)
    transitions.apply(order, Action.review_approve, reviewer)
    assert workflow.actions_for(order, Role.reviewer) == [
        Action.submit_to_bureau_no_sms, Action.return_for_edits,
    ]  # fmt: skip


def test_cancelling_a_website_needs_its_number_typed_and_is_refused_for_the_last_one(
    applicant, held
):
    _filing, reviewer = held
    policy = _policy()
    with pytest.raises(record_orders.RecordOrderRefused) as wrong:
        record_orders.start_cancel(
            applicant, OrderKind.cancel_website, SUBJECT, "浙ICP备2021000001号-2", policy,
            website_number=WEBSITE,
        )  # fmt: skip
    assert wrong.value.field == "confirm_number"
    order = record_orders.start_cancel(
        applicant, OrderKind.cancel_website, SUBJECT, WEBSITE, policy, website_number=WEBSITE
    )
    db.session.commit()
    assert order.state is S.submitted
    walk(order, ((Action.review_approve, "reviewer"), (Action.submit_to_bureau_no_sms, "reviewer"),
                 (Action.bureau_approve, "reviewer")), applicant, reviewer)  # fmt: skip
    assert workflow.shown_label(order) == "已注销"
    assert registry_website() is None and LocalRegistry().website_by_domain("qinghe.cn") is None
    assert orders.held_websites(applicant) == []
    assert not db.session.scalars(select(SmsChallenge).where(SmsChallenge.filing_id == order.id)).all()  # fmt: skip


def test_the_last_website_of_a_subject_points_to_cancelling_the_subject(applicant, held):
    other = db.session.scalar(
        select(RegistrySubject).where(RegistrySubject.subject_number == SUBJECT)
    ).websites[1]
    db.session.delete(other)  # the subject keeps one website at the ministry
    db.session.commit()
    with pytest.raises(record_orders.RecordOrderRefused) as refused:
        record_orders.start_cancel(
            applicant, OrderKind.cancel_website, SUBJECT, WEBSITE, _policy(), website_number=WEBSITE
        )
    assert "注销主体" in refused.value.message.text


def test_cancelling_the_subject_deletes_it_and_its_websites_from_the_registry(applicant, held):
    _filing, reviewer = held
    policy = _policy()
    with pytest.raises(record_orders.RecordOrderRefused):
        record_orders.start_cancel(applicant, OrderKind.cancel_subject, SUBJECT, WEBSITE, policy)
    order = record_orders.start_cancel(
        applicant, OrderKind.cancel_subject, SUBJECT, SUBJECT, policy
    )
    db.session.commit()
    walk(order, ((Action.review_approve, "reviewer"), (Action.submit_to_bureau_no_sms, "reviewer"),
                 (Action.bureau_approve, "reviewer")), applicant, reviewer)  # fmt: skip
    assert db.session.scalar(select(RegistrySubject).where(RegistrySubject.subject_number == SUBJECT)) is None  # fmt: skip
    assert LocalRegistry().website_by_domain("qhnote.cn") is None
    assert record_orders.records_of(applicant, policy.provider_code) == {}


def test_one_open_order_per_subject_counts_the_new_kinds(applicant, held):
    policy = _policy()
    record_orders.start_cancel(applicant, OrderKind.cancel_subject, SUBJECT, SUBJECT, policy)
    db.session.commit()
    with pytest.raises(record_orders.RecordOrderRefused):
        record_orders.open_change(
            applicant, OrderKind.change_subject, SUBJECT, policy.provider_code
        )


@pytest.mark.parametrize("kind", [OrderKind.change_subject, OrderKind.change_website])
def test_a_change_can_be_withdrawn_before_review_and_resubmitted_after_a_rejection(
    applicant, held, kind
):
    _filing, reviewer = held
    order = record_orders.open_change(applicant, kind, SUBJECT, _policy().provider_code, WEBSITE)
    if kind is OrderKind.change_subject:
        record_orders.edit_subject(order, applicant, {"remark": "新的备注"})
    else:
        record_orders.edit_website(order, applicant, {"name": "青禾新站"}, _policy().provider_code)
    _submitted(order, applicant)
    transitions.apply(order, Action.initial_reject, reviewer)
    db.session.commit()
    assert workflow.shown_label(order) == "审核驳回"
    _submitted(order, applicant)  # edited or not, it goes through review again
    transitions.apply(order, Action.withdraw, applicant)
    db.session.commit()
    assert order.state is S.withdrawn


# --- claims and bindings ----------------------------------------------------------------------------


def test_a_claim_by_the_right_password_makes_the_subject_a_record(applicant):
    code = _policy().provider_code
    holding, refusal = holdings.claim(
        applicant, "uscc", YUNFAN_USCC, "Yunfan2019", code, current().registry
    )
    db.session.commit()
    assert refusal is None and holding.via == "claim"
    record = record_orders.records_of(applicant, code)[YUNFAN]
    assert record.claimed and [w.icp_number for w in record.websites] == ["沪ICP备2019012345号-1"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "record_claimed"))
    # A5 row 7: another account is refused, the claimant is the holder
    verdict = verify_filing_type("uscc", YUNFAN_USCC, "new.yunfan-net.com", code, utcnow().date())
    assert verdict.refusal in {"subject_owned_by_other_account", "already_accessed"}
    assert holdings.held_by_other(YUNFAN, None)


def test_claims_are_refused_by_a_wrong_password_and_while_another_account_holds_it(
    applicant, make_user
):
    code = _policy().provider_code
    holding, refusal = holdings.claim(
        applicant, "uscc", YUNFAN_USCC, "wrong-one", code, current().registry
    )
    db.session.commit()
    assert holding is None and "备案密码不正确" in refusal.text
    holdings.claim(applicant, "uscc", YUNFAN_USCC, "Yunfan2019", code, current().registry)
    db.session.commit()
    second = make_user(Role.applicant)
    holding, refusal = holdings.claim(
        second, "uscc", YUNFAN_USCC, "Yunfan2019", code, current().registry
    )
    assert holding is None and "其他账号" in refusal.text
    holding, refusal = holdings.claim(
        applicant, "uscc", YUNFAN_USCC, "Yunfan2019", code, current().registry
    )
    assert holding is None and "本账号" in refusal.text  # a second claim by the holder


def test_a_subject_not_accessed_here_cannot_be_claimed(applicant):
    holding, refusal = holdings.claim(
        applicant, "uscc", QINGHE_USCC, "Qinghe2021", _policy().provider_code, current().registry
    )
    assert holding is None and "接入备案" in refusal.text


def test_claims_share_the_password_steps_limit(applicant):
    code = _policy().provider_code
    for _ in range(5):
        holdings.claim(applicant, "uscc", YUNFAN_USCC, "wrong", code, current().registry)
    db.session.commit()
    with pytest.raises(TooManyPasswordFailures):
        holdings.claim(applicant, "uscc", YUNFAN_USCC, "Yunfan2019", code, current().registry)


def test_an_admin_binds_and_unbinds_with_a_reason(applicant, make_user):
    admin = make_user(Role.admin)
    with pytest.raises(holdings.HoldingRefused):
        holdings.bind(admin, YUNFAN, applicant, "")
    holdings.bind(admin, YUNFAN, applicant, "客户来电核实")
    db.session.commit()
    assert YUNFAN in record_orders.records_of(applicant, _policy().provider_code)
    with pytest.raises(holdings.HoldingRefused):
        holdings.bind(admin, YUNFAN, make_user(Role.applicant), "再绑定")
    holdings.unbind(admin, YUNFAN, "客户申请解绑")
    db.session.commit()
    assert YUNFAN not in record_orders.records_of(applicant, _policy().provider_code)
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "record_bound" in actions and "record_unbound" in actions


def test_a_claimed_subject_takes_orders_on_its_records(applicant, make_user):
    code = _policy().provider_code
    holdings.claim(applicant, "uscc", YUNFAN_USCC, "Yunfan2019", code, current().registry)
    db.session.commit()
    reviewer = make_user(Role.reviewer)
    order = record_orders.open_change(
        applicant, OrderKind.change_website, YUNFAN, code, "沪ICP备2019012345号-1"
    )
    record_orders.edit_website(order, applicant, {"name": "云帆官网"}, code)
    _submitted(order, applicant)
    walk(order, ((Action.review_approve, "reviewer"), (Action.submit_to_bureau_no_sms, "reviewer"),
                 (Action.bureau_approve, "reviewer")), applicant, reviewer)  # fmt: skip
    assert LocalRegistry().website_by_domain("yunfan-net.com").name == "云帆官网"
    record = record_orders.records_of(applicant, code)[YUNFAN]
    assert [w.name for w in record.websites] == ["云帆官网"]


def test_notifications_name_the_order_and_its_result(applicant, held):
    _filing, reviewer = held
    order = record_orders.start_cancel(
        applicant, OrderKind.cancel_website, SUBJECT, WEBSITE, _policy(), website_number=WEBSITE
    )
    walk(order, ((Action.review_approve, "reviewer"), (Action.submit_to_bureau_no_sms, "reviewer"),
                 (Action.bureau_approve, "reviewer")), applicant, reviewer)  # fmt: skip
    approved = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.filing_id == order.id, OutboxMessage.template == "order_approved"
        )
    ).all()
    assert approved and all(m.context["order"] == "注销网站" for m in approved)
    assert all(m.context["result"] == "已注销" for m in approved)
    assert Filing  # the order is a filing of its kind
