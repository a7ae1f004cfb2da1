"""In real Chromium: a rejection walked as the applicant. The reason names the field in Chinese,
its link lands on the step with the field highlighted, the fix is saved and the filing resubmitted;
the confirm page's pre-check links to its fields the same way."""

from __future__ import annotations

import pytest

from demo.seed import DEMO_ACCOUNTS
from tests.helpers.browser import claim_and_decide, login, screenshot

pytestmark = pytest.mark.browser
REVIEWER = next(a for a in DEMO_ACCOUNTS if a[3].value == "reviewer")
APPLICANT_B = DEMO_ACCOUNTS[3]


def logout(page):
    page.click("header form button")


def target_id(page) -> str | None:
    """The id of the element the URL's fragment names (None: none)."""
    return page.evaluate("() => document.querySelector(':target')?.id ?? null")


def outline_of(page, selector: str) -> str:
    return page.evaluate(
        "(s) => getComputedStyle(document.querySelector(s)).outlineStyle", selector
    )


def file_continued_access(page, base) -> int:
    """Applicant B files a 继续接入 for 兰州陇原 (the mailing address lacks a room number)."""
    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/filings/new")
    page.fill("#certificate_number", "9162010237J3PLAR3C")
    page.fill("#domain", "feiyi-longyuan.cn")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/product")
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
    return filing_id


def test_a_rejection_reason_links_to_the_highlighted_field_and_the_fix_is_resubmitted(
    page, live_server
):
    base = live_server
    filing_id = file_continued_access(page, base)
    # a certificate address in another province: the confirm page's pre-check links to it
    page.goto(f"{base}/filings/{filing_id}/subject")
    page.fill("#certificate_address", "浙江省杭州市西湖区文三路 1 号")
    page.click("main form[method=post] button[type=submit]")  # saved, with its error shown
    page.goto(f"{base}/filings/{filing_id}/confirm")
    link = page.locator("ul.problems a.field-link").first
    assert link.inner_text() == "证件住所"
    assert "subject." not in page.locator("ul.problems").inner_text()  # no path, no rule id
    assert "R-P-12" not in page.locator("ul.problems").inner_text()
    link.click()
    page.wait_for_url(f"**/filings/{filing_id}/subject#field-certificate_address")
    assert target_id(page) == "field-certificate_address"
    assert outline_of(page, "#field-certificate_address") == "solid"
    assert outline_of(page, "#field-mailing_address") == "none"
    page.fill("#certificate_address", "甘肃省兰州市城关区庆阳路 8 号")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(f"**/filings/{filing_id}/websites*")
    assert "#" not in page.url  # the field's anchor stays with the step it named
    page.locator("input[name='websites-0-content_types'][value=organization_portal]").check()
    page.click("#save-websites")
    page.wait_for_url("**/confirm*")
    assert page.locator("ul.problems").count() == 0
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-filing")
    page.wait_for_url(f"**/filings/{filing_id}")
    logout(page)

    login(page, base, REVIEWER[0], REVIEWER[1])
    page.goto(f"{base}/review/filings/{filing_id}")
    page.click("#claim")
    page.wait_for_load_state()
    assert page.locator("#action").input_value() == ""  # no decision preselected
    assert page.locator("fieldset.reasons").is_hidden()  # reasons come with a rejection
    page.select_option("#action", "initial_approve")
    assert page.locator("fieldset.reasons").is_hidden()
    page.select_option("#action", "initial_reject")
    assert page.locator("fieldset.reasons").is_visible()
    page.select_option("#reasons-0-field", "subject.mailing_address")
    screenshot(page, "review-decision")
    claim_and_decide(page, base, filing_id, "initial_reject", **{
        "select:#reasons-0-field": "subject.mailing_address", "select:#reasons-0-code": "other",
        "#reasons-0-text": "通信地址须写到室号",
    })  # fmt: skip
    logout(page)

    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/filings/{filing_id}")
    reason = page.locator(".rejection li").first
    assert reason.locator("a.field-link").inner_text() == "通信地址"
    assert "通信地址须写到室号" in reason.inner_text()
    assert "subject." not in page.locator(".rejection").inner_text()
    screenshot(page, "applicant-rejection-link")
    reason.locator("a.field-link").click()
    page.wait_for_url(f"**/filings/{filing_id}/subject#field-mailing_address")
    assert target_id(page) == "field-mailing_address"
    assert outline_of(page, "#field-mailing_address") == "solid"
    assert page.locator("#field-mailing_address").is_visible()
    screenshot(page, "applicant-field-highlighted")
    page.fill("#mailing_address", "甘肃省兰州市城关区庆阳路 8 号 1203 室")
    # leaving the step with unsaved typing asks first; staying keeps what was typed
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.click(".wizard-steps a:text('网站信息')", no_wait_after=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"] and "/subject" in page.url
    assert page.input_value("#mailing_address").endswith("1203 室")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(f"**/filings/{filing_id}/websites*")
    assert "#" not in page.url  # the field's anchor stays with the step it named
    page.click("#save-websites")
    page.wait_for_url("**/confirm*")
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-filing")
    page.wait_for_url(f"**/filings/{filing_id}*")
    assert "待初审" in page.locator(".status").inner_text()
    assert page.locator(".rejection").count() == 0
    current = page.locator(".lifecycle li[aria-current=step]")
    assert current.locator(".step-label").inner_text() == "初审"
    assert current.locator(".step-due").inner_text().startswith("时限：")
    assert page.locator(".lifecycle li.done").count() == 1
    page.click("#application summary")
    assert "甘肃省兰州市城关区庆阳路 8 号 1203 室" in page.locator("#application").inner_text()
    screenshot(page, "applicant-status-stepbar")
