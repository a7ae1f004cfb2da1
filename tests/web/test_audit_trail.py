"""A filing's trail (audit.trail) leaves out the staff's looks at its personal data, and the index
that serves it has the same predicate as audit.VIEWS (a review screen opened all day
must not read every view of it)."""

from __future__ import annotations

from sqlalchemy import text

from domain import audit
from domain.lifecycle.states import FilingState, Role
from extensions import db
from models import TRAIL_PREDICATE


def test_the_index_predicate_names_exactly_the_views():
    listed = ", ".join(f"'{action}'" for action in sorted(audit.VIEWS))
    assert TRAIL_PREDICATE == f"action NOT IN ({listed})"


def test_the_trail_leaves_out_views_and_uses_its_index(app, make_filing, make_user):
    filing = make_filing(FilingState.submitted)
    reviewer = make_user(Role.reviewer)
    before = [e.action for e in audit.trail(filing)]
    for _ in range(30):
        audit.record("review_viewed", reviewer, filing=filing, internal=True)
        audit.record("material_viewed", reviewer, filing=filing, internal=True)
    audit.record("note", reviewer, filing=filing, note="已电话联系", internal=True)
    db.session.commit()
    assert [e.action for e in audit.trail(filing)] == [*before, "note"]
    if db.engine.dialect.name == "postgresql":
        # The tables are emptied by DELETE between tests: their indexes keep the dead entries of
        # earlier tests (a bloated index looks dear to the planner) and their statistics go stale.
        # Rebuilt and counted afresh, the table is what a database of this size would be.
        db.session.execute(text("REINDEX TABLE audit_events"))
        db.session.execute(text("ANALYZE audit_events"))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in db.session.execute(
                text(
                    "EXPLAIN SELECT * FROM audit_events WHERE filing_id = :id AND "
                    f"{TRAIL_PREDICATE} ORDER BY id"
                ),
                {"id": filing.id},
            )
        )
        db.session.rollback()
        assert "ix_audit_events_trail" in plan, plan
