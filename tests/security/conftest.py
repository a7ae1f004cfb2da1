"""The security tests' world: a small set of users and objects whose ids fill the routes' URLs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.lifecycle.states import Action, Role
from domain.operator import ip_pool
from extensions import db
from models import Material, OutboxMessage, ProviderIP
from tests.helpers import transitions
from tests.helpers.wizard import image_bytes, load_demo, multipart, walk_to_confirm


@pytest.fixture
def world(app, client, make_user, login):
    load_demo()
    owner, other = make_user(Role.applicant), make_user(Role.applicant)
    reviewer, admin, victim = (
        make_user(Role.reviewer),
        make_user(Role.admin),
        make_user(Role.reviewer),
    )
    ip_pool.assign_free(owner, 2)
    db.session.commit()
    login(owner)
    filing = walk_to_confirm(client, owner)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    transitions.apply(filing, Action.initial_approve, reviewer)
    db.session.commit()
    body, content_type = multipart(
        {"kind": "id_front", "website_id": ""}, "file", image_bytes("PNG"), "a.png"
    )
    client.post(f"/filings/{filing.id}/materials", data=body, content_type=content_type)
    client.post("/auth/logout")
    material = db.session.scalar(select(Material).where(Material.filing_id == filing.id))
    message_id = db.session.scalar(  # one of the owner's messages (message centre, outbox retry)
        select(OutboxMessage.id).where(OutboxMessage.account_id == owner.id).limit(1)
    )
    values = {
        "filing_id": filing.id, "material_id": material.id, "website_id": filing.websites[0].id,
        "user_id": victim.id, "ip_id": db.session.scalar(select(ProviderIP.id)), "code": "33",
        "kind": "commitment_letter", "token": "0" * 32, "action": "disable",
        "message_id": message_id, "token_id": 1,  # no such API token: admin gets 404, others 403
        "code_id": 1,  # no such service code
        "website_number": "浙ICP备2021000001号-1",  # never checked: staff get 404, others 403
        "number": "浙ICP备2021000001号",  # a registry subject's console page (admin only)
        "row": 0,  # a website's first pre-approval row
        "entry_id": 1,  # no such allow-list entry of the access gate
    }  # fmt: skip
    return {
        "users": {"owner": owner, "other": other, "reviewer": reviewer, "admin": admin},
        "values": values,
    }
