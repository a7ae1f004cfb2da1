"""A draft that was never submitted is the applicant's alone: staff get 404 for its review screen,
its actions and its images; once submitted (also when sent back or withdrawn later) they see it."""

from __future__ import annotations

import pytest

from domain.lifecycle.states import FilingState, Role
from extensions import db
from tests.helpers.app import PASSWORD
from tests.helpers.wizard import walk_to_confirm


@pytest.mark.parametrize("role", [Role.reviewer, Role.admin])
def test_staff_cannot_open_a_draft_never_submitted(app, client, applicant, make_user, role):
    filing = walk_to_confirm(client, applicant)
    assert filing.state is FilingState.draft and filing.submitted_at is None
    staff = app.test_client()
    user = make_user(role)
    staff.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert staff.get(f"/review/filings/{filing.id}").status_code == 404
    assert staff.post(f"/review/filings/{filing.id}/claim").status_code == 404
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted
    assert staff.get(f"/review/filings/{filing.id}").status_code == 200
