"""The truthfulness commitment (承诺) ticked at submission: asked above the submit button of the
wizard's confirmation and of a change of subject or website, refused under the box when not ticked
(the draft kept, nothing filed), and kept in the submission's audit event for the reviewer."""

from __future__ import annotations

from sqlalchemy import select

from domain.filing import commitment
from domain.lifecycle.states import FilingState, OrderKind, Role
from extensions import db
from models import AuditEvent, Filing
from tests.helpers.orders import SUBJECT, WEBSITE
from tests.helpers.wizard import walk_to_confirm

BOX = 'name="commitment"'
PROMISE = "本人承诺所填写的备案信息真实、准确、完整"


def _submits(filing: Filing) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.filing_id == filing.id, AuditEvent.action == "submit"
            )
        )
    )


def test_the_confirmation_asks_for_the_commitment_before_the_submit_button(client, applicant):
    filing = walk_to_confirm(client, applicant)
    page = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    box = page.index(BOX)
    assert PROMISE in page and box < page.index('id="submit-filing"')
    assert "required" in page[page.rindex("<input", 0, box) : page.index(">", box)]


def test_a_submission_without_the_commitment_is_refused_under_the_box_and_files_nothing(
    client, applicant
):
    filing = walk_to_confirm(client, applicant)
    response = client.post(f"/filings/{filing.id}/submit", data={"version": filing.version})
    assert response.status_code == 422  # the confirmation again, not a server error or a 400
    page = response.get_data(as_text=True)
    errors = page[page.index('id="commitment-errors"') :]
    assert "请先勾选“本人承诺所填写的备案信息真实、准确、完整”，再提交" in errors[:300]
    assert 'aria-invalid="true"' in page[page.rindex("<input", 0, page.index(BOX)) :][:300]
    db.session.refresh(filing)
    assert filing.state is FilingState.draft and not _submits(filing)
    assert 'id="submit-filing"' in page  # submitted from the same page once ticked


def test_the_ticked_commitment_files_once_and_is_kept_in_the_submit_event(client, applicant):
    filing = walk_to_confirm(client, applicant)
    version = filing.version
    for _ in range(2):  # a double click: the second finds it submitted
        response = client.post(
            f"/filings/{filing.id}/submit", data={"version": version, "commitment": "y"}
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/filings/{filing.id}")
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted
    [event] = _submits(filing)
    assert event.data["commitment"] == commitment.TEXT


def test_the_reviewer_reads_that_the_commitment_was_ticked(client, applicant, make_user, login):
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    client.post("/auth/logout")
    login(make_user(Role.reviewer))
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert "申请人已勾选信息真实性承诺" in page


def test_the_commitment_and_its_refusal_read_in_english(client, applicant):
    filing = walk_to_confirm(client, applicant)
    client.get("/lang/en")
    page = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    assert "I promise that the filing information I have entered is true, accurate" in page
    refused = client.post(f"/filings/{filing.id}/submit", data={"version": filing.version})
    assert "before you submit" in refused.get_data(as_text=True)


def _change_of_website(client) -> Filing:
    client.post(
        "/records/open", data={"kind": "change_website", "subject": SUBJECT, "website": WEBSITE}
    )
    return db.session.scalar(
        select(Filing).where(Filing.kind == OrderKind.change_website).order_by(Filing.id.desc())
    )


def test_a_change_is_submitted_only_with_the_commitment_and_keeps_what_was_typed(
    client, applicant, held
):
    order = _change_of_website(client)
    page = client.get(f"/records/orders/{order.id}/edit").get_data(as_text=True)
    assert BOX in page and page.index(BOX) < page.index('id="submit-change"')
    typed = {"name": "青禾科技", "domains": "qinghe.cn", "service_types": "website",
             "languages": "zh-Hans", "person_mode": "subject",
             "content_types": list(order.websites[0].content_types or [])}  # fmt: skip
    refused = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "submit", "version": order.version, **typed},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "请先勾选“本人承诺所填写的备案信息真实、准确、完整”，再提交" in page
    db.session.refresh(order)
    assert order.state is FilingState.draft and not _submits(order)
    assert order.websites[0].name == "青禾科技"  # the edit is saved, only the submission refused
    submitted = client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "submit", "version": order.version, "commitment": "y", **typed},
    )
    assert submitted.status_code == 302
    db.session.refresh(order)
    assert order.state is FilingState.submitted
    assert _submits(order)[0].data["commitment"] == commitment.TEXT


def test_a_change_sent_through_the_resubmit_address_needs_the_commitment_too(
    client, applicant, held
):
    order = _change_of_website(client)
    client.post(
        f"/records/orders/{order.id}/edit",
        data={"action": "save", "name": "青禾科技", "domains": "qinghe.cn",
              "service_types": "website", "languages": "zh-Hans", "person_mode": "subject",
              "content_types": list(order.websites[0].content_types or [])},
    )  # fmt: skip
    db.session.refresh(order)
    client.post(f"/records/orders/{order.id}/submit", data={"version": order.version})
    db.session.refresh(order)
    assert order.state is FilingState.draft and not _submits(order)
