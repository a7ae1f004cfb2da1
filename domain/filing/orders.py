"""Records held here and the orders on them (DOMAIN.md A7): 变更接入 (new IPs) and 取消接入.

A record held here is a website of an approved access or change order that no later approved change
or cancellation has superseded. An order on records copies the websites it concerns into a filing
of its kind, which then takes the one workflow (one staff review, the bureau, no SMS); on approval
complete() makes the change real: the new rows become the records (old IPs freed), or the
registry drops this provider and the records end (their IPs freed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from domain import audit
from domain.errors import DomainError
from domain.filing import snapshots, stored_checks
from domain.filing.filings import PERSON_FIELDS, account_ips, to_application
from domain.lifecycle import workflow
from domain.lifecycle.states import HOLDING_KINDS, Action, FilingState, OrderKind
from domain.policy import Policy
from domain.ports import Registry
from domain.rulebook.precheck import Breach, Findings
from domain.rulebook.registry import HeldHere, LocalRegistry
from domain.support.i18n import N_, Message
from extensions import db
from models import Filing, Person, Subject, User, Website, WebsiteDomain, WebsiteIP, utcnow

ENDING_KINDS = (OrderKind.cancel_access, OrderKind.cancel_website, OrderKind.cancel_subject)


class OrderRefused(DomainError):
    """An order on records held here cannot be opened."""


def held_websites(account: User | None = None) -> list[Website]:
    """The records held here (of one account, or all), by subject number then position."""
    query = (
        select(Website)
        .join(Filing, Website.filing_id == Filing.id)
        .where(
            Filing.state == FilingState.approved,
            Filing.kind.in_(HOLDING_KINDS),
            Website.superseded_at.is_(None),
        )
        .options(selectinload(Website.domains), selectinload(Website.ips))
        .order_by(Filing.registry_subject_number, Website.position, Website.id)
    )
    if account is not None:
        query = query.where(Filing.account_id == account.id)
    return list(db.session.scalars(query))


def held_here(provider_code: str, confirmed: Collection[str] = ()) -> HeldHere:
    """What a registry import must not undo unseen: the website numbers held here (any account)."""
    numbers = frozenset(w.icp_number for w in held_websites() if w.icp_number)
    return HeldHere(provider_code, numbers, frozenset(confirmed))


def held_by_subject(account: User) -> dict[str, list[Website]]:
    """The account's records held here, grouped by subject number."""
    grouped: dict[str, list[Website]] = defaultdict(list)
    for website in held_websites(account):
        grouped[website.filing.registry_subject_number].append(website)
    return dict(grouped)


def sole_provider(
    websites: list[Website], provider_code: str, registry: Registry | None = None
) -> list[Website]:
    """The websites for which this provider is the only access provider in the registry: the
    bureau cancels such a record as a shell (空壳) when the access is cancelled."""
    registry = registry or LocalRegistry()
    alone = []
    for website in websites:
        record = registry.website_by_number(website.icp_number)
        if record is not None and record.provider_codes == [provider_code]:
            alone.append(website)
    return alone


def open_order_of(subject_number: str) -> Filing | None:
    """The subject's order that is neither a draft nor finished (one per subject, any kind)."""
    return db.session.scalar(
        select(Filing).where(
            Filing.registry_subject_number == subject_number,
            Filing.state.not_in([FilingState.draft, *workflow.FINAL_STATES]),
        )
    )


def _chosen(account: User, website_ids: list[int]) -> list[Website]:
    """The account's records with these ids, all of one subject.

    :raises OrderRefused: none chosen, one not held by the account, or two subjects.
    """
    held = {website.id: website for website in held_websites(account)}
    chosen = [held[i] for i in dict.fromkeys(website_ids) if i in held]
    if not chosen or len(chosen) != len(set(website_ids)):
        raise OrderRefused(Message(N_("请选择本账号在本服务商接入的网站")), "websites")
    if len({w.filing.registry_subject_number for w in chosen}) > 1:
        raise OrderRefused(Message(N_("一个订单只能包含同一主体的网站")), "websites")
    return chosen


def _copy_person(person: Person | None) -> Person | None:
    if person is None:
        return None
    return Person(**{key: getattr(person, key) for key in PERSON_FIELDS})


def _open(
    account: User,
    kind: OrderKind,
    chosen: list[Website],
    ips: dict[int, list[str]],
    opened_by: User | None = None,
    data: dict[str, object] | None = None,
) -> Filing:
    held_filing = chosen[0].filing
    subject_number = held_filing.registry_subject_number
    if open_order_of(subject_number) is not None:
        raise OrderRefused(
            Message(N_("该主体已有一个正在办理中的订单，请等待其完成或放弃后再提交。")), "websites"
        )
    source = held_filing.subject
    subject = Subject(
        kind=source.kind, name=source.name, certificate_type=source.certificate_type,
        certificate_number=source.certificate_number, province=source.province,
        certificate_address=source.certificate_address, mailing_address=source.mailing_address,
        icp_number=source.icp_number, remark=source.remark,
        responsible_person=_copy_person(source.responsible_person),
    )  # fmt: skip
    websites = [
        Website(
            position=position, name=held.name, icp_number=held.icp_number,
            service_types=list(held.service_types or []), languages=list(held.languages or []),
            content_types=None if held.content_types is None else list(held.content_types),
            pre_approvals=list(held.pre_approvals or []), remark=held.remark or "",
            responsible_person=_copy_person(held.responsible_person),
            domains=[WebsiteDomain(domain=d.domain) for d in held.domains],
            ips=[WebsiteIP(address=a) for a in ips.get(held.id, [ip.address for ip in held.ips])],
        )
        for position, held in enumerate(chosen)
    ]  # fmt: skip
    filing = Filing(
        account_id=account.id, kind=kind, filing_type=None,  # not an access: no 新增/继续
        province=held_filing.province, registry_subject_number=subject_number,
        verified_certificate_type=held_filing.verified_certificate_type,
        verified_certificate_number=held_filing.verified_certificate_number,
        verified_domain=held_filing.verified_domain,
        product_ips=sorted({a for addresses in ips.values() for a in addresses}),
        subject=subject, websites=websites, opened_by_id=opened_by.id if opened_by else None,
    )  # fmt: skip
    db.session.add(filing)
    db.session.flush()
    audit.record(
        "order_created", opened_by or account, filing=filing,
        data={"kind": kind.value, **(data or {})},
    )  # fmt: skip
    return filing


def start_change(
    account: User, new_ips: dict[int, list[str]], policy: Policy, now: datetime | None = None
) -> Filing:
    """Open and submit a 变更接入: the chosen records (ids) with their new IPs (the account's).

    :raises OrderRefused: no website, not the account's, two subjects, an open order, an IP that
        is not the account's, a website without IPs or with the same IPs as now.
    """
    chosen = _chosen(account, list(new_ips))
    mine = set(account_ips(account))
    for website in chosen:
        wanted = list(dict.fromkeys(new_ips[website.id]))
        if not wanted:
            raise OrderRefused(Message(N_("请为“%(website)s”选择新的 IP"), {"website": website.name}), "ips")  # fmt: skip
        if not set(wanted) <= mine:
            raise OrderRefused(Message(N_("只能选择本账号名下的 IP")), "ips")
        if set(wanted) == {ip.address for ip in website.ips}:
            raise OrderRefused(
                Message(N_("“%(website)s”的 IP 没有变化"), {"website": website.name}), "ips"
            )
        new_ips[website.id] = wanted
    filing = _open(account, OrderKind.change_access, chosen, new_ips)
    _submit(filing, account, policy, now)
    return filing


def start_cancel(
    account: User,
    website_ids: list[int],
    policy: Policy,
    confirmed_shells: bool,
    now: datetime | None = None,
    registry: Registry | None = None,
) -> Filing:
    """Open and submit a 取消接入 of the chosen records.

    :raises OrderRefused: as start_change; or a sole-provider website (空壳) not confirmed.
    """
    chosen = _chosen(account, website_ids)
    if sole_provider(chosen, policy.provider_code, registry) and not confirmed_shells:
        raise OrderRefused(Message(N_("请确认已知晓空壳网站将被管局注销")), "confirm")
    filing = _open(account, OrderKind.cancel_access, chosen, {})
    _submit(filing, account, policy, now)
    return filing


def _submit(filing: Filing, account: User, policy: Policy, now: datetime | None) -> None:
    """Submit a new order; another order of the subject submitted at the same moment (which the
    check in _open could not see yet) makes the database refuse this one."""
    _refuse_reused_mobiles(filing)
    try:
        workflow.apply(filing, Action.submit, account, policy=policy, now=now)
    except workflow.OpenOrderExists as exc:
        raise OrderRefused(exc.message, "websites") from exc
    snapshots.record(filing, to_application(filing))


def _refuse_reused_mobiles(filing: Filing) -> None:
    """R-P-4 at every submission (A5 v3): a mobile another subject's person uses refuses it."""
    db.session.flush()
    reused = stored_checks.mobile_reuse(filing, LocalRegistry())
    if reused:
        raise OrderRefused(reused[0].message, reused[0].field)


def resubmit(filing: Filing, account: User, policy: Policy, expected_version: int | None) -> None:
    """Submit an order on records again after it was returned or rejected (its websites as they
    are: a change's IPs are checked again against the account)."""
    if filing.kind is OrderKind.change_access:
        mine = set(account_ips(account))
        if not all(ip.address in mine for w in filing.websites for ip in w.ips):
            raise OrderRefused(Message(N_("IP 已不在本账号名下，请放弃本订单后重新办理")), "ips")
    _refuse_reused_mobiles(filing)
    workflow.apply(filing, Action.submit, account, policy=policy, expected_version=expected_version)
    snapshots.record(filing, to_application(filing))


def problems(filing: Filing, policy: Policy, registry: Registry | None = None) -> Findings:
    """What stops a reviewer passing an open order (as the pre-check's findings, on the website):
    a website that is no longer a record of this account here, or whose registry entry no longer
    lists this provider."""
    if workflow.is_final(filing.state):
        return Findings()
    held = {w.icp_number for w in held_websites(filing.account) if w.filing_id != filing.id}
    registry = registry or LocalRegistry()
    found = []
    for index, website in enumerate(filing.websites):
        record = registry.website_by_number(website.icp_number)
        if website.icp_number not in held:
            text = N_("网站“%(website)s”已不是本账号在本服务商接入的网站")
        elif record is None or policy.provider_code not in record.provider_codes:
            text = N_("网站“%(website)s”在工信部备案信息中未列出本服务商")
        else:
            continue
        found.append(
            Breach(f"websites[{index}]", "order", Message(text, {"website": website.name}))
        )
    return Findings(found)


def current_ips(filing: Filing) -> dict[str, list[str]]:
    """Website number -> the IPs its record held here has now (what a change replaces)."""
    return {
        w.icp_number: [ip.address for ip in w.ips]
        for w in held_websites(filing.account)
        if w.filing_id != filing.id
    }


def complete(
    filing: Filing,
    provider_code: str,
    now: datetime | None = None,
    registry: Registry | None = None,
) -> None:
    """Make an approved order real (called by reviewing.advance on the bureau's approval): a
    change's websites become the records (the old rows, and so their IPs, stop); a cancellation's
    records end and the registry drops this provider."""
    now = now or utcnow()
    if filing.kind is OrderKind.access:
        return
    previous = {w.icp_number: w for w in held_websites(filing.account) if w.filing_id != filing.id}
    registry = registry or LocalRegistry()
    for website in filing.websites:
        old = previous.get(website.icp_number)
        if old is not None:
            old.superseded_at = now
        if filing.kind in ENDING_KINDS:
            website.superseded_at = now  # a cancellation's copy is never a record
        if filing.kind is OrderKind.cancel_access:
            record = registry.website_by_number(website.icp_number)
            if record is not None:
                registry.cancel_access(record, provider_code)
    db.session.flush()


def start_cancel_by_staff(
    staff: User,
    website: Website,
    policy: Policy,
    *,
    confirmed_shells: bool,
    data: dict[str, object] | None = None,
    now: datetime | None = None,
    registry: Registry | None = None,
) -> Filing:
    """Open and submit a 取消接入 of one record held here on its holder's behalf: the provider's
    order (DOMAIN.md A7, A9), on the holder's account, opened and submitted by `staff`; then the
    same staff review, bureau and decision as the applicant's.

    :raises OrderRefused: the subject has an open order, or a sole-provider website (空壳) not
        confirmed.
    """
    if sole_provider([website], policy.provider_code, registry) and not confirmed_shells:
        raise OrderRefused(Message(N_("请确认已知晓空壳网站将被管局注销")), "confirm")
    filing = _open(
        website.filing.account, OrderKind.cancel_access, [website], {}, opened_by=staff,
        data={"opened_by_staff": True, **(data or {})},
    )  # fmt: skip
    try:
        workflow.apply(filing, Action.provider_submit, staff, policy=policy, now=now)
    except workflow.OpenOrderExists as exc:
        raise OrderRefused(exc.message, "websites") from exc
    snapshots.record(filing, to_application(filing))
    return filing
