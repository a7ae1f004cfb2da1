"""The registry subjects console (DOMAIN.md A7 v3): find a subject, see who holds it here, and
bind it to an applicant's account or unbind it, each with a reason (audited)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from blueprints.access import posted_or_400, role_required
from blueprints.admin.console import bp
from domain.filing import holdings
from domain.lifecycle.states import Role
from extensions import db
from forms.filing import ConfirmForm
from i18n import gettext as _
from models import RegistrySubject, User
from runtime.transaction import transaction

SUBJECTS_SHOWN = 50


@bp.get("/subjects")
@role_required(Role.admin)
def subjects():
    """Registry subjects searched by number, certificate number or name."""
    query = "".join(c for c in request.args.get("q", "") if c.isprintable()).strip()[:100]
    found: list[RegistrySubject] = []
    if query:
        like = f"%{query}%"
        found = list(
            db.session.scalars(
                select(RegistrySubject)
                .where(
                    or_(
                        RegistrySubject.subject_number.like(like),
                        RegistrySubject.certificate_number == query.upper(),
                        RegistrySubject.name.like(like),
                    )
                )
                .order_by(RegistrySubject.subject_number)
                .limit(SUBJECTS_SHOWN)
            )
        )
    return render_template("admin/subjects.html", subjects=found, query=query)


def _subject_or_404(number: str) -> RegistrySubject:
    subject = db.session.scalar(
        select(RegistrySubject).where(RegistrySubject.subject_number == number)
    )
    if subject is None:
        abort(404)
    return subject


@bp.get("/subjects/<path:number>")
@role_required(Role.admin)
def subject(number: str):
    """One subject: its websites, the accounts holding it, and the bind / unbind forms."""
    found = _subject_or_404(number)
    accounts = [db.session.get(User, i) for i in sorted(holdings.holders(number))]
    return render_template(
        "admin/subject.html", subject=found, holders=accounts,
        holding=holdings.current_holding(number), form=ConfirmForm(),
    )  # fmt: skip


@bp.post("/subjects/<path:number>/bind")
@role_required(Role.admin)
def bind_subject(number: str):
    """Bind the subject to an applicant's account (by e-mail), with a reason."""
    _subject_or_404(number)
    posted_or_400(ConfirmForm())
    email = request.form.get("email", "").strip().lower()
    account = db.session.scalar(select(User).where(User.email == email)) if email else None
    if account is None:
        flash(_("没有该邮箱的账号"), "bad")
        return redirect(url_for("admin.subject", number=number))
    try:
        with transaction():
            holdings.bind(current_user, number, account, request.form.get("reason", ""))
    except holdings.HoldingRefused as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已绑定"), "ok")
    return redirect(url_for("admin.subject", number=number))


@bp.post("/subjects/<path:number>/unbind")
@role_required(Role.admin)
def unbind_subject(number: str):
    """End every holding of the subject, with a reason."""
    _subject_or_404(number)
    posted_or_400(ConfirmForm())
    try:
        with transaction():
            holdings.unbind(current_user, number, request.form.get("reason", ""))
    except holdings.HoldingRefused as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已解绑"), "ok")
    return redirect(url_for("admin.subject", number=number))
