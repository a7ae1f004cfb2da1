"""The provider's public IP pool: the admin adds IPs (typed or from a CSV) and assigns them to
accounts (product verification needs one), and which filings use each IP (an IP in use is not
released without the admin confirming it)."""

from __future__ import annotations

import csv
import io
import ipaddress
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from domain import audit
from domain.errors import DomainError
from domain.lifecycle.states import FilingState, Role
from domain.rulebook.rules import check_public_ip
from domain.support.i18n import N_, Message
from domain.support.paging import Page, keyset_page
from extensions import db
from models import Filing, ProviderIP, User, Website, WebsiteIP, utcnow

# A filing in these states no longer holds its websites' IPs.
NOT_USING = (FilingState.draft, FilingState.withdrawn)
PAGE_SIZE = 100  # the admin's IP pool page


def assign_free(account: User, count: int) -> list[str]:
    """Give the account up to `count` unassigned IPs (demo mode: a new user can file at once).

    On PostgreSQL the free rows are locked with SKIP LOCKED, so two sign-ups never get the same IP.
    """
    query = (
        select(ProviderIP)
        .where(ProviderIP.account_id.is_(None))
        .order_by(ProviderIP.id)
        .limit(count)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    now = utcnow()
    taken = []
    for ip in db.session.scalars(query):
        ip.account_id, ip.assigned_at = account.id, now
        taken.append(ip.address)
    db.session.flush()
    return taken


def filings_using(addresses: list[str] | None = None) -> dict[str, list[int]]:
    """IP -> the ids of the open or approved filings whose websites use it (all IPs, or these); a
    record superseded by a change or ended by a cancellation (A7) no longer uses its IPs."""
    query = (
        select(WebsiteIP.address, Filing.id)
        .join(Website, WebsiteIP.website_id == Website.id)
        .join(Filing, Website.filing_id == Filing.id)
        .where(Filing.state.not_in(NOT_USING), Website.superseded_at.is_(None))
        .order_by(Filing.id)
    )
    if addresses is not None:
        query = query.where(WebsiteIP.address.in_(addresses))
    using: dict[str, list[int]] = defaultdict(list)
    for address, filing_id in db.session.execute(query).all():
        if filing_id not in using[address]:
            using[address].append(filing_id)
    return dict(using)


def pool_page(after: int = 0, before: int = 0) -> Page[ProviderIP]:
    """One page of the pool for the admin, in the order the IPs were added, with their accounts."""
    query = select(ProviderIP).options(selectinload(ProviderIP.account))
    return keyset_page(query, ProviderIP.id, PAGE_SIZE, after, before, descending=False)


def addresses_from_csv(text: str) -> list[str]:
    """The first column of an IP list in CSV (comma or semicolon separated, as spreadsheets save
    it), without a header row: a first row with no digit in its first cell ("address", "IP 地址")."""
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=",") if row]
    cells = [row[0].split(";")[0].strip() for row in rows]
    cells = [cell for cell in cells if cell]
    if cells and not any(character.isdigit() for character in cells[0]):
        cells = cells[1:]
    return cells


def add_ips(text: str, actor: User) -> tuple[list[str], list[tuple[str, str]]]:
    """Add the public IPs in `text` (one per line or CSV first column) to the pool.

    Returns (added, refused with reason); refused ones change nothing.
    """
    added: list[str] = []
    refused: list[tuple[str, str]] = []
    existing = set(db.session.scalars(select(ProviderIP.address)))
    for raw in text.replace(",", "\n").splitlines():
        value = raw.strip()
        if not value or value.lower() == "address":
            continue
        problem = check_public_ip(value)
        if problem:
            refused.append((value, problem.text))
            continue
        normal = str(ipaddress.ip_address(value))
        if normal in existing:
            refused.append((value, N_("已在 IP 池中")))
            continue
        db.session.add(ProviderIP(address=normal))
        existing.add(normal)
        added.append(normal)
    if added:
        audit.record("ips_added", actor, note=f"{len(added)}", data={"ips": added})
    db.session.flush()
    return added, refused


def assign_ip(
    ip: ProviderIP, account: User | None, actor: User, *, in_use_confirmed: bool = False
) -> None:
    """Assign the IP to an applicant's account, or release it (None).

    :raises DomainError: not an applicant; or the IP leaves its account while open or approved
        filings use it and the admin has not confirmed that (DOMAIN.md A6 v2).
    """
    if account is not None and account.role is not Role.applicant:
        raise DomainError(Message(N_("IP 只能分配给申请人账号")))
    leaving = ip.account_id is not None and (account is None or account.id != ip.account_id)
    using = filings_using([ip.address]).get(ip.address, [])
    if leaving and using and not in_use_confirmed:
        numbers = "、".join(f"#{filing_id}" for filing_id in using)
        raise DomainError(
            Message(
                N_(
                    "IP %(ip)s 正被备案 %(filings)s 使用；确认仍要释放或转给其他账号，请勾选“确认”后再提交"
                ),
                {"ip": ip.address, "filings": numbers},
            )
        )
    ip.account_id = account.id if account else None
    ip.assigned_at = utcnow() if account else None
    audit.record(
        "ip_assigned" if account else "ip_released",
        actor,
        note=ip.address,
        data={"account": account.email if account else None, "in_use_by": using},
    )
    db.session.flush()


def remove_ip(ip: ProviderIP, actor: User) -> None:
    """Delete an IP from the pool (one typed by mistake).

    :raises DomainError: the IP is assigned to an account or used by a filing: release it first
        (the filings that used it keep their record of it).
    """
    if ip.account_id is not None:
        raise DomainError(
            Message(N_("IP %(ip)s 已分配给申请人，请先释放再删除"), {"ip": ip.address})
        )
    if filings_using([ip.address]).get(ip.address):
        raise DomainError(Message(N_("IP %(ip)s 正被备案使用，不能删除"), {"ip": ip.address}))
    audit.record("ip_removed", actor, note=ip.address, data={"ip": ip.address})
    db.session.delete(ip)
    db.session.flush()
