"""In real Chromium: the subject step's address picker (省/市/区) writes the chosen places at the
start of the address box (htmx draws the lower levels, static/app.js fills the box), and without
JavaScript the picker is not shown and the box is typed and saved as ever."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from demo.seed import DEMO_ACCOUNTS
from tests.helpers.browser import login, screenshot, wizard_to_subject

pytestmark = pytest.mark.browser
APPLICANT = next(a for a in DEMO_ACCOUNTS if a[3].value == "applicant")


def to_subject_step(page, base: str) -> None:
    wizard_to_subject(page, base, "913301069755TH2H1L", "qinghe.cn", password="Qinghe2021")


def test_the_picker_writes_the_places_in_front_of_the_street(page, live_server):
    login(page, live_server, APPLICANT[0], APPLICANT[1])
    to_subject_step(page, live_server)
    box = page.locator("#certificate_address")
    picker = page.locator("#place-certificate_address")
    expect(picker).to_be_visible()
    expect(page.locator("#place-certificate_address-province")).to_have_value("33")  # the order's
    box.fill("文三路 1 号")
    page.select_option("#place-certificate_address-city", "3301")
    expect(box).to_have_value("浙江省杭州市文三路 1 号")
    expect(page.locator("#place-certificate_address-district")).to_be_enabled()
    page.select_option("#place-certificate_address-district", "330106")
    expect(box).to_have_value("浙江省杭州市西湖区文三路 1 号")
    expect(page.locator("#field-certificate_address .errors")).to_have_count(0)  # checked: fine
    screenshot(page, "address-picker")
    page.select_option("#place-certificate_address-province", "11")  # another province: its
    expect(box).to_have_value("北京市文三路 1 号")  # name replaces every old place
    expect(page.locator("#place-certificate_address-city")).to_have_value("")
    expect(page.locator("#place-mailing_address-province")).to_have_value("33")  # its own picker


def test_without_javascript_the_address_box_works_as_before(browser, live_server):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, APPLICANT[0], APPLICANT[1])
        to_subject_step(page, live_server)
        expect(page.locator("#place-certificate_address")).to_be_hidden()
        page.fill("#certificate_address", "浙江省杭州市西湖区文三路 1 号")
        page.fill("#mailing_address", "浙江省杭州市西湖区文三路 1 号 5 楼")
        page.fill("#person_name", "王小明")
        page.fill("#person_id_number", "330106199003071236")
        page.fill("#person_mobile", "13800138001")
        page.fill("#person_email", "wangxm@qinghe.cn")
        page.click("main form[method=post] button[type=submit]")
        page.wait_for_url("**/websites")
    finally:
        context.close()


def test_a_picked_certificate_address_sets_the_subjects_province(page, live_server):
    """A 首次备案 types the subject's province (主体所在省份): the certificate address's picked
    province goes there (empty or another), the mailing address's only into an empty field."""
    login(page, live_server, APPLICANT[0], APPLICANT[1])
    wizard_to_subject(page, live_server, "91330106MA28XY5Q78", "xinhe-tech.cn")  # a 首次备案
    province = page.locator("#province")
    page.select_option("#province", "")
    page.select_option("#place-mailing_address-province", "33")
    expect(province).to_have_value("33")  # an empty field takes the mailing address's
    page.select_option("#place-mailing_address-province", "32")
    expect(page.locator("#mailing_address")).to_have_value("江苏省")
    expect(province).to_have_value("33")  # but never overrides a chosen one
    page.select_option("#place-certificate_address-province", "44")
    page.select_option("#place-certificate_address-city", "4403")
    expect(page.locator("#certificate_address")).to_have_value("广东省深圳市")
    expect(province).to_have_value("44")  # the certificate address decides
    screenshot(page, "address-picker-sets-province")


def test_a_checks_late_answer_never_puts_an_older_value_back(page, live_server):
    """A field's check that answers after the box has changed (typed on, or filled by the picker
    meanwhile) is dropped: the box keeps the newer value, whose own check then answers."""
    login(page, live_server, APPLICANT[0], APPLICANT[1])
    to_subject_step(page, live_server)
    held = []

    def hold_the_first_check(route):
        if not held:
            held.append(route)
        else:
            route.continue_()

    page.route("**/subject/check?field=certificate_address", hold_the_first_check)
    box = page.locator("#certificate_address")
    box.fill("广东省")
    box.dispatch_event("change")  # its check goes out and is held
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(20)  # lets Playwright run the route handler
    assert held, "the field's check went out"
    box.fill("浙江省杭州市西湖区文三路 1 号")
    with page.expect_response(lambda r: r.request.method == "POST" and "/subject/check" in r.url):
        held[0].continue_()
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 50)))"
    )  # swapped by now
    expect(box).to_have_value("浙江省杭州市西湖区文三路 1 号")
    box.dispatch_event("change")  # the newer value's own check answers and is drawn
    expect(page.locator("#field-certificate_address .errors")).to_have_count(0)
    expect(box).to_have_value("浙江省杭州市西湖区文三路 1 号")
