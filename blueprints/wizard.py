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
from domain.filing import commitment, filings, mobiles, service_codes, stored_checks
from domain.filing.filing_password import TooManyPasswordFailures
from domain.filing.filings import FilingError
from domain.lifecycle.states import NEW_FILINGS, Role
from domain.lifecycle.workdays import SHANGHAI, shanghai_today
from domain.lifecycle.workflow import StaleFiling
from domain.rulebook import places
from domain.rulebook.filing_type import (
    LookupInputError,
    fold_host,
    host_of_pasted_url,
    unicode_domain,
)
from domain.rulebook.precheck import Findings
from domain.support import outbox
from domain.support.i18n import N_
from domain.support.masking import mask_phone
from forms.filing import (
    PERSON_ID_TYPES,
    PRE_APPROVALS,
    NewWebsitesForm,
    PasswordForm,
    ProductForm,
    SubjectForm,
    SubmitForm,
    TypedSubjectForm,
    TypeForm,
    WebsitesForm,
    content_type_choices,
)
from forms.validators import attach_findings
from i18n import gettext as _
from i18n import ngettext
from models import Filing
from runtime import current as runtime_adapters
from runtime import notify
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


def steps_for(filing) -> tuple[tuple[str, str], ...]:
    """The wizard's steps for the filing: a 首次备案 has no filing password to verify (A8)."""
    if filing is not None and not filings.needs_password(filing):
        return tuple(step for step in STEPS if step[0] != "password")
    return STEPS


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
        steps=steps_for(filing),
        order_reason=filings.order_reason(filing),
        done=filings.completed_steps(filing),
        rejection=rejection,
        flagged=flagged,
        mobile_panel=mobile_panel(filing) if step in MOBILE_STEPS else None,
        back=step,
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
                    runtime_adapters().registry, runtime_adapters().domain_lookup,
                )  # fmt: skip
        except LookupInputError as exc:
            fields = {"cert_type": form.certificate_type, "cert_number": form.certificate_number}
            for name, message in exc.problems:
                fields.get(name, form.domain).errors.append(message.render(_))
        else:
            if filing is not None:
                # One banner: the verdict (a new filing's reason is the card on the next step
                # already) and what was made of the typed address.
                reason = filings.order_reason(filing)
                said = [] if reason else [verdict.message.render(_)]
                said += [pasted, parent_domain_note(form.domain.data, verdict)]
                if parts := [part for part in said if part]:  # sentences run on in Chinese,
                    banner = parts[0]  # a space apart in English (the catalogue says which)
                    for part in parts[1:]:
                        banner = _("%(first)s%(then)s", first=banner, then=part)
                    flash(banner, "ok")
                for warning in verdict.warnings:  # shown, never blocking (A5 v3)
                    flash(warning.message.render(_), "warn")
                return redirect(url_for("wizard.product", filing_id=filing.id))
    # A refusal or bad input is 422 (every answer that is a type opens its order above).
    status = 422 if (form.errors or (verdict and verdict.refusal)) else 200
    refused_kind, blocking = None, None
    if verdict is not None and verdict.refusal:  # named as attempted, with the order in the way
        refused_kind = filings.refused_kind(verdict)
        _found, blocking = filings.blocking_order(
            current_user, form.certificate_type.data, form.certificate_number.data, verdict
        )
    note = parent_domain_note(form.domain.data, verdict) if verdict else ""
    note = " ".join(part for part in (pasted, note) if part)
    return render_template(
        "wizard/type.html",
        form=form,
        verdict=verdict,
        note=note,
        steps=STEPS,
        step="type",
        refused_kind=refused_kind,
        blocking=blocking,
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


def _after_product(filing: Filing) -> str:
    """The step after the product: the filing password where the subject is on the registry (a
    首次备案's subject has none yet), else the subject."""
    return "password" if filings.needs_password(filing) else "subject"


@bp.route("/<int:filing_id>/product", methods=["GET", "POST"])
@role_required(Role.applicant)
def product(filing_id: int):
    """Product verification: this provider's IPs on the account, or a service code per website,
    as PRODUCT_VERIFICATION allows (DOMAIN.md A10)."""
    filing = _editable_filing(filing_id)
    policy = current_policy()
    form = ProductForm(data={"ips": filing.product_ips} if request.method == "GET" else None)
    form.ips.choices = filings.account_ips(current_user)
    code_errors: dict[str, str] = {}
    typed = {k: v for k, v in request.form.items() if k.startswith("service_code-")}
    if form.validate_on_submit():
        if not service_codes.accepts_codes(policy):  # today's step, unchanged
            try:
                with transaction():
                    filings.set_product_ips(filing, current_user, form.ips.data)
            except FilingError as exc:
                form.ips.errors.append(exc.message.render(_))
            else:
                return redirect(url_for(f"wizard.{_after_product(filing)}", filing_id=filing.id))
        else:
            codes = {w.id: typed.get(f"service_code-{w.id}", "") for w in filing.websites}
            with transaction():
                errors = filings.verify_product(
                    filing, current_user, form.ips.data or [], codes, policy, shanghai_today(),
                    runtime_adapters().service_codes,
                )  # fmt: skip
            for key, message in errors.items():
                if key == "ips":
                    form.ips.errors.append(message.render(_))
                else:
                    code_errors[key] = message.render(_)
            if not errors:
                return redirect(url_for(f"wizard.{_after_product(filing)}", filing_id=filing.id))
    status = 422 if (form.errors or code_errors) else 200
    return _page(
        "wizard/product.html", filing, "product", status, form=form, code_errors=code_errors,
        typed={k: v for k, v in typed.items() if k in code_errors},
        codes=service_codes.codes_of(filing), pool_allowed=service_codes.accepts_pool(policy),
        codes_allowed=service_codes.accepts_codes(policy),
    )  # fmt: skip


# --- step 3 -----------------------------------------------------------------------------------


@bp.route("/<int:filing_id>/password", methods=["GET", "POST"])
@role_required(Role.applicant)
def password(filing_id: int):
    """The subject's MIIT filing password, at most 5 wrong tries per hour."""
    filing = _editable_filing(filing_id)
    if not filings.needs_password(filing):  # a 首次备案's subject has none yet
        return redirect(url_for("wizard.subject", filing_id=filing.id))
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


def _subject_form(filing, data: dict | None = None) -> SubjectForm:
    """The subject step's form: a 首次备案 types the subject too (A8)."""
    form_class = TypedSubjectForm if filing.kind in filings.NEW_FILINGS_TYPED else SubjectForm
    return form_class(data=data)


def _subject_data(filing) -> dict:
    subject, person = filing.subject, filing.subject.responsible_person
    data = {key: getattr(subject, key) for key in filings.subject_fields(filing)}
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
    form = _subject_form(filing, _subject_data(filing) if request.method == "GET" else None)
    values = _subject_values(form)
    if request.method == "POST":
        with transaction():
            filings.update_subject(filing, values)
            mobiles.after_edit(filing, current_policy(), runtime_adapters().registry)
        form.validate()
    findings = filings.check_subject(filing, values, shanghai_today())
    if request.method == "POST":
        reused = [  # R-P-4 where the number is typed, not only at submission
            breach
            for breach in stored_checks.mobile_reuse(filing, runtime_adapters().registry)
            if breach.field.startswith("subject.")
        ]
        findings = Findings([*findings.breaches, *reused], findings.warnings)
        attach_findings(findings, _subject_fields(form))
        if not form.errors:
            return redirect(url_for("wizard.websites", filing_id=filing.id))
    else:  # a first visit is not told off; what the rules only warn about is shown at once
        attach_findings(Findings(warnings=findings.warnings), _subject_fields(form))
    pickers = {  # as the address starts, else the order's province
        name: places.locate(form[name].data or "", filing.province) for name in ADDRESS_FIELDS
    }
    return _page(
        "wizard/subject.html", filing, "subject", 422 if form.errors else 200, form=form,
        pickers=pickers,
    )  # fmt: skip


# The subject's addresses, each with its picker (省/市/区).
ADDRESS_FIELDS = ("certificate_address", "mailing_address")


@bp.get("/<int:filing_id>/places")
@role_required(Role.applicant)
def place_picker(filing_id: int):
    """htmx: an address's picker (省/市/区) again for the places chosen, carrying the address typed
    with those places in front instead of the ones it started with (static/app.js puts it in)."""
    filing = own_filing_or_404(filing_id)
    field = request.args.get("field", "")
    if field not in ADDRESS_FIELDS:
        abort(404)
    picked = places.pick(
        request.args.get("place_province", ""), request.args.get("place_city", ""),
        request.args.get("place_district", ""),
    )  # fmt: skip
    address = places.fill(request.args.get(field, "")[:255], picked)[:255]
    return render_template(
        "wizard/_place_picker.html", filing=filing, field=field, picked=picked, address=address
    )


def _subject_values(form: SubjectForm) -> dict:
    return {name: form[name].data for name in form.data if name != "csrf_token"}


def _subject_fields(form: SubjectForm) -> dict:
    """The subject step's fields by their A2 path."""
    typed = (*filings.TYPED_SUBJECT_FIELDS, *filings.SUBJECT_FIELDS)
    fields = {f"subject.{key}": form[key] for key in typed if key in form}
    fields.update(
        {f"subject.responsible_person.{k}": form[f"person_{k}"] for k in filings.PERSON_FIELDS}
    )
    return fields


@bp.post("/<int:filing_id>/subject/check")
@role_required(Role.applicant)
def check_subject_field(filing_id: int):
    """htmx: validate the form and answer the one field the user just left, with its errors."""
    filing = own_filing_or_404(filing_id)
    form = _subject_form(filing)
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
    form_class = NewWebsitesForm if filing.kind in NEW_FILINGS else WebsitesForm
    if formdata is None:
        data = {"websites": [_website_data(w) for w in filing.websites]}
        if typed is not None:
            data["new_domain"] = typed.new_domain.data
        form = form_class(formdata=None, data=data)
    else:
        form = form_class(formdata=formdata)
    _set_choices(filing, form)
    return form


def _set_choices(filing, form: WebsitesForm) -> None:
    """The choices of each block that depend on the filing (its IPs, its subject's kind)."""
    content_types = content_type_choices(filing.subject.kind)
    codes = service_codes.codes_of(filing)  # a website with a service code runs on its IPs
    pool = [a for a in filing.product_ips if a in filings.pool_ips(filing, codes)]
    code_of = {str(website_id): row for website_id, row in codes.items()}
    for block in form.websites:
        code = code_of.get(block.form.website_id.data or "")
        block.form.ips.choices = list(code.ips) if code is not None else pool
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
        "remark": website.remark,
        "person_mode": "other" if person else "same",
        "name": website.name,  # read by a new filing's form only (A8: typed)
        "domains": "\n".join(unicode_domain(d.domain) for d in website.domains),
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
    adapters = runtime_adapters()
    findings = filings.submission_problems(
        filing, shanghai_today(), current_policy().provider_code, adapters.registry,
        adapters.domain_lookup,
    )  # fmt: skip
    if warnings_only:
        findings = Findings(warnings=findings.warnings)
    index_of = {str(w.id): i for i, w in enumerate(filing.websites)}
    for block in form.websites:
        i = index_of.get(block.form.website_id.data)
        if i is None:
            continue
        fields = {
            f"websites[{i}].{path}": block.form[name]
            for path, name in WEBSITE_PATHS.items()
            if name in block.form
        }
        for j in range(len(filing.websites[i].ips)):
            fields[f"websites[{i}].ips[{j}]"] = block.form.ips
        if "domains" in block.form:  # a new filing's typed domains (A8)
            fields[f"websites[{i}].domains"] = block.form.domains
            for j in range(len(filing.websites[i].domains)):
                fields[f"websites[{i}].domains[{j}]"] = block.form.domains
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
    "name": "name",  # a new filing's website name (A8); an access filing's block has none
    "remark": "remark",
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
        mobiles.after_edit(filing, current_policy(), runtime_adapters().registry)
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
    return _confirm_page(filing, SubmitForm(formdata=None, data={"version": filing.version}))


def _confirm_page(filing, form: SubmitForm, status: int = 200):
    return _page(
        "wizard/confirm.html", filing, "confirm", status, form=form,
        problems=_confirm_problems(filing),
    )  # fmt: skip


def _confirm_problems(filing) -> Findings:
    """The confirm page's pre-check of the filing as it is now."""
    policy, adapters = current_policy(), runtime_adapters()
    return filings.submission_problems(
        filing, shanghai_today(), policy.provider_code, adapters.registry, adapters.domain_lookup,
        policy=policy,
    )  # fmt: skip


def _confirm_out_of_band(filing) -> str:
    """The confirm page's pre-check card and submit form, drawn again for htmx to swap in beside
    the mobiles panel (hx-swap-oob): a mobile verified in place can make the order submittable."""
    form = SubmitForm(formdata=None, data={"version": filing.version})
    context = {"filing": filing, "problems": _confirm_problems(filing), "oob": True, "form": form}
    return "".join(
        render_block("wizard/confirm.html", block, **context)
        for block in ("precheck", "submit_form")
    )


@bp.post("/<int:filing_id>/submit")
@role_required(Role.applicant)
def submit(filing_id: int):
    """Submit for initial review. A double click or a replayed form files once; a submission
    without the truthfulness commitment ticked is the confirmation again, the box marked."""
    filing = own_filing_or_404(filing_id)
    form = posted_or_400(SubmitForm())
    if not filings.is_editable(filing):  # already submitted by the first click
        return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    try:
        with transaction():
            filings.submit(
                filing, current_user, current_policy(), shanghai_today(),
                expected_version=row_id(form.version.data), registry=runtime_adapters().registry,
                lookup=runtime_adapters().domain_lookup, committed=bool(form.commitment.data),
            )  # fmt: skip
    except StaleFiling:
        return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    except DomainError as exc:
        if exc.field == commitment.FIELD:  # said at the top and under the box at the bottom
            flash(exc.message.render(_), "bad")
            form.commitment.errors = [exc.message.render(_)]
            form.version.data = str(filing.version)
            return _confirm_page(filing, form, 422)
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


# --- mobile codes (R-PH-3): a panel on the subject, websites and confirm steps ------------------

MOBILE_STEPS = ("subject", "websites", "confirm")
SENT_MESSAGES = {
    mobiles.Sent.SENT: (N_("验证码已发送至 %(mobile)s，10 分钟内有效"), "ok"),
    mobiles.Sent.TOO_SOON: (N_("发送过于频繁，请 %(n)s 秒后再试"), "bad"),
    mobiles.Sent.CAP: (N_("该手机号本小时内接收验证码次数已达上限，请稍后再试"), "bad"),
    mobiles.Sent.VERIFIED: (N_("手机号 %(mobile)s 已通过验证"), "ok"),
    mobiles.Sent.NOT_ON_ORDER: (N_("该手机号不是本备案负责人的手机号，请先保存手机号"), "bad"),
}
CHECKED_MESSAGES = {
    mobiles.Checked.VERIFIED: (N_("手机号 %(mobile)s 验证通过"), "ok"),
    mobiles.Checked.WRONG: (N_("验证码不正确，还可尝试 %(n)s 次"), "bad"),
    mobiles.Checked.EXPIRED: (N_("验证码已过期，请重新发送验证码"), "bad"),
    mobiles.Checked.SPENT: (N_("验证码错误次数过多，请重新发送验证码"), "bad"),
    mobiles.Checked.NO_CODE: (N_("请先获取发送到该手机的验证码"), "bad"),
}


def mobile_panel(filing, message: str = "", tone: str = "ok") -> dict | None:
    """The mobile codes panel's data (None where VERIFY_MOBILES is off); in demo mode with what
    the phones got, as the bureau's SMS page shows it."""
    policy = current_policy()
    if not policy.verify_mobiles:
        return None
    rows = mobiles.statuses(filing)
    demo_texts: dict[str, str] = {}  # by number: the newest code's SMS, beside that number's input
    if policy.demo_mode:  # the demo has no real phone to read the code on
        waiting = {row.mobile for row in rows if not row.verified}
        for sent in mobiles.sent_codes(filing):  # newest first
            if sent.recipient in waiting and sent.recipient not in demo_texts:
                delivered = outbox.as_delivered(sent)
                demo_texts[sent.recipient] = notify.render(delivered, policy, reveal_code=True).text
    return {"rows": rows, "message": message, "tone": tone,
            "demo_texts": demo_texts}  # fmt: skip


def _mobile_answer(filing, message: str, tone: str):
    """The panel again for htmx; else the step it was on, the message flashed."""
    back = request.form.get("back", "")
    if is_htmx():
        status = 200 if tone == "ok" else 422
        panel = render_template(
            "wizard/_mobiles.html", filing=filing, back=back,
            mobile_panel=mobile_panel(filing, message, tone),
        )  # fmt: skip
        if back == "confirm":  # the pre-check and the submit button follow the panel
            panel += _confirm_out_of_band(filing)
        return panel, status
    flash(message, tone)
    endpoint = f"wizard.{back}" if back in MOBILE_STEPS else "wizard.confirm"
    return redirect(url_for(endpoint, filing_id=filing.id))


@bp.post("/<int:filing_id>/mobiles/send")
@role_required(Role.applicant)
def send_mobile_code(filing_id: int):
    """Send (again) the SMS code to one responsible person's mobile of the order."""
    filing = _editable_filing(filing_id)
    mobile = (request.form.get("mobile") or "").strip()[:20]
    policy = current_policy()
    if not policy.verify_mobiles:
        abort(404)
    with transaction():
        result = mobiles.send_code(filing, mobile, policy)
    text, tone = SENT_MESSAGES[result]
    wait = mobiles.seconds_until_resend(filing, mobile)
    return _mobile_answer(filing, _(text, mobile=mask_phone(mobile), n=wait), tone)


@bp.post("/<int:filing_id>/mobiles/verify")
@role_required(Role.applicant)
def verify_mobile_code(filing_id: int):
    """Check the code typed for one responsible person's mobile of the order."""
    filing = _editable_filing(filing_id)
    mobile = (request.form.get("mobile") or "").strip()[:20]
    policy = current_policy()
    if not policy.verify_mobiles:
        abort(404)
    with transaction():
        verdict = mobiles.verify(
            filing, mobile, (request.form.get("code") or "")[:32], current_user, policy
        )
    text, tone = CHECKED_MESSAGES[verdict.result]
    return _mobile_answer(filing, _(text, mobile=mask_phone(mobile), n=verdict.tries_left), tone)
