"""In real Chromium: the reviewer's reason picker lists the chosen field's reasons first (the
regrouping is the page's script), and 其他 without words is told at that row's 补充说明."""

from __future__ import annotations

import pytest

from demo.seed import DEMO_ACCOUNTS, filled_in_filing
from domain.lifecycle.states import Action
from extensions import db
from tests.helpers import transitions
from tests.helpers.browser import login, screenshot, user

pytestmark = pytest.mark.browser
REVIEWER = next(a for a in DEMO_ACCOUNTS if a[3].value == "reviewer")
APPLICANT_B = DEMO_ACCOUNTS[3]

GROUPS = """(name) => Array.from(document.querySelector(`select[name="${name}"]`).children).map(
  (c) => c.tagName === "OPTGROUP" ? [c.label, Array.from(c.children).map((o) => o.value)] : c.value)"""


def test_the_picker_lists_the_fields_reasons_first(page, live_app, live_server):
    with live_app.app_context():
        applicant = user(APPLICANT_B[0])
        filing = filled_in_filing(
            applicant, "913301069755TH2H1L", "qinghe.cn", "Qinghe2021", "13800138001"
        )
        transitions.apply(filing, Action.submit, applicant)
        db.session.commit()
        filing_id = filing.id
    login(page, live_server, REVIEWER[0], REVIEWER[1])
    page.goto(f"{live_server}/review/filings/{filing_id}")
    page.click("#claim")
    page.select_option("select[name=action]", "initial_reject")
    whole = page.evaluate(GROUPS, "reasons-0-code")
    assert all(isinstance(item, str) for item in whole)  # （整体）: one list of every reason
    page.select_option("select[name=reasons-0-field]", "subject.mailing_address")
    first, rest = page.evaluate(GROUPS, "reasons-0-code")[1:]
    assert first[0] == "适用于所选字段的原因"
    assert first[1] == ["address_incomplete", "address_mismatch", "cross_province", "other"]
    assert "domain_unverified" in rest[1] and "address_incomplete" not in rest[1]
    page.select_option("select[name=reasons-0-code]", "other")
    page.click("#decide")
    text = page.locator("#reasons-0-text")
    assert text.get_attribute("aria-invalid") == "true"
    assert "选择“其他”时" in page.locator("#reasons-0-text-errors").inner_text()
    # the posted field is chosen again: its reasons still come first
    assert page.evaluate(GROUPS, "reasons-0-code")[1][0] == "适用于所选字段的原因"
    screenshot(page, "reason-picker-other-error")
