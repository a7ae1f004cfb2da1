"""Sign-up by e-mail confirmation: the answer to a sign-up does not tell whether the address has
an account.

A sign-up creates nothing. An address without an account gets a link (24 hours); opening it shows
a button, and pressing it (a POST with the CSRF token, so that a mail scanner's GET or a link planted
by someone else does not log a browser into an account) creates the account with the password
chosen at sign-up and logs in. An address with an account gets
an e-mail telling its owner that somebody tried to sign up with it. Both paths hash the password
and queue one e-mail, and the page says the same. The link carries the e-mail, the password's hash
and the name sealed (encrypted and authenticated under SECRET_KEY) inside a signed, timed token;
the e-mail carries the link sealed in the outbox, as reset links are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from domain import audit
from domain.accounts import accounts
from domain.support import outbox, sealing
from domain.support.passwords import PasswordHasher
from extensions import db
from models import OutboxMessage, User, utcnow

LINK_HOURS = 24  # a confirmation link is good for this long
MAILS_PER_HOUR = 3  # sign-up e-mails per address: a sign-up form cannot flood somebody's mailbox
TEMPLATES = ("signup_confirm", "signup_attempt")
TOKEN_MAX_LENGTH = 2048


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="beian-desk sign-up")


def request_signup(
    email: str,
    password: str,
    display_name: str,
    secret_key: str,
    link_for_token: Callable[[str], str],
    demo_mode: bool = False,
    *,
    hasher: PasswordHasher,
) -> OutboxMessage | None:
    """Queue the confirmation link, or the owner's notice when the address has an account; the
    e-mail queued (None past MAILS_PER_HOUR). The caller answers the same either way. Flushes.
    In `demo_mode` the link keeps a demo copy, for the demo's mailbox to show after it was sent.

    :raises accounts.AccountError: not an e-mail address, or a password the rule refuses.
    """
    email = accounts.normalise_email(email)
    problem = accounts.check_password_strength(password, email)
    if problem:
        raise accounts.AccountError(problem)
    # hashed on both paths: the time taken tells nothing either
    password_hash = hasher.hash_password(password)
    owner = accounts.find_user(email)
    if _mails_last_hour(email) >= MAILS_PER_HOUR:
        return None
    if owner is not None:
        audit.record("signup_attempted", None, internal=True, data={"user": owner.id})
        return outbox.enqueue(
            None, "email", owner.email, "signup_attempt", name=owner.display_name or owner.email
        )
    sealed = sealing.seal(
        json.dumps({"e": email, "h": password_hash, "n": display_name.strip()[:64]}), secret_key
    )
    link = link_for_token(_serializer(secret_key).dumps(sealed))
    sealed_link = sealing.seal(link, secret_key)
    demo = {outbox.DEMO_SEALED: sealed_link} if demo_mode else {}
    return outbox.enqueue(
        None, "email", email, "signup_confirm", sealed_code=sealed_link, hours=LINK_HOURS, **demo
    )


def _mails_last_hour(email: str) -> int:
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.template.in_(TEMPLATES),
            func.lower(OutboxMessage.recipient) == email,
            OutboxMessage.created_at >= since,
        )
    )
    return recent or 0


def signup_of_token(token: str, secret_key: str) -> dict[str, str] | None:
    """What a confirmation link was made for ({"e": e-mail, "h": password hash, "n": name}) while
    it is fresh and its address has no account; else None (malformed, expired or used)."""
    if len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        sealed = _serializer(secret_key).loads(token, max_age=LINK_HOURS * 3600)
    except (BadSignature, SignatureExpired, UnicodeError, ValueError):
        return None
    opened = sealing.unseal(sealed, secret_key) if isinstance(sealed, str) else None
    try:
        data = json.loads(opened) if opened else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "ehn"):
        return None
    return data if accounts.find_user(data["e"]) is None else None


def confirm_signup(token: str, secret_key: str) -> User | None:
    """Create the account a confirmation link was made for (flushed); None when signup_of_token
    finds nothing (the link was used: one use)."""
    data = signup_of_token(token, secret_key)
    if data is None:
        return None
    user = User(email=data["e"], password_hash=data["h"], display_name=data["n"])
    db.session.add(user)
    db.session.flush()
    audit.record("signup_confirmed", user, internal=True, data={"user": user.id})
    return user
