"""The reviewers' OCR aid: a licence uploaded by the applicant is read by the worker (not in the
request) with Tesseract and its Simplified Chinese data, and the review screen sets the number and
name read beside the typed ones, a difference marked; the applicant never sees it; where the aid is
off the screen says so. The licence is drawn here with a CJK font the machine has."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from sqlalchemy import select

from domain.lifecycle.states import Action, Role
from extensions import db
from models import MaterialReading
from runtime import ocr_aid
from tests.helpers import transitions
from tests.helpers.app import PASSWORD
from tests.helpers.photos import licence
from tests.helpers.wizard import upload_material, walk_to_confirm

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract is not installed (CI installs it)"
)


@pytest.fixture
def reviewer(app, make_user):
    return make_user(Role.reviewer)


@pytest.fixture
def pending(client, applicant, reviewer):
    """A filing that passed initial review: its materials are due."""
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    transitions.apply(filing, Action.initial_approve, reviewer)
    db.session.commit()
    return filing


def review_screen(app, reviewer, filing) -> str:
    staff = app.test_client()
    response = staff.post("/auth/login", data={"email": reviewer.email, "password": PASSWORD})
    assert response.status_code == 302
    return staff.get(f"/review/filings/{filing.id}").get_data(as_text=True)


@pytest.mark.slow
@needs_tesseract
def test_the_worker_reads_the_licence_and_the_review_screen_sets_it_beside_the_typed(
    app, client, pending, reviewer
):
    subject = pending.subject
    picture = licence(subject.certificate_number, "杭州青木科技有限公司")  # one character off
    assert (
        upload_material(client, pending, "business_licence", picture, "licence.jpg").status_code
        == 200
    )
    reading = db.session.scalar(select(MaterialReading))
    assert reading.status == "pending" and reading.certificate_number == ""  # not in the request

    assert ocr_aid.read_pending() == 1  # the worker's job
    db.session.refresh(reading)
    assert reading.status == "read"
    assert reading.certificate_number == subject.certificate_number
    assert reading.name == "杭州青木科技有限公司"

    page = review_screen(app, reviewer, pending)
    assert 'id="ocr-readings"' in page and subject.certificate_number in page
    assert "杭州青木科技有限公司" in page and "不一致" in page.split('id="ocr-readings"')[1]
    assert "证照识别" not in client.get(f"/filings/{pending.id}").get_data(as_text=True)
    assert "杭州青木" not in client.get(f"/filings/{pending.id}/materials").get_data(as_text=True)


def test_without_tesseract_the_review_screen_says_the_aid_is_off(app, client, pending, reviewer):
    runtime = app.extensions["beian_runtime"]
    app.extensions["beian_runtime"] = dataclasses.replace(runtime, ocr=None)
    upload_material(client, pending, "business_licence", licence("x", "y"), "licence.jpg")
    assert ocr_aid.read_pending() == 0
    page = review_screen(app, reviewer, pending)
    assert 'id="ocr-off"' in page and "证照识别辅助未开启" in page
    assert db.session.scalar(select(MaterialReading)).status == "pending"  # read once it is on


def test_the_review_screen_names_the_verifier_and_its_verdict(app, client, pending, reviewer):
    website = pending.websites[0]
    website.identity_check = {"verifier": "tencent", "verdict": "failed",
                              "reason": "ErrCode 1005 人脸比对不通过"}  # fmt: skip
    db.session.commit()
    page = review_screen(app, reviewer, pending)
    row = page.split(f'id="identity-{website.id}"')[1].split("</tr>")[0]
    assert "腾讯云人脸核身" in row and "未通过" in row and "ErrCode 1005 人脸比对不通过" in row


def test_the_aid_off_says_where_it_is_really_set(app, client, pending, reviewer):
    """Not "in the settings": 系统设置 has no such switch; the host or the deployment's config."""
    runtime = app.extensions["beian_runtime"]
    app.extensions["beian_runtime"] = dataclasses.replace(runtime, ocr=None)
    off = review_screen(app, reviewer, pending).split('id="ocr-off"')[1].split("</p>")[0]
    assert "设置中关闭" not in off and "tesseract-ocr-chi-sim" in off
    app.config["OCR"] = "off"
    off = review_screen(app, reviewer, pending).split('id="ocr-off"')[1].split("</p>")[0]
    assert "BEIAN_OCR=off" in off and "不在系统设置页面" in off
