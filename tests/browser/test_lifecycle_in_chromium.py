"""A6 v2 in Chromium: the bureau rejects a filing, the applicant reads why and withdraws it, after
a confirmation step."""

from __future__ import annotations

from sqlalchemy import select

from demo.seed import filled_in_filing
from domain.lifecycle.states import Action, FilingState
from extensions import db
from models import Filing, User
from tests.helpers import transitions
from tests.helpers.browser import login, screenshot

APPLICANT, REVIEWER = "applicant@demo.beiandesk.cn", "reviewer@demo.beiandesk.cn"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_bureau_rejection_then_withdraw(live_app, live_server, browser, page):
    with live_app.app_context():
        applicant, reviewer = user(APPLICANT), user(REVIEWER)
        filing = filled_in_filing(
            applicant, "913301069755TH2H1L", "qinghe.cn", "Qinghe2021", "13800138001"
        )
        steps = (Action.submit, Action.initial_approve, Action.submit_materials, Action.re_approve,
                 Action.submit_to_bureau, Action.sms_verify)  # fmt: skip
        for action in steps:
            actor = applicant if action in (Action.submit, Action.submit_materials) else reviewer
            transitions.apply(filing, action, None if action is Action.sms_verify else actor)
        db.session.commit()
        filing_id = filing.id

    staff = browser.new_page()
    login(staff, live_server, REVIEWER, "Review12345")
    staff.goto(f"{live_server}/review/filings/{filing_id}")
    staff.click("#claim")
    staff.select_option("select[name=action]", "bureau_reject")
    staff.fill("textarea[name=note]", "网站名称与备案信息不一致")
    staff.fill("input[name=receipt]", "ZJ20261124-0001")
    staff.click("#decide")
    staff.wait_for_url("**/review/**")
    screenshot(staff, "bureau-rejected-by-reviewer")

    login(page, live_server, APPLICANT, "Apply12345")
    page.goto(f"{live_server}/filings/{filing_id}")
    panel = page.locator("section.status").inner_text()
    assert "管局驳回" in panel and "网站名称与备案信息不一致" in panel
    page.click("a.withdraw")
    page.wait_for_url(f"**/filings/{filing_id}/withdraw")
    assert "不能恢复" in page.inner_text("main")
    screenshot(page, "withdraw-confirmation")
    page.click("#confirm-withdraw")
    page.wait_for_url(f"**/filings/{filing_id}")
    assert "已放弃" in page.locator("section.status").inner_text()
    screenshot(page, "withdrawn-after-bureau-rejection")
    with live_app.app_context():
        assert db.session.get(Filing, filing_id).state is FilingState.withdrawn
