"""The SMS page's resend button: disabled with the seconds left while the resend interval runs,
enabled after it, disabled with the reason at the round's cap; the resend endpoint still refuses
an early click on its own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from domain.lifecycle.states import FilingState, Role
from extensions import db
from models import utcnow
from tests.helpers.wizard import load_demo

READY = "没有收到？重新发送验证码"


@pytest.fixture
def waiting(app, make_filing, make_user, login):
    """A filing whose first code just went out (a 60 s interval, a cap of 5), its owner logged in."""
    app.config.update(SMS_RESEND_SECONDS=60, SMS_SEND_CAP=5)
    load_demo()
    owner = make_user(Role.applicant)
    filing = make_filing(FilingState.sms_pending, owner=owner)
    login(owner)
    # The code goes out after the login: the tests travel to seconds after it, and a session cookie
    # signed later than that instant would be refused as from the future (on a slow machine).
    db.session.refresh(filing)
    filing.sms_sent_at = utcnow()
    db.session.commit()
    return filing


def resend_form(client, filing) -> str:
    """The resend form's markup, as the SMS page renders it."""
    page = client.get(f"/filings/{filing.id}/sms").get_data(as_text=True)
    return page.split(f'action="/filings/{filing.id}/sms/resend"')[1].split("</form>")[0]


def resend_button(client, filing) -> tuple[str, str]:
    """The resend form's <button> start tag and its text."""
    tag, text = re.search(
        r"(<button[^>]*>)(.*?)</button>", resend_form(client, filing), re.S
    ).groups()
    return tag, text.strip()


def test_right_after_a_code_the_button_is_disabled_with_the_seconds_left(client, waiting):
    with time_machine.travel(waiting.sms_sent_at + timedelta(seconds=2), tick=False):
        tag, text = resend_button(client, waiting)
    assert " disabled" in tag
    assert text == "重新发送（58 秒）"
    assert 'data-resend-seconds="58"' in tag  # where app.js counts down from
    assert 'data-resend-wait="重新发送（{seconds} 秒）"' in tag
    assert f'data-resend-ready="{READY}"' in tag


def test_once_the_interval_is_over_the_button_is_enabled(client, waiting):
    with time_machine.travel(waiting.sms_sent_at + timedelta(seconds=60), tick=False):
        tag, text = resend_button(client, waiting)
    assert "disabled" not in tag and "data-resend-seconds" not in tag
    assert text == READY


def test_an_early_resend_is_still_refused_by_the_server(client, waiting):
    start = waiting.sms_sent_at
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        response = client.post(f"/filings/{waiting.id}/sms/resend", follow_redirects=True)
        page = response.get_data(as_text=True)
        tag, text = resend_button(client, waiting)
    db.session.refresh(waiting)
    assert "发送过于频繁，请 50 秒后再试" in page
    assert waiting.sms_sends == 1 and waiting.sms_sent_at == start
    assert " disabled" in tag and text == "重新发送（50 秒）"


def test_a_resend_starts_the_countdown_again(client, waiting):
    later = waiting.sms_sent_at + timedelta(seconds=90)
    with time_machine.travel(later, tick=False):
        response = client.post(f"/filings/{waiting.id}/sms/resend", follow_redirects=True)
        tag, text = resend_button(client, waiting)
    db.session.refresh(waiting)
    assert "已重新发送验证码" in response.get_data(as_text=True) and waiting.sms_sends == 2
    assert " disabled" in tag and text == "重新发送（60 秒）"


def test_at_the_cap_the_button_stays_disabled_and_says_why(app, client, waiting):
    app.config["SMS_SEND_CAP"] = 1  # the round's first code was the only one allowed
    with time_machine.travel(waiting.sms_sent_at + timedelta(minutes=5), tick=False):
        form = resend_form(client, waiting)
        response = client.post(f"/filings/{waiting.id}/sms/resend", follow_redirects=True)
    tag, text = re.search(r"(<button[^>]*>)(.*?)</button>", form, re.S).groups()
    assert " disabled" in tag and "data-resend-seconds" not in tag  # app.js never enables it
    assert 'aria-describedby="resend-capped"' in tag and text == READY
    assert '<p id="resend-capped" class="hint">本轮验证码发送次数已达上限，请联系客服</p>' in form
    assert "本轮验证码发送次数已达上限" in response.get_data(as_text=True)  # the server's refusal
