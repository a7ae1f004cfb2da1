"""What every request goes through for hostile input and personal data: the size of a
request body, the headers that keep authenticated pages out of caches and other origins, the
answers for too-large requests and server errors, and `/readyz`.

The body limit is `MAX_CONTENT_LENGTH` (a 4 MB image plus its form, with room), larger only for
the admin's CSV imports (`IMPORT_MAX_CONTENT_LENGTH`). Werkzeug refuses a larger body by its
Content-Length before reading it, and stops reading a chunked one at the limit.
"""

from __future__ import annotations

import csv
import logging

from flask import Blueprint, Flask, Request, current_app, g, jsonify, render_template, request
from flask import session as flask_session
from sqlalchemy import text
from werkzeug.exceptions import RequestEntityTooLarge

from extensions import db
from i18n import gettext as _

log = logging.getLogger(__name__)
bp = Blueprint("hardening", __name__)

# Endpoints that take a CSV file larger than an image (the registry: up to 10 MB).
IMPORT_ENDPOINTS = frozenset({"admin.registry"})
# Only features Chromium knows: an unknown one (`bluetooth`) is logged as an error on every page.
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "display-capture=(), interest-cohort=()"
)


class LimitedRequest(Request):
    """A request whose body limit depends on the endpoint (known once the URL is matched, before
    CSRFProtect reads the form)."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:  # set for this request by a view
            return self._max_content_length
        if self.endpoint in IMPORT_ENDPOINTS:
            return int(current_app.config["IMPORT_MAX_CONTENT_LENGTH"])
        return int(current_app.config["MAX_CONTENT_LENGTH"])

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def init_app(app: Flask) -> None:
    """Install the request class, the headers, the 413 and 500 answers and /readyz."""
    app.request_class = LimitedRequest
    app.before_request(_refuse_nul)
    app.after_request(_security_headers)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(500, server_error)
    app.register_blueprint(bp)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse_nul():
    """400 for a NUL character in any query or form value: no field takes one, and PostgreSQL
    refuses it in text (a server error wherever such a value reached the database)."""
    values = list(request.args.items(multi=True))
    if request.mimetype in FORM_TYPES:
        values += list(request.form.items(multi=True))
    bad = next((name for name, value in values if "\x00" in value or "\x00" in name), None)
    if bad is None:
        return None
    message = _("字段 %(field)s 含有不允许的空字符（NUL）", field=bad.replace("\x00", "")[:40])
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "error": message, "problems": [
            {"field": bad, "message": message}]}), 400  # fmt: skip
    g.error_title = _("请求无效")
    return render_template("errors/error.html", code=400, title=_("请求无效"), message=message), 400


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    # A logged-in user's pages and partials hold personal data: no browser or proxy cache keeps
    # them (the back button after logout, a shared computer). The session is read, not the user.
    if (
        request.endpoint != "static"
        and "_user_id" in flask_session
        and "no-store" not in headers.get("Cache-Control", "")
    ):
        headers["Cache-Control"] = "no-store"
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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that Excel or WPS will not run as a formula: text starting with = + - @ (or a
    tab or CR) gets a leading apostrophe (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose every text cell goes through spreadsheet_safe()."""

    def __init__(self, out) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        """Write one row, its cells made safe."""
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])


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
