"""Records held here (备案信息, DOMAIN.md A7): the applicant's subjects and websites accessed here,
and the orders on them: 变更接入 (new IPs) and 取消接入; (A7 v3) 变更主体, 变更网站, 注销网站,
注销主体, and claiming a record (认领)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import own_filing_or_404, posted_or_400, role_required, row_id
from blueprints.ui import choice_names
from domain.filing import commitment, holdings, materials, orders, record_orders
from domain.filing.filing_password import TooManyPasswordFailures
from domain.filing.filings import account_ips
from domain.lifecycle.states import OrderKind, Role
from domain.lifecycle.workflow import StaleFiling, WorkflowError
from domain.review.changes import Snap, compare
from domain.rulebook.filing_type import unicode_domain
from forms.filing import (
    CERT_TYPES,
    LANGUAGES,
    PRE_APPROVALS,
    SERVICE_TYPES,
    ConfirmForm,
    SubmitForm,
    TypeForm,
    content_type_choices,
)
from i18n import gettext as _
from runtime import current as runtime_adapters
from runtime.policy import current_policy
from runtime.transaction import transaction

bp = Blueprint("records", __name__, url_prefix="/records")


@bp.get("/")
@role_required(Role.applicant)
def list_records():
    """Each subject held here with its websites; from it, another website or an order."""
    return _records_page()


def _records_page(claim_error: dict | None = None) -> str:
    """The records page; `claim_error` (field, message, the typed certificate) is told at the
    claim form, at the bottom of the page, under the input it is about."""
    records = record_orders.records_of(current_user, current_policy().provider_code)
    return render_template(
        "records/list.html",
        records=records,
        open_orders={number: orders.open_order_of(number) for number in records},
        type_form=TypeForm(),
        form=ConfirmForm(),
        cert_types=CERT_TYPES,
        claim_error=claim_error,
    )


# The claim's refusals about the password (the rest are about the certificate typed).
PASSWORD_REFUSALS = frozenset({"备案密码不正确，本小时内还可尝试 %(n)s 次"})


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
            if filing.kind in record_orders.CHANGE_KINDS:  # edited and submitted on its page
                record_orders.submit_change(
                    filing, current_user, current_policy(), date.today(),
                    row_id(form.version.data), runtime_adapters().registry,
                    committed=request.form.get("commitment") == "y",
                )  # fmt: skip
            elif filing.kind in record_orders.CANCEL_KINDS:
                record_orders.resubmit(
                    filing, current_user, current_policy(), row_id(form.version.data)
                )
            else:
                orders.resubmit(filing, current_user, current_policy(), row_id(form.version.data))
    except StaleFiling:
        pass  # the first click already went through
    except (orders.OrderRefused, record_orders.RecordOrderRefused, WorkflowError) as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已重新提交，等待审核"), "ok")
    return redirect(url_for("applicant.show_filing", filing_id=filing.id))


# --- A7 v3: claims, changes of subject and website, cancellations of website and subject -----------


@bp.post("/claim")
@role_required(Role.applicant)
def claim():
    """认领: take a registry subject accessed here but held by no account, by its certificate and
    the MIIT filing password (the password step's limits and audit)."""
    posted_or_400(ConfirmForm())
    try:
        with transaction():
            holding, refusal = holdings.claim(
                current_user, request.form.get("certificate_type", ""),
                request.form.get("certificate_number", ""), request.form.get("password", ""),
                current_policy().provider_code, runtime_adapters().registry,
            )  # fmt: skip
    except TooManyPasswordFailures as exc:
        refusal, field = exc.message, "password"
    else:
        if refusal is None:
            flash(_("认领成功，该主体已加入您的备案信息"), "ok")
            return redirect(url_for("records.list_records"))
        field = "password" if refusal.text in PASSWORD_REFUSALS else "certificate_number"
    claim_error = {
        "field": field,
        "message": refusal.render(_),
        "certificate_type": request.form.get("certificate_type", ""),
        "certificate_number": request.form.get("certificate_number", ""),
    }  # told at the form (the page's bottom), not as a flash at its top
    return _records_page(claim_error), 422


@bp.post("/open")
@role_required(Role.applicant)
def open_change():
    """Open a 变更主体 or 变更网站 as a draft starting from the record, then edit it."""
    posted_or_400(ConfirmForm())
    kind = {"change_subject": OrderKind.change_subject, "change_website": OrderKind.change_website}
    chosen = kind.get(request.form.get("kind", ""))
    if chosen is None:
        abort(400)
    try:
        with transaction():
            filing = record_orders.open_change(
                current_user, chosen, request.form.get("subject", ""),
                current_policy().provider_code, request.form.get("website", ""),
            )  # fmt: skip
    except record_orders.RecordOrderRefused as exc:
        flash(exc.message.render(_), "bad")
        return redirect(url_for("records.list_records"))
    return redirect(url_for("records.edit_order", filing_id=filing.id))


def _change_context(
    filing, error: str = "", field: str | None = None, form: SubmitForm | None = None
) -> dict:
    before = record_orders.record_changes(filing)
    changes = compare(Snap(**before["before"]), Snap(**before["after"]), _, choice_names)
    findings = record_orders.problems(filing, date.today())
    field_errors: dict[str, list[str]] = {}
    for breach in findings.breaches:
        name = change_form_field(filing, breach.field)
        if name is not None:
            field_errors.setdefault(name, []).append(breach.message.render(_))
    if (
        error and field in CHANGE_FORM_FIELDS
    ):  # a refused edit (a domain, the remark): said there too
        field_errors.setdefault(field, []).insert(0, error)
    return {
        "filing": filing, "form": form or SubmitForm(formdata=None, data={"version": filing.version}),
        "changes": changes, "needed": materials.required_materials(filing),
        "problems": _rendered(filing, findings), "field_errors": field_errors,
        "error": error, "error_field": field, "service_types": SERVICE_TYPES,
        "languages": LANGUAGES, "pre_approvals": PRE_APPROVALS, "cert_types": CERT_TYPES,
        "content_types": content_type_choices(filing.subject.kind),
        "domains_text": "\n".join(unicode_domain(d.domain) for w in filing.websites[:1] for d in w.domains),
    }  # fmt: skip


def _rendered(filing, findings) -> dict[str, list[tuple[str, str | None]]]:
    """The findings in words, each with the change form's field it is said at (None: none)."""
    return {
        "breaches": [(b.message.render(_), change_form_field(filing, b.field))
                     for b in findings.breaches],
        "warnings": [(w.message.render(_), change_form_field(filing, w.field))
                     for w in findings.warnings],
    }  # fmt: skip


# The change form's own fields (records/edit_order.html): an error is said at the one it names.
CHANGE_FORM_FIELDS = frozenset({
    "name", "certificate_address", "mailing_address", "remark", "domains", "service_types",
    "content_types", "languages", "pre_approval_category", "pre_approval_number",
    *(f"person_{key}" for key in ("name", "id_type", "id_number", "mobile", "email")),
})  # fmt: skip


def change_form_field(filing, path: str) -> str | None:
    """The change form's field where a finding on the A2 `path` is fixed: the order's own part
    (the subject of a 变更主体, the website of a 变更网站) and its person; None for the rest."""
    own = "subject." if filing.kind is OrderKind.change_subject else "websites[0]."
    if not path.startswith(own):
        return None
    rest = path.removeprefix(own)
    if rest.startswith("responsible_person"):
        key = rest.removeprefix("responsible_person").lstrip(".") or "name"
        name = f"person_{key}"
    elif rest.startswith("domains"):
        name = "domains"
    elif rest.startswith("pre_approvals"):
        name = "pre_approval_number" if rest.endswith(".number") else "pre_approval_category"
    else:
        name = rest
    return name if name in CHANGE_FORM_FIELDS else None


def _posted_values(filing) -> dict:
    form = request.form
    values: dict = {
        key: form.get(key, "") for key in form if key not in ("csrf_token", "version", "action")
    }
    if filing.kind is OrderKind.change_website:
        values["domains"] = form.get("domains", "").split()
        for key in ("service_types", "languages", "content_types"):
            values[key] = form.getlist(key)
    return values


@bp.route("/orders/<int:filing_id>/edit", methods=["GET", "POST"])
@role_required(Role.applicant)
def edit_order(filing_id: int):
    """A change of subject or website: the record's data to edit, old → new, the checks on what
    changed, the materials it will need, and the submission."""
    filing = own_filing_or_404(filing_id)
    if filing.kind not in record_orders.CHANGE_KINDS:
        abort(404)
    error, field, form = "", None, None
    if request.method == "POST":
        form = posted_or_400(SubmitForm())
        expected = row_id(form.version.data)
        submitting = request.form.get("action") == "submit"
        try:
            with transaction():
                if submitting and expected not in (0, filing.version):
                    raise StaleFiling()  # a second click: the first one already went through
                values = _posted_values(filing)
                if filing.kind is OrderKind.change_subject:
                    record_orders.edit_subject(filing, current_user, values)
                else:
                    record_orders.edit_website(
                        filing, current_user, values, current_policy().provider_code,
                        runtime_adapters().registry,
                    )  # fmt: skip
            if submitting:  # what was typed stays saved whatever the submission answers
                with transaction():
                    record_orders.submit_change(
                        filing, current_user, current_policy(), date.today(),
                        None, runtime_adapters().registry, committed=bool(form.commitment.data),
                    )  # fmt: skip
        except StaleFiling:
            return redirect(url_for("applicant.show_filing", filing_id=filing.id))
        except (record_orders.RecordOrderRefused, WorkflowError) as exc:
            error, field = exc.message.render(_), exc.field
            ticked = bool(form.commitment.data)
            form = SubmitForm(formdata=None, data={"version": filing.version, "commitment": ticked})
            if field == commitment.FIELD:  # said above the form and under the box
                form.commitment.errors = [error]
        else:
            if submitting:
                flash(_("已提交%(order)s，等待审核", order=_(filing.kind.label)), "ok")
                return redirect(url_for("applicant.show_filing", filing_id=filing.id))
            flash(_("已保存"), "ok")
            return redirect(url_for("records.edit_order", filing_id=filing.id))
    status = 422 if error else 200
    return render_template(
        "records/edit_order.html", **_change_context(filing, error, field, form)
    ), status


@bp.route("/cancel-record", methods=["GET", "POST"])
@role_required(Role.applicant)
def cancel_record():
    """注销网站 or 注销主体: what is deleted at the ministry, confirmed by typing its number."""
    kinds = {"cancel_website": OrderKind.cancel_website, "cancel_subject": OrderKind.cancel_subject}
    kind = kinds.get(request.args.get("kind", ""))
    subject_number = request.args.get("subject", "")
    website_number = request.args.get("website", "")
    if kind is None:
        abort(404)
    try:
        record = record_orders.record_of(
            current_user, subject_number, current_policy().provider_code
        )
    except record_orders.RecordOrderRefused:
        abort(404)
    websites = record.websites
    if kind is OrderKind.cancel_website:
        websites = [w for w in record.websites if w.icp_number == website_number]
        if not websites:
            abort(404)
    last = kind is OrderKind.cancel_website and record_orders.last_website(record, websites[0])
    form = ConfirmForm()
    error = ""
    if request.method == "POST":
        posted_or_400(form)
        try:
            with transaction():
                filing = record_orders.start_cancel(
                    current_user, kind, subject_number, request.form.get("confirm_number", ""),
                    current_policy(), website_number=website_number,
                )  # fmt: skip
        except (record_orders.RecordOrderRefused, WorkflowError) as exc:
            error = exc.message.render(_)
        else:
            flash(_("已提交%(order)s，等待审核", order=_(kind.label)), "ok")
            return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    return render_template(
        "records/cancel_record.html", kind=kind, record=record, websites=websites, last=last,
        subject_number=subject_number, website_number=website_number, form=form, error=error,
    ), 422 if error else 200  # fmt: skip
