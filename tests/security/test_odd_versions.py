"""Odd versions posted to the four forms that carry one: a refusal, never a server error."""

from __future__ import annotations

import pytest

from domain.lifecycle.states import FilingState, Role
from extensions import db

ODD = ["abc", "1.5", "-1", "99999999999999999999", ""]


@pytest.mark.parametrize("version", ODD)
def test_odd_versions_are_refused_without_a_server_error(
    client, login, make_filing, make_user, version
):
    draft = make_filing(FilingState.draft)
    waiting = make_filing(FilingState.materials_pending, owner=draft.account)
    login(draft.account)
    answers = [
        client.post(f"/filings/{draft.id}/submit", data={"version": version, "commitment": "y"}),
        client.post(f"/filings/{draft.id}/withdraw", data={"version": version}),
        client.post(f"/filings/{waiting.id}/materials/submit", data={"version": version}),
    ]
    client.post("/auth/logout")
    login(make_user(Role.reviewer))
    answers.append(
        client.post(f"/review/filings/{waiting.id}/decide",
                    data={"action": "initial_approve", "version": version})
    )  # fmt: skip
    assert [a.status_code for a in answers if a.status_code >= 500] == []
    db.session.refresh(draft)
    db.session.refresh(waiting)
    assert draft.state is FilingState.draft and waiting.state is FilingState.materials_pending
