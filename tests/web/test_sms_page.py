"""The SMS code page with two phones: one code field per phone, each with its own id, and a wrong
code's error only under the phone it was typed for."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from adapters.console import LogEmailSender, LogSmsGateway
from domain.lifecycle.states import FilingState
from domain.support import sealing
from extensions import db
from models import OutboxMessage, SmsChallenge, utcnow
from runtime import notify
from runtime.policy import current_policy
from tests.helpers.wizard import load_demo


def test_two_phones_have_their_own_field_and_their_own_error(client, login, make_filing):
    filing = make_filing(FilingState.sms_pending)
    for challenge in db.session.scalars(
        select(SmsChallenge).where(SmsChallenge.filing_id == filing.id)
    ):
        challenge.closed_at = utcnow()
    phones = [
        SmsChallenge(filing_id=filing.id, code_hash="x", mobile=mobile,
                     expires_at=utcnow() + timedelta(hours=24))
        for mobile in ("13800138001", "13900139002")
    ]  # fmt: skip
    db.session.add_all(phones)
    db.session.commit()
    login(filing.account)
    page = client.get(f"/filings/{filing.id}/sms").get_data(as_text=True)
    ids = re.findall(r'<input[^>]*\bid="(code[^"]*)"', page)
    assert ids == [f"code-{phones[0].id}", f"code-{phones[1].id}"]
    assert f'<label for="code-{phones[1].id}">' in page
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # no id twice (the CSRF token's included)
    response = client.post(
        f"/filings/{filing.id}/sms", data={"challenge_id": phones[1].id, "code": "000000"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    forms = page.split('class="sms-form"')[1:]
    assert "验证码不正确" not in forms[0] and "验证码不正确" in forms[1]
    assert page.count('aria-invalid="true"') == 1


# --- the demo's "what the phone got" box, once the outbox worker has sent the code --------------


def _sent_code_and_row(filing):
    row = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.filing_id == filing.id, OutboxMessage.template == "sms_code")
        .order_by(OutboxMessage.id.desc())
    ).first()
    return sealing.unseal(row.context["sealed_code"], current_policy().secret_key), row


def _send_everything():
    notify.dispatch_pending(LogSmsGateway(), LogEmailSender(), policy=current_policy())


def test_the_demo_sms_page_still_shows_the_code_after_it_was_sent(app, client, login, make_filing):
    load_demo()
    app.config["DEMO_MODE"] = True
    filing = make_filing(FilingState.sms_pending)
    code, row = _sent_code_and_row(filing)
    _send_everything()
    db.session.refresh(row)
    assert row.status == "sent" and "sealed_code" not in row.context  # the sender's copy is gone
    login(filing.account)
    page = client.get(f"/filings/{filing.id}/sms").get_data(as_text=True)
    box = page.split('class="flash demo-sms"')[1]
    assert code in box and "******" not in box


def test_without_demo_mode_nothing_recoverable_is_left_once_sent(app, client, login, make_filing):
    load_demo()
    assert not app.config["DEMO_MODE"]
    filing = make_filing(FilingState.sms_pending)
    code, row = _sent_code_and_row(filing)
    _send_everything()
    db.session.refresh(row)
    assert row.status == "sent"
    assert not any("sealed" in key for key in row.context)  # no sealed copy left to unseal
    assert code not in str(row.context)
    app.config["DEMO_MODE"] = True  # even a demo box turned on later has nothing to show
    login(filing.account)
    page = client.get(f"/filings/{filing.id}/sms").get_data(as_text=True)
    assert code not in page


# --- a double click on 提交验证码 -----------------------------------------------------------------


def test_the_same_right_code_sent_twice_answers_with_the_success_both_times(
    client, login, make_filing
):
    load_demo()
    filing = make_filing(FilingState.sms_pending)
    code, row = _sent_code_and_row(filing)
    challenge = db.session.scalars(
        select(SmsChallenge).where(
            SmsChallenge.filing_id == filing.id, SmsChallenge.closed_at.is_(None)
        )
    ).one()
    login(filing.account)
    sent = {"challenge_id": challenge.id, "code": code}
    first = client.post(f"/filings/{filing.id}/sms", data=sent)
    second = client.post(f"/filings/{filing.id}/sms", data=sent)  # the double click
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"] == f"/filings/{filing.id}"
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert page.count("短信核验通过，已提交管局审核") == 2  # both requests flashed it
    db.session.refresh(filing)
    assert filing.state is FilingState.bureau_review
    # a wrong code after it is not taken for the right one
    wrong = client.post(f"/filings/{filing.id}/sms", data={**sent, "code": "000000"})
    assert wrong.status_code == 422


def test_the_code_form_disables_its_button_on_submit(client, login, make_filing):
    load_demo()
    filing = make_filing(FilingState.sms_pending)
    login(filing.account)
    page = client.get(f"/filings/{filing.id}/sms").get_data(as_text=True)
    assert 'class="sms-form" data-once' in page


def test_each_number_says_which_website_it_answers_for(app, client, login, make_filing):
    load_demo()
    filing = make_filing(FilingState.sms_pending)
    for challenge in db.session.scalars(
        select(SmsChallenge).where(SmsChallenge.filing_id == filing.id)
    ):
        challenge.closed_at = utcnow()
    db.session.add(  # the mobile on record of qinghe.cn's website (R-S-5)
        SmsChallenge(filing_id=filing.id, code_hash="x", mobile="13800138001",
                     expires_at=utcnow() + timedelta(hours=24))
    )  # fmt: skip
    db.session.commit()
    login(filing.account)
    page = client.get(f"/filings/{filing.id}/sms").get_data(as_text=True)
    assert "138****8001</strong>（网站：青禾科技官网）" in page
