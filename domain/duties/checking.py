"""What the footer and the resolve checks share: the websites held here as plain values, the claim
of a batch by one run (several hosts at once: SKIP LOCKED, and a site is checked at most once per
CHECK_INTERVAL_HOURS), a run bounded in concurrency and time, and the results as staff, applicants
and reviewers read them.

A run takes the sites in batches: a batch is claimed in a short transaction (committed, so another
host skips it), checked by a pool of threads that touch only the ports (never the database), then
recorded in one transaction. A run past CHECK_RUN_SECONDS claims nothing more and records only what
has come back; a site it claimed but did not record is checked by a later run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from domain import audit
from domain.filing import orders
from domain.lifecycle.workdays import SHANGHAI
from extensions import db
from models import (
    Filing,
    ProvinceRule,
    RegistrySubject,
    RegistryWebsite,
    SiteCheck,
    SiteCheckState,
    utcnow,
)

log = logging.getLogger(__name__)
BATCH = 100  # sites claimed, checked and recorded together
HISTORY = 30  # results shown per website on the staff's page


@dataclass(frozen=True)
class Limits:
    """The settings a run works under (config.py: the duties' block)."""

    workers: int = 8
    run_seconds: float = 1800.0
    interval_hours: float = 20.0
    footer_fix_days: int = 10
    away_days: int = 7
    away_deadline_days: int = 15

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """The limits `config` (Flask's, or a mapping with the same keys) sets."""
        return cls(
            workers=max(1, int(config["CHECK_WORKERS"])),
            run_seconds=float(config["CHECK_RUN_SECONDS"]),
            interval_hours=float(config["CHECK_INTERVAL_HOURS"]),
            footer_fix_days=int(config["FOOTER_FIX_DAYS"]),
            away_days=int(config["AWAY_DAYS"]),
            away_deadline_days=int(config["AWAY_DEADLINE_DAYS"]),
        )


@dataclass(frozen=True)
class Site:
    """One website held here as a check needs it: plain values, safe to hand to a thread."""

    number: str
    name: str
    subject_number: str
    subject_name: str
    domains: tuple[str, ...]
    ips: tuple[str, ...]  # its IPs on record here (the provider's)
    copyright_required: bool  # its province's rule asks for 版权所有 and the subject's name
    filing_id: int  # the approved order that holds it (its account gets the notices)


@dataclass(frozen=True)
class Outcome:
    """What a check found for one site: its result and what shows why (per domain)."""

    result: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """What one run did: sites checked, per result; sites it left for a later run."""

    checked: int = 0
    results: dict[str, int] = field(default_factory=dict)
    notices: int = 0
    left: int = 0


def shanghai_date(moment: datetime) -> date:
    """The date of `moment` in Asia/Shanghai (a deadline's and a day's meaning)."""
    return moment.astimezone(SHANGHAI).date()


def held_sites(provider_code: str) -> list[Site]:
    """Every approved website held here whose registry record lists this provider, with its
    domains, IPs and what its footer must show."""
    websites = orders.held_websites()
    filing_ids = {w.filing_id for w in websites}
    for part in chunks(sorted(filing_ids), 500):  # load subjects in a few queries, not one a site
        db.session.scalars(
            select(Filing).where(Filing.id.in_(part)).options(selectinload(Filing.subject))
        ).all()
    listed: set[str] = set()
    numbers = sorted({w.icp_number for w in websites if w.icp_number})
    for part in chunks(numbers, 500):
        rows = db.session.execute(
            select(RegistryWebsite.website_number, RegistryWebsite.access_providers).where(
                RegistryWebsite.website_number.in_(part)
            )
        ).all()
        listed |= {n for n, providers in rows if provider_code in providers.split(";")}
    copyright_in = set(
        db.session.scalars(select(ProvinceRule.code).where(ProvinceRule.copyright_footer)).all()
    )
    sites = []
    for website in websites:
        if website.icp_number not in listed:
            continue
        filing = website.filing
        sites.append(
            Site(
                number=website.icp_number,
                name=website.name,
                subject_number=filing.registry_subject_number,
                subject_name=filing.subject.name,
                domains=tuple(d.domain for d in website.domains),
                ips=tuple(ip.address for ip in website.ips),
                copyright_required=filing.province in copyright_in,
                filing_id=filing.id,
            )  # fmt: skip
        )
    return sites


def chunks(values: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    """`values` in slices of `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _insert_missing(duty: str, numbers: Collection[str]) -> None:
    """A state row for each number that has none (two hosts adding the same row: one wins)."""
    if not numbers:
        return
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"duty": duty, "website_number": n, "result": "", "failures": 0} for n in numbers]
    db.session.execute(insert(SiteCheckState).values(rows).on_conflict_do_nothing())


def claim(
    duty: str,
    numbers: Sequence[str],
    now: datetime,
    interval: timedelta,
    most: int | None = None,
) -> list[str]:
    """Take (up to `most` of) the sites among `numbers` not claimed by any run within `interval`,
    and commit: a run on another host at the same time skips the rows locked here (PostgreSQL)
    and, once this commits, sees them claimed."""
    _insert_missing(duty, numbers)
    query = (
        select(SiteCheckState)
        .where(
            SiteCheckState.duty == duty,
            SiteCheckState.website_number.in_(numbers),
            or_(SiteCheckState.claimed_at.is_(None), SiteCheckState.claimed_at <= now - interval),
        )
        .order_by(SiteCheckState.website_number)
        .limit(most)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    taken = []
    for state in db.session.scalars(query).all():
        state.claimed_at = now
        taken.append(state.website_number)
    db.session.commit()
    return taken


def state_of(duty: str, number: str) -> SiteCheckState:
    """The state row of a claimed site."""
    state = db.session.get(SiteCheckState, (duty, number))
    if state is None:  # claimed rows exist; this only guards a row deleted meanwhile
        state = SiteCheckState(duty=duty, website_number=number, result="", failures=0)
        db.session.add(state)
    return state


def add_history(duty: str, number: str, outcome: Outcome, now: datetime) -> None:
    """One row of the history staff read."""
    db.session.add(
        SiteCheck(
            duty=duty,
            website_number=number,
            result=outcome.result,
            detail=outcome.detail,
            checked_at=now,
        )  # fmt: skip
    )


def run(
    duty: str,
    sites: Sequence[Site],
    check: Callable[[Site], Outcome],
    record: Callable[[Site, Outcome], bool],
    limits: Limits,
    now: datetime,
    limit: int | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> RunResult:
    """Check `sites` (up to `limit` of them) in claimed batches, `limits.workers` at once, until
    done or `limits.run_seconds` passed; `record` writes one outcome (True: a notice went out).
    Commits after each batch."""
    result = RunResult()
    stop_at = clock() + limits.run_seconds
    interval = timedelta(hours=limits.interval_hours)
    by_number = {site.number: site for site in sites}
    numbers = sorted(by_number)
    pool = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix=f"{duty}-check")
    try:
        for part in chunks(numbers, BATCH):
            room = None if limit is None else limit - result.checked - result.left
            if clock() >= stop_at or room == 0:
                break
            taken = claim(duty, part, now, interval, room)
            futures: dict[Future[Outcome], Site] = {
                pool.submit(check, by_number[number]): by_number[number] for number in taken
            }
            done, pending = wait(futures, timeout=max(0.0, stop_at - clock()))
            for future in pending:
                future.cancel()
            result.left += len(pending)
            for future in done:
                site = futures[future]
                try:
                    outcome = future.result()
                except Exception:  # a bug in a check must not stop the others
                    log.exception("%s check of %s failed", duty, site.number)
                    result.left += 1
                    continue
                if record(site, outcome):
                    result.notices += 1
                result.checked += 1
                result.results[outcome.result] = result.results.get(outcome.result, 0) + 1
            db.session.commit()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return result


def audit_run(duty: str, result: RunResult) -> None:
    """One audit event for a duty's run (`footer_checked`, `resolve_checked`) with its counts, and
    the commit that ends the run."""
    audit.record(
        f"{duty}_checked", None,
        data={"checked": result.checked, "results": result.results, "notices": result.notices,
              "left": result.left},
    )  # fmt: skip
    db.session.commit()


# --- what people read -----------------------------------------------------------------------


def states_for(duty: str, numbers: Collection[str]) -> dict[str, SiteCheckState]:
    """Website number -> its state in `duty` (the numbers never checked are left out)."""
    found: dict[str, SiteCheckState] = {}
    for part in chunks(sorted(numbers), 500):
        for state in db.session.scalars(
            select(SiteCheckState).where(
                SiteCheckState.duty == duty, SiteCheckState.website_number.in_(part)
            )
        ):
            if state.checked_at is not None:
                found[state.website_number] = state
    return found


def subject_website_numbers(subject_number: str) -> list[str]:
    """The registry's website numbers of a subject (its filed sites)."""
    if not subject_number:
        return []
    return list(
        db.session.scalars(
            select(RegistryWebsite.website_number)
            .join(RegistrySubject, RegistryWebsite.subject_id == RegistrySubject.id)
            .where(RegistrySubject.subject_number == subject_number)
            .order_by(RegistryWebsite.website_number)
        )
    )


def history(duty: str, number: str, limit: int = HISTORY) -> list[SiteCheck]:
    """A website's last results in `duty`, newest first."""
    return list(
        db.session.scalars(
            select(SiteCheck)
            .where(SiteCheck.duty == duty, SiteCheck.website_number == number)
            .order_by(SiteCheck.id.desc())
            .limit(limit)
        )
    )


def now_or_utc(now: datetime | None) -> datetime:
    """`now`, or the current time."""
    return now or utcnow()


PROBLEMS_SHOWN = 500


def console_rows(duty: str, problems_only: bool, ok_results: Collection[str]) -> list[Any]:
    """The staff's list: (state, website name) of the checked websites, problems first (those
    with a notice, by deadline), at most PROBLEMS_SHOWN."""
    query = (
        select(SiteCheckState, RegistryWebsite.name)
        .outerjoin(RegistryWebsite, RegistryWebsite.website_number == SiteCheckState.website_number)
        .where(SiteCheckState.duty == duty, SiteCheckState.checked_at.is_not(None))
        .order_by(
            SiteCheckState.deadline.is_(None),
            SiteCheckState.deadline,
            SiteCheckState.failures.desc(),
            SiteCheckState.website_number,
        )  # fmt: skip
        .limit(PROBLEMS_SHOWN)
    )
    if problems_only:
        query = query.where(SiteCheckState.result.not_in(list(ok_results)))
    return list(db.session.execute(query).all())
