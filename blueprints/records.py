"""Records held here (备案信息, DOMAIN.md A7): the applicant's subjects and websites accessed here,
and the orders on them: 变更接入 (new IPs) and 取消接入."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import own_filing_or_404, posted_or_400, role_required, row_id
from domain.filing import orders
from domain.filing.filings import account_ips
from domain.lifecycle.states import OrderKind, Role
from domain.lifecycle.workflow import StaleFiling, WorkflowError
from forms.filing import ConfirmForm, TypeForm
from i18n import gettext as _
from runtime import current as runtime_adapters
from runtime.policy import current_policy
from runtime.transaction import transaction

bp = Blueprint("records", __name__, url_prefix="/records")


@bp.get("/")
@role_required(Role.applicant)
def list_records():
    """Each subject held here with its websites; from it, another website or an order."""
    by_subject = orders.held_by_subject(current_user)
    return render_template(
        "records/list.html",
        by_subject=by_subject,
        open_orders={number: orders.open_order_of(number) for number in by_subject},
        type_form=TypeForm(),
    )


def _subject_websites(subject_number: str) -> list:
    """The account's records of the subject; 404 when none, back to the records page (which shows
    the open order) while the subject has one: one open order per subject."""
    websites = orders.held_by_subject(current_user).get(subject_number)
    if not websites:
        abort(404)
    if orders.open_order_of(subject_number) is not None:
        flash(_("该主体已有一个正在办理中的订单，请等待其完成或放弃后再提交。"), "bad")
        abort(redirect(url_for("records.list_records")))
    return websites


@bp.route("/change", methods=["GET", "POST"])
@role_required(Role.applicant)
def change():
    """变更接入: new IPs, from the account's, for one or more websites of one subject."""
    subject_number = request.args.get("subject", "")
    websites = _subject_websites(subject_number)
    form = ConfirmForm()
    error = ""
    if request.method == "POST":
        posted_or_400(form)
        chosen = {w.id: request.form.getlist(f"ips-{w.id}") for w in websites}
        new_ips = {
            website_id: ips
            for website_id, ips in chosen.items()
            if str(website_id) in request.form.getlist("websites")
        }
        try:
            with transaction():
                filing = orders.start_change(current_user, new_ips, current_policy())
        except orders.OrderRefused as exc:
            error = exc.message.render(_)
        else:
            flash(_("已提交变更接入，等待审核"), "ok")
            return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    return render_template(
        "records/change.html", websites=websites, subject_number=subject_number,
        account_ips=account_ips(current_user), form=form, error=error,
    ), 422 if error else 200  # fmt: skip


@bp.route("/cancel", methods=["GET", "POST"])
@role_required(Role.applicant)
def cancel():
    """取消接入: the websites to leave; a sole-provider website (空壳) must be confirmed by name."""
    subject_number = request.args.get("subject", "")
    websites = _subject_websites(subject_number)
    registry = runtime_adapters().registry
    shells = {
        w.id for w in orders.sole_provider(websites, current_policy().provider_code, registry)
    }
    form = ConfirmForm()
    error = ""
    if request.method == "POST":
        posted_or_400(form)
        ids = [i for i in (row_id(v) for v in request.form.getlist("websites")) if i]
        try:
            with transaction():
                filing = orders.start_cancel(
                    current_user, ids, current_policy(),
                    confirmed_shells=request.form.get("confirm_shells") == "on",
                    registry=registry,
                )  # fmt: skip
        except orders.OrderRefused as exc:
            error = exc.message.render(_)
        else:
            flash(_("已提交取消接入，等待审核"), "ok")
            return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    return render_template(
        "records/cancel.html", websites=websites, subject_number=subject_number, shells=shells,
        form=form, error=error,
    ), 422 if error else 200  # fmt: skip


@bp.post("/orders/<int:filing_id>/submit")
@role_required(Role.applicant)
def resubmit(filing_id: int):
    """Submit a returned or rejected change or cancellation again. A double click files once."""
    filing = own_filing_or_404(filing_id)
    if filing.kind is OrderKind.access:
        abort(404)
    form = posted_or_400(ConfirmForm())
    try:
        with transaction():
            orders.resubmit(filing, current_user, current_policy(), row_id(form.version.data))
    except StaleFiling:
        pass  # the first click already went through
    except (orders.OrderRefused, WorkflowError) as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已重新提交，等待审核"), "ok")
    return redirect(url_for("applicant.show_filing", filing_id=filing.id))
