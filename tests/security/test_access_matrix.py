"""Every route of the app map x {anonymous, applicant A (owner), applicant B, reviewer, admin}:
nobody reaches what is not theirs. A new route is picked up automatically (and must be classified).
Also: every state-changing route refuses a request without a CSRF token."""

from __future__ import annotations

import pytest

from tests.helpers.access import ROLES, allowed_roles, client_as, url_for_rule
from tests.helpers.app import PASSWORD

pytestmark = pytest.mark.slow


def test_access_matrix(app, world, capsys):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    cells = unexpected = 0
    failures = []
    for rule in sorted(rules, key=lambda r: r.rule):
        allowed = allowed_roles(rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                client = client_as(app, role, world["users"])
                response = client.open(url_for_rule(rule, world["values"]), method=method)
                response.close()
                cells += 1
                status, location = response.status_code, response.headers.get("Location", "")
                if status >= 500:
                    failures.append((rule.endpoint, method, role, status))
                if role not in allowed:
                    denied = status in (401, 403, 404, 405) or (
                        status == 302 and role == "anonymous" and "/auth/login" in location
                    )
                    if not denied:
                        unexpected += 1
                        failures.append((rule.endpoint, method, role, status, location))
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(rules)} routes covered (100 %), {cells} cells, {unexpected} unexpected successes"
        )
    assert failures == [], "\n".join(map(str, failures))


def test_every_state_changing_route_refuses_a_missing_csrf_token(app, world, capsys):
    exempt = {
        "api.precheck_application",
        "api.filing_type",
        "api.create_filing",
        "api.issue_service_code",
    }  # JSON, no cookie authority
    accepted, checked = [], 0
    app.config["WTF_CSRF_ENABLED"] = True  # as in production (CSRFProtect reads it per request)
    try:
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint in exempt:
                continue
            for role in ("anonymous", "owner", "admin"):
                client = app.test_client()
                if role != "anonymous":
                    page = client.get("/auth/login").get_data(as_text=True)
                    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
                    user = world["users"][role]
                    login = {"email": user.email, "password": PASSWORD, "csrf_token": token}
                    assert client.post("/auth/login", data=login).status_code == 302
                response = client.post(url_for_rule(rule, world["values"]), data={"x": "1"})
                checked += 1
                if response.status_code != 400:
                    accepted.append((rule.endpoint, role, response.status_code))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    with capsys.disabled():
        print(
            f"\nCSRF: {checked} POSTs without a token to state-changing routes, {len(accepted)} accepted"
        )
    assert accepted == []
