"""Service codes (备案服务码, DOMAIN.md A10): the billing system's API (scope, 401/403, 400 naming the
field, list, read, revoke, every answer against openapi.json), the admin's console, and the
wizard's product step by code with every refusal in the applicant's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.filing import filings, service_codes
from domain.filing.filings import account_ips
from domain.lifecycle.states import FilingState, Role
from domain.lifecycle.workdays import shanghai_today
from domain.operator import api_tokens
from domain.ports import ServiceCode as SourceCode
from extensions import db
from models import AuditEvent, Filing, ServiceCode
from tests.helpers.openapi import check_against_spec
from tests.helpers.wizard import (
    QINGHE_USCC,
    filing_id_from,
    subject_form,
    website_block,
)

CODE_IPS = ["121.40.10.1", "121.40.10.2"]


@pytest.fixture
def app_config() -> dict:
    return {"PRODUCT_VERIFICATION": "service_code"}


@pytest.fixture
def billing(app, make_user):
    """A token with the service_codes scope, and one without it."""
    admin = make_user(Role.admin)
    token = api_tokens.issue("billing", admin, service_codes=True)
    plain = api_tokens.issue("console", admin, write=True)
    db.session.commit()
    return {
        "headers": {"Authorization": f"Bearer {token}"},
        "other": {"Authorization": f"Bearer {plain}"},
    }


def paid(days: int) -> str:
    return (shanghai_today() + timedelta(days=days)).isoformat()


def issue(client, billing, account_email, ips=None, days=200):
    response = client.post(
        "/api/v1/service-codes",
        json={"account": account_email, "ips": ips or CODE_IPS, "paid_until": paid(days)},
        headers=billing["headers"],
    )
    assert response.status_code == 201, response.get_json()
    check_against_spec("/service-codes", "post", response)
    return response.get_json()


# --- the API ----------------------------------------------------------------------------------


def test_the_api_needs_a_token_with_the_service_codes_scope(client, billing, applicant):
    body = {"account": applicant.email, "ips": CODE_IPS, "paid_until": paid(200)}
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = client.post("/api/v1/service-codes", json=body, headers=headers)
        assert response.status_code == 401
        check_against_spec("/service-codes", "post", response)
        response = client.get("/api/v1/service-codes", headers=headers)
        assert response.status_code == 401
        check_against_spec("/service-codes", "get", response)
    response = client.post("/api/v1/service-codes", json=body, headers=billing["other"])
    assert response.status_code == 403 and "service_codes" in response.get_json()["error"]
    check_against_spec("/service-codes", "post", response)
    for method in ("get", "delete"):
        response = getattr(client, method)("/api/v1/service-codes/1", headers=billing["other"])
        assert response.status_code == 403
        check_against_spec("/service-codes/{code_id}", method, response)
    assert db.session.scalar(select(ServiceCode.id)) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ips": CODE_IPS, "paid_until": "2030-01-01"}, "account"),
        ({"account": "nobody@example.cn", "ips": CODE_IPS, "paid_until": "2030-01-01"}, "account"),
        ({"account": "@", "ips": [], "paid_until": "2030-01-01"}, "ips"),
        ({"account": "@", "ips": ["10.0.0.1"], "paid_until": "2030-01-01"}, "ips"),
        ({"account": "@", "ips": ["not an ip"], "paid_until": "2030-01-01"}, "ips"),
        ({"account": "@", "ips": CODE_IPS, "paid_until": "2030-13-01"}, "paid_until"),
        ({"account": "@", "ips": CODE_IPS}, "paid_until"),
        ({"account": "@", "ips": CODE_IPS, "paid_until": "2030-01-01", "x": 1}, "x"),
    ],
)
def test_a_request_that_is_not_one_is_400_naming_the_field(client, billing, applicant, body, field):
    if body.get("account") == "@":
        body = {**body, "account": applicant.email}
    response = client.post("/api/v1/service-codes", json=body, headers=billing["headers"])
    assert response.status_code == 400
    check_against_spec("/service-codes", "post", response)
    assert field in [p["field"] for p in response.get_json()["problems"]]
    assert db.session.scalar(select(ServiceCode.id)) is None


def test_a_code_for_a_staff_account_is_refused(client, billing, make_user):
    staff = make_user(Role.reviewer)
    response = client.post(
        "/api/v1/service-codes",
        json={"account": staff.email, "ips": CODE_IPS, "paid_until": paid(200)},
        headers=billing["headers"],
    )
    assert response.status_code == 400
    assert response.get_json()["problems"][0]["field"] == "account"


def test_issue_list_read_and_revoke(client, billing, applicant, make_user):
    other = make_user(Role.applicant)
    first = issue(client, billing, applicant.email)
    second = issue(client, billing, other.email, ips=["121.40.10.9"])
    assert len(first["code"].replace("-", "")) == 16 and first["state"] == "active"
    assert first["hint"] == first["code"][-4:] and first["ips"] == CODE_IPS
    row = db.session.get(ServiceCode, first["id"])
    assert first["code"].replace("-", "") not in repr(row.__dict__)  # only its hash is stored

    listed = client.get("/api/v1/service-codes", headers=billing["headers"])
    check_against_spec("/service-codes", "get", listed)
    assert [c["id"] for c in listed.get_json()["service_codes"]] == [second["id"], first["id"]]
    assert all("code" not in c for c in listed.get_json()["service_codes"])
    page = client.get(f"/api/v1/service-codes?before={second['id']}", headers=billing["headers"])
    assert [c["id"] for c in page.get_json()["service_codes"]] == [first["id"]]
    huge = client.get("/api/v1/service-codes?before=" + "9" * 30, headers=billing["headers"])
    assert huge.status_code == 200
    mine = client.get(
        f"/api/v1/service-codes?account={applicant.email}", headers=billing["headers"]
    )
    assert [c["id"] for c in mine.get_json()["service_codes"]] == [first["id"]]

    one = client.get(f"/api/v1/service-codes/{first['id']}", headers=billing["headers"])
    check_against_spec("/service-codes/{code_id}", "get", one)
    assert one.get_json()["account"] == applicant.email and "code" not in one.get_json()

    revoked = client.delete(f"/api/v1/service-codes/{first['id']}", headers=billing["headers"])
    check_against_spec("/service-codes/{code_id}", "delete", revoked)
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    again = client.delete(f"/api/v1/service-codes/{first['id']}", headers=billing["headers"])
    assert again.get_json()["revoked_at"] == revoked.get_json()["revoked_at"]
    for method in ("get", "delete"):
        missing = getattr(client, method)("/api/v1/service-codes/999", headers=billing["headers"])
        assert missing.status_code == 404
        check_against_spec("/service-codes/{code_id}", method, missing)
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("service_code_issued") == 2 and "service_code_revoked" in actions


# --- the console ------------------------------------------------------------------------------


def test_the_admin_issues_and_revokes_in_the_console(client, login, make_user):
    admin = make_user(Role.admin)
    holder = make_user(Role.applicant)
    login(admin)
    page = client.post(
        "/admin/service-codes",
        data={"account": holder.email, "ips": "121.40.10.1\n121.40.10.2", "paid_until": paid(120)},
    )
    assert page.status_code == 200
    row = db.session.scalar(select(ServiceCode))
    assert row.account_id == holder.id and row.ips == CODE_IPS and row.issued_by_id == admin.id
    assert "只显示这一次" in page.get_data(as_text=True)
    refused = client.post(
        "/admin/service-codes",
        data={"account": holder.email, "ips": "192.168.1.1", "paid_until": paid(120)},
    )
    assert refused.status_code == 422 and "IP 192.168.1.1" in refused.get_data(as_text=True)
    response = client.post(f"/admin/service-codes/{row.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.revoked_at is not None
    assert "已吊销" in client.get("/admin/service-codes").get_data(as_text=True)


def test_an_applicant_cannot_open_the_console(client, applicant):
    assert client.get("/admin/service-codes").status_code in (302, 403, 404)


# --- the wizard -------------------------------------------------------------------------------


def start(client) -> Filing:
    response = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": QINGHE_USCC, "domain": "qinghe.cn"},
    )
    assert response.status_code == 302
    return db.session.get(Filing, filing_id_from(response.headers["Location"]))


def enter(client, filing, code, **extra):
    key = f"service_code-{filing.websites[0].id}"
    return client.post(f"/filings/{filing.id}/product", data={key: code, **extra})


def test_a_code_verifies_the_product_and_puts_its_ips_on_the_website(client, billing, applicant):
    issued = issue(client, billing, applicant.email)
    filing = start(client)
    page = client.get(f"/filings/{filing.id}/product").get_data(as_text=True)
    assert "备案服务码" in page and 'name="ips"' not in page  # the pool is not offered
    response = enter(client, filing, issued["code"].lower().replace("-", " "))
    assert response.status_code == 302 and response.headers["Location"].endswith("/password")
    db.session.refresh(filing)
    assert [ip.address for ip in filing.websites[0].ips] == CODE_IPS
    assert filing.product_ips == CODE_IPS
    row = db.session.get(ServiceCode, issued["id"])
    assert row.filing_id == filing.id and row.website_id == filing.websites[0].id
    assert enter(client, filing, issued["code"]).status_code == 302  # the same code again


def test_the_order_with_a_code_is_submitted_and_its_ips_pass_the_recheck(
    client, billing, applicant
):
    issued = issue(client, billing, applicant.email)
    filing = start(client)
    base = f"/filings/{filing.id}"
    assert enter(client, filing, issued["code"]).status_code == 302
    assert client.post(f"{base}/password", data={"password": "Qinghe2021"}).status_code == 302
    assert client.post(f"{base}/subject", data=subject_form(filing.province)).status_code == 302
    db.session.refresh(filing)
    block = website_block(filing, 0)
    assert block["websites-0-ips"] == CODE_IPS[0]
    assert client.post(f"{base}/websites", data=block).status_code == 302
    assert not set(CODE_IPS) & set(account_ips(applicant))  # not the account's pool IPs
    confirm = client.get(f"{base}/confirm").get_data(as_text=True)
    assert "预检通过" in confirm, confirm
    response = client.post(f"{base}/submit", data={"version": filing.version, "commitment": "y"})
    assert response.status_code == 302
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted


def test_a_code_revoked_after_use_refuses_the_submission(client, billing, applicant):
    issued = issue(client, billing, applicant.email)
    filing = start(client)
    base = f"/filings/{filing.id}"
    enter(client, filing, issued["code"])
    client.post(f"{base}/password", data={"password": "Qinghe2021"})
    client.post(f"{base}/subject", data=subject_form(filing.province))
    db.session.refresh(filing)
    client.post(f"{base}/websites", data=website_block(filing, 0))
    client.delete(f"/api/v1/service-codes/{issued['id']}", headers=billing["headers"])
    confirm = client.get(f"{base}/confirm").get_data(as_text=True)
    assert f"备案服务码（尾号 {issued['hint']}）已被吊销" in confirm
    client.post(f"{base}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    assert filing.state is FilingState.draft


def code_error(response) -> str:
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_every_refusal_names_the_field_in_the_applicants_language(
    client, billing, applicant, make_user
):
    filing = start(client)
    other = make_user(Role.applicant)
    theirs = issue(client, billing, other.email)
    short = issue(client, billing, applicant.email, days=89)
    revoked = issue(client, billing, applicant.email)
    client.delete(f"/api/v1/service-codes/{revoked['id']}", headers=billing["headers"])
    cases = {
        "ZZZZ-ZZZZ-ZZZZ-ZZZZ": "备案服务码不存在或不属于本账号",
        theirs["code"]: "备案服务码不存在或不属于本账号",  # another account's: not told apart
        revoked["code"]: "该备案服务码已被吊销",
        short["code"]: f"该备案服务码对应实例的付费到期日为 {paid(89)}，须在填写之日起至少 90 天",
    }
    for code, words in cases.items():
        page = code_error(enter(client, filing, code))
        assert f"备案服务码：{words}" in page, (code, page[-3000:])
    client.set_cookie("lang", "en")
    english = code_error(enter(client, filing, revoked["code"])).lower()
    client.delete_cookie("lang")
    assert "service code: this service code has been revoked" in english
    missing = code_error(enter(client, filing, ""))
    assert "请为网站“" in missing and "填写备案服务码" in missing
    db.session.refresh(filing)
    assert filing.product_ips == [] and not filing.websites[0].ips


def test_ninety_days_exactly_is_enough(client, billing, applicant):
    issued = issue(client, billing, applicant.email, days=90)
    filing = start(client)
    assert enter(client, filing, issued["code"]).status_code == 302


def test_a_code_serves_one_website_of_one_order(client, billing, applicant):
    issued = issue(client, billing, applicant.email)
    filing = start(client)
    filings.add_website(filing, "qhnote.cn", "BEIANDESK", shanghai_today())
    db.session.commit()
    first, second = filing.websites
    both = {f"service_code-{first.id}": issued["code"], f"service_code-{second.id}": issued["code"]}
    page = code_error(client.post(f"/filings/{filing.id}/product", data=both))
    assert "备案服务码：该备案服务码已被使用" in page
    assert db.session.get(ServiceCode, issued["id"]).website_id == first.id
    another = issue(client, billing, applicant.email, ips=["121.40.10.3"])
    response = client.post(
        f"/filings/{filing.id}/product", data={f"service_code-{second.id}": another["code"]}
    )
    assert response.status_code == 302
    db.session.refresh(filing)
    assert [[ip.address for ip in w.ips] for w in filing.websites] == [CODE_IPS, ["121.40.10.3"]]


def test_another_code_replaces_the_first_which_is_free_again(client, billing, applicant):
    first_code = issue(client, billing, applicant.email)
    second_code = issue(client, billing, applicant.email, ips=["121.40.10.3"])
    filing = start(client)
    enter(client, filing, first_code["code"])
    assert enter(client, filing, second_code["code"]).status_code == 302
    assert db.session.get(ServiceCode, first_code["id"]).used_at is None
    db.session.refresh(filing)
    assert [ip.address for ip in filing.websites[0].ips] == ["121.40.10.3"]
    assert filing.product_ips == ["121.40.10.3"]


def test_either_mode_takes_pool_ips_or_a_code(client, billing, applicant, app):
    app.config["PRODUCT_VERIFICATION"] = "either"
    issued = issue(client, billing, applicant.email)
    filing = start(client)
    page = client.get(f"/filings/{filing.id}/product").get_data(as_text=True)
    assert 'name="ips"' in page and f"service_code-{filing.websites[0].id}" in page
    pool = account_ips(applicant)
    assert client.post(f"/filings/{filing.id}/product", data={"ips": pool}).status_code == 302
    db.session.refresh(filing)
    assert filing.product_ips == pool
    assert enter(client, filing, issued["code"], ips=pool).status_code == 302
    db.session.refresh(filing)
    assert [ip.address for ip in filing.websites[0].ips] == CODE_IPS
    assert filing.product_ips == [*pool, *CODE_IPS]


def test_ip_pool_mode_does_not_take_codes(client, billing, applicant, app):
    app.config["PRODUCT_VERIFICATION"] = "ip_pool"
    issued = issue(client, billing, applicant.email)
    filing = start(client)
    page = client.get(f"/filings/{filing.id}/product").get_data(as_text=True)
    assert "service_code-" not in page
    response = enter(client, filing, issued["code"])
    assert response.status_code == 422  # no IP chosen: today's refusal
    assert db.session.get(ServiceCode, issued["id"]).used_at is None


def test_a_billing_systems_own_source_is_asked_and_each_code_used_once(client, applicant):
    paid_until = shanghai_today() + timedelta(days=200)

    class Billing:  # a provider's ServiceCodeSource (BEIAN_SERVICE_CODE_SOURCE=module:Class)
        def find(self, code):
            if code != "OUTSIDE12345678":
                return None
            return SourceCode(code, applicant.email.upper(), ("121.40.10.7",), paid_until)

    filing = start(client)
    filings.add_website(filing, "qhnote.cn", "BEIANDESK", shanghai_today())
    first, second = filing.websites
    row = service_codes.use(
        filing, first, "outside-1234-5678", applicant, shanghai_today(), Billing()
    )
    assert row.ips == ["121.40.10.7"] and row.hint == "5678" and row.website_id == first.id
    with pytest.raises(service_codes.ServiceCodeError) as refused:
        service_codes.use(filing, second, "OUTSIDE12345678", applicant, shanghai_today(), Billing())
    assert refused.value.field == f"service_code-{second.id}"
    assert "已被使用" in refused.value.message.text
