"""The state machine of DOMAIN.md A6: every (state x action x role) cell, guards, versions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, Role
from domain.lifecycle.workflow import GuardFailed, RoleNotAllowed, StaleFiling, TransitionNotAllowed
from extensions import db
from models import AuditEvent, Filing, OutboxMessage, ProvinceRule
from runtime.policy import current_policy
from tests.helpers import transitions

S, A = FilingState, Action
STAFF = {Role.reviewer, Role.admin}
APPLICANT = {Role.applicant}

# DOMAIN.md A6 (version 2) read as a specification, written independently of workflow.TRANSITIONS:
# (from, action, to, roles). Province 33 (Zhejiang): no mail-in, SMS required.
SYSTEM = {Role.system}
EXPECTED = [
    (S.draft, A.submit, S.submitted, APPLICANT),
    (S.draft, A.withdraw, S.withdrawn, APPLICANT),
    (S.submitted, A.withdraw, S.withdrawn, APPLICANT),
    (S.submitted, A.initial_approve, S.materials_pending, STAFF),
    (S.submitted, A.initial_reject, S.initial_rejected, STAFF),
    (S.initial_rejected, A.submit, S.submitted, APPLICANT),
    (S.initial_rejected, A.withdraw, S.withdrawn, APPLICANT | SYSTEM),  # v2: stale → system
    (S.materials_pending, A.submit_materials, S.re_review, APPLICANT),
    (S.materials_pending, A.withdraw, S.withdrawn, SYSTEM),  # v2: a stale filing
    (S.re_review, A.re_approve, S.bureau_pending, STAFF),
    (S.re_review, A.re_reject, S.re_rejected, STAFF),
    (S.re_review, A.return_for_edits, S.initial_rejected, STAFF),  # v2: 退回修改
    (S.re_rejected, A.submit_materials, S.re_review, APPLICANT),
    (S.re_rejected, A.withdraw, S.withdrawn, SYSTEM),  # v2: a stale filing
    (S.mail_pending, A.confirm_mail, S.bureau_pending, STAFF),
    (S.mail_pending, A.return_for_edits, S.initial_rejected, STAFF),  # v2
    (S.bureau_pending, A.submit_to_bureau, S.sms_pending, STAFF),
    (S.bureau_pending, A.return_for_edits, S.initial_rejected, STAFF),  # v2
    (S.sms_pending, A.sms_verify, S.bureau_review, APPLICANT | {Role.system}),
    (S.sms_pending, A.sms_fail, S.sms_failed, {Role.system}),
    (S.sms_failed, A.submit_to_bureau, S.sms_pending, STAFF),
    (S.sms_failed, A.return_for_edits, S.initial_rejected, STAFF),  # v2
    (S.sms_failed, A.withdraw, S.withdrawn, APPLICANT | SYSTEM),  # v2
    (S.bureau_review, A.bureau_approve, S.approved, STAFF | {Role.system}),
    (S.bureau_review, A.bureau_reject, S.bureau_rejected, STAFF | {Role.system}),
    (S.bureau_rejected, A.submit, S.submitted, APPLICANT),
    (S.bureau_rejected, A.withdraw, S.withdrawn, APPLICANT | SYSTEM),  # v2
]
# Rows that exist but whose guard is false in Zhejiang.
GUARDED_OFF = {
    (S.re_review, A.re_approve_mail),
    (S.bureau_pending, A.submit_to_bureau_no_sms),
    (S.sms_failed, A.submit_to_bureau_no_sms),
}
REACHABLE = [s for s in FilingState if s is not S.mail_pending]  # mail_pending: see its own test


def _actor(role: Role, owner, make_user):
    if role is Role.system:
        return None
    if role is Role.applicant:
        return owner
    return make_user(role)


@pytest.mark.parametrize("state", REACHABLE, ids=str)
def test_every_action_and_role_from_state(state, make_filing, make_user):
    """Walk every (action x role) cell from `state`: allowed cells move, others are refused."""
    filing = make_filing(state)
    owner = filing.account
    expected = {(row[0], row[1]): (row[2], row[3]) for row in EXPECTED}
    actors = {role: _actor(role, owner, make_user) for role in Role}
    mismatches = []
    for action in Action:
        for role, actor in actors.items():
            events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
            savepoint = db.session.begin_nested()
            try:
                transitions.apply(filing, action, actor)
                outcome = filing.state
            except TransitionNotAllowed:
                outcome = "no_transition"
            except RoleNotAllowed:
                outcome = "role_refused"
            except GuardFailed:
                outcome = "guard_refused"
            events_after = db.session.scalar(select(func.count()).select_from(AuditEvent))
            savepoint.rollback()
            db.session.refresh(filing)
            if (state, action) in expected:
                target, roles = expected[(state, action)]
                want = target if role in roles else "role_refused"
            elif (state, action) in GUARDED_OFF:
                want = "guard_refused" if role in STAFF else "role_refused"
            else:
                want = "no_transition"
            if outcome != want:
                mismatches.append((action.value, role.value, str(outcome), str(want)))
            moved = isinstance(outcome, FilingState)
            if events_after - events_before != (1 if moved else 0):
                mismatches.append(
                    (action.value, role.value, "audit events", events_after - events_before)
                )
            assert filing.state is state
    assert mismatches == []


def test_mail_pending_is_reached_only_where_the_province_asks(make_filing, make_user):
    db.session.get(ProvinceRule, "32").mail_required = True
    db.session.commit()
    filing = make_filing(S.re_review, province="32")
    reviewer = make_user(Role.reviewer)
    with pytest.raises(GuardFailed):
        transitions.apply(filing, A.re_approve, reviewer)
    transitions.apply(filing, A.re_approve_mail, reviewer)
    assert filing.state is S.mail_pending
    with pytest.raises(RoleNotAllowed):
        transitions.apply(filing, A.confirm_mail, filing.account)
    transitions.apply(filing, A.confirm_mail, reviewer)
    assert filing.state is S.bureau_pending


def test_province_without_sms_goes_straight_to_bureau_review(make_filing, make_user):
    db.session.get(ProvinceRule, "11").sms_required = False
    db.session.commit()
    filing = make_filing(S.bureau_pending, province="11")
    reviewer = make_user(Role.reviewer)
    with pytest.raises(GuardFailed):
        transitions.apply(filing, A.submit_to_bureau, reviewer)
    transitions.apply(filing, A.submit_to_bureau_no_sms, reviewer)
    assert filing.state is S.bureau_review
    assert filing.due_at is not None


def test_another_applicant_cannot_act_on_a_filing(make_filing, make_user):
    filing = make_filing(S.draft)
    stranger = make_user(Role.applicant)
    with pytest.raises(RoleNotAllowed):
        transitions.apply(filing, A.withdraw, stranger)
    assert filing.state is S.draft


def test_transition_records_audit_times_and_notifications(make_filing, make_user):
    filing = make_filing(S.bureau_review)
    reviewer = make_user(Role.reviewer)
    event = transitions.apply(filing, A.bureau_approve, reviewer, note="管局审核通过")
    db.session.commit()
    assert (event.from_state, event.to_state, event.actor_id) == (
        "bureau_review",
        "approved",
        reviewer.id,
    )
    assert filing.approved_at is not None and filing.finished_at is not None
    assert filing.due_at is None
    templates = db.session.scalars(
        select(OutboxMessage.template).where(
            OutboxMessage.filing_id == filing.id, OutboxMessage.template == "filing_approved"
        )
    ).all()
    assert sorted(templates) == ["filing_approved", "filing_approved"]  # e-mail and SMS


def test_submit_sets_a_working_day_deadline(make_filing):
    filing = make_filing(S.submitted)
    assert filing.submitted_at is not None
    assert filing.due_at > filing.submitted_at


def test_incomplete_draft_cannot_be_submitted(make_filing):
    filing = make_filing(S.draft)
    filing.websites[0].domains.clear()
    db.session.flush()
    with pytest.raises(GuardFailed):
        transitions.apply(filing, A.submit, filing.account)
    assert filing.state is S.draft


def test_stale_version_from_the_form_is_refused(make_filing, make_user):
    filing = make_filing(S.submitted)
    seen = filing.version
    transitions.apply(filing, A.initial_reject, make_user(Role.reviewer), note="资料不全")
    db.session.commit()
    filing_again = db.session.get(Filing, filing.id)
    transitions.apply(filing_again, A.submit, filing.account)
    db.session.commit()
    with pytest.raises(StaleFiling):
        transitions.apply(
            filing_again, A.initial_approve, make_user(Role.reviewer), expected_version=seen
        )


def test_two_reviewers_acting_at_once_exactly_one_wins(app, make_filing, make_user):
    """Two sessions read the same version; both decide; the second flush finds the row changed."""
    filing = make_filing(S.submitted)
    first, second = make_user(Role.reviewer), make_user(Role.reviewer)
    filing_id = filing.id
    with Session(db.engine) as session_a, Session(db.engine) as session_b:
        copy_a = session_a.get(Filing, filing_id)
        copy_b = session_b.get(Filing, filing_id)
        assert copy_a.version == copy_b.version
        _apply_in(session_a, copy_a, A.initial_approve, first)
        session_a.commit()
        with pytest.raises(StaleFiling):
            _apply_in(session_b, copy_b, A.initial_reject, second)
        session_b.rollback()
    db.session.expire_all()
    reloaded = db.session.get(Filing, filing_id)
    assert reloaded.state is S.materials_pending
    decisions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.filing_id == filing_id, AuditEvent.from_state == "submitted"
        )
    ).all()
    assert decisions == ["initial_approve"]


def _apply_in(session: Session, filing: Filing, action: Action, actor_in_main_session):
    """Run workflow.apply against another session by pointing db.session at it for the call."""
    from unittest import mock

    actor = session.get(type(actor_in_main_session), actor_in_main_session.id)
    with mock.patch.object(db, "session", session):
        transitions.apply(filing, action, actor)


def test_apply_does_not_hand_the_filing_to_the_bureau(make_filing, make_user):
    """The gateway is the use case's business (reviewing.decide); apply() only moves the state."""
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.bureau_pending, reviewer=reviewer)
    workflow.apply(filing, A.submit_to_bureau, reviewer, policy=current_policy())
    assert filing.state is S.sms_pending
    sends = db.session.scalar(select(Filing.sms_sends).where(Filing.id == filing.id))
    assert sends == 0  # the simulated bureau's round (sms.start_round) did not start
