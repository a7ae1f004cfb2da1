"""Findings of a new-user trial on the materials page: the submit area follows a completed
authenticity check and an upload (htmx out of band), an early submission names only what is
missing, the authenticity check is in both timelines with its website's name, the reviewer's trail
names each uploaded material, and the phone page's photo input is a picker button."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from domain.filing import materials
from domain.lifecycle.states import FilingState, Role
from extensions import db
from models import AuditEvent
from tests.helpers.photos import face_photo
from tests.helpers.wizard import image_bytes, upload_material

HTMX = {"HX-Request": "true"}


@pytest.fixture
def due(applicant, make_filing):
    """The logged-in applicant's filing whose materials are due (one website, 青禾科技官网)."""
    return make_filing(FilingState.materials_pending, owner=applicant)


def post_file(client, filing, kind, website_id=None, htmx=True):
    return upload_material(client, filing, kind, image_bytes("JPEG"), "a.jpg", website_id, htmx)


def upload_all(client, filing, but: int = 0) -> None:
    """Upload every required material except the last `but` of them."""
    needs = materials.required_materials(filing)
    for need in needs[: len(needs) - but]:
        assert post_file(client, filing, need.kind, need.website_id).status_code == 200


def verify_on_phone(client, filing, website) -> str:
    """Take a QR code on the desktop and the live photo on another, anonymous client."""
    html = client.post(f"/filings/{filing.id}/websites/{website.id}/authenticity").get_data(
        as_text=True
    )
    path = re.search(r'href="http://localhost(/verify/[^"]+)"', html).group(1)
    done = client.application.test_client().post(
        path,
        data={"photo": (io.BytesIO(face_photo()), "selfie.jpg")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200 and "核验完成" in done.get_data(as_text=True)
    return path


def submit_area(html: str) -> str:
    match = re.search(r'<form [^>]*id="submit-area".*?</form>', html, re.S)
    assert match, html[-2000:]
    return match.group(0)


# --- 1. the submit area follows the authenticity poll and the uploads --------------------------


def test_the_polls_verified_answer_brings_the_submit_area_without_the_stale_hint(client, due):
    upload_all(client, due)
    website = due.websites[0]
    page = client.get(f"/filings/{due.id}/materials").get_data(as_text=True)
    assert "1 个网站未完成真实性核验" in submit_area(page)
    assert 'hx-swap-oob="true"' not in submit_area(page)  # the page's own is not out of band
    verify_on_phone(client, due, website)

    answer = client.get(f"/filings/{due.id}/websites/{website.id}/authenticity", headers=HTMX)
    assert answer.status_code == 286
    html = answer.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div class="authenticity" id="authenticity-{website.id}"')
    area = submit_area(html)
    assert 'hx-swap-oob="true"' in area and 'id="submit-materials"' in area
    assert "未完成" not in area and "未上传" not in area and 'id="submit-hint"' not in area
    assert re.search(rf'name="version" [^>]*value="{due.version}"', area)


def test_the_submit_area_says_what_is_left_and_an_upload_brings_it_anew(client, due):
    upload_all(client, due, but=2)
    verify_on_phone(client, due, due.websites[0])
    page = client.get(f"/filings/{due.id}/materials").get_data(as_text=True)
    assert "还有 2 项资料未上传" in submit_area(page) and "核验" not in submit_area(page)
    *_, second_last, last = materials.required_materials(due)
    html = post_file(client, due, second_last.kind, second_last.website_id).get_data(as_text=True)
    assert html.lstrip().startswith('<div class="slot"')  # the slot first, as htmx targets it
    assert "还有 1 项资料未上传" in submit_area(html) and 'hx-swap-oob="true"' in submit_area(html)
    html = post_file(client, due, last.kind, last.website_id).get_data(as_text=True)
    assert 'id="submit-hint"' not in submit_area(html)


def test_no_submit_area_out_of_band_where_uploads_are_closed(client, applicant, make_filing):
    filing = make_filing(FilingState.re_review, owner=applicant)
    website = filing.websites[0]
    website.authenticity_verified_at = filing.created_at
    db.session.commit()
    answer = client.get(f"/filings/{filing.id}/websites/{website.id}/authenticity", headers=HTMX)
    assert answer.status_code == 286 and "submit-area" not in answer.get_data(as_text=True)


# --- 2. an early submission names only what is missing ------------------------------------------


@pytest.mark.parametrize(
    ("left_out", "verified", "said"),
    [
        (1, True, "还有 1 项资料未上传"),
        (0, False, "还有 1 个网站未完成真实性核验"),
        (2, False, "还有 2 项资料未上传、1 个网站未完成真实性核验"),
    ],
)
def test_an_early_submission_names_only_what_is_missing(client, due, left_out, verified, said):
    upload_all(client, due, but=left_out)
    if verified:
        verify_on_phone(client, due, due.websites[0])
    db.session.refresh(due)
    answer = client.post(
        f"/filings/{due.id}/materials/submit", data={"version": due.version}, follow_redirects=True
    )
    flash = re.search(r'class="flash flash-bad"[^>]*>([^<]*)<', answer.get_data(as_text=True))
    assert flash and flash.group(1).strip() == said
    assert " 0 " not in flash.group(1)
    db.session.refresh(due)
    assert due.state is FilingState.materials_pending


def test_the_outstanding_message_never_counts_zero():
    assert materials.outstanding_message(0, 0) is None
    assert materials.outstanding_message(3, 0).params == {"m": 3}
    assert materials.outstanding_message(0, 2).params == {"v": 2}


# --- 3. the authenticity check and the uploads in the timelines ---------------------------------


def test_a_completed_check_is_audited_and_in_both_timelines_with_the_website(
    client, due, login, make_user
):
    upload_all(client, due)
    verify_on_phone(client, due, due.websites[0])
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.filing_id == due.id, AuditEvent.action == "authenticity_verified"
        )
    )
    assert event is not None and not event.internal
    assert event.actor_id == due.account_id  # the link was the account's; the photo is its upload
    assert event.data == {
        "website": due.websites[0].id,
        "website_name": "青禾科技官网",
        "verifier": "photo",
    }
    assert event.action_label == "网站负责人完成真实性核验"

    status = client.get(f"/filings/{due.id}").get_data(as_text=True)
    assert "网站负责人完成真实性核验（青禾科技官网）" in status

    client.post("/auth/logout")
    login(make_user(Role.reviewer))
    review = client.get(f"/review/filings/{due.id}").get_data(as_text=True)
    trail = review[review.index("审计记录") :]
    assert "网站负责人完成真实性核验（青禾科技官网）" in trail
    assert "上传资料：营业执照或单位证件" in trail
    assert "上传资料：青禾科技官网 · ICP备案信息真实性承诺书" in trail


def test_an_upload_event_carries_its_material_and_website(client, due):
    website = due.websites[0]
    post_file(client, due, "commitment_letter", website.id)
    post_file(client, due, "business_licence")
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.filing_id == due.id, AuditEvent.action == "upload")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.data.get("kind") for e in events] == ["commitment_letter", "business_licence"]
    assert events[0].data["website"] == website.id
    assert events[0].data["website_name"] == "青禾科技官网"
    assert "website" not in events[1].data


# --- 4. the phone page's picker button --------------------------------------------------------


def test_the_phone_page_has_a_picker_button_and_still_posts_without_javascript(client, due):
    html = client.post(f"/filings/{due.id}/websites/{due.websites[0].id}/authenticity").get_data(
        as_text=True
    )
    path = re.search(r'href="http://localhost(/verify/[^"]+)"', html).group(1)
    phone = client.application.test_client().get(path).get_data(as_text=True)
    form = re.search(r'<form method="post" enctype="multipart/form-data"[^>]*>', phone).group(0)
    assert 'class="photo-form"' in form and 'data-pick-label="拍摄现场照片"' in form
    assert "action=" not in form  # posts to itself, as before
    assert '<input type="file" id="photo" name="photo"' in phone and "required" in phone
    assert "/static/materials.js" in phone
