"""The outbox console: every SMS and e-mail with its state; dead letters go back in the queue."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from blueprints.access import role_required
from blueprints.admin.console import bp, cursors
from domain.lifecycle.states import Role
from domain.operator import outbox_admin
from domain.support import outbox
from extensions import db
from i18n import gettext as _
from models import OutboxMessage
from runtime import notify, policy
from runtime.transaction import transaction


@bp.get("/outbox", endpoint="outbox")
@login_required
def show_outbox():
    """The outbox: every SMS and e-mail with its state (admins; reviewers too in the demo)."""
    demo = current_app.config["DEMO_MODE"]
    if not (current_user.role is Role.admin or (current_user.is_staff and demo)):
        abort(403)
    status = request.args.get("status", "")
    status = status if status in ("pending", "sent", "failed") else ""
    after, before = cursors()
    page = outbox.console_page(status, after, before)
    current = policy.current_policy()
    rendered = []
    for m in page.rows:
        text = notify.render(m, current, reveal_code=demo)
        rendered.append((m, text.subject, text.text))
    return render_template(
        "admin/outbox.html", rendered=rendered, demo=demo, status=status, page=page,
        paged=bool(after or before), dead_letters=outbox.dead_letter_count(),
    )  # fmt: skip


@bp.post("/outbox/<int:message_id>/retry")
@role_required(Role.admin)
def retry_outbox(message_id: int):
    """Put a dead letter back in the queue for a fresh round of tries."""
    message = db.get_or_404(OutboxMessage, message_id)
    try:
        with transaction():
            outbox_admin.retry_message(message, current_user)
    except outbox.OutboxError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("消息 #%(id)s 已重新排队发送", id=message_id), "ok")
    return redirect(url_for("admin.outbox", status=request.form.get("status", "")))
