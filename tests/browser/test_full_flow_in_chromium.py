"""In real Chromium, from the demo data: an applicant files a 继续接入; the demo reviewer rejects it
with a reason, the applicant fixes it, and it goes through initial review, materials and
authenticity, re-review, the bureau, the SMS code and the bureau's approval."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from demo.seed import DEMO_ACCOUNTS
from tests.helpers.browser import claim_and_decide, login, screenshot
from tests.helpers.photos import face_photo

pytestmark = pytest.mark.browser
REVIEWER = next(a for a in DEMO_ACCOUNTS if a[3].value == "reviewer")
APPLICANT_B = DEMO_ACCOUNTS[3]


def logout(page):
    page.click("header form button")


def image_file(tmp_path, name, color):
    path = tmp_path / name
    Image.new("RGB", (900, 600), color).save(path, "JPEG")
    return str(path)


def test_continued_access_from_filing_to_approval(browser, page, live_server, tmp_path):
    base = live_server
    # applicant B owns 兰州陇原; its second website is a continued access (继续接入)
    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/filings/new")
    page.fill("#certificate_number", "9162010237J3PLAR3C")
    page.fill("#domain", "feiyi-longyuan.cn")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/product")
    assert "继续接入" in page.locator(".flash-ok").inner_text()
    filing_id = int(page.url.split("/filings/")[1].split("/")[0])
    page.locator("input[name=ips]").first.check()
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/subject")  # B holds 兰州陇原 here: no filing password asked again
    page.fill("#certificate_address", "甘肃省兰州市城关区庆阳路 8 号")
    page.fill("#mailing_address", "甘肃省兰州市城关区庆阳路 8 号")
    page.fill("#person_name", "马文")
    page.fill("#person_id_number", "11010519491231002X")
    page.fill("#person_mobile", "13919310000")
    page.fill("#person_email", "mawen@longyuan.cn")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/websites")
    page.locator("input[name='websites-0-content_types'][value=organization_portal]").check()
    page.click("#save-websites")
    page.wait_for_url("**/confirm")
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-filing")
    page.wait_for_url(f"**/filings/{filing_id}")
    logout(page)

    # the demo reviewer rejects it with a reason on a field
    login(page, base, REVIEWER[0], REVIEWER[1])
    page.wait_for_url("**/review/")
    assert f"filing-{filing_id}" in page.content()
    claim_and_decide(page, base, filing_id, "initial_reject", **{
        "select:#reasons-0-field": "subject.mailing_address", "select:#reasons-0-code": "other",
        "#reasons-0-text": "通信地址须写到室号", "#note": "请补充通信地址",
    })  # fmt: skip
    logout(page)

    # the applicant sees the reason, fixes and resubmits
    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/filings/{filing_id}")
    assert "通信地址须写到室号" in page.locator(".rejection").inner_text()
    screenshot(page, "applicant-rejected")
    page.goto(f"{base}/filings/{filing_id}/subject")
    page.fill("#mailing_address", "甘肃省兰州市城关区庆阳路 8 号 1203 室")
    page.click("main form[method=post] button[type=submit]")
    page.goto(f"{base}/filings/{filing_id}/confirm")
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-filing")
    page.wait_for_url(f"**/filings/{filing_id}")
    logout(page)

    login(page, base, REVIEWER[0], REVIEWER[1])
    claim_and_decide(page, base, filing_id, "initial_approve")
    logout(page)

    # materials and authenticity verification (the phone is a second browser context)
    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/filings/{filing_id}/materials")
    forms = page.locator("form.upload-form")
    for index in range(forms.count()):
        form = forms.nth(index)
        form.locator("input[type=file]").set_input_files(
            image_file(tmp_path, f"m{index}.jpg", (40 * index % 255, 90, 160))
        )
        form.locator("button").click()
        page.locator("td .badge-ok").nth(index).wait_for()
    page.click("text=生成核验二维码")
    link = page.locator(".verify-link").get_attribute("href")
    phone = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()
    phone.goto(link)
    screenshot(phone, "phone-verification")
    selfie = tmp_path / "selfie.jpg"
    selfie.write_bytes(face_photo())
    phone.set_input_files("#photo", str(selfie))
    phone.click("main button[type=submit]")
    assert "核验完成" in phone.locator("h1").inner_text()
    phone.context.close()
    page.locator(".authenticity .badge-ok").wait_for(timeout=15_000)  # the desktop updated itself
    screenshot(page, "materials-done")
    page.click("#submit-materials")
    page.wait_for_url(f"**/filings/{filing_id}")
    logout(page)

    login(page, base, REVIEWER[0], REVIEWER[1])
    page.goto(f"{base}/review/filings/{filing_id}")
    assert page.locator(".gallery img").count() >= 5
    titles = page.locator(".gallery-title").all_inner_texts()  # grouped: the subject, each website
    assert titles[0] == "主体" and "陇原非遗" in titles
    screenshot(page, "review-screen")
    claim_and_decide(page, base, filing_id, "re_approve")
    claim_and_decide(page, base, filing_id, "submit_to_bureau")
    logout(page)

    # the SMS code (the demo shows the text the phone received)
    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/filings/{filing_id}/sms")
    text = page.locator(".demo-sms").inner_text()
    code = text.split("验证码：")[1][:6]
    # too soon after the bureau's SMS: the resend button waits, counting down
    resend = page.locator("button[data-resend-seconds]")
    assert resend.is_disabled() and re.search(r"重新发送（\d+ 秒）", resend.inner_text())
    first = resend.inner_text()
    expect(resend).not_to_have_text(first, timeout=5000)  # app.js counts the seconds down
    screenshot(page, "sms-resend-waits")
    page.fill("form.sms-form input[name=code]", "000000" if code != "000000" else "111111")
    page.click("main form.sms-form button[type=submit]")
    assert "还可尝试 4 次" in page.locator(".errors").inner_text()
    page.fill("form.sms-form input[name=code]", code)
    page.click("main form.sms-form button[type=submit]")
    page.wait_for_url(f"**/filings/{filing_id}")
    assert "管局审核中" in page.locator(".status").inner_text()
    logout(page)

    login(page, base, REVIEWER[0], REVIEWER[1])
    claim_and_decide(
        page,
        base,
        filing_id,
        "bureau_approve",
        **{"#receipt": "GS-2026-1188", "#note": "管局审核通过"},
    )
    logout(page)

    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/filings/{filing_id}")
    assert "接入成功" in page.locator(".status").inner_text()
    assert "陇ICP备15000343号-2" in page.locator("textarea.snippet").input_value()
    page.locator("button.copy").first.click()
    page.locator("button.copy:text-is('已复制')").first.wait_for(timeout=3_000)
    screenshot(page, "approved-footer")
