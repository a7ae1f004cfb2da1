"""One open order per subject held by the database itself, on SQLite and PostgreSQL, and
an approval refused while the review screen lists a problem with the order. The same races through
real concurrent requests: tests/db/test_race_promises.py."""

# ruff: noqa: F811 (test functions take the imported `held` fixture)
from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.filing import orders
from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind
from domain.review import reviewing
from extensions import db
from models import OPEN_ORDER_PREDICATE, Filing
from runtime.policy import current_policy
from tests.helpers.orders import new_ip, registry_website


def test_the_open_states_of_the_index_are_the_workflows(app):
    """The index's predicate names the states that are neither a draft nor final."""
    closed = {FilingState.draft, *workflow.FINAL_STATES}
    assert f"NOT IN ({', '.join(repr(s.value) for s in FilingState if s in closed)})" in (
        OPEN_ORDER_PREDICATE
    )


def test_the_database_refuses_a_second_open_order_of_a_subject(
    applicant,
    held,
    monkeypatch,
):
    filing, _reviewer = held
    website = filing.websites[0]
    first = orders.start_change(
        applicant, {website.id: [new_ip(applicant, filing)]}, current_policy()
    )
    db.session.commit()
    # As when two requests both checked before either had written: the check sees nothing.
    monkeypatch.setattr(orders, "open_order_of", lambda _number: None)
    with pytest.raises(orders.OrderRefused) as refused:
        orders.start_cancel(applicant, [website.id], current_policy(), confirmed_shells=True)
    db.session.rollback()
    assert refused.value.field == "websites"
    assert "正在办理中的订单" in refused.value.message.text
    submitted = db.session.scalars(
        select(Filing.id).where(Filing.kind != OrderKind.access, Filing.state != FilingState.draft)
    ).all()
    assert submitted == [first.id]


def test_an_order_is_not_approved_while_the_review_screen_lists_a_problem(
    applicant,
    held,
):
    filing, reviewer = held
    website = filing.websites[0]
    order = orders.start_change(
        applicant, {website.id: [new_ip(applicant, filing)]}, current_policy()
    )
    db.session.commit()
    registry_website().access_providers = "ALIYUN"  # the registry no longer lists this provider
    db.session.commit()
    listed = orders.problems(order, current_policy()).breaches
    assert listed  # what the review screen shows
    assert reviewing.claim(order, reviewer, current_policy())
    with pytest.raises(reviewing.ReviewError) as refused:
        reviewing.decide(
            order, reviewer, Action.review_approve, policy=current_policy(),
            expected_version=order.version,
        )  # fmt: skip
    db.session.rollback()
    assert refused.value.message == listed[0].message
    assert db.session.get(Filing, order.id).state is FilingState.submitted
    # a rejection still goes through: the problem is a reason to refuse, not to be stuck
    assert reviewing.claim(order, reviewer, current_policy())
    reviewing.decide(
        order, reviewer, Action.initial_reject, policy=current_policy(),
        expected_version=order.version, note="网站已不在本服务商接入",
    )  # fmt: skip
    db.session.commit()
    assert order.state is FilingState.initial_rejected
