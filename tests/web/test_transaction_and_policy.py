"""The web layer's one commit point and its settings reader."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.operator import settings
from extensions import db
from models import DomainSuffix
from runtime import policy
from runtime.transaction import transaction


def suffixes() -> int:
    return db.session.scalar(select(func.count()).select_from(DomainSuffix)) or 0


def test_a_block_that_ends_is_committed_and_one_that_raises_leaves_nothing(app):
    before = suffixes()
    with transaction():
        db.session.add(DomainSuffix(suffix="example-one", approved=True))
    with pytest.raises(DomainError):
        with transaction():
            db.session.add(DomainSuffix(suffix="example-two", approved=True))
            db.session.flush()
            raise DomainError("refused")
    db.session.expire_all()
    assert suffixes() == before + 1


def test_a_commit_that_fails_is_rolled_back_and_the_session_goes_on(app):
    with transaction():
        db.session.add(DomainSuffix(suffix="example-one", approved=True))
    with pytest.raises(IntegrityError):
        with transaction():  # the duplicate key fails at the commit's flush
            db.session.add(DomainSuffix(suffix="example-one", approved=False))
    assert suffixes() >= 1  # the session answers again: it was rolled back


def test_the_policy_keeps_what_it_knew_when_the_database_does_not_answer(
    app, make_user, monkeypatch
):
    with transaction():
        settings.save("PROVIDER_NAME", "青禾云", "示例云", make_user(Role.admin))
    policy.forget()
    assert policy.current_policy().provider_name == "青禾云"
    monkeypatch.setattr(settings, "stored", lambda: None)
    assert policy.current_policy().provider_name == "青禾云"  # not the configured 示例云
    policy.forget()
    assert policy.current_policy().provider_name == app.config["PROVIDER_NAME"]  # nothing known
