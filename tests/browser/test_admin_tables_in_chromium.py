"""In real Chromium, the admin's tables as a person sees them: the dashboard leads to the report and
the settings, the rule-table inputs are wide enough to type in and their buttons keep their words
on one line, an IP CSV with a header row imports without complaint, assigning and releasing an IP
says so."""

from __future__ import annotations

import pytest

from demo.seed import DEMO_ACCOUNTS
from tests.helpers.browser import login, screenshot

pytestmark = pytest.mark.browser
ADMIN = next(a for a in DEMO_ACCOUNTS if a[3].value == "admin")
APPLICANT_A = DEMO_ACCOUNTS[2]


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_admin_tables_read_and_work_as_expected(page, live_server, tmp_path):
    base = live_server
    login(page, base, ADMIN[0], ADMIN[1])
    page.wait_for_url("**/admin/")
    for name, heading in (("审核统计", "工作量报表"), ("系统设置", "系统设置")):
        page.goto(f"{base}/admin/")
        page.click(f"main nav.tabs a:text-is('{name}')")
        assert heading in page.locator("h1").inner_text()

    page.goto(f"{base}/admin/tables")
    for selector in ("input[name=suffix]", "input[name=word]", "input[name=note]"):
        assert box(page, selector)["width"] >= 120, selector
    line = box(page, "form.inline-input button")["height"]
    for button in page.locator("form.inline-input button").all():
        assert button.bounding_box()["height"] <= line + 1  # one line of text, not a column
    assert page.locator("p form").count() == 0  # no form inside a paragraph
    page.set_viewport_size({"width": 390, "height": 800})
    assert box(page, "input[name=suffix]")["width"] >= 120
    page.set_viewport_size({"width": 1200, "height": 800})
    screenshot(page, "admin-tables")

    csv = tmp_path / "ips.csv"
    csv.write_text("IP 地址,备注\n121.41.251.1,机房 A\n121.41.251.2,机房 B\n", encoding="utf-8")
    page.goto(f"{base}/admin/ips")
    page.set_input_files("#csv", str(csv))
    page.click("main form[method=post] button[type=submit]")
    assert "已添加 2 个 IP" in page.locator(".flash-ok").inner_text()
    assert page.locator(".flash-bad").count() == 0  # neither the header nor the notes refused

    row = page.locator("tr", has_text="121.41.251.1")
    row.locator("input[name=email]").fill(APPLICANT_A[0])
    row.locator("button[type=submit]").first.click()
    assert f"已将 121.41.251.1 分配给 {APPLICANT_A[0]}" in page.locator(".flash-ok").inner_text()
