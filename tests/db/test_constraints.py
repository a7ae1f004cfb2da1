"""Database constraints hold even when application code is bypassed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from domain.lifecycle.states import FilingState
from extensions import db
from models import Filing, ProviderIP


def _raw_update(filing_id: int, **values) -> None:
    db.session.execute(sa.update(Filing).where(Filing.id == filing_id).values(**values))
    db.session.flush()


def test_final_state_needs_its_finish_time(make_filing):
    filing = make_filing(FilingState.submitted)
    with pytest.raises(sa.exc.IntegrityError):
        _raw_update(filing.id, state="withdrawn")
    db.session.rollback()


def test_approved_needs_approved_at(make_filing):
    filing = make_filing(FilingState.bureau_review)
    with pytest.raises(sa.exc.IntegrityError):
        _raw_update(filing.id, state="approved", finished_at=filing.submitted_at)
    db.session.rollback()


def test_unknown_state_is_refused_by_the_database(make_filing):
    filing = make_filing(FilingState.draft)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.text("UPDATE filings SET state = 'teleported' WHERE id = :id"), {"id": filing.id}
        )
        db.session.flush()
    db.session.rollback()


def test_submitted_filing_needs_a_submission_time(make_filing):
    filing = make_filing(FilingState.submitted)
    with pytest.raises(sa.exc.IntegrityError):
        _raw_update(filing.id, submitted_at=None)
    db.session.rollback()


def test_foreign_keys_are_enforced(app):
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(
            ProviderIP(address="121.41.100.99", account_id=424242, assigned_at=sa.func.now())
        )
        db.session.flush()
    db.session.rollback()


def test_provider_ip_is_unique(app):
    db.session.add(ProviderIP(address="121.41.100.99"))
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(ProviderIP(address="121.41.100.99"))
        db.session.flush()
    db.session.rollback()
