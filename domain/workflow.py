"""The access-filing state machine (DOMAIN.md A6): one transition table and one apply().

apply() is the only code that assigns Filing.state. In one transaction it checks the transition,
the actor's role and ownership, the guard, and the version the actor saw; sets the state's
timestamps and deadline; writes the audit event; and queues the notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from domain import outbox, queue_cache, stage_counts
from domain.i18n import N_
from domain.states import Action, FilingState, Role
from domain.workdays import add_workdays
from extensions import db
from models import AuditEvent, CalendarDay, Filing, ProvinceRule, User, utcnow

S, A = FilingState, Action
APPLICANT = frozenset({Role.applicant})
STAFF = frozenset({Role.reviewer, Role.admin})


class WorkflowError(Exception):
    """A transition was refused; `message` is a translatable sentence for the user."""

    message = N_("该操作不可执行")

    def __init__(self, detail: str = ""):
        super().__init__(detail or self.message)
        self.detail = detail


class TransitionNotAllowed(WorkflowError):
    message = N_("当前状态下不能执行该操作")


class RoleNotAllowed(WorkflowError):
    message = N_("您的角色不能执行该操作")


class GuardFailed(WorkflowError):
    message = N_("条件未满足，不能执行该操作")


class StaleFiling(WorkflowError):
    message = N_("该备案已被他人处理，请刷新后重试")


def province_rule(filing: Filing) -> ProvinceRule | None:
    """The rules of the filing's province (None for a draft with no province yet)."""
    return db.session.get(ProvinceRule, filing.province) if filing.province else None


def mail_required(filing: Filing) -> bool:
    """Whether the filing's province asks for materials by post (A1: default no)."""
    rule = province_rule(filing)
    return bool(rule and rule.mail_required)


def sms_required(filing: Filing) -> bool:
    """Whether the filing's province asks for SMS verification (R-S-1: yes everywhere since 2020)."""
    rule = province_rule(filing)
    return rule is None or rule.sms_required


def ready_to_submit(filing: Filing) -> bool:
    """Submittable: type verified, product verified, filing password verified, and every website
    has a domain and an IP (the full pre-check runs in filings.submit before this)."""
    return (
        filing.filing_type is not None
        and bool(filing.province)
        and bool(filing.product_ips)
        and filing.password_verified_at is not None
        and bool(filing.websites)
        and all(website.domains and website.ips for website in filing.websites)
    )


@dataclass(frozen=True)
class Transition:
    target: FilingState
    roles: frozenset[Role]
    guard: Callable[[Filing], bool] | None = None


def _not(predicate: Callable[[Filing], bool]) -> Callable[[Filing], bool]:
    def negated(filing: Filing) -> bool:
        return not predicate(filing)

    negated.__name__ = f"not_{predicate.__name__}"
    return negated


# (state, action) -> Transition. A pair that is not here is refused.
TRANSITIONS: dict[tuple[FilingState, Action], Transition] = {
    (S.draft, A.submit): Transition(S.submitted, APPLICANT, ready_to_submit),
    (S.draft, A.withdraw): Transition(S.withdrawn, APPLICANT),
    (S.submitted, A.withdraw): Transition(S.withdrawn, APPLICANT),
    (S.submitted, A.initial_approve): Transition(S.materials_pending, STAFF),
    (S.submitted, A.initial_reject): Transition(S.initial_rejected, STAFF),
    (S.initial_rejected, A.submit): Transition(S.submitted, APPLICANT, ready_to_submit),
    (S.initial_rejected, A.withdraw): Transition(S.withdrawn, APPLICANT),
    (S.materials_pending, A.submit_materials): Transition(S.re_review, APPLICANT),
    (S.re_review, A.re_approve): Transition(S.bureau_pending, STAFF, _not(mail_required)),
    (S.re_review, A.re_approve_mail): Transition(S.mail_pending, STAFF, mail_required),
    (S.re_review, A.re_reject): Transition(S.re_rejected, STAFF),
    (S.re_rejected, A.submit_materials): Transition(S.re_review, APPLICANT),
    (S.mail_pending, A.confirm_mail): Transition(S.bureau_pending, STAFF),
    (S.bureau_pending, A.submit_to_bureau): Transition(S.sms_pending, STAFF, sms_required),
    (S.bureau_pending, A.submit_to_bureau_no_sms): Transition(
        S.bureau_review, STAFF, _not(sms_required)
    ),
    (S.sms_pending, A.sms_verify): Transition(S.bureau_review, APPLICANT | {Role.system}),
    (S.sms_pending, A.sms_fail): Transition(S.sms_failed, frozenset({Role.system})),
    (S.sms_failed, A.submit_to_bureau): Transition(S.sms_pending, STAFF, sms_required),
    (S.sms_failed, A.submit_to_bureau_no_sms): Transition(
        S.bureau_review, STAFF, _not(sms_required)
    ),
    (S.bureau_review, A.bureau_approve): Transition(S.approved, STAFF | {Role.system}),
    (S.bureau_review, A.bureau_reject): Transition(S.bureau_rejected, STAFF | {Role.system}),
    (S.bureau_rejected, A.submit): Transition(S.submitted, APPLICANT, ready_to_submit),
}

# Notifications queued on entering a state: (channel, recipient kind, template).
NOTIFICATIONS: dict[FilingState, tuple[tuple[str, str, str], ...]] = {
    S.submitted: (("email", "account", "filing_submitted"),),
    S.initial_rejected: (
        ("email", "account", "filing_rejected"),
        ("sms", "subject", "filing_rejected"),
    ),
    S.materials_pending: (("email", "account", "materials_needed"),),
    S.re_rejected: (("email", "account", "filing_rejected"), ("sms", "subject", "filing_rejected")),
    S.mail_pending: (("email", "account", "mail_needed"),),
    S.sms_pending: (("email", "account", "sms_verification_needed"),),
    S.sms_failed: (("email", "account", "sms_failed"),),
    S.bureau_review: (("email", "account", "bureau_review"),),
    S.bureau_rejected: (
        ("email", "account", "filing_rejected"),
        ("sms", "subject", "filing_rejected"),
    ),
    S.approved: (("email", "account", "filing_approved"), ("sms", "subject", "filing_approved")),
    S.withdrawn: (("email", "account", "filing_withdrawn"),),
}


def allowed_actions(filing: Filing, role: Role) -> list[Action]:
    """The actions `role` may take on the filing now (table and guards), for buttons in the UI."""
    return [
        action
        for (state, action), transition in TRANSITIONS.items()
        if state == filing.state
        and role in transition.roles
        and (transition.guard is None or transition.guard(filing))
    ]


def deadline(filing: Filing, state: FilingState, now: datetime) -> datetime | None:
    """When the next actor must have acted on entering `state` (DOMAIN.md A6 'clock')."""
    config = current_app.config
    overrides = dict(db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all())
    workdays = {
        S.submitted: config["INITIAL_REVIEW_WORKDAYS"],
        S.re_review: config["RE_REVIEW_WORKDAYS"],
        S.bureau_pending: config["BUREAU_SUBMIT_WORKDAYS"],
    }
    if state in workdays:
        return add_workdays(now, workdays[state], overrides)
    if state is S.sms_pending:
        return now + timedelta(hours=config["SMS_VALID_HOURS"])
    if state is S.bureau_review:
        rule = province_rule(filing)
        return add_workdays(now, rule.bureau_review_workdays if rule else 20, overrides)
    return None


def apply(
    filing: Filing,
    action: Action,
    actor: User | None,
    *,
    note: str = "",
    internal: bool = False,
    data: dict | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Move `filing` by `action`, as `actor` (None = the system). Flushes; the caller commits.

    :raises TransitionNotAllowed: the table has no row for (state, action).
    :raises RoleNotAllowed: the actor's role may not take it, or an applicant does not own the filing.
    :raises GuardFailed: the row's condition does not hold (e.g. the province needs mail-in).
    :raises StaleFiling: the filing changed since the actor saw it (another reviewer was first).
    """
    now = now or utcnow()
    role = actor.role if actor is not None else Role.system
    transition = TRANSITIONS.get((filing.state, action))
    if transition is None:
        raise TransitionNotAllowed(f"{filing.state} x {action}")
    if role not in transition.roles:
        raise RoleNotAllowed(f"{role} x {action}")
    if role is Role.applicant and filing.account_id != actor.id:
        raise RoleNotAllowed("not the owner")
    if expected_version is not None and expected_version != filing.version:
        raise StaleFiling(f"version {expected_version} != {filing.version}")
    if transition.guard is not None and not transition.guard(filing):
        raise GuardFailed(transition.guard.__name__)

    from_state, target = filing.state, transition.target
    due_at = deadline(filing, target, now)
    with db.session.no_autoflush:  # the row must go out whole, with its check constraints met
        filing.state = target
        filing.state_entered_at = now
        filing.due_at = due_at
        filing.claimed_by_id = filing.claimed_at = None
        if target is S.submitted:
            filing.submitted_at = now
        if target is S.approved:
            filing.approved_at = now
        if target.is_final:
            filing.finished_at = now
        _queue_notifications(filing, target, from_state)

    event = AuditEvent(
        filing_id=filing.id,
        actor_id=actor.id if actor is not None else None,
        actor_role=role,
        action=action.value,
        from_state=from_state.value,
        to_state=target.value,
        note=note,
        internal=internal,
        data=data or {},
        created_at=now,
    )
    db.session.add(event)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleFiling("concurrent update") from exc
    stage_counts.move(from_state, target)
    queue_cache.bump()
    _on_enter(filing, target, now)
    return event


def _on_enter(filing: Filing, state: FilingState, now: datetime) -> None:
    """Side effects of entering a state, in the same transaction."""
    if state is S.sms_pending:
        from domain import bureau  # the gateway calls back into apply(): imported here

        bureau.gateway().submit(filing, now)
    elif state is S.approved:
        record_access(filing)


def record_access(filing: Filing) -> None:
    """On approval the registry lists this provider as an access provider of each website (A5)."""
    from domain.registry import LocalRegistry

    registry = LocalRegistry()
    code = current_app.config["PROVIDER_CODE"]
    for website in filing.websites:
        record = registry.website_by_domain(website.domains[0].domain) if website.domains else None
        if record is not None:
            registry.record_access(record, code)


def _queue_notifications(filing: Filing, target: FilingState, from_state: FilingState) -> None:
    context = {"filing_id": filing.id, "state": target.value, "from_state": from_state.value}
    webhook = current_app.config.get("WEBHOOK_URL")
    if webhook:  # the provider's console hears of every transition (signed; see domain/notify.py)
        outbox.enqueue(filing, "webhook", webhook, "transition", **context)
    for channel, recipient_kind, template in NOTIFICATIONS.get(target, ()):
        recipient = _recipient(filing, channel, recipient_kind)
        if recipient:
            outbox.enqueue(filing, channel, recipient, template, **context)


def _recipient(filing: Filing, channel: str, kind: str) -> str:
    if kind == "account":
        return filing.account.email if channel == "email" else ""
    person = filing.subject.responsible_person if filing.subject else None
    if person is None:
        return ""
    return person.mobile if channel == "sms" else person.email
