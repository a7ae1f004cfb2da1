"""The simulated bureau's numbers for new subjects (DOMAIN.md A8) never repeat, also when two
approvals happen at once on two connections (as on two hosts): the sequence row's lock orders them.
PostgreSQL only: SQLite takes one writer at a time anyway."""

from __future__ import annotations

import threading

import pytest

from domain.lifecycle.states import Action, FilingState, Role
from domain.review import reviewing
from extensions import db
from models import Filing
from runtime.policy import current_policy
from tests.helpers import new_filings
from tests.helpers.orders import walk


def test_two_first_filings_approved_at_once_get_two_numbers(app, client, applicant, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite serialises them)")
    reviewer = make_user(Role.reviewer)
    ids = []
    for cert, domain, mobile in (  # two subjects, two persons (R-P-4: one mobile per subject)
        ("91330106MA28XY5Q78", "xinhe-one.cn", "13900139001"),
        ("91330106MA2J4KLM3N", "xinhe-two.cn", "13900139002"),
    ):
        filing = new_filings.walk_first_filing(
            client, applicant, cert=cert, domain=domain, mobile=mobile
        )
        new_filings.submit(client, filing)
        walk(filing, new_filings.NEW_FILING_PATH[:-1], applicant, reviewer)
        assert filing.state is FilingState.bureau_review
        ids.append(filing.id)
    db.session.remove()
    barrier, errors = threading.Barrier(2), []

    def approve(filing_id: int) -> None:
        try:
            with app.app_context():
                filing = db.session.get(Filing, filing_id)
                barrier.wait(timeout=10)
                reviewing.advance(filing, Action.bureau_approve, None, policy=current_policy())
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    numbers = [db.session.get(Filing, i).subject.icp_number for i in ids]
    assert len(set(numbers)) == 2 and all(n.startswith("浙ICP备") for n in numbers)
    assert sorted(int(n[-7:-1]) for n in numbers) == [1, 2]
