"""SMS and authenticity codes: guessing, replay, expiry (frozen clock), binding to the filing and
purpose, nothing in clear in a database dump, and the resend cap across 4 gunicorn workers."""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from domain.filing import authenticity, sms
from domain.lifecycle.states import FilingState, Role
from domain.support import sealing
from extensions import db
from models import AuditEvent, Filing, OutboxMessage, SmsChallenge, utcnow
from runtime.policy import current_policy
from tests.helpers.app import PASSWORD
from tests.helpers.live_server import LiveServer
from tests.helpers.photos import face_photo
from tests.helpers.postgres import PG_LIBPQ_URL, schema_of
from tests.helpers.wizard import load_demo


@pytest.fixture
def waiting(app, make_filing, make_user, client, login):
    """A filing waiting for the SMS code, its owner logged in."""
    load_demo()
    owner = make_user(Role.applicant)
    filing = make_filing(FilingState.sms_pending, owner=owner)
    login(owner)
    return filing


def sent_code(filing: Filing) -> str:
    """The code of the filing's latest SMS, as the phone received it."""
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.filing_id == filing.id, OutboxMessage.template == "sms_code")
        .order_by(OutboxMessage.id.desc())
    ).first()
    return sealing.unseal(message.context["sealed_code"], current_policy().secret_key)


def challenge_of(filing: Filing) -> SmsChallenge:
    return sms.open_challenges(filing)[0]


def post_code(client, filing, challenge_id, code):
    return client.post(
        f"/filings/{filing.id}/sms", data={"challenge_id": challenge_id, "code": code}
    )


def test_a_challenge_id_that_is_not_an_id_is_refused_without_a_server_error(client, waiting):
    for odd in ("abc", "-1", "99999999999", ""):
        assert post_code(client, waiting, odd, "123456").status_code == 422, odd


def test_guessing_the_sms_code_is_locked_after_five_tries(client, waiting):
    challenge, right = challenge_of(waiting), sent_code(waiting)
    guesses = [f"{n:06d}" for n in range(10) if f"{n:06d}" != right][:8]
    statuses = [post_code(client, waiting, challenge.id, guess).status_code for guess in guesses]
    accepted_after_lock = post_code(client, waiting, challenge.id, right).status_code == 302
    db.session.refresh(waiting)
    print(f"\ncodes: {len(guesses)} wrong guesses, locked after 5, right code accepted after lock: "
          f"{int(accepted_after_lock and waiting.state is not FilingState.sms_failed)}")  # fmt: skip
    assert statuses[:4] == [422] * 4  # four wrong tries are told how many are left
    assert waiting.state is FilingState.sms_failed  # the fifth failed the verification (R-S-3)
    assert db.session.get(SmsChallenge, challenge.id).failures == 5


def test_a_used_code_cannot_be_replayed(client, waiting, make_filing):
    challenge, right = challenge_of(waiting), sent_code(waiting)
    assert post_code(client, waiting, challenge.id, right).status_code == 302
    db.session.refresh(waiting)
    assert waiting.state is FilingState.bureau_review
    events_before = db.session.scalar(select(func.count(AuditEvent.id)))
    replays = [post_code(client, waiting, challenge.id, right) for _ in range(20)]
    db.session.refresh(waiting)
    events_after = db.session.scalar(select(func.count(AuditEvent.id)))
    # A replay is a double click: it gets the answer the first post got (a redirect to the filing,
    # the double-click fix of the SMS page) and changes nothing: no event, no state, no new round.
    recorded = events_after - events_before
    print(f"\ncodes: 20 replays of a used SMS code, {recorded} events recorded")
    assert all(r.status_code == 302 for r in replays) and recorded == 0
    assert waiting.state is FilingState.bureau_review


def test_a_resend_kills_the_earlier_code(client, waiting, app):
    app.config["SMS_RESEND_SECONDS"] = 0
    old_challenge, old_code = challenge_of(waiting), sent_code(waiting)
    assert client.post(f"/filings/{waiting.id}/sms/resend").status_code == 302
    new_challenge = challenge_of(waiting)
    assert new_challenge.id != old_challenge.id
    assert post_code(client, waiting, old_challenge.id, old_code).status_code != 302
    assert post_code(client, waiting, new_challenge.id, sent_code(waiting)).status_code == 302


def test_a_code_expires_after_24_hours_with_a_frozen_clock(client, waiting, login):
    challenge, right = challenge_of(waiting), sent_code(waiting)
    with time_machine.travel(challenge.expires_at - timedelta(seconds=1), tick=False):
        assert (
            sms.verify_code(waiting, challenge.id, "not-it", None, current_policy())[0]
            == sms.SmsResult.WRONG
        )
    db.session.rollback()
    with time_machine.travel(challenge.expires_at + timedelta(seconds=1), tick=False):
        login(waiting.account)
        response = post_code(client, waiting, challenge.id, right)
    db.session.refresh(waiting)
    assert response.status_code == 302 and waiting.state is FilingState.sms_failed


def test_a_code_is_bound_to_its_filing(client, waiting, make_filing):
    """Filing B's right code, typed for filing A's challenge (or on A's page), does nothing."""
    other = make_filing(FilingState.sms_pending, owner=waiting.account)
    mine, theirs = challenge_of(waiting), challenge_of(other)
    their_code = sent_code(other)
    tries = [
        post_code(client, waiting, theirs.id, their_code),  # their challenge on my page
        post_code(client, waiting, mine.id, their_code),  # their code for my challenge
    ]
    db.session.refresh(waiting)
    db.session.refresh(other)
    assert all(r.status_code != 302 for r in tries)
    assert waiting.state is other.state is FilingState.sms_pending
    assert db.session.get(SmsChallenge, theirs.id).closed_at is None


def test_another_applicant_cannot_enter_or_resend_a_code(client, waiting, make_user, login):
    challenge, right = challenge_of(waiting), sent_code(waiting)
    client.post("/auth/logout")
    login(make_user(Role.applicant))
    assert post_code(client, waiting, challenge.id, right).status_code == 404
    assert client.post(f"/filings/{waiting.id}/sms/resend").status_code == 404
    db.session.refresh(waiting)
    assert waiting.state is FilingState.sms_pending and waiting.sms_sends == 1


def test_resend_waits_for_the_interval_and_stops_at_the_cap(waiting, app):
    app.config.update(SMS_RESEND_SECONDS=60, SMS_SEND_CAP=3)
    start = waiting.sms_sent_at
    owner = waiting.account
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert sms.resend(waiting, owner, current_policy()) == sms.ResendResult.TOO_SOON
        assert sms.seconds_until_resend(waiting, current_policy()) == 30
    results = []
    for minutes in (1, 2, 3, 4):
        with time_machine.travel(start + timedelta(minutes=minutes, seconds=1), tick=False):
            results.append(sms.resend(waiting, owner, current_policy()))
            db.session.commit()
    assert results == ["sent", "sent", "cap", "cap"]
    assert len(sms.open_challenges(waiting)) == 1


# --- authenticity links ---------------------------------------------------------------------


def phone_path(token: str) -> str:
    return f"/verify/{token}"


def test_authenticity_tokens_cannot_be_guessed_replayed_or_used_late(app, make_filing):
    load_demo()
    filing = make_filing(FilingState.materials_pending)
    website = filing.websites[0]
    token = authenticity.start(website)
    db.session.commit()
    phone = app.test_client()
    guesses = [secrets.token_urlsafe(24) for _ in range(1000)] + [token[:-1], token + "A", ""]
    accepted = sum(1 for guess in guesses if phone.get(phone_path(guess)).status_code != 404)
    assert phone.get(phone_path(token)).status_code == 200  # the control: the real link opens
    photo = {"photo": (__import__("io").BytesIO(face_photo()), "live.jpg")}
    assert (
        phone.post(phone_path(token), data=photo, content_type="multipart/form-data").status_code
        == 200
    )
    replays = [phone.get(phone_path(token)).status_code for _ in range(10)]
    late = authenticity.start(website)
    db.session.commit()
    with time_machine.travel(utcnow() + authenticity.VALID_FOR + timedelta(seconds=1), tick=False):
        expired = phone.get(phone_path(late)).status_code
    print(f"\ncodes: {len(guesses)} guessed authenticity links, {accepted} accepted; "
          f"{sum(s != 404 for s in replays)} of 10 replays accepted")  # fmt: skip
    assert accepted == 0 and replays == [404] * 10 and expired == 404


def test_an_authenticity_link_is_bound_to_its_website(app, make_filing):
    load_demo()
    first, second = (
        make_filing(FilingState.materials_pending),
        make_filing(FilingState.materials_pending),
    )
    token = authenticity.start(first.websites[0])
    authenticity.start(second.websites[0])
    db.session.commit()
    assert authenticity.website_for_token(token).id == first.websites[0].id
    authenticity.start(first.websites[0])  # a new link for the same website: the old one dies
    db.session.commit()
    assert authenticity.website_for_token(token) is None


# --- nothing in clear in a database dump -----------------------------------------------------


def database_dump(url: str) -> str:
    """SQLite: the .dump SQL text; PostgreSQL: pg_dump of the test schema."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()
    schema, plain = schema_of(url), PG_LIBPQ_URL
    return subprocess.run(
        ["pg_dump", "--data-only", "--schema", schema, plain],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip


def test_no_code_or_token_in_clear_in_a_database_dump(app, client, waiting, make_filing):
    codes = [sent_code(waiting)]
    for _ in range(3):
        app.config["SMS_RESEND_SECONDS"] = 0
        sms.resend(waiting, waiting.account, current_policy())
        db.session.commit()
        codes.append(sent_code(waiting))
    other = make_filing(FilingState.materials_pending)
    tokens = [authenticity.start(website) for website in other.websites]
    db.session.commit()
    dump = database_dump(app.config["SQLALCHEMY_DATABASE_URI"])
    assert "sms_challenges" in dump and len(dump) > 10_000  # a real dump of the data
    in_clear = [secret for secret in codes + tokens if secret in dump]
    print(f"\ncodes: {len(codes)} SMS codes and {len(tokens)} authenticity links issued, "
          f"{len(in_clear)} in clear in the database dump ({len(dump)} characters)")  # fmt: skip
    assert in_clear == []


# --- the resend cap across 4 gunicorn workers ------------------------------------------------


@pytest.mark.slow  # four gunicorn workers
def test_the_resend_cap_holds_across_four_gunicorn_workers(app, waiting, tmp_path):
    cap, clicks = 5, 60
    server = LiveServer(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "uploads", workers=4,
        SMS_RESEND_SECONDS=0, SMS_SEND_CAP=cap,
    ).start()  # fmt: skip
    try:
        browser = server.session(waiting.account.email, PASSWORD)
        token = server.csrf(browser, f"/filings/{waiting.id}/sms")

        def click(_):
            return browser.post(
                f"{server.url}/filings/{waiting.id}/sms/resend",
                data={"csrf_token": token}, allow_redirects=False, timeout=60,
            ).status_code  # fmt: skip

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(click, range(clicks)))
    finally:
        server.stop()
    db.session.expire_all()
    sent = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.filing_id == waiting.id, OutboxMessage.template == "sms_code"
        )
    )
    filing = db.session.get(Filing, waiting.id)
    print(f"\nsend cap: {clicks} resend clicks on 4 gunicorn workers, cap {cap}, "
          f"{sent} codes sent, overrun {max(0, sent - cap)}")  # fmt: skip
    assert statuses == [302] * clicks  # every click was answered (refused ones with a message)
    assert sent == cap and filing.sms_sends == cap
    assert len(sms.open_challenges(filing)) == 1
