"""The provider's public IP pool: which IPs an account holds (product verification needs one)."""

from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import ProviderIP, User, utcnow


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
