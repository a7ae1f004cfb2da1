"""The access-filing state machine (DOMAIN.md A6): one transition table, one apply(), and every
question about states answered from that table.

apply() is the only code that assigns Filing.state. In one transaction it checks the transition,
the actor's role and ownership, the guard, and the version the actor saw; sets the state's
timestamps and deadline; writes the audit event; and queues the notifications. It moves the state
and nothing else: handing a filing to the bureau and recording an approval in the registry are the
use cases' (domain/review/reviewing.advance). What a state means
(final, rejected, editable, open for uploads, in the reviewers' queues, waiting on whom) is read
off the table below, never listed a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import DomainError
from domain.lifecycle import stage_counts, states
from domain.lifecycle.states import NEW_FILINGS, Action, FilingState, OrderKind, Role
from domain.lifecycle.workdays import add_workdays
from domain.policy import Policy
from domain.support import outbox
from domain.support.i18n import N_
from extensions import db
from models import OPEN_ORDER_INDEX, AuditEvent, CalendarDay, Filing, ProvinceRule, User, utcnow

S, A = FilingState, Action
APPLICANT = frozenset({Role.applicant})
STAFF = frozenset({Role.reviewer, Role.admin})
SYSTEM = frozenset({Role.system})


class WorkflowError(DomainError):
    """A transition was refused."""


class TransitionNotAllowed(WorkflowError):
    default = N_("当前状态下不能执行该操作")


class RoleNotAllowed(WorkflowError):
    default = N_("您的角色不能执行该操作")


class GuardFailed(WorkflowError):
    default = N_("条件未满足，不能执行该操作")


class StaleFiling(WorkflowError):
    default = N_("该备案已被他人处理，请刷新后重试")


class OpenOrderExists(WorkflowError):
    """The subject has another open order (the database's unique index refused a second one)."""

    default = N_("该主体已有一个正在办理中的订单，请等待其完成或放弃后再提交。")


def _is_open_order_clash(error: IntegrityError) -> bool:
    """Whether the refused write broke the one-open-order index (PostgreSQL names the index,
    SQLite the column)."""
    text = str(error.orig)
    return OPEN_ORDER_INDEX in text or "filings.registry_subject_number" in text


class Kind(StrEnum):
    """What taking a transition means."""

    step = "step"  # the applicant or the system moves the filing on
    decision = "decision"  # staff (or the bureau) pass it on
    rejection = "rejection"  # staff or the bureau refuse it, with reasons
    returned = "return"  # staff send it back for edits, with reasons; initial review comes again
    withdraw = "withdraw"  # the applicant gives it up (or the system, for a stale filing)


# --- guards -----------------------------------------------------------------------------------


def province_rule(filing: Filing) -> ProvinceRule | None:
    """The rules of the filing's province (None for a draft with no province yet)."""
    return db.session.get(ProvinceRule, filing.province) if filing.province else None


def mail_required(filing: Filing) -> bool:
    """Whether the filing's province asks for materials by post (A1: default no)."""
    rule = province_rule(filing)
    return bool(rule and rule.mail_required)


def sms_required(filing: Filing) -> bool:
    """Whether the order needs SMS verification: an access filing or a new filing (A8) in a
    province that asks for it (R-S-1: yes everywhere since 2020), a change of subject or website
    as A7 v3 says; never a change of access or a cancellation (B R-S-2)."""
    if filing.kind in SMS_FREE:
        return False
    if filing.kind is OrderKind.change_website and not (
        set(filing.changed_items or ()) & {"website_person", "website_domains"}
    ):
        return False  # A7 v3: only when the website's person or a domain changed
    rule = province_rule(filing)
    return rule is None or rule.sms_required


def materials_needed(filing: Filing) -> bool:
    """Whether staff approval leads to materials and the authenticity check: every new filing
    does; a change (A7 v3) where a responsible person or a unit's name changed; no other order
    on records."""
    if filing.kind in CHANGES:
        return bool(set(filing.changed_items or ()) & MATERIAL_ITEMS)
    return filing.kind not in ON_RECORDS


def ready_to_submit(filing: Filing) -> bool:
    """Submittable. An access filing: type verified, product verified, filing password verified,
    and every website has a domain and an IP (the full pre-check runs in filings.submit before
    this). A new filing (A8): as an access filing, without a type to keep and, for a 首次备案,
    without a filing password (its subject has none yet). An order on records held here: websites
    chosen, each with its new IPs for a change of access; something changed for a change of
    subject or website."""
    if filing.kind in NEW_FILINGS:
        return (
            bool(filing.province)
            and bool(filing.product_ips)
            and (filing.kind is OrderKind.first_filing or filing.password_verified_at is not None)
            and bool(filing.websites)
            and all(website.domains and website.ips for website in filing.websites)
        )
    if filing.kind in CHANGES:
        return bool(filing.websites) and bool(filing.changed_items)
    if filing.kind in ON_RECORDS:
        return bool(filing.websites) and (
            filing.kind is not OrderKind.change_access or all(w.ips for w in filing.websites)
        )
    return (
        filing.filing_type is not None
        and bool(filing.province)
        and bool(filing.product_ips)
        and filing.password_verified_at is not None
        and bool(filing.websites)
        and all(website.domains and website.ips for website in filing.websites)
    )


@dataclass(frozen=True)
class Guard:
    """A row's condition: the predicate, and what it says in words (`workflow table`'s "when")."""

    test: Callable[[Filing], bool]
    when: str

    def __call__(self, filing: Filing) -> bool:
        return self.test(filing)

    def negated(self, when: str) -> Guard:
        """The opposite condition, said as `when`."""
        return Guard(lambda filing: not self.test(filing), when)


READY = Guard(
    ready_to_submit,
    "access: type, product IPs, filing password and every website are filled in; "
    "first_filing, new_website: as access without the type (first_filing: no filing password); "
    "change or cancel: websites chosen (a change of access: each with its new IPs; "
    "a change of subject or website: something changed)",
)
MATERIALS = Guard(
    materials_needed,
    "a new filing; a change of subject or website where a responsible person or the unit's "
    "name changed",
)
NO_MATERIALS = MATERIALS.negated("no materials needed (an order on records, no person changed)")
MAIL = Guard(mail_required, "the province asks for the materials by post")
NO_MAIL = MAIL.negated("the province does not ask for the materials by post")
SMS = Guard(sms_required, "the province asks for SMS verification")
NO_SMS = SMS.negated(
    "the province does not ask for SMS verification (or: an order on records, which never does)"
)


# --- the table --------------------------------------------------------------------------------


ALL_KINDS = frozenset(OrderKind)
# Through materials, re-review, mail-in and the SMS check: an access filing and the new filings (A8).
FULL_FLOW = frozenset({OrderKind.access, *NEW_FILINGS})
# orders after approval (A7)
ON_RECORDS = frozenset(
    {OrderKind.change_access, OrderKind.cancel_access, OrderKind.change_subject,
     OrderKind.change_website, OrderKind.cancel_website, OrderKind.cancel_subject}
)  # fmt: skip
# A7 v3: a change of subject or website takes materials, authenticity and the SMS where needed.
CHANGES = frozenset({OrderKind.change_subject, OrderKind.change_website})
# The kinds that go through the stages after a staff review (materials, re-review, mail, SMS).
STAGED = FULL_FLOW | CHANGES
# Never an SMS check (B R-S-2: 取消接入, 注销网站, 注销主体; 变更接入 changes no person's data).
SMS_FREE = frozenset(
    {OrderKind.change_access, OrderKind.cancel_access, OrderKind.cancel_website,
     OrderKind.cancel_subject}
)  # fmt: skip
# What a change may change that asks for materials (the new licence, the new person's ID).
MATERIAL_ITEMS = frozenset({"subject_name", "subject_person", "website_person"})
CANCEL = frozenset({OrderKind.cancel_access})  # staff open one for an away website (A9)


@dataclass(frozen=True)
class Transition:
    target: FilingState
    roles: frozenset[Role]
    kind: Kind
    guard: Guard | None = None
    when: str | None = None  # the condition in words where no guard checks it here
    kinds: frozenset[OrderKind] = ALL_KINDS  # the kinds of order the row serves (A7)

    @property
    def condition(self) -> str | None:
        """The row's condition in words (None: always)."""
        return self.guard.when if self.guard is not None else self.when


STEP, DECISION, REJECTION, RETURN, WITHDRAW = (
    Kind.step, Kind.decision, Kind.rejection, Kind.returned, Kind.withdraw,
)  # fmt: skip
STALE = "the applicant has not acted for STALE_WITHDRAW_DAYS days (flask sweep)"
OWNER_OR_STALE = APPLICANT | SYSTEM


def _withdraw(
    roles: frozenset[Role], when: str | None = None, kinds: frozenset[OrderKind] = ALL_KINDS
) -> Transition:
    return Transition(S.withdrawn, roles, WITHDRAW, when=when, kinds=kinds)


def _returned() -> Transition:
    return Transition(S.initial_rejected, STAFF, RETURN)


# (state, action) -> Transition. A pair that is not here is refused, and so is a row taken by an
# order of a kind the row does not serve: an access filing goes through materials, re-review and
# the SMS check; a change or a cancellation (A7) has one staff review and never an SMS.
TRANSITIONS: dict[tuple[FilingState, Action], Transition] = {
    (S.draft, A.submit): Transition(S.submitted, APPLICANT, STEP, READY),
    (S.draft, A.provider_submit): Transition(S.submitted, STAFF, STEP, READY, kinds=CANCEL),
    (S.draft, A.withdraw): _withdraw(APPLICANT),
    (S.submitted, A.withdraw): _withdraw(APPLICANT),
    (S.submitted, A.initial_approve): Transition(
        S.materials_pending, STAFF, DECISION, MATERIALS, kinds=STAGED
    ),
    (S.submitted, A.review_approve): Transition(
        S.bureau_pending, STAFF, DECISION, NO_MATERIALS, kinds=ON_RECORDS
    ),
    (S.submitted, A.initial_reject): Transition(S.initial_rejected, STAFF, REJECTION),
    (S.initial_rejected, A.submit): Transition(S.submitted, APPLICANT, STEP, READY),
    (S.initial_rejected, A.withdraw): _withdraw(OWNER_OR_STALE),
    (S.materials_pending, A.submit_materials): Transition(S.re_review, APPLICANT, STEP, kinds=STAGED),
    (S.materials_pending, A.withdraw): _withdraw(SYSTEM, STALE, STAGED),
    (S.re_review, A.re_approve): Transition(S.bureau_pending, STAFF, DECISION, NO_MAIL, kinds=STAGED),
    (S.re_review, A.re_approve_mail): Transition(S.mail_pending, STAFF, DECISION, MAIL, kinds=STAGED),
    (S.re_review, A.re_reject): Transition(S.re_rejected, STAFF, REJECTION, kinds=STAGED),
    (S.re_review, A.return_for_edits): Transition(S.initial_rejected, STAFF, RETURN, kinds=STAGED),
    (S.re_rejected, A.submit_materials): Transition(S.re_review, APPLICANT, STEP, kinds=STAGED),
    (S.re_rejected, A.withdraw): _withdraw(SYSTEM, STALE, STAGED),
    (S.mail_pending, A.confirm_mail): Transition(S.bureau_pending, STAFF, DECISION, kinds=STAGED),
    (S.mail_pending, A.return_for_edits): Transition(S.initial_rejected, STAFF, RETURN, kinds=STAGED),
    (S.bureau_pending, A.submit_to_bureau): Transition(S.sms_pending, STAFF, DECISION, SMS, kinds=STAGED),
    (S.bureau_pending, A.submit_to_bureau_no_sms): Transition(
        S.bureau_review, STAFF, DECISION, NO_SMS
    ),
    (S.bureau_pending, A.return_for_edits): _returned(),
    (S.sms_pending, A.sms_verify): Transition(S.bureau_review, APPLICANT | SYSTEM, STEP, kinds=STAGED),
    (S.sms_pending, A.sms_fail): Transition(S.sms_failed, SYSTEM, STEP, kinds=STAGED),
    (S.sms_failed, A.submit_to_bureau): Transition(S.sms_pending, STAFF, DECISION, SMS, kinds=STAGED),
    (S.sms_failed, A.submit_to_bureau_no_sms): Transition(
        S.bureau_review, STAFF, DECISION, NO_SMS, kinds=STAGED
    ),
    (S.sms_failed, A.return_for_edits): Transition(S.initial_rejected, STAFF, RETURN, kinds=STAGED),
    (S.sms_failed, A.withdraw): _withdraw(OWNER_OR_STALE, kinds=STAGED),
    (S.bureau_review, A.bureau_approve): Transition(S.approved, STAFF | SYSTEM, DECISION),
    (S.bureau_review, A.bureau_reject): Transition(S.bureau_rejected, STAFF | SYSTEM, REJECTION),
    (S.bureau_rejected, A.submit): Transition(S.submitted, APPLICANT, STEP, READY),
    (S.bureau_rejected, A.withdraw): _withdraw(OWNER_OR_STALE),
}  # fmt: skip

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


# --- what the table answers -------------------------------------------------------------------


def _rows_from(state: FilingState) -> list[tuple[Action, Transition]]:
    return [(action, row) for (source, action), row in TRANSITIONS.items() if source is state]


def _waiting_on(state: FilingState) -> frozenset[Role]:
    roles: frozenset[Role] = frozenset()
    for _action, row in _rows_from(state):
        if row.kind is not Kind.withdraw:
            roles |= row.roles
    if state is S.draft:  # staff submit only the order they open in the same step (A9)
        roles &= APPLICANT
    return roles


KIND_OF: dict[Action, Kind] = {action: row.kind for (_state, action), row in TRANSITIONS.items()}
REJECTIONS = frozenset(action for action, kind in KIND_OF.items() if kind is REJECTION)
# Actions that send the filing back to the applicant with reasons (a rejection or a return).
WITH_REASONS = frozenset(action for action, kind in KIND_OF.items() if kind in (REJECTION, RETURN))
FINAL_STATES = frozenset(state for state in S if not _rows_from(state))
INITIAL_STATES = frozenset(state for state in S) - {row.target for row in TRANSITIONS.values()}
REJECTED_STATES = frozenset(
    row.target for row in TRANSITIONS.values() if row.kind in (REJECTION, RETURN)
)
EDITABLE_STATES = frozenset(state for (state, action) in TRANSITIONS if action is A.submit)
UPLOAD_STATES = frozenset(state for (state, action) in TRANSITIONS if action is A.submit_materials)
POST_STATES = frozenset(state for (state, action) in TRANSITIONS if action is A.confirm_mail)
# The reviewers' queues: every state in which staff or the system (the bureau) act next.
QUEUE_STAGES = tuple(state for state in S if _waiting_on(state) & (STAFF | SYSTEM))
STAFF_ACTIONS: dict[tuple[FilingState, OrderKind], tuple[Action, ...]] = {
    (state, kind): actions
    for state in S
    for kind in OrderKind
    if state not in INITIAL_STATES  # a draft is no stage: staff only submit one they open (A9)
    and (
        actions := tuple(
            action for action, row in _rows_from(state) if row.roles & STAFF and kind in row.kinds
        )
    )
}


def shown_label(filing: Filing) -> str:
    """The label (a msgid) of a filing's state as its people read it: 退回修改 for a filing sent
    back for edits from a later stage (it waits in initial_rejected; A6 v2: "the UI says 退回修改
    when it came from a later stage"), else the state's own label."""
    if filing.returned and filing.state is S.initial_rejected:
        return A.return_for_edits.label
    return states.state_label(filing.state, filing.kind)


def is_final(state: FilingState) -> bool:
    """No way leads out of the state (approved, withdrawn)."""
    return state in FINAL_STATES


def is_rejected(state: FilingState) -> bool:
    """The state is entered by a rejection or a return for edits, so its reasons are shown."""
    return state in REJECTED_STATES


def applicant_may_edit(state: FilingState) -> bool:
    """The applicant may change the filing's data, to submit it (again)."""
    return state in EDITABLE_STATES


def accepts_uploads(state: FilingState) -> bool:
    """The applicant may upload materials and take the authenticity check."""
    return state in UPLOAD_STATES


def awaits_post(state: FilingState) -> bool:
    """The materials are on their way by post: the applicant says how, staff confirm receipt."""
    return state in POST_STATES


def in_queue(state: FilingState) -> bool:
    """Staff or the system act next, so the reviewers' queues show the filing."""
    return state in QUEUE_STAGES


def waits_on(state: FilingState) -> frozenset[Role]:
    """The roles that may move the filing on from the state (withdrawing aside)."""
    return _waiting_on(state)


def staff_actions(state: FilingState, kind: OrderKind = OrderKind.access) -> tuple[Action, ...]:
    """The actions staff may take at the state on an order of `kind` (guards aside): a reviewer's
    choices at a stage."""
    return STAFF_ACTIONS.get((state, kind), ())


def staff_stages() -> frozenset[FilingState]:
    """The states at which staff have an action (a reviewer may claim the filing there)."""
    return frozenset(state for state, _kind in STAFF_ACTIONS)


def is_decision(action: Action) -> bool:
    """A decision of staff or the bureau, rejections and returns included (the report counts these)."""
    return KIND_OF.get(action) in (Kind.decision, Kind.rejection, Kind.returned)


def is_rejection(action: Action) -> bool:
    """A rejection (初审驳回, 复审驳回, 管局驳回)."""
    return action in REJECTIONS


def needs_reasons(action: Action) -> bool:
    """The action sends the filing back to the applicant, who must be told why."""
    return action in WITH_REASONS


def badge(state: FilingState) -> str:
    """The CSS badge of the state: who acts next, at a glance."""
    if is_final(state):
        entered_by = {KIND_OF[a] for (_s, a), row in TRANSITIONS.items() if row.target is state}
        return "ok" if Kind.decision in entered_by else "muted"
    if is_rejected(state):
        return "bad"
    return "muted" if state in INITIAL_STATES else "wait"


def actions_for(filing: Filing, role: Role) -> list[Action]:
    """The actions `role` may take on the filing now (table and guards), for buttons in the UI."""
    return [
        action
        for action, row in _rows_from(filing.state)
        if role in row.roles
        and filing.kind in row.kinds
        and (row.guard is None or row.guard(filing))
    ]


# --- the table as data (flask --app app workflow table / diagram) -------------------------------


def table_rows() -> list[dict[str, object]]:
    """Every row of the one table, as DOMAIN.md A6 v2 prints it (`workflow table`)."""
    return [
        {
            "from": state.value,
            "action": action.value,
            "to": row.target.value,
            "actors": [role.value for role in Role if role in row.roles],
            "kinds": sorted(kind.value for kind in row.kinds),
            "when": row.condition,
        }
        for (state, action), row in TRANSITIONS.items()
    ]


def mermaid_diagram() -> str:
    """The table as a Mermaid stateDiagram-v2 (`workflow diagram`; docs/architecture.md shows it)."""
    lines = ["stateDiagram-v2"]
    lines += [f"    [*] --> {state.value}" for state in S if state in INITIAL_STATES]
    for (state, action), row in TRANSITIONS.items():
        who = "/".join(role.value for role in Role if role in row.roles)
        lines.append(f"    {state.value} --> {row.target.value}: {action.value} ({who})")
    lines += [f"    {state.value} --> [*]" for state in S if state in FINAL_STATES]
    return "\n".join(lines) + "\n"


# --- apply ------------------------------------------------------------------------------------


def deadline(filing: Filing, state: FilingState, now: datetime, policy: Policy) -> datetime | None:
    """When the next actor must have acted on entering `state` (DOMAIN.md A6 'clock')."""
    overrides = dict(db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all())
    workdays = {
        S.submitted: policy.initial_review_workdays,
        S.re_review: policy.re_review_workdays,
        S.bureau_pending: policy.bureau_submit_workdays,
    }
    if state in workdays:
        return add_workdays(now, workdays[state], overrides)
    if state is S.sms_pending:
        return now + timedelta(hours=policy.sms_valid_hours)
    if state is S.bureau_review:
        rule = province_rule(filing)
        return add_workdays(now, rule.bureau_review_workdays if rule else 20, overrides)
    return None


def apply(
    filing: Filing,
    action: Action,
    actor: User | None,
    *,
    policy: Policy,
    note: str = "",
    internal: bool = False,
    data: dict[str, object] | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Move `filing` by `action`, as `actor` (None = the system). Flushes; the caller commits.

    :raises TransitionNotAllowed: the table has no row for (state, action).
    :raises RoleNotAllowed: the actor's role may not take it, or an applicant does not own the filing.
    :raises GuardFailed: the row's condition does not hold (e.g. the province needs mail-in).
    :raises StaleFiling: the filing changed since the actor saw it (another reviewer was first).
    :raises OpenOrderExists: a submission while the subject has another open order (the session
        must then be rolled back).
    """
    now = now or utcnow()
    role = actor.role if actor is not None else Role.system
    transition = TRANSITIONS.get((filing.state, action))
    if transition is None or filing.kind not in transition.kinds:
        raise TransitionNotAllowed()
    if role not in transition.roles:
        raise RoleNotAllowed()
    if role is Role.applicant and (actor is None or filing.account_id != actor.id):
        raise RoleNotAllowed()
    if expected_version is not None and expected_version != filing.version:
        raise StaleFiling()
    if transition.guard is not None and not transition.guard(filing):
        raise GuardFailed()

    from_state, target = filing.state, transition.target
    due_at = deadline(filing, target, now, policy)
    with db.session.no_autoflush:  # the row must go out whole, with its check constraints met
        filing.state = target
        filing.state_entered_at = now
        filing.due_at = due_at
        filing.claimed_by_id = filing.claimed_at = None
        filing.returned = transition.kind is RETURN
        if target is S.submitted:
            filing.submitted_at = now
        if target is S.approved:
            filing.approved_at = now
        if is_final(target):
            filing.finished_at = now
        _queue_notifications(filing, target, from_state, policy)

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
        raise StaleFiling() from exc
    except IntegrityError as exc:
        if _is_open_order_clash(exc):
            raise OpenOrderExists() from exc
        raise
    stage_counts.move(from_state, target)
    stage_counts.bump_queue()
    return event


# An order on records (A7) is told in its own words where the access texts would not fit (no SMS
# check, no footer number to show): template of an access filing -> the order's.
ORDER_TEMPLATES = {
    "filing_submitted": "order_submitted",
    "bureau_review": "order_bureau_review",
    "filing_approved": "order_approved",
}
# A new filing (A8) goes through the stages of an access filing and is told so, but its approval is
# no 接入成功: it is told as an order's, in its own name (首次备案订单 #n 已通过).
NEW_FILING_TEMPLATES = {"filing_approved": "order_approved"}
CHANGE_TEMPLATES = {**ORDER_TEMPLATES, "filing_submitted": "order_change_submitted"}
# A filing sent back for edits from a later stage (A6 v2) waits in initial_rejected like a rejected
# one, but is told it was returned, not that it failed review.
RETURN_TEMPLATES = {"filing_rejected": "filing_returned"}


def _queue_notifications(
    filing: Filing, target: FilingState, from_state: FilingState, policy: Policy
) -> None:
    context = {"filing_id": filing.id, "state": target.value, "from_state": from_state.value}
    if filing.kind is not OrderKind.access:
        context["order"] = filing.kind.label
        context["result"] = states.state_label(target, filing.kind)  # 变更成功, 已注销 …
    if policy.webhook_url:  # the provider's console hears of every transition (support/notify.py)
        outbox.enqueue(filing, "webhook", policy.webhook_url, "transition", **context)
    for channel, recipient_kind, template in NOTIFICATIONS.get(target, ()):
        recipient = _recipient(filing, channel, recipient_kind)
        if filing.kind in CHANGES:  # a change may take materials and the SMS (A7 v3)
            template = CHANGE_TEMPLATES.get(template, template)
        elif filing.kind in ON_RECORDS:
            template = ORDER_TEMPLATES.get(template, template)
        elif filing.kind in NEW_FILINGS:
            template = NEW_FILING_TEMPLATES.get(template, template)
        if filing.returned:
            template = RETURN_TEMPLATES.get(template, template)
        if recipient:
            outbox.enqueue(filing, channel, recipient, template, **context)


def _recipient(filing: Filing, channel: str, kind: str) -> str:
    if kind == "account":
        return filing.account.email if channel == "email" else ""
    person = filing.subject.responsible_person if filing.subject else None
    if person is None:
        return ""
    return person.mobile if channel == "sms" else person.email
