"""The figures on the console's front page: what the provider has configured."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from domain.lifecycle.states import Role
from extensions import db
from models import DenyWord, DomainSuffix, ProviderIP, ProvinceRule, RegistrySubject, User


def _count(model: type[Any], *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def figures() -> dict[str, int]:
    """Applicants, IPs (all and free), provinces, approved suffixes, deny words, registry subjects."""
    return {
        "applicants": _count(User, User.role == Role.applicant),
        "ips_total": _count(ProviderIP),
        "ips_free": _count(ProviderIP, ProviderIP.account_id.is_(None)),
        "provinces": _count(ProvinceRule),
        "suffixes": _count(DomainSuffix, DomainSuffix.approved.is_(True)),
        "deny_words": _count(DenyWord),
        "registry_subjects": _count(RegistrySubject),
    }
