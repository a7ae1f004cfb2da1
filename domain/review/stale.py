"""Filings that wait on the applicant too long (DOMAIN.md A6 v2): reminders after
STALE_REMINDER_DAYS, then the system's withdraw after STALE_WITHDRAW_DAYS, both run by
`flask --app app sweep` (on every host at once: on PostgreSQL the filings are taken with SKIP
LOCKED). The states are those from which the system may withdraw (the table says which); drafts
never are. The clock starts when the filing entered its state or the applicant last did something
to it, whichever is later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from domain import audit
from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, Role
from domain.policy import Policy
from domain.review import reviewing
from domain.support import outbox
from extensions import db
from models import AuditEvent, Filing, utcnow

REMINDER = "stale_reminder"


@dataclass
class SweepResult:
    reminded: int = 0
    withdrawn: int = 0


def stale_states() -> frozenset[FilingState]:
    """The states in which a filing waits on the applicant and the system may withdraw it."""
    return frozenset(
        state
        for (state, action), row in workflow.TRANSITIONS.items()
        if action is Action.withdraw and Role.system in row.roles
    )


def last_acts(states: frozenset[FilingState]) -> dict[int, datetime]:
    """Filing id -> the applicant's last act on it, for the filings in `states` (one query)."""
    rows = db.session.execute(
        select(AuditEvent.filing_id, func.max(AuditEvent.created_at))
        .join(Filing, Filing.id == AuditEvent.filing_id)
        .where(
            Filing.state.in_(states),
            AuditEvent.actor_id == Filing.account_id,
            AuditEvent.action != REMINDER,
        )
        .group_by(AuditEvent.filing_id)
    ).all()
    return {filing_id: acted for filing_id, acted in rows if filing_id is not None}


def sweep(policy: Policy, now: datetime | None = None) -> SweepResult:
    """Remind, then withdraw, every filing that waited on its applicant too long."""
    now = now or utcnow()
    result = SweepResult()
    states = stale_states()
    acted = last_acts(states)
    waiting = select(Filing).where(Filing.state.in_(states)).order_by(Filing.id)
    if db.session.get_bind().dialect.name == "postgresql":
        # Another host's sweep at the same time takes the others; a row it has just reminded or
        # withdrawn is seen here with its reminder (read after its commit) or not at all.
        waiting = waiting.with_for_update(of=Filing, skip_locked=True)
    for filing in db.session.scalars(waiting).all():
        touched = max(filing.state_entered_at, acted.get(filing.id, filing.state_entered_at))
        idle = now - touched
        if idle >= timedelta(days=policy.stale_withdraw_days):
            reviewing.advance(
                filing, Action.withdraw, None, policy=policy, now=now,
                note=f"{policy.stale_withdraw_days} 天未处理，系统自动放弃",
            )  # fmt: skip
            result.withdrawn += 1
        elif _remind(filing, idle, now, policy):
            result.reminded += 1
    return result


def _remind(filing: Filing, idle: timedelta, now: datetime, policy: Policy) -> bool:
    """Send the largest reminder that is due and not yet sent since the applicant last acted."""
    due = [days for days in policy.stale_reminder_days if idle >= timedelta(days=days)]
    if not due:
        return False
    days = max(due)
    since = now - idle
    sent = db.session.scalars(
        select(AuditEvent.data).where(
            AuditEvent.filing_id == filing.id,
            AuditEvent.action == REMINDER,
            AuditEvent.created_at >= since,
        )
    ).all()
    if any(data.get("days") == days for data in sent):
        return False
    left = policy.stale_withdraw_days - idle.days
    outbox.enqueue(
        filing, "email", filing.account.email, "filing_reminder",
        filing_id=filing.id, state=filing.state.value, days_left=left,
    )  # fmt: skip
    audit.record(REMINDER, None, filing=filing, data={"days": days}, now=now)
    return True
