"""The review screen as a new reviewer met it: the 其他 error at its own text input, each field's
reasons first in the picker, where a decision lands, and the rejection reasons in the
applicant's timeline."""

from __future__ import annotations

import html
import json
import re

from domain.lifecycle.states import Action, FilingState, Role
from domain.review.reviewing import Reason
from domain.rulebook.reasons import OTHER, REJECTION_REASONS, reasons_for
from extensions import db
from tests.helpers import transitions

S = FilingState


def claimed(client, login, filing, reviewer) -> None:
    login(reviewer)
    assert client.post(f"/review/filings/{filing.id}/claim").status_code == 302
    db.session.refresh(filing)


def test_other_without_words_is_told_at_the_reasons_text_input(
    client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.submitted, reviewer=reviewer)
    claimed(client, login, filing, reviewer)
    response = client.post(f"/review/filings/{filing.id}/decide", data={
        "version": filing.version, "action": "initial_reject",
        "reasons-0-field": "subject.mailing_address", "reasons-0-code": "domain_unverified",
        "reasons-1-field": "subject.name", "reasons-1-code": OTHER, "reasons-1-text": "",
    })  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "处理结果：选择" not in page  # not under the action select any more
    row = page.split('id="reasons-1-text"')[0].rsplit('<div class="reason-row', 1)[1]
    assert row.startswith(" text-error")  # the row's text input is marked, not its selects
    text_input = re.search(r'<input[^>]*id="reasons-1-text"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in text_input
    assert 'aria-describedby="reasons-1-text-errors"' in text_input
    errors = page.split('id="reasons-1-text-errors">')[1].split("</ul>")[0]
    assert "补充说明：选择“其他”时，请在补充说明中写明原因" in errors
    assert 'more-reasons" open' in page  # the second row is out of its fold to be seen
    db.session.refresh(filing)
    assert filing.state is S.submitted


def test_each_field_has_its_own_reasons_and_other_everywhere():
    address = reasons_for("subject.mailing_address")
    assert {"address_incomplete", "address_mismatch"} <= set(address)
    assert "domain_unverified" not in address and "phone_unreachable" not in address
    assert "domain_unverified" in reasons_for("websites[1].domains")
    assert "documents" in reasons_for("websites[0].materials.id_front")
    assert reasons_for("websites[0].authenticity") == ("face_check", OTHER)
    assert reasons_for("") == tuple(REJECTION_REASONS)  # the filing as a whole: every reason
    for field in ("subject.name", "materials.id_front", "websites[0].responsible_person"):
        assert reasons_for(field)[-1] == OTHER
        assert set(reasons_for(field)) <= set(REJECTION_REASONS)


def test_the_picker_knows_each_fields_reasons(client, login, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.submitted, reviewer=reviewer)
    claimed(client, login, filing, reviewer)
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    attribute = re.search(r'data-field-reasons="([^"]+)"', page).group(1)
    known = json.loads(html.unescape(attribute))
    assert known["subject.mailing_address"] == list(reasons_for("subject.mailing_address"))
    assert known["websites[0].domains"][0] == "domain_unverified"
    assert "地址不详细" in page  # the new address reasons are in the list


def test_a_decision_that_keeps_the_claim_lands_on_the_filing(client, login, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.re_review, reviewer=reviewer)
    claimed(client, login, filing, reviewer)
    response = client.post(f"/review/filings/{filing.id}/decide",
                           data={"version": filing.version, "action": "re_approve"})  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/review/filings/{filing.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="decide"' in page and "提交管局" in page  # the next stage, still claimed


def test_a_decision_that_releases_the_claim_lands_on_the_queue(
    client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.submitted, reviewer=reviewer)
    claimed(client, login, filing, reviewer)
    response = client.post(f"/review/filings/{filing.id}/decide", data={
        "version": filing.version, "action": "initial_reject", "note": "请修改",
    })  # fmt: skip
    assert response.status_code == 302 and "/review/filings/" not in response.headers["Location"]


def test_the_applicants_timeline_keeps_an_earlier_rejections_reasons(
    client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.submitted, reviewer=reviewer)
    reasons = [Reason("subject.mailing_address", "address_incomplete", "缺少门牌号")]
    transitions.claim_and_decide(filing, reviewer, Action.initial_reject, reasons, "请修改")
    transitions.apply(filing, Action.submit, filing.account)  # fixed and sent again
    db.session.commit()
    login(filing.account)
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    progress = page.split("<h2>进度</h2>")[1]
    entry = progress.split("初审驳回")[1].split("</li>\n")[0]
    assert "通信地址" in entry and "地址不详细" in entry and "缺少门牌号" in entry
    assert "请修改" in entry
