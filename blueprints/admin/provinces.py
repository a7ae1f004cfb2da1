"""The province rules console: the 31 provinces, each row edited in place."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required
from blueprints.admin.console import bp
from blueprints.htmx import is_htmx
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.operator import province_rules
from extensions import db
from forms.admin import ProvinceRuleForm
from i18n import gettext as _
from models import ProvinceRule
from runtime.transaction import transaction


@bp.get("/provinces")
@role_required(Role.admin)
def provinces():
    """The 31 province rules; each row edits in place."""
    return render_template("admin/provinces.html", rules=province_rules.all_rules())


@bp.route("/provinces/<code>", methods=["GET", "POST"])
@role_required(Role.admin)
def edit_province(code: str):
    """Edit one province's rules: htmx swaps the table row; without JavaScript a page."""
    rule = db.session.get(ProvinceRule, code) or abort(404)
    form = ProvinceRuleForm(obj=rule)  # on a POST, what the admin typed (shown again if refused)
    error = ""
    if form.validate_on_submit():
        values: dict[str, str | bool | None] = {  # a field the form does not carry stays
            name: form[name].data if kind is bool else request.form[name]
            for name, kind in province_rules.PROVINCE_FIELDS.items()
            if kind is bool or name in request.form
        }
        try:
            with transaction():
                changed = province_rules.update_province_rule(rule, values, current_user)
        except DomainError as exc:
            if exc.field and exc.field in form:
                form[exc.field].errors.append(exc.message.render(_))
            else:
                error = exc.message.render(_)
        else:
            if not is_htmx():
                flash(_("已保存 %(name)s（%(n)s 项修改）", name=rule.name, n=len(changed)), "ok")
                return redirect(url_for("admin.provinces"))
            return render_template("admin/_province_row.html", rule=rule)
    template = "admin/_province_form.html" if is_htmx() else "admin/province_edit.html"
    refused = bool(error or form.errors)
    return render_template(template, rule=rule, form=form, error=error), 422 if refused else 200
