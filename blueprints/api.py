"""JSON API v1: the pre-check (DOMAIN.md A3) and filing-type verification (A5), anonymous and
rate-limited per client; drafts and filings for the provider's console, by scoped bearer token."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from blueprints.access import row_id
from domain import audit
from domain.accounts.accounts import find_user
from domain.filing import service_codes
from domain.filing.filings import FilingError
from domain.filing.timeline import public_timeline
from domain.lifecycle.states import Role
from domain.lifecycle.workdays import shanghai_today
from domain.operator import api_tokens
from domain.operator.api_filings import DraftRefused, draft_from_application
from domain.rulebook import rule_tables
from domain.rulebook.application import (
    MAX_BYTES,
    ApplicationFormatError,
    loads_application,
    parse_application,
)
from domain.rulebook.filing_type import LookupInputError, verify_filing_type
from domain.rulebook.precheck import precheck
from domain.support.i18n import N_, Message
from domain.support.masking import mask_filing_number
from extensions import csrf, db
from i18n import gettext
from models import Filing
from runtime import current as runtime_adapters
from runtime.policy import current_policy
from runtime.transaction import transaction

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # JSON in, JSON out, no cookie-authorised state change


def _bad_request(problems: list[dict]):
    return jsonify(
        {"ok": False, "error": gettext("请求内容不符合格式要求"), "problems": problems}
    ), 400


def _read_json_body() -> bytes | None:
    """The body, or None when it is over the 1 MB limit (read no further than that)."""
    if request.content_length is not None and request.content_length > MAX_BYTES:
        return None
    body = request.stream.read(MAX_BYTES + 1)
    return None if len(body) > MAX_BYTES else body


@bp.post("/precheck")  # limited per client: blueprints/throttle.py API_LIMITS
def precheck_application():
    """Every breach of the filing rules in an A2 application (200), or 400 for input that is not A2."""
    body = _read_json_body()
    if body is None:
        return _bad_request([{"field": "$", "message": gettext("内容超过 1 MB")}])
    try:
        application = loads_application(body)
    except ApplicationFormatError as exc:
        return _bad_request(exc.as_list(gettext))
    return jsonify(precheck(application, rule_tables.load(), shanghai_today()).as_dict(gettext))


FILING_TYPE_KEYS = {"cert_type": str, "cert_number": str, "domain": str}


@bp.post("/filing-type")  # limited per client: blueprints/throttle.py API_LIMITS
def filing_type():
    """The A5 v3 verdict, with its warnings, for {"cert_type", "cert_number", "domain"}; the
    logged-in account if any."""
    body = _read_json_body()
    try:
        data = json.loads(body) if body is not None else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        data = None
    if not isinstance(data, dict):
        return _bad_request([{"field": "$", "message": gettext("不是有效的 UTF-8 JSON")}])
    problems = [
        {"field": key, "message": Message(N_("未知的键")).render(gettext)}
        for key in data
        if key not in FILING_TYPE_KEYS
    ] + [
        {"field": key, "message": Message(N_("缺少该键")).render(gettext)}
        for key in FILING_TYPE_KEYS
        if not isinstance(data.get(key), str) or not data.get(key).strip()
    ]
    if problems:
        return _bad_request(problems)
    account = current_user if current_user.is_authenticated else None
    try:
        verdict = verify_filing_type(
            data["cert_type"], data["cert_number"], data["domain"],
            current_policy().provider_code, shanghai_today(), account=account,
            registry=runtime_adapters().registry, lookup=runtime_adapters().domain_lookup,
        )  # fmt: skip
    except LookupInputError as exc:
        return _bad_request(exc.as_list(gettext))
    document = verdict.as_dict(gettext)
    if account is None or not account.is_staff:  # the verdict, not which filing a number holds
        for key in ("subject_number", "website_number"):
            document[key] = mask_filing_number(document[key])  # type: ignore[arg-type]
    return jsonify(document)


# --- the provider's console: token-authenticated -----------------------------------------------


def _token_or_401(scope: str):
    """The request's live token when it has `scope`; else None and a 401 (no live token) or 403."""
    with transaction():  # the token's last use
        token = api_tokens.authenticate(request.headers.get("Authorization"))
    if token is None:
        response = jsonify(
            {"error": gettext("缺少或无效的 API 令牌（可能已吊销、过期或签发人已停用）")}
        )
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="beian-desk"'
        return None, response
    if not api_tokens.has_scope(token, scope):
        response = jsonify({"error": gettext("API 令牌没有 %(scope)s 权限", scope=scope)})
        response.status_code = 403
        response.headers["WWW-Authenticate"] = f'Bearer realm="beian-desk", scope="{scope}"'
        return None, response
    return token, None


def _filing_document(filing) -> dict:
    return {
        "id": filing.id,
        "state": filing.state.value,
        "state_label": gettext(filing.state.label),
        "kind": filing.kind.value,
        "type": filing.filing_type.value if filing.filing_type else None,
        "account": filing.account.email,
        "subject_number": filing.registry_subject_number,
        "due_at": filing.due_at.isoformat() if filing.due_at else None,
        "timeline": public_timeline(filing),
    }


@bp.post("/filings")
def create_filing():
    """Create (or reuse) an account's draft from {"account": e-mail, "application": A2}."""
    token, refusal = _token_or_401(api_tokens.WRITE)
    if refusal:
        return refusal
    body = _read_json_body()
    try:
        data = json.loads(body) if body is not None else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        data = None
    if not isinstance(data, dict) or set(data) != {"account", "application"}:
        return _bad_request(
            [
                {
                    "field": "$",
                    "message": gettext('请求体应为 {"account": 邮箱, "application": A2 申请}'),
                }
            ]
        )
    account = find_user(str(data["account"])) if isinstance(data["account"], str) else None
    if account is None or account.role is not Role.applicant or not account.is_enabled:
        return _bad_request(
            [{"field": "account", "message": gettext("没有该邮箱的已启用申请人账号")}]
        )
    try:
        application = parse_application(data["application"])
    except ApplicationFormatError as exc:
        return _bad_request(
            [{**p, "field": "application." + p["field"]} for p in exc.as_list(gettext)]
        )
    try:
        with transaction():
            filing, problems = draft_from_application(
                application, account, current_policy().provider_code, shanghai_today(),
                runtime_adapters().registry,
            )  # fmt: skip
            audit.record(
                "api_draft_created", token.created_by, filing=filing, internal=True,
                note=token.name, data={"token_id": token.id},
            )  # fmt: skip
    except DraftRefused as exc:
        return jsonify({"error": "filing_type_refused", **exc.verdict.as_dict(gettext)}), 422
    except FilingError as exc:
        return jsonify(
            {"error": "refused", "field": exc.field or "", "message": exc.message.render(gettext)}
        ), 422
    except ValueError:
        return _bad_request(
            [{"field": "application.websites[0].domains[0]", "message": gettext("域名格式不正确")}]
        )
    document = _filing_document(filing)
    document["breaches"] = [b.as_dict(gettext) for b in problems.breaches]
    document["warnings"] = [w.as_dict(gettext) for w in problems.warnings]
    return jsonify(document), 201


@bp.get("/filings/<int:filing_id>")
def read_filing(filing_id: int):
    """A filing's state and public timeline."""
    token, refusal = _token_or_401(api_tokens.READ)
    if refusal:
        return refusal
    filing = db.session.get(Filing, filing_id)
    if filing is None:
        return jsonify({"error": gettext("备案不存在")}), 404
    return jsonify(_filing_document(filing))


# --- service codes (备案服务码, DOMAIN.md A10): the provider's billing issues and revokes them ----

SERVICE_CODE_KEYS = {"account", "ips", "paid_until", "note"}


def _service_code_request(data: object) -> tuple[dict, list[dict]]:
    """The POST body's values, or the problems that make it no request (each naming its key)."""
    if not isinstance(data, dict):
        return {}, [{"field": "$", "message": gettext("不是有效的 UTF-8 JSON")}]
    problems = [
        {"field": key, "message": gettext("未知的键")}
        for key in data
        if key not in SERVICE_CODE_KEYS
    ]
    for key in ("account", "ips", "paid_until"):
        if key not in data:
            problems.append({"field": key, "message": gettext("缺少该键")})
    paid_until = None
    if isinstance(data.get("paid_until"), str):
        try:
            paid_until = date.fromisoformat(data["paid_until"].strip())
        except ValueError:
            paid_until = None
    if "paid_until" in data and paid_until is None:
        problems.append({"field": "paid_until", "message": gettext("应为日期 YYYY-MM-DD")})
    if "note" in data and not isinstance(data["note"], str):
        problems.append({"field": "note", "message": gettext("应为字符串")})
    if "account" in data and not isinstance(data["account"], str):
        problems.append({"field": "account", "message": gettext("应为邮箱")})
    values = {
        "account": data.get("account"), "ips": data.get("ips"), "paid_until": paid_until,
        "note": data.get("note") or "",
    }  # fmt: skip
    return values, problems


@bp.post("/service-codes")
def issue_service_code():
    """Issue a service code for {"account", "ips", "paid_until"[, "note"]}; the code is in this
    answer only."""
    token, refusal = _token_or_401(api_tokens.SERVICE_CODES)
    if refusal:
        return refusal
    body = _read_json_body()
    try:
        data = json.loads(body) if body is not None else None
    except (ValueError, RecursionError):
        data = None
    values, problems = _service_code_request(data)
    if problems:
        return _bad_request(problems)
    account = find_user(values["account"])
    try:
        with transaction():
            row, code = service_codes.issue(
                account, values["ips"], values["paid_until"], by=token.created_by, token=token,
                note=values["note"],
            )  # fmt: skip
            document = service_codes.as_dict(row, code)
    except service_codes.ServiceCodeError as exc:
        return _bad_request([{"field": exc.field or "$", "message": exc.message.render(gettext)}])
    return jsonify(document), 201


@bp.get("/service-codes")
def list_service_codes():
    """Service codes, newest first (200 a page; ?account=e-mail, ?before=id)."""
    token, refusal = _token_or_401(api_tokens.SERVICE_CODES)
    if refusal:
        return refusal
    account = None
    if request.args.get("account"):
        account = find_user(request.args["account"])
        if account is None:
            return jsonify({"service_codes": []})
    rows = service_codes.listed(account, before=row_id(request.args.get("before")) or None)
    return jsonify({"service_codes": [service_codes.as_dict(row) for row in rows]})


@bp.get("/service-codes/<int:code_id>")
def read_service_code(code_id: int):
    """One service code (its state: active, used or revoked)."""
    token, refusal = _token_or_401(api_tokens.SERVICE_CODES)
    if refusal:
        return refusal
    row = service_codes.find(code_id)
    if row is None:
        return jsonify({"error": gettext("没有该编号的备案服务码")}), 404
    return jsonify(service_codes.as_dict(row))


@bp.delete("/service-codes/<int:code_id>")
def revoke_service_code(code_id: int):
    """Revoke a service code for good (a second time changes nothing)."""
    token, refusal = _token_or_401(api_tokens.SERVICE_CODES)
    if refusal:
        return refusal
    try:
        with transaction():
            row = service_codes.revoke(code_id, token.created_by)
            document = service_codes.as_dict(row)
    except service_codes.ServiceCodeError:
        return jsonify({"error": gettext("没有该编号的备案服务码")}), 404
    return jsonify(document)


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI description of this API."""
    path = Path(current_app.root_path) / "openapi.json"
    return current_app.response_class(path.read_text(encoding="utf-8"), mimetype="application/json")
