"""After approval, in Chromium (DOMAIN.md A7): the demo applicant B starts 变更接入 from the records
page, a reviewer takes it through one review and the bureau (no SMS), the new IP shows on the
records page; then 取消接入 of the same website to approval, and the records page is empty."""

from __future__ import annotations

from demo.seed import DEMO_ACCOUNTS
from tests.helpers.browser import claim_and_decide, login, screenshot

REVIEWER = next(a for a in DEMO_ACCOUNTS if a[3].value == "reviewer")
APPLICANT_B = DEMO_ACCOUNTS[3]


def logout(page):
    page.click("header form button")


def order_id(page) -> int:
    return int(page.url.split("/filings/")[1].split("/")[0].split("?")[0])


def through_the_bureau(page, base, filing_id):
    login(page, base, REVIEWER[0], REVIEWER[1])
    page.goto(f"{base}/review/filings/{filing_id}")
    assert page.locator("#order-kind").count() == 1
    claim_and_decide(page, base, filing_id, "review_approve")
    claim_and_decide(page, base, filing_id, "submit_to_bureau_no_sms")
    claim_and_decide(
        page, base, filing_id, "bureau_approve", **{"#receipt": "GS-2026-2001", "#note": "通过"}
    )
    logout(page)


def test_change_then_cancel_from_the_records_page(page, live_server):
    base = live_server
    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.click("header a:has-text('备案信息')")
    page.wait_for_url("**/records/")
    held = page.locator("table.table tbody tr").first
    assert "陇ICP备15000343号-1" in held.inner_text()
    old_ip = held.locator("td").nth(3).inner_text().strip()
    screenshot(page, "records")

    # 变更接入: the website and a new IP of the account
    page.click("a.button:has-text('变更接入')")
    page.wait_for_url("**/records/change*")
    block = page.locator("fieldset.change-site").first
    block.locator("input[name=websites]").check()
    new_ip = next(
        value
        for value in block.locator("input[name^=ips-]").evaluate_all("els => els.map(e => e.value)")
        if value != old_ip
    )
    block.locator(f"input[value='{new_ip}']").check()
    screenshot(page, "records-change")
    page.click("#submit-change")
    page.wait_for_url("**/filings/*")
    change_id = order_id(page)
    assert "变更接入" in page.locator(".status").inner_text()
    logout(page)
    through_the_bureau(page, base, change_id)

    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/filings/{change_id}")
    assert "管局已审核通过" in page.locator(".status").inner_text()
    page.goto(f"{base}/records/")
    assert new_ip in page.locator("table.table tbody tr").first.inner_text()
    assert old_ip not in page.locator("table.table tbody tr").first.inner_text()

    # 取消接入 of the same website (百度智能云 still serves it: no shell warning)
    page.click("a.button:has-text('取消接入')")
    page.wait_for_url("**/records/cancel*")
    assert page.locator(".shell-warning").count() == 0
    page.locator("input[name=websites]").first.check()
    screenshot(page, "records-cancel")
    page.click("#submit-cancel")
    page.wait_for_url("**/filings/*")
    cancel_id = order_id(page)
    logout(page)
    through_the_bureau(page, base, cancel_id)

    login(page, base, APPLICANT_B[0], APPLICANT_B[1])
    page.goto(f"{base}/records/")
    assert "没有在本服务商接入成功的网站" in page.locator("main").inner_text()
