"""The applicant's filing wizard: type, product, password, subject, websites, confirm and submit.

Every step saves what was typed into the draft, valid or not, so nothing is lost; "next" moves
on only when the step is valid. Errors come back inline with status 422.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

from blueprints.access import own_filing_or_404, role_required
from blueprints.htmx import is_htmx
from domain import filings as service
from domain.filing_password import TooManyPasswordFailures, remaining_tries
from domain.i18n import N_
from domain.states import FilingState, Role
from domain.workdays import SHANGHAI, shanghai_today
from domain.workflow import StaleFiling, WorkflowError
from extensions import db
from forms.filing import (
    ConfirmForm,
    PasswordForm,
    ProductForm,
    SubjectForm,
    TypeForm,
    WebsitesForm,
)
from models import RegistrySubject

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
    filing = own_filing_or_404(filing_id)
    if not service.is_editable(filing):
        flash(_("该备案当前不能修改"), "bad")
        abort(redirect(url_for("applicant.show_filing", filing_id=filing.id)))
    return filing


def _step_done(filing) -> dict[str, bool]:
    person = filing.subject.responsible_person
    return {
        "type": True,
        "product": bool(filing.product_ips),
        "password": filing.password_verified_at is not None,
        "subject": bool(
            filing.subject.certificate_address and person and person.name and person.mobile
        ),
        "websites": all(w.ips and w.service_types for w in filing.websites),
        "confirm": False,
    }


def _page(template: str, filing, step: str, status: int = 200, **context):
    rejection = service.latest_rejection(filing) if filing.state is not FilingState.draft else None
    flagged = (
        {reason["field"] for reason in rejection.data.get("reasons", [])} if rejection else set()
    )
    page = render_template(
        template,
        filing=filing,
        step=step,
        steps=STEPS,
        done=_step_done(filing),
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
    if form.validate_on_submit():
        try:
            filing, verdict = service.start_filing(
                current_user, form.certificate_type.data, form.certificate_number.data,
                form.domain.data.strip(), current_app.config["PROVIDER_CODE"], shanghai_today(),
            )  # fmt: skip
        except ValueError:
            form.domain.errors.append(_("域名格式不正确"))
        else:
            if filing is not None:
                db.session.commit()
                flash(verdict.message.render(_), "ok")
                return redirect(url_for("wizard.product", filing_id=filing.id))
    status = 422 if (form.errors or verdict) else 200
    return render_template(
        "wizard/type.html", form=form, verdict=verdict, steps=STEPS, step="type"
    ), status


# --- step 2 -----------------------------------------------------------------------------------


@bp.route("/<int:filing_id>/product", methods=["GET", "POST"])
@role_required(Role.applicant)
def product(filing_id: int):
    """Product verification: choose this provider's IPs on the account for the filing."""
    filing = _editable_filing(filing_id)
    form = ProductForm(data={"ips": filing.product_ips} if request.method == "GET" else None)
    form.ips.choices = service.account_ips(current_user)
    if form.validate_on_submit():
        try:
            service.set_product_ips(filing, current_user, form.ips.data)
        except service.FilingError as exc:
            form.ips.errors.append(exc.message.render(_))
        else:
            db.session.commit()
            return redirect(url_for("wizard.password", filing_id=filing.id))
    return _page("wizard/product.html", filing, "product", 422 if form.errors else 200, form=form)


# --- step 3 -----------------------------------------------------------------------------------


@bp.route("/<int:filing_id>/password", methods=["GET", "POST"])
@role_required(Role.applicant)
def password(filing_id: int):
    """The subject's MIIT filing password, at most 5 wrong tries per hour."""
    filing = _editable_filing(filing_id)
    form = PasswordForm()
    record = (
        db.session.query(RegistrySubject)
        .filter_by(subject_number=filing.registry_subject_number)
        .one()
    )
    if form.validate_on_submit():
        try:
            ok = service.verify_password(filing, current_user, form.password.data)
        except TooManyPasswordFailures as exc:
            retry = exc.retry_at.astimezone(SHANGHAI).strftime("%H:%M")
            form.password.errors.append(_("错误次数过多，请于 %(time)s 后再试", time=retry))
        else:
            db.session.commit()
            if ok:
                return redirect(url_for("wizard.subject", filing_id=filing.id))
            form.password.errors.append(
                _("密码不正确，本小时内还可尝试 %(n)s 次", n=remaining_tries(record))
            )
    return _page("wizard/password.html", filing, "password", 422 if form.errors else 200, form=form)


# --- step 4 -----------------------------------------------------------------------------------


def _subject_data(filing) -> dict:
    subject, person = filing.subject, filing.subject.responsible_person
    data = {
        "certificate_address": subject.certificate_address,
        "mailing_address": subject.mailing_address,
    }
    if person is not None:
        data.update({f"person_{k}": getattr(person, k) for k in service.PERSON_FIELDS})
    return data


@bp.route("/<int:filing_id>/subject", methods=["GET", "POST"])
@role_required(Role.applicant)
def subject(filing_id: int):
    """Subject information: the registry's data is locked; addresses and the responsible person."""
    filing = _editable_filing(filing_id)
    form = SubjectForm(data=_subject_data(filing) if request.method == "GET" else None)
    if request.method == "POST":
        service.update_subject(
            filing, {name: form[name].data for name in form.data if name != "csrf_token"}
        )
        db.session.commit()
        if form.validate():
            return redirect(url_for("wizard.websites", filing_id=filing.id))
    return _page("wizard/subject.html", filing, "subject", 422 if form.errors else 200, form=form)


@bp.post("/<int:filing_id>/subject/check")
@role_required(Role.applicant)
def check_subject_field(filing_id: int):
    """htmx: validate the form and answer the one field the user just left, with its errors."""
    own_filing_or_404(filing_id)
    form = SubjectForm()
    name = request.args.get("field", "")
    if name not in form or name == "csrf_token":
        abort(404)
    form.validate()
    return render_template("wizard/_field.html", field=form[name])


# --- step 5 -----------------------------------------------------------------------------------


def _websites_form(filing, formdata=None) -> WebsitesForm:
    if formdata is None:
        data = {"websites": [_website_data(w) for w in filing.websites]}
        form = WebsitesForm(formdata=None, data=data)
    else:
        form = WebsitesForm(formdata=formdata)
    for block in form.websites:
        block.form.ips.choices = list(filing.product_ips)
    return form


def _website_data(website) -> dict:
    person = website.responsible_person
    approval = (website.pre_approvals or [{}])[0]
    data = {
        "website_id": str(website.id),
        "ips": [ip.address for ip in website.ips],
        "service_types": website.service_types,
        "languages": website.languages,
        "pre_approval_category": approval.get("category", ""),
        "pre_approval_number": approval.get("number", ""),
        "person_mode": "other" if person else "same",
    }
    if person:
        data.update({f"person_{k}": getattr(person, k) for k in service.PERSON_FIELDS})
    return data


def _save_blocks(filing, form: WebsitesForm) -> None:
    by_id = {str(w.id): w for w in filing.websites}
    for block in form.websites:
        website = by_id.get(block.form.website_id.data)
        if website is not None:
            service.update_website(filing, website, block.form.data)


def _attach_breaches(filing, form: WebsitesForm) -> None:
    """Pre-check breaches of the websites (e.g. R-P-3 across persons) shown on their fields."""
    problems = service.submission_problems(filing, shanghai_today())
    index_of = {str(w.id): i for i, w in enumerate(filing.websites)}
    for block in form.websites:
        i = index_of.get(block.form.website_id.data)
        for problem in problems:
            prefix = f"websites[{i}]."
            if i is None or not problem.field.startswith(prefix):
                continue
            rest = problem.field[len(prefix) :]
            name = {
                "responsible_person.mobile": "person_mobile",
                "responsible_person.email": "person_email",
            }.get(rest)
            if name and problem.rule == "R-P-3":
                block.form[name].errors = [*block.form[name].errors, problem.message.render(_)]


@bp.route("/<int:filing_id>/websites", methods=["GET", "POST"])
@role_required(Role.applicant)
def websites(filing_id: int):
    """Websites: every website carried, with all its domains; add or remove blocks in place."""
    filing = _editable_filing(filing_id)
    if request.method == "GET":
        return _page("wizard/websites.html", filing, "websites", form=_websites_form(filing))
    form = _websites_form(filing, request.form)  # CSRF: checked for every POST by CSRFProtect
    form.validate()
    _save_blocks(filing, form)
    action = request.form.get("action", "next")
    add_error = None
    if action == "add":
        try:
            service.add_website(
                filing,
                form.new_domain.data or "",
                current_app.config["PROVIDER_CODE"],
                shanghai_today(),
            )
        except service.FilingError as exc:
            add_error = exc.message.render(_)
    elif action.startswith("remove:"):
        try:
            service.remove_website(filing, int(action.split(":", 1)[1]))
        except (service.FilingError, ValueError):
            add_error = _("至少保留一个网站")
    db.session.commit()
    if action == "next":
        _attach_breaches(filing, form)
        if not any(block.errors for block in form.websites):
            return redirect(url_for("wizard.confirm", filing_id=filing.id))
        status = 422
    else:
        # re-render from the saved draft so that indices and blocks line up after add/remove
        fresh = _websites_form(filing)
        if add_error is None:
            fresh.new_domain.data = ""
        else:
            fresh.new_domain.data = form.new_domain.data
        form, status = fresh, (422 if add_error else 200)
    context = {"form": form, "add_error": add_error}
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
    problems = service.submission_problems(filing, shanghai_today())
    form = ConfirmForm(data={"version": filing.version})
    return _page("wizard/confirm.html", filing, "confirm", form=form, problems=problems)


@bp.post("/<int:filing_id>/submit")
@role_required(Role.applicant)
def submit(filing_id: int):
    """Submit for initial review. A double click or a replayed form files once."""
    filing = own_filing_or_404(filing_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not service.is_editable(filing):  # already submitted by the first click
        return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    try:
        service.submit(
            filing, current_user, current_app.config["PROVIDER_CODE"], shanghai_today(),
            expected_version=int(form.version.data or 0),
        )  # fmt: skip
    except StaleFiling:
        db.session.rollback()
        return redirect(url_for("applicant.show_filing", filing_id=filing.id))
    except (service.FilingError, WorkflowError) as exc:
        db.session.rollback()
        message = exc.message.render(_) if isinstance(exc, service.FilingError) else _(exc.message)
        flash(message, "bad")
        return redirect(url_for("wizard.confirm", filing_id=filing.id))
    db.session.commit()
    flash(_("已提交，等待初审（一般 1 个工作日内完成）"), "ok")
    return redirect(url_for("applicant.show_filing", filing_id=filing.id))
