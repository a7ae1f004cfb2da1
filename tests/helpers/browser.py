"""For the browser tests: Debian's Chromium, screenshots for a person to look at, logging in through
the real form (with the second factor), a reviewer's decision, and the demo data's filing at its
materials step."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pyotp
from sqlalchemy import select

from demo.seed import DEMO_TOTP_SECRET, filled_in_filing
from domain.filing import materials
from domain.lifecycle.states import Action
from extensions import db
from models import Filing, User, Website
from runtime import storage_for
from tests.helpers import transitions
from tests.helpers.wizard import image_bytes

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base: str, email: str, password: str, totp_secret: str | None = None) -> None:
    """Log in through the real form (the page stays where the login sends it); where the account
    has a second factor, the code comes from `totp_secret` (the demo admin's by default)."""
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")
    if "/auth/second-factor" in page.url:
        page.fill("#code", second_factor_code(totp_secret or DEMO_TOTP_SECRET))
        page.click("main form[method=post] button[type=submit]")


SUBMIT = "main form[method=post] button[type=submit]"


def wizard_to_subject(
    page, base: str, certificate_number: str, domain: str, password: str | None = None,
    certificate_type: str | None = None,
) -> None:  # fmt: skip
    """A new order from the type step to its subject step: the certificate and the domain typed,
    the first product IP ticked, and the filing password where the order asks it (`password`:
    an access order of a subject filed elsewhere)."""
    page.goto(f"{base}/filings/new")
    if certificate_type:
        page.select_option("#certificate_type", certificate_type)
    page.fill("#certificate_number", certificate_number)
    page.fill("#domain", domain)
    page.click(SUBMIT)
    page.wait_for_url("**/product")
    page.locator("input[name=ips]").first.check()
    page.click(SUBMIT)
    if password is not None:
        page.wait_for_url("**/password")
        page.fill("#password", password)
        page.click(SUBMIT)
    page.wait_for_url("**/subject")


_SPENT_STEPS: dict[str, int] = {}


def second_factor_code(secret: str) -> str:
    """A code the server has not taken yet: it accepts each 30-second step once (and one step
    either side), so a quick second login uses the next step, waiting for it when need be."""
    step = max(int(time.time()) // 30, _SPENT_STEPS.get(secret, -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(0.5)
    _SPENT_STEPS[secret] = step
    return pyotp.TOTP(secret).at(step * 30)


def claim_and_decide(page, base: str, filing_id: int, action: str, **fields: str) -> None:
    """As a logged-in reviewer: claim the filing if free, take `action`, fill `fields` (CSS
    selector -> value; "select:#id" picks an option), decide, and land (decide_and_land)."""
    page.goto(f"{base}/review/filings/{filing_id}")
    if page.locator("#claim").count():
        page.click("#claim")
    page.select_option("#action", action)
    for selector, value in fields.items():
        if selector.startswith("select:"):
            page.select_option(selector.split(":", 1)[1], value)
        else:
            page.fill(selector, value)
    decide_and_land(page)


def decide_and_land(page) -> None:
    """Click 提交处理结果 and land on the queue, or on the filing where the reviewer keeps its
    claim for the next stage."""
    with page.expect_navigation():
        page.click("#decide")
    assert re.search(r"/review/(\?stage=|filings/\d+$)", page.url), page.url


DEMO_APPLICANT, DEMO_REVIEWER = "applicant@demo.beiandesk.cn", "reviewer@demo.beiandesk.cn"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def filing_at_materials() -> tuple[Filing, User]:
    """In the caller's app context and transaction: the demo applicant's new filing of 青禾
    (qinghe.cn), submitted and through initial review, waiting for its materials and the
    authenticity check; and the applicant."""
    applicant, reviewer = user(DEMO_APPLICANT), user(DEMO_REVIEWER)
    filing = filled_in_filing(
        applicant, "913301069755TH2H1L", "qinghe.cn", "Qinghe2021", "13800138001"
    )
    transitions.apply(filing, Action.submit, applicant)
    transitions.apply(filing, Action.initial_approve, reviewer)
    return filing, applicant


def upload_required_materials(app, filing: Filing, applicant: User) -> None:
    """In the caller's transaction: every material the filing needs, stored as the applicant's
    uploads (a JPEG each)."""
    store = storage_for(app.config)
    for need in materials.required_materials(filing):
        website = db.session.get(Website, need.website_id) if need.website_id else None
        picture = materials.Picture.of(*materials.inspect_image(image_bytes("JPEG")))
        materials.store_upload(store, filing, need.kind, website, picture, "scan.jpg", applicant)
