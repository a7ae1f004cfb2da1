"""The applicant's status page in Chromium: while nothing changes its polls answer 204 and the panel
stays as it is; a reviewer's decision shows without a reload, and polling goes on from there."""

from __future__ import annotations

import itertools

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


def test_on_a_phone_the_status_bar_and_header_fit_the_screen(live_app, live_server, page):
    """390 × 844: the eight steps stand in one column inside the screen (wrapped rows ran their
    lines off the edge), the header takes two lines, a list's cells carry their labels."""
    with live_app.app_context():
        applicant = user(APPLICANT)
        filing = filled_in_filing(
            applicant, "9165010282TDYP143M", "tianshanguoye.cn", "Tianshan20", "13899912345"
        )
        transitions.apply(filing, Action.submit, applicant)
        db.session.commit()
        filing_id = filing.id
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, APPLICANT, "Apply12345")
    page.goto(f"{live_server}/filings/{filing_id}")
    boxes = page.locator("ol.lifecycle > li").evaluate_all(
        "items => items.map(item => item.getBoundingClientRect().toJSON())"
    )
    assert len(boxes) >= 6
    assert all(box["left"] >= 0 and box["right"] <= 390 for box in boxes)
    assert all(later["top"] > earlier["top"] for earlier, later in itertools.pairwise(boxes))
    lines_of_nav = page.locator(".topbar .nav").evaluate(
        "nav => nav.getBoundingClientRect().height"
    )
    assert lines_of_nav < 2 * 30  # one line of links (about 24 px), not two or three
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/filings/{filing_id}")
    nav, link = (
        page.locator(selector).evaluate("element => element.getBoundingClientRect().height")
        for selector in (".topbar .nav", ".topbar .nav a >> nth=0")
    )
    assert nav < 1.5 * link  # in English too, one line ("My filings … Log out 中文")
    page.goto(f"{live_server}/lang/zh_Hans_CN")
    screenshot(page, "status-on-a-phone")
    page.goto(f"{live_server}/filings/")
    first_cell = page.locator("table.table td[data-label]").first
    label = first_cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "主体" in label
