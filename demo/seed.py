"""The demo install: staff and applicant accounts, an IP pool, the registry and two filings.

The two filings make rows 7 and 8 of the A5 decision table reachable from the demo registry:
demo applicant A has an open filing for 成都锦程软件 (open_order_exists), and demo applicant B
holds 兰州陇原文化 through an approved filing (subject_owned_by_other_account for anyone else).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from domain import accounts, workflow
from domain.registry import import_registry, parse_registry_csv
from domain.seed_tables import seed_rule_tables
from domain.states import Action, FilingType, Role
from extensions import db
from models import (
    Filing,
    Person,
    ProviderIP,
    RegistrySubject,
    Subject,
    User,
    Website,
    WebsiteDomain,
    WebsiteIP,
    utcnow,
)

REGISTRY_CSV = Path(__file__).with_name("registry.csv")

# (e-mail, password, name, role): printed by seed-demo and listed in README.md.
DEMO_ACCOUNTS = (
    ("admin@demo.beiandesk.cn", "Admin12345", "演示管理员", Role.admin),
    ("reviewer@demo.beiandesk.cn", "Review12345", "演示审核员", Role.reviewer),
    ("applicant@demo.beiandesk.cn", "Apply12345", "演示申请人甲", Role.applicant),
    ("applicant2@demo.beiandesk.cn", "Apply12345", "演示申请人乙", Role.applicant),
)
IP_POOL = tuple(f"121.41.100.{host}" for host in range(10, 42))


def is_seeded() -> bool:
    """Whether the database already holds any account (seed only an empty install)."""
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def seed_demo() -> list[tuple[str, str, str, Role]]:
    """Load the whole demo data set (flushed, not committed). Returns the demo accounts."""
    seed_rule_tables()
    users = {
        email: accounts.register(email, password, name, role)
        for email, password, name, role in DEMO_ACCOUNTS
    }
    now = utcnow()
    for address in IP_POOL:
        db.session.add(ProviderIP(address=address))
    db.session.flush()
    applicant_a = users["applicant@demo.beiandesk.cn"]
    applicant_b = users["applicant2@demo.beiandesk.cn"]
    for owner, addresses in ((applicant_a, IP_POOL[:3]), (applicant_b, IP_POOL[3:5])):
        for address in addresses:
            ip = db.session.scalar(select(ProviderIP).where(ProviderIP.address == address))
            ip.account_id, ip.assigned_at = owner.id, now
    import_registry(parse_registry_csv(REGISTRY_CSV.read_text(encoding="utf-8")))

    reviewer = users["reviewer@demo.beiandesk.cn"]
    open_filing = _filing_from_registry(applicant_a, "蜀ICP备07004665号", [1], IP_POOL[0])
    workflow.apply(open_filing, Action.submit, applicant_a)
    workflow.apply(
        open_filing, Action.initial_approve, reviewer, note="资料齐全，请上传资料并完成核验"
    )

    done = _filing_from_registry(applicant_b, "陇ICP备15000343号", [1], IP_POOL[3])
    for action, actor in (
        (Action.submit, applicant_b),
        (Action.initial_approve, reviewer),
        (Action.submit_materials, applicant_b),
        (Action.re_approve, reviewer),
        (Action.submit_to_bureau, reviewer),
        (Action.sms_verify, None),
        (Action.bureau_approve, reviewer),
    ):
        workflow.apply(done, action, actor)
    return list(DEMO_ACCOUNTS)


def _filing_from_registry(owner: User, subject_number: str, sites: list[int], ip: str) -> Filing:
    """A filing whose subject and websites copy a registry record (as the wizard will)."""
    record = db.session.scalar(
        select(RegistrySubject).where(RegistrySubject.subject_number == subject_number)
    )
    person = Person(
        name="演示负责人",
        id_type="resident_id",
        id_number="",
        mobile=record.websites[0].responsible_mobile,
        email=owner.email,
    )
    subject = Subject(
        kind=record.kind,
        name=record.name,
        certificate_type=record.certificate_type,
        certificate_number=record.certificate_number,
        province=record.province,
        icp_number=record.subject_number,
        responsible_person=person,
    )
    filing = Filing(
        account_id=owner.id,
        filing_type=FilingType.new_access,
        product_ips=[ip],
        password_verified_at=utcnow(),
        verified_certificate_type=record.certificate_type,
        verified_certificate_number=record.certificate_number,
        verified_domain=record.websites[sites[0] - 1].domains[0].domain,
        subject=subject,
        province=record.province,
        registry_subject_number=record.subject_number,
    )
    for position, site_index in enumerate(sites):
        site = record.websites[site_index - 1]
        filing.websites.append(
            Website(
                position=position,
                name=site.name,
                icp_number=site.website_number,
                service_types=["website"],
                languages=["zh-Hans"],
                domains=[WebsiteDomain(domain=d.domain) for d in site.domains],
                ips=[WebsiteIP(address=ip)],
            )
        )
    db.session.add(filing)
    db.session.flush()
    current_app.logger.debug("demo filing %s created", filing.id)
    return filing
