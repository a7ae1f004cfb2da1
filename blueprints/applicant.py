"""The applicant's side: their filings, a filing's status and timeline, withdraw, SMS code."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import (
    own_filing_or_404,
    owner_has_current_version,
    preload_own_filing,
    role_required,
    row_id,
)
from blueprints.read_only import read_only
from domain import filings as service
from domain import notify, sms, workflow
from domain.masking import mask_phone
from domain.states import Action, FilingState, Role
from domain.workflow import StaleFiling, WorkflowError
from extensions import db
from forms.filing import ConfirmForm, SmsForm
from models import Filing, ProvinceRule

bp = Blueprint("applicant", __name__, url_prefix="/filings")


@bp.get("/")
@role_required(Role.applicant)
def list_filings():
    """The current applicant's filings, newest first."""
    filings = db.session.scalars(
        select(Filing).where(Filing.account_id == current_user.id).order_by(Filing.id.desc())
    ).all()
    return render_template("applicant/list.html", filings=filings)


REJECTED_STATES = {
    FilingState.initial_rejected,
    FilingState.re_rejected,
    FilingState.bureau_rejected,
}


def _panel_context(filing: Filing) -> dict:
    """What the status panel shows, and no more: the panel is polled every few seconds."""
    actions = workflow.allowed_actions(filing, Role.applicant)
    approved = filing.state is FilingState.approved
    return {
        "filing": filing,
        "rejection": service.latest_rejection(filing) if filing.state in REJECTED_STATES else None,
        "actions": actions,
        "editable": service.is_editable(filing),
        "province_rule": db.session.get(ProvinceRule, filing.province)
        if approved and filing.province
        else None,
        "form": ConfirmForm(data={"version": filing.version})
        if Action.withdraw in actions
        else None,
        "security_deadline": filing.approved_at + timedelta(days=30) if approved else None,
        "poll_seconds": current_app.config["STATUS_POLL_SECONDS"],
    }


def _status_context(filing: Filing) -> dict:
    """The whole status page: the panel and the public timeline."""
    events = [event for event in filing.events if not event.internal]
    return {**_panel_context(filing), "events": events}


@bp.get("/<int:filing_id>")
@role_required(Role.applicant)
def show_filing(filing_id: int):
    """One of the applicant's own filings: status, deadline, reasons, timeline, next step."""
    filing = own_filing_or_404(filing_id)
    return render_template("applicant/detail.html", **_status_context(filing))


@bp.get("/<int:filing_id>/status")
@read_only
def status_panel(filing_id: int):
    """htmx polling. The panel polls with the version it shows: while the filing is still at that
    version the answer is 204 (htmx swaps nothing) after one lookup; else the new panel, with 286
    to stop the polling once the filing is final."""
    version = request.args.get("version", type=int)
    if version is not None and owner_has_current_version(filing_id, version):
        return "", 204
    return _render_status_panel(filing_id)


@preload_own_filing
@role_required(Role.applicant)
def _render_status_panel(filing_id: int):
    """The full path: the login and owner checks, then the panel rendered."""
    filing = own_filing_or_404(filing_id)
    html = render_template("applicant/_status_panel.html", **_panel_context(filing))
    return html, 286 if filing.state.is_final else 200


@bp.post("/<int:filing_id>/withdraw")
@role_required(Role.applicant)
def withdraw(filing_id: int):
    """Withdraw (放弃) the filing, only before initial review passes."""
    filing = own_filing_or_404(filing_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.withdraw(filing, current_user, expected_version=int(form.version.data or 0))
        except StaleFiling:
            db.session.rollback()
            flash(_("该备案已被他人处理，请刷新后重试"), "bad")
        except WorkflowError:
            db.session.rollback()
            flash(_("初审通过后不能放弃"), "bad")
        else:
            db.session.commit()
            flash(_("已放弃该备案"), "ok")
    return redirect(url_for("applicant.show_filing", filing_id=filing.id))


@bp.route("/<int:filing_id>/sms", methods=["GET", "POST"])
@role_required(Role.applicant)
def sms_verification(filing_id: int):
    """Enter the 6-digit code that the bureau sent to the website responsible person's mobile."""
    filing = own_filing_or_404(filing_id)
    form = SmsForm()
    message, status = None, 200
    if filing.state is FilingState.sms_pending and form.validate_on_submit():
        result, left = sms.verify_code(
            filing, row_id(form.challenge_id.data), form.code.data, current_user
        )
        db.session.commit()
        if result == sms.SmsResult.COMPLETE:
            flash(_("短信核验通过，已提交管局审核"), "ok")
            return redirect(url_for("applicant.show_filing", filing_id=filing.id))
        if result == sms.SmsResult.FAILED:
            flash(
                _("短信核验失败（超时或错误次数过多），我们将重新提交管局并发送新的验证码"), "bad"
            )
            return redirect(url_for("applicant.show_filing", filing_id=filing.id))
        if result == sms.SmsResult.WRONG:
            form.code.errors.append(_("验证码不正确，还可尝试 %(n)s 次", n=left))
            status = 422
        elif result == sms.SmsResult.VERIFIED:
            message = _("该号码已核验，请继续输入其他号码收到的验证码")
    elif request.method == "POST":
        status = 422
    return _sms_page(filing, form, message, status)


@bp.post("/<int:filing_id>/sms/resend")
@role_required(Role.applicant)
def resend_sms(filing_id: int):
    """Send new codes (R-S-3), at most SMS_SEND_CAP per round and one per SMS_RESEND_SECONDS."""
    filing = own_filing_or_404(filing_id)
    if not ConfirmForm().validate_on_submit():
        return _sms_page(filing, SmsForm(formdata=None), None, 400)
    result = sms.resend(filing, current_user)
    db.session.commit()
    if result == sms.ResendResult.TOO_SOON:
        flash(_("发送过于频繁，请 %(n)s 秒后再试", n=sms.seconds_until_resend(filing)), "bad")
    else:
        flash(*RESEND_MESSAGES[result]())
    return redirect(url_for("applicant.sms_verification", filing_id=filing.id))


RESEND_MESSAGES = {
    sms.ResendResult.SENT: lambda: (_("已重新发送验证码，之前的验证码作废"), "ok"),
    sms.ResendResult.CAP: lambda: (_("本轮验证码发送次数已达上限，请联系客服"), "bad"),
    sms.ResendResult.CLOSED: lambda: (_("当前没有需要核验的短信"), "bad"),
}


def _sms_page(filing: Filing, form: SmsForm, message: str | None, status: int):
    challenges = sms.open_challenges(filing) if filing.state is FilingState.sms_pending else []
    masked = [(c, mask_phone(c.mobile)) for c in challenges]
    demo_texts = []
    if current_app.config["DEMO_MODE"] and challenges:  # the demo has no real phone to read it on
        demo_texts = [notify.render(m)[1] for m in sms.sent_codes(filing)]
    return render_template(
        "applicant/sms.html", filing=filing, form=form, challenges=masked, message=message,
        demo=current_app.config["DEMO_MODE"], demo_texts=demo_texts, resend_form=ConfirmForm(),
    ), status  # fmt: skip
