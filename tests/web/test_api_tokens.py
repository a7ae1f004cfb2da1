"""API tokens: scopes, expiry, last use; refused (401 JSON) when revoked, expired or
issued by an admin who was disabled since; a read-only token cannot create drafts; listed, issued
and revoked in the admin console and by `flask api-token list|revoke`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from domain.lifecycle.states import Role
from domain.operator import account_admin, api_tokens, ip_pool
from extensions import db
from models import ApiToken, AuditEvent, utcnow
from tests.helpers.wizard import load_demo


@pytest.fixture
def setup(app, make_user):
    """An admin, an applicant with two IPs, a read token and a write token."""
    load_demo()
    admin = make_user(Role.admin)
    applicant = make_user(Role.applicant)
    ip_pool.assign_free(applicant, 2)
    read = api_tokens.issue("reader", admin)
    write = api_tokens.issue("writer", admin, write=True)
    db.session.commit()
    return {"admin": admin, "applicant": applicant, "read": read, "write": write}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def draft_body(applicant) -> dict:
    return {
        "account": applicant.email,
        "application": {"subject": {}},  # any body: the token is refused before it is read
    }


def token_row(name: str) -> ApiToken:
    return db.session.scalars(select(ApiToken).where(ApiToken.name == name)).one()


def test_a_read_token_reads_and_records_its_last_use(client, setup):
    assert token_row("reader").last_used_at is None
    response = client.get("/api/v1/filings/999999", headers=bearer(setup["read"]))
    assert response.status_code == 404  # authorised; there is no such filing
    db.session.expire_all()
    assert token_row("reader").last_used_at is not None


def test_a_read_only_token_cannot_create_drafts(client, setup):
    response = client.post(
        "/api/v1/filings", json=draft_body(setup["applicant"]), headers=bearer(setup["read"])
    )
    assert response.status_code == 403
    assert response.get_json() == {"error": "API 令牌没有 write 权限"}
    written = client.post(
        "/api/v1/filings", json=draft_body(setup["applicant"]), headers=bearer(setup["write"])
    )
    assert written.status_code == 400  # past the token: the body is checked


def _refused(client, token: str) -> None:
    for response in (
        client.get("/api/v1/filings/1", headers=bearer(token)),
        client.post("/api/v1/filings", json={}, headers=bearer(token)),
    ):
        assert response.status_code == 401
        assert response.is_json and "API 令牌" in response.get_json()["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(client, setup):
    api_tokens.revoke(token_row("writer").id, setup["admin"])
    db.session.commit()
    _refused(client, setup["write"])
    assert client.get("/api/v1/filings/999999", headers=bearer(setup["read"])).status_code == 404


def test_an_expired_token_is_refused(client, setup):
    expires_at = token_row("writer").expires_at
    assert timedelta(days=89) < expires_at - utcnow() <= timedelta(days=90)
    with time_machine.travel(expires_at + timedelta(seconds=1)):
        _refused(client, setup["write"])
    with time_machine.travel(expires_at - timedelta(minutes=1)):
        assert (
            client.get("/api/v1/filings/999999", headers=bearer(setup["write"])).status_code == 404
        )


def test_a_token_stops_working_when_its_admin_is_disabled(client, setup, make_user):
    other_admin = make_user(Role.admin)
    account_admin.set_enabled(setup["admin"], False, other_admin)
    db.session.commit()
    _refused(client, setup["read"])
    _refused(client, setup["write"])
    account_admin.set_enabled(setup["admin"], True, other_admin)
    db.session.commit()
    assert client.get("/api/v1/filings/999999", headers=bearer(setup["read"])).status_code == 404


def test_only_an_enabled_admin_issues_and_only_for_sane_lifetimes(setup, make_user):
    reviewer = make_user(Role.reviewer)
    with pytest.raises(api_tokens.TokenError) as refused:
        api_tokens.issue("x", reviewer)
    assert refused.value.field == "by"
    for days in (0, -1, 3651):
        with pytest.raises(api_tokens.TokenError) as refused:
            api_tokens.issue("x", setup["admin"], days=days)
        assert refused.value.field == "days"


def test_a_draft_for_a_disabled_applicant_is_refused(client, setup, make_user):
    account_admin.set_enabled(setup["applicant"], False, setup["admin"])
    db.session.commit()
    response = client.post(
        "/api/v1/filings",
        json={"account": setup["applicant"].email, "application": {}},
        headers=bearer(setup["write"]),
    )
    assert response.status_code == 400
    assert response.get_json()["problems"][0]["field"] == "account"


# --- the CLI --------------------------------------------------------------------------------------


def test_cli_create_list_and_revoke(app, setup):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["api-token", "create", "crm", "--by", setup["admin"].email, "--write", "--days", "7"]
    )
    assert created.exit_code == 0, created.output
    token = created.output.strip()
    assert token.startswith("bd_")
    listing = runner.invoke(args=["api-token", "list"])
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split()[:4] == ["id", "state", "scopes", "name"]
    crm = next(line for line in lines if " crm " in line)
    assert crm.split()[1:3] == ["live", "read,write"] and token not in listing.output
    crm_id = crm.split()[0]
    revoked = runner.invoke(args=["api-token", "revoke", crm_id])
    assert revoked.exit_code == 0 and f"token {crm_id} (crm) revoked" in revoked.output
    db.session.expire_all()
    assert app.test_client().get("/api/v1/filings/1", headers=bearer(token)).status_code == 401
    relisted = runner.invoke(args=["api-token", "list"]).output
    assert next(line for line in relisted.splitlines() if " crm " in line).split()[1] == "revoked"
    missing = runner.invoke(args=["api-token", "revoke", "999999"])
    assert missing.exit_code != 0 and "没有该编号的 API 令牌" in missing.output
    bad_days = runner.invoke(
        args=["api-token", "create", "x", "--by", setup["admin"].email, "--days", "5000"]
    )
    assert bad_days.exit_code != 0 and "--days: 有效期应为 1 至 3650 天" in bad_days.output


def test_cli_list_shows_expired_and_disabled_creators(app, setup, make_user):
    account_admin.set_enabled(setup["admin"], False, make_user(Role.admin))
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["api-token", "list"]).output
    states = {line.split()[3]: line.split()[1] for line in output.splitlines()[1:]}
    assert states == {"reader": "creator_disabled", "writer": "creator_disabled"}


# --- the admin console ----------------------------------------------------------------------------


def test_console_lists_issues_and_revokes(client, setup, login):
    login(setup["admin"])
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "reader" in page and "writer" in page and "只读" in page and "读写" in page
    assert setup["read"] not in page  # only the hash is kept
    issued = client.post("/admin/api-tokens", data={"name": "erp", "days": "30", "write": "y"})
    assert issued.status_code == 200
    token = re.search(r"新令牌：(bd_[\w-]+)", issued.get_data(as_text=True)).group(1)
    assert token_row("erp").scopes == "read write"
    erp_id = token_row("erp").id
    revoked = client.post(f"/admin/api-tokens/{erp_id}/revoke")
    assert revoked.status_code == 302
    assert client.get("/api/v1/filings/1", headers=bearer(token)).status_code == 401
    assert db.session.scalar(
        select(AuditEvent.action).where(AuditEvent.action == "api_token_revoked")
    )
    assert client.post("/admin/api-tokens/999999/revoke").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "days": "30"}, "名称：必填"),
        ({"name": "x", "days": "0"}, "有效期（天）：应为 1 至 3650 之间的整数"),
        ({"name": "x", "days": "abc"}, "有效期（天）：不是有效的整数"),
    ],
)
def test_console_form_errors_name_the_field(client, setup, login, data, message):
    login(setup["admin"])
    response = client.post("/admin/api-tokens", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_console_token_page_is_for_admins_only(client, setup, make_user, login):
    login(make_user(Role.reviewer))
    assert client.get("/admin/api-tokens").status_code == 403
    assert client.post(f"/admin/api-tokens/{token_row('reader').id}/revoke").status_code == 403
