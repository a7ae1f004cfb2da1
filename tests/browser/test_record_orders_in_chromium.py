"""DOMAIN.md A7 v3 in Chromium: from the records page a 变更主体 (a new legal representative, the new
name), a 变更网站 (a domain added, one removed, the name changed), a 注销网站 and a 注销主体 each to
approval, and the records page after each; a claim refused by a wrong password and by a second
account, then made by the right one."""

from __future__ import annotations

from sqlalchemy import select

from demo.seed import filled_in_filing
from domain.lifecycle.states import Action, FilingState, OrderKind
from domain.rulebook.registry import LocalRegistry
from extensions import db
from models import Filing, SmsChallenge, User
from tests.helpers import transitions
from tests.helpers.browser import login, screenshot

APPLICANT, APPLICANT_B = "applicant@demo.beiandesk.cn", "applicant2@demo.beiandesk.cn"
REVIEWER = "reviewer@demo.beiandesk.cn"
SUBJECT, WEBSITE = "浙ICP备2021000001号", "浙ICP备2021000001号-1"
YUNFAN, YUNFAN_USCC = "沪ICP备2019012345号", "9131011566P50L230K"
ACCESS = (Action.submit, Action.initial_approve, Action.submit_materials, Action.re_approve,
          Action.submit_to_bureau, Action.sms_verify, Action.bureau_approve)  # fmt: skip
WITH_MATERIALS = (Action.initial_approve, Action.submit_materials, Action.re_approve,
                  Action.submit_to_bureau, Action.sms_verify, Action.bureau_approve)  # fmt: skip
WITH_SMS = (Action.review_approve, Action.submit_to_bureau, Action.sms_verify,
            Action.bureau_approve)  # fmt: skip
NO_SMS = (Action.review_approve, Action.submit_to_bureau_no_sms, Action.bureau_approve)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def walk(live_app, kind: OrderKind, steps) -> Filing:
    """The newest order of `kind` walked on by the reviewer (the owner's and the SMS steps as
    theirs), as the app takes each step."""
    with live_app.app_context():
        filing = db.session.scalar(
            select(Filing).where(Filing.kind == kind).order_by(Filing.id.desc())
        )
        owner, reviewer = filing.account, user(REVIEWER)
        for action in steps:
            actor = {Action.submit_materials: owner, Action.submit: owner, Action.sms_verify: None}
            transitions.apply(filing, action, actor.get(action, reviewer))
        db.session.commit()
        assert filing.state is FilingState.approved
        return filing


def test_orders_on_records_and_claims(live_app, live_server, browser, page):
    with live_app.app_context():
        applicant = user(APPLICANT)
        filing = filled_in_filing(applicant, "913301069755TH2H1L", "qinghe.cn", "Qinghe2021", "13800138001")  # fmt: skip
        for action in ACCESS:
            actor = None if action is Action.sms_verify else applicant
            if action not in (Action.submit, Action.submit_materials, Action.sms_verify):
                actor = user(REVIEWER)
            transitions.apply(filing, action, actor)
        db.session.commit()

    login(page, live_server, APPLICANT, "Apply12345")
    page.goto(f"{live_server}/records/")
    screenshot(page, "records-before")

    # 变更主体: a new legal representative with the unit's new name
    record = page.locator("section.record", has_text=SUBJECT)
    record.locator("button", has_text="变更主体").click()
    page.wait_for_url("**/records/orders/*/edit")
    page.fill("#name", "杭州青禾数字科技有限公司")
    page.fill("#person_name", "李四")
    page.fill("#person_id_number", "110101199003077774")
    page.fill("#person_mobile", "13912345678")
    page.click("#save-change")
    page.wait_for_url("**/records/orders/*/edit")
    card = page.locator("#record-change").inner_text()
    assert "李四" in card and "杭州青禾数字科技有限公司" in card
    assert "营业执照" in page.locator("#change-materials").inner_text()  # the new licence
    screenshot(page, "change-subject-old-to-new")
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-change")
    page.wait_for_url("**/filings/*")
    assert "待审核" in page.locator("section.status").inner_text()
    changed = walk(live_app, OrderKind.change_subject, WITH_MATERIALS)
    with live_app.app_context():  # B R-S-2: the SMS went to the new person's mobile
        sent = db.session.scalars(select(SmsChallenge.mobile).where(SmsChallenge.filing_id == changed.id))  # fmt: skip
        assert set(sent) == {"13912345678"}
    page.goto(f"{live_server}/records/")
    assert "杭州青禾数字科技有限公司" in page.inner_text("main")
    screenshot(page, "records-after-change-subject")

    # 变更网站: add a domain, remove one, rename
    page.locator(f"tr:has-text('{WEBSITE}') button.change-website").click()
    page.wait_for_url("**/records/orders/*/edit")
    assert not page.locator("#person_name").is_visible()  # 同主体负责人: no person to fill in
    page.check("#person-other")
    assert page.locator("#person_name").is_visible()
    page.check("input[name=person_mode][value=subject]")
    page.fill("#name", "青禾科技")
    page.fill("#domains", "qinghe.cn\nqinghe-tech.cn")
    page.click("#save-change")
    page.wait_for_url("**/records/orders/*/edit")
    screenshot(page, "change-website-old-to-new")
    page.check("#commitment")  # the truthfulness commitment
    page.click("#submit-change")
    page.wait_for_url("**/filings/*")
    staff = browser.new_page()  # the reviewer sees the record beside the change
    login(staff, live_server, REVIEWER, "Review12345")
    staff.goto(f"{live_server}/review/filings/{page.url.rstrip('/').rsplit('/', 1)[-1]}")
    card = staff.locator("#record-change").inner_text()
    assert "青禾科技官网" in card and "qinghe-tech.cn" in card
    screenshot(staff, "review-change-website")
    staff.close()
    walk(live_app, OrderKind.change_website, WITH_SMS)
    page.goto(f"{live_server}/records/")
    main = page.inner_text("main")
    assert "青禾科技" in main and "qinghe-tech.cn" in main and "qinghe.com.cn" not in main
    screenshot(page, "records-after-change-website")

    # 注销网站: a wrong number is refused, the right one goes through
    page.locator(f"tr:has-text('{WEBSITE}') a.cancel-website").click()
    page.fill("#confirm_number", "浙ICP备2021000001号-9")
    page.click("#submit-cancel")
    assert "不一致" in page.locator("#order-error").inner_text()
    page.fill("#confirm_number", WEBSITE)
    screenshot(page, "cancel-website-confirm")
    page.click("#submit-cancel")
    page.wait_for_url("**/filings/*")
    walk(live_app, OrderKind.cancel_website, NO_SMS)
    page.goto(f"{live_server}/records/")
    assert WEBSITE not in page.inner_text("main")
    with live_app.app_context():
        assert LocalRegistry().website_by_domain("qinghe.cn") is None

    # 认领: a wrong password, then the right one; a second account is refused afterwards
    page.select_option("#claim-type", "uscc")
    page.fill("#claim-number", YUNFAN_USCC)
    page.fill("#claim-password", "Wrong2019")
    page.click("#claim-submit")
    error = page.locator("#claim-password-errors")  # said in the claim form, its input focused
    error.wait_for()
    assert "备案密码不正确" in error.inner_text()
    box = error.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]
    page.fill("#claim-number", YUNFAN_USCC)
    page.fill("#claim-password", "Yunfan2019")
    page.click("#claim-submit")
    page.wait_for_url("**/records/")
    assert "已认领" in page.inner_text("main") and YUNFAN in page.inner_text("main")
    screenshot(page, "records-after-claim")

    other = browser.new_page()
    login(other, live_server, APPLICANT_B, "Apply12345")
    other.goto(f"{live_server}/records/")
    other.fill("#claim-number", YUNFAN_USCC)
    other.fill("#claim-password", "Yunfan2019")
    other.click("#claim-submit")
    other.locator("#claim-number-errors").wait_for()
    assert "其他账号" in other.locator("#claim-number-errors").inner_text()
    screenshot(other, "claim-refused-held-elsewhere")
    other.close()

    # 注销主体 of the claimed subject
    page.goto(f"{live_server}/records/cancel-record?kind=cancel_subject&subject={YUNFAN}")
    page.fill("#confirm_number", YUNFAN)
    screenshot(page, "cancel-subject-confirm")
    page.click("#submit-cancel")
    page.wait_for_url("**/filings/*")
    walk(live_app, OrderKind.cancel_subject, NO_SMS)
    page.goto(f"{live_server}/records/")
    assert YUNFAN not in page.inner_text("main")
    screenshot(page, "records-after-cancel-subject")
    with live_app.app_context():
        assert LocalRegistry().website_by_domain("yunfan-net.com") is None
