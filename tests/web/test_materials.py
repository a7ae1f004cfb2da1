"""Materials (content-checked uploads served only to owner and staff), authenticity verification
through the one-time phone page, and the SMS code page."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from adapters.storage import LocalStorage
from domain.filing import materials
from domain.lifecycle.states import Action, FilingState, Role
from domain.review import reviewing
from domain.review.reviewing import Reason
from domain.support import sealing
from extensions import db
from models import AuditEvent, Material, OutboxMessage, SmsChallenge, utcnow
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.photos import face_photo
from tests.helpers.wizard import image_bytes, upload_material, walk_to_confirm


@pytest.fixture
def reviewer(app, make_user):
    return make_user(Role.reviewer)


@pytest.fixture
def pending(client, applicant, reviewer):
    """A filing that passed initial review: materials and verification are due."""
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    transitions.apply(filing, Action.initial_approve, reviewer)
    db.session.commit()
    return filing


def test_required_set_for_an_enterprise(pending):
    kinds = [materials.base_kind(r.kind) for r in materials.required_materials(pending)]
    domains = len(pending.websites[0].domains)
    assert kinds == [
        "business_licence",
        "id_front",
        "id_back",
        *["domain_certificate"] * domains,  # one per domain of the website
        "commitment_letter",
    ]


def test_png_and_jpeg_are_accepted_reencoded_and_stored_outside_static(app, client, pending):
    png = image_bytes("PNG") + b"trailing-data<script>"
    response = upload_material(client, pending, "business_licence", png)
    assert response.status_code == 200 and "已上传" in response.get_data(as_text=True)
    material = db.session.scalar(select(Material).where(Material.filing_id == pending.id))
    stored = LocalStorage(Path(app.config["UPLOAD_FOLDER"])).path(material.storage_key)
    assert stored.is_file() and b"<script>" not in stored.read_bytes()
    assert "static" not in stored.parts
    assert material.content_type == "image/png" and (material.width, material.height) == (800, 600)
    jpeg = upload_material(client, pending, "id_front", image_bytes("JPEG"), name="身份证.jpg")
    assert jpeg.status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空"),
        (b"GIF89a" + b"\x00" * 100, "文件不是有效的 JPG 或 PNG 图片"),
        (b"%PDF-1.4 not an image", "文件不是有效的 JPG 或 PNG 图片"),
        (image_bytes("GIF"), "只能上传 JPG 或 PNG 图片"),
        (image_bytes("PNG", size=(200, 200)), "图片太小"),
        (image_bytes("PNG")[:200], "文件不是有效的 JPG 或 PNG 图片"),
        (b"\x89PNG\r\n\x1a\n" + b"A" * (4 * 1024 * 1024 + 1), "文件超过 4 MB"),
    ],
)
def test_bad_files_are_refused_with_the_reason(client, pending, data, message):
    response = upload_material(client, pending, "business_licence", data, name="licence.png")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Material).where(Material.filing_id == pending.id)) is None


def test_file_is_served_to_owner_and_staff_only_and_never_cached(
    app, client, pending, make_user, login
):
    upload_material(client, pending, "id_front", image_bytes("PNG"))
    material = db.session.scalar(select(Material).where(Material.filing_id == pending.id))
    url = f"/filings/{pending.id}/materials/{material.id}"
    own = client.get(url)
    assert own.status_code == 200 and own.headers["Cache-Control"] == "no-store, private"
    assert own.data[:8] == b"\x89PNG\r\n\x1a\n"
    own.close()  # a WSGI server closes the file; the test client leaves it to us
    client.post("/auth/logout")
    assert client.get(url).status_code == 302  # anonymous: to login
    login(make_user(Role.applicant))
    assert client.get(url).status_code == 404
    client.post("/auth/logout")
    login(make_user(Role.reviewer))
    staff = client.get(url)
    assert staff.status_code == 200
    staff.close()


def test_uploads_only_while_materials_are_due(client, applicant):
    filing = walk_to_confirm(client, applicant)
    response = upload_material(client, filing, "id_front", image_bytes("PNG"), htmx=False)
    assert response.status_code == 409


def send_everything(client, filing) -> None:
    """Upload every required material, verify the first website on a phone, submit."""
    for requirement in materials.required_materials(filing):
        upload_material(
            client, filing, requirement.kind, image_bytes("JPEG"), website_id=requirement.website_id
        )
    _verify_on_phone(client, filing, filing.websites[0])
    db.session.refresh(filing)
    client.post(f"/filings/{filing.id}/materials/submit", data={"version": filing.version})
    db.session.refresh(filing)


def test_submit_materials_needs_everything_then_moves_to_re_review(app, client, pending):
    version = pending.version
    client.post(f"/filings/{pending.id}/materials/submit", data={"version": version})
    db.session.refresh(pending)
    assert pending.state is FilingState.materials_pending
    send_everything(client, pending)
    assert pending.state is FilingState.re_review


def _verify_on_phone(client, filing, website):
    html = client.post(f"/filings/{filing.id}/websites/{website.id}/authenticity").get_data(
        as_text=True
    )
    assert "<svg" in html
    link = re.search(r'href="(http://localhost/verify/[^"]+)"', html).group(1)
    path = link.replace("http://localhost", "")
    phone = client.application.test_client()  # another device, not logged in
    assert phone.get(path).status_code == 200
    done = phone.post(
        path,
        data={"photo": (io.BytesIO(face_photo()), "selfie.jpg")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200 and "核验完成" in done.get_data(as_text=True)
    return path, phone


def test_authenticity_link_is_one_time_and_desktop_polling_stops(client, pending):
    website = pending.websites[0]
    polling = client.get(f"/filings/{pending.id}/websites/{website.id}/authenticity")
    assert polling.status_code == 200
    path, phone = _verify_on_phone(client, pending, website)
    assert phone.get(path).status_code == 404  # used up
    done = client.get(f"/filings/{pending.id}/websites/{website.id}/authenticity")
    assert done.status_code == 286 and "已完成核验" in done.get_data(as_text=True)


def test_qr_code_for_htmx_is_the_fragment_alone(client, pending):
    website = pending.websites[0]
    response = client.post(
        f"/filings/{pending.id}/websites/{website.id}/authenticity", headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<div class="authenticity" id="authenticity-{website.id}"')
    assert "<svg" in body and "<html" not in body


def test_authenticity_link_expires(client, pending):
    website = pending.websites[0]
    html = client.post(f"/filings/{pending.id}/websites/{website.id}/authenticity").get_data(
        as_text=True
    )
    path = re.search(r'href="http://localhost(/verify/[^"]+)"', html).group(1)
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        assert client.application.test_client().get(path).status_code == 404


def test_bad_live_photo_is_refused_on_the_phone(client, pending):
    website = pending.websites[0]
    html = client.post(f"/filings/{pending.id}/websites/{website.id}/authenticity").get_data(
        as_text=True
    )
    path = re.search(r'href="http://localhost(/verify/[^"]+)"', html).group(1)
    phone = client.application.test_client()
    response = phone.post(
        path,
        data={"photo": (io.BytesIO(b"not an image"), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "现场照片" in response.get_data(as_text=True)
    db.session.refresh(website)
    assert website.authenticity_verified_at is None


# --- SMS verification -------------------------------------------------------------------------


@pytest.fixture
def sms_pending(pending, reviewer):
    for action in (Action.submit_materials, Action.re_approve, Action.submit_to_bureau):
        transitions.apply(
            pending, action, pending.account if action is Action.submit_materials else reviewer
        )
    db.session.commit()
    return pending


def _code(filing) -> str:
    message = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.filing_id == filing.id, OutboxMessage.template == "sms_code"
        )
    ).all()[-1]
    return sealing.unseal(message.context["sealed_code"], current_policy().secret_key)


def test_sms_code_goes_to_the_mobile_on_record_and_is_stored_hashed(sms_pending):
    challenge = db.session.scalar(
        select(SmsChallenge).where(SmsChallenge.filing_id == sms_pending.id)
    )
    assert challenge.mobile == "13800138001"  # the registry's, not what the applicant typed
    assert _code(sms_pending) not in challenge.code_hash


def test_right_code_moves_to_bureau_review(client, sms_pending):
    challenge = db.session.scalar(
        select(SmsChallenge).where(SmsChallenge.filing_id == sms_pending.id)
    )
    page = client.get(f"/filings/{sms_pending.id}/sms").get_data(as_text=True)
    assert "138****8001" in page and "13800138001" not in page
    response = client.post(
        f"/filings/{sms_pending.id}/sms",
        data={"challenge_id": challenge.id, "code": _code(sms_pending)},
    )
    assert response.status_code == 302
    db.session.refresh(sms_pending)
    assert sms_pending.state is FilingState.bureau_review


def test_five_wrong_codes_fail_the_verification(client, sms_pending):
    challenge = db.session.scalar(
        select(SmsChallenge).where(SmsChallenge.filing_id == sms_pending.id)
    )
    right = _code(sms_pending)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = client.post(
            f"/filings/{sms_pending.id}/sms", data={"challenge_id": challenge.id, "code": wrong}
        )
        assert f"还可尝试 {left} 次" in response.get_data(as_text=True)
    client.post(
        f"/filings/{sms_pending.id}/sms", data={"challenge_id": challenge.id, "code": wrong}
    )
    db.session.refresh(sms_pending)
    assert sms_pending.state is FilingState.sms_failed
    client.post(
        f"/filings/{sms_pending.id}/sms", data={"challenge_id": challenge.id, "code": right}
    )
    db.session.refresh(sms_pending)
    assert sms_pending.state is FilingState.sms_failed  # the old code is dead


def test_code_after_24_hours_fails(client, sms_pending, login):
    challenge = db.session.scalar(
        select(SmsChallenge).where(SmsChallenge.filing_id == sms_pending.id)
    )
    with time_machine.travel(utcnow() + timedelta(hours=24, minutes=1)):
        login(sms_pending.account)  # the 8-hour session has run out by then
        client.post(
            f"/filings/{sms_pending.id}/sms",
            data={"challenge_id": challenge.id, "code": _code(sms_pending)},
        )
    db.session.refresh(sms_pending)
    assert sms_pending.state is FilingState.sms_failed


def test_approved_filing_shows_the_footer_snippet(client, sms_pending, reviewer):
    transitions.apply(sms_pending, Action.sms_verify, None)
    transitions.apply(sms_pending, Action.bureau_approve, reviewer)
    db.session.commit()
    page = client.get(f"/filings/{sms_pending.id}").get_data(as_text=True)
    assert "https://beian.miit.gov.cn/" in page and "浙ICP备2021000001号-1" in page
    assert "30 日内" in page and "版权所有" not in page  # Zhejiang asks for no copyright line


def test_a_re_rejection_names_a_material_and_an_authenticity_check_to_redo(
    app, client, pending, reviewer
):
    send_everything(client, pending)
    assert pending.state is FilingState.re_review
    policy = current_policy()
    assert reviewing.claim(pending, reviewer, policy)
    reasons = [
        Reason("websites[0].authenticity", "", "现场照片不清晰"),
        Reason("materials.id_front", "", "身份证照片反光"),
    ]
    reviewing.decide(pending, reviewer, Action.re_reject, policy=policy,
                     expected_version=pending.version, reasons=reasons)  # fmt: skip
    db.session.commit()
    page = client.get(f"/filings/{pending.id}/materials").get_data(as_text=True)
    assert "现场照片不清晰" in page and "身份证照片反光" in page
    assert "websites[0].authenticity" not in page and "真实性核验" in page  # labels, not paths
    assert page.count("复审驳回：请重新上传") == 1 and "复审驳回：请重新核验" in page
    assert "生成核验二维码" in page  # the website is no longer 已完成核验: a new QR code

    def submit() -> str:
        db.session.refresh(pending)
        answer = client.post(
            f"/filings/{pending.id}/materials/submit",
            data={"version": pending.version},
            follow_redirects=True,
        )
        db.session.refresh(pending)
        return answer.get_data(as_text=True)

    assert "1 个网站未完成真实性核验" in submit() and pending.state is FilingState.re_rejected
    _verify_on_phone(client, pending, pending.websites[0])
    assert "复审驳回指出的 1 项资料尚未重新上传" in submit()
    assert pending.state is FilingState.re_rejected  # the named ID photo is unchanged
    upload_material(client, pending, "id_front", image_bytes("PNG"))
    submit()
    assert pending.state is FilingState.re_review


def test_the_rejected_image_sent_again_is_refused_in_words(app, client, pending, reviewer):
    send_everything(client, pending)
    policy = current_policy()
    assert reviewing.claim(pending, reviewer, policy)
    reviewing.decide(pending, reviewer, Action.re_reject, policy=policy,
                     expected_version=pending.version,
                     reasons=[Reason("materials.id_front", "", "身份证照片反光")])  # fmt: skip
    db.session.commit()
    again = upload_material(client, pending, "id_front", image_bytes("JPEG"))  # the same file
    assert again.status_code == 422
    assert "与审核驳回的图片相同" in again.get_data(as_text=True)
    other = upload_material(client, pending, "id_back", image_bytes("JPEG"))  # not named: as before
    assert other.status_code == 200


def test_the_live_photo_is_not_counted_as_an_upload_of_the_applicant(client, pending):
    _verify_on_phone(client, pending, pending.websites[0])
    uploads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.filing_id == pending.id, AuditEvent.action == "upload")
    ).all()
    assert uploads == []  # the timeline shows the applicant's uploads, not the phone's photo
