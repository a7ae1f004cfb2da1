"""500 trials of eight reviewers deciding one filing at once on PostgreSQL (every reviewer tries,
claim or no claim, approve or reject): never two decisions. And a double-clicked submit, through a
real gunicorn server with 4 workers, files once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from domain.lifecycle.states import Action, FilingState, Role
from domain.review import reviewing
from extensions import db
from models import AuditEvent, Filing, User
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.app import PASSWORD
from tests.helpers.live_server import LiveServer
from tests.helpers.wizard import load_demo, walk_to_confirm

pytestmark = pytest.mark.slow

TRIALS, REVIEWERS = 500, 8
DECISIONS = ("initial_approve", "initial_reject")


def test_500_trials_of_eight_reviewers_deciding_one_filing(app, make_filing, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the 500 trials run on PostgreSQL (SQLite's 8-thread race is in test_race.py)")
    load_demo()
    first = make_user(Role.reviewer)
    reviewer_ids = [first.id] + [make_user(Role.reviewer).id for _ in range(REVIEWERS - 1)]
    filing_ids = [make_filing(FilingState.submitted, reviewer=first).id for _ in range(TRIALS)]
    barrier = threading.Barrier(REVIEWERS)
    outcomes: list[list[str]] = [[""] * REVIEWERS for _ in range(TRIALS)]

    def reviewer_thread(index: int) -> None:
        action = Action(DECISIONS[index % 2])
        with app.app_context():
            for trial, filing_id in enumerate(filing_ids):
                barrier.wait(timeout=60)
                try:
                    reviewer = db.session.get(User, reviewer_ids[index])
                    filing = db.session.get(Filing, filing_id)
                    seen = filing.version  # the page every reviewer opened
                    won = reviewing.claim(filing, reviewer, current_policy())
                    db.session.commit()
                    filing = db.session.get(Filing, filing_id)
                    reviewing.decide(
                        filing, reviewer, action, policy=current_policy(),
                        note="原因" if action is Action.initial_reject else "",
                        expected_version=filing.version if won else seen,
                    )  # fmt: skip
                    db.session.commit()
                    outcomes[trial][index] = "decided"
                except (reviewing.ReviewError, reviewing.workflow.WorkflowError):
                    db.session.rollback()
                    outcomes[trial][index] = "refused"
                except Exception as exc:  # counted as a failure of the trial below
                    db.session.rollback()
                    outcomes[trial][index] = f"error {type(exc).__name__}: {exc}"[:300]
                finally:
                    db.session.expunge_all()

    threads = [threading.Thread(target=reviewer_thread, args=(i,)) for i in range(REVIEWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    db.session.remove()
    decided = Counter(outcome.count("decided") for outcome in outcomes)
    recorded = dict(
        db.session.execute(
            select(AuditEvent.filing_id, func.count())
            .where(AuditEvent.filing_id.in_(filing_ids), AuditEvent.action.in_(DECISIONS))
            .group_by(AuditEvent.filing_id)
        ).all()
    )
    double = sum(1 for filing_id in filing_ids if recorded.get(filing_id, 0) > 1)
    errors = sum(1 for outcome in outcomes for o in outcome if o.startswith("error"))
    print(f"\nraces: {TRIALS} trials x {REVIEWERS} reviewers on PostgreSQL: {double} double decisions, "
          f"{decided[1]} trials with exactly one winner, {errors} errors")  # fmt: skip
    assert double == 0 and errors == 0, [
        o for outcome in outcomes for o in outcome if o.startswith("error")
    ][:3]
    assert decided == {1: TRIALS}
    assert all(recorded.get(filing_id) == 1 for filing_id in filing_ids)
    states = Counter(db.session.scalars(select(Filing.state).where(Filing.id.in_(filing_ids))))
    assert set(states) <= {FilingState.materials_pending, FilingState.initial_rejected}


def test_a_double_clicked_submit_files_once(app, client, applicant, tmp_path):
    """Ten times: the submit button clicked twice at once, on 4 gunicorn workers; then the filing
    is withdrawn in the test and the applicant files again."""
    server = LiveServer(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "uploads", workers=4
    ).start()
    ids, statuses = [], []
    try:
        browser = server.session(applicant.email, PASSWORD)
        for _ in range(10):
            filing = walk_to_confirm(client, applicant)
            token = server.csrf(browser, f"/filings/{filing.id}/confirm")
            form = {"csrf_token": token, "version": filing.version, "commitment": "y"}
            with ThreadPoolExecutor(max_workers=2) as both:
                clicks = [both.submit(browser.post, f"{server.url}/filings/{filing.id}/submit",
                                      data=form, allow_redirects=False, timeout=60) for _ in range(2)]  # fmt: skip
            statuses += [click.result().status_code for click in clicks]
            ids.append(filing.id)
            db.session.expire_all()
            filing = db.session.get(Filing, filing.id)
            assert filing.state is FilingState.submitted
            transitions.apply(filing, Action.withdraw, applicant)
            db.session.commit()
    finally:
        server.stop()
    submits = dict(
        db.session.execute(
            select(AuditEvent.filing_id, func.count())
            .where(AuditEvent.filing_id.in_(ids), AuditEvent.action == "submit")
            .group_by(AuditEvent.filing_id)
        ).all()
    )
    filed_twice = sum(1 for i in ids if submits.get(i, 0) != 1)
    print(f"\nraces: {len(ids)} double-clicked submits on 4 gunicorn workers: "
          f"{sum(submits.values())} submissions, {filed_twice} filed other than once")  # fmt: skip
    assert filed_twice == 0, (submits, statuses)
    assert all(status < 500 for status in statuses), statuses
