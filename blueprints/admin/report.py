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
from domain.rulebook.reasons import OTHER, REASON_LABELS, REJECTION_REASONS
from domain.support.i18n import N_
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
    """The report as CSV (UTF-8 with BOM, so that Excel opens the Chinese correctly): one number
    a row, named as the page names it, in the user's language."""
    data = report.build(utcnow(), *_days(ReportRangeForm(request.args)))
    out = io.StringIO()
    writer = hardening.SafeCsvWriter(out)  # a reviewer's name may start with "="
    writer.writerow([_("类别"), _("项目"), _("指标"), _("数值")])
    for row in _csv_rows(data):
        writer.writerow(row)
    return current_app.response_class(
        "\ufeff" + out.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=beian-report.csv"},
    )  # fmt: skip


def _csv_rows(data: report.Report) -> list[tuple[str, str, str, object]]:
    """The page's tables as (section, item, measure, value) rows, with the page's words."""
    rows: list[tuple[str, str, str, object]] = []
    section = _("审核员处理量")
    for name, count, rejected in data.per_reviewer:
        rows += [(section, name, _("处理数"), count), (section, name, _("驳回数"), rejected)]
    section = _("按阶段")
    for (name, stage), count in sorted(
        data.per_stage.items(), key=lambda item: (item[0][0], list(FilingState).index(item[0][1]))
    ):
        rows.append((section, name, _(stage.label), count))
    section = _("各阶段停留时间（中位数，小时）与超时")
    for state, hours, n in data.hours_in_state:
        rows += [(section, _(state.label), _("中位数（小时）"), hours),
                 (section, _(state.label), _("样本"), n)]  # fmt: skip
    for state, count in data.overdue.items():
        rows.append((section, _(state.label), _("当前超时"), count))
    section = _("按订单类型")
    for kind, open_count, approved in data.per_kind:
        rows += [(section, _(kind.label), _("办理中"), open_count),
                 (section, _(kind.label), _("已通过"), approved)]  # fmt: skip
    section = _("驳回原因排行")
    for code, count in data.reasons:
        label = REASON_LABELS.get(code) or (N_("其他") if code == OTHER else "")
        rows.append((section, _(label) if label else code, _("次数"), count))
    return rows
