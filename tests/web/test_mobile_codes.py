"""Mobile codes (R-PH-3, DOMAIN.md A10): a 6-digit SMS code to each responsible person's mobile of
an order when it is entered or changed in the wizard, 10 minutes, 5 tries, a new one after 60 s and
at most 5 an hour per number, kept as an HMAC; submission refused until every mobile is verified,
naming the field; a changed mobile asked again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from domain.filing import mobiles
from domain.lifecycle.states import FilingState
from extensions import db
from models import Filing, MobileCode, OutboxMessage, utcnow
from runtime.policy import current_policy
from tests.helpers.wizard import (
    QINGHE_USCC,
    SUBJECT_FORM,
    filing_id_from,
    mobile_code_sent,
    qinghe_to_subject,
    verify_mobiles,
    website_block,
)

MOBILE = SUBJECT_FORM["person_mobile"]
OTHER = "13912345678"


@pytest.fixture
def app_config() -> dict:
    return {"VERIFY_MOBILES": True}


@pytest.fixture
def draft(client, applicant) -> Filing:
    """An order filled in up to the subject step, its subject's mobile saved (a code sent)."""
    return qinghe_to_subject(client, applicant)


def verify(client, filing, code, mobile=MOBILE, htmx=False):
    return client.post(
        f"/filings/{filing.id}/mobiles/verify",
        data={"mobile": mobile, "code": code, "back": "confirm"},
        headers={"HX-Request": "true"} if htmx else {},
    )


def resend(client, filing, mobile=MOBILE):
    return client.post(
        f"/filings/{filing.id}/mobiles/send",
        data={"mobile": mobile, "back": "confirm"},
        headers={"HX-Request": "true"},
    )


def codes_sent(filing, mobile=MOBILE) -> int:
    return len(
        db.session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.filing_id == filing.id,
                OutboxMessage.template == "mobile_code",
                OutboxMessage.recipient == mobile,
            )
        ).all()
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_goes_to_the_mobile_when_it_is_entered_and_is_kept_hashed(draft):
    assert codes_sent(draft) == 1
    code = mobile_code_sent(draft, MOBILE)
    assert code is not None and len(code) == 6 and code.isdigit()
    row = db.session.scalar(select(MobileCode).where(MobileCode.filing_id == draft.id))
    assert row.mobile == MOBILE and code not in row.code_hash and len(row.code_hash) == 64
    assert (row.expires_at - row.created_at) == timedelta(minutes=10)
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "mobile_code")
    )
    assert code not in str(message.context)  # sealed in the outbox until it is sent
    assert "demo_sealed_code" not in message.context  # a demo copy only in demo mode


def test_the_panel_asks_for_the_code_and_the_right_code_verifies(client, draft):
    page = client.get(f"/filings/{draft.id}/websites").get_data(as_text=True)
    assert 'id="mobile-codes"' in page and "138****8000" in page and "待验证" in page
    response = verify(client, draft, mobile_code_sent(draft, MOBILE), htmx=True)
    assert response.status_code == 200
    assert "验证通过" in response.get_data(as_text=True) and "已验证" in response.get_data(
        as_text=True
    )
    assert mobiles.verified(draft) == {MOBILE}


def test_five_wrong_codes_end_the_code_and_a_new_one_is_needed(client, draft):
    code = mobile_code_sent(draft, MOBILE)
    for left in (4, 3, 2, 1):
        response = verify(client, draft, wrong(code), htmx=True)
        assert response.status_code == 422
        assert f"验证码不正确，还可尝试 {left} 次" in response.get_data(as_text=True)
    fifth = verify(client, draft, wrong(code), htmx=True).get_data(as_text=True)
    assert "验证码错误次数过多，请重新发送验证码" in fifth
    spent = verify(client, draft, code, htmx=True).get_data(as_text=True)  # even the right one
    assert "验证码错误次数过多" in spent and mobiles.verified(draft) == set()
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        assert "验证码已发送至 138****8000" in resend(client, draft).get_data(as_text=True)
        assert verify(client, draft, mobile_code_sent(draft, MOBILE)).status_code == 302
    assert mobiles.verified(draft) == {MOBILE}


def test_a_code_expires_after_ten_minutes(client, draft):
    code = mobile_code_sent(draft, MOBILE)
    with time_machine.travel(utcnow() + timedelta(minutes=10, seconds=1), tick=False):
        answer = verify(client, draft, code, htmx=True).get_data(as_text=True)
    assert "验证码已过期，请重新发送验证码" in answer and mobiles.verified(draft) == set()


def test_a_new_code_waits_sixty_seconds_and_a_number_gets_five_an_hour(client, draft, app):
    too_soon = resend(client, draft)
    assert too_soon.status_code == 422 and "发送过于频繁" in too_soon.get_data(as_text=True)
    start = utcnow()
    for minute in range(1, 5):  # codes 2 to 5
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            assert "验证码已发送" in resend(client, draft).get_data(as_text=True)
    first = mobile_code_sent(draft, MOBILE)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        capped = resend(client, draft).get_data(as_text=True)
        assert "本小时内接收验证码次数已达上限" in capped
        assert codes_sent(draft) == 5
        assert verify(client, draft, first).status_code == 302  # the newest code still works
    assert mobiles.verified(draft) == {MOBILE}


def test_a_changed_mobile_is_asked_again_even_changed_back(client, draft):
    verify(client, draft, mobile_code_sent(draft, MOBILE))
    assert mobiles.verified(draft) == {MOBILE}
    base = f"/filings/{draft.id}"
    assert (
        client.post(f"{base}/subject", data={**SUBJECT_FORM, "person_mobile": OTHER}).status_code
        == 302
    )
    assert codes_sent(draft, OTHER) == 1 and mobiles.verified(draft) == set()
    page = client.get(f"{base}/confirm").get_data(as_text=True)
    assert "139****5678" in page and "尚未通过短信验证" in page
    client.post(f"{base}/subject", data=SUBJECT_FORM)  # back to the first number
    assert mobiles.verified(draft) == set()
    assert "138****8000" in client.get(f"{base}/confirm").get_data(as_text=True)


def test_submission_is_refused_until_every_mobile_of_the_order_is_verified(client, draft):
    base = f"/filings/{draft.id}"
    block = website_block(
        draft, 0, person_mode="other", person_name="李小红", person_id_number="330106199003071252",
        person_mobile=OTHER, person_email="lixh@qinghe.cn",
    )  # fmt: skip
    assert client.post(f"{base}/websites", data=block).status_code == 302  # the step is not held
    assert codes_sent(draft, OTHER) == 1
    verify(client, draft, mobile_code_sent(draft, MOBILE))
    page = client.get(f"{base}/confirm").get_data(as_text=True)
    assert (
        "还有 1 处需要修改" in page
        and "网站负责人" in page
        and "139****5678 尚未通过短信验证" in page
    )
    assert "138****8000 尚未通过" not in page
    client.post(f"{base}/submit", data={"version": draft.version, "commitment": "y"})
    db.session.refresh(draft)
    assert draft.state is FilingState.draft
    verify(client, draft, mobile_code_sent(draft, OTHER), mobile=OTHER)
    assert "预检通过" in client.get(f"{base}/confirm").get_data(as_text=True)
    client.post(f"{base}/submit", data={"version": draft.version, "commitment": "y"})
    db.session.refresh(draft)
    assert draft.state is FilingState.submitted


def test_the_walking_helper_verifies_as_a_person_does(client, draft):
    verify_mobiles(client, draft)
    assert mobiles.problems(draft, current_policy()) == []


def test_a_number_that_is_not_on_the_order_gets_no_code(client, draft):
    answer = resend(client, draft, mobile="13700137000").get_data(as_text=True)
    assert "不是本备案负责人的手机号" in answer and codes_sent(draft, "13700137000") == 0


def test_demo_mode_shows_the_code_as_the_phone_got_it(client, draft, app):
    app.config["DEMO_MODE"] = True
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):  # the session's
        resend(client, draft)  # cookie is signed at this time: the test stays here
        code = mobile_code_sent(draft, MOBILE)
        page = client.get(f"/filings/{draft.id}/confirm").get_data(as_text=True)
        assert "演示环境：138****8000 收到的短信" in page and code in page
        assert code in client.get("/messages/").get_data(as_text=True)


def test_without_verify_mobiles_nothing_is_sent_or_asked(client, applicant, app):
    app.config["VERIFY_MOBILES"] = False
    response = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": QINGHE_USCC, "domain": "qinghe.cn"},
    )
    filing = db.session.get(Filing, filing_id_from(response.headers["Location"]))
    client.post(f"/filings/{filing.id}/subject", data=SUBJECT_FORM)
    assert codes_sent(filing) == 0
    assert 'id="mobile-codes"' not in client.get(f"/filings/{filing.id}/subject").get_data(
        as_text=True
    )


def test_a_number_another_subject_uses_gets_no_code_and_is_refused_at_its_field(client, draft):
    yunfan = "13916001234"  # the responsible mobile of another subject's website on the registry
    page = client.post(
        f"/filings/{draft.id}/subject", data={**SUBJECT_FORM, "person_mobile": yunfan}
    )
    assert page.status_code == 422  # the step stays, what was typed kept
    text = page.get_data(as_text=True)
    assert "手机号码已用于其他主体（139****1234）" in text and yunfan in text
    errors = re.search(r'<ul class="errors" id="person_mobile-errors">(.*?)</ul>', text, re.S)
    assert errors and "已用于其他主体" in errors.group(1)  # at the field, not only in the summary
    assert codes_sent(draft, yunfan) == 0  # no code paid for a number that can never be used
    db.session.refresh(draft)
    assert draft.subject.responsible_person.mobile == yunfan  # kept in the draft
