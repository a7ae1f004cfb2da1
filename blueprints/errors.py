"""Every error answer in one place: the page in the user's language (JSON under /api/ where the
API answers the error itself) for 400 (a form without its CSRF token), 403, 404, 413 (a body over
its limit), 429 (too many requests) and 500 (rolled back first, plain text if the page fails)."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from extensions import db
from i18n import gettext as _

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Answer every error of `app` with its page."""
    app.register_error_handler(
        403, lambda e: error_page(403, _("无权访问"), _("您没有权限访问此页面。"))
    )
    app.register_error_handler(
        404, lambda e: error_page(404, _("页面不存在"), _("您访问的页面不存在或已被删除。"))
    )
    app.register_error_handler(
        CSRFError,
        lambda e: error_page(
            400, _("请求已失效"), _("表单已过期或缺少安全令牌，请刷新页面后重试。")
        ),
    )
    app.register_error_handler(RequestEntityTooLarge, too_large)
    # Retry-After: the limiter adds it (RATELIMIT_HEADERS_ENABLED)
    app.register_error_handler(RateLimitExceeded, lambda e: too_many_requests())
    app.register_error_handler(500, server_error)


def error_page(code: int, title: str, message: str) -> ResponseReturnValue:
    """The error page: `title` in the page's heading and the browser tab, `message` below."""
    g.error_title = title
    return render_template("errors/error.html", code=code, title=title, message=message), code


def too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    """413: the body is over the limit, in the user's language (JSON under /api/)."""
    limit = request.max_content_length or 0
    message = _("请求内容过大：上传的文件和表单合计不能超过 %(mb)s MB", mb=limit // (1024 * 1024))
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "error": message, "problems": [
            {"field": "$", "message": message}]}), 413  # fmt: skip
    return error_page(413, _("请求内容过大"), message)


def too_many_requests(retry_after: int | None = None):
    """The 429 answer: JSON for the API, a page in the user's language elsewhere."""
    if request.path.startswith("/api/"):
        response = jsonify({"error": _("请求过于频繁，请稍后再试")})
    else:
        response = current_app.make_response(
            error_page(429, _("请求过于频繁"), _("您的请求过于频繁，请稍等片刻后再试。"))
        )
    response.status_code = 429
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def server_error(exc: Exception) -> ResponseReturnValue:
    """500: roll back first (on PostgreSQL the failed transaction would fail the page too); if the
    page still cannot be drawn, a plain answer rather than gunicorn's."""
    db.session.rollback()
    message = _("服务器出现错误，请稍后重试。")
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "error": message}), 500
    try:
        return error_page(500, _("服务器错误"), message)
    except Exception:  # the page itself failed: log it (masked) and answer in plain text
        log.exception("the error page failed")
        return message, 500, {"Content-Type": "text/plain; charset=utf-8"}
