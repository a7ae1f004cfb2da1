"""Who may see what: role checks and owner-only loading (another's id is a 404, not a 403)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from domain.states import Role
from extensions import db
from models import Filing


def role_required(*roles: Role):
    """Allow only logged-in users whose role is one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def own_filing_or_404(filing_id: int) -> Filing:
    """The current applicant's filing; another account's id answers 404, as if it did not exist."""
    filing = db.session.get(Filing, filing_id)
    if filing is None or filing.account_id != current_user.id:
        abort(404)
    return filing


def home_endpoint_for(role: Role) -> str:
    """Where each role lands after login."""
    return {
        Role.applicant: "applicant.list_filings",
        Role.reviewer: "reviewer.queue",
        Role.admin: "admin.dashboard",
    }[role]
