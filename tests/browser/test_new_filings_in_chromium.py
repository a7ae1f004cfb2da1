"""In real Chromium, from the demo data: the demo applicant files a 首次备案 (a new company with a new
domain), and it goes through initial review, materials with the domain certificate, authenticity,
re-review, the bureau, the SMS code and the bureau's approval with new numbers; then a 新增网站 of
杭州青禾 opens with the subject locked and its website typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from demo.seed import DEMO_ACCOUNTS
from tests.helpers.browser import claim_and_decide, decide_and_land, login, screenshot
from tests.helpers.new_filings import NEW_DOMAIN, NEW_SITE_DOMAIN, NEW_USCC
from tests.helpers.photos import face_photo

pytestmark = pytest.mark.browser
REVIEWER = next(a for a in DEMO_ACCOUNTS if a[3].value == "reviewer")
APPLICANT = next(a for a in DEMO_ACCOUNTS if a[3].value == "applicant")
SHOTS = Path("/work/wt/shots/newfilings")


def shot(page, name: str) -> None:
    screenshot(page, f"new-filings-{name}")
    if SHOTS.is_dir():  # a person looks at them there too, where that folder exists
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def logout(page):
    page.click("header form button")


def image_file(tmp_path, name, color):
    path = tmp_path / name
    Image.new("RGB", (900, 600), color).save(path, "JPEG")
    return str(path)


def submit_form(page):
    page.click("main form[method=post] button[type=submit]")


def test_first_filing_from_the_type_step_to_new_numbers(browser, page, live_server, tmp_path):
    base = live_server
    login(page, base, APPLICANT[0], APPLICANT[1])
    page.goto(f"{base}/filings/new")
    page.fill("#certificate_number", NEW_USCC)
    page.fill("#domain", NEW_DOMAIN)
    submit_form(page)
    page.wait_for_url("**/product")
    assert page.locator(".flash-ok").count() == 0  # said once, by the card
    assert "首次备案" in page.locator("#order-reason").inner_text()
    filing_id = int(page.url.split("/filings/")[1].split("/")[0])
    page.locator("input[name=ips]").first.check()
    submit_form(page)
    page.wait_for_url("**/subject")  # no filing password: the subject has none yet
    page.select_option("#kind", "enterprise")
    page.fill("#name", "杭州新禾科技有限公司")
    page.select_option("#province", "33")
    page.fill("#investor", "王小明")
    page.fill("#certificate_address", "浙江省杭州市西湖区文三路 1 号")
    page.fill("#mailing_address", "浙江省杭州市西湖区文三路 1 号 5 楼")
    page.fill("#person_name", "王小明")
    page.fill("#person_id_number", "330106199003071236")
    page.fill("#person_mobile", "13800138000")
    page.fill("#person_email", "wangxm@xinhe.cn")
    shot(page, "first-filing-subject")
    submit_form(page)
    page.wait_for_url("**/websites")
    page.fill("#websites-0-name", "新禾科技官网")
    page.locator("input[name='websites-0-content_types'][value=organization_portal]").check()
    shot(page, "first-filing-websites")
    page.click("#save-websites")
    page.wait_for_url("**/confirm")
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-filing")
    page.wait_for_url(f"**/filings/{filing_id}")
    assert "首次备案" in page.locator("#order-reason").inner_text()
    logout(page)

    login(page, base, REVIEWER[0], REVIEWER[1])
    claim_and_decide(page, base, filing_id, "initial_approve")
    logout(page)

    login(page, base, APPLICANT[0], APPLICANT[1])
    page.goto(f"{base}/filings/{filing_id}/materials")
    assert "域名证书" in page.locator("main").inner_text()  # every new domain (R-M-7)
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
    selfie = tmp_path / "selfie.jpg"
    selfie.write_bytes(face_photo())  # the live photo holds one face (A10)
    phone.set_input_files("#photo", str(selfie))
    phone.click("main button[type=submit]")
    phone.context.close()
    page.locator(".authenticity .badge-ok").wait_for(timeout=15_000)
    page.click("#submit-materials")
    page.wait_for_url(f"**/filings/{filing_id}")
    logout(page)

    login(page, base, REVIEWER[0], REVIEWER[1])
    claim_and_decide(page, base, filing_id, "re_approve")
    claim_and_decide(page, base, filing_id, "submit_to_bureau")
    logout(page)

    login(page, base, APPLICANT[0], APPLICANT[1])
    page.goto(f"{base}/filings/{filing_id}/sms")
    code = page.locator(".demo-sms").inner_text().split("验证码：")[1][:6]
    page.fill("form.sms-form input[name=code]", code)
    page.click("main form.sms-form button[type=submit]")
    page.wait_for_url(f"**/filings/{filing_id}")
    logout(page)

    login(page, base, REVIEWER[0], REVIEWER[1])
    page.goto(f"{base}/review/filings/{filing_id}")
    if page.locator("#claim").count():
        page.click("#claim")
    page.select_option("#action", "bureau_approve")
    suggested = page.input_value("#subject_number")
    assert re.fullmatch(r"浙ICP备\d{10}号", suggested)
    page.fill("#receipt", "ZJ-2026-0001")
    shot(page, "first-filing-bureau-decision")
    decide_and_land(page)
    logout(page)

    login(page, base, APPLICANT[0], APPLICANT[1])
    page.goto(f"{base}/filings/{filing_id}")
    assert "首次备案成功" in page.locator(".status").inner_text()
    assert f"{suggested}-1" in page.locator("textarea.snippet").input_value()
    assert suggested in page.locator("#new-numbers").inner_text()
    shot(page, "first-filing-approved")
    page.goto(f"{base}/records/")
    assert f"{suggested}-1" in page.locator("main").inner_text()
    shot(page, "records")

    # a 新增网站 of 杭州青禾: the subject locked, the website typed
    page.goto(f"{base}/filings/new")
    page.fill("#certificate_number", "913301069755TH2H1L")
    page.fill("#domain", NEW_SITE_DOMAIN)
    submit_form(page)
    page.wait_for_url("**/product")
    assert "新增网站" in page.locator("#order-reason").inner_text()
    shot(page, "new-website-product")
