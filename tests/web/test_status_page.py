"""The applicant's status page: the lifecycle bar with the current step and its deadline, the
application as submitted, reasons linked to the field's step, the timeline without repeats."""

from __future__ import annotations

import re

from domain.lifecycle.states import Action, FilingState, OrderKind, Role
from domain.review.reviewing import Reason
from extensions import db
from models import AuditEvent
from tests.helpers import transitions

S = FilingState


def current_step(page: str) -> str:
    """The label of the lifecycle bar's current step."""
    match = re.search(r'<li class="current[^"]*" aria-current="step">\s*<span class="step-label">'
                      r"([^<]+)</span>", page)  # fmt: skip
    return match.group(1) if match else ""


def status_page(client, login, filing) -> str:
    login(filing.account)
    response = client.get(f"/filings/{filing.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_bar_shows_the_current_step_with_its_deadline(client, login, make_filing):
    filing = make_filing(S.re_review)
    page = status_page(client, login, filing)
    assert current_step(page) == "复审"
    assert page.count('<li class="done"') == 3 and page.count('<li class="todo"') == 4
    assert "时限：" in page.split('aria-current="step"')[1].split("</li>")[0]


def test_a_refused_filing_is_at_the_step_where_the_applicant_acts_again(client, login, make_filing):
    page = status_page(client, login, make_filing(S.re_rejected))
    assert current_step(page) == "资料与核验"
    assert '<li class="current attention"' in page


def test_an_order_on_a_record_has_the_short_bar(client, login, make_filing):
    filing = make_filing(S.submitted)
    filing.kind = OrderKind.change_access
    db.session.commit()
    page = status_page(client, login, filing)
    bar = page.split('class="lifecycle"')[1].split("</ol>")[0]
    assert [label for label in re.findall(r'step-label">([^<]+)<', bar)] == [
        "填写", "审核", "提交管局", "管局审核", "完成",
    ]  # fmt: skip
    assert current_step(page) == "审核"


def test_a_withdrawn_filing_has_no_bar(client, login, make_filing):
    assert 'class="lifecycle"' not in status_page(client, login, make_filing(S.withdrawn))


def test_the_application_as_submitted_is_shown_read_only(client, login, make_filing):
    page = status_page(client, login, make_filing(S.submitted))
    section = page.split('id="application"')[1].split("</details>")[0]
    assert "杭州青禾科技有限公司" in section and "青禾科技官网" in section
    assert "qinghe.cn" in section and "<input" not in section and "<form" not in section


def test_reasons_name_the_field_and_link_to_its_step(client, login, make_filing, make_user):
    filing = make_filing(S.submitted)
    transitions.claim_and_decide(filing, make_user(Role.reviewer), Action.initial_reject, [
        Reason("subject.mailing_address", "other", "须写到室号"),
        Reason("websites[0].responsible_person", "other", "负责人须为本人"),
        Reason("", "other", "整体说明"),
    ])  # fmt: skip
    page = status_page(client, login, filing)
    rejection = page.split('class="card rejection"')[1].split("</section>")[0]
    assert (
        f'href="/filings/{filing.id}/subject#field-mailing_address"><strong>通信地址</strong>'
        in rejection
    )
    assert f'href="/filings/{filing.id}/websites#field-websites-0-person_mode"' in rejection
    assert "subject.mailing_address" not in rejection and "websites[0]" not in rejection
    assert "整体说明" in rejection


def test_reasons_are_not_linked_where_the_filing_cannot_be_changed(
    client, login, make_filing, make_user
):
    filing = make_filing(S.re_review)
    transitions.claim_and_decide(
        filing,
        make_user(Role.reviewer),
        Action.re_reject,
        [Reason("subject.mailing_address", "other", "须写到室号")],
    )
    page = status_page(client, login, filing)
    rejection = page.split('class="card rejection"')[1].split("</section>")[0]
    assert "<strong>通信地址</strong>" in rejection and "field-link" not in rejection


def test_the_timeline_groups_uploads_and_shows_the_authenticity_check(client, login, make_filing):
    filing = make_filing(S.materials_pending)
    for kind in ["id_front"] * 10 + ["live_photo"]:
        db.session.add(AuditEvent(filing_id=filing.id, actor_id=filing.account_id,
                                  actor_role=Role.applicant, action="upload", data={"kind": kind}))  # fmt: skip
    db.session.commit()
    page = status_page(client, login, filing)
    timeline = page.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert timeline.count("<strong>上传资料") == 1 and "上传资料 ×10" in timeline
    assert "完成真实性核验" in timeline


def test_the_sms_failure_note_is_in_words(client, login, make_filing):
    filing = make_filing(S.sms_failed)
    db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.filing_id == filing.id, AuditEvent.action == "sms_fail"
        )
    ).one().note = "too many wrong codes"
    db.session.commit()
    page = status_page(client, login, filing)
    assert "too many wrong codes" not in page and "验证码错误次数过多" in page


def test_a_reason_reads_in_english_with_the_reviewers_own_words(
    client, login, make_filing, make_user
):
    filing = make_filing(S.submitted)
    transitions.claim_and_decide(filing, make_user(Role.reviewer), Action.initial_reject,
                        [Reason("subject.mailing_address", "website_name", "须写到室号")])  # fmt: skip
    page = status_page(client, login, filing)
    assert "网站名称不符合命名规范；须写到室号" in page
    client.get("/lang/en")
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    rejection = page.split('class="card rejection"')[1].split("</section>")[0]
    assert "须写到室号" in rejection  # the reviewer's words as written
    assert "网站名称不符合命名规范" not in rejection  # the reason's label in English
