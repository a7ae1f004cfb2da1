"""The API tokens console: issue a token (shown once), see its state and last use, revoke it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from blueprints.access import role_required
from blueprints.admin.console import bp
from domain.lifecycle.states import Role
from domain.operator import api_tokens
from forms.admin import ApiTokenForm
from i18n import gettext as _
from models import utcnow
from runtime.transaction import transaction


@bp.route("/api-tokens", methods=["GET", "POST"])
@role_required(Role.admin)
def list_api_tokens():
    """The console's API tokens with state and last use; issue one (shown once), revoke."""
    form = ApiTokenForm()
    issued = None
    if form.validate_on_submit():
        try:
            with transaction():
                issued = api_tokens.issue(
                    form.name.data, current_user, write=form.write.data, days=form.days.data,
                    service_codes=form.service_codes.data,
                )  # fmt: skip
        except api_tokens.TokenError as exc:
            form.days.errors.append(exc.message.render(_))
    now = utcnow()
    tokens = [(token, api_tokens.state(token, now)) for token in api_tokens.all_tokens()]
    return render_template(
        "admin/api_tokens.html",
        form=form,
        tokens=tokens,
        issued=issued,
        state_labels=api_tokens.STATE_LABELS,
    ), 422 if form.errors else 200


@bp.post("/api-tokens/<int:token_id>/revoke")
@role_required(Role.admin)
def revoke_api_token(token_id: int):
    """Revoke an API token for good."""
    try:
        with transaction():
            token = api_tokens.revoke(token_id, current_user)
    except api_tokens.TokenError:
        abort(404)
    flash(_("已吊销 API 令牌「%(name)s」", name=token.name), "ok")
    return redirect(url_for("admin.list_api_tokens"))
