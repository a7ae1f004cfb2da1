"""What the applicant is told, in their language: a return for edits (A6 v2) is told as a return,
not as a failed review; a reason's label reads in English in an English e-mail; the SMS check's
note and the timeline read in English on the English timeline, without "初审驳回 → 初审驳回";
working days take the English plural."""

from __future__ import annotations

import dataclasses
import re

from flask_babel import force_locale
from sqlalchemy import select

from domain.lifecycle.states import Action, FilingState, Role
from domain.review.reviewing import Reason
from extensions import db
from models import OutboxMessage
from runtime import notify
from runtime.policy import current_policy
from tests.helpers import new_filings, transitions
from tests.helpers.wizard import walk_to_confirm

S = FilingState


def _told(filing, state=S.initial_rejected) -> dict[str, OutboxMessage]:
    """The e-mail and the SMS queued on entering `state`, by channel."""
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.filing_id == filing.id, OutboxMessage.channel.in_(("email", "sms"))
        )
    ).all()
    return {row.channel: row for row in rows if row.context.get("state") == state.value}


def test_a_return_for_edits_is_told_as_a_return_with_the_reasons_and_the_note(
    make_filing, make_user
):
    filing = make_filing(S.re_review)
    transitions.claim_and_decide(filing, make_user(Role.reviewer), Action.return_for_edits,
            [Reason("subject.mailing_address", "other", "须写到室号")], note="请补充门牌号")  # fmt: skip
    told = _told(filing)
    assert {row.template for row in told.values()} == {"filing_returned"}
    assert set(told) == {"email", "sms"}

    sms = notify.render(told["sms"], current_policy())
    assert sms.text == f"您的接入备案 #{filing.id} 已退回修改，请登录查看说明，修改后重新提交。"
    assert notify.sms_params(told["sms"], current_policy()) == {"filing_id": str(filing.id)}
    email = notify.render(told["email"], current_policy())
    assert "退回修改" in email.subject and "未通过审核" not in email.text
    assert (
        "通信地址：" in email.text and "须写到室号" in email.text and "请补充门牌号" in email.text
    )
    assert "须写到室号" in email.html and "请补充门牌号" in email.html


def test_a_rejection_is_still_told_as_a_rejection(make_filing, make_user):
    filing = make_filing(S.submitted)
    transitions.claim_and_decide(
        filing,
        make_user(Role.reviewer),
        Action.initial_reject,
        [Reason("subject.mailing_address", "other", "室号")],
    )
    told = _told(filing)
    assert {row.template for row in told.values()} == {"filing_rejected"}
    assert "未通过审核" in notify.render(told["sms"], current_policy()).text


def test_an_english_rejection_email_gives_the_reason_in_english(
    make_filing, make_user, client, login
):
    owner = make_user(Role.applicant)
    filing = make_filing(S.submitted, owner=owner)
    transitions.claim_and_decide(filing, make_user(Role.reviewer), Action.initial_reject,
            [Reason("websites[0].name", "website_name", "须与网站一致")])  # fmt: skip
    login(owner)
    client.get("/lang/en")
    page = client.get("/messages/").get_data(as_text=True)
    assert "须与网站一致" in page  # the reviewer's own words, as written
    assert "The website name breaks the naming rules" in page
    assert "网站名称不符合命名规范" not in page

    with force_locale("en"):
        email = notify.render(_told(filing)["email"], current_policy())
    assert "网站名称不符合命名规范" not in email.text + email.html


def _timeline(page: str) -> str:
    return page.split('<ol class="timeline">')[1].split("</ol>")[0]


def test_the_sms_check_note_reads_in_english_on_the_timeline(make_filing, make_user, client, login):
    owner = make_user(Role.applicant)
    filing = make_filing(S.sms_pending, owner=owner)
    # as domain/filing/sms.py writes it when the last code is confirmed
    transitions.apply(filing, Action.sms_verify, owner, note="短信核验通过")
    db.session.commit()
    login(owner)
    assert '<p class="timeline-note">短信核验通过</p>' in _timeline(
        client.get(f"/filings/{filing.id}").get_data(True)
    )
    client.get("/lang/en")
    timeline = _timeline(client.get(f"/filings/{filing.id}").get_data(as_text=True))
    assert (
        "短信核验通过" not in timeline and '<p class="timeline-note">SMS verified</p>' in timeline
    )


def test_the_timeline_says_a_rejection_once(make_filing, make_user, client, login):
    owner = make_user(Role.applicant)
    filing = make_filing(S.initial_rejected, owner=owner)
    login(owner)
    for lang, label in (("zh", "初审驳回"), ("en", "Rejected at initial review")):
        client.get(f"/lang/{lang}")
        timeline = _timeline(client.get(f"/filings/{filing.id}").get_data(as_text=True))
        assert f"<strong>{label}</strong>" in timeline, lang
        assert f"<strong>{label}</strong> →" not in timeline, lang
        assert " → " in timeline, lang  # a step into another state still names it


def test_working_days_take_the_english_plural_in_the_email(app, make_filing):
    filing = make_filing(S.submitted)
    message = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.filing_id == filing.id, OutboxMessage.template == "filing_submitted"
        )
    ).one()
    for days, said in ((1, "within 1 working day."), (3, "within 3 working days.")):
        policy = dataclasses.replace(current_policy(), initial_review_workdays=days)
        with app.test_request_context(), force_locale("en"):  # the shipped English catalogue
            assert said in notify.render(message, policy).text
    with force_locale("zh"):
        assert "1 个工作日内" in notify.render(message, current_policy()).text


def test_working_days_take_the_english_plural_in_the_flash(app, client, applicant):
    app.config["INITIAL_REVIEW_WORKDAYS"] = 1
    filing = walk_to_confirm(client, applicant)
    client.get("/lang/en")
    response = client.post(
        f"/filings/{filing.id}/submit",
        data={"version": filing.version, "commitment": "y"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert re.search(r"usually within 1 working day\)", page), page[:2000]


def test_a_first_filings_notices_name_the_first_filing_not_an_access(app, client, applicant):
    filing = new_filings.walk_first_filing(client, applicant)
    new_filings.submit(client, filing)
    message = _told(filing, S.submitted)["email"]
    text = notify.render(message, current_policy()).text
    assert f"您的首次备案 #{filing.id} 已提交" in text and "接入备案" not in text
    with app.test_request_context(), force_locale("en"):
        english = notify.render(message, current_policy()).text
    assert f"Your order #{filing.id} (First filing) was submitted" in english
