"""The provider's console API: bearer tokens, drafts from A2, state and timeline, signed webhooks,
and every answer checked against openapi.json (which is itself a valid OpenAPI document)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from domain.filing.filings import account_ips
from domain.lifecycle.states import Action, Role
from domain.operator import api_tokens, ip_pool
from extensions import db
from models import Filing
from runtime import notify
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.wizard import load_demo

SPEC = json.loads(
    (Path(__file__).resolve().parents[2] / "openapi.json").read_text(encoding="utf-8")
)
APPLICATION = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "application_ok.json").read_text(
        encoding="utf-8"
    )
)


def check_against_spec(path: str, method: str, response) -> None:
    """The response's status is documented for this operation and its body fits the schema."""
    documented = SPEC["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, response.status_code
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:spec", DRAFT202012.create_resource(SPEC))
    validator = Draft202012Validator({"$ref": "urn:spec#" + schema["$ref"][1:]}, registry=registry)
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert errors == [], errors


def test_the_openapi_file_is_valid_and_served(client):
    validate_spec(SPEC)
    assert client.get("/api/v1/openapi.json").get_json()["info"]["title"] == "Beian Desk API"


@pytest.fixture
def console(app, make_user):
    load_demo()
    admin = make_user(Role.admin)
    applicant = make_user(Role.applicant)
    ip_pool.assign_free(applicant, 2)
    token = api_tokens.issue("console", admin, write=True)
    db.session.commit()
    return {"token": token, "applicant": applicant, "headers": {"Authorization": f"Bearer {token}"}}


def application_for(applicant) -> dict:
    document = copy.deepcopy(APPLICATION)
    ips = account_ips(applicant)
    for index, website in enumerate(document["websites"]):
        website["ips"] = [ips[index % len(ips)]]
    return document


def test_without_a_valid_token_401(client, console):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": console["token"]}):
        response = client.get("/api/v1/filings/1", headers=headers)
        assert response.status_code == 401
        check_against_spec("/filings/{filing_id}", "get", response)


def test_create_a_draft_from_an_a2_application(client, console):
    body = {
        "account": console["applicant"].email,
        "application": application_for(console["applicant"]),
    }
    response = client.post("/api/v1/filings", json=body, headers=console["headers"])
    assert response.status_code == 201, response.get_json()
    check_against_spec("/filings", "post", response)
    document = response.get_json()
    assert (document["state"], document["type"]) == ("draft", "new_access")
    assert [b["rule"] for b in document["breaches"]] == ["missing"]  # only the filing password
    filing = db.session.get(Filing, document["id"])
    assert [w.icp_number for w in filing.websites] == [
        "浙ICP备2021000001号-1",
        "浙ICP备2021000001号-2",
    ]
    assert filing.subject.responsible_person.mobile == "13800138000"
    again = client.post("/api/v1/filings", json=body, headers=console["headers"])
    assert again.get_json()["id"] == document["id"]  # the same draft, not a second one


def test_refusals_and_bad_input(client, console):
    body = {
        "account": console["applicant"].email,
        "application": application_for(console["applicant"]),
    }
    foreign_ip = copy.deepcopy(body)
    foreign_ip["application"]["websites"][0]["ips"] = ["121.41.100.10"]
    response = client.post("/api/v1/filings", json=foreign_ip, headers=console["headers"])
    assert response.status_code == 422 and response.get_json()["error"] == "refused"
    refused = copy.deepcopy(body)
    refused["application"]["websites"][0]["domains"] = ["yunfan-net.com"]
    response = client.post("/api/v1/filings", json=refused, headers=console["headers"])
    assert (
        response.status_code == 422 and response.get_json()["refusal"] == "domain_subject_mismatch"
    )
    check_against_spec("/filings", "post", response)
    for bad in ({"account": "nobody@example.cn", "application": body["application"]},
                {"account": console["applicant"].email, "application": {"subject": {}}},
                {"application": body["application"]}):  # fmt: skip
        response = client.post("/api/v1/filings", json=bad, headers=console["headers"])
        assert response.status_code == 400
        check_against_spec("/filings", "post", response)


def test_read_state_and_timeline(client, console):
    body = {
        "account": console["applicant"].email,
        "application": application_for(console["applicant"]),
    }
    filing_id = client.post("/api/v1/filings", json=body, headers=console["headers"]).get_json()[
        "id"
    ]
    response = client.get(f"/api/v1/filings/{filing_id}", headers=console["headers"])
    assert response.status_code == 200
    check_against_spec("/filings/{filing_id}", "get", response)
    assert [e["action"] for e in response.get_json()["timeline"]] == [
        "draft_created",
        "product_verified",
    ]
    missing = client.get("/api/v1/filings/999999", headers=console["headers"])
    assert missing.status_code == 404
    check_against_spec("/filings/{filing_id}", "get", missing)


def test_public_endpoints_fit_the_spec(client, console):
    check_against_spec("/precheck", "post", client.post("/api/v1/precheck", json=APPLICATION))
    check_against_spec("/precheck", "post", client.post("/api/v1/precheck", json={"x": 1}))
    body = {"cert_type": "uscc", "cert_number": "913301069755TH2H1L", "domain": "qinghe.cn"}
    check_against_spec("/filing-type", "post", client.post("/api/v1/filing-type", json=body))
    check_against_spec(
        "/filing-type", "post", client.post("/api/v1/filing-type", json={"cert_type": "x"})
    )


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server name
        length = int(self.headers["Content-Length"])
        Receiver.received.append((self.headers["X-Beian-Signature"], self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def test_every_transition_is_posted_signed(app, client, console, receiver, make_user):
    app.config.update(WEBHOOK_URL=receiver, WEBHOOK_SECRET="s3cret")
    body = {
        "account": console["applicant"].email,
        "application": application_for(console["applicant"]),
    }
    filing = db.session.get(
        Filing,
        client.post("/api/v1/filings", json=body, headers=console["headers"]).get_json()["id"],
    )
    filing.password_verified_at = filing.created_at
    transitions.apply(filing, Action.submit, console["applicant"])
    transitions.apply(filing, Action.initial_approve, make_user(Role.reviewer))
    db.session.commit()
    notify.dispatch_pending(
        notify.LogSmsGateway(), notify.LogEmailSender(), policy=current_policy()
    )
    events = []
    for signature, payload in Receiver.received:
        expected = "sha256=" + hmac.new(b"s3cret", payload, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected)
        events.append(json.loads(payload))
    assert [(e["from_state"], e["state"]) for e in events] == [
        ("draft", "submitted"),
        ("submitted", "materials_pending"),
    ]
    assert all(e["filing_id"] == filing.id and e["event"] == "transition" for e in events)
