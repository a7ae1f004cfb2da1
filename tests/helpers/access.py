"""Who may use each route (the policy the security tests hold the app to), the URL of a route with
the values of a test's world, and a client logged in as one of the roles."""

from __future__ import annotations

from tests.helpers.app import PASSWORD

ROLES = ("anonymous", "owner", "other", "reviewer", "admin")

PUBLIC = {"site.index", "site.terms", "site.set_language", "site.health", "auth.login", "auth.signup",
          "auth.second_factor", "auth.forgot_password", "auth.forgot_sent", "auth.reset_password", "auth.confirm_signup",
          "api.precheck_application",
          "api.filing_type", "api.openapi_document", "materials.phone_page",
          "hardening.ready",
          # the access gate: the block page for anyone; the check and the export by the caller's
          # address (or a token), not by a role (tests/web/test_access_gate.py)
          "gate.blocked", "gate.check", "gate.export"}  # fmt: skip
TOKEN = {"api.create_filing", "api.read_filing", "api.issue_service_code", "api.list_service_codes",
         "api.read_service_code", "api.revoke_service_code"}  # fmt: skip
DEMO_ONLY = {"site.demo_mailbox"}  # 404 unless BEIAN_DEMO_MODE (off here, as in production)
ANY_LOGGED_IN = {"auth.logout"}
OWNER_AND_STAFF = {"materials.file"}
STAFF = {"admin.site_checks", "admin.site_check_history", "admin.cancel_away"}  # website checks
ANY_APPLICANT = {"applicant.list_filings", "wizard.start",  # their own list, a new filing
                 "messages.list_messages", "messages.mark_all_read",  # their own messages
                 "records.list_records", "records.change", "records.cancel",  # their own records
                 "records.claim", "records.open_change", "records.cancel_record"}  # fmt: skip


def allowed_roles(endpoint: str) -> set[str]:
    """Who may use an endpoint (the policy this test holds the app to)."""
    if endpoint in PUBLIC:
        return set(ROLES)
    if endpoint in TOKEN:
        return set()  # a session is not enough: only a bearer token
    if endpoint in DEMO_ONLY:
        return set()
    if endpoint in ANY_LOGGED_IN:
        return {"owner", "other", "reviewer", "admin"}
    if endpoint in OWNER_AND_STAFF:
        return {"owner", "reviewer", "admin"}
    if endpoint in STAFF:
        return {"reviewer", "admin"}
    if endpoint in ANY_APPLICANT:
        return {"owner", "other"}
    blueprint = endpoint.split(".")[0]
    if blueprint in ("account", "privacy"):
        return {"owner", "other", "reviewer", "admin"}  # one's own account page and data
    if blueprint in ("applicant", "wizard", "materials", "messages", "records"):
        return {"owner"}
    if blueprint == "reviewer":
        return {"reviewer", "admin"}
    if blueprint == "admin":
        return {"admin"}
    raise AssertionError(f"unclassified endpoint {endpoint}: add it to the access policy")


def url_for_rule(rule, values) -> str:
    url = rule.rule
    for argument in rule.arguments:
        url = url.replace(f"<{argument}>", str(values[argument]))
        for converter in ("int", "path", "any(enable, disable, reset)"):
            url = url.replace(f"<{converter}:{argument}>", str(values[argument]))
    return url


def client_as(app, role, users):
    client = app.test_client()
    if role != "anonymous":
        response = client.post(
            "/auth/login", data={"email": users[role].email, "password": PASSWORD}
        )
        assert response.status_code == 302
    return client
