"""The applicant accounts console: newest first, searched by e-mail or name."""

from __future__ import annotations

from flask import render_template, request

from blueprints.access import role_required
from blueprints.admin.console import bp
from domain.lifecycle.states import Role
from domain.operator import account_admin

APPLICANTS_SHOWN = 100


@bp.get("/applicants")
@role_required(Role.admin)
def applicants():
    """Applicant accounts, newest first, searched by e-mail or name: disable, enable, reset link."""
    # printable characters only: PostgreSQL refuses a NUL in a string (a 500 otherwise)
    query = "".join(c for c in request.args.get("q", "") if c.isprintable()).strip()[:100]
    people = account_admin.find_applicants(query, APPLICANTS_SHOWN)
    return render_template(
        "admin/applicants.html", people=people, query=query, limit=APPLICANTS_SHOWN
    )
