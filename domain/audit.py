"""The audit trail: one helper writes every event that is not a transition (apply() writes those)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.lifecycle.states import Role
from extensions import db
from models import AuditEvent, Filing, User, utcnow


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
