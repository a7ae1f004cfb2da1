"""The operator's console: an overview of accounts and the provider's tables."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from blueprints.access import role_required
from domain import notify
from domain.states import Role
from extensions import db
from models import (
    AuditEvent,
    DenyWord,
    DomainSuffix,
    OutboxMessage,
    ProviderIP,
    ProvinceRule,
    RegistrySubject,
    User,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.admin)
def dashboard():
    """Counts of what the provider has configured, and the staff accounts."""

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    figures = {
        "applicants": count(User, User.role == Role.applicant),
        "ips_total": count(ProviderIP),
        "ips_free": count(ProviderIP, ProviderIP.account_id.is_(None)),
        "provinces": count(ProvinceRule),
        "suffixes": count(DomainSuffix, DomainSuffix.approved.is_(True)),
        "deny_words": count(DenyWord),
        "registry_subjects": count(RegistrySubject),
    }
    staff = db.session.scalars(
        select(User).where(User.role.in_([Role.reviewer, Role.admin])).order_by(User.id)
    ).all()
    return render_template("admin/dashboard.html", figures=figures, staff=staff)


@bp.get("/outbox")
@login_required
def outbox():
    """The outbox: every SMS and e-mail with its state (admins; reviewers too in the demo)."""
    if not (
        current_user.role is Role.admin
        or (current_user.is_staff and current_app.config["DEMO_MODE"])
    ):
        abort(403)
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
    ).all()
    rendered = [(m, *notify.render(m)) for m in messages]
    return render_template(
        "admin/outbox.html", rendered=rendered, demo=current_app.config["DEMO_MODE"]
    )


@bp.get("/audit")
@role_required(Role.admin)
def audit():
    """Search the audit log by filing number, action or actor e-mail."""
    filing_id = request.args.get("filing", "").lstrip("#")
    action = request.args.get("action", "")
    actor = request.args.get("actor", "").strip().lower()
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200)
    if filing_id.isdigit():
        query = query.where(AuditEvent.filing_id == int(filing_id))
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.join(User, AuditEvent.actor_id == User.id).where(
            User.email.like(f"%{actor}%")
        )
    events = db.session.scalars(query).all()
    actions = db.session.scalars(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    ).all()
    return render_template("admin/audit.html", events=events, actions=actions, args=request.args)
