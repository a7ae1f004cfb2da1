"""Sign-ups per client address: a stranger cannot make throwaway accounts, or probe which
addresses have one, in bulk; other addresses are not held back."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from extensions import db
from models import OutboxMessage, utcnow

STRANGER_ADDRESS = "203.0.113.66"
OTHER_ADDRESS = "198.51.100.7"


def sign_up(app, n: int, address: str):
    """One sign-up of a new address from `address`, on a fresh client."""
    return app.test_client().post(
        "/auth/signup",
        data={
            "display_name": "",
            "email": f"throwaway{n}@example.cn",
            "password": "Qinghe2026",
            "confirm": "Qinghe2026",
            "agree": "y",
        },
        environ_base={"REMOTE_ADDR": address},
    )


def confirmation_mails() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "signup_confirm")
        )
        or 0
    )


def test_one_address_makes_at_most_the_free_sign_ups_then_waits(app):
    free = app.config["SIGNUP_CLIENT_MAX"]
    answers = [sign_up(app, n, STRANGER_ADDRESS) for n in range(free + 20)]
    assert [a.status_code for a in answers[:free]] == [200] * free
    refused = answers[free:]
    assert {a.status_code for a in refused} == {429}
    assert int(refused[0].headers["Retry-After"]) == app.config["SIGNUP_FIRST_DELAY_SECONDS"]
    assert "尝试次数过多" in refused[0].get_data(as_text=True)
    assert confirmation_mails() == free
    # another address is not held back
    assert sign_up(app, 999, OTHER_ADDRESS).status_code == 200
    # after the wait one more attempt passes, then the wait doubles
    with time_machine.travel(utcnow() + timedelta(seconds=61)):
        assert sign_up(app, 1000, STRANGER_ADDRESS).status_code == 200
        assert sign_up(app, 1001, STRANGER_ADDRESS).status_code == 429


def test_probing_taken_addresses_counts_too(app, make_user):
    taken = make_user().email
    free = app.config["SIGNUP_CLIENT_MAX"]
    client = app.test_client()
    data = {"email": taken, "password": "Qinghe2026", "confirm": "Qinghe2026", "agree": "y"}
    codes = [
        client.post(
            "/auth/signup", data=data, environ_base={"REMOTE_ADDR": STRANGER_ADDRESS}
        ).status_code
        for _ in range(free + 5)
    ]
    assert codes == [200] * free + [429] * 5
