"""The duties console (DOMAIN.md A9): the footer and resolve checks' results with their history,
for reviewers and admins; 取消接入 opened by staff for an away website past its deadline. Also the
template globals with which the records page and the review screen show a website's last results."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import posted_or_400, role_required
from blueprints.admin.console import bp
from domain.duties import checking, footer, resolve
from domain.filing import orders
from domain.lifecycle.states import Role
from forms.filing import ConfirmForm
from i18n import gettext as _
from models import utcnow
from runtime import current as runtime_adapters
from runtime.policy import current_policy
from runtime.transaction import transaction

STAFF = (Role.reviewer, Role.admin)
LABELS = {
    footer.DUTY: {r.value: r.label for r in footer.FooterResult},
    resolve.DUTY: {r.value: r.label for r in resolve.ResolveResult},
}
OK = {
    footer.DUTY: (footer.FooterResult.ok.value,),
    resolve.DUTY: (resolve.ResolveResult.here.value,),
}


def result_label(duty: str, value: str) -> str:
    """A stored result as people read it (translated)."""
    return _(LABELS.get(duty, {}).get(value, value)) if value else ""


@bp.app_template_global("site_checks_of")
def site_checks_of(numbers: list[str]) -> dict[str, dict]:
    """Website number -> {"footer": state, "resolve": state} of its last checks (a template asks)."""
    found: dict[str, dict] = {number: {} for number in numbers}
    for duty in (footer.DUTY, resolve.DUTY):
        for number, state in checking.states_for(duty, numbers).items():
            found[number][duty] = state
    return found


@bp.app_template_global("subject_site_numbers")
def subject_site_numbers(subject_number: str) -> list[str]:
    """The registry's website numbers of a subject (the review screen's filed sites)."""
    return checking.subject_website_numbers(subject_number)


@bp.app_template_global("check_result_label")
def check_result_label(duty: str, value: str) -> str:
    return result_label(duty, value)


@bp.get("/checks", endpoint="site_checks")
@role_required(*STAFF)
def show_checks():
    """The footer and resolve results of the websites held here: problems first, with deadlines."""
    duty = request.args.get("duty", footer.DUTY)
    if duty not in LABELS:
        abort(404)
    problems_only = request.args.get("all") != "1"
    rows = checking.console_rows(duty, problems_only, OK[duty])
    now = utcnow()
    return render_template(
        "duties/checks.html", duty=duty, rows=rows, problems_only=problems_only,
        may_cancel={s.website_number for s, _name in rows if duty == resolve.DUTY and resolve.may_cancel(s, now)},
    )  # fmt: skip


@bp.get("/checks/<website_number>", endpoint="site_check_history")
@role_required(*STAFF)
def show_history(website_number: str):
    """One website's history in both checks, newest first."""
    histories = {duty: checking.history(duty, website_number) for duty in LABELS}
    if not any(histories.values()):
        abort(404)
    return render_template(
        "duties/history.html", website_number=website_number, histories=histories
    )


@bp.route("/checks/<website_number>/cancel", methods=["GET", "POST"], endpoint="cancel_away")
@role_required(*STAFF)
def cancel_away(website_number: str):
    """取消接入 for an away website past its deadline, opened by staff on its holder's behalf."""
    website = resolve.held_website(website_number)
    state = checking.states_for(resolve.DUTY, [website_number]).get(website_number)
    if website is None or not resolve.may_cancel(state, utcnow()):
        abort(404)
    registry = runtime_adapters().registry
    shell = bool(orders.sole_provider([website], current_policy().provider_code, registry))
    form = ConfirmForm()
    error = ""
    if request.method == "POST":
        posted_or_400(form)
        try:
            with transaction():
                filing = resolve.open_cancel(
                    current_user, website_number, current_policy(),
                    confirmed_shells=request.form.get("confirm_shells") == "on", registry=registry,
                )  # fmt: skip
        except (resolve.CancelRefused, orders.OrderRefused) as exc:
            error = exc.message.render(_)
        else:
            flash(_("已为该网站发起取消接入，等待审核"), "ok")
            return redirect(url_for("reviewer.review", filing_id=filing.id))
    return render_template(
        "duties/cancel.html", website=website, state=state, shell=shell, form=form, error=error,
    ), 422 if error else 200  # fmt: skip
