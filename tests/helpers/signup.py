"""Sign-up by e-mail confirmation in tests: the link the confirmation e-mail carries, and opening
it (as the applicant does from the mailbox)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from domain.support import sealing
from extensions import db
from models import OutboxMessage


def confirmation_link(email: str) -> str | None:
    """The link of the newest confirmation e-mail queued for `email` (absolute), or None."""
    mail = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.template == "signup_confirm", OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    if mail is None:
        return None
    return sealing.unseal(mail.context["sealed_code"], current_app.config["SECRET_KEY"])


def confirm(client, email: str):
    """Open the confirmation link of `email` with `client` and press its button; the response (a
    redirect when the account was made, the refusal of the link otherwise)."""
    link = confirmation_link(email)
    assert link, f"no confirmation e-mail for {email}"
    path = link.replace(current_app.config["PUBLIC_URL"].rstrip("/"), "")
    opened = client.get(path)
    return client.post(path) if opened.status_code == 200 else opened
