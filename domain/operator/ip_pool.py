"""The provider's public IP pool: which IPs an account holds (product verification needs one), and
which filings use each IP (an IP in use is not released without the admin confirming it)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from domain.lifecycle.states import FilingState
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
