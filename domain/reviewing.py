"""The reviewers' use cases: the queues, claims, decisions at each stage, the bureau's decision.

Two reviewers can never both hold or decide one filing: a claim is a compare-and-set UPDATE (one
statement, so exactly one of two racing claims changes the row, on SQLite and on PostgreSQL), and a
decision needs the actor's live claim plus the version the reviewer saw (workflow.apply).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, or_, select, tuple_, update
from sqlalchemy.orm import contains_eager, joinedload

from domain import queue_cache, workflow
from domain import stage_counts as counters
from domain.i18n import N_
from domain.reasons import REJECTION_REASONS
from domain.rules import Message
from domain.states import Action, FilingState, FilingType, Role
from extensions import db
from models import AuditEvent, Filing, Subject, User, Website, WebsiteDomain, utcnow

QUEUE_STAGES = (
    FilingState.submitted,
    FilingState.re_review,
    FilingState.mail_pending,
    FilingState.bureau_pending,
    FilingState.sms_pending,
    FilingState.sms_failed,
    FilingState.bureau_review,
)
PAGE_SIZE = 25
STAFF_ACTIONS_BY_STAGE = {
    FilingState.submitted: (Action.initial_approve, Action.initial_reject),
    FilingState.re_review: (Action.re_approve, Action.re_approve_mail, Action.re_reject),
    FilingState.mail_pending: (Action.confirm_mail,),
    FilingState.bureau_pending: (Action.submit_to_bureau, Action.submit_to_bureau_no_sms),
    FilingState.sms_failed: (Action.submit_to_bureau, Action.submit_to_bureau_no_sms),
    FilingState.bureau_review: (Action.bureau_approve, Action.bureau_reject),
}
REJECTIONS = frozenset({Action.initial_reject, Action.re_reject, Action.bureau_reject})


class ReviewError(Exception):
    """A reviewer's action was refused; `message` says why."""

    def __init__(self, message: Message):
        super().__init__(message.text)
        self.message = message


# --- queues ---------------------------------------------------------------------------------


@dataclass
class QueueQuery:
    stage: FilingState = FilingState.submitted
    province: str = ""
    filing_type: str = ""
    overdue: bool = False
    search: str = ""
    newest_first: bool = False
    after: str = ""  # keyset cursor


def encode_cursor(filing: Filing) -> str:
    """An opaque cursor after `filing` in queue order (state time, id)."""
    raw = json.dumps([filing.state_entered_at.isoformat(), filing.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The (time, id) of a cursor, or None for a damaged one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, filing_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(moment), int(filing_id)
    except (ValueError, TypeError):
        return None


def queue_page(query: QueueQuery, now: datetime) -> tuple[list[Filing], str | None]:
    """One page of a stage's queue (keyset pagination, not OFFSET) and the cursor of the next."""
    order = (Filing.state_entered_at, Filing.id)
    statement = (
        select(Filing)
        .join(Subject, Filing.subject_id == Subject.id)
        .options(contains_eager(Filing.subject), joinedload(Filing.claimed_by))  # one query
        .where(Filing.state == query.stage)
    )
    statement = _filters(statement, query, now)
    cursor = decode_cursor(query.after) if query.after else None
    if cursor is not None:
        key = tuple_(*order)
        statement = statement.where(
            key < tuple_(*cursor) if query.newest_first else key > tuple_(*cursor)
        )
    ordering = [column.desc() for column in order] if query.newest_first else list(order)
    rows = db.session.scalars(statement.order_by(*ordering).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def _filters(statement, query: QueueQuery, now: datetime):
    if query.province:
        statement = statement.where(Filing.province == query.province)
    if query.filing_type in (FilingType.new_access.value, FilingType.continued_access.value):
        statement = statement.where(Filing.filing_type == FilingType(query.filing_type))
    if query.overdue:
        statement = statement.where(Filing.due_at < now)
    term = query.search.strip()
    if term:
        number = term.lstrip("#")
        by_domain = exists(
            select(WebsiteDomain.id)
            .join(Website, WebsiteDomain.website_id == Website.id)
            .where(Website.filing_id == Filing.id, WebsiteDomain.domain.like(f"%{term.lower()}%"))
        )
        by_site_number = exists(
            select(Website.id).where(Website.filing_id == Filing.id, Website.icp_number == term)
        )
        conditions = [
            Subject.name.like(f"%{term}%"),
            Subject.certificate_number == term.upper(),
            Subject.icp_number == term,
            by_site_number,
            by_domain,
        ]
        if number.isdigit() and int(number) < 2**31:  # a mobile or ID number is no filing id
            conditions.append(Filing.id == int(number))
        statement = statement.where(or_(*conditions))
    return statement


def stage_counts() -> dict[FilingState, int]:
    """How many filings wait at each stage (the counters kept by workflow.apply)."""
    return {state: n for state, n in counters.read().items() if state in QUEUE_STAGES}


def overdue_counts(now: datetime) -> dict[FilingState, int]:
    """How many filings are past their deadline at each stage.

    Counting them reads every overdue row, and a deadline passes by the clock rather than by a
    write, so each process keeps the figures for OVERDUE_COUNTS_SECONDS (30 s by default), on the
    app object like the queue panels (domain.queue_cache).
    """
    ttl = current_app.config["OVERDUE_COUNTS_SECONDS"]
    cached = current_app.extensions.get("overdue_counts")
    if cached is not None and ttl and time.monotonic() - cached[0] < ttl:
        return cached[1]
    rows = db.session.execute(
        select(Filing.state, func.count())
        .where(Filing.state.in_(QUEUE_STAGES), Filing.due_at < now)
        .group_by(Filing.state)
    ).all()
    counts = dict(rows)
    current_app.extensions["overdue_counts"] = (time.monotonic(), counts)
    return counts


# --- claims ---------------------------------------------------------------------------------


def claim_timeout() -> timedelta:
    return timedelta(minutes=current_app.config["CLAIM_TIMEOUT_MINUTES"])


def holds_claim(filing: Filing, reviewer: User, now: datetime) -> bool:
    """Whether `reviewer` holds a live claim on the filing."""
    return (
        filing.claimed_by_id == reviewer.id
        and filing.claimed_at is not None
        and filing.claimed_at > now - claim_timeout()
    )


def claim(filing: Filing, reviewer: User, now: datetime | None = None) -> bool:
    """Take the filing for review: True if this reviewer now holds it (compare-and-set).

    The claim is one UPDATE that succeeds only when nobody else holds a live claim and the filing
    is still in a reviewer's stage; it also bumps the version, so a decision from a page read
    before someone else's claim is stale.
    """
    now = now or utcnow()
    if reviewer.role not in (Role.reviewer, Role.admin):
        return False
    free = or_(
        Filing.claimed_by_id.is_(None),
        Filing.claimed_by_id == reviewer.id,
        Filing.claimed_at <= now - claim_timeout(),
    )
    result = db.session.execute(
        update(Filing)
        .where(Filing.id == filing.id, Filing.state.in_(STAFF_ACTIONS_BY_STAGE), free)
        .values(claimed_by_id=reviewer.id, claimed_at=now, version=Filing.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(filing)
    if result.rowcount != 1:
        return False
    db.session.add(
        AuditEvent(filing_id=filing.id, actor_id=reviewer.id, actor_role=reviewer.role, action="claim",
                   internal=True, created_at=now)
    )  # fmt: skip
    queue_cache.bump()
    db.session.flush()
    return True


def release(filing: Filing, reviewer: User) -> None:
    """Give the filing back to the queue (only the holder can)."""
    result = db.session.execute(
        update(Filing)
        .where(Filing.id == filing.id, Filing.claimed_by_id == reviewer.id)
        .values(claimed_by_id=None, claimed_at=None, version=Filing.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(filing)
    if result.rowcount == 1:
        db.session.add(
            AuditEvent(filing_id=filing.id, actor_id=reviewer.id, actor_role=reviewer.role,
                       action="release", internal=True)
        )  # fmt: skip
        queue_cache.bump()
        db.session.flush()


# --- decisions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    field: str
    code: str
    text: str = ""

    def as_dict(self) -> dict:
        label = REJECTION_REASONS.get(self.code, "")
        return {"field": self.field, "code": self.code,
                "reason": "；".join(part for part in (label, self.text) if part)}  # fmt: skip


def decide(
    filing: Filing,
    reviewer: User,
    action: Action,
    *,
    expected_version: int,
    reasons: list[Reason] = (),
    note: str = "",
    internal_note: str = "",
    receipt: str = "",
    now: datetime | None = None,
) -> None:
    """A reviewer's decision at the filing's stage, under their live claim.

    :raises ReviewError: no live claim, an action not of this stage, or a rejection without reason.
    :raises workflow.WorkflowError: refused by the state machine (stale version, guard, role).
    """
    now = now or utcnow()
    if action not in STAFF_ACTIONS_BY_STAGE.get(filing.state, ()):
        raise ReviewError(Message(N_("当前阶段不能执行该操作")))
    if not holds_claim(filing, reviewer, now):
        raise ReviewError(Message(N_("请先领取该备案再处理（可能已被他人领取或领取已超时）")))
    if action in REJECTIONS and not (reasons or note.strip()):
        raise ReviewError(Message(N_("驳回时请至少填写一条原因")))
    if action is Action.bureau_reject and not note.strip():
        raise ReviewError(Message(N_("请填写管局驳回原因")))
    data = {"reasons": [r.as_dict() for r in reasons]} if reasons else {}
    if receipt:
        data["receipt"] = receipt
    workflow.apply(filing, action, reviewer, note=note.strip(), data=data,
                   expected_version=expected_version, now=now)  # fmt: skip
    if internal_note.strip():
        db.session.add(
            AuditEvent(filing_id=filing.id, actor_id=reviewer.id, actor_role=reviewer.role,
                       action="internal_note", note=internal_note.strip(), internal=True, created_at=now)
        )  # fmt: skip
        db.session.flush()
