"""A website's remark (网站备注), as the subject has one: typed in the wizard's website step and in
a change of website, trimmed and at most 200 characters, shown on the confirmation, the status
page and the review screen, kept with each submission, never in the API's A2 document."""

from __future__ import annotations

import copy
from dataclasses import asdict

from sqlalchemy import select

from domain.filing import filings
from domain.lifecycle.states import FilingState, OrderKind, Role
from domain.review.changes import compare
from extensions import db
from models import Filing, SubmissionSnapshot
from tests.helpers.orders import ORDER_PATH, SUBJECT, WEBSITE, walk
from tests.helpers.wizard import walk_to_confirm, website_block

REMARK = "网站尚在建设中，首页为公司简介"


def _with_remark(client, filing, remark: str):
    return client.post(
        f"/filings/{filing.id}/websites", data=website_block(filing, 0, remark=remark)
    )


def test_the_website_step_keeps_a_trimmed_remark_per_website(client, applicant):
    filing = walk_to_confirm(client, applicant)
    page = client.get(f"/filings/{filing.id}/websites").get_data(as_text=True)
    assert 'name="websites-0-remark"' in page and "网站备注" in page
    assert _with_remark(client, filing, f"  {REMARK}  ").status_code == 302
    db.session.refresh(filing)
    assert filing.websites[0].remark == REMARK
    page = client.get(f"/filings/{filing.id}/websites").get_data(as_text=True)
    assert f"{REMARK}</textarea>" in page


def test_an_over_long_website_remark_is_the_fields_error(client, applicant):
    filing = walk_to_confirm(client, applicant)
    response = _with_remark(client, filing, "备" * 201)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page[page.index('id="field-websites-0-remark"') :]
    assert "最多 200 个字符" in field[: field.index("</div>")]
    assert _with_remark(client, filing, "备" * 200).status_code == 302


def test_the_remark_is_on_the_confirmation_the_status_page_and_the_review_screen(
    client, applicant, make_user, login
):
    filing = walk_to_confirm(client, applicant)
    _with_remark(client, filing, REMARK)
    confirm = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    assert f'<dd class="website-remark">{REMARK}</dd>' in confirm
    db.session.refresh(filing)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    status = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert f'<dd class="website-remark">{REMARK}</dd>' in status
    client.post("/auth/logout")
    login(make_user(Role.reviewer))
    review = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert f'id="website-remark-{filing.websites[0].id}">{REMARK}</dd>' in review


def test_the_remark_is_kept_with_the_submission_but_stays_out_of_the_a2_document(client, applicant):
    filing = walk_to_confirm(client, applicant)
    _with_remark(client, filing, REMARK)
    db.session.refresh(filing)
    assert "remark" not in asdict(filings.to_application(filing))["websites"][0]  # the API's A2
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    kept = db.session.scalar(
        select(SubmissionSnapshot).where(SubmissionSnapshot.filing_id == filing.id)
    )
    assert kept.application["websites"][0]["remark"] == REMARK


def test_a_resubmission_names_a_changed_remark_and_an_older_snapshot_none(client, applicant):
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    kept = db.session.scalar(
        select(SubmissionSnapshot).where(SubmissionSnapshot.filing_id == filing.id)
    )
    older = copy.deepcopy(kept.application)
    del older["websites"][0]["remark"]  # kept before websites had a remark
    newer = copy.deepcopy(kept.application)
    assert not compare(SubmissionSnapshot(application=older, materials=[]),
                       SubmissionSnapshot(application=newer, materials=[]), str)  # fmt: skip
    newer["websites"][0]["remark"] = REMARK
    changes = compare(SubmissionSnapshot(application=older, materials=[]),
                      SubmissionSnapshot(application=newer, materials=[]), str)  # fmt: skip
    [change] = changes.fields
    assert change.label == f"{filing.websites[0].name} · 备注" and change.new == REMARK


def _change_of_website(client) -> Filing:
    client.post(
        "/records/open", data={"kind": "change_website", "subject": SUBJECT, "website": WEBSITE}
    )
    return db.session.scalar(
        select(Filing).where(Filing.kind == OrderKind.change_website).order_by(Filing.id.desc())
    )


def test_a_change_of_website_changes_its_remark_alone_and_the_record_keeps_it(
    client, applicant, held
):
    _filing, reviewer = held
    order = _change_of_website(client)
    page = client.get(f"/records/orders/{order.id}/edit").get_data(as_text=True)
    assert 'name="remark"' in page and "网站备注" in page
    typed = {"name": order.websites[0].name, "domains": "qinghe.cn\nqinghe.com.cn",
             "service_types": "website", "languages": "zh-Hans", "person_mode": "subject",
             "content_types": list(order.websites[0].content_types or [])}  # fmt: skip
    saved = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "save", **typed, "remark": f" {REMARK} "},
    )
    assert saved.status_code == 302
    db.session.refresh(order)
    assert order.websites[0].remark == REMARK and order.changed_items == ["website_remark"]
    page = client.get(f"/records/orders/{order.id}/edit").get_data(as_text=True)
    assert f"<ins>{REMARK}</ins>" in page  # old → new
    too_long = client.post(
        f"/records/orders/{order.id}/edit", data={"action": "save", **typed, "remark": "备" * 201}
    )
    assert too_long.status_code == 422 and "网站备注最多 200 个字符" in too_long.get_data(
        as_text=True
    )
    submitted = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "submit", "version": order.version, "commitment": "y", **typed,
              "remark": REMARK},
    )  # fmt: skip
    assert submitted.status_code == 302
    db.session.refresh(order)
    assert order.state is FilingState.submitted
    walk(order, ORDER_PATH, applicant, reviewer)
    assert order.state is FilingState.approved
    again = _change_of_website(client)
    assert again.id != order.id and again.websites[0].remark == REMARK  # copied from the record
