"""Use cases of the applicant's filing: start from a verified type, fill in, submit, withdraw.

Services take domain objects and an actor, flush but never commit (the view owns the transaction).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.filing import (
    authenticity,
    commitment,
    holdings,
    materials,
    mobiles,
    new_domains,
    service_codes,
    snapshots,
    stored_checks,
)  # fmt: skip
from domain.filing.filing_password import check_filing_password, remaining_tries
from domain.lifecycle import workflow
from domain.lifecycle.states import NEW_FILINGS, Action, FilingState, FilingType, OrderKind
from domain.policy import Policy
from domain.ports import DomainLookup, Registry, ServiceCodeSource
from domain.rulebook import rule_tables
from domain.rulebook.application import (
    REMARK_MAX,
    Application,
    PersonData,
    PreApproval,
    SubjectData,
    WebsiteData,
)
from domain.rulebook.filing_type import (
    ACCESS_TYPES,
    TypeVerdict,
    fold_host,
    held_website,
    normalise_certificate,
    open_order_id,
    refusal_message,
    registrable_domain,
    unicode_domain,
    verify_filing_type,
    website_refusal,
)
from domain.rulebook.precheck import Breach, Findings, precheck
from domain.rulebook.provinces import registered_in
from domain.rulebook.registry import LocalRegistry, to_ascii_domain
from domain.support.i18n import N_, Message
from extensions import db
from models import (
    AuditEvent,
    Filing,
    Person,
    ProviderIP,
    RegistrySubject,
    RegistryWebsite,
    Subject,
    User,
    Website,
    WebsiteDomain,
    WebsiteIP,
    utcnow,
)

MAX_WEBSITES = 20
# The subject's data as the MIIT record holds it (R-T-5: the applicant cannot change it here).
REGISTRY_SUBJECT_FIELDS = ("kind", "name", "certificate_type", "certificate_number", "province")


class FilingError(DomainError):
    """A use case refused."""


def is_editable(filing: Filing) -> bool:
    """Whether the applicant may change the filing's data now (draft or returned for changes): an
    access filing or a new filing (A8). An order on records held here (A7) is not edited in the
    wizard."""
    return filing.kind in WIZARD_KINDS and workflow.applicant_may_edit(filing.state)


# The orders the wizard opens and edits: an access filing and the two new filings (A8).
WIZARD_KINDS = frozenset({OrderKind.access, *NEW_FILINGS})


def new_order_kind(verdict: TypeVerdict) -> OrderKind | None:
    """The new filing (A8) a filing-type answer sends the applicant to, or None."""
    return (
        {
            FilingType.first_filing: OrderKind.first_filing,
            FilingType.new_website: OrderKind.new_website,
        }.get(verdict.type)
        if verdict.type is not None
        else None
    )


# The refusals that find the domain filed: whatever else, the applicant came for an access filing.
_DOMAIN_FILED = frozenset({"domain_filed_elsewhere", "domain_subject_mismatch"})


def refused_kind(verdict: TypeVerdict) -> OrderKind:
    """The order a refused filing-type answer would have opened, as the applicant attempted it:
    an access filing for a filed domain, a 新增网站 for a filed subject's new domain, else a
    首次备案."""
    if verdict.website_number or verdict.refusal in _DOMAIN_FILED:
        return OrderKind.access
    return OrderKind.new_website if verdict.subject_number else OrderKind.first_filing


def blocking_order(
    account: User, certificate_type: str, certificate_number: str, verdict: TypeVerdict
) -> tuple[int | None, Filing | None]:
    """For an open_order_exists refusal: the open order's id, and the order itself when it is
    the account's own (another account's order is not shown to this one)."""
    if verdict.refusal != "open_order_exists":
        return None, None
    found = open_order_id(certificate_type, certificate_number, verdict.subject_number)
    order = db.session.get(Filing, found) if found is not None else None
    return found, order if order is not None and order.account_id == account.id else None


def order_reason(filing: Filing) -> Message | None:
    """Which new filing (A8) the applicant is in, and why, in their words (None: not a new one)."""
    # the polled status panel asks this of every order: the domain is decoded only where named
    if filing.kind is OrderKind.first_filing:
        return Message(
            N_("首次备案：证件 %(cert)s 在工信部备案信息中没有主体，域名 %(domain)s 也未备案，因此本次为主体和网站申请新的备案号，所有信息均须填写。"),
            {"cert": filing.verified_certificate_number, "domain": unicode_domain(filing.verified_domain)},
        )  # fmt: skip
    if filing.kind is OrderKind.new_website:
        return Message(
            N_("新增网站：主体已在工信部备案（%(number)s），域名 %(domain)s 尚未备案，因此本次为新网站申请网站备案号；主体信息以备案信息为准，不可修改。"),
            {"number": filing.registry_subject_number or filing.subject.icp_number,
             "domain": unicode_domain(filing.verified_domain)},
        )  # fmt: skip
    return None


# The orders whose subject step types the subject itself (A8: a 首次备案).
NEW_FILINGS_TYPED = frozenset({OrderKind.first_filing})


def needs_password(filing: Filing) -> bool:
    """Whether the filing's subject proves itself with its MIIT filing password: every subject on
    the registry (access, 新增网站), except one the filing's own account holds here; a 首次备案's
    subject has none yet."""
    return filing.kind is not OrderKind.first_filing and not held_by_its_account(filing)


def held_by_its_account(filing: Filing) -> bool:
    """Whether the filing's account holds its subject here (an approved order of its own, a claim
    or a binding: A7). Such a subject has proved itself to this provider already, and a subject
    first filed here has no filing password in the registry copy until the next import of the
    bureau's export (docs/decisions.md)."""
    number = filing.registry_subject_number
    return bool(number) and filing.account_id in holdings.holders(number)


def _password_proved_by_holding(filing: Filing) -> None:
    """A new draft of a subject its account holds here needs no password step: marked proved."""
    if filing.kind is not OrderKind.first_filing and held_by_its_account(filing):
        filing.password_verified_at = utcnow()


def lock(filing: Filing) -> None:
    """Hold the filing's row until the transaction ends (PostgreSQL: FOR UPDATE; SQLite takes one
    writer at a time anyway) and read its state again: an edit and a submission of one filing then
    happen one after the other, never interleaved."""
    db.session.flush()
    db.session.execute(select(Filing.id).where(Filing.id == filing.id).with_for_update())
    db.session.refresh(filing, ["state", "version"])  # as the transaction before left them


def lock_editable(filing: Filing) -> None:
    """Lock the filing (see lock()) and check that it may still be edited.

    :raises FilingError: it may not be edited now (e.g. submitted a moment ago).
    """
    lock(filing)
    if not is_editable(filing):
        raise FilingError(Message(N_("当前状态下不能修改备案信息")))


def of_account(account: User) -> list[Filing]:
    """The account's filings, newest first."""
    newest_first = select(Filing).where(Filing.account_id == account.id).order_by(Filing.id.desc())
    return list(db.session.scalars(newest_first))


# --- step 1: the filing type ----------------------------------------------------------------


def start_filing(
    account: User, certificate_type: str, certificate_number: str, domain: str,
    provider_code: str, today: date, registry: Registry | None = None,
    lookup: DomainLookup | None = None,
) -> tuple[Filing | None, TypeVerdict]:  # fmt: skip
    """Verify the type (A5) and, when it is an access type, open a draft pre-filled from the
    registry (a 首次备案 or 新增网站 answer opens nothing here: its order starts elsewhere).

    A second start for the same subject by the same account returns the open draft (a double
    click or a return visit files nothing twice).

    :raises LookupInputError: what was typed cannot be looked up (A5 bad input).
    """
    verdict = verify_filing_type(
        certificate_type, certificate_number, domain, provider_code, today, account=account,
        registry=registry, lookup=lookup,
    )  # fmt: skip
    kind = new_order_kind(verdict)
    if kind is not None:
        return start_new_filing(
            account, kind, certificate_type, certificate_number, verdict
        ), verdict
    if verdict.type not in ACCESS_TYPES:
        return None, verdict
    existing = db.session.scalar(
        select(Filing).where(
            Filing.account_id == account.id,
            Filing.registry_subject_number == verdict.subject_number,
            Filing.state == FilingState.draft,
        )
    )
    if existing is not None:
        return existing, verdict
    record = db.session.scalars(
        select(RegistrySubject).where(RegistrySubject.subject_number == verdict.subject_number)
    ).one()  # the verdict found both on the record
    website = db.session.scalars(
        select(RegistryWebsite).where(RegistryWebsite.website_number == verdict.website_number)
    ).one()
    filing = Filing(
        account_id=account.id,
        filing_type=verdict.type,
        province=record.province,
        registry_subject_number=record.subject_number,
        verified_certificate_type=certificate_type,
        verified_certificate_number=record.certificate_number,
        verified_domain=to_ascii_domain(verdict.domain),  # the registrable domain looked up
        subject=Subject(
            **{name: getattr(record, name) for name in REGISTRY_SUBJECT_FIELDS},
            icp_number=record.subject_number,
            responsible_person=Person(email=account.email),
        ),
        websites=[website_from_registry(website, 0)],
    )
    _carry_over_subject(filing, account)
    db.session.add(filing)
    db.session.flush()
    _password_proved_by_holding(filing)
    audit.record("draft_created", account, filing=filing, data={"type": verdict.type.value})
    db.session.flush()
    return filing, verdict


def start_new_filing(
    account: User, kind: OrderKind, certificate_type: str, certificate_number: str,
    verdict: TypeVerdict,
) -> Filing:  # fmt: skip
    """Open the draft of a new filing (A8) for the domain looked up: a 首次备案 with the subject
    typed from the certificate on, a 新增网站 with the subject from the registry (locked as for an
    access filing); one website carrying the domain, typed from its name on. A second start of
    the same by the same account returns the open draft."""
    number = normalise_certificate(certificate_number)
    domain = to_ascii_domain(verdict.domain)
    existing = db.session.scalar(
        select(Filing).where(
            Filing.account_id == account.id,
            Filing.kind == kind,
            Filing.verified_certificate_type == certificate_type,
            Filing.verified_certificate_number == number,
            Filing.state == FilingState.draft,
        )
    )
    if existing is not None:
        return existing
    if kind is OrderKind.new_website:
        record = db.session.scalars(
            select(RegistrySubject).where(RegistrySubject.subject_number == verdict.subject_number)
        ).one()  # the verdict found it on the record
        subject = Subject(
            **{name: getattr(record, name) for name in REGISTRY_SUBJECT_FIELDS},
            icp_number=record.subject_number,
            responsible_person=Person(email=account.email),
        )
        subject_number, province = record.subject_number, record.province
    else:
        province = registered_in(
            certificate_type, number
        )  # preselected: the applicant may change it
        subject = Subject(
            kind="enterprise" if certificate_type == "uscc" else "individual",
            certificate_type=certificate_type, certificate_number=number, icp_number="",
            province=province, responsible_person=Person(email=account.email),
        )  # fmt: skip
        subject_number = ""
    filing = Filing(
        account_id=account.id,
        kind=kind,
        province=province,
        registry_subject_number=subject_number,
        verified_certificate_type=certificate_type,
        verified_certificate_number=number,
        verified_domain=domain,
        subject=subject,
        websites=[new_website_block(domain, 0)],
    )
    if kind is OrderKind.new_website:
        _carry_over_subject(filing, account)
    db.session.add(filing)
    db.session.flush()
    _password_proved_by_holding(filing)
    audit.record("draft_created", account, filing=filing, data={"type": kind.value})
    db.session.flush()
    return filing


def new_website_block(ascii_domain: str, position: int) -> Website:
    """A website typed by the applicant (A8), carrying one new domain."""
    return Website(
        position=position, name="", icp_number="", service_types=["website"],
        languages=["zh-Hans"], domains=[WebsiteDomain(domain=ascii_domain)],
    )  # fmt: skip


def _carry_over_subject(filing: Filing, account: User) -> None:
    """A 继续接入 by the account that holds the subject here starts from what it filed last time
    (addresses, remark, the responsible person): the applicant checks it rather than types it."""
    previous = db.session.scalar(
        select(Filing)
        .where(
            Filing.account_id == account.id,
            Filing.registry_subject_number == filing.registry_subject_number,
            Filing.state == FilingState.approved,
        )
        .order_by(Filing.approved_at.desc())
        .limit(1)
    )
    if previous is None:
        return
    for key in SUBJECT_FIELDS:
        setattr(filing.subject, key, getattr(previous.subject, key))
    person = previous.subject.responsible_person
    if person is not None:
        filing.subject.responsible_person = Person(
            **{key: getattr(person, key) for key in PERSON_FIELDS}
        )


def website_from_registry(record: RegistryWebsite, position: int) -> Website:
    """A website block carrying the record's number, name and all its domains (R-T-3, R-T-4)."""
    return Website(
        position=position,
        name=record.name,
        icp_number=record.website_number,
        service_types=["website"],
        languages=["zh-Hans"],
        domains=[WebsiteDomain(domain=d.domain) for d in record.domains],
    )


# --- step 2: product verification -----------------------------------------------------------


def account_ips(account: User) -> list[str]:
    """This provider's public IPs assigned to the account."""
    return list(
        db.session.scalars(
            select(ProviderIP.address)
            .where(ProviderIP.account_id == account.id)
            .order_by(ProviderIP.id)
        )
    )


def set_product_ips(filing: Filing, account: User, addresses: list[str]) -> None:
    """Product verification: the filing's sites run on these IPs, which must be the account's.

    :raises FilingError: no IP chosen, or one that is not this provider's IP on the account.
    """
    lock_editable(filing)
    mine = set(account_ips(account))
    chosen = [a for a in dict.fromkeys(addresses or []) if a]
    if not chosen:
        raise FilingError(Message(N_("请至少选择一个本服务商的公网 IP")), "ips")
    foreign = [a for a in chosen if a not in mine]
    if foreign:
        raise FilingError(
            Message(
                N_("IP %(ip)s 不是本账号名下的本服务商 IP，不能用于接入备案"), {"ip": foreign[0]}
            ),
            "ips",
        )
    filing.product_ips = chosen
    for website in filing.websites:
        kept = [ip for ip in website.ips if ip.address in chosen]
        if len(kept) != len(website.ips):
            website.ips = kept
        if not website.ips:
            website.ips = [WebsiteIP(address=chosen[0])]
    audit.record("product_verified", account, filing=filing, data={"ips": chosen})
    db.session.flush()


def verify_product(
    filing: Filing, account: User, pool_ips: list[str], codes: Mapping[int, str], policy: Policy,
    today: date, source: ServiceCodeSource,
) -> dict[str, Message]:  # fmt: skip
    """The product step as PRODUCT_VERIFICATION allows it (DOMAIN.md A10): IPs of the account's
    pool, and/or a service code per website (by website id; "" keeps the website's code). Each
    code that verifies puts its IPs on its website; the product IPs become the pool IPs chosen and
    the codes' IPs. Returns the refusals by form field (empty: the step is done). Flushes.
    """
    lock_editable(filing)
    errors: dict[str, Message] = {}
    chosen = (
        [a for a in dict.fromkeys(pool_ips or []) if a]
        if service_codes.accepts_pool(policy)
        else []
    )
    mine = set(account_ips(account))
    foreign = [a for a in chosen if a not in mine]
    if foreign:
        errors["ips"] = Message(
            N_("IP %(ip)s 不是本账号名下的本服务商 IP，不能用于接入备案"), {"ip": foreign[0]}
        )
        chosen = [a for a in chosen if a in mine]
    if service_codes.accepts_codes(policy):
        for website in filing.websites:
            typed = (codes.get(website.id) or "").strip()
            if not typed:
                continue
            try:
                service_codes.use(filing, website, typed, account, today, source)
            except service_codes.ServiceCodeError as exc:
                errors[exc.field or f"service_code-{website.id}"] = exc.message
    by_website = service_codes.codes_of(filing)
    for website in filing.websites:
        if website.id in by_website or chosen:
            continue
        key = f"service_code-{website.id}"
        if service_codes.mode(policy) == "ip_pool":
            errors.setdefault("ips", Message(N_("请至少选择一个本服务商的公网 IP")))
        elif service_codes.mode(policy) == "service_code":
            errors.setdefault(key, Message(N_("请为网站“%(website)s”填写备案服务码"),
                                           {"website": website.name}))  # fmt: skip
        else:
            errors.setdefault(key, Message(
                N_("请为网站“%(website)s”填写备案服务码，或选择本服务商的公网 IP"),
                {"website": website.name}))  # fmt: skip
    code_ips = [a for row in by_website.values() for a in row.ips]
    filing.product_ips = list(dict.fromkeys([*chosen, *code_ips]))
    for website in filing.websites:
        code = by_website.get(website.id)
        if code is not None:
            _set_ips(website, list(code.ips))
            continue
        kept = [ip.address for ip in website.ips if ip.address in chosen]
        _set_ips(website, kept or chosen[:1])
    if not errors:
        audit.record("product_verified", account, filing=filing,
                     data={"ips": chosen, "codes": sorted(r.id for r in by_website.values())})  # fmt: skip
    db.session.flush()
    return errors


# --- step 3: the MIIT filing password -------------------------------------------------------


def verify_password(filing: Filing, account: User, password: str, registry: Registry) -> bool:
    """Check the subject's MIIT filing password with `registry` (the runtime's); remember success
    on the filing.

    :raises TooManyPasswordFailures: 5 wrong tries by this account for this subject within an
        hour, or the subject's cap over all accounts.
    """
    lock_editable(filing)
    if not check_filing_password(
        _registry_subject(filing), password, account=account, registry=registry
    ):
        return False
    filing.password_verified_at = utcnow()
    audit.record("password_verified", account, filing=filing)
    db.session.flush()
    return True


def password_tries_left(filing: Filing) -> int:
    """How many wrong filing passwords the filing's account may still enter this hour."""
    return remaining_tries(_registry_subject(filing), filing.account)


def _registry_subject(filing: Filing) -> RegistrySubject:
    """The subject's MIIT record (a draft is opened only from one)."""
    number = filing.registry_subject_number
    return db.session.scalars(
        select(RegistrySubject).where(RegistrySubject.subject_number == number)
    ).one()


# --- steps 4 and 5: subject and websites ----------------------------------------------------

SUBJECT_FIELDS = ("certificate_address", "mailing_address", "remark")
PERSON_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "mobile",
    "email",
    "emergency_mobile",
    "id_valid_until",
)
# What a 首次备案's applicant types besides (A8: nothing comes from the registry, nothing is locked).
TYPED_SUBJECT_FIELDS = (*REGISTRY_SUBJECT_FIELDS, "investor")


def subject_fields(filing: Filing) -> tuple[str, ...]:
    """The subject's fields the applicant edits in this filing."""
    if filing.kind is OrderKind.first_filing:
        return (*TYPED_SUBJECT_FIELDS, *SUBJECT_FIELDS)
    return SUBJECT_FIELDS


def update_subject(filing: Filing, values: dict[str, str]) -> None:
    """Store the editable subject fields (R-T-5: the registry's subject data stays as it is; a
    首次备案 types all of it, A8)."""
    lock_editable(filing)
    subject = filing.subject
    for key in subject_fields(filing):
        if key in values:
            value = (values[key] or "").strip()
            if key == "certificate_number":
                value = normalise_certificate(value)
            setattr(subject, key, _fit(Subject, key, value))
    if filing.kind is OrderKind.first_filing:
        filing.province = subject.province
    person = subject.responsible_person or Person()
    subject.responsible_person = person
    for key in PERSON_FIELDS:
        if f"person_{key}" in values:
            setattr(person, key, _clean(key, values[f"person_{key}"]))
    db.session.flush()


def check_subject(filing: Filing, values: Mapping[str, str | None], today: date) -> Findings:
    """The pre-check's findings on the subject's editable fields as they would be with `values`
    (the subject step's form, saved or not): R-P-12, R-P-13, R-PH-2 and the person's rules."""
    application = to_application(filing)
    subject = application.subject
    edited = {
        key: (values[key] or "").strip()
        for key in subject_fields(filing)
        if key in values and key in SUBJECT_DATA_FIELDS
    }
    person = {
        key: _clean(key, values[f"person_{key}"])
        for key in PERSON_FIELDS
        if f"person_{key}" in values
    }
    application.subject = replace(
        subject, **edited, responsible_person=replace(subject.responsible_person, **person)
    )
    findings = precheck(application, rule_tables.load(), today)

    def mine(breaches: list[Breach]) -> list[Breach]:
        return [
            b for b in breaches
            if b.field.startswith("subject.") and not locked_field(filing, b.field)
            and not unnumbered(filing, b)
        ]  # fmt: skip

    return Findings(mine(findings.breaches), mine(findings.warnings))


def _set_ips(website: Website, addresses: list[str]) -> None:
    """Keep the rows of addresses that stay (a unique (website, address) row is never re-inserted)."""
    current = {ip.address: ip for ip in website.ips}
    website.ips = [current.get(a) or WebsiteIP(address=a) for a in addresses]


def typed_domains(text: str) -> list[str]:
    """The domains typed in a new website's domain field (one per line, or separated by spaces or
    commas), as stored: the ASCII form where it is a host name, else as typed (the pre-check then
    says what is wrong with it, R-D-5)."""
    found = []
    for part in re.split(r"[\s,，;；]+", text or ""):
        host = fold_host(part)
        if not host:
            continue
        try:
            host = to_ascii_domain(host)
        except ValueError:
            pass
        if host not in found:
            found.append(host[:253])
    return found


def _set_domains(website: Website, domains: list[str]) -> None:
    """Keep the rows of domains that stay (a unique (website, domain) row is never re-inserted)."""
    current = {d.domain: d for d in website.domains}
    website.domains = [current.get(d) or WebsiteDomain(domain=d) for d in domains]


def _clean(key: str, value: str | None) -> str:
    value = (value or "").strip()
    return _fit(Person, key, value.upper() if key == "id_number" else value)


def _fit(model: type[Subject] | type[Person], key: str, value: str) -> str:
    """A draft value cut to its column's length: a draft is kept as typed where it fits, and an
    over-long value is the form's error to show, never a database error."""
    length = getattr(model.__table__.c[key].type, "length", None)
    return value[:length] if length else value


def update_website(filing: Filing, website: Website, values: Mapping[str, Any]) -> None:
    """Store one website block's editable fields (its remark included); the registry's number,
    name and domains stay (a new filing's website, A8, types its name and domains too)."""
    lock_editable(filing)
    if filing.kind in NEW_FILINGS:
        if "name" in values:
            website.name = (values.get("name") or "").strip()[:128]
        if "domains" in values:
            _set_domains(website, typed_domains(values.get("domains") or ""))
    _set_ips(website, [a for a in dict.fromkeys(values.get("ips") or []) if a])
    website.service_types = list(dict.fromkeys(values.get("service_types") or []))
    website.languages = list(dict.fromkeys(values.get("languages") or []))
    if "content_types" in values:  # None: not chosen yet (an API draft may leave it open)
        chosen = values["content_types"]
        website.content_types = None if chosen is None else list(dict.fromkeys(chosen))
    website.pre_approvals = pre_approvals_of(values.get("pre_approvals") or [])
    if "remark" in values:  # 备注: optional; over-long is the form's error
        website.remark = (values.get("remark") or "").strip()[:REMARK_MAX]  # as the subject's
    if values.get("person_mode") == "other":
        person = website.responsible_person or Person()
        for key in PERSON_FIELDS:
            setattr(person, key, _clean(key, values.get(f"person_{key}")))
        website.responsible_person = person
    else:
        website.responsible_person = None
    db.session.flush()


def pre_approvals_of(rows: list[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The pre-approvals of a website form's rows (前置审批, several per website): each row with
    a category, the first of a category kept, the number trimmed."""
    kept: dict[str, dict[str, str]] = {}
    for row in rows:
        category = (row.get("category") or "").strip()
        if category and category not in kept:
            kept[category] = {"category": category, "number": (row.get("number") or "").strip()}
    return list(kept.values())


def add_website(
    filing: Filing, domain: str, provider_code: str, today: date, registry: Registry | None = None
) -> Website:
    """Add another website of the same subject by one of its domains (with all of its domains).

    :raises FilingError: not a domain, not filed, another subject's, already in this filing, or
        refused by A5 rows 4-6 (already accessed here, change in progress, expired domain).
    """
    lock_editable(filing)
    if len(filing.websites) >= MAX_WEBSITES:
        raise FilingError(
            Message(N_("一次最多接入 %(n)s 个网站"), {"n": MAX_WEBSITES}), "new_domain"
        )
    if filing.kind in NEW_FILINGS:
        return _add_new_website(filing, domain, registry)
    folded = registrable_domain(
        domain
    )  # as the type step reads it (A5): blog.qhnote.cn -> qhnote.cn
    if isinstance(folded, Message):
        raise FilingError(folded, "new_domain")
    try:
        record = (registry or LocalRegistry()).website_by_domain(folded)
    except ValueError:
        raise FilingError(Message(N_("域名格式不正确")), "new_domain") from None
    if record is None:
        raise FilingError(refusal_message("new_website_required"), "new_domain")
    if record.subject.subject_number != filing.registry_subject_number:
        raise FilingError(refusal_message("domain_subject_mismatch"), "new_domain")
    if any(w.icp_number == record.website_number for w in filing.websites):
        raise FilingError(Message(N_("该网站已在本次备案中")), "new_domain")
    refusal = website_refusal(record, provider_code, today)
    if held_website([d.domain for d in record.domains]) is not None:
        refusal = ("already_accessed", {})  # this app's own records, whatever the registry says
    if refusal is not None:
        raise FilingError(refusal_message(*refusal), "new_domain")
    website = website_from_registry(record, max(w.position for w in filing.websites) + 1)
    website.ips = [WebsiteIP(address=a) for a in filing.product_ips[:1]]
    filing.websites.append(website)
    db.session.flush()
    return website


def _add_new_website(filing: Filing, typed: str, registry: Registry | None) -> Website:
    """继续添加网站 in a new filing (A8): a website typed from its name on, carrying a domain that is
    on no registry website and in no website of the filing."""
    domain = registrable_domain(typed)
    if isinstance(domain, Message):
        raise FilingError(domain, "new_domain")
    in_filing = {d.domain for w in filing.websites for d in w.domains}
    if domain in in_filing:
        raise FilingError(Message(N_("该域名已在本次备案中")), "new_domain")
    problem = filed_domain_problem(filing, domain, registry)
    if problem is not None:
        raise FilingError(problem, "new_domain")
    website = new_website_block(domain, max(w.position for w in filing.websites) + 1)
    website.ips = [WebsiteIP(address=a) for a in filing.product_ips[:1]]
    filing.websites.append(website)
    db.session.flush()
    return website


def filed_domain_problem(
    filing: Filing, ascii_domain: str, registry: Registry | None = None
) -> Message | None:
    """Why a new website of a new filing (A8) cannot carry the domain, naming the order that fits:
    it is filed already (for this subject: an access filing; for another: that subject's), or a
    website held here carries it; None when it is on no registry website."""
    shown = unicode_domain(ascii_domain)
    record = (registry or LocalRegistry()).website_by_domain(ascii_domain)
    if record is not None:
        ours = bool(filing.registry_subject_number) and (
            record.subject.subject_number == filing.registry_subject_number
        )
        if ours:
            return Message(
                N_("域名 %(domain)s 已在本主体的网站“%(website)s”中备案，请为该网站办理接入备案，不能作为新网站备案。"),
                {"domain": shown, "website": record.name},
            )  # fmt: skip
        return Message(
            N_("域名 %(domain)s 已在其他主体名下备案，不能作为新网站备案；如域名已转让，请先由原主体注销或变更该网站。"),
            {"domain": shown},
        )  # fmt: skip
    if held_website([ascii_domain], filing.id) is not None:
        return Message(N_("域名 %(domain)s 已在本服务商接入，不能重复备案。"), {"domain": shown})
    return None


def remove_website(filing: Filing, website_id: int) -> None:
    """Take a website block out of the filing (at least one stays).

    :raises FilingError: it is the last one.
    """
    lock_editable(filing)
    if len(filing.websites) <= 1:
        raise FilingError(Message(N_("至少保留一个网站")))
    for website in list(filing.websites):
        if website.id == website_id:
            filing.websites.remove(website)
    db.session.flush()


# --- the whole filing as an A2 application, and submission ----------------------------------


def _person_data(person: Person | None) -> PersonData:
    person = person or Person()
    return PersonData(
        name=person.name or "", id_type=person.id_type or "resident_id",
        id_number=person.id_number or "", mobile=person.mobile or "", email=person.email or "",
        emergency_mobile=person.emergency_mobile or "", id_valid_until=person.id_valid_until or "",
    )  # fmt: skip


# The subject fields the A2 document carries.
SUBJECT_DATA_FIELDS = frozenset(f.name for f in fields(SubjectData))


def to_application(filing: Filing) -> Application:
    """The filing as the A2 document the pre-check reads (domains in their Unicode form)."""
    subject = filing.subject
    return Application(
        subject=SubjectData(
            **{
                name: getattr(subject, name) for name in (*REGISTRY_SUBJECT_FIELDS, *SUBJECT_FIELDS)
            },
            icp_number=subject.icp_number,
            responsible_person=_person_data(subject.responsible_person),
            investor=subject.investor or "",
        ),
        websites=[
            WebsiteData(
                name=w.name,
                icp_number=w.icp_number,
                domains=[unicode_domain(d.domain) for d in w.domains],
                ips=[ip.address for ip in w.ips],
                service_types=list(w.service_types or []),
                content_types=None if w.content_types is None else list(w.content_types),
                languages=list(w.languages or []),
                pre_approvals=[
                    PreApproval(p["category"], p.get("number")) for p in w.pre_approvals or []
                ],
                responsible_person=_person_data(w.responsible_person)
                if w.responsible_person
                else None,
            )
            for w in filing.websites
        ],
    )


def completed_steps(filing: Filing) -> dict[str, bool]:
    """Which wizard steps are done, for the step bar (the confirm step never is): a step is done
    when it is filled in and every step before it is done, so no tick runs ahead of the order."""
    person = filing.subject.responsible_person
    filled = {
        "type": True,
        "product": bool(filing.product_ips),
        "password": filing.password_verified_at is not None or not needs_password(filing),
        "subject": bool(
            filing.subject.certificate_address
            and person
            and person.name
            and person.mobile
            and filing.subject.name
            and filing.province
        ),
        "websites": all(
            w.ips and w.service_types and w.content_types is not None and w.name and w.domains
            for w in filing.websites
        ),
        "confirm": False,
    }
    done, so_far = {}, True
    for step, ok in filled.items():
        so_far = so_far and ok
        done[step] = so_far
    return done


MISSING = {
    "product": (N_("请先完成产品验证（选择本服务商的公网 IP）"), "product_ips"),
    "password": (N_("请先验证工信部备案密码"), "password"),
    "address": (N_("请填写主体证件住所"), "subject.certificate_address"),
    "mailing": (N_("请填写主体通信地址"), "subject.mailing_address"),
    "person": (N_("请填写主体负责人姓名"), "subject.responsible_person.name"),
}


# Fields the MIIT record holds (R-T-5): shown, never posted, so the applicant cannot change them.
REGISTRY_FIELD_RE = re.compile(
    r"subject\.(kind|name|certificate_type|certificate_number|province|icp_number)"
    r"|websites\[\d+\]\.(name|icp_number|domains(\[\d+\])?)"
)


def locked_field(filing: Filing, field: str) -> bool:
    """Whether a field (an A2 path) comes from the MIIT record, so the applicant cannot change it:
    every registry field of an access filing; a 新增网站's subject (its websites are typed); nothing
    of a 首次备案 (A8)."""
    if filing.kind is OrderKind.first_filing or not REGISTRY_FIELD_RE.fullmatch(field):
        return False
    return filing.kind is not OrderKind.new_website or field.startswith("subject.")


# The rules on ICP numbers, which a new filing (A8) does not have until the bureau approves it.
NUMBER_RULES = frozenset({"R-ID-1", "R-ID-2", "R-ID-5"})


def unnumbered(filing: Filing, breach: Breach) -> bool:
    """A breach of a number rule by a number a new filing has not got yet (A2 v3: "" is "not filed
    yet"; the rules of version 3 no longer judge it)."""
    return (
        filing.kind in NEW_FILINGS
        and breach.rule in NUMBER_RULES
        and breach.field.endswith("icp_number")
    )


def submission_problems(
    filing: Filing, today: date, provider_code: str, registry: Registry | None = None,
    lookup: DomainLookup | None = None, policy: Policy | None = None, stored: bool = True,
) -> Findings:  # fmt: skip
    """Everything that stops submission: missing steps (rule "missing" or "product") first, then
    what the registry and the IP pool say now (A6 v2: re-checked on every entry into submitted),
    what the domain lookup says of each new domain (A5 v3: R-D-2, R-D-3), then the pre-check's
    breaches, then (`stored`) the checks that need stored data (A5 v3: R-P-4, R-S-5; the review
    screen shows these apart). A rule broken by a field the MIIT record holds is a warning for the
    reviewer (the applicant could not fix it), like the soft rules' warnings. With the `policy`:
    service codes as PRODUCT_VERIFICATION asks, and R-PH-3 where VERIFY_MOBILES is on."""
    problems = []
    subject = filing.subject
    person = subject.responsible_person
    checks = {
        "product": bool(filing.product_ips),
        "password": filing.password_verified_at is not None or not needs_password(filing),
        "address": bool(subject.certificate_address),
        "mailing": bool(subject.mailing_address),
        "person": bool(person and person.name),
    }
    for key, ok in checks.items():
        if not ok:
            text, field = MISSING[key]
            problems.append(Breach(field, "missing", Message(text)))
    by_website = service_codes.codes_of(filing) if filing.id is not None else {}
    pool = pool_ips(filing, by_website)
    for website_index, website in enumerate(filing.websites):
        if website.content_types is None:  # the web form always asks for it (A2 v2)
            problems.append(
                Breach(f"websites[{website_index}].content_types", "missing",
                       Message(N_("请选择网站服务内容")))
            )  # fmt: skip
        code = by_website.get(website.id)
        allowed = set(code.ips) if code is not None else pool
        for ip in website.ips:
            if ip.address not in allowed:
                problems.append(
                    Breach(f"websites[{website_index}].ips", "product",
                           Message(N_("网站 IP 须为产品验证中选择的 IP")
                                   if code is None else N_("网站 IP 须为其备案服务码对应的 IP")))
                )  # fmt: skip
                break
        if code is None and service_codes.mode(policy) == "service_code":
            problems.append(
                Breach("product_ips", "product",
                       Message(N_("请为网站“%(website)s”填写备案服务码"), {"website": website.name}))
            )  # fmt: skip
    problems.extend(product_ip_problems(filing))
    problems.extend(mobiles.problems(filing, policy))
    problems.extend(registry_problems(filing, provider_code, today, registry))
    domains = new_domains.domain_problems(filing, today, registry, lookup)
    problems.extend(domains.breaches)
    findings = precheck(to_application(filing), rule_tables.load(), today)
    warnings = [*domains.warnings, *findings.warnings]
    for breach in findings.breaches:
        if unnumbered(filing, breach):
            continue
        if locked_field(filing, breach.field):
            warnings.append(replace(breach, from_registry=True))
        else:
            problems.append(breach)
    if stored:
        found = stored_checks.check(filing, registry)
        problems.extend(found.breaches)
        warnings.extend(found.warnings)
    return Findings(problems, warnings)


# A5 rows 3-6 for one website, naming it (the A5 texts speak of the one domain typed at the start).
WEBSITE_REFUSALS = {
    "not_on_record": N_("网站“%(website)s”在工信部备案信息中未找到，不能接入"),
    "domain_subject_mismatch": N_("网站“%(website)s”在工信部备案信息中不属于本主体"),
    "already_accessed": N_("网站“%(website)s”已在本服务商接入，不能重复接入"),
    "change_in_progress": N_("网站“%(website)s”正在办理变更备案，请变更完成后再提交"),
    "domain_expired": N_("网站“%(website)s”的域名 %(domain)s 已过期，请续费后再提交"),
}


def registry_problems(
    filing: Filing, provider_code: str, today: date, registry: Registry | None = None
) -> list[Breach]:
    """Each website of the filing against the registry as it stands now (A5 rows 3-6); each domain
    of a new filing's website (A8): on no registry website, held here by no website."""
    registry = registry or LocalRegistry()
    problems = []
    if filing.kind in NEW_FILINGS:
        for index, website in enumerate(filing.websites):
            if not website.domains:
                problems.append(
                    Breach(f"websites[{index}].domains", "missing", Message(N_("请填写网站域名")))
                )
            for j, domain in enumerate(website.domains):
                problem = filed_domain_problem(filing, domain.domain, registry)
                if problem is not None:
                    problems.append(Breach(f"websites[{index}].domains[{j}]", "R-D-8", problem))
        return problems
    for index, website in enumerate(filing.websites):
        record = registry.website_by_number(website.icp_number) if website.icp_number else None
        if record is None:
            refusal: tuple[str, dict[str, str]] | None = ("not_on_record", {})
        elif record.subject.subject_number != filing.registry_subject_number:
            refusal = ("domain_subject_mismatch", {})
        else:
            refusal = website_refusal(record, provider_code, today)
        domains = [d.domain for d in website.domains]
        if filing.kind is OrderKind.access and held_website(domains, filing.id) is not None:
            refusal = ("already_accessed", {})  # this app's own records, whatever the registry says
        if refusal is not None:
            code, params = refusal
            message = Message(WEBSITE_REFUSALS[code], {"website": website.name, **params})
            problems.append(Breach(f"websites[{index}]", code, message))
    return problems


def pool_ips(filing: Filing, by_website: Mapping[int, Any] | None = None) -> set[str]:
    """The product IPs a website without a service code may use: those not brought by a code of
    another website (unless the account also holds them in the pool)."""
    if by_website is None:
        by_website = service_codes.codes_of(filing) if filing.id is not None else {}
    from_codes = {a for row in by_website.values() for a in row.ips}
    mine = set(account_ips(filing.account)) if from_codes else set()
    return {a for a in filing.product_ips if a not in from_codes or a in mine}


def product_ip_problems(filing: Filing) -> list[Breach]:
    """Each product IP against the account's IPs now (one may have been reassigned since); the
    IPs of a service code the order uses count as the account's while the code is not revoked."""
    mine = set(account_ips(filing.account))
    if filing.id is not None:
        mine |= service_codes.code_ips(filing)
    problems = [
        Breach("product_ips", "product",
               Message(N_("IP %(ip)s 已不在本账号名下，请重新完成产品验证"), {"ip": address}))
        for address in filing.product_ips
        if address not in mine
    ]  # fmt: skip
    if filing.id is not None:
        for row in service_codes.codes_of(filing).values():
            if row.revoked_at is not None:
                problems.append(Breach("product_ips", "product", Message(
                    N_("备案服务码（尾号 %(hint)s）已被吊销，请重新完成产品验证"), {"hint": row.hint})))  # fmt: skip
    return problems


def submit(
    filing: Filing, account: User, policy: Policy, today: date, expected_version: int | None,
    registry: Registry | None = None, lookup: DomainLookup | None = None, *, committed: bool,
) -> None:  # fmt: skip
    """Submit for initial review: re-verify the type (R-T-1), refuse with any problem or without
    the truthfulness commitment (`committed`, kept in the submit event), then apply.

    :raises FilingError: a problem remains, the commitment is not ticked (field "commitment"), or
        the type no longer verifies.
    :raises workflow.StaleFiling: the form was for an older version (a double click: already sent).
    """
    # What is checked and snapshotted below is what is submitted: an edit waits for the lock, or
    # committed before it (then it is read again here, not taken from the request's first look).
    lock(filing)
    db.session.expire_all()
    problems = submission_problems(
        filing, today, policy.provider_code, registry, lookup, policy=policy
    ).breaches
    if problems:
        raise FilingError(
            Message(N_("还有 %(n)s 处需要修改，请先修改后再提交"), {"n": len(problems)})
        )
    refusal = commitment.check_commitment(committed)
    if refusal is not None:
        raise FilingError(refusal, commitment.FIELD)
    if filing.kind in NEW_FILINGS:
        _recheck_new_filing(filing, account, policy, today, registry)
    else:
        verdict = verify_filing_type(
            filing.verified_certificate_type, filing.verified_certificate_number,
            filing.verified_domain, policy.provider_code, today, account=account,
            exclude_filing_id=filing.id, registry=registry,
        )  # fmt: skip
        if verdict.type is None:
            raise FilingError(verdict.message)
        if verdict.type is not filing.filing_type:
            raise FilingError(Message(N_("备案类型已变化，请放弃本备案并重新验证备案类型")))
    workflow.apply(
        filing, Action.submit, account, policy=policy, expected_version=expected_version,
        data=commitment.recorded(),
    )  # fmt: skip
    snapshots.record(filing, to_application(filing))


def _recheck_new_filing(
    filing: Filing, account: User, policy: Policy, today: date, registry: Registry | None
) -> None:
    """A new filing's type again at submission (R-T-1), by the certificate and first domain as they
    stand now (a 首次备案 types its certificate): still the same new filing.

    :raises FilingError: the answer is now a refusal or another order.
    """
    subject, first = filing.subject, filing.websites[0]
    certificate = (
        (subject.certificate_type, subject.certificate_number)
        if filing.kind is OrderKind.first_filing
        else (filing.verified_certificate_type, filing.verified_certificate_number)
    )
    verdict = verify_filing_type(
        *certificate, unicode_domain(first.domains[0].domain), policy.provider_code, today,
        account=account, exclude_filing_id=filing.id, registry=registry,
    )  # fmt: skip
    kind = new_order_kind(verdict)
    if kind is filing.kind:
        return
    if kind is None and verdict.type is None:
        raise FilingError(verdict.message)
    raise FilingError(Message(N_("备案类型已变化，请放弃本备案并重新验证备案类型")))


def withdraw(
    filing: Filing, account: User, policy: Policy, expected_version: int | None = None
) -> None:
    """Withdraw (放弃), allowed before initial review passes (R-T-9).

    :raises workflow.WorkflowError: not allowed in this state or a stale form.
    """
    workflow.apply(
        filing, Action.withdraw, account, policy=policy, expected_version=expected_version
    )


def submit_materials(
    filing: Filing, account: User, policy: Policy, expected_version: int | None
) -> None:
    """Send the materials and the authenticity checks for re-review, once all are there.

    :raises FilingError: a required material is missing or a website is not yet verified.
    :raises workflow.WorkflowError: not waiting for materials, or a stale form (a second click).
    """
    missing = materials.missing_materials(filing)
    pending = authenticity.unverified(filing)
    outstanding = materials.outstanding_message(len(missing), len(pending))
    if workflow.accepts_uploads(filing.state) and outstanding is not None:
        raise FilingError(outstanding)
    unchanged = materials.unchanged_named(filing, named_items(filing))
    if workflow.accepts_uploads(filing.state) and unchanged:
        raise FilingError(
            Message(N_("复审驳回指出的 %(n)s 项资料尚未重新上传"), {"n": len(unchanged)})
        )
    workflow.apply(
        filing, Action.submit_materials, account, policy=policy, expected_version=expected_version
    )
    snapshots.record(filing, to_application(filing))


TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9-]{6,32}$")


def record_mailing(filing: Filing, account: User, courier: str, tracking_number: str) -> None:
    """The applicant's courier and tracking number for the materials sent by post (A6 v2).

    :raises FilingError: not waiting for post, or a courier or number that cannot be right.
    """
    if not workflow.awaits_post(filing.state):
        raise FilingError(Message(N_("当前状态下无需邮寄资料")))
    courier, number = (courier or "").strip(), (tracking_number or "").strip().upper()
    if not 1 <= len(courier) <= 32:
        raise FilingError(Message(N_("请填写快递公司（不超过 32 个字）")), "courier")
    if not TRACKING_NUMBER.match(number):
        raise FilingError(Message(N_("快递单号应为 6–32 位字母、数字或连字符")), "tracking_number")
    filing.mail_courier, filing.mail_tracking_number = courier, number
    audit.record("mail_sent", account, filing=filing, data={"courier": courier, "number": number})
    db.session.flush()


def named_items(filing: Filing) -> materials.Named:
    """The materials and checks that the last rejection or return named for the applicant to
    redo, while the filing takes materials (re_rejected; materials_pending after a return)."""
    if not workflow.accepts_uploads(filing.state):
        return materials.named_in_rejection(filing, None)
    return materials.named_in_rejection(filing, latest_rejection(filing))


def latest_rejection(filing: Filing) -> AuditEvent | None:
    """The last rejection or return for edits shown to the applicant, with reasons per field."""
    events = [e for e in filing.events if e.action in workflow.WITH_REASONS and not e.internal]
    return events[-1] if events else None
