"""Each domain of an order against what is known of its registration (DOMAIN.md A5 v3, R-D-2,
R-D-3), at every submission and on the review screen.

A domain on a registry website is judged by the registry's expiry date (fewer than 90 days left
is a warning; an expired one is the registry re-check's refusal). A domain on no registry website
is a new domain (of a 首次备案 or a 新增网站, A8): the domain lookup is asked, and R-D-2 (expired, or
fewer days left than the province's `domain_min_days`) and R-D-3 (not real-name verified, or held
by another than the subject) are breaches; no answer is the warning domain_unverified.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import date

from domain.ports import DomainLookup, DomainRegistration, Registry
from domain.rulebook import domain_checks
from domain.rulebook.domain_table import LocalDomainTable
from domain.rulebook.filing_type import ask_lookup, unicode_domain
from domain.rulebook.precheck import Breach, Findings
from domain.rulebook.registry import LocalRegistry
from extensions import db
from models import Filing, ProvinceRule


@dataclass
class DomainFinding:
    """One domain of the order: where its registration was read, what it said, and the breaches
    and warnings it gives (fields `websites[i].domains[j]`)."""

    field: str
    domain: str  # in the form people read
    on_registry: bool
    expires: date | None
    registration: DomainRegistration | None = None  # the lookup's answer (new domains only)
    breaches: list[Breach] = dataclasses.field(default_factory=list)
    warnings: list[Breach] = dataclasses.field(default_factory=list)
    name_differs: bool = False  # the holder's name (where published) is not the subject's
    number_differs: bool = False  # the holder's certificate number (where published) is not


def min_days_of(province: str) -> int:
    """The province's `domain_min_days` (A1 v3; 0 where the province has no rule row)."""
    rule = db.session.get(ProvinceRule, province) if province else None
    return rule.domain_min_days if rule is not None else 0


def domain_findings(
    filing: Filing,
    today: date,
    registry: Registry | None = None,
    lookup: DomainLookup | None = None,
) -> list[DomainFinding]:
    """Every domain of every website of the order, judged as the module docstring says."""
    registry = registry or LocalRegistry()
    lookup = lookup or LocalDomainTable()
    min_days = min_days_of(filing.province)
    subject = filing.subject
    found = []
    for i, website in enumerate(filing.websites):
        for j, stored in enumerate(website.domains):
            path = f"websites[{i}].domains[{j}]"
            shown = unicode_domain(stored.domain)
            record = registry.website_by_domain(stored.domain)
            if record is not None:
                expiry = next(
                    (d.expires_on for d in record.domains if d.domain == stored.domain), None
                )
                finding = DomainFinding(path, shown, True, expiry)
            else:
                registration = ask_lookup(lookup, stored.domain)
                expiry = registration.expires if registration is not None else None
                finding = DomainFinding(path, shown, False, expiry, registration)
                if registration is not None:
                    finding.name_differs = domain_checks.holder_differs(
                        replace(registration, holder_certificate_number=""), "", subject.name
                    )
                    finding.number_differs = domain_checks.holder_differs(
                        registration, subject.certificate_number, None
                    )
                _judge_new_domain(
                    finding, subject.name, subject.certificate_number, today, min_days
                )
            expiring = domain_checks.expiring_warning(shown, finding.expires, today)
            expired = finding.expires is not None and finding.expires < today  # refused already
            if expiring is not None and not finding.breaches and not expired:
                finding.warnings.append(Breach(path, "R-D-2", expiring))
            found.append(finding)
    return found


def _judge_new_domain(
    finding: DomainFinding, subject_name: str, certificate_number: str, today: date, min_days: int
) -> None:
    """R-D-2 and R-D-3 for a domain on no registry website (its lookup answer in `finding`)."""
    registration = finding.registration
    unverified = domain_checks.unverified_warning(finding.domain, registration)
    if registration is None or registration.real_name_verified is None:
        if unverified is not None:
            finding.warnings.append(Breach(finding.field, "R-D-3", unverified))
    else:
        holder = domain_checks.check_domain_holder(registration, certificate_number, subject_name)
        if holder is not None:
            finding.breaches.append(Breach(finding.field, "R-D-3", holder))
    if registration is not None:
        period = domain_checks.check_domain_period(
            finding.domain, registration.expires, today, min_days
        )
        if period is not None:
            finding.breaches.append(Breach(finding.field, "R-D-2", period))


def domain_problems(
    filing: Filing,
    today: date,
    registry: Registry | None = None,
    lookup: DomainLookup | None = None,
) -> Findings:
    """The breaches and warnings of every domain of the order (submission_problems adds them)."""
    findings = domain_findings(filing, today, registry, lookup)
    return Findings(
        [breach for finding in findings for breach in finding.breaches],
        [warning for finding in findings for warning in finding.warnings],
    )
