"""What every request goes through for hostile input and personal data (issue 15): the size of a
request body, the headers that keep authenticated pages out of caches and other origins, the
answers for too-large requests and server errors, and `/readyz`.

The body limit is `MAX_CONTENT_LENGTH` (a 4 MB image plus its form, with room), larger only for
the admin's CSV imports (`IMPORT_MAX_CONTENT_LENGTH`). Werkzeug refuses a larger body by its
Content-Length before reading it, and stops reading a chunked one at the limit.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Request, current_app, g, jsonify, render_template, request
from flask import session as flask_session
from flask_babel import gettext as _
from sqlalchemy import text
from werkzeug.exceptions import RequestEntityTooLarge

from extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("hardening", __name__)

# Endpoints that take a CSV file larger than an image (the registry: up to 10 MB).
IMPORT_ENDPOINTS = frozenset({"admin.registry"})
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), display-capture=(), interest-cohort=()"
)


class LimitedRequest(Request):
    """A request whose body limit depends on the endpoint (known once the URL is matched, before
    CSRFProtect reads the form)."""

    @property  # type: ignore[override]
    def max_content_length(self) -> int | None:
        if self.endpoint in IMPORT_ENDPOINTS:
            return int(current_app.config["IMPORT_MAX_CONTENT_LENGTH"])
        return int(current_app.config["MAX_CONTENT_LENGTH"])


def init_app(app: Flask) -> None:
    """Install the request class, the headers, the 413 and 500 answers and /readyz."""
    app.request_class = LimitedRequest
    app.after_request(_security_headers)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(500, server_error)
    app.register_blueprint(bp)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    # A logged-in user's pages and partials hold personal data: no browser or proxy cache keeps
    # them (the back button after logout, a shared computer). The session is read, not the user.
    if request.endpoint != "static" and "_user_id" in flask_session:
        response.headers["Cache-Control"] = "no-store"
    return response


def too_large(exc: RequestEntityTooLarge):
    """413: the body is over the limit, in the user's language (JSON under /api/)."""
    limit = request.max_content_length or 0
    message = _("请求内容过大：上传的文件和表单合计不能超过 %(mb)s MB", mb=limit // (1024 * 1024))
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "error": message, "problems": [
            {"field": "$", "message": message}]}), 413  # fmt: skip
    g.error_title = _("请求内容过大")
    return render_template(
        "errors/error.html", code=413, title=_("请求内容过大"), message=message
    ), 413


def server_error(exc):
    """500: roll back first (on PostgreSQL the failed transaction would fail the page too); if the
    page still cannot be drawn, a plain answer rather than gunicorn's."""
    db.session.rollback()
    message = _("服务器出现错误，请稍后重试。")
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "error": message}), 500
    try:
        g.error_title = _("服务器错误")
        return render_template(
            "errors/error.html", code=500, title=_("服务器错误"), message=message
        ), 500
    except Exception:  # the page itself failed: log it (masked) and answer in plain text
        log.exception("the error page failed")
        return message, 500, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/readyz")
def ready():
    """Ready for traffic: the database answers (503 when it does not)."""
    try:
        db.session.execute(text("select 1"))
        db.session.rollback()
    except Exception as exc:  # any failure: not ready, and say which part
        log.warning("readyz: database not reachable: %s", type(exc).__name__)
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
