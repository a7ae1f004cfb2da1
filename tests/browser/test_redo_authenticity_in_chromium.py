"""A6 v2 in Chromium: re-review rejects one website's authenticity check; the applicant reads why
on the materials page, takes a new QR code to the phone, resubmits, and re-review passes."""

from __future__ import annotations

from adapters.identity_photo import OpenCvFaceDetector
from domain.filing import authenticity
from domain.lifecycle.states import Action, FilingState
from extensions import db
from models import Filing
from runtime import storage_for
from runtime.transaction import transaction
from tests.helpers import transitions
from tests.helpers.browser import (
    DEMO_APPLICANT,
    DEMO_REVIEWER,
    claim_and_decide,
    filing_at_materials,
    login,
    screenshot,
    upload_required_materials,
)
from tests.helpers.photos import face_photo


def test_re_review_rejects_an_authenticity_check_then_passes(
    live_app, live_server, browser, page, tmp_path
):
    with live_app.app_context(), transaction():
        filing, applicant = filing_at_materials()
        upload_required_materials(live_app, filing, applicant)
        store = storage_for(live_app.config)
        for website in filing.websites:  # the phone page's link, opened and used
            authenticity.start(website)
            authenticity.confirm(website, face_photo(), "selfie.jpg", store, OpenCvFaceDetector())
        transitions.apply(filing, Action.submit_materials, applicant)
        filing_id = filing.id

    staff = browser.new_page()
    login(staff, live_server, DEMO_REVIEWER, "Review12345")
    claim_and_decide(staff, live_server, filing_id, "re_reject", **{
        "select:#reasons-0-field": "websites[0].authenticity",
        "#reasons-0-text": "现场照片不是网站负责人本人",
    })  # fmt: skip

    login(page, live_server, DEMO_APPLICANT, "Apply12345")
    page.goto(f"{live_server}/filings/{filing_id}/materials")
    assert "现场照片不是网站负责人本人" in page.locator(".rejection").inner_text()
    assert "复审驳回：请重新核验" in page.locator(".authenticity").inner_text()
    screenshot(page, "re-rejected-authenticity")
    page.click("text=生成核验二维码")
    link = page.locator(".verify-link").get_attribute("href")
    phone = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()
    phone.goto(link)
    selfie = tmp_path / "selfie.jpg"
    selfie.write_bytes(face_photo())
    phone.set_input_files("#photo", str(selfie))
    phone.click("main button[type=submit]")
    assert "核验完成" in phone.locator("h1").inner_text()
    phone.context.close()
    page.locator(".authenticity .badge-ok").wait_for(timeout=15_000)  # the desktop updated itself
    page.click("#submit-materials")
    page.wait_for_url(f"**/filings/{filing_id}")
    assert "待复审" in page.locator("section.status").inner_text()

    claim_and_decide(staff, live_server, filing_id, "re_approve")
    with live_app.app_context():
        assert db.session.get(Filing, filing_id).state is FilingState.bureau_pending
