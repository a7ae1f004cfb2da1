"""The console's front page."""

from __future__ import annotations

from flask import render_template

from blueprints.access import role_required
from blueprints.admin.console import bp
from domain.lifecycle.states import Role
from domain.operator import account_admin, dashboard


@bp.get("/", endpoint="dashboard")
@role_required(Role.admin)
def show_dashboard():
    """Counts of what the provider has configured, and the staff accounts."""
    return render_template(
        "admin/dashboard.html", figures=dashboard.figures(), staff=account_admin.staff_members()
    )
