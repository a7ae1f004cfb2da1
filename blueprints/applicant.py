"""The applicant's side: their filings, a filing's status and timeline, withdraw, SMS code."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import (
    own_filing_or_404,
    owner_has_current_version,
    posted_or_400,
    preload_own_filing,
    role_required,
    row_id,
    whole_number,
)
from blueprints.read_only import read_only
from domain.filing import filings, sms, timeline
from domain.filing.filings import FilingError
from domain.lifecycle import progress, workflow
from domain.lifecycle.states import Action, Role
from domain.lifecycle.workflow import StaleFiling, WorkflowError
from domain.support.masking import mask_phone
from extensions import db
from forms.filing import ConfirmForm, MailForm, SmsForm
from i18n import gettext as _
from models import Filing, ProvinceRule
from runtime import current as runtime_adapters
from runtime import notify
from runtime.policy import current_policy
from runtime.transaction import transaction

bp = Blueprint("applicant", __name__, url_prefix="/filings")


@bp.get("/")
@role_required(Role.applicant)
def list_filings():
    """The current applicant's filings, newest first."""
    return render_template("applicant/list.html", filings=filings.of_account(current_user))


def _panel_context(filing: Filing) -> dict:
    """What the status panel shows, and no more: the panel is polled every few seconds."""
    actions = workflow.actions_for(filing, Role.applicant)
    approved = filing.approved_at is not None
    by_post = workflow.awaits_post(filing.state)
    return {
        "filing": filing,
        "rejection": filings.latest_rejection(filing)
        if workflow.is_rejected(filing.state)
        else None,
        "actions": actions,
        "final": workflow.is_final(filing.state),
        "editable": filings.is_editable(filing),
        "resubmit_form": ConfirmForm(data={"version": filing.version})
        if filing.kind not in filings.WIZARD_KINDS and Action.submit in actions
        else None,
        "order_reason": filings.order_reason(filing),
        # a change of subject or website (A7 v3) is edited, then submitted, on its own page
        "change_edit": filing.kind in workflow.CHANGES and Action.submit in actions,
        "province_rule": db.session.get(ProvinceRule, filing.province)
        if (approved or by_post) and filing.province
        else None,
        "by_post": by_post,
        "mail_address": current_policy().mail_address if by_post else "",
        "mail_form": MailForm(
            data={"courier": filing.mail_courier, "tracking_number": filing.mail_tracking_number}
        )
        if by_post
        else None,
        "security_deadline": filing.approved_at + timedelta(days=30)
        if filing.approved_at
        else None,
        "poll_seconds": current_app.config["STATUS_POLL_SECONDS"],
        "steps": progress.progress(
            filing.state,
            filing.kind,
            materials=workflow.materials_needed(filing),
            sms=workflow.sms_required(filing),
        ),
    }


def _status_context(filing: Filing) -> dict:
    """The whole status page: the panel, the application as submitted and the public timeline."""
    panel = _panel_context(filing)  # its rejection card holds the reviewer's note: not repeated
    return {**panel, "entries": timeline.entries(filing.events, note_shown=panel["rejection"])}


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
    version = request.args.get("version", type=whole_number)
    if version is not None and owner_has_current_version(filing_id, version):
        return "", 204
    return _render_status_panel(filing_id)


@preload_own_filing
@role_required(Role.applicant)
def _render_status_panel(filing_id: int):
    """The full path: the login and owner checks, then the panel rendered."""
    filing = own_filing_or_404(filing_id)
    html = render_template("applicant/_status_panel.html", **_panel_context(filing))
    return html, 286 if workflow.is_final(filing.state) else 200


@bp.get("/<int:filing_id>/withdraw")
@role_required(Role.applicant)
def confirm_withdraw(filing_id: int):
    """Ask before withdrawing: what giving the filing up means, and a way back."""
    filing = own_filing_or_404(filing_id)
    if Action.withdraw not in workflow.actions_for(filing, Role.applicant):
        flash(_("当前状态下不能放弃该备案"), "bad")
        return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    form = ConfirmForm(data={"version": filing.version})
    return render_template("applicant/withdraw.html", filing=filing, form=form)


@bp.post("/<int:filing_id>/withdraw")
@role_required(Role.applicant)
def withdraw(filing_id: int):
    """Withdraw (放弃) the filing where the workflow allows it (DOMAIN.md A6 v2)."""
    filing = own_filing_or_404(filing_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with transaction():
                filings.withdraw(filing, current_user, current_policy(), row_id(form.version.data))
        except StaleFiling as exc:
            flash(exc.message.render(_), "bad")
        except WorkflowError:
            flash(_("当前状态下不能放弃该备案"), "bad")
        else:
            flash(_("已放弃该备案"), "ok")
    return redirect(url_for("applicant.show_filing", filing_id=filing.id))


@bp.post("/<int:filing_id>/mail")
@role_required(Role.applicant)
def record_mailing(filing_id: int):
    """The courier and tracking number of the materials posted to the provider (mail-in)."""
    filing = own_filing_or_404(filing_id)
    form = posted_or_400(MailForm())
    try:
        with transaction():
            filings.record_mailing(
                filing, current_user, form.courier.data or "", form.tracking_number.data or ""
            )
    except FilingError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已保存邮寄信息，审核员收到资料后将继续处理"), "ok")
    return redirect(url_for("applicant.show_filing", filing_id=filing.id))


@bp.route("/<int:filing_id>/sms", methods=["GET", "POST"])
@role_required(Role.applicant)
def sms_verification(filing_id: int):
    """Enter the 6-digit code that the bureau sent to the website responsible person's mobile."""
    filing = own_filing_or_404(filing_id)
    form = SmsForm()
    message, status = None, 200
    if form.validate_on_submit():  # sms.verify_code answers a repeated right code as the first
        with transaction():
            result, left = sms.verify_code(
                filing, row_id(form.challenge_id.data), form.code.data, current_user,
                current_policy(),
            )  # fmt: skip
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
        elif result == sms.SmsResult.CLOSED:
            status = 422
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
    policy = current_policy()
    with transaction():
        result = sms.resend(filing, current_user, policy, registry=runtime_adapters().registry)
    if result == sms.ResendResult.TOO_SOON:
        wait = sms.seconds_until_resend(filing, policy)
        flash(_("发送过于频繁，请 %(n)s 秒后再试", n=wait), "bad")
    else:
        flash(*RESEND_MESSAGES[result]())
    return redirect(url_for("applicant.sms_verification", filing_id=filing.id))


RESEND_MESSAGES = {
    sms.ResendResult.SENT: lambda: (_("已重新发送验证码，之前的验证码作废"), "ok"),
    sms.ResendResult.CAP: lambda: (_("本轮验证码发送次数已达上限，请联系客服"), "bad"),
    sms.ResendResult.CLOSED: lambda: (_("当前没有需要核验的短信"), "bad"),
}


def _sms_page(filing: Filing, form: SmsForm, message: str | None, status: int):
    waiting = Action.sms_verify in workflow.actions_for(filing, Role.applicant)
    challenges = sms.open_challenges(filing) if waiting else []
    sites = sms.recipients_by_website(filing, runtime_adapters().registry) if challenges else {}
    masked = [(c, mask_phone(c.mobile), sites.get(c.mobile, [])) for c in challenges]
    policy = current_policy()
    demo_texts = []
    if current_app.config["DEMO_MODE"] and challenges:  # the demo has no real phone to read it on
        demo_texts = [
            notify.render(sms.as_the_phone_got_it(m, policy), policy, reveal_code=True).text
            for m in sms.sent_codes(filing)
        ]
    # the resend button as sms.resend would answer now (resend_sms stays the guard)
    return render_template(
        "applicant/sms.html", filing=filing, form=form, challenges=masked, message=message,
        demo=current_app.config["DEMO_MODE"], demo_texts=demo_texts, resend_form=ConfirmForm(),
        resend_capped=sms.resends_used_up(filing, policy),
        resend_wait=sms.seconds_until_resend(filing, policy),
    ), status  # fmt: skip
