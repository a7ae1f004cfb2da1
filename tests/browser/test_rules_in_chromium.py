"""In real Chromium: a 港澳台居民居住证 holder files as an individual; a second pre-approval is added
and removed in place; a finance name without its pre-approval warns the applicant and the reviewer
without blocking."""

from __future__ import annotations

import pytest

from domain.rulebook.registry import import_registry, parse_registry_csv
from extensions import db
from runtime import current
from tests.helpers.browser import login, screenshot, wizard_to_subject

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HK_RESIDENCE = "810000199001011230"
REGISTRY = (
    "subject_number,subject_name,subject_kind,certificate_type,certificate_number,province,"
    "responsible_mobile,filing_password,website_number,website_name,domains,access_providers,"
    "change_in_progress\n"
    f"浙ICP备2024000777号,陈大文,individual,hk_mo_tw_residence,{HK_RESIDENCE},33,13588880001,"
    "Chan2024x,浙ICP备2024000777号-1,大文理财随笔,chandaiman.cn@2029-01-01,ALIYUN,0\n"
)


def test_a_residence_permit_holder_files_with_two_pre_approvals_and_a_finance_warning(
    page, live_app, live_server
):
    with live_app.app_context():
        import_registry(parse_registry_csv(REGISTRY), hasher=current().hasher)
        db.session.commit()
    login(page, live_server, "applicant@demo.beiandesk.cn", "Apply12345")
    wizard_to_subject(
        page, live_server, HK_RESIDENCE, "www.chandaiman.cn", password="Chan2024x",
        certificate_type="hk_mo_tw_residence",
    )  # fmt: skip
    assert page.input_value("#person_id_type") == "hk_mo_tw_residence"
    assert page.input_value("#person_id_number") == HK_RESIDENCE
    page.fill("#certificate_address", "浙江省杭州市西湖区文三路 1 号")
    page.fill("#mailing_address", "浙江省杭州市西湖区文三路 1 号 5 楼")
    page.fill("#person_mobile", "13588880001")
    page.fill("#person_emergency_mobile", "13588880001")  # his own mobile: refused inline
    page.fill("#person_id_valid_until", "长期")
    page.fill("#person_email", "chan@example.cn")
    page.locator("#person_email").blur()
    page.wait_for_selector("#field-person_emergency_mobile.has-error")
    assert "应急联系电话不能与本人手机号码相同" in page.inner_text("#field-person_emergency_mobile")
    screenshot(page, "rules-subject-residence-permit")
    page.fill("#person_emergency_mobile", "13588880002")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/websites")

    # the finance warning, seen by the applicant at once
    assert "可能涉及金融前置审批" in page.inner_text("#websites")
    page.locator("input[name='websites-0-content_types'][value=blog]").check()
    page.select_option("#websites-0-pre_approvals-0-category", "finance")
    page.fill("#websites-0-pre_approvals-0-number", "浙金许〔2024〕12号")
    url = page.url
    page.locator(".pre-approvals").first.locator("text=添加前置审批").click()
    page.wait_for_selector("#websites-0-pre_approvals-1-category")
    assert page.url == url  # in place, no navigation
    assert page.input_value("#websites-0-pre_approvals-0-category") == "finance"  # kept
    page.select_option("#websites-0-pre_approvals-1-category", "news")
    page.fill("#websites-0-pre_approvals-1-number", "浙新闻许字(2024)第012号")
    screenshot(page, "rules-two-pre-approvals")
    page.locator(".pre-approval-row").nth(1).locator("text=删除此前置审批").click()
    page.wait_for_selector("#websites-0-pre_approvals-1-category", state="detached")
    assert page.input_value("#websites-0-pre_approvals-0-category") == "finance"
    page.select_option(
        "#websites-0-pre_approvals-0-category", ""
    )  # no finance pre-approval after all
    page.fill("#websites-0-pre_approvals-0-number", "")
    page.click("#save-websites")
    page.wait_for_url("**/confirm")
    assert "可能涉及金融前置审批" in page.inner_text("#precheck-warnings")
    screenshot(page, "rules-confirm-finance-warning")
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-filing")
    page.wait_for_url("**/filings/*")
    filing_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    # the reviewer sees it too
    page.context.clear_cookies()
    login(page, live_server, "reviewer@demo.beiandesk.cn", "Review12345")
    page.goto(f"{live_server}/review/filings/{filing_id}")
    assert "可能涉及金融前置审批" in page.inner_text("main")
    assert "手机号码核查" in page.inner_text("#stored-checks")
    screenshot(page, "rules-review-finance-warning")
