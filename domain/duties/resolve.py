"""Resolve checks (DOMAIN.md A9, B R-A-3): the domains of each website held here must keep pointing
at the provider's IPs (the IP pool). A website none of whose domains resolved (A, AAAA) to the pool
on AWAY_DAYS days in a row is *away*: its account is told to point the domains back or cancel
access by a deadline (AWAY_DEADLINE_DAYS calendar days); after it, staff may open a 取消接入 for it
on the account's behalf (the provider's order). A website that resolves here again is no longer
away. A resolver that did not answer changes nothing.

`flask --app app compliance resolve` runs run().
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from domain import audit
from domain.duties import checking
from domain.duties.checking import Limits, Outcome, RunResult, Site
from domain.errors import DomainError
from domain.filing import orders
from domain.lifecycle.states import LabelledEnum
from domain.policy import Policy
from domain.ports import DnsResolver, Registry
from domain.support import outbox
from domain.support.i18n import N_, Message
from extensions import db
from models import Filing, ProviderIP, SiteCheckState, User, Website

DUTY = "resolve"


class ResolveResult(LabelledEnum):
    """One website's resolve check, as stored and as shown."""

    here = "here", N_("解析到本服务商")
    elsewhere = "elsewhere", N_("未解析到本服务商的 IP")
    unresolved = "unresolved", N_("域名无解析记录")
    resolver_error = "resolver_error", N_("解析服务器未应答")


NOT_HERE = (ResolveResult.elsewhere.value, ResolveResult.unresolved.value)


class CancelRefused(DomainError):
    """Staff cannot open a 取消接入 for this website (not away, deadline not passed, …)."""


def ip_pool() -> frozenset[str]:
    """The provider's IPs (every address of the pool, assigned or not)."""
    return frozenset(db.session.scalars(select(ProviderIP.address)).all())


def check_site(site: Site, resolver: DnsResolver, pool: frozenset[str]) -> Outcome:
    """The resolve check of one site (the resolver only, no database: runs in a worker thread)."""
    found: dict[str, list[str]] = {}
    errors = 0
    for domain in site.domains:
        addresses: list[str] = []
        for record_type in ("A", "AAAA"):
            try:
                addresses += resolver.resolve(domain, record_type)
            except ConnectionError:
                errors += 1
        found[domain] = addresses
    every = {a for addresses in found.values() for a in addresses}
    if every & pool:
        result = ResolveResult.here
    elif errors:
        result = ResolveResult.resolver_error  # not sure: counts neither way
    elif every:
        result = ResolveResult.elsewhere
    else:
        result = ResolveResult.unresolved
    return Outcome(result.value, {"domains": found})


def record(site: Site, outcome: Outcome, limits: Limits, policy: Policy, now: datetime) -> bool:
    """Write one site's result and its history; mark it away (and tell the account) on the
    AWAY_DAYS-th day in a row not resolving here; back to normal when it resolves here. True when
    a notice went out."""
    state = checking.state_of(DUTY, site.number)
    today = checking.shanghai_date(now)
    state.result, state.checked_at = outcome.result, now
    checking.add_history(DUTY, site.number, outcome, now)
    filing = db.session.get(Filing, site.filing_id)
    if outcome.result == ResolveResult.here:
        if state.notified_at is not None:
            audit.record("website_back", None, filing=filing, data={"website": site.number})
        state.failures, state.failing_since = 0, None
        state.notified_at = state.deadline = None
        return False
    if outcome.result not in NOT_HERE:
        return False
    state.failures = (state.failures or 0) + 1
    state.failing_since = state.failing_since or today
    days = (today - state.failing_since).days + 1
    if days < limits.away_days or state.notified_at is not None:
        return False
    state.notified_at, state.deadline = now, today + timedelta(days=limits.away_deadline_days)
    if filing is not None:
        outbox.enqueue(
            filing, "email", filing.account.email, "website_away",
            website=site.name, website_number=site.number, days=days,
            deadline=state.deadline.isoformat(), provider_name=policy.provider_name,
        )  # fmt: skip
    audit.record(
        "website_away", None, filing=filing,
        data={"website": site.number, "days": days, "deadline": state.deadline.isoformat()},
    )  # fmt: skip
    return True


def run(
    resolver: DnsResolver,
    policy: Policy,
    limits: Limits,
    now: datetime | None = None,
    limit: int | None = None,
) -> RunResult:
    """Resolve the domains of the websites held here (up to `limit`), and audit the run."""
    now = checking.now_or_utc(now)
    pool = ip_pool()
    result = checking.run(
        DUTY, checking.held_sites(policy.provider_code),
        lambda site: check_site(site, resolver, pool),
        lambda site, outcome: record(site, outcome, limits, policy, now),
        limits, now, limit,
    )  # fmt: skip
    checking.audit_run(DUTY, result)
    return result


def away_states() -> list[SiteCheckState]:
    """The websites marked away, the earliest deadline first."""
    return list(
        db.session.scalars(
            select(SiteCheckState)
            .where(SiteCheckState.duty == DUTY, SiteCheckState.notified_at.is_not(None))
            .order_by(SiteCheckState.deadline, SiteCheckState.website_number)
        )
    )


def may_cancel(state: SiteCheckState | None, now: datetime) -> bool:
    """Whether staff may open a 取消接入 for the website: away and its deadline passed."""
    return (
        state is not None
        and state.deadline is not None
        and checking.shanghai_date(now) > state.deadline
    )


def open_cancel(
    staff: User,
    website_number: str,
    policy: Policy,
    *,
    confirmed_shells: bool,
    now: datetime | None = None,
    registry: Registry | None = None,
) -> Filing:
    """Open and submit a 取消接入 of an away website past its deadline, on its holder's behalf.

    :raises CancelRefused: the website is not held here, not away, or its deadline has not passed.
    :raises orders.OrderRefused: the subject has an open order, or a shell (空壳) not confirmed.
    """
    now = checking.now_or_utc(now)
    state = db.session.get(SiteCheckState, (DUTY, website_number))
    if not may_cancel(state, now):
        raise CancelRefused(Message(N_("该网站未被标记为未解析到本服务商，或改正期限尚未届满")))
    website = held_website(website_number)
    if website is None:
        raise CancelRefused(Message(N_("该网站已不是在本服务商接入的网站")))
    assert state is not None and state.deadline is not None
    note = f"{state.deadline.isoformat()}"
    return orders.start_cancel_by_staff(
        staff, website, policy, confirmed_shells=confirmed_shells, now=now, registry=registry,
        data={"reason": "website_away", "website": website_number, "deadline": note},
    )  # fmt: skip


def held_website(website_number: str) -> Website | None:
    """The record held here with this number (any account), or None."""
    for website in orders.held_websites():
        if website.icp_number == website_number:
            return website
    return None
