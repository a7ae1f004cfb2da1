"""The pre-approval keyword console (R-W-3): the words that make the pre-check ask about a
pre-approval, by category."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required, row_id
from blueprints.admin.console import bp
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.operator import pre_approval_keywords
from domain.rulebook.rules import PRE_APPROVAL_LABELS
from i18n import gettext as _
from runtime.transaction import transaction


@bp.get("/tables/pre-approval-keywords", endpoint="pre_approval_keywords")
@role_required(Role.admin)
def show_keywords():
    """The keywords of each pre-approval category."""
    return render_template(
        "admin/pre_approval_keywords.html",
        keywords=pre_approval_keywords.all_keywords(),
        categories=PRE_APPROVAL_LABELS,
    )


@bp.post("/tables/pre-approval-keywords")
@role_required(Role.admin)
def add_pre_approval_keyword():
    """Add a keyword to a category."""
    category, keyword = request.form.get("category", ""), request.form.get("keyword", "")
    try:
        with transaction():
            pre_approval_keywords.add_keyword(category, keyword, current_user)
    except DomainError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已保存"), "ok")
    return redirect(url_for("admin.pre_approval_keywords"))


@bp.post("/tables/pre-approval-keywords/remove")
@role_required(Role.admin)
def remove_pre_approval_keyword():
    """Take a keyword out of the table."""
    keyword_id = row_id(request.form.get("keyword_id"))
    with transaction():
        pre_approval_keywords.remove_keyword(keyword_id, current_user)
    flash(_("已保存"), "ok")
    return redirect(url_for("admin.pre_approval_keywords"))
