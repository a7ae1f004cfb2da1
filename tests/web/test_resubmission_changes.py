"""A resubmission shows the reviewer what changed since the submission before it: the
changed fields by their labels with old and new values, the replaced materials; nothing more, and
no card (and no query for it) on a first submission."""

from __future__ import annotations

import re

import pytest
from flask import current_app
from sqlalchemy import event, select

from domain.accounts import privacy
from domain.filing import filings, materials
from domain.lifecycle.states import Action, FilingState, Role
from domain.review.reviewing import Reason
from extensions import db
from models import SubmissionSnapshot, Website, utcnow
from runtime import storage_for
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.app import PASSWORD
from tests.helpers.wizard import image_bytes, subject_form, walk_to_confirm


@pytest.fixture
def reviewer(app, make_user):
    return make_user(Role.reviewer)


@pytest.fixture
def staff(app, reviewer):
    """A second browser, the reviewer's, beside the applicant's `client`."""
    browser = app.test_client()
    response = browser.post("/auth/login", data={"email": reviewer.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def submit(client, filing) -> None:
    db.session.refresh(filing)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted


def upload(filing, kind, data, website_id=None) -> None:
    """An upload as the materials page makes it (the use case, under the applicant's name)."""
    website = db.session.get(Website, website_id) if website_id else None
    store = storage_for(current_app.config)
    materials.upload(store, filing, kind, website, data, "photo.png", filing.account)
    db.session.commit()


def submit_materials(client, filing) -> None:
    db.session.refresh(filing)
    client.post(f"/filings/{filing.id}/materials/submit", data={"version": filing.version})
    db.session.refresh(filing)
    assert filing.state is FilingState.re_review


@pytest.fixture
def in_re_review(client, applicant, reviewer):
    """Submitted, passed initial review, every material uploaded and the website verified."""
    filing = walk_to_confirm(client, applicant)
    submit(client, filing)
    transitions.apply(filing, Action.initial_approve, reviewer)
    db.session.commit()
    for requirement in materials.required_materials(filing):
        upload(filing, requirement.kind, image_bytes("JPEG"), requirement.website_id)
    filing.websites[0].authenticity_verified_at = utcnow()  # verified on the phone
    db.session.commit()
    submit_materials(client, filing)
    return filing


def card(page: str) -> str:
    found = re.search(r'<section class="card" id="changes">(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


def rows(section: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'<tr class="differs"><th>(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>', section
    )


def test_a_first_submission_has_no_card_and_costs_no_query(app, client, applicant, staff):
    filing = walk_to_confirm(client, applicant)
    submit(client, filing)
    assert len(db.session.scalars(select(SubmissionSnapshot)).all()) == 1
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = staff.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert "自上次提交以来的修改" not in page and 'id="changes"' not in page
    assert not [s for s in statements if "submission_snapshots" in s]


def test_a_resubmission_after_a_return_shows_exactly_the_changed_fields(
    client, in_re_review, reviewer, staff
):
    filing = in_re_review
    transitions.claim_and_decide(filing, reviewer, Action.return_for_edits,
        [Reason("subject.mailing_address", "", "通信地址请写到门牌号")])  # fmt: skip
    form = subject_form(filing.province)
    edited = {**form, "mailing_address": form["mailing_address"] + " 501 室",
              "person_mobile": "13900139000"}  # fmt: skip
    assert client.post(f"/filings/{filing.id}/subject", data=edited).status_code == 302
    submit(client, filing)
    section = card(staff.get(f"/review/filings/{filing.id}").get_data(as_text=True))
    assert section, "the card is shown"
    assert sorted(rows(section)) == sorted([
        ("通信地址", form["mailing_address"], edited["mailing_address"]),
        ("主体负责人 · 手机号码", form["person_mobile"], "13900139000"),
    ])  # fmt: skip
    assert "资料" not in section and "网站" not in section  # no material, no website changed


def test_an_unchanged_resubmission_says_nothing_changed(client, in_re_review, reviewer, staff):
    filing = in_re_review
    transitions.claim_and_decide(filing, reviewer, Action.return_for_edits,
        [Reason("subject.mailing_address", "", "请核对")])  # fmt: skip
    submit(client, filing)
    section = card(staff.get(f"/review/filings/{filing.id}").get_data(as_text=True))
    assert "与上次提交相比没有修改" in section and rows(section) == []
    assert "资料" not in section


def test_materials_sent_again_after_a_re_rejection_show_the_replaced_one(
    client, in_re_review, reviewer, staff
):
    filing = in_re_review
    transitions.claim_and_decide(filing, reviewer, Action.re_reject,
        [Reason("materials.id_front", "", "身份证照片反光")])  # fmt: skip
    upload(filing, "id_front", image_bytes("PNG", color=(10, 200, 10)))
    submit_materials(client, filing)
    section = card(staff.get(f"/review/filings/{filing.id}").get_data(as_text=True))
    assert rows(section) == []
    replaced = re.search(r'<dd id="changes-replaced">(.*?)</dd>', section).group(1)
    assert replaced == "负责人身份证人像面"
    assert "<dt>新上传的资料</dt>" not in section and "<dt>不再提交的资料</dt>" not in section


def test_the_card_speaks_english_too(client, in_re_review, reviewer, staff):
    filing = in_re_review
    transitions.claim_and_decide(filing, reviewer, Action.return_for_edits,
        [Reason("subject.mailing_address", "", "请核对")])  # fmt: skip
    submit(client, filing)
    staff.get("/lang/en")
    page = staff.get(f"/review/filings/{filing.id}")
    assert page.status_code == 200 and 'id="changes"' in page.get_data(as_text=True)


def test_deleting_the_account_deletes_the_snapshots_of_its_withdrawn_filing(app, client, applicant):
    filing = walk_to_confirm(client, applicant)
    submit(client, filing)
    filings.withdraw(filing, applicant, current_policy())
    db.session.commit()
    privacy.delete_account(applicant, storage_for(current_app.config))
    db.session.commit()
    assert db.session.scalars(select(SubmissionSnapshot)).all() == []


def test_the_first_re_review_says_the_materials_are_new_not_unchanged(in_re_review, staff):
    """Materials first sent (none at initial review): not "no change" but a first submission."""
    section = card(staff.get(f"/review/filings/{in_re_review.id}").get_data(as_text=True))
    assert 'id="changes-none"' not in section
    assert 'id="changes-first-materials"' in section and "资料的首次提交" in section
