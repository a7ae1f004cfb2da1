"""The SMS code page with two phones: one code field per phone, each with its own id, and a wrong
code's error only under the phone it was typed for."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from domain.lifecycle.states import FilingState
from extensions import db
from models import SmsChallenge, utcnow


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
