"""In real Chromium: the Chinese home page, sign-up, login errors, logout, the reviewer's queue."""

from __future__ import annotations

import pytest

from demo.seed import DEMO_ACCOUNTS
from tests.helpers.browser import login, screenshot

pytestmark = pytest.mark.browser
REVIEWER = next(a for a in DEMO_ACCOUNTS if a[3].value == "reviewer")
ADMIN = next(a for a in DEMO_ACCOUNTS if a[3].value == "admin")


def test_home_page_is_chinese(page, live_server):
    page.goto(live_server)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "ICP 备案"
    screenshot(page, "home")


def test_sign_up_log_out_and_log_in_again(page, live_server):
    page.goto(f"{live_server}/auth/signup")
    page.fill("#display_name", "李雷")
    page.fill("#email", "lilei@example.cn")
    page.fill("#password", "short")
    page.fill("#confirm", "short")
    page.check("#agree")
    page.click("main form[method=post] button[type=submit]")
    assert "密码：至少 8 位" in page.locator(".errors").first.inner_text()
    assert page.input_value("#email") == "lilei@example.cn"  # nothing typed is lost
    screenshot(page, "signup-error")
    page.fill("#password", "Lilei2026")
    page.fill("#confirm", "Lilei2026")
    page.click("main form[method=post] button[type=submit]")
    # the confirmation e-mail: demo mode shows it on the page (elsewhere it goes to the mailbox)
    assert "请查收邮件" in page.locator("h1").inner_text()
    page.click("#demo-mail a")
    page.click("#signup-confirm button[type=submit]")
    page.wait_for_url("**/filings/")
    assert "注册成功" in page.locator(".flash").inner_text()
    assert "李雷" in page.locator(".who").inner_text()
    screenshot(page, "applicant-home")
    page.click("text=退出")
    page.wait_for_url(f"{live_server}/")
    assert "您已退出登录" in page.locator(".flash").inner_text()
    login(page, live_server, "lilei@example.cn", "Wrong-pass1")
    assert "邮箱或密码错误" in page.locator(".flash-bad").inner_text()
    login(page, live_server, "lilei@example.cn", "Lilei2026")
    page.wait_for_url("**/filings/")


def test_demo_reviewer_lands_on_the_review_queue(page, live_server):
    login(page, live_server, REVIEWER[0], REVIEWER[1])
    page.wait_for_url("**/review/")
    assert page.locator("h1").inner_text() == "审核队列"
    assert "该阶段暂无待处理的备案" in page.locator("#queue-table").inner_text()
    page.click(".tabs a:has-text('待复审')")  # htmx swaps the table and pushes the URL
    page.wait_for_url("**/review/?stage=re_review")
    assert page.locator("#queue-table h2").inner_text() == "待复审"
    assert "待复审" in page.locator(".tabs a.active").inner_text()
    screenshot(page, "reviewer-queue")


def test_admin_dashboard_and_english_switch(page, live_server):
    login(page, live_server, ADMIN[0], ADMIN[1])
    page.wait_for_url("**/admin/")
    assert "31" in page.locator(".figure").nth(2).inner_text()
    page.click("text=English")
    assert page.locator("h1").inner_text() == "Administration"
    screenshot(page, "admin-english")
    page.click("text=中文")
    assert page.locator("h1").inner_text() == "系统管理"


def test_admin_edits_a_province_rule_in_place(page, live_server):
    login(page, live_server, ADMIN[0], ADMIN[1])
    page.wait_for_url("**/admin/")
    page.click("text=省份规则")
    row = page.locator("#province-32")
    row.locator("text=编辑").click()
    page.locator("#province-32.editing").wait_for()
    page.fill("#province-32 input[name=bureau_review_workdays]", "22")
    page.click("#province-32 button")
    page.locator("#province-32:not(.editing)").wait_for()
    assert "22" in page.locator("#province-32").inner_text()
    screenshot(page, "admin-provinces")
