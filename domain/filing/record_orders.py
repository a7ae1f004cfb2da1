"""More orders on records held here (DOMAIN.md A7 v3): 变更主体, 变更网站, 注销网站 and 注销主体.

A record is what the account holds of a subject: the websites of its approved orders, and for a
subject it claimed or was bound to (domain/filing/holdings.py) the registry's websites listing this
provider. A change opens as a draft copy of the record (`record_before` keeps the record as it was,
in its A2 shape); the applicant edits the copy, sees old → new, and submits; only what changed is
re-checked (A4) and only the materials the change needs are asked for. A cancellation names what is
deleted and is confirmed by typing the number. On the bureau's approval complete() makes the change
real in the records and the registry: a removed domain, a deleted website or subject leaves the
registry, and with it the domains this provider may serve (A9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.filing import commitment, holdings, snapshots
from domain.filing.filings import PERSON_FIELDS, lock, to_application
from domain.filing.orders import held_by_subject, open_order_of
from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind
from domain.policy import Policy
from domain.ports import Registry
from domain.rulebook import rule_tables
from domain.rulebook.application import REMARK_MAX
from domain.rulebook.filing_type import held_website, registrable_domain, unicode_domain
from domain.rulebook.precheck import Breach, Findings, precheck
from domain.rulebook.registry import LocalRegistry, to_ascii_domain
from domain.support.i18n import N_, Message
from extensions import db
from models import (
    Filing,
    Person,
    RegistrySubject,
    RegistryWebsite,
    Subject,
    User,
    Website,
    WebsiteDomain,
    utcnow,
)

CHANGE_KINDS = (OrderKind.change_subject, OrderKind.change_website)
CANCEL_KINDS = (OrderKind.cancel_website, OrderKind.cancel_subject)
RECORD_KINDS = (*CHANGE_KINDS, *CANCEL_KINDS)
# What a change may change (Filing.changed_items), each with the A2 paths it covers.
CHANGE_ITEMS = {
    "subject_name": ("subject.name",),
    "subject_address": ("subject.certificate_address", "subject.mailing_address", "subject.remark"),
    "subject_person": ("subject.responsible_person",),
    "website_name": ("websites[0].name",),
    "website_domains": ("websites[0].domains",),
    "website_info": (
        "websites[0].service_types", "websites[0].content_types", "websites[0].languages",
        "websites[0].pre_approvals",
    ),
    "website_person": ("websites[0].responsible_person",),
    "website_remark": ("websites[0].remark",),
}  # fmt: skip
SUBJECT_EDITABLE = ("certificate_address", "mailing_address", "remark")
# A domain new to a website is registered, as the registry's copy says, for a year from approval
# until the registry import brings the registrar's date (A5: the registry keeps an expiry).
NEW_DOMAIN_DAYS = 365


class RecordOrderRefused(DomainError):
    """An order on a record cannot be opened, changed or submitted."""


@dataclass
class Record:
    """What the account holds of one subject: the subject and its websites (rows of approved
    orders, or for a claimed subject the registry's websites as unsaved rows)."""

    subject_number: str
    subject: Subject
    websites: list[Website]
    claimed: bool = False
    certificate_type: str = ""
    certificate_number: str = ""
    since: dict[str, datetime | None] = field(default_factory=dict)  # website number -> held since


def _registry_subject(number: str) -> RegistrySubject | None:
    return db.session.scalar(
        select(RegistrySubject).where(RegistrySubject.subject_number == number)
    )


def _from_registry(subject: RegistrySubject) -> Subject:
    return Subject(
        kind=subject.kind, name=subject.name, certificate_type=subject.certificate_type,
        certificate_number=subject.certificate_number, province=subject.province,
        icp_number=subject.subject_number, certificate_address="", mailing_address="", remark="",
    )  # fmt: skip


def _website_from_registry(website: RegistryWebsite, position: int) -> Website:
    return Website(
        position=position, name=website.name, icp_number=website.website_number,
        service_types=["website"], languages=["zh-Hans"], content_types=None, pre_approvals=[],
        domains=[WebsiteDomain(domain=d.domain) for d in website.domains], ips=[],
    )  # fmt: skip


def records_of(account: User, provider_code: str) -> dict[str, Record]:
    """The account's records by subject number: its approved orders' websites, then each subject
    it claimed or was bound to, with the registry's websites listing this provider that no
    approved order of the account holds."""
    records: dict[str, Record] = {}
    for number, websites in held_by_subject(account).items():
        latest = max((w.filing for w in websites), key=lambda f: f.approved_at or f.created_at)
        records[number] = Record(
            number, latest.subject, websites,
            certificate_type=latest.verified_certificate_type or latest.subject.certificate_type,
            certificate_number=latest.verified_certificate_number
            or latest.subject.certificate_number,
            since={w.icp_number: w.filing.approved_at for w in websites},
        )  # fmt: skip
    for number in holdings.claimed_subject_numbers(account):
        subject = _registry_subject(number)
        if subject is None:
            continue
        record = records.get(number)
        if record is None:
            record = records[number] = Record(
                number, _from_registry(subject), [], claimed=True,
                certificate_type=subject.certificate_type,
                certificate_number=subject.certificate_number,
            )  # fmt: skip
        have = {w.icp_number for w in record.websites}
        for website in subject.websites:
            if provider_code in website.provider_codes and website.website_number not in have:
                record.websites.append(_website_from_registry(website, len(record.websites)))
                record.since[website.website_number] = None
    return records


def record_of(account: User, subject_number: str, provider_code: str) -> Record:
    """The account's record of one subject.

    :raises RecordOrderRefused: the account does not hold it (R-T-2).
    """
    record = records_of(account, provider_code).get(subject_number)
    if record is None or not record.websites:
        raise RecordOrderRefused(Message(N_("该主体不在本账号的备案信息中")), "subject")
    return record


def _copy_person(person: Person | None) -> Person | None:
    if person is None:
        return None
    return Person(**{key: getattr(person, key) for key in PERSON_FIELDS})


def _refuse_open_order(subject_number: str) -> None:
    if open_order_of(subject_number) is not None:
        raise RecordOrderRefused(
            Message(N_("该主体已有一个正在办理中的订单，请等待其完成或放弃后再提交。")), "subject"
        )


def _website(record: Record, website_number: str) -> Website:
    for website in record.websites:
        if website.icp_number == website_number:
            return website
    raise RecordOrderRefused(Message(N_("请选择本账号备案信息中的网站")), "website")


def _open(
    account: User, kind: OrderKind, record: Record, websites: list[Website], now: datetime
) -> Filing:
    """A draft order of `kind` carrying copies of the record's subject and `websites`."""
    _refuse_open_order(record.subject_number)
    source = record.subject
    subject = Subject(
        kind=source.kind, name=source.name, certificate_type=source.certificate_type,
        certificate_number=source.certificate_number, province=source.province,
        certificate_address=source.certificate_address or "",
        mailing_address=source.mailing_address or "", icp_number=record.subject_number,
        remark=source.remark or "", responsible_person=_copy_person(source.responsible_person),
    )  # fmt: skip
    copies = [
        Website(
            position=position, name=held.name, icp_number=held.icp_number,
            service_types=list(held.service_types or []), languages=list(held.languages or []),
            content_types=None if held.content_types is None else list(held.content_types),
            pre_approvals=list(held.pre_approvals or []), remark=held.remark or "",
            responsible_person=_copy_person(held.responsible_person),
            domains=[WebsiteDomain(domain=d.domain) for d in held.domains],
            ips=[type(ip)(address=ip.address) for ip in held.ips],
            authenticity_verified_at=now,  # verified with the record; a new person verifies again
        )
        for position, held in enumerate(websites)
    ]  # fmt: skip
    filing = Filing(
        account_id=account.id, kind=kind, filing_type=None, province=source.province,
        registry_subject_number=record.subject_number,
        verified_certificate_type=record.certificate_type,
        verified_certificate_number=record.certificate_number,
        verified_domain=websites[0].domains[0].domain if websites[0].domains else "",
        product_ips=sorted({ip.address for w in websites for ip in w.ips}),
        subject=subject, websites=copies, changed_items=[],
    )  # fmt: skip
    db.session.add(filing)
    db.session.flush()
    filing.record_before = snapshots.document(filing, to_application(filing))
    audit.record("order_created", account, filing=filing, data={"kind": kind.value}, now=now)
    db.session.flush()
    return filing


def open_change(
    account: User,
    kind: OrderKind,
    subject_number: str,
    provider_code: str,
    website_number: str = "",
    now: datetime | None = None,
) -> Filing:
    """Open a draft 变更主体 (the subject with all its websites) or 变更网站 (one website),
    starting from what is on record; the account's draft of the same change, if it has one (a
    draft blocks no other order: orders.open_order_of counts submitted ones only).

    :raises RecordOrderRefused: not held by the account, an open order, an unknown website.
    """
    now = now or utcnow()
    record = record_of(account, subject_number, provider_code)
    if kind is OrderKind.change_subject:
        websites = record.websites
    elif kind is OrderKind.change_website:
        websites = [_website(record, website_number)]
    else:
        raise RecordOrderRefused(Message(N_("该操作不可执行")))
    numbers = [w.icp_number for w in websites]
    for draft in db.session.scalars(
        select(Filing).where(
            Filing.account_id == account.id, Filing.kind == kind,
            Filing.registry_subject_number == record.subject_number,
            Filing.state == FilingState.draft,
        )
    ):  # fmt: skip
        if [w.icp_number for w in draft.websites] == numbers:
            return draft  # the same change opened again: go on with its draft, not a second one
    return _open(account, kind, record, websites, now)


# --- editing a change ---------------------------------------------------------------------------


def lock_editable(filing: Filing) -> None:
    """Lock the order (filings.lock) and check that it is a change the applicant may edit now.

    :raises RecordOrderRefused: not a change, or not editable in its state.
    """
    lock(filing)
    if filing.kind not in CHANGE_KINDS or not workflow.applicant_may_edit(filing.state):
        raise RecordOrderRefused(Message(N_("当前状态下不能修改备案信息")))


def _clean(value: object) -> str:
    return str(value or "").strip()


def _set_person(person: Person, values: dict[str, Any]) -> None:
    for key in PERSON_FIELDS:
        if f"person_{key}" in values:
            text = _clean(values[f"person_{key}"])
            setattr(person, key, text.upper() if key == "id_number" else text)


def edit_subject(filing: Filing, account: User, values: dict[str, Any]) -> None:
    """The 变更主体's new values: addresses, remark, the responsible person and, for a unit, its
    name (R-T-5 aside: the certificate type and number never change; a different certificate is
    another subject).

    :raises RecordOrderRefused: not editable now (lock_editable).
    """
    lock_editable(filing)
    subject = filing.subject
    for key in SUBJECT_EDITABLE:
        if key in values:
            setattr(subject, key, _clean(values[key])[:255])
    if "name" in values and subject.kind != "individual" and _clean(values["name"]):
        subject.name = _clean(values["name"])[:128]
    person = subject.responsible_person or Person()
    subject.responsible_person = person
    _set_person(person, values)
    _after_edit(filing, account)


def edit_website(
    filing: Filing,
    account: User,
    values: dict[str, Any],
    provider_code: str,
    registry: Registry | None = None,
) -> None:
    """The 变更网站's new values: name, domains (a website keeps at least one; a new one must be
    filed nowhere else), service and content types, languages, pre-approvals, the remark, the
    person.

    :raises RecordOrderRefused: no domain left, a domain that is not a host name, or one that is
        on another website (of the registry or held here); a remark over 200 characters.
    """
    lock_editable(filing)
    registry = registry or LocalRegistry()
    website = filing.websites[0]
    if "name" in values and _clean(values["name"]):
        website.name = _clean(values["name"])[:128]
    if "domains" in values:
        website.domains = _new_domains(filing, website, values["domains"], registry)
    for key in ("service_types", "languages"):
        if key in values:
            website.__setattr__(key, list(dict.fromkeys(values[key] or [])))
    if "content_types" in values:
        website.content_types = list(dict.fromkeys(values["content_types"] or []))
    if "pre_approval_category" in values:
        category = _clean(values.get("pre_approval_category"))
        number = _clean(values.get("pre_approval_number"))
        website.pre_approvals = [{"category": category, "number": number}] if category else []
    if "remark" in values:
        remark = _clean(values["remark"])
        if len(remark) > REMARK_MAX:
            raise RecordOrderRefused(
                Message(N_("网站备注最多 %(n)s 个字符"), {"n": REMARK_MAX}), "remark"
            )
        website.remark = remark
    if "person_mode" in values:
        if values["person_mode"] == "other":
            person = website.responsible_person or Person()
            website.responsible_person = person
            _set_person(person, values)
        else:
            website.responsible_person = None
    _after_edit(filing, account)


def _new_domains(
    filing: Filing, website: Website, typed: list[str], registry: Registry
) -> list[WebsiteDomain]:
    current = {d.domain: d for d in website.domains}
    wanted: list[str] = []
    for text in typed:
        text = _clean(text)
        if not text:
            continue
        folded = registrable_domain(text)
        if isinstance(folded, Message):
            raise RecordOrderRefused(
                Message(N_("域名“%(domain)s”格式不正确"), {"domain": text}), "domains"
            )
        domain = to_ascii_domain(folded)
        if domain in current or domain in wanted:
            wanted += [] if domain in wanted else [domain]
            continue
        elsewhere = registry.website_by_domain(domain)
        if (elsewhere is not None and elsewhere.website_number != website.icp_number) or (
            held_website([domain]) is not None
        ):
            raise RecordOrderRefused(
                Message(
                    N_("域名 %(domain)s 已在其他网站的备案中，不能加入本网站"),
                    {"domain": unicode_domain(domain)},
                ),
                "domains",
            )
        wanted.append(domain)
    if not wanted:
        raise RecordOrderRefused(Message(N_("网站至少要保留一个域名")), "domains")
    return [current.get(d) or WebsiteDomain(domain=d) for d in wanted]


def changed_items(filing: Filing) -> list[str]:
    """What the order changes against the record it started from (CHANGE_ITEMS keys)."""
    before = filing.record_before or {}
    now = snapshots.document(filing, to_application(filing))
    old_subject, new_subject = before.get("subject", {}), now["subject"]
    items = []
    if old_subject.get("name") != new_subject["name"]:
        items.append("subject_name")
    if any(old_subject.get(k) != new_subject[k] for k in SUBJECT_EDITABLE):
        items.append("subject_address")
    if _person(old_subject.get("responsible_person")) != _person(new_subject["responsible_person"]):
        items.append("subject_person")
    if filing.kind is OrderKind.change_website:
        old_site = (before.get("websites") or [{}])[0]
        new_site = now["websites"][0]
        if old_site.get("name") != new_site["name"]:
            items.append("website_name")
        if sorted(old_site.get("domains") or []) != sorted(new_site["domains"]):
            items.append("website_domains")
        if any(
            old_site.get(k) != new_site[k]
            for k in ("service_types", "content_types", "languages", "pre_approvals")
        ):
            items.append("website_info")
        if _person(old_site.get("responsible_person")) != _person(new_site["responsible_person"]):
            items.append("website_person")
        if (old_site.get("remark") or "") != new_site["remark"]:  # none kept before it existed
            items.append("website_remark")
    return items


def _person(person: dict[str, Any] | None) -> tuple[str, ...]:
    return tuple(str((person or {}).get(key) or "") for key in PERSON_FIELDS)


def _after_edit(filing: Filing, account: User) -> None:
    """Keep what changed, and ask a new person for the authenticity check again."""
    db.session.flush()
    items = changed_items(filing)
    filing.changed_items = items
    before = filing.record_before or {}
    old_sites = {s.get("icp_number"): s for s in before.get("websites", [])}
    subject_person_changed = "subject_person" in items
    for website in filing.websites:
        old = old_sites.get(website.icp_number, {})
        own_changed = _person(old.get("responsible_person")) != _person(
            _person_dict(website.responsible_person)
        )
        uses_subject = website.responsible_person is None
        if own_changed or (uses_subject and subject_person_changed):
            website.authenticity_verified_at = None
        elif website.authenticity_verified_at is None:
            website.authenticity_verified_at = filing.created_at
    audit.record("order_edited", account, filing=filing, data={"changed": items})
    db.session.flush()


def _person_dict(person: Person | None) -> dict[str, Any] | None:
    return None if person is None else {key: getattr(person, key) for key in PERSON_FIELDS}


def change_paths(filing: Filing) -> tuple[str, ...]:
    """The A2 paths the order changes (the pre-check's findings on them are the order's)."""
    return tuple(path for item in filing.changed_items or () for path in CHANGE_ITEMS[item])


def problems(filing: Filing, today: date) -> Findings:
    """A4 on what changed only: the pre-check's findings on the changed fields (the record's
    other fields were checked when they were filed)."""
    paths = change_paths(filing)
    findings = precheck(to_application(filing), rule_tables.load(), today)

    def ours(breaches: list[Breach]) -> list[Breach]:
        return [b for b in breaches if any(b.field.startswith(p) for p in paths)]

    return Findings(_missing_names(filing) + ours(findings.breaches), ours(findings.warnings))


def _missing_names(filing: Filing) -> list[Breach]:
    """A changed responsible person without a name (the pre-check judges a name only as typed)."""
    items = filing.changed_items or ()
    persons = [("subject_person", "subject.responsible_person", filing.subject.responsible_person)]
    if filing.kind is OrderKind.change_website:
        website = filing.websites[0]
        persons.append(("website_person", "websites[0].responsible_person",
                        website.responsible_person))  # fmt: skip
    return [
        Breach(f"{path}.name", "missing", Message(N_("请填写负责人姓名")))
        for item, path, person in persons
        if item in items and person is not None and not (person.name or "").strip()
    ]


def submit_change(
    filing: Filing,
    account: User,
    policy: Policy,
    today: date,
    expected_version: int | None = None,
    registry: Registry | None = None,
    *,
    committed: bool,
) -> None:
    """Submit (or submit again) a 变更主体 or 变更网站: something changed, nothing it changed
    breaks a rule, the new domains are still filed nowhere else, the subject is still held, and
    the truthfulness commitment is ticked (`committed`, kept in the submit event).

    :raises RecordOrderRefused: as said (field "commitment" for the commitment).
    :raises workflow.WorkflowError: not submittable now, or a stale form.
    """
    lock_editable(filing)
    if not filing.changed_items:
        raise RecordOrderRefused(Message(N_("没有修改任何内容，无需提交变更")), "changes")
    if holdings.held_by_other(filing.registry_subject_number, account):
        raise RecordOrderRefused(Message(N_("该主体已由其他账号持有")), "subject")
    breaches = problems(filing, today).breaches
    if breaches:
        raise RecordOrderRefused(
            Message(N_("还有 %(n)s 处需要修改，请先修改后再提交"), {"n": len(breaches)})
        )
    refusal = commitment.check_commitment(committed)
    if refusal is not None:
        raise RecordOrderRefused(refusal, commitment.FIELD)
    if filing.kind is OrderKind.change_website:  # the registry may have changed since the edit
        website = filing.websites[0]
        _new_domains(filing, website, [d.domain for d in website.domains], registry or LocalRegistry())  # fmt: skip
    _apply_submit(filing, account, policy, expected_version, commitment.recorded())


def _apply_submit(
    filing: Filing,
    account: User,
    policy: Policy,
    expected_version: int | None,
    data: dict[str, object] | None = None,
) -> None:
    try:
        workflow.apply(
            filing, Action.submit, account, policy=policy, expected_version=expected_version,
            data=data,
        )  # fmt: skip
    except workflow.OpenOrderExists as exc:
        raise RecordOrderRefused(exc.message, "subject") from exc
    snapshots.record(filing, to_application(filing))


# --- cancellations ------------------------------------------------------------------------------


def last_website(record: Record, website: Website, registry: Registry | None = None) -> bool:
    """Whether `website` is its subject's last website on the registry (else: of the record)."""
    subject = _registry_subject(record.subject_number)
    if subject is not None:
        return [w.website_number for w in subject.websites] == [website.icp_number]
    return len(record.websites) == 1


def start_cancel(
    account: User,
    kind: OrderKind,
    subject_number: str,
    typed_number: str,
    policy: Policy,
    website_number: str = "",
    now: datetime | None = None,
) -> Filing:
    """Open and submit a 注销网站 (one website) or 注销主体 (the subject and every website),
    confirmed by typing the website's or the subject's number.

    :raises RecordOrderRefused: not held, an open order, the subject's last website (that is a
        注销主体), or the number typed is not the one deleted.
    """
    now = now or utcnow()
    record = record_of(account, subject_number, policy.provider_code)
    typed = "".join((typed_number or "").split())
    if kind is OrderKind.cancel_website:
        website = _website(record, website_number)
        if last_website(record, website):
            raise RecordOrderRefused(
                Message(N_("这是该主体的最后一个网站，注销它请办理注销主体")), "website"
            )
        if typed != website.icp_number:
            raise RecordOrderRefused(Message(N_("输入的网站备案号不一致")), "confirm_number")
        websites = [website]
    elif kind is OrderKind.cancel_subject:
        if typed != subject_number:
            raise RecordOrderRefused(Message(N_("输入的主体备案号不一致")), "confirm_number")
        websites = record.websites
    else:
        raise RecordOrderRefused(Message(N_("该操作不可执行")))
    filing = _open(account, kind, record, websites, now)
    _apply_submit(filing, account, policy, None)
    return filing


def resubmit(filing: Filing, account: User, policy: Policy, expected_version: int | None) -> None:
    """Submit a returned or rejected cancellation again (as it is)."""
    _apply_submit(filing, account, policy, expected_version)


# --- approval -----------------------------------------------------------------------------------


def complete(
    filing: Filing, provider_code: str, now: datetime, registry: Registry | None = None
) -> None:
    """The bureau approved: the registry takes the change, or drops the website or the subject
    (called by orders.complete, after the records moved)."""
    registry = registry or LocalRegistry()
    subject = _registry_subject(filing.registry_subject_number)
    if subject is None:
        return
    if filing.kind is OrderKind.cancel_subject:
        registry.delete_subject(subject)
        holdings.end_subject(filing.registry_subject_number, now)
        return
    person = filing.subject.responsible_person
    subject_mobile = person.mobile if person is not None else ""
    if filing.kind is OrderKind.change_subject and "subject_name" in (filing.changed_items or ()):
        registry.change_subject(subject, filing.subject.name)
    for website in filing.websites:
        record = registry.website_by_number(website.icp_number)
        if record is None:
            continue
        if filing.kind is OrderKind.cancel_website:
            registry.delete_website(record)
            continue
        own = website.responsible_person
        mobile = (own.mobile if own is not None else subject_mobile) or record.responsible_mobile
        if filing.kind is OrderKind.change_subject and own is not None:
            mobile = record.responsible_mobile  # the website's own person did not change
        registry.change_website(
            record, website.name, [d.domain for d in website.domains], mobile,
            (now + timedelta(days=NEW_DOMAIN_DAYS)).date(),
        )  # fmt: skip


def sms_recipients(filing: Filing) -> list[str]:
    """B R-S-2 for a change: the person whose data changes (a 变更主体: the subject's person; a
    变更网站: the website's person, its own or the subject's), at the new mobile."""
    if filing.kind is OrderKind.change_subject:
        person = filing.subject.responsible_person
    else:
        person = filing.websites[0].responsible_person or filing.subject.responsible_person
    return [person.mobile] if person is not None and person.mobile else []


def record_changes(filing: Filing) -> dict[str, Any]:
    """The record the order started from and the order now, as two snapshots for
    domain/review/changes.compare (the review screen marks what differs)."""
    return {
        "before": {"application": filing.record_before or {}, "materials": []},
        "after": {
            "application": snapshots.document(filing, to_application(filing)),
            "materials": [],
        },
    }


def review_problems(filing: Filing, policy: Policy, today: date) -> Findings:
    """What stops a reviewer passing an order on a record: the subject or a website is no longer
    held by the order's account (R-T-2) or no longer on the registry; for a change, what the
    change breaks (problems())."""
    if workflow.is_final(filing.state):
        return Findings()
    found: list[Breach] = []
    record = records_of(filing.account, policy.provider_code).get(filing.registry_subject_number)
    held = {w.icp_number for w in record.websites} if record is not None else set()
    registry = LocalRegistry()
    for index, website in enumerate(filing.websites):
        if website.icp_number not in held:
            text = N_("网站“%(website)s”已不是本账号在本服务商接入的网站")
        elif registry.website_by_number(website.icp_number) is None:
            text = N_("网站“%(website)s”在工信部备案信息中未找到")
        else:
            continue
        found.append(
            Breach(f"websites[{index}]", "order", Message(text, {"website": website.name}))
        )
    if filing.kind in CHANGE_KINDS:
        changed = problems(filing, today)
        return Findings(found + changed.breaches, changed.warnings)
    return Findings(found)
