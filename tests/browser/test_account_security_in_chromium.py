"""Account security in real Chromium: a forgotten password reset through the link the outbox holds, and
a newly invited admin who changes the one-time password, enrols the second factor, and logs in
with a code."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from demo.seed import DEMO_ACCOUNTS
from domain.support import sealing
from extensions import db
from models import OutboxMessage
from tests.helpers.browser import login, screenshot, second_factor_code

pytestmark = pytest.mark.browser
ADMIN = next(a for a in DEMO_ACCOUNTS if a[3].value == "admin")
APPLICANT = next(a for a in DEMO_ACCOUNTS if a[0] == "applicant@demo.beiandesk.cn")
SUBMIT = "main form[method=post] button[type=submit]"


def reset_link_from_the_outbox(live_app, email: str) -> str:
    """The path of the newest reset link mailed to `email` (sealed in the row, as sent)."""
    with live_app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == "password_reset", OutboxMessage.recipient == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, "no reset e-mail in the outbox"
        link = sealing.unseal(message.context["sealed_code"], live_app.config["SECRET_KEY"])
        db.session.remove()
    assert link is not None
    return urlsplit(link).path


def test_forgot_password_link_from_the_outbox_new_password_login(page, live_server, live_app):
    page.goto(f"{live_server}/auth/login")
    page.click("#forgot-password")
    page.wait_for_url("**/auth/forgot")
    page.fill("#email", APPLICANT[0])
    page.click(SUBMIT)
    assert page.locator("h1").inner_text() == "请查收邮件"
    screenshot(page, "forgot-password-sent")

    page.goto(live_server + reset_link_from_the_outbox(live_app, APPLICANT[0]))
    page.fill("#password", "short1")
    page.fill("#confirm", "short1")
    page.click(SUBMIT)
    assert "新密码：至少 8 位" in page.locator(".errors").first.inner_text()
    page.fill("#password", "Renewed2026")
    page.fill("#confirm", "Renewed2026")
    page.click(SUBMIT)
    page.wait_for_url("**/auth/login")
    assert "密码已重置" in page.locator(".flash-ok").inner_text()

    login(page, live_server, APPLICANT[0], APPLICANT[1])  # the old password no longer works
    assert "邮箱或密码错误" in page.locator(".flash-bad").inner_text()
    login(page, live_server, APPLICANT[0], "Renewed2026")
    page.wait_for_url("**/filings/")
    screenshot(page, "reset-password-logged-in")


def test_invited_admin_changes_the_password_enrols_totp_and_logs_in_with_a_code(page, live_server):
    login(page, live_server, ADMIN[0], ADMIN[1])  # the demo admin answers with its own code
    page.wait_for_url("**/admin/")
    page.goto(f"{live_server}/admin/staff")
    page.fill("#email", "wang.guan@provider.cn")
    page.fill("#display_name", "王管")
    page.select_option("#role", "admin")
    page.click(SUBMIT)
    flash = page.locator(".flash-ok").inner_text()
    one_time = re.search(r"一次性密码：(\S+?)（只显示这一次）", flash).group(1)
    page.click("text=退出")
    page.wait_for_url(f"{live_server}/")

    login(page, live_server, "wang.guan@provider.cn", one_time)
    page.wait_for_url("**/account/password")
    assert "一次性密码" in page.locator("#must-change").inner_text()
    page.fill("#current_password", one_time)
    page.fill("#password", "WangGuan2026")
    page.fill("#confirm", "WangGuan2026")
    page.click(SUBMIT)
    page.wait_for_url("**/account/two-factor")
    assert "必须启用两步验证" in page.locator("#must-enrol").inner_text()
    assert page.locator(".qr svg").count() == 0  # the password first: no secret before it
    page.fill("#password", "WangGuan2026")
    page.click(SUBMIT)
    page.wait_for_url("**/account/two-factor")
    assert page.locator(".qr svg").count() == 1
    screenshot(page, "totp-enrol")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.goto(f"{live_server}/admin/")  # nothing else is reachable before the enrolment
    page.wait_for_url("**/account/two-factor")
    page.fill("#code", second_factor_code(secret))
    page.click(SUBMIT)
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "totp-recovery-codes")
    page.click("#codes-saved")
    page.wait_for_url("**/account/")
    assert "剩余恢复码：10 个" in page.locator("#account-two-factor").inner_text()
    screenshot(page, "account-page")
    page.goto(f"{live_server}/admin/")
    assert page.locator("h1").inner_text() == "系统管理"
    page.click("text=退出")
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/auth/login")
    page.fill("#email", "wang.guan@provider.cn")
    page.fill("#password", "WangGuan2026")
    page.click(SUBMIT)
    page.wait_for_url("**/auth/second-factor")
    page.fill("#code", "000000")
    page.click(SUBMIT)
    assert "不正确或已使用" in page.locator(".errors").inner_text()
    page.fill("#code", second_factor_code(secret))
    page.click(SUBMIT)
    page.wait_for_url("**/admin/")
    assert "王管" in page.locator(".who").inner_text()
    screenshot(page, "totp-logged-in")
