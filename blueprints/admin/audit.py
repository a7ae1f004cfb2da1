"""The audit log console: search by filing number, action or actor e-mail."""

from __future__ import annotations

from flask import render_template, request

from blueprints.access import role_required, row_id
from blueprints.admin.console import bp, cursors
from domain import audit
from domain.lifecycle.states import Role, event_label
from i18n import gettext as _


@bp.get("/audit", endpoint="audit")
@role_required(Role.admin)
def search_audit():
    """Search the audit log by filing number, action or actor e-mail."""
    filing_id = row_id(request.args.get("filing", "").lstrip("#"))  # 0: none, or out of range
    action = request.args.get("action", "")
    actor = request.args.get("actor", "").strip().lower()
    older_than, newer_than = cursors()
    views = request.args.get("views") == "1"  # the looks at personal data: on demand
    events, older, newer = audit.search(
        filing_id, action, actor, older_than, newer_than, views=views
    )
    actions = sorted(  # as the admin reads them
        audit.action_codes(), key=lambda code: (_(event_label(code)), code)
    )
    filters = {key: request.args.get(key, "") for key in ("filing", "action", "actor", "views")}
    return render_template(
        "admin/audit.html", events=events, actions=actions, args=request.args, filters=filters,
        older=older, newer=newer, paged=bool(older_than or newer_than),
    )  # fmt: skip
