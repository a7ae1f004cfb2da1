"""The state machine read as data (DOMAIN.md A6): only the workflow writes a filing's state, and what
a state means, who chooses what and the badges all come from the one table."""

from __future__ import annotations

import pytest

from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind, Role

S, A = FilingState, Action


STAFF = {Role.reviewer, Role.admin}


def test_only_workflow_assigns_filing_state():
    """House rule 4: grep the tree; `.state =` is written in domain/lifecycle/workflow.py only."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bfiling\w*\.state\s*=(?!=)", line) and path.name != "workflow.py":
                offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []


# What each state means, read from DOMAIN.md A6 (independently of the table it is derived from).
MEANING = {
    # state: (final, rejected, applicant may edit, accepts uploads, in the reviewers' queues)
    S.draft: (False, False, True, False, False),
    S.submitted: (False, False, False, False, True),
    S.initial_rejected: (False, True, True, False, False),
    S.materials_pending: (False, False, False, True, False),
    S.re_review: (False, False, False, False, True),
    S.re_rejected: (False, True, False, True, False),
    S.mail_pending: (False, False, False, False, True),
    S.bureau_pending: (False, False, False, False, True),
    S.sms_pending: (False, False, False, False, True),
    S.sms_failed: (False, False, False, False, True),
    S.bureau_review: (False, False, False, False, True),
    S.bureau_rejected: (False, True, True, False, False),
    S.approved: (True, False, False, False, False),
    S.withdrawn: (True, False, False, False, False),
}


@pytest.mark.parametrize("state", list(FilingState), ids=str)
def test_what_a_state_means_is_read_off_the_table(state):
    got = (
        workflow.is_final(state),
        workflow.is_rejected(state),
        workflow.applicant_may_edit(state),
        workflow.accepts_uploads(state),
        workflow.in_queue(state),
    )
    assert got == MEANING[state]


def test_reviewer_choices_decisions_and_rejections_come_from_the_table():
    by_stage = {
        S.submitted: {A.initial_approve, A.initial_reject},
        S.re_review: {A.re_approve, A.re_approve_mail, A.re_reject, A.return_for_edits},
        S.mail_pending: {A.confirm_mail, A.return_for_edits},
        S.bureau_pending: {A.submit_to_bureau, A.submit_to_bureau_no_sms, A.return_for_edits},
        S.sms_failed: {A.submit_to_bureau, A.submit_to_bureau_no_sms, A.return_for_edits},
        S.bureau_review: {A.bureau_approve, A.bureau_reject},
    }
    assert {
        s: set(workflow.staff_actions(s)) for s in FilingState if workflow.staff_actions(s)
    } == (by_stage)
    assert workflow.staff_stages() == set(by_stage)
    change = {s: set(workflow.staff_actions(s, OrderKind.change_access)) for s in FilingState}
    assert change[S.submitted] == {A.review_approve, A.initial_reject}
    assert change[S.bureau_pending] == {A.submit_to_bureau_no_sms, A.return_for_edits}
    assert change[S.re_review] == change[S.sms_failed] == set()
    rejections = {A.initial_reject, A.re_reject, A.bureau_reject}
    assert {a for a in Action if workflow.is_rejection(a)} == rejections
    decisions = set().union(*by_stage.values()) | {A.review_approve}
    assert {a for a in Action if workflow.is_decision(a)} == decisions
    assert workflow.waits_on(S.sms_pending) == {Role.applicant, Role.system}
    assert workflow.waits_on(S.submitted) == STAFF  # withdrawing aside


def test_badges_say_who_acts_next():
    assert [workflow.badge(s) for s in (S.draft, S.submitted, S.re_rejected, S.approved)] == [
        "muted", "wait", "bad", "ok",
    ]  # fmt: skip
    assert workflow.badge(S.withdrawn) == "muted"
