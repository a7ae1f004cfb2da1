"""The service codes console (备案服务码, DOMAIN.md A10): issue a code for an applicant's instance
(shown once), see each code's state and the order that used it, revoke one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required, row_id
from blueprints.admin.console import bp
from domain.accounts.accounts import find_user
from domain.filing import service_codes
from domain.lifecycle.states import Role
from forms.admin import ServiceCodeForm
from i18n import gettext as _
from runtime.transaction import transaction


@bp.route("/service-codes", methods=["GET", "POST"])
@role_required(Role.admin)
def list_service_codes():
    """The service codes, newest first; issue one (the code is shown this once)."""
    form = ServiceCodeForm()
    issued = None
    if form.validate_on_submit():
        ips = [line.strip() for line in (form.ips.data or "").splitlines() if line.strip()]
        try:
            with transaction():
                row, code = service_codes.issue(
                    find_user(form.account.data), ips, form.paid_until.data, by=current_user,
                    note=form.note.data or "",
                )  # fmt: skip
                issued = {"code": service_codes.formatted(code), "account": row.account.email}
        except service_codes.ServiceCodeError as exc:
            field = {"account": form.account, "ips": form.ips}.get(exc.field or "", form.paid_until)
            field.errors = [*field.errors, exc.message.render(_)]
    before = row_id(request.args.get("before")) or None
    rows = service_codes.listed(before=before, limit=100)
    return render_template(
        "admin/service_codes.html", form=form, issued=issued, rows=rows,
        state=service_codes.state, state_labels=service_codes.STATE_LABELS,
        next_before=rows[-1].id if len(rows) == 100 else None,
    ), 422 if form.errors else 200  # fmt: skip


@bp.post("/service-codes/<int:code_id>/revoke")
@role_required(Role.admin)
def revoke_service_code(code_id: int):
    """Revoke a service code for good."""
    try:
        with transaction():
            row = service_codes.revoke(code_id, current_user)
    except service_codes.ServiceCodeError:
        abort(404)
    flash(_("已吊销备案服务码（尾号 %(hint)s）", hint=row.hint), "ok")
    return redirect(url_for("admin.list_service_codes"))
