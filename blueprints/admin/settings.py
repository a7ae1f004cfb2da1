"""The settings console: provider name, review deadlines, claim timeout, mail address, SMS sign."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required
from blueprints.admin.console import bp
from domain.lifecycle.states import Role
from domain.operator import settings
from i18n import gettext as _
from runtime import policy
from runtime.transaction import transaction


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.admin)
def settings_page():
    """Provider name, review deadlines and claim timeout (stored; every host picks them up).

    Every changed value is checked first; only when all pass are they stored, in one transaction,
    and this process's policy is dropped after the commit (a refused save changes nothing).
    """
    current = policy.current_policy()
    errors: dict[str, str] = {}
    if request.method == "POST":
        changes, refused = settings.check_changes(request.form, current)
        errors = {key: message.render(_) for key, message in refused.items()}
        if not errors:
            with transaction():
                settings.save_changes(changes, current, current_user)
            policy.forget()
            flash(_("已保存"), "ok")
            return redirect(url_for("admin.settings_page"))
    fields = [
        (key, label, getattr(current, key.lower()))
        for key, (label, *_rest) in settings.EDITABLE.items()
    ]
    return render_template(
        "admin/settings.html", fields=fields, errors=errors
    ), 422 if errors else 200
