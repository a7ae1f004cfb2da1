"""The queue tabs' per-state counters and the cached queue panel: always what the rows say."""

from __future__ import annotations

import random
import re

import time_machine
from click.testing import CliRunner
from sqlalchemy import func, select

from domain.lifecycle import stage_counts, workflow
from domain.lifecycle.states import Action, FilingState, Role
from domain.lifecycle.workflow import TRANSITIONS
from domain.review import reviewing
from extensions import db
from models import Filing, utcnow
from tests.helpers import transitions
from tests.helpers.transitions import APPLICANT_ACTIONS, SYSTEM_ACTIONS
from tests.helpers.wizard import load_demo

HTMX = {"HX-Request": "true"}


def counted_by_rows() -> dict[FilingState, int]:
    rows = db.session.execute(
        select(Filing.state, func.count())
        .where(Filing.state != FilingState.draft)
        .group_by(Filing.state)
    ).all()
    return dict(rows)


def test_counters_follow_a_random_walk_of_transitions(app, make_filing, make_user):
    """40 filings, 300 random allowed transitions: the counters equal a COUNT(*) at every step."""
    load_demo()
    rng = random.Random(7)
    reviewer, filings = make_user(Role.reviewer), []
    for _ in range(40):
        filings.append(make_filing(FilingState.submitted, reviewer=reviewer))
    for step in range(300):
        filing = rng.choice(filings)
        actions = [action for (state, action) in TRANSITIONS if state is filing.state]
        if not actions:
            continue
        action = rng.choice(actions)
        actor = (
            None
            if action in SYSTEM_ACTIONS
            else filing.account
            if action in APPLICANT_ACTIONS
            else reviewer
        )
        try:
            transitions.apply(filing, action, actor)
        except workflow.WorkflowError:
            db.session.rollback()
            continue
        db.session.commit()
        if step % 25 == 0:
            assert stage_counts.read() == counted_by_rows()
    assert stage_counts.read() == counted_by_rows()
    assert reviewing.stage_counts() == {
        state: n for state, n in counted_by_rows().items() if state in workflow.QUEUE_STAGES
    }


def test_recount_rebuilds_the_counters(app, make_filing):
    load_demo()
    for state in (FilingState.submitted, FilingState.submitted, FilingState.re_review):
        make_filing(state)
    db.session.execute(stage_counts.StageCount.__table__.delete())
    db.session.commit()
    assert stage_counts.read() == {}
    result = CliRunner().invoke(app.cli, ["recount"], catch_exceptions=False)
    assert "submitted: 2" in result.output and "re_review: 1" in result.output
    assert stage_counts.read() == counted_by_rows()


def test_the_cached_queue_panel_changes_with_claims_and_decisions(
    client, login, make_filing, make_user
):
    """Within one minute (a frozen clock): claim, release and decide each show at once."""
    load_demo()
    reviewer = make_user(Role.reviewer)
    first, second = make_filing(FilingState.submitted), make_filing(FilingState.submitted)
    login(reviewer)
    with time_machine.travel(utcnow(), tick=False):
        page = client.get("/review/?stage=submitted", headers=HTMX).get_data(as_text=True)
        assert f'id="filing-{first.id}"' in page and reviewer.display_name not in page
        assert client.get("/review/?stage=submitted", headers=HTMX).get_data(as_text=True) == page
        client.post(f"/review/filings/{first.id}/claim")
        claimed = client.get("/review/?stage=submitted", headers=HTMX).get_data(as_text=True)
        assert re.search(rf'id="filing-{first.id}".*?{reviewer.display_name}', claimed, re.S)
        db.session.refresh(first)
        client.post(
            f"/review/filings/{first.id}/decide",
            data={"version": first.version, "action": Action.initial_approve.value},
        )
        after = client.get("/review/?stage=submitted", headers=HTMX).get_data(as_text=True)
    assert f'id="filing-{first.id}"' not in after and f'id="filing-{second.id}"' in after
    count = re.search(r'aria-current="page"[^>]*>\s*\S+ <span class="count">(\d+)</span>', after)
    assert count and count.group(1) == "1"
