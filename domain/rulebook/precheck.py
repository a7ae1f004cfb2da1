"""The pre-check (DOMAIN.md A3): every breach of the A4 rules in an application, at once.

Pure: the rule tables come in as a RuleTables value, loaded from the database by rule_tables.load().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from domain.rulebook import rules
from domain.rulebook.application import Application, PersonData, WebsiteData
from domain.support.i18n import N_, Message


@dataclass(frozen=True)
class RuleTables:
    """The editable tables the rules consult (ASCII suffixes, deny-lists, minimum ages)."""

    approved_suffixes: frozenset[str]
    never_suffixes: frozenset[str] = frozenset()
    sensitive_words: frozenset[str] = frozenset()
    personal_words: frozenset[str] = frozenset()
    min_age: dict[str, int] = field(default_factory=dict)
    local_mobile_provinces: frozenset[str] = frozenset()  # province rule: local mobiles only
    # R-W-3 (v3): (category, keyword) pairs of the pre-approval keyword table
    pre_approval_keywords: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Breach:
    field: str
    rule: str
    message: Message
    from_registry: bool = False  # on a field the MIIT record holds: the applicant cannot change it

    def as_dict(self, gettext: Callable[[str], str]) -> dict[str, str]:
        """The A3 JSON shape, with the message in the current language."""
        return {"field": self.field, "rule": self.rule, "message": self.message.render(gettext)}


@dataclass(frozen=True)
class Findings:
    """What a check found: breaches block, warnings (soft rules, A3 v2) never do."""

    breaches: list[Breach] = field(default_factory=list)
    warnings: list[Breach] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches

    def as_dict(self, gettext: Callable[[str], str]) -> dict[str, object]:
        """The A3 JSON answer: ok, breaches, warnings."""
        return {
            "ok": self.ok,
            "breaches": [b.as_dict(gettext) for b in self.breaches],
            "warnings": [w.as_dict(gettext) for w in self.warnings],
        }


class _Collector:
    def __init__(self) -> None:
        self.breaches: list[Breach] = []
        self.warnings: list[Breach] = []

    def add(self, path: str, rule: str, message: Message | None) -> None:
        if message is not None:
            self.breaches.append(Breach(path, rule, message))

    def warn(self, path: str, rule: str, message: Message | None) -> None:
        if message is not None:
            self.warnings.append(Breach(path, rule, message))


def precheck(application: Application, tables: RuleTables, today: date) -> Findings:
    """All breaches of the static rules (A4), in document order, and the soft rules' warnings."""
    out = _Collector()
    subject = application.subject
    min_age = tables.min_age.get(subject.province, 18)
    local_mobiles = subject.province in tables.local_mobile_provinces

    out.add(
        "subject.certificate_type",
        "R-ID-6",
        rules.check_certificate_type_fits_kind(subject.kind, subject.certificate_type),
    )
    if subject.certificate_type == "uscc":
        out.add(
            "subject.certificate_number", "R-ID-4", rules.check_uscc(subject.certificate_number)
        )
        if rules.check_certificate_type_fits_kind(subject.kind, "uscc") is None:
            out.add(
                "subject.certificate_number",
                "R-ID-7",
                rules.check_uscc_authority(subject.certificate_number, subject.kind),
            )
    else:
        _check_identity(
            out, "subject.certificate_number", subject.certificate_type,
            subject.certificate_number, today, min_age,
        )  # fmt: skip
    if subject.kind in rules.UNIT_KINDS and subject.certificate_type == "uscc":
        out.add(
            "subject.province",
            "R-P-8",
            rules.check_uscc_province(subject.certificate_number, subject.province),
        )
    for key in ("certificate_address", "mailing_address"):
        out.add(
            f"subject.{key}",
            "R-P-12",
            rules.check_address_province(getattr(subject, key), subject.province),
        )
    out.add(
        "subject.mailing_address",
        "R-P-13",
        rules.check_house_number(subject.mailing_address, subject.remark),
    )
    out.add(
        "subject.investor",
        "R-P-14",
        rules.check_investor(subject.investor, subject.kind, subject.name),
    )
    out.warn(
        "subject.investor", "R-P-14", rules.warn_government_investor(subject.investor, subject.kind)
    )
    out.add("subject.icp_number", "R-ID-1", rules.check_icp_subject_number(subject.icp_number))
    out.add(
        "subject.icp_number",
        "R-ID-5",
        rules.check_icp_province(subject.icp_number, subject.province),
    )
    _check_person(
        out, "subject.responsible_person", subject.responsible_person, today, min_age,
        subject.province, local_mobiles,
    )  # fmt: skip

    seen_domains: set[str] = set()
    for index, website in enumerate(application.websites):
        _check_website(
            out, f"websites[{index}]", website, application, tables, today, min_age, seen_domains
        )
    return Findings(out.breaches, out.warnings)


def _check_identity(
    out: _Collector, path: str, id_type: str, number: str, today: date, min_age: int
) -> None:
    """R-ID-3 for the types with a checkable number, then R-P-6 on a number with a birth date."""
    if id_type not in rules.IDENTITY_CHECKS:
        return
    problem = rules.check_identity_number(id_type, number)
    out.add(path, "R-ID-3", problem)
    if problem is None:
        out.add(path, "R-P-6", rules.check_minimum_age(number, today, min_age))


def _check_person(
    out: _Collector,
    path: str,
    person: PersonData,
    today: date,
    min_age: int,
    province: str,
    local_mobiles: bool,
) -> None:
    _check_identity(out, f"{path}.id_number", person.id_type, person.id_number, today, min_age)
    out.add(
        f"{path}.id_valid_until", "R-P-9", rules.check_id_valid_until(person.id_valid_until, today)
    )
    numbers = [("mobile", person.mobile)]
    if person.emergency_mobile:  # optional (A2 v3): "" is not given
        numbers.append(("emergency_mobile", person.emergency_mobile))
    for key, number in numbers:
        out.add(f"{path}.{key}", "R-PH-1", rules.check_mobile(number))
        out.add(
            f"{path}.{key}", "R-PH-2", rules.check_local_mobile(number, province, local_mobiles)
        )
        out.warn(
            f"{path}.{key}",
            "R-PH-2",
            rules.warn_unknown_mobile_province(number, province, local_mobiles),
        )
    out.add(
        f"{path}.emergency_mobile",
        "R-P-3",
        rules.check_emergency_not_own(person.emergency_mobile, person.mobile),
    )
    out.add(f"{path}.email", "R-EM-1", rules.check_email(person.email))


def same_person(one: PersonData, other: PersonData) -> bool:
    """Two person records are one person when their identity documents match (else their names)."""
    if one.id_number or other.id_number:
        return (one.id_type, one.id_number.upper()) == (other.id_type, other.id_number.upper())
    return one.name.strip() == other.name.strip()


def _check_website(
    out: _Collector,
    path: str,
    website: WebsiteData,
    application: Application,
    tables: RuleTables,
    today: date,
    min_age: int,
    seen_domains: set[str],
) -> None:
    subject = application.subject
    out.add(
        f"{path}.icp_number",
        "R-ID-2",
        rules.check_icp_website_number(website.icp_number, subject.icp_number),
    )
    name = website.name
    national = rules.is_national_body(subject.certificate_type, subject.certificate_number)
    out.add(f"{path}.name", "R-N-1", rules.check_website_name_form(name))
    out.add(f"{path}.name", "R-N-2", rules.check_website_name_prefix(name, subject.kind, national))
    out.add(f"{path}.name", "R-N-3", rules.check_website_name_has_no_domain(name, website.domains))
    out.add(
        f"{path}.name", "R-N-4", rules.check_website_name_sensitive(name, tables.sensitive_words)
    )
    out.add(
        f"{path}.name",
        "R-N-7",
        rules.check_personal_website_name(name, subject.kind, tables.personal_words),
    )

    for j, domain in enumerate(website.domains):
        domain_path = f"{path}.domains[{j}]"
        form = rules.check_domain_form(domain)
        host = rules.domain_host(domain)
        if form is None and host in seen_domains:
            form = Message(N_("该域名在申请中重复填写"))
        out.add(domain_path, "R-D-5", form)
        if host:
            seen_domains.add(host)
        out.add(
            domain_path,
            "R-D-1",
            rules.check_domain_suffix(domain, tables.approved_suffixes, tables.never_suffixes),
        )
        out.add(domain_path, "R-D-4", rules.check_government_domain(domain, subject.kind))
        out.warn(domain_path, "R-D-4", rules.warn_institution_domain(domain, subject.kind))

    for j, address in enumerate(website.ips):
        out.add(f"{path}.ips[{j}]", "R-IP-1", rules.check_public_ip(address))
    out.add(
        f"{path}.service_types",
        "R-W-7",
        rules.check_choices(website.service_types, rules.SERVICE_TYPES),
    )
    out.add(
        f"{path}.content_types",
        "R-W-1",
        rules.check_content_types(website.content_types, subject.kind),
    )
    out.add(f"{path}.languages", "R-W-7", rules.check_choices(website.languages, rules.LANGUAGES))
    out.warn(f"{path}.languages", "R-W-8", rules.warn_many_languages(website.languages))
    for k, approval in enumerate(website.pre_approvals):
        out.add(
            f"{path}.pre_approvals[{k}].number",
            "R-W-2",
            rules.check_pre_approval_number(approval.number),
        )
    categories = [approval.category for approval in website.pre_approvals]
    for message in rules.warn_pre_approval_keywords(
        name, website.domains, categories, tables.pre_approval_keywords
    ):
        out.warn(f"{path}.pre_approvals", "R-W-3", message)

    person = website.responsible_person
    if person is not None:
        person_path = f"{path}.responsible_person"
        local_mobiles = subject.province in tables.local_mobile_provinces
        _check_person(out, person_path, person, today, min_age, subject.province, local_mobiles)
        theirs = subject.responsible_person
        same = same_person(person, theirs)
        mobile_shared = rules.check_contact_not_shared(person.mobile, theirs.mobile, same)
        out.add(f"{person_path}.mobile", "R-P-3", mobile_shared)
        mobile_problem, emergency_problem = rules.check_numbers_not_shared(
            (person.mobile, person.emergency_mobile), (theirs.mobile, theirs.emergency_mobile), same
        )
        if mobile_shared is None:  # one report per field
            out.add(f"{person_path}.mobile", "R-P-3", mobile_problem)
        if rules.check_emergency_not_own(person.emergency_mobile, person.mobile) is None:
            out.add(f"{person_path}.emergency_mobile", "R-P-3", emergency_problem)
        out.add(
            f"{person_path}.email",
            "R-P-3",
            rules.check_contact_not_shared(person.email, subject.responsible_person.email, same),
        )
