"""The applicant's message centre (消息中心): every notice sent about their filings, newest first,
one row each with the channels it went by (e-mail, SMS) in the words they were sent; an unread
count in the header, mark as read."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required, row_id
from blueprints.htmx import is_htmx
from domain.lifecycle.states import Role
from domain.support import outbox
from domain.support.masking import mask_phone
from runtime import notify
from runtime.policy import current_policy
from runtime.transaction import transaction

bp = Blueprint("messages", __name__, url_prefix="/messages")


def _unread() -> int:
    """The header's unread count (only applicants have a message centre)."""
    if not current_user.is_authenticated or current_user.role is not Role.applicant:
        return 0
    return outbox.unread_count(current_user)


@bp.app_context_processor
def inject_unread_messages():
    # a callable, so that only a page that shows the header runs the count
    return {"unread_messages": _unread}


def _part(message) -> dict:
    """One channel of a notice: the words it went out in, and to whom (a mobile masked)."""
    policy = current_policy()
    if policy.demo_mode and outbox.DEMO_SEALED in message.context:  # the demo has no real phone
        rendered = notify.render(outbox.as_delivered(message), policy, reveal_code=True)
    else:
        rendered = notify.render(message, policy)
    recipient = mask_phone(message.recipient) if message.channel == "sms" else message.recipient
    return {"message": message, "rendered": rendered, "recipient": recipient}


def _entry(notice: outbox.InboxNotice) -> dict:
    """One notice of the message centre: one row, with every channel it went by."""
    return {"notice": notice, "parts": [_part(m) for m in notice.by_channel]}


@bp.get("/")
@role_required(Role.applicant)
def list_messages():
    """The applicant's notices, newest first, one row each with the channels it went by."""
    before = row_id(request.args.get("before")) or None
    found, next_before = outbox.inbox_page(current_user, before=before)
    return render_template(
        "messages/list.html", entries=[_entry(n) for n in found], next_before=next_before
    )


@bp.post("/<int:message_id>/read")
@role_required(Role.applicant)
def mark_read(message_id: int):
    """Mark one of the applicant's notices read (every channel of it); another's id is a 404."""
    message = outbox.own_message(current_user, message_id)
    if message is None:
        abort(404)
    with transaction():
        notice = outbox.mark_read(message)
    if is_htmx():
        return render_template(
            "messages/_message_row.html", entry=_entry(notice), oob_unread=_unread()
        )
    return redirect(url_for("messages.list_messages"))


@bp.post("/read")
@role_required(Role.applicant)
def mark_all_read():
    """Mark all of the applicant's messages read."""
    with transaction():
        outbox.mark_all_read(current_user)
    return redirect(url_for("messages.list_messages"))
