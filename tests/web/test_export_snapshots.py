"""The personal-data export carries what each submission sent for review (the submission
snapshots), only the applicant's own; deleting the account deletes the snapshots of the filings it
deletes and keeps those of the filings it keeps."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

import pytest
from flask import current_app
from sqlalchemy import select

from domain.accounts import privacy
from domain.filing import filings, materials
from domain.lifecycle.states import Action, FilingState, Role
from domain.review import reviewing
from domain.review.reviewing import Reason
from domain.support import outbox
from extensions import db
from models import Filing, ProvinceRule, SubmissionSnapshot, Website, utcnow
from runtime import storage_for
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.wizard import SUBJECT_FORM, image_bytes, subject_form, walk_to_confirm


@pytest.fixture
def reviewer(app, make_user):
    return make_user(Role.reviewer)


def submit(client, filing: Filing) -> None:
    db.session.refresh(filing)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted


def upload_all(filing: Filing) -> set[str]:
    """Every required material, each a distinct image, uploaded under the applicant's name."""
    store = storage_for(current_app.config)
    sent: set[str] = set()
    for number, requirement in enumerate(materials.required_materials(filing)):
        website = (
            db.session.get(Website, requirement.website_id) if requirement.website_id else None
        )
        data = image_bytes("PNG", size=(400, 300), color=(10 * number, 40, 90))
        materials.upload(store, filing, requirement.kind, website, data, "p.png", filing.account)
        sent.add(requirement.kind)
    db.session.commit()
    return sent


def export(client) -> tuple[zipfile.ZipFile, dict]:
    response = client.post("/account/privacy/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return archive, json.loads(archive.read("data.json"))


def test_the_export_holds_each_submission_as_sent_with_its_materials(
    client, applicant, reviewer, make_filing
):
    filing = walk_to_confirm(client, applicant)
    submit(client, filing)  # 1: the application, no materials yet
    transitions.apply(filing, Action.initial_approve, reviewer)
    db.session.commit()
    sent = upload_all(filing)
    filing.websites[0].authenticity_verified_at = utcnow()
    db.session.commit()
    client.post(f"/filings/{filing.id}/materials/submit", data={"version": filing.version})
    db.session.refresh(filing)
    assert filing.state is FilingState.re_review  # 2: with the materials
    policy = current_policy()
    assert reviewing.claim(filing, reviewer, policy)
    reviewing.decide(filing, reviewer, Action.return_for_edits, policy=policy,
                     expected_version=filing.version,
                     reasons=[Reason("subject.responsible_person.mobile", "", "请核对")])  # fmt: skip
    db.session.commit()
    edited = {**subject_form(filing.province), "person_mobile": "13900139000"}
    assert client.post(f"/filings/{filing.id}/subject", data=edited).status_code == 302
    submit(client, filing)  # 3: resubmitted with the new mobile
    # another applicant's filing and its snapshot: not in this export
    stranger = make_filing(FilingState.submitted)
    db.session.add(SubmissionSnapshot(
        filing_id=stranger.id, submitted_at=utcnow(),
        application={"subject": {"name": "别人的主体", "responsible_person": {"mobile": "13700137000"}}},
        materials=[],
    ))  # fmt: skip
    db.session.commit()

    archive, data = export(client)

    assert [f["id"] for f in data["filings"]] == [filing.id]
    submissions = data["filings"][0]["submissions"]
    assert len(submissions) == 3
    recorded = db.session.scalars(
        select(SubmissionSnapshot.submitted_at)
        .where(SubmissionSnapshot.filing_id == filing.id)
        .order_by(SubmissionSnapshot.id)
    ).all()
    assert [s["submitted_at"] for s in submissions] == [at.isoformat() for at in recorded]
    assert all(datetime.fromisoformat(s["submitted_at"]).tzinfo for s in submissions)
    people = [s["application"]["subject"]["responsible_person"] for s in submissions]
    assert [p["mobile"] for p in people] == ["13800138000", "13800138000", "13900139000"]
    # in full, as the filing's own rows are exported
    assert {p["id_number"] for p in people} == {SUBJECT_FORM["person_id_number"]}
    assert "qinghe.cn" in submissions[0]["application"]["websites"][0]["domains"]
    assert submissions[0]["materials"] == []
    by_kind = {m["kind"]: m for m in submissions[1]["materials"]}
    assert sent and set(by_kind) == sent
    second = db.session.scalars(
        select(SubmissionSnapshot).where(SubmissionSnapshot.filing_id == filing.id)
    ).all()[1]
    store = storage_for(current_app.config)
    for held in second.materials:  # each points at the very image it sent, packed in the zip
        exported = by_kind[held["kind"]]
        assert exported["sha256"] == held["sha256"]
        assert archive.read(exported["file"]) == store.get(held["storage_key"])
    assert submissions[2]["materials"] == submissions[1]["materials"]
    text = archive.read("data.json").decode()
    assert "别人的主体" not in text and "13700137000" not in text
    assert "storage_key" not in text and "hash" not in text


def test_a_filing_never_submitted_exports_no_submissions(client, applicant):
    walk_to_confirm(client, applicant)
    _, data = export(client)
    assert data["filings"][0]["submissions"] == []


def test_deleting_the_account_deletes_the_snapshots_of_deleted_filings_only(
    app, client, applicant, make_filing
):
    withdrawn = walk_to_confirm(client, applicant)
    submit(client, withdrawn)
    filings.withdraw(withdrawn, applicant, current_policy())
    approved = make_filing(FilingState.approved, owner=applicant)  # a filing record kept
    db.session.add(SubmissionSnapshot(filing_id=approved.id, submitted_at=utcnow()))
    db.session.commit()
    gone_id, kept_id = withdrawn.id, approved.id

    privacy.delete_account(applicant, storage_for(current_app.config))
    db.session.commit()

    left = db.session.scalars(select(SubmissionSnapshot)).all()
    assert [s.filing_id for s in left] == [kept_id]
    assert db.session.get(Filing, gone_id) is None
    assert not any(SUBJECT_FORM["person_id_number"] in json.dumps(s.application) for s in left)


def test_the_export_leaves_out_the_provinces_staff_notes_and_masks_the_sms_mobile(
    client, applicant
):
    filing = walk_to_confirm(client, applicant)
    submit(client, filing)
    rule = db.session.get(ProvinceRule, filing.province)
    rule.notes = "内部备注：该省管局电话 0571-00000000，勿告知申请人"
    outbox.enqueue(filing, "sms", "13912345678", "sms_code", minutes=5)
    db.session.commit()
    _, data = export(client)
    text = json.dumps(data, ensure_ascii=False)
    assert "内部备注" not in text and "province_rule" not in data["filings"][0]
    (sms,) = [m for m in data["messages"] if m["channel"] == "sms"]
    assert sms["to"] == "139****5678" and "13912345678" not in text
    # what the applicant typed stays theirs, whole
    assert filing.subject.responsible_person.mobile in text
