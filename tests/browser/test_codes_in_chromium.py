"""In real Chromium: the product step by service code (unknown, used, revoked and short-paid codes
refused in words, then a good one), a mobile verified by its SMS code (read where the demo shows
what the phone got), and a changed mobile asked again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.accounts.accounts import find_user
from domain.filing import service_codes
from domain.lifecycle.workdays import shanghai_today
from extensions import db
from models import Filing, ServiceCode, utcnow
from tests.helpers.browser import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def codes_server(live_app, live_server):
    """The live app with the product verified by service code and mobiles by SMS code."""
    live_app.config.update(PRODUCT_VERIFICATION="service_code", VERIFY_MOBILES=True)
    return live_server


def issue_codes(app, email: str) -> dict[str, str]:
    """Four codes for the account: good, paid fewer than 90 days ahead, revoked, used elsewhere."""
    today = shanghai_today()
    with app.app_context():
        account = find_user(email)
        codes = {}
        for name, days, ips in (
            ("good", 400, ["121.40.10.1"]),
            ("short", 60, ["121.40.10.2"]),
            ("revoked", 400, ["121.40.10.3"]),
            ("used", 400, ["121.40.10.4"]),
        ):
            row, code = service_codes.issue(
                account, ips, today + timedelta(days=days), by=None, note=name
            )
            codes[name] = service_codes.formatted(code)
            if name == "revoked":
                service_codes.revoke(row.id, None)
            if name == "used":  # by a website of another order
                other = db.session.scalar(select(Filing.id).order_by(Filing.id).limit(1))
                row.used_at, row.filing_id = utcnow(), other
        db.session.commit()
    return codes


def newest_demo_code(page) -> str:
    text = page.locator(".demo-mobile-sms p").first.inner_text()
    return re.search(r"验证码：(\d{6})", text).group(1)


def test_product_by_service_code_and_mobiles_by_sms_code(page, live_app, codes_server):
    base = codes_server
    page.goto(f"{base}/auth/signup")
    page.fill("#display_name", "青禾运维")
    page.fill("#email", "ops@qinghe.cn")
    page.fill("#password", "Qinghe2026")
    page.fill("#confirm", "Qinghe2026")
    page.check("#agree")
    page.click("main form[method=post] button[type=submit]")
    page.click("#demo-mail a")
    page.click("#signup-confirm button[type=submit]")
    page.wait_for_url("**/filings/")
    codes = issue_codes(live_app, "ops@qinghe.cn")

    page.click("text=新建备案")
    page.select_option("#certificate_type", "uscc")
    page.fill("#certificate_number", "913301069755TH2H1L")
    page.fill("#domain", "qinghe.cn")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/product")
    assert page.locator("input[name=ips]").count() == 0  # the IP pool is not offered
    field = page.locator("#service-codes input[type=text]").first
    refusals = {
        "ZZZZ-ZZZZ-ZZZZ-ZZZZ": "备案服务码不存在或不属于本账号",
        codes["used"]: "该备案服务码已被使用",
        codes["revoked"]: "该备案服务码已被吊销",
        codes["short"]: "须在填写之日起至少 90 天（3 个月）之后",
    }
    for code, words in refusals.items():
        field.fill(code)
        page.click("#product-form button[type=submit]")
        assert words in page.locator("#service-codes .errors").inner_text()
        screenshot(page, f"product-code-refused-{list(refusals).index(code) + 1}")
    field.fill(codes["good"].lower())
    page.click("#product-form button[type=submit]")
    page.wait_for_url("**/password")
    page.fill("#password", "Qinghe2021")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/subject")

    page.fill("#certificate_address", "浙江省杭州市西湖区文三路 1 号")
    page.fill("#mailing_address", "浙江省杭州市西湖区文三路 1 号 5 楼")
    page.fill("#person_name", "王小明")
    page.select_option("#person_id_type", "resident_id")
    page.fill("#person_id_number", "330106199003071236")
    page.fill("#person_mobile", "13800138000")
    page.fill("#person_email", "wangxm@qinghe.cn")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/websites")
    panel = page.locator("#mobile-codes")
    assert "138****8000" in panel.inner_text() and "待验证" in panel.inner_text()
    assert "121.40.10.1" in page.locator("fieldset.website-block").first.inner_text()
    code = newest_demo_code(page)
    page.fill("#mobile-code-input-1", f"{(int(code) + 1) % 10**6:06d}")
    page.click("#mobile-code-1 button:has-text('验证')")
    page.locator("#mobile-codes-message:has-text('还可尝试 4 次')").wait_for()
    page.fill("#mobile-code-input-1", code)
    page.click("#mobile-code-1 button:has-text('验证')")
    page.locator("#mobile-codes-message:has-text('验证通过')").wait_for()
    assert "已验证" in page.locator("#mobile-codes").inner_text()
    screenshot(page, "mobile-verified")

    # a changed mobile is asked again
    page.goto(page.url.replace("/websites", "/subject"))
    page.fill("#person_mobile", "13912345678")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/websites")
    panel_text = page.locator("#mobile-codes").inner_text()
    assert (
        "139****5678" in panel_text and "待验证" in panel_text and "138****8000" not in panel_text
    )
    screenshot(page, "mobile-changed-asked-again")
    page.locator("input[name='websites-0-content_types'][value=organization_portal]").check()
    page.click("#save-websites")
    page.wait_for_url("**/confirm")
    assert "尚未通过短信验证" in page.locator("ul.problems").inner_text()
    assert page.locator("#submit-filing").is_disabled()
    page.fill("#mobile-code-input-1", newest_demo_code(page))
    page.click("#mobile-code-1 button:has-text('验证')")
    page.locator("#mobile-codes-message:has-text('验证通过')").wait_for()
    # no reload: the pre-check and the submit button follow the panel (hx-swap-oob)
    page.locator("#precheck:has-text('预检通过')").wait_for()
    assert page.locator("#submit-filing").is_enabled()
    assert "尚未通过短信验证" not in page.locator("#precheck").inner_text()
    screenshot(page, "confirm-after-codes")
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-filing")
    page.wait_for_url("**/filings/*")
    assert "待初审" in page.locator(".status").inner_text()
    with live_app.app_context():
        used = db.session.scalar(select(ServiceCode).where(ServiceCode.note == "good"))
        assert used.used_at is not None and used.ips == ["121.40.10.1"]
