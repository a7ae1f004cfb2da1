"""Findings of a new-user trial, in Chromium: the phone page's photo input is a picker button (a
photo missing is said beside it, a chosen one too), and once the phone has taken the photo the
materials page's submit area drops its hint without a reload."""

from __future__ import annotations

import time

from runtime.transaction import transaction
from tests.helpers.browser import (
    DEMO_APPLICANT,
    filing_at_materials,
    login,
    screenshot,
    upload_required_materials,
)
from tests.helpers.photos import face_photo
from tests.helpers.wizard import image_bytes


def test_the_phone_picks_with_a_button_and_the_submit_area_follows(
    live_app, live_server, browser, page, tmp_path
):
    with live_app.app_context(), transaction():
        filing, applicant = filing_at_materials()
        upload_required_materials(live_app, filing, applicant)
        filing_id = filing.id

    login(page, live_server, DEMO_APPLICANT, "Apply12345")
    page.goto(f"{live_server}/filings/{filing_id}/materials")
    page.evaluate("window.notReloaded = true")
    assert "1 个网站未完成真实性核验" in page.locator("#submit-hint").inner_text()
    page.click("text=生成核验二维码")
    link = page.locator(".verify-link").get_attribute("href")

    phone = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()
    phone.goto(link)
    pick = phone.locator("button.photo-pick-button")
    assert pick.inner_text() == "拍摄现场照片" and pick.is_visible()
    assert phone.locator("#photo").bounding_box()["width"] <= 1  # the bare input is out of sight
    phone.click("main button[type=submit]")  # no photo yet: said beside the button, not sent
    assert phone.locator("#photo-status").inner_text() == "请先拍摄现场照片"
    assert phone.evaluate("document.activeElement.className").endswith("photo-pick-button")
    plain = tmp_path / "plain.jpg"  # refused by the server: no face in it
    plain.write_bytes(image_bytes("JPEG", color=(128, 128, 128)))
    phone.set_input_files("#photo", str(plain))
    phone.click("main button[type=submit]")
    phone.locator(".flash-bad").wait_for()
    selfie = tmp_path / "selfie.jpg"
    selfie.write_bytes(face_photo())
    phone.set_input_files("#photo", str(selfie))
    assert phone.locator(".flash-bad").count() == 0  # the last photo's refusal is gone
    assert phone.locator("#photo-status").inner_text() == "已选择照片，请确认并提交"
    assert pick.inner_text() == "重新拍摄"
    preview = phone.locator("img.photo-preview")  # the chosen photo, shown before it is sent
    preview.wait_for()
    assert preview.get_attribute("src").startswith("data:image/jpeg;base64,")
    assert preview.get_attribute("alt") == "所选照片（尚未提交）"
    for _ in range(50):  # decoded (a poll from Python: the CSP refuses wait_for_function's eval)
        if preview.evaluate("img => img.naturalWidth") > 0:
            break
        time.sleep(0.1)
    box = preview.bounding_box()
    assert box["width"] > 100 and box["x"] + box["width"] <= 390  # seen, and inside the screen
    screenshot(phone, "phone-photo-picked")
    phone.click("main button[type=submit]")
    assert "核验完成" in phone.locator("h1").inner_text()
    phone.context.close()

    page.locator(".authenticity .badge-ok").wait_for(timeout=15_000)
    page.locator("#submit-hint").wait_for(state="detached", timeout=5_000)  # swapped out of band
    assert page.locator("#submit-materials").is_visible()
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "materials-submit-area-after-check")
