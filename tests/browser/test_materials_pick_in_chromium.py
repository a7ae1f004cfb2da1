"""Materials in Chromium: picking a file uploads it at once and its thumbnail appears without a page
reload; a refused file is named under its material; the example picture opens inline; a reload
keeps a pending QR code; the phone page names who takes the photo."""

from __future__ import annotations

from PIL import Image
from playwright.sync_api import expect

from runtime.transaction import transaction
from tests.helpers.browser import (
    DEMO_APPLICANT,
    filing_at_materials,
    login,
    screenshot,
)


def picture(tmp_path, name: str, size=(900, 600), color=(30, 110, 170)) -> str:
    path = tmp_path / name
    Image.new("RGB", size, color).save(path, "JPEG")
    return str(path)


def test_picking_a_file_uploads_it_and_shows_its_thumbnail_without_a_reload(
    live_app, live_server, browser, page, tmp_path
):
    with live_app.app_context(), transaction():
        filing, applicant = filing_at_materials()
        filing_id = filing.id

    login(page, live_server, DEMO_APPLICANT, "Apply12345")
    page.goto(f"{live_server}/filings/{filing_id}/materials")
    page.evaluate("window.notReloaded = true")
    slot = page.locator("#material-business_licence-0")
    button = slot.locator("button")
    assert button.inner_text() == "选择图片"  # the script made the button the file picker
    slot.locator("input[type=file]").set_input_files(picture(tmp_path, "licence.jpg"))
    thumbnail = page.locator("#material-business_licence-0 .thumb img")
    thumbnail.wait_for()
    # the image loaded (expect reads the property itself: a polled predicate string would be
    # evaluated with eval, which the page's CSP refuses whenever the first check comes too early)
    expect(thumbnail).not_to_have_js_property("naturalWidth", 0)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#material-business_licence-0 button").inner_text() == "重新上传"

    # a refused file: named under its material's input, the page still not reloaded
    small = picture(tmp_path, "small.jpg", size=(200, 150))
    page.locator("#material-id_front-0 input[type=file]").set_input_files(small)
    error = page.locator("#material-id_front-0 .slot-error")
    error.wait_for()
    assert error.inner_text().startswith("负责人身份证人像面：图片太小")
    assert page.evaluate("window.notReloaded") is True

    page.locator("#material-id_back-0").locator("xpath=../..").locator("summary").click()
    page.locator("details.example[open] img").wait_for()
    screenshot(page, "materials-upload-on-pick")

    # a pending QR code survives a reload; the phone page names who takes the photo
    page.click("text=生成核验二维码")
    link = page.locator(".verify-link").get_attribute("href")
    page.reload()
    assert page.locator(".verify-link").get_attribute("href") == link
    assert "剩余约" in page.locator(".authenticity").inner_text()
    screenshot(page, "materials-pending-qr-after-reload")
    page.set_viewport_size({"width": 390, "height": 800})
    screenshot(page, "materials-narrow")
    phone = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()
    phone.goto(link)
    assert "本人拍照" in phone.locator(".photographer").inner_text()
    screenshot(phone, "phone-names-the-photographer")
    phone.context.close()
