"""The audit trail: one helper writes every event that is not a transition (apply() writes those)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from domain.lifecycle.states import Role
from domain.support.paging import keyset_page
from extensions import db
from models import TRAIL_PREDICATE, AuditEvent, Filing, User, utcnow

# Staff looking at personal data (issue 15): audited, searchable by the admin, but not part of a
# filing's trail on the review screen.
VIEWS = frozenset({"material_viewed", "review_viewed"})


def record(
    action: str,
    actor: User | None,
    *,
    filing: Filing | None = None,
    note: str = "",
    internal: bool = False,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add one audit event in the caller's transaction (None as actor: the system)."""
    event = AuditEvent(
        filing_id=filing.id if filing is not None else None,
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else Role.system,
        action=action,
        note=note,
        internal=internal,
        data=data or {},
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event


def trail(filing: Filing) -> list[AuditEvent]:
    """The filing's trail as staff read it: every event but the looks at its personal data (a
    review screen opened all day would otherwise load thousands of them)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.filing_id == filing.id, text(TRAIL_PREDICATE))  # its index's words
            .order_by(AuditEvent.id)
        )
    )


AUDIT_PAGE_SIZE = 100


def search(
    filing_id: int = 0,
    action: str = "",
    actor: str = "",
    older_than: int = 0,
    newer_than: int = 0,
    *,
    views: bool = False,
) -> tuple[list[AuditEvent], int | None, int | None]:
    """One page of the audit log, newest first, by filing, action and actor e-mail (part of it),
    with the id to pass as `older_than` for the next page and as `newer_than` for the one before
    (keyset pages by id; None: no such page). The looks at personal data (VIEWS) are left out
    unless `views` or the action asked for is one of them."""
    query = select(AuditEvent)
    if filing_id:
        query = query.where(AuditEvent.filing_id == filing_id)
    if action:
        query = query.where(AuditEvent.action == action)
    elif not views:
        query = query.where(AuditEvent.action.not_in(sorted(VIEWS)))
    if actor:
        query = query.join(User, AuditEvent.actor_id == User.id).where(
            User.email.contains(actor, autoescape=True)  # % and _ are not wildcards
        )
    page = keyset_page(query, AuditEvent.id, AUDIT_PAGE_SIZE, older_than, newer_than)
    return page.rows, page.after, page.before


def action_codes() -> list[str]:
    """Every action the audit log holds (unsorted: the console sorts them as the admin reads them)."""
    return list(db.session.scalars(select(AuditEvent.action).distinct()))
