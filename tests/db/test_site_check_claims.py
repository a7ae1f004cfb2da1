"""The duties' checks on several hosts at once (PostgreSQL: rows claimed with SKIP LOCKED): two runs
started together check each website once between them, and a site claimed by a run is skipped by
any other within the interval."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.duties import checking
from extensions import db
from models import SiteCheckState
from tests.helpers.postgres import postgres_url

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
SITES = [
    checking.Site(
        number=f"浙ICP备20260000{n:02d}号-1", name=f"站点{n}", subject_number="", subject_name="",
        domains=(f"site{n}.cn",), ips=(), copyright_required=False, filing_id=0,
    )
    for n in range(40)
]  # fmt: skip
LIMITS = checking.Limits(workers=4, run_seconds=30, interval_hours=20)


@pytest.fixture(scope="module")
def database_url(postgres_schema):
    """PostgreSQL only (skipped, with the reason, where no server answers): SKIP LOCKED is its."""
    return postgres_url(postgres_schema)


def test_a_row_locked_by_another_host_is_skipped_then_seen_claimed(app):
    numbers = [site.number for site in SITES[:5]]
    checking.claim("footer", numbers, NOW - timedelta(days=2), timedelta(hours=20))  # rows exist
    with Session(db.engine) as other:  # another host's run, mid-claim
        locked = other.scalars(
            select(SiteCheckState)
            .where(SiteCheckState.website_number.in_(numbers[:3]))
            .with_for_update(skip_locked=True)
        ).all()
        assert len(locked) == 3
        assert checking.claim("footer", numbers, NOW, timedelta(hours=20)) == numbers[3:]
        for state in locked:
            state.claimed_at = NOW
        other.commit()
    assert checking.claim("footer", numbers, NOW + timedelta(hours=1), timedelta(hours=20)) == []


def test_two_runs_at_once_check_each_site_once(app):
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def check(site: checking.Site) -> checking.Outcome:
        time.sleep(0.01)  # the runs overlap
        with lock:
            seen[site.number] += 1
        return checking.Outcome("ok")

    results = []

    def host() -> None:
        with app.app_context():
            results.append(checking.run("footer", SITES, check, lambda s, o: False, LIMITS, NOW))
            db.session.remove()

    threads = [threading.Thread(target=host) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(seen) == sorted(site.number for site in SITES)
    assert set(seen.values()) == {1}
    assert sum(r.checked for r in results) == len(SITES)
