"""The reviewers' use cases: the queues, claims, decisions at each stage, the bureau's decision.

Two reviewers can never both hold or decide one filing: a claim is a compare-and-set UPDATE (one
statement, so exactly one of two racing claims changes the row, on SQLite and on PostgreSQL), and a
decision needs the actor's live claim plus the version the reviewer saw (workflow.apply).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, exists, func, literal, or_, select, tuple_, union_all, update
from sqlalchemy.orm import contains_eager, joinedload

from domain import audit
from domain.errors import DomainError
from domain.filing import materials, numbering, orders, record_orders, sms
from domain.lifecycle import stage_counts as counters
from domain.lifecycle import workflow
from domain.lifecycle.states import NEW_FILINGS, Action, FilingState, FilingType, OrderKind, Role
from domain.lifecycle.workdays import shanghai_today
from domain.policy import Policy
from domain.ports import Bureau, IssuedNumbers, Registry
from domain.rulebook.reasons import OTHER, REASON_LABELS
from domain.rulebook.registry import LocalRegistry
from domain.support.i18n import N_, Message
from domain.support.numbers import parse_whole_number
from domain.support.upsert import rows_changed
from extensions import db
from models import AuditEvent, Filing, Subject, User, Website, WebsiteDomain, utcnow

PAGE_SIZE = 25


class ReviewError(DomainError):
    """A reviewer's action was refused."""


# --- queues ---------------------------------------------------------------------------------


@dataclass
class QueueQuery:
    stage: FilingState | None = FilingState.submitted  # None: every state but draft
    province: str = ""
    filing_type: str = ""  # new_access / continued_access (access orders), or an order kind (A7)
    overdue: bool = False
    search: str = ""
    newest_first: bool = False
    after: str = ""  # keyset cursor: the page after this filing
    before: str = ""  # keyset cursor: the page before this filing (上一页)


def encode_cursor(filing: Filing) -> str:
    """An opaque cursor after `filing` in queue order (state time, id)."""
    raw = json.dumps([filing.state_entered_at.isoformat(), filing.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The (time, id) of a cursor, or None for a damaged one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, filing_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        when, number = datetime.fromisoformat(moment), int(filing_id)
    except (ValueError, TypeError, RecursionError):
        return None
    # A forged cursor: the columns take an aware time and an INTEGER id (else a 500 on PostgreSQL).
    if when.tzinfo is None or not 0 <= number < 2**31:
        return None
    return when, number


class QueuePage(NamedTuple):
    filings: list[Filing]
    next_cursor: str | None  # 下一页: after the last row
    previous_cursor: str | None  # 上一页: before the first row


def queue_page(query: QueueQuery, now: datetime) -> QueuePage:
    """One page of a stage's queue (keyset pagination, not OFFSET), with the cursors of the pages
    after and before it (`before` reads the queue backwards from its cursor)."""
    order = (Filing.state_entered_at, Filing.id)
    statement = (
        select(Filing)
        .join(Subject, Filing.subject_id == Subject.id)
        .options(contains_eager(Filing.subject), joinedload(Filing.claimed_by))  # one query
    )
    if query.stage is None:
        statement = statement.where(Filing.state != FilingState.draft)
    else:
        statement = statement.where(Filing.state == query.stage)
    statement = _filters(statement, query, now)
    backwards = bool(query.before) and not query.after
    raw = query.before if backwards else query.after
    cursor = decode_cursor(raw) if raw else None
    descending = query.newest_first != backwards  # reading backwards flips the order
    if cursor is not None:
        key = tuple_(*order)
        statement = statement.where(key < tuple_(*cursor) if descending else key > tuple_(*cursor))
    ordering = [column.desc() for column in order] if descending else list(order)
    rows = db.session.scalars(statement.order_by(*ordering).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    page = list(rows[:PAGE_SIZE])
    if backwards:
        page.reverse()
        return QueuePage(
            page, encode_cursor(page[-1]) if page else None,
            encode_cursor(page[0]) if more and page else None,
        )  # fmt: skip
    return QueuePage(
        page, encode_cursor(page[-1]) if more and page else None,
        encode_cursor(page[0]) if cursor is not None and page else None,
    )  # fmt: skip


def _filters(statement: Select[Filing], query: QueueQuery, now: datetime) -> Select[Filing]:
    if query.province:
        statement = statement.where(Filing.province == query.province)
    if query.filing_type in (FilingType.new_access.value, FilingType.continued_access.value):
        statement = statement.where(
            Filing.filing_type == FilingType(query.filing_type), Filing.kind == OrderKind.access
        )
    elif query.filing_type in {kind.value for kind in OrderKind} - {OrderKind.access.value}:
        statement = statement.where(Filing.kind == OrderKind(query.filing_type))
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
        # a mobile or ID number is no filing id (too long for the column)
        filing_id = parse_whole_number(number)
        if filing_id is not None:
            conditions.append(Filing.id == filing_id)
        statement = statement.where(or_(*conditions))
    return statement


def stage_counts() -> dict[FilingState, int]:
    """How many filings wait at each stage (the counters kept by workflow.apply)."""
    return {state: n for state, n in counters.read().items() if workflow.in_queue(state)}


def total_count() -> int:
    """How many filings there are beyond drafts (the "all" tab)."""
    return sum(counters.read().values())


OVERDUE_SHOWN = 999  # a queue tab shows up to this many overdue filings, then "999+"


def overdue_counts(now: datetime) -> dict[FilingState, int]:
    """How many filings are past their deadline at each stage, up to OVERDUE_SHOWN + 1 (the tab
    says "999+" then): each stage's count reads at most that many entries of the (state, due_at)
    index, where counting them all read every overdue row (0.3 s with 600 000 late orders)."""
    late = [
        select(literal(state.value).label("state"), func.count().label("late")).select_from(
            select(literal(1))
            .where(Filing.state == state, Filing.due_at < now)
            .limit(OVERDUE_SHOWN + 1)
            .subquery()
        )
        for state in workflow.QUEUE_STAGES
    ]
    rows = db.session.execute(union_all(*late)).all()
    return {FilingState(state): count for state, count in rows if count}


# --- claims ---------------------------------------------------------------------------------


def claim_timeout(policy: Policy) -> timedelta:
    """How long a claim lasts before another reviewer may take the filing."""
    return timedelta(minutes=policy.claim_timeout_minutes)


def holds_claim(filing: Filing, reviewer: User, now: datetime, policy: Policy) -> bool:
    """Whether `reviewer` holds a live claim on the filing."""
    return (
        filing.claimed_by_id == reviewer.id
        and filing.claimed_at is not None
        and filing.claimed_at > now - claim_timeout(policy)
    )


def claimed_by_other(filing: Filing, reviewer: User, now: datetime, policy: Policy) -> bool:
    """Whether someone other than `reviewer` holds a live claim on the filing."""
    return (
        filing.claimed_by_id not in (None, reviewer.id)
        and filing.claimed_at is not None
        and filing.claimed_at > now - claim_timeout(policy)
    )


def next_in_queue(
    stage: FilingState, reviewer: User, policy: Policy, now: datetime, skip: int | None = None
) -> Filing | None:
    """The oldest filing of the stage's queue this reviewer may take now (free, lapsed, or
    already theirs), `skip` aside: "next filing in this queue" after a decision."""
    free = or_(
        Filing.claimed_by_id.is_(None),
        Filing.claimed_by_id == reviewer.id,
        Filing.claimed_at <= now - claim_timeout(policy),
    )
    statement = select(Filing).where(Filing.state == stage, free)
    if skip is not None:
        statement = statement.where(Filing.id != skip)
    return db.session.scalars(
        statement.order_by(Filing.state_entered_at, Filing.id).limit(1)
    ).first()


def take_next(
    stage: FilingState, reviewer: User, policy: Policy, now: datetime, skip: int | None = None
) -> Filing | None:
    """Claim the oldest filing of the stage's queue this reviewer may take (处理本队列下一件): the
    one found, claimed; another when someone claimed that one first; None when none is left."""
    passed: set[int] = set()
    for _attempt in range(5):  # a race lost is rare: a few tries, then the queue page
        filing = next_in_queue(stage, reviewer, policy, now, skip)
        if filing is None or filing.id in passed:
            return None
        if claim(filing, reviewer, policy, now):
            return filing
        passed.add(filing.id)
    return None


def claim(filing: Filing, reviewer: User, policy: Policy, now: datetime | None = None) -> bool:
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
        Filing.claimed_at <= now - claim_timeout(policy),
    )
    claimed = rows_changed(
        update(Filing)
        .where(Filing.id == filing.id, Filing.state.in_(workflow.staff_stages()), free)
        .values(claimed_by_id=reviewer.id, claimed_at=now, version=Filing.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(filing)
    if claimed != 1:
        return False
    audit.record("claim", reviewer, filing=filing, internal=True, now=now)
    counters.bump_queue()
    db.session.flush()
    return True


def release(filing: Filing, reviewer: User) -> None:
    """Give the filing back to the queue (only the holder can)."""
    released = rows_changed(
        update(Filing)
        .where(Filing.id == filing.id, Filing.claimed_by_id == reviewer.id)
        .values(claimed_by_id=None, claimed_at=None, version=Filing.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(filing)
    if released == 1:
        audit.record("release", reviewer, filing=filing, internal=True)
        counters.bump_queue()
        db.session.flush()


# --- decisions ---------------------------------------------------------------------------------


def advance(
    filing: Filing,
    action: Action,
    actor: User | None,
    *,
    policy: Policy,
    now: datetime | None = None,
    bureau: Bureau | None = None,
    registry: Registry | None = None,
    numbers: IssuedNumbers | None = None,
    **options: Any,
) -> AuditEvent:
    """workflow.apply() with what follows from the step, in the same transaction: a submission to
    the bureau hands the filing to the bureau gateway; an approval lists this provider as an
    access provider of each website in the registry (A5); a rejection or a return reopens the
    authenticity checks it names (A6 v2); the approval of a new filing (A8) gives it its numbers
    (`numbers`, the bureau's answer; None: the bureau gateway issues them) and puts it on the
    registry. The way staff and the bureau move a filing (`options` as for apply). `bureau` and
    `registry` are the runtime's (None: the simulated bureau, the local tables).

    :raises workflow.WorkflowError: refused by the state machine.
    :raises numbering.NumbersRefused: numbers that cannot be the bureau's.
    """
    now = now or utcnow()
    event = workflow.apply(filing, action, actor, policy=policy, now=now, **options)
    if action is Action.bureau_approve and filing.kind in NEW_FILINGS:
        if numbers is None and bureau is not None:
            numbers = bureau.issue_numbers(filing, now, policy)
        if numbers is None:  # the simulated bureau: the app issues them as the bureau would
            numbers = numbering.simulated_numbers(filing, now, registry)
        numbering.complete(filing, numbers, policy.provider_code, now, registry)
        event.data = {
            **event.data,
            "subject_number": numbers.subject_number,
            "website_numbers": list(numbers.website_numbers),
        }
    if action is Action.submit_to_bureau:
        if bureau is None or bureau.submit(filing, now, policy):  # True: the app texts the codes
            sms.start_round(filing, now, policy, registry)
    if action is Action.bureau_approve and filing.kind not in NEW_FILINGS:
        if filing.kind is OrderKind.access:
            record_access(filing, policy.provider_code, registry)
        else:
            orders.complete(filing, policy.provider_code, now, registry)
            if filing.kind in record_orders.RECORD_KINDS:  # A7 v3: the registry takes it
                record_orders.complete(filing, policy.provider_code, now, registry)
    if workflow.needs_reasons(action):  # a rejection or a return may name checks to redo
        materials.reopen_named(filing, event)
    return event


def record_access(filing: Filing, provider_code: str, registry: Registry | None = None) -> None:
    """The registry lists this provider as an access provider of each of the filing's websites."""
    registry = registry or LocalRegistry()
    for website in filing.websites:
        record = registry.website_by_domain(website.domains[0].domain) if website.domains else None
        if record is not None:
            registry.record_access(record, provider_code)


# --- the reviewer's decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    field: str
    code: str
    text: str = ""

    def as_dict(self) -> dict[str, str]:
        label = REASON_LABELS.get(self.code, "")  # "other": the reviewer's words alone
        # "reason" as written then (e-mails, the API); code and text to show it in any language
        return {"field": self.field, "code": self.code, "text": self.text,
                "reason": "；".join(part for part in (label, self.text) if part)}  # fmt: skip


def refuse_listed_problems(filing: Filing, action: Action, policy: Policy) -> None:
    """An order on records (A7) is not passed on while the review screen lists a problem with it
    (orders.problems: a website no longer held here by the account, or no longer listing this
    provider in the registry, e.g. cancelled by another order meanwhile).

    :raises ReviewError: the first problem, in its own words.
    """
    if filing.kind in workflow.FULL_FLOW or workflow.KIND_OF.get(action) is not workflow.DECISION:
        return
    if filing.kind in record_orders.RECORD_KINDS:
        found = record_orders.review_problems(filing, policy, shanghai_today()).breaches
    else:
        found = orders.problems(filing, policy).breaches
    if found:
        raise ReviewError(found[0].message)


def decide(
    filing: Filing,
    reviewer: User,
    action: Action,
    *,
    policy: Policy,
    expected_version: int,
    reasons: Sequence[Reason] = (),
    note: str = "",
    internal_note: str = "",
    receipt: str = "",
    now: datetime | None = None,
    bureau: Bureau | None = None,
    registry: Registry | None = None,
    numbers: IssuedNumbers | None = None,
) -> None:
    """A reviewer's decision at the filing's stage, under their live claim (`bureau`, `registry`
    and a new filing's `numbers` as for advance()).

    :raises ReviewError: no live claim, an action not of this stage, a rejection without reason,
        or an approval of an order with a problem listed on the review screen.
    :raises workflow.WorkflowError: refused by the state machine (stale version, guard, role).
    """
    now = now or utcnow()
    if action not in workflow.staff_actions(filing.state, filing.kind):
        raise ReviewError(Message(N_("当前阶段不能执行该操作")))
    if not holds_claim(filing, reviewer, now, policy):
        raise ReviewError(Message(N_("请先领取该备案再处理（可能已被他人领取或领取已超时）")))
    if workflow.needs_reasons(action) and not (reasons or note.strip()):
        raise ReviewError(Message(N_("驳回时请至少填写一条原因")))
    for index, reason in enumerate(reasons):
        if reason.code == OTHER and not reason.text.strip():  # told at that reason's text input
            raise ReviewError(
                Message(N_("选择“其他”时，请在补充说明中写明原因")), field=f"reasons.{index}"
            )
    if action is Action.bureau_reject and not note.strip():
        raise ReviewError(Message(N_("请填写管局驳回原因")))
    if action is Action.bureau_approve and not receipt.strip():
        raise ReviewError(Message(N_("请填写管局回执编号（管局审核通过的凭据）")), field="receipt")
    refuse_listed_problems(filing, action, policy)
    data: dict[str, object] = {"reasons": [r.as_dict() for r in reasons]} if reasons else {}
    if receipt:
        data["receipt"] = receipt
    advance(filing, action, reviewer, policy=policy, note=note.strip(), data=data,
            expected_version=expected_version, now=now, bureau=bureau, registry=registry,
            numbers=numbers)  # fmt: skip
    if workflow.staff_actions(filing.state, filing.kind) and not workflow.is_final(filing.state):
        # the next stage is staff's too: the reviewer who moved it there keeps it (one claim per
        # filing, not one per stage); the claim lapses after the timeout as any other
        filing.claimed_by_id, filing.claimed_at = reviewer.id, now
        db.session.flush()
    if internal_note.strip():
        audit.record("internal_note", reviewer, filing=filing, note=internal_note.strip(),
                     internal=True, now=now)  # fmt: skip
        db.session.flush()
