"""In real Chromium: a new user signs up and files a 新增接入 with two websites up to "submitted";
planted mistakes show inline in Chinese and nothing typed is lost."""

from __future__ import annotations

import pytest

from tests.helpers.browser import screenshot

pytestmark = pytest.mark.browser


def test_new_access_with_two_websites_from_sign_up_to_submitted(page, live_server):
    # sign up (demo mode gives the new account two of the provider's IPs)
    page.goto(f"{live_server}/auth/signup")
    page.fill("#display_name", "青禾管理员")
    page.fill("#email", "it@qinghe.cn")
    page.fill("#password", "Qinghe2026")
    page.fill("#confirm", "Qinghe2026")
    page.check("#agree")
    page.click("main form[method=post] button[type=submit]")
    # the confirmation e-mail: demo mode shows it on the page (elsewhere it goes to the mailbox)
    assert "请查收邮件" in page.locator("h1").inner_text()
    page.click("#demo-mail a")
    page.click("#signup-confirm button[type=submit]")
    page.wait_for_url("**/filings/")
    page.click("text=新建备案")

    # step 1: a refusal first (a domain of another subject), then the right domain
    page.select_option("#certificate_type", "uscc")
    page.fill("#certificate_number", "913301069755TH2H1L")
    page.fill("#domain", "yunfan-net.com")
    page.click("main form[method=post] button[type=submit]")
    assert "该域名已备案在其他主体下" in page.locator("#type-refusal").inner_text()
    assert page.input_value("#certificate_number") == "913301069755TH2H1L"
    page.fill("#domain", "qinghe.cn")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/product")
    assert "新增接入" in page.locator(".flash-ok").inner_text()

    # step 2: product verification
    page.locator("input[name=ips]").first.check()
    page.locator("input[name=ips]").nth(1).check()
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/password")

    # step 3: filing password, wrong then right
    page.fill("#password", "wrong-password")
    page.click("main form[method=post] button[type=submit]")
    assert "密码不正确" in page.locator(".errors").inner_text()
    page.fill("#password", "Qinghe2021")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/subject")

    # step 4: subject; a bad mobile is flagged inline when the field is left (htmx)
    page.fill("#certificate_address", "浙江省杭州市西湖区文三路 1 号")
    page.fill("#mailing_address", "浙江省杭州市西湖区文三路 1 号 5 楼")
    page.fill("#person_name", "王小明")
    page.select_option("#person_id_type", "resident_id")
    page.fill("#person_id_number", "330106199003071237")
    page.fill("#person_mobile", "1380013800")
    page.fill("#person_email", "wangxm@qinghe.cn")  # leaving the mobile field triggers its check
    page.locator("#field-person_mobile .errors").wait_for()
    assert (
        "负责人手机号码：手机号码应为 11 位中国大陆手机号"
        in page.locator("#field-person_mobile").inner_text()
    )
    page.click("main form[method=post] button[type=submit]")  # the ID check digit is wrong too
    assert "校验位错误" in page.locator("#field-person_id_number").inner_text()
    assert page.input_value("#person_email") == "wangxm@qinghe.cn"  # nothing typed is lost
    screenshot(page, "wizard-subject-errors")
    page.fill("#person_id_number", "330106199003071236")
    page.fill("#person_mobile", "13800138000")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/websites")

    # step 5: websites; choose a language, then add the subject's second website without reload
    page.locator("input[name='websites-0-languages'][value='en']").check()
    page.fill("#new_domain", "qhnote.cn")
    page.click("#add-website")
    page.locator("fieldset.website-block").nth(1).wait_for()
    assert page.locator("input[name='websites-0-languages'][value='en']").is_checked()  # kept
    assert "qhnote.cn" in page.locator("fieldset.website-block").nth(1).inner_text()
    # the second website has another responsible person who (wrongly) shares the mobile
    second = page.locator("fieldset.website-block").nth(1)
    second.locator("input[name$=person_mode][value=other]").check()
    second.locator("input[name$=person_name]").fill("李娜")
    second.locator("input[name$=person_id_number]").fill("11010519491231002X")
    second.locator("input[name$=person_mobile]").fill("13800138000")
    second.locator("input[name$=person_email]").fill("lina@qinghe.cn")
    for block in range(2):  # 网站服务内容 is asked for each website (R-W-1)
        page.locator(
            f"input[name='websites-{block}-content_types'][value=organization_portal]"
        ).check()
    page.click("#save-websites")
    assert (
        "手机号码和电子邮箱不能相同" in page.locator("fieldset.website-block").nth(1).inner_text()
    )
    screenshot(page, "wizard-websites")
    page.locator("fieldset.website-block").nth(1).locator("input[name$=person_mobile]").fill(
        "13900139000"
    )
    page.click("#save-websites")
    page.wait_for_url("**/confirm")

    # step 6: confirm and submit (a double click files once)
    assert "预检通过" in page.locator(".flash-ok").inner_text()
    screenshot(page, "wizard-confirm")
    page.check("#commitment")  # the truthfulness commitment
    page.dblclick("#submit-filing")
    page.wait_for_url("**/filings/*")
    assert "待初审" in page.locator(".status").inner_text()
    screenshot(page, "filing-submitted")
    page.goto(f"{live_server}/filings/")
    assert page.locator("table tbody tr").count() == 1
