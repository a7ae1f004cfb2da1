"""The reviewer productivity report: on a page with a chart, and as CSV."""

from __future__ import annotations

import io
from datetime import datetime

from flask import current_app, render_template, request
from markupsafe import Markup

from blueprints import hardening
from blueprints.access import role_required
from blueprints.admin.console import bp
from domain.lifecycle import workflow
from domain.lifecycle.states import FilingState, Role
from domain.review import report
from domain.rulebook.reasons import REJECTION_REASONS
from forms.admin import ReportRangeForm
from i18n import gettext as _
from models import utcnow


@bp.get("/report", endpoint="report")
@role_required(Role.admin)
def show_report():
    """Decisions per reviewer (with a chart), median hours per stage, overdue, rejection reasons."""
    form = ReportRangeForm(request.args)
    data = report.build(utcnow(), *_days(form))
    chart = Markup(
        report.bar_chart_svg(
            [(name, count) for name, count, _r in data.per_reviewer], _("各审核员处理数量")
        )
    )
    stages = sorted(workflow.staff_stages(), key=list(FilingState).index)  # in the table's order
    return render_template(
        "admin/report.html", report=data, chart=chart, reason_labels=REJECTION_REASONS,
        stages=stages, form=form,
    ), 422 if form.errors else 200  # fmt: skip


def _days(form: ReportRangeForm) -> tuple[datetime | None, datetime | None]:
    """The range the form asks for, or all time when a date is missing or wrong (the page then
    names the wrong field)."""
    if not form.validate():
        return None, None
    return report.day_range(form.first.data, form.last.data)


@bp.get("/report.csv")
@role_required(Role.admin)
def report_csv():
    """The report as CSV (UTF-8 with BOM, so that Excel opens the Chinese correctly)."""
    data = report.build(utcnow(), *_days(ReportRangeForm(request.args)))
    out = io.StringIO()
    writer = hardening.SafeCsvWriter(out)  # a reviewer's name may start with "="
    writer.writerow(["section", "key", "value", "extra"])
    for name, count, rejected in data.per_reviewer:
        writer.writerow(["decisions", name, count, rejected])
    for (name, stage), count in sorted(
        data.per_stage.items(), key=lambda item: (item[0][0], item[0][1].value)
    ):
        writer.writerow(["decisions_by_stage", f"{name}/{stage.value}", count, ""])
    for state, hours, n in data.hours_in_state:
        writer.writerow(["median_hours_in_state", state.value, hours, n])
    for state, count in data.overdue.items():
        writer.writerow(["overdue", state.value, count, ""])
    for code, count in data.reasons:
        writer.writerow(["rejection_reason", code, count, ""])
    return current_app.response_class(
        "\ufeff" + out.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=beian-report.csv"},
    )  # fmt: skip
