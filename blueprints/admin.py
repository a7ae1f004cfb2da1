"""The operator's console: an overview of accounts and the provider's tables."""

from flask import Blueprint, render_template
from sqlalchemy import func, select

from blueprints.access import role_required
from domain.states import Role
from extensions import db
from models import DenyWord, DomainSuffix, ProviderIP, ProvinceRule, RegistrySubject, User

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
