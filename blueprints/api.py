"""JSON API v1: the pre-check (DOMAIN.md A3) and filing-type verification (A5)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext
from flask_login import current_user

from domain import rule_tables
from domain.application import MAX_BYTES, ApplicationFormatError, loads_application
from domain.filing_type import verify_filing_type
from domain.i18n import N_
from domain.precheck import precheck
from domain.rules import Message
from domain.workdays import shanghai_today
from extensions import csrf

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


@bp.post("/precheck")
def precheck_application():
    """Every breach of the filing rules in an A2 application (200), or 400 for input that is not A2."""
    body = _read_json_body()
    if body is None:
        return _bad_request([{"field": "$", "message": gettext("内容超过 1 MB")}])
    try:
        application = loads_application(body)
    except ApplicationFormatError as exc:
        return _bad_request(exc.as_list(gettext))
    breaches = precheck(application, rule_tables.load(), shanghai_today())
    return jsonify({"ok": not breaches, "breaches": [b.as_dict(gettext) for b in breaches]})


FILING_TYPE_KEYS = {"cert_type": str, "cert_number": str, "domain": str}
CERT_TYPES = ("uscc", "resident_id", "passport", "hk_mo_permit", "tw_permit")


@bp.post("/filing-type")
def filing_type():
    """The A5 verdict for {"cert_type", "cert_number", "domain"}; the logged-in account if any."""
    body = _read_json_body()
    import json

    try:
        data = json.loads(body) if body is not None else None
    except ValueError:
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
    if not problems and data["cert_type"] not in CERT_TYPES:
        problems.append(
            {
                "field": "cert_type",
                "message": gettext("取值无效，应为：%(values)s", values=", ".join(CERT_TYPES)),
            }
        )
    if problems:
        return _bad_request(problems)
    account = current_user if current_user.is_authenticated else None
    try:
        verdict = verify_filing_type(
            data["cert_type"], data["cert_number"], data["domain"],
            current_app.config["PROVIDER_CODE"], shanghai_today(), account=account,
        )  # fmt: skip
    except ValueError:
        return _bad_request([{"field": "domain", "message": gettext("域名格式不正确")}])
    return jsonify(verdict.as_dict(gettext))
