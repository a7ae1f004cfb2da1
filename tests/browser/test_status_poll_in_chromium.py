"""The applicant's status page in Chromium: while nothing changes its polls answer 204 and the panel
stays as it is; a reviewer's decision shows without a reload, and polling goes on from there."""

from __future__ import annotations

from sqlalchemy import select

from demo.seed import filled_in_filing
from domain.lifecycle.states import Action
from extensions import db
from models import Filing, User
from tests.helpers import transitions
from tests.helpers.browser import login, screenshot

APPLICANT, REVIEWER = "applicant@demo.beiandesk.cn", "reviewer@demo.beiandesk.cn"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def is_poll(response, status: int) -> bool:
    return "/status?version=" in response.url and response.status == status


def test_status_page_follows_a_decision_without_a_reload(live_app, live_server, page):
    with live_app.app_context():
        applicant = user(APPLICANT)
        filing = filled_in_filing(
            applicant, "913301069755TH2H1L", "qinghe.cn", "Qinghe2021", "13800138001"
        )
        transitions.apply(filing, Action.submit, applicant)
        db.session.commit()
        filing_id = filing.id

    login(page, live_server, APPLICANT, "Apply12345")
    page.goto(f"{live_server}/filings/{filing_id}")
    assert "待初审" in page.locator("section.status").inner_text()
    page.evaluate("document.querySelector('section.status').dataset.mark = 'first'")
    for _ in range(2):  # two polls: nothing changed, nothing swapped
        with page.expect_response(lambda response: is_poll(response, 204)):
            pass
    assert page.locator("section.status[data-mark=first]").count() == 1

    with live_app.app_context():
        transitions.apply(db.session.get(Filing, filing_id), Action.initial_approve, user(REVIEWER))
        db.session.commit()
    page.wait_for_selector("section.status:not([data-mark])")  # the new panel, no reload
    assert "待上传资料及核验" in page.locator("section.status").inner_text()
    assert page.locator("section.status a.button").inner_text().startswith("上传资料")
    screenshot(page, "status-after-decision")
    with page.expect_response(lambda response: is_poll(response, 204)):
        pass  # the new panel polls with the new version
