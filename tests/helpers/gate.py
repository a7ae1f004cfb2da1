"""The access gate in the tests: registry websites made directly, and a gate of its own."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.duties import gate
from extensions import db
from models import RegistryDomain, RegistrySubject, RegistryWebsite

PROVIDER = "BEIANDESK"


def registry_site(number: int, domains: list[str], providers: str = PROVIDER) -> RegistryWebsite:
    """A registry subject with one website carrying `domains` and `providers`, committed."""
    subject = RegistrySubject(
        subject_number=f"浙ICP备2026{number:06d}号", name=f"测试主体{number}", kind="enterprise",
        certificate_type="uscc", certificate_number=f"CERT{number:014d}", province="33",
        filing_password_hash="x",
    )  # fmt: skip
    website = RegistryWebsite(
        website_number=f"浙ICP备2026{number:06d}号-1", name=f"测试网站{number}",
        responsible_mobile="13800138000", access_providers=providers,
        domains=[RegistryDomain(domain=d, expires_on=date(2030, 1, 1)) for d in domains],
    )  # fmt: skip
    subject.websites.append(website)
    db.session.add(subject)
    db.session.commit()
    return website


def registry_website_of(domain: str) -> RegistryWebsite:
    found = db.session.scalar(select(RegistryDomain).where(RegistryDomain.domain == domain))
    return db.session.get(RegistryWebsite, found.website_id)


def fresh_gate(refresh_seconds: float = 3600) -> gate.Gate:
    """A gate of its own, as one process holds it (long refresh: only the version wakes it)."""
    return gate.Gate(PROVIDER, refresh_seconds)
