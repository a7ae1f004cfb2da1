"""Throttling a stranger cannot turn against the owner: login attempts counted per
account, per client address and per both, with a growing delay instead of a lock; one answer and
one password hash for addresses with and without an account; the filing-password limit per
(account, subject) with a cap per subject."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from blueprints.throttle import login_limits
from domain.accounts import accounts, throttle
from domain.accounts.throttle import Rule
from domain.filing import filing_password
from domain.filing.filing_password import TooManyPasswordFailures, check_filing_password
from domain.lifecycle.states import Role
from domain.operator import ip_pool
from domain.support import passwords
from extensions import db
from models import RegistrySubject, ThrottleCounter, utcnow
from runtime import current
from runtime.transaction import transaction
from tests.helpers.app import PASSWORD, make_test_app
from tests.helpers.wizard import QINGHE_USCC, filing_id_from, load_demo

OWNER_ADDRESS = "198.51.100.7"
STRANGER_ADDRESS = "203.0.113.66"


def attempt(app, email: str, password: str, address: str):
    """One login from `address`, on a fresh client (no cookies shared between callers)."""
    return app.test_client().post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


# --- the policy ------------------------------------------------------------------------------


def test_the_delay_is_free_first_then_doubles_up_to_the_longest():
    rule = Rule(free=5, first_delay=timedelta(seconds=30), longest=timedelta(minutes=15))
    delays = [rule.delay(n).total_seconds() for n in range(4, 12)]
    assert delays == [0, 30, 60, 120, 240, 480, 900, 900]
    assert rule.delay(10_000) == timedelta(minutes=15)  # no overflow however many


# --- login --------------------------------------------------------------------------------------


def test_a_strangers_wrong_guesses_do_not_lock_out_the_owners_correct_password(app, make_user):
    owner = make_user()
    answers = [attempt(app, owner.email, f"Guess{n}000", STRANGER_ADDRESS) for n in range(40)]
    assert [a.status_code for a in answers[:5]] == [422] * 5
    assert {a.status_code for a in answers[5:]} == {429}  # the stranger waits, and only he does
    response = attempt(app, owner.email, PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert attempt(app, owner.email, PASSWORD, STRANGER_ADDRESS).status_code == 429


def test_many_addresses_guessing_hold_new_clients_but_not_the_owners_own(app, make_user):
    owner = make_user()
    assert attempt(app, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    limit = app.config["LOGIN_ACCOUNT_MAX_FAILURES"]
    statuses = [
        attempt(app, owner.email, "Wrong1234", f"10.9.{n}.1").status_code for n in range(limit + 5)
    ]
    assert statuses == [422] * limit + [429] * 5
    assert attempt(app, owner.email, PASSWORD, "10.8.0.1").status_code == 429  # a new client waits
    assert attempt(app, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_the_owners_own_wrong_tries_give_a_growing_wait_not_a_lock(app, make_user):
    owner = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(app, owner.email, "Wrong1234", OWNER_ADDRESS)
    first = attempt(app, owner.email, PASSWORD, OWNER_ADDRESS)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "30")
    assert "尝试次数过多，请 30 秒后再试" in first.get_data(as_text=True)
    with time_machine.travel(time.time() + 31, tick=False):
        again = attempt(app, owner.email, "Wrong1234", OWNER_ADDRESS)
        assert again.status_code == 422  # checked: the wait was over
        second = attempt(app, owner.email, PASSWORD, OWNER_ADDRESS)
        assert (second.status_code, second.headers["Retry-After"]) == (429, "60")
    with time_machine.travel(time.time() + 31 + 61, tick=False):
        assert attempt(app, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_a_correct_login_clears_the_clients_count(app, make_user):
    owner = make_user()
    free = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(free - 1):
        attempt(app, owner.email, "Wrong1234", OWNER_ADDRESS)
    assert attempt(app, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    for _ in range(free - 1):
        assert attempt(app, owner.email, "Wrong1234", OWNER_ADDRESS).status_code == 422
    assert attempt(app, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_one_client_guessing_at_many_accounts_waits(app, make_user):
    limit = app.config["LOGIN_CLIENT_MAX_FAILURES"]
    emails = [f"person{n}@example.cn" for n in range(limit + 2)]  # with or without an account
    owner = make_user(email=emails[-1])
    statuses = [attempt(app, email, "Wrong1234", STRANGER_ADDRESS).status_code for email in emails]
    assert statuses == [422] * limit + [429, 429]
    assert attempt(app, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def _page_text(response, email: str) -> str:
    """The page with the typed e-mail and the per-session CSRF token blanked out."""
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", page)


def test_known_and_unknown_addresses_get_the_same_answer(app, make_user):
    owner = make_user(email="known@example.cn")
    unknown = "unknown@example.cn"
    known_wrong = attempt(app, owner.email, "Wrong1234", OWNER_ADDRESS)
    unknown_wrong = attempt(app, unknown, "Wrong1234", OWNER_ADDRESS)
    assert known_wrong.status_code == unknown_wrong.status_code == 422
    assert _page_text(known_wrong, owner.email) == _page_text(unknown_wrong, unknown)
    assert "邮箱或密码错误" in known_wrong.get_data(as_text=True)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(app, owner.email, "Wrong1234", STRANGER_ADDRESS)
        attempt(app, unknown, "Wrong1234", STRANGER_ADDRESS)
    known_held = attempt(app, owner.email, PASSWORD, STRANGER_ADDRESS)
    unknown_held = attempt(app, unknown, PASSWORD, STRANGER_ADDRESS)
    assert known_held.status_code == unknown_held.status_code == 429
    assert known_held.headers["Retry-After"] == unknown_held.headers["Retry-After"]
    assert _page_text(known_held, owner.email) == _page_text(unknown_held, unknown)
    assert "锁定" not in known_held.get_data(as_text=True)


@pytest.mark.parametrize("case", ["known_wrong", "unknown", "held_known", "held_unknown"])
def test_every_refusal_checks_exactly_one_password_hash(app, make_user, monkeypatch, case):
    owner = make_user(email="known@example.cn")
    email = "unknown@example.cn" if case.endswith("unknown") else owner.email
    if case.startswith("held"):
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            attempt(app, email, "Wrong1234", STRANGER_ADDRESS)
    calls = []

    def counting(stored: str, password: str) -> bool:
        calls.append(stored)
        return False

    monkeypatch.setattr(passwords, "check_password_hash", counting)  # the hasher's every check
    response = attempt(app, email, PASSWORD, STRANGER_ADDRESS)
    assert response.status_code == (429 if case.startswith("held") else 422)
    assert len(calls) == 1


def test_a_forwarded_for_header_is_ignored_unless_behind_a_proxy(app, make_user):
    owner = make_user()
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        client.post(
            "/auth/login",
            data={"email": owner.email, "password": "Wrong1234"},
            environ_base={"REMOTE_ADDR": STRANGER_ADDRESS},
            headers={"X-Forwarded-For": OWNER_ADDRESS},
        )
    assert attempt(app, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_behind_a_proxy_the_forwarded_address_is_the_client(database_url, tmp_path, app, make_user):
    email = make_user().email  # read here: inside the other app the session would use its engine
    free = app.config["LOGIN_MAX_FAILURES"]
    proxied = make_test_app(database_url, tmp_path, BEHIND_PROXY=True)

    def via_proxy(password: str, address: str) -> int:
        return (
            proxied.test_client()
            .post(
                "/auth/login",
                data={"email": email, "password": password},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},  # nginx
                headers={"X-Forwarded-For": address},
            )
            .status_code
        )

    with proxied.app_context():
        statuses = [via_proxy("Wrong1234", STRANGER_ADDRESS) for _ in range(free)]
        held = via_proxy(PASSWORD, STRANGER_ADDRESS)
        owners = via_proxy(PASSWORD, OWNER_ADDRESS)  # not held for nginx's address
        db.session.remove()
        db.engine.dispose()
    assert (statuses, held, owners) == ([422] * free, 429, 302)


def test_the_counts_hold_across_workers(database_url, tmp_path, app, make_user):
    email = make_user().email  # read here: inside the other app the session would use its engine
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(app, email, "Wrong1234", STRANGER_ADDRESS)
    other_worker = make_test_app(database_url, tmp_path)
    with other_worker.app_context():
        held = attempt(other_worker, email, PASSWORD, STRANGER_ADDRESS).status_code
        owners = attempt(other_worker, email, PASSWORD, OWNER_ADDRESS).status_code
        db.session.remove()
        db.engine.dispose()
    assert (held, owners) == (429, 302)


def test_the_counters_keep_neither_address_nor_email_and_the_sweep_forgets_them(app, make_user):
    owner = make_user()
    attempt(app, owner.email, "Wrong1234", STRANGER_ADDRESS)
    keys = db.session.scalars(select(ThrottleCounter.key)).all()
    assert len(keys) == 3
    assert not any(owner.email in key or STRANGER_ADDRESS in key for key in keys)
    with time_machine.travel(utcnow() + timedelta(days=2)):
        output = app.test_cli_runner().invoke(args=["sweep"]).output
    assert "3 idle login counters forgotten" in output
    db.session.expire_all()
    assert db.session.scalars(select(ThrottleCounter)).all() == []


# --- the filing password ---------------------------------------------------------------------


def _draft_as(app, user, address: str):
    """A client logged in as `user` with a draft for 杭州青禾 / qinghe.cn; (client, password URL)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert (
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code
        == 302
    )
    response = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": QINGHE_USCC, "domain": "qinghe.cn"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client, f"/filings/{filing_id_from(response.headers['Location'])}/password"


def test_a_strangers_wrong_filing_passwords_do_not_lock_out_the_owner(app, applicant, make_user):
    stranger = make_user(Role.applicant)
    ip_pool.assign_free(stranger, 2)
    db.session.commit()
    stranger_client, stranger_url = _draft_as(app, stranger, STRANGER_ADDRESS)
    answers = [
        stranger_client.post(stranger_url, data={"password": f"guess{n}"}).get_data(as_text=True)
        for n in range(12)
    ]
    assert "本小时内还可尝试 0 次" in answers[4]
    assert all("错误次数过多" in page for page in answers[5:])
    owner_client, owner_url = _draft_as(app, applicant, OWNER_ADDRESS)
    page = owner_client.get(owner_url).get_data(as_text=True)
    assert "错误次数过多" not in page
    response = owner_client.post(owner_url, data={"password": "Qinghe2021"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith("/subject")


def test_throwaway_accounts_past_the_subject_cap_do_not_lock_out_the_owner(app, make_user):
    load_demo()
    subject = db.session.scalars(
        select(RegistrySubject).where(RegistrySubject.certificate_number == QINGHE_USCC)
    ).one()
    guessers = [make_user() for _ in range(filing_password.SUBJECT_CAP // 5)]
    registry = current().registry  # as the wizard passes it
    for guesser in guessers:
        for n in range(filing_password.MAX_FAILURES):
            assert (
                check_filing_password(subject, f"guess{n}", account=guesser, registry=registry)
                is False
            )
    db.session.commit()
    # the cap holds the accounts that have failed at this subject ...
    with pytest.raises(TooManyPasswordFailures) as refused:
        check_filing_password(subject, "Qinghe2021", account=guessers[0], registry=registry)
    assert refused.value.retry_at > utcnow() + timedelta(minutes=59)
    # ... and a new account has one guess, no more
    latecomer = make_user()
    assert filing_password.remaining_tries(subject, latecomer) == 1
    assert (
        check_filing_password(subject, "guess-late", account=latecomer, registry=registry) is False
    )
    with pytest.raises(TooManyPasswordFailures):
        check_filing_password(subject, "Qinghe2021", account=latecomer, registry=registry)
    # the owner, who has not failed, is not held back by the strangers' guesses
    owner = make_user()
    assert filing_password.remaining_tries(subject, owner) == 1
    assert check_filing_password(subject, "Qinghe2021", account=owner, registry=registry) is True


def test_parallel_guesses_from_one_client_are_counted_one_after_another(app, make_user):
    email = make_user().email
    free = app.config["LOGIN_MAX_FAILURES"]
    barrier = threading.Barrier(free + 3)
    outcomes: list[str] = []

    def guess() -> None:
        with app.app_context():  # a session of its own, as in another worker
            barrier.wait()
            with transaction():  # committed, refusals included (as the login view does)
                try:
                    throttle.login(
                        email, "Wrong1234", STRANGER_ADDRESS, login_limits(),
                        hasher=current().hasher,
                    )  # fmt: skip
                except throttle.Throttled:
                    outcomes.append("held")
                except accounts.WrongCredentials:
                    outcomes.append("checked")
            db.session.remove()

    threads = [threading.Thread(target=guess) for _ in range(free + 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["checked"] * free + ["held"] * 3


def test_guesses_behind_a_shared_address_do_not_hold_a_client_that_logged_in_from_it_before(
    app, make_user
):
    """An office behind one NAT address: a stranger there fails at unknown and known accounts,
    which holds new clients of that address, but not a colleague who logged in from it before."""
    colleague = make_user()
    newcomer = make_user()
    office = "192.0.2.10"
    assert attempt(app, colleague.email, PASSWORD, office).status_code == 302
    limit = app.config["LOGIN_CLIENT_MAX_FAILURES"]
    for n in range(limit + 1):
        attempt(app, f"nobody{n}@example.cn", "Wrong1234", office)
    assert attempt(app, colleague.email, PASSWORD, office).status_code == 302
    assert attempt(app, newcomer.email, PASSWORD, office).status_code == 429  # new here: waits
    assert attempt(app, newcomer.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    # the colleague's own wrong tries still count against the colleague's pair
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert attempt(app, colleague.email, "Wrong1234", office).status_code == 422
    assert attempt(app, colleague.email, PASSWORD, office).status_code == 429
