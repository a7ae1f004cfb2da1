"""The reviewer's reasons as the applicant reads them: "other" is the reviewer's own words (never
其他（见说明） raw), each reason names one fault, the note sits under its reasons once (not again in
the timeline), and the picker has more than three rows."""

from __future__ import annotations

import re

import pytest

from domain.lifecycle.states import Action, FilingState, Role
from domain.review.reviewing import Reason, ReviewError
from domain.rulebook.reasons import REJECTION_REASONS
from tests.helpers import transitions


def test_other_reaches_the_applicant_as_the_reviewer_wrote_it(
    client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(FilingState.submitted)
    reasons = [
        Reason("subject.mailing_address", "other", "通信地址缺少门牌号"),
        Reason("subject.responsible_person.mobile", "phone_unreachable"),
    ]
    transitions.claim_and_decide(filing, reviewer, Action.initial_reject, reasons, "请一并修改")
    login(filing.account)
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "其他" not in page and "见说明" not in page
    assert "通信地址缺少门牌号" in page and "电话无法接通" in page
    card = page.split('class="card rejection"')[1].split("</section>")[0]
    assert card.index("电话无法接通") < card.index("请一并修改")  # the note under its reasons
    assert page.count("请一并修改") == 1  # not again in the timeline


def test_other_without_words_is_refused(make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(FilingState.submitted)
    with pytest.raises(ReviewError):
        transitions.claim_and_decide(
            filing, reviewer, Action.initial_reject, [Reason("subject.name", "other", " ")]
        )


def test_each_reason_names_one_fault():
    for code, label in REJECTION_REASONS.items():
        # the compound reason of the first build named four faults joined by 、 and ；
        assert "；" not in label and label.count("、") <= 4, code
    assert {"phone_province", "phone_unreachable", "phone_taken", "contacts_repeated"} <= set(
        REJECTION_REASONS
    )


def test_the_picker_offers_more_than_three_reason_rows(client, login, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(FilingState.submitted)
    login(reviewer)
    client.post(f"/review/filings/{filing.id}/claim")
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    rows = set(re.findall(r'name="reasons-(\d+)-code"', page))
    assert len(rows) >= 6 and 'class="more-reasons"' in page


def test_the_review_trail_names_fields_by_label_not_by_path(client, login, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(FilingState.submitted)
    reasons = [
        Reason("subject.responsible_person", "phone_unreachable"),
        Reason("materials.business_licence", "documents"),
    ]
    transitions.claim_and_decide(filing, reviewer, Action.initial_reject, reasons)
    login(reviewer)
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert "<code>subject.responsible_person</code>" not in page
    assert "<code>materials.business_licence</code>" not in page
    assert "营业执照或单位证件" in page and "主体负责人" in page
