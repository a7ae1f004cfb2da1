"""The applicant's filing wizard: type, product, password, subject, websites, confirm and submit.

Every step saves what was typed into the draft, valid or not, so nothing is lost; "next" moves
on only when the step is valid. Errors come back inline with status 422.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

from blueprints.access import own_filing_or_404, posted_or_400, role_required, row_id
from blueprints.htmx import is_htmx
from domain.errors import DomainError
from domain.filing import filings
from domain.filing.filing_password import TooManyPasswordFailures
from domain.filing.filings import FilingError
from domain.lifecycle.states import Role
from domain.lifecycle.workdays import SHANGHAI, shanghai_today
from domain.lifecycle.workflow import StaleFiling
from domain.rulebook.filing_type import LookupInputError, fold_host, host_of_pasted_url
from domain.rulebook.precheck import Findings
from domain.support.i18n import N_
from forms.filing import (
    PERSON_ID_TYPES,
    PRE_APPROVALS,
    ConfirmForm,
    PasswordForm,
    ProductForm,
    SubjectForm,
    TypeForm,
    WebsitesForm,
    content_type_choices,
)
from forms.validators import attach_findings
from i18n import gettext as _
from i18n import ngettext
from runtime import current as runtime_adapters
from runtime.policy import current_policy
from runtime.transaction import transaction

bp = Blueprint("wizard", __name__, url_prefix="/filings")

STEPS = (
    ("type", N_("验证备案类型")),
    ("product", N_("产品验证")),
    ("password", N_("备案密码")),
    ("subject", N_("主体信息")),
    ("websites", N_("网站信息")),
    ("confirm", N_("确认提交")),
)


def _editable_filing(filing_id: int):
    """The applicant's filing while it may be edited; a POST holds its row from here on (a submit
    at the same moment goes first or after, never in between)."""
    filing = own_filing_or_404(filing_id)
    editable = filings.is_editable(filing)
    if editable and request.method == "POST":
        try:
            filings.lock_editable(filing)
        except FilingError:
            editable = False
    if not editable:
        flash(_("该备案当前不能修改"), "bad")
        abort(redirect(url_for("applicant.show_filing", filing_id=filing.id)))
    return filing


def _page(template: str, filing, step: str, status: int = 200, **context):
    rejection = filings.latest_rejection(filing) if filing.submitted_at else None
    flagged = (
        {reason["field"] for reason in rejection.data.get("reasons", [])} if rejection else set()
    )
    page = render_template(
        template,
        filing=filing,
        step=step,
        steps=STEPS,
        done=filings.completed_steps(filing),
        rejection=rejection,
        flagged=flagged,
        **context,
    )
    return page, status


# --- step 1 -----------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.applicant)
def start():
    """Verify the filing type from a certificate and one domain; open the draft."""
    form = TypeForm()
    verdict = None
    pasted = ""  # a pasted address cleaned to its host, said so (the API refuses one: A5)
    if form.validate_on_submit():
        if host := host_of_pasted_url(form.domain.data):
            pasted = _("已将粘贴的网址 %(url)s 整理为域名 %(domain)s。", url=form.domain.data.strip(),
                       domain=host)  # fmt: skip
            form.domain.data = host
        try:
            with transaction():
                filing, verdict = filings.start_filing(
                    current_user, form.certificate_type.data, form.certificate_number.data,
                    form.domain.data.strip(), current_policy().provider_code, shanghai_today(),
                    runtime_adapters().registry,
                )  # fmt: skip
        except LookupInputError as exc:
            fields = {"cert_type": form.certificate_type, "cert_number": form.certificate_number}
            for name, message in exc.problems:
                fields.get(name, form.domain).errors.append(message.render(_))
        else:
            if filing is not None:
                flash(verdict.message.render(_), "ok")
                for note in (pasted, parent_domain_note(form.domain.data, verdict)):
                    if note:
                        flash(note, "ok")
                return redirect(url_for("wizard.product", filing_id=filing.id))
    status = 422 if (form.errors or verdict) else 200
    note = parent_domain_note(form.domain.data, verdict) if verdict else ""
    note = " ".join(part for part in (pasted, note) if part)
    return render_template(
        "wizard/type.html", form=form, verdict=verdict, note=note, steps=STEPS, step="type"
    ), status


def parent_domain_note(typed: str | None, verdict) -> str:
    """Why another domain than the one typed was looked up (an access filing carries the
    registrable domain: www.qinghe.cn -> qinghe.cn), or "" when it was the one typed."""
    typed = fold_host(typed)
    if not verdict.domain or typed == verdict.domain:
        return ""
    return _(
        "备案按主域名办理：您填写的 %(typed)s 已按主域名 %(domain)s 查询。",
        typed=typed, domain=verdict.domain,
    )  # fmt: skip


# --- step 2 -----------------------------------------------------------------------------------


@bp.route("/<int:filing_id>/product", methods=["GET", "POST"])
@role_required(Role.applicant)
def product(filing_id: int):
    """Product verification: choose this provider's IPs on the account for the filing."""
    filing = _editable_filing(filing_id)
    form = ProductForm(data={"ips": filing.product_ips} if request.method == "GET" else None)
    form.ips.choices = filings.account_ips(current_user)
    if form.validate_on_submit():
        try:
            with transaction():
                filings.set_product_ips(filing, current_user, form.ips.data)
        except FilingError as exc:
            form.ips.errors.append(exc.message.render(_))
        else:
            return redirect(url_for("wizard.password", filing_id=filing.id))
    return _page("wizard/product.html", filing, "product", 422 if form.errors else 200, form=form)


# --- step 3 -----------------------------------------------------------------------------------


@bp.route("/<int:filing_id>/password", methods=["GET", "POST"])
@role_required(Role.applicant)
def password(filing_id: int):
    """The subject's MIIT filing password, at most 5 wrong tries per hour."""
    filing = _editable_filing(filing_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                ok = filings.verify_password(
                    filing, current_user, form.password.data, runtime_adapters().registry
                )
        except TooManyPasswordFailures as exc:
            retry = exc.retry_at.astimezone(SHANGHAI).strftime("%H:%M")
            form.password.errors.append(_("错误次数过多，请于 %(time)s 后再试", time=retry))
        else:
            if ok:
                return redirect(url_for("wizard.subject", filing_id=filing.id))
            tries = filings.password_tries_left(filing)
            form.password.errors.append(_("密码不正确，本小时内还可尝试 %(n)s 次", n=tries))
    return _page("wizard/password.html", filing, "password", 422 if form.errors else 200, form=form)


# --- step 4 -----------------------------------------------------------------------------------


def _subject_data(filing) -> dict:
    subject, person = filing.subject, filing.subject.responsible_person
    data = {key: getattr(subject, key) for key in filings.SUBJECT_FIELDS}
    if person is not None:
        data.update({f"person_{k}": getattr(person, k) for k in filings.PERSON_FIELDS})
    if subject.kind == "individual":  # the responsible person is the individual: what is empty
        if not data.get("person_name"):  # is filled in from the subject's name and certificate
            data["person_name"] = subject.name
        own_id_type = subject.certificate_type in {c.value for c in PERSON_ID_TYPES}
        if not data.get("person_id_number") and own_id_type:
            data["person_id_type"] = subject.certificate_type
            data["person_id_number"] = subject.certificate_number
    return data


@bp.route("/<int:filing_id>/subject", methods=["GET", "POST"])
@role_required(Role.applicant)
def subject(filing_id: int):
    """Subject information: the registry's data is locked; addresses and the responsible person."""
    filing = _editable_filing(filing_id)
    form = SubjectForm(data=_subject_data(filing) if request.method == "GET" else None)
    values = _subject_values(form)
    if request.method == "POST":
        with transaction():
            filings.update_subject(filing, values)
        form.validate()
    findings = filings.check_subject(filing, values, shanghai_today())
    if request.method == "POST":
        attach_findings(findings, _subject_fields(form))
        if not form.errors:
            return redirect(url_for("wizard.websites", filing_id=filing.id))
    else:  # a first visit is not told off; what the rules only warn about is shown at once
        attach_findings(Findings(warnings=findings.warnings), _subject_fields(form))
    return _page("wizard/subject.html", filing, "subject", 422 if form.errors else 200, form=form)


def _subject_values(form: SubjectForm) -> dict:
    return {name: form[name].data for name in form.data if name != "csrf_token"}


def _subject_fields(form: SubjectForm) -> dict:
    """The subject step's fields by their A2 path."""
    fields = {f"subject.{key}": form[key] for key in filings.SUBJECT_FIELDS}
    fields.update(
        {f"subject.responsible_person.{k}": form[f"person_{k}"] for k in filings.PERSON_FIELDS}
    )
    return fields


@bp.post("/<int:filing_id>/subject/check")
@role_required(Role.applicant)
def check_subject_field(filing_id: int):
    """htmx: validate the form and answer the one field the user just left, with its errors."""
    filing = own_filing_or_404(filing_id)
    form = SubjectForm()
    name = request.args.get("field", "")
    if name not in form or name == "csrf_token":
        abort(404)
    form.validate()
    findings = filings.check_subject(filing, _subject_values(form), shanghai_today())
    attach_findings(findings, _subject_fields(form))
    return render_template("wizard/_field.html", field=form[name])


# --- step 5 -----------------------------------------------------------------------------------


def _websites_form(filing, formdata=None, typed: WebsitesForm | None = None) -> WebsitesForm:
    """The posted form; else one built from the saved draft (after an add or a remove, so that
    indices and blocks line up), keeping the domain `typed` in the "add a website" field."""
    if formdata is None:
        data = {"websites": [_website_data(w) for w in filing.websites]}
        if typed is not None:
            data["new_domain"] = typed.new_domain.data
        form = WebsitesForm(formdata=None, data=data)
    else:
        form = WebsitesForm(formdata=formdata)
    _set_choices(filing, form)
    return form


def _set_choices(filing, form: WebsitesForm) -> None:
    """The choices of each block that depend on the filing (its IPs, its subject's kind)."""
    content_types = content_type_choices(filing.subject.kind)
    for block in form.websites:
        block.form.ips.choices = list(filing.product_ips)
        block.form.content_types.choices = content_types


def _website_data(website) -> dict:
    person = website.responsible_person
    data = {
        "website_id": str(website.id),
        "ips": [ip.address for ip in website.ips],
        "service_types": website.service_types,
        "content_types": website.content_types or [],
        "languages": website.languages,
        "pre_approvals": [
            {"category": a.get("category", ""), "number": a.get("number", "")}
            for a in website.pre_approvals or []
        ],
        "person_mode": "other" if person else "same",
    }
    if person:
        data.update({f"person_{k}": getattr(person, k) for k in filings.PERSON_FIELDS})
    return data


def _save_blocks(filing, form: WebsitesForm) -> None:
    by_id = {str(w.id): w for w in filing.websites}
    for block in form.websites:
        website = by_id.get(block.form.website_id.data)
        if website is not None:
            filings.update_website(filing, website, block.form.data)


def _attach_findings(filing, form: WebsitesForm, warnings_only: bool = False) -> None:
    """The pre-check's findings on the website blocks' fields: the rules that need more than one
    field (R-P-3 across persons, R-W-1 by the subject, R-PH-2 by the province) and the warnings."""
    findings = filings.submission_problems(
        filing, shanghai_today(), current_policy().provider_code, runtime_adapters().registry
    )
    if warnings_only:
        findings = Findings(warnings=findings.warnings)
    index_of = {str(w.id): i for i, w in enumerate(filing.websites)}
    for block in form.websites:
        i = index_of.get(block.form.website_id.data)
        if i is None:
            continue
        fields = {f"websites[{i}].{path}": block.form[name] for path, name in WEBSITE_PATHS.items()}
        for j in range(len(filing.websites[i].ips)):
            fields[f"websites[{i}].ips[{j}]"] = block.form.ips
        # the saved pre-approvals (rows with a category) in the order of the form's rows
        chosen = [row for row in block.form.pre_approvals if row.form.category.data]
        for k, row in enumerate(chosen):
            fields[f"websites[{i}].pre_approvals[{k}].number"] = row.form.number
        attach_findings(findings, fields)


# A website block's form fields by their path below `websites[i]` in A2.
WEBSITE_PATHS = {
    "service_types": "service_types", "content_types": "content_types", "languages": "languages",
    "pre_approvals": "pre_approvals",  # R-W-3's warnings, beside the pre-approval rows
    **{f"responsible_person.{k}": f"person_{k}"
       for k in ("name", "id_number", "mobile", "email", "emergency_mobile", "id_valid_until")},
}  # fmt: skip


@bp.get("/<int:filing_id>/websites")
@role_required(Role.applicant)
def websites(filing_id: int):
    """Websites: every website carried, with all its domains; add or remove blocks in place."""
    filing = _editable_filing(filing_id)
    form = _websites_form(filing)
    _attach_findings(filing, form, warnings_only=True)
    return _page("wizard/websites.html", filing, "websites", form=form)


@bp.post("/<int:filing_id>/websites")
@role_required(Role.applicant)
def save_websites(filing_id: int):
    """Save the website blocks and go on to the confirmation once they are valid."""
    filing = _editable_filing(filing_id)
    form = _posted_websites(filing)
    _attach_findings(filing, form)
    if not any(block.errors for block in form.websites):
        return redirect(url_for("wizard.confirm", filing_id=filing.id))
    return _websites_answer(filing, form, None, 422)


@bp.post("/<int:filing_id>/websites/add")
@role_required(Role.applicant)
def add_website(filing_id: int):
    """Save what was typed, then add another website of the subject by one of its domains."""
    filing = _editable_filing(filing_id)
    form = _posted_websites(filing)
    try:
        with transaction():
            filings.add_website(
                filing, form.new_domain.data or "", current_policy().provider_code,
                shanghai_today(), runtime_adapters().registry,
            )  # fmt: skip
    except FilingError as exc:
        return _websites_answer(filing, _websites_form(filing, typed=form), exc, 422)
    return _websites_answer(filing, _websites_form(filing), None, 200)


@bp.post("/<int:filing_id>/websites/<int:website_id>/remove")
@role_required(Role.applicant)
def remove_website(filing_id: int, website_id: int):
    """Save what was typed, then take one website block out (at least one stays)."""
    filing = _editable_filing(filing_id)
    form = _posted_websites(filing)
    try:
        with transaction():
            filings.remove_website(filing, website_id)
    except FilingError as exc:
        return _websites_answer(filing, _websites_form(filing, typed=form), exc, 422)
    return _websites_answer(filing, _websites_form(filing), None, 200)


@bp.post("/<int:filing_id>/websites/<int:website_id>/pre-approvals/add")
@role_required(Role.applicant)
def add_pre_approval(filing_id: int, website_id: int):
    """Save what was typed, then give one website another pre-approval row (in place)."""
    filing = _editable_filing(filing_id)
    return _edit_pre_approvals(filing, website_id, lambda rows: rows.append({}))


@bp.post("/<int:filing_id>/websites/<int:website_id>/pre-approvals/<int:row>/remove")
@role_required(Role.applicant)
def remove_pre_approval(filing_id: int, website_id: int, row: int):
    """Save what was typed, then take one pre-approval row of a website out (in place)."""
    filing = _editable_filing(filing_id)
    return _edit_pre_approvals(
        filing, website_id, lambda rows: rows.pop(row) if row < len(rows) else None
    )


def _edit_pre_approvals(filing, website_id: int, edit) -> tuple[str, int]:
    """The posted blocks saved, one website's pre-approval rows edited and saved, the fieldset
    drawn again from what is now held (so that row indices line up)."""
    form = _posted_websites(filing)
    blocks = [dict(block.form.data) for block in form.websites]
    by_id = {str(w.id): w for w in filing.websites}
    for data in blocks:
        if data.get("website_id") == str(website_id) and data["website_id"] in by_id:
            rows = [dict(row) for row in data.get("pre_approvals") or []]
            edit(rows)
            data["pre_approvals"] = rows[: _max_pre_approval_rows()] or [{}]
            with transaction():
                filings.update_website(filing, by_id[data["website_id"]], data)
    redrawn = WebsitesForm(
        formdata=None, data={"websites": blocks, "new_domain": form.new_domain.data}
    )
    _set_choices(filing, redrawn)
    _attach_findings(filing, redrawn, warnings_only=True)
    return _websites_answer(filing, redrawn, None, 200)


def _max_pre_approval_rows() -> int:
    """At most one row per pre-approval category."""
    return len(PRE_APPROVALS) - 1


def _posted_websites(filing) -> WebsitesForm:
    """The posted blocks, validated and saved into the draft whatever their errors."""
    form = _websites_form(filing, request.form)  # CSRF: checked for every POST by CSRFProtect
    form.validate()
    with transaction():
        _save_blocks(filing, form)
    return form


def _websites_answer(filing, form: WebsitesForm, error: FilingError | None, status: int):
    """The websites step again (its fieldset alone for htmx)."""
    context = {"form": form, "add_error": error.message.render(_) if error else None}
    if is_htmx():
        return render_block(
            "wizard/websites.html", "websites_fieldset", filing=filing, flagged=set(), **context
        ), status
    return _page("wizard/websites.html", filing, "websites", status, **context)


# --- step 6 -----------------------------------------------------------------------------------


@bp.get("/<int:filing_id>/confirm")
@role_required(Role.applicant)
def confirm(filing_id: int):
    """One summary of everything, with the pre-check result; submit from here."""
    filing = _editable_filing(filing_id)
    problems = filings.submission_problems(
        filing, shanghai_today(), current_policy().provider_code, runtime_adapters().registry
    )
    form = ConfirmForm(data={"version": filing.version})
    return _page("wizard/confirm.html", filing, "confirm", form=form, problems=problems)


@bp.post("/<int:filing_id>/submit")
@role_required(Role.applicant)
def submit(filing_id: int):
    """Submit for initial review. A double click or a replayed form files once."""
    filing = own_filing_or_404(filing_id)
    form = posted_or_400(ConfirmForm())
    if not filings.is_editable(filing):  # already submitted by the first click
        return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    try:
        with transaction():
            filings.submit(
                filing, current_user, current_policy(), shanghai_today(),
                expected_version=row_id(form.version.data), registry=runtime_adapters().registry,
            )  # fmt: skip
    except StaleFiling:
        return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    except DomainError as exc:
        flash(exc.message.render(_), "bad")
        return redirect(url_for("wizard.confirm", filing_id=filing.id))
    flash(
        ngettext(  # one form in Chinese; "1 working day" / "2 working days" in English
            "已提交，等待初审（一般 %(num)s 个工作日内完成）",
            "已提交，等待初审（一般 %(num)s 个工作日内完成）",
            current_policy().initial_review_workdays,
        ),
        "ok",
    )
    return redirect(url_for("applicant.show_filing", filing_id=filing.id))
