"""The workflow's promises under real concurrent requests, on a gunicorn server with 4
workers and PostgreSQL: one open order per subject, a submission that files what it checked, a
one-time link used once, the second factor's and the SMS code's failure limits.

SQLite serialises writers, so a race there ends in "database is locked" rather than in a broken
promise; these run on PostgreSQL (the rules themselves are checked on both backends by the fast
tests: tests/db/test_constraints.py)."""

# ruff: noqa: F811 (test functions take the imported `held` fixture)
from __future__ import annotations

import io
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pyotp
import pytest
import requests
from sqlalchemy import func, select

from domain import audit
from domain.accounts import accounts
from domain.filing import authenticity, sms
from domain.filing.filings import PERSON_FIELDS, SUBJECT_FIELDS
from domain.lifecycle.states import Action, FilingState, OrderKind, Role
from extensions import db
from models import AuditEvent, Filing, Material, SmsChallenge, utcnow
from tests.helpers import transitions
from tests.helpers.app import PASSWORD
from tests.helpers.live_server import LiveServer
from tests.helpers.orders import SUBJECT, new_ip
from tests.helpers.photos import face_photo
from tests.helpers.wizard import load_demo, walk_to_confirm

pytestmark = pytest.mark.slow

# A resident ID number whose check digit is wrong (the valid one ends in 6).
INVALID_ID = "330106199003071235"
TRIALS = 10


@pytest.fixture
def server(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the concurrent-request races run on PostgreSQL (SQLite serialises writers)")
    live = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "uploads", workers=4)
    live.start()
    yield live
    live.stop()


def pooled(session: requests.Session) -> requests.Session:
    """The session with room for 40 connections at once (requests keeps 10)."""
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=40)
    session.mount("http://", adapter)
    return session


def at_once(calls: list) -> list[requests.Response]:
    """Run the calls (no-argument functions) all at once; their responses in order."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def test_eight_change_and_cancel_posts_open_one_order(server, applicant, held):
    filing, _reviewer = held
    website = filing.websites[0]
    ip = new_ip(applicant, filing)
    browser = pooled(server.session(applicant.email, PASSWORD))
    token = server.csrf(browser, f"/records/change?subject={SUBJECT}")
    change = {"csrf_token": token, "websites": str(website.id), f"ips-{website.id}": ip}
    cancel = {"csrf_token": token, "websites": str(website.id), "confirm_shells": "on"}

    def post(kind: str, data: dict):
        return lambda: browser.post(
            f"{server.url}/records/{kind}", params={"subject": SUBJECT}, data=data,
            allow_redirects=False, timeout=60,
        )  # fmt: skip

    calls = [post("change", change) if i % 2 else post("cancel", cancel) for i in range(8)]
    counts, statuses = [], []
    for _trial in range(TRIALS):
        statuses += [response.status_code for response in at_once(calls)]
        db.session.expire_all()
        open_orders = db.session.scalars(
            select(Filing).where(
                Filing.registry_subject_number == filing.registry_subject_number,
                Filing.kind != OrderKind.access,
                Filing.state == FilingState.submitted,
            )
        ).all()
        counts.append(len(open_orders))
        for order in open_orders:  # the next trial starts from no open order
            transitions.apply(order, Action.withdraw, applicant)
        db.session.commit()
    print(f"\nraces: {TRIALS} x 8 concurrent change/cancel posts for one record: open orders per "
          f"trial {counts}, statuses {sorted(Counter(statuses).items())}")  # fmt: skip
    assert counts == [1] * TRIALS, statuses
    assert all(status < 500 for status in statuses), statuses


def subject_post(filing: Filing, token: str, **changes: str) -> dict:
    subject, person = filing.subject, filing.subject.responsible_person
    data = {key: getattr(subject, key) or "" for key in SUBJECT_FIELDS}
    data.update({f"person_{key}": getattr(person, key) or "" for key in PERSON_FIELDS})
    return {**data, **changes, "csrf_token": token}


def test_an_edit_racing_the_submit_never_leaves_unchecked_data_submitted(server, client, applicant):
    """Twenty times: the subject step posts an invalid ID number while the submit is posted."""
    browser = pooled(server.session(applicant.email, PASSWORD))
    outcomes: Counter[str] = Counter()
    statuses: list[int] = []
    for trial in range(20):
        filing = walk_to_confirm(client, applicant)
        valid = filing.subject.responsible_person.id_number
        token = server.csrf(browser, f"/filings/{filing.id}/confirm")
        edit = subject_post(filing, token, person_id_number=INVALID_ID)
        submit = {"csrf_token": token, "version": filing.version}

        def post(path: str, data: dict, filing_id: int = filing.id):
            return lambda: browser.post(
                f"{server.url}/filings/{filing_id}/{path}", data=data, allow_redirects=False,
                timeout=60,
            )  # fmt: skip

        calls = [post("subject", edit), post("submit", submit)]
        statuses += [r.status_code for r in at_once(calls if trial % 2 else calls[::-1])]
        db.session.expire_all()
        filing = db.session.get(Filing, filing.id)
        held_now = filing.subject.responsible_person.id_number
        if filing.state is FilingState.submitted:
            outcomes["submitted unchecked" if held_now != valid else "submitted as checked"] += 1
            # withdrawn so the next trial's filing of the same subject is not refused as open
            filing_withdraw(filing, applicant)
        else:
            outcomes["edited, still a draft"] += 1
            filing_withdraw(filing, applicant)
    print(f"\nraces: 20 subject edits racing the submit: {dict(outcomes)}")
    assert outcomes["submitted unchecked"] == 0, (outcomes, statuses)
    assert all(status < 500 for status in statuses), statuses


def filing_withdraw(filing: Filing, owner) -> None:
    transitions.apply(filing, Action.withdraw, owner)
    db.session.commit()


def test_a_one_time_link_posted_eight_times_at_once_is_used_once(server, make_filing):
    load_demo()
    filing = make_filing(FilingState.materials_pending)
    website = filing.websites[0]
    token = authenticity.start(website)
    db.session.commit()
    phone = pooled(requests.Session())
    csrf = server.csrf(phone, f"/verify/{token}")
    photo = face_photo()

    def post():
        return phone.post(
            f"{server.url}/verify/{token}", data={"csrf_token": csrf},
            files={"photo": ("live.jpg", io.BytesIO(photo), "image/jpeg")}, timeout=60,
        )  # fmt: skip

    statuses = [r.status_code for r in at_once([post] * 8)]
    db.session.expire_all()
    photos = db.session.scalar(
        select(func.count(Material.id)).where(
            Material.website_id == website.id, Material.kind == "live_photo"
        )
    )
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.filing_id == filing.id, AuditEvent.action == authenticity.VERIFIED
        )
    )
    print(f"\nraces: 8 concurrent posts of one authenticity link: {statuses.count(200)} x 200, "
          f"{photos} live photos, {events} events, statuses {sorted(Counter(statuses).items())}")  # fmt: skip
    assert (statuses.count(200), photos, events) == (1, 1, 1), statuses
    assert all(status < 500 for status in statuses), statuses


def test_thirty_wrong_second_factor_codes_at_once_check_only_the_tries_left(server, app, make_user):
    admin = make_user(Role.admin)
    accounts.enable_totp_with_secret(
        admin, pyotp.random_base32(), app.config["SECRET_KEY"], utcnow()
    )
    for _ in range(3):  # two tries left of five
        audit.record("second_factor_failed", admin, internal=True, data={"user": admin.id})
    db.session.commit()
    browser = pooled(server.session(admin.email, PASSWORD))
    token = server.csrf(browser, "/auth/second-factor")

    def post():
        return browser.post(
            f"{server.url}/auth/second-factor", data={"csrf_token": token, "code": "000000"},
            allow_redirects=False, timeout=60,
        )  # fmt: skip

    statuses = [r.status_code for r in at_once([post] * 30)]
    db.session.expire_all()
    checked = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.actor_id == admin.id, AuditEvent.action == "second_factor_failed",
            AuditEvent.created_at >= utcnow() - timedelta(minutes=15),
        )
    ) - 3  # fmt: skip
    print(f"\nraces: 30 concurrent wrong second-factor codes with 2 tries left: {checked} checked, "
          f"statuses {sorted(Counter(statuses).items())}")  # fmt: skip
    assert checked == 2, statuses
    assert all(status < 500 for status in statuses), statuses


def test_thirty_six_wrong_sms_codes_at_once_fail_the_round_without_a_server_error(
    server, make_filing, make_user
):
    load_demo()
    owner = make_user(Role.applicant)
    filing = make_filing(FilingState.sms_pending, owner=owner)
    challenge = sms.open_challenges(filing)[0]
    browser = pooled(server.session(owner.email, PASSWORD))
    token = server.csrf(browser, f"/filings/{filing.id}/sms")

    def post():
        return browser.post(
            f"{server.url}/filings/{filing.id}/sms",
            data={"csrf_token": token, "challenge_id": challenge.id, "code": "000000"},
            allow_redirects=False, timeout=60,
        )  # fmt: skip

    statuses = [r.status_code for r in at_once([post] * 36)]
    db.session.expire_all()
    failures = db.session.get(SmsChallenge, challenge.id).failures
    state = db.session.get(Filing, filing.id).state
    print(f"\nraces: 36 concurrent wrong SMS codes: {failures} counted, filing {state.value}, "
          f"statuses {sorted(Counter(statuses).items())}")  # fmt: skip
    assert all(status < 500 for status in statuses), Counter(statuses)
    assert failures == sms.MAX_FAILURES and state is FilingState.sms_failed
