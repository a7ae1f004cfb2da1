"""Eight reviewers at once on one filing: exactly one claim and one decision win, on PostgreSQL
(row-level: the compare-and-set UPDATE and the version check) and on SQLite."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, Role
from domain.lifecycle.workflow import StaleFiling
from domain.review import reviewing
from extensions import db
from models import AuditEvent, Filing, User
from runtime.policy import current_policy
from tests.helpers import transitions

THREADS = 8


def _run_threads(app, target) -> list:
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def worker(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[index] = target(index)
            except Exception as exc:  # recorded and asserted on below
                results[index] = exc
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_reviewers_claim_and_decide_one_filing(app, make_filing, make_user):
    filing = make_filing(FilingState.submitted)
    reviewer_ids = [make_user(Role.reviewer).id for _ in range(THREADS)]
    filing_id = filing.id
    db.session.commit()

    def claim_then_decide(index: int) -> str:
        reviewer = db.session.get(User, reviewer_ids[index])
        mine = db.session.get(Filing, filing_id)
        if not reviewing.claim(mine, reviewer, current_policy()):
            db.session.rollback()
            return "no claim"
        db.session.commit()
        mine = db.session.get(Filing, filing_id)
        reviewing.decide(
            mine,
            reviewer,
            Action.initial_approve,
            policy=current_policy(),
            expected_version=mine.version,
        )
        db.session.commit()
        return "decided"

    results = _run_threads(app, claim_then_decide)
    assert results.count("decided") == 1, results
    assert all(r in ("decided", "no claim") for r in results), results
    db.session.expire_all()
    decisions = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.filing_id == filing_id, AuditEvent.action == "initial_approve")
    )
    assert decisions == 1
    assert db.session.get(Filing, filing_id).state is FilingState.materials_pending


def test_eight_decisions_from_the_same_page_version_one_wins(app, make_filing, make_user):
    """Without claims: the version column alone lets exactly one of the racing updates through."""
    filing = make_filing(FilingState.submitted)
    reviewer_ids = [make_user(Role.reviewer).id for _ in range(THREADS)]
    filing_id, seen = filing.id, filing.version
    db.session.commit()
    actions = [Action.initial_approve, Action.initial_reject] * (THREADS // 2)

    def decide(index: int) -> str:
        reviewer = db.session.get(User, reviewer_ids[index])
        mine = db.session.get(Filing, filing_id)
        try:
            transitions.apply(mine, actions[index], reviewer, expected_version=seen, note="x")
            db.session.commit()
        except StaleFiling:
            db.session.rollback()
            return "stale"
        except workflow.TransitionNotAllowed:
            db.session.rollback()
            return "already decided"
        return "won"

    results = _run_threads(app, decide)
    assert results.count("won") == 1, results
    db.session.expire_all()
    moved = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.filing_id == filing_id, AuditEvent.from_state == "submitted")
    )
    assert moved == 1
