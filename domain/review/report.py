"""The reviewer productivity report: decisions per reviewer, time in each state, overdue filings,
rejection reasons by frequency. Computed from the audit trail."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from markupsafe import escape
from sqlalchemy import func, select

from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind
from domain.lifecycle.workdays import SHANGHAI
from domain.rulebook.reasons import REJECTION_REASONS
from extensions import db
from models import AuditEvent, Filing, User


@dataclass
class Report:
    per_reviewer: list[tuple[str, int, int]] = field(
        default_factory=list
    )  # name, decided, rejected
    hours_in_state: list[tuple[FilingState, float, int]] = field(
        default_factory=list
    )  # median h, n
    per_stage: dict[tuple[str, FilingState], int] = field(default_factory=dict)
    overdue: dict[FilingState, int] = field(default_factory=dict)
    reasons: list[tuple[str, int]] = field(default_factory=list)  # reason code, count
    # per order kind (access, the orders on records, the new filings of A8): open, approved
    per_kind: list[tuple[OrderKind, int, int]] = field(default_factory=list)


def build(now: datetime, since: datetime | None = None, until: datetime | None = None) -> Report:
    """The report over the audit trail (optionally only events in [`since`, `until`)); the overdue
    counts are today's whatever the range."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.filing_id.is_not(None))
        .order_by(AuditEvent.filing_id, AuditEvent.id)
    )
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    if until is not None:
        query = query.where(AuditEvent.created_at < until)
    events = db.session.scalars(query).all()
    decided: Counter[int] = Counter()
    rejected: Counter[int] = Counter()
    reasons: Counter[str] = Counter()
    by_stage: Counter[tuple[int, str]] = Counter()
    durations: dict[str, list[float]] = defaultdict(list)
    entered: dict[int, tuple[str, datetime]] = {}
    for event in events:
        action = Action(event.action) if event.action in Action.__members__ else None
        if action is not None and workflow.is_decision(action) and event.actor_id is not None:
            decided[event.actor_id] += 1
            by_stage[(event.actor_id, event.from_state or "")] += 1
            if workflow.is_rejection(action):
                rejected[event.actor_id] += 1
                reasons.update(r.get("code") or "other" for r in event.data.get("reasons", []))
        if event.to_state and event.filing_id is not None:
            previous = entered.get(event.filing_id)
            if previous is not None and previous[0] == event.from_state:
                durations[previous[0]].append(
                    (event.created_at - previous[1]).total_seconds() / 3600
                )
            entered[event.filing_id] = (event.to_state, event.created_at)
    names = dict(
        db.session.execute(select(User.id, func.coalesce(User.display_name, User.email))).all()
    )
    report = Report()
    report.per_reviewer = sorted(
        ((names.get(uid) or str(uid), count, rejected[uid]) for uid, count in decided.items()),
        key=lambda row: -row[1],
    )
    report.per_stage = {
        (names.get(uid) or str(uid), FilingState(stage)): count
        for (uid, stage), count in by_stage.items()
    }
    report.hours_in_state = [
        (FilingState(state), round(median(values), 1), len(values))
        for state, values in durations.items()
        if state in {s.value for s in workflow.QUEUE_STAGES}
    ]
    report.hours_in_state.sort(key=lambda row: list(workflow.QUEUE_STAGES).index(row[0]))
    report.overdue = dict(
        db.session.execute(
            select(Filing.state, func.count())
            .where(Filing.state.in_(workflow.QUEUE_STAGES), Filing.due_at < now)
            .group_by(Filing.state)
        ).all()
    )
    report.reasons = [
        (code, count) for code, count in reasons.most_common() if code in REJECTION_REASONS
    ]
    report.per_kind = per_kind()
    return report


def day_range(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The instants that bound the days `first` to `last` (both included) in Asia/Shanghai."""
    start = datetime.combine(first, time(0, 0), tzinfo=SHANGHAI) if first else None
    end = datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI) if last else None
    return start, end


def per_kind() -> list[tuple[OrderKind, int, int]]:
    """How many orders of each kind are open (submitted, not finished) and approved."""
    rows = db.session.execute(
        select(Filing.kind, Filing.state, func.count())
        .where(Filing.state.not_in([FilingState.draft, FilingState.withdrawn]))
        .group_by(Filing.kind, Filing.state)
    ).all()
    open_: Counter[OrderKind] = Counter()
    approved: Counter[OrderKind] = Counter()
    for kind, state, count in rows:
        (approved if state is FilingState.approved else open_)[kind] += count
    return [
        (kind, open_[kind], approved[kind]) for kind in OrderKind if open_[kind] or approved[kind]
    ]


def bar_chart_svg(rows: list[tuple[str, int]], title: str, width: int = 560, bar: int = 22) -> str:
    """A horizontal bar chart as SVG markup (presentation attributes only: CSP allows it), named
    by `title` for screen readers, which also read each bar's label and value."""
    top = max((value for _, value in rows), default=0) or 1
    height = len(rows) * (bar + 8) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(rows):
        y = 8 + index * (bar + 8)
        length = int((width - 200) * value / top)
        parts.append(
            f'<text x="0" y="{y + bar - 6}" font-size="13" fill="#1f2933">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="150" y="{y}" width="{length}" height="{bar}" rx="3" fill="#1660d9"/>'
        )
        parts.append(
            f'<text x="{156 + length}" y="{y + bar - 6}" font-size="13" fill="#1f2933">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
