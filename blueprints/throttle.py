"""The web side of throttling: who the client is, Flask-Limiter for the anonymous API, and the
429 answers (JSON under /api/, a page elsewhere).

The client is `request.remote_addr`. Behind nginx (BEIAN_BEHIND_PROXY=true) ProxyFix has already
replaced it with the last hop of X-Forwarded-For, which nginx sets from the connection; without a
proxy a client cannot choose its address by sending that header.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from blueprints import rate_limit_store
from domain.operator.signup_limit import SignupLimits
from domain.operator.throttle import LoginLimits
from extensions import db
from i18n import gettext as _


def client_address() -> str:
    """The client's address as this app sees it (after ProxyFix when behind a proxy)."""
    return request.remote_addr or "unknown"


# The anonymous API's endpoints and the configuration key of each one's limit per client.
API_LIMITS = {
    "api.precheck_application": "API_PRECHECK_LIMIT",
    "api.filing_type": "API_FILING_TYPE_LIMIT",  # it maps a certificate number to its ICP number
}


def login_limits() -> LoginLimits:
    """The login throttle's limits from the configuration."""
    return LoginLimits.from_config(current_app.config)


def signup_limits() -> SignupLimits:
    """The sign-up limit per client address from the configuration."""
    return SignupLimits.from_config(current_app.config)


def too_many_requests(retry_after: int | None = None):
    """The 429 answer: JSON for the API, a page in the user's language elsewhere."""
    if request.path.startswith("/api/"):
        response = jsonify({"error": _("请求过于频繁，请稍后再试")})
    else:
        g.error_title = _("请求过于频繁")
        response = current_app.make_response(
            render_template(
                "errors/error.html",
                code=429,
                title=_("请求过于频繁"),
                message=_("您的请求过于频繁，请稍等片刻后再试。"),
            )
        )
    response.status_code = 429
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> Limiter:
    """Limit the anonymous API of `app` (after its blueprints are registered) and answer refusals
    with too_many_requests().

    The limiter is the app's own, its store from RATELIMIT_STORAGE_URI (redis://… or, when empty,
    the app's database: shared by every worker and host; memory:// counts per process):
    Flask-Limiter keeps state such as "the store is down" on the limiter object, which must not
    pass from one app to the next.
    """
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    options: dict[str, Any] = {}
    if not uri or uri == f"{rate_limit_store.SCHEME}://":
        uri = f"{rate_limit_store.SCHEME}://"
        options["engine"] = lambda: db.engine  # the app's own engine, within its request
    limiter = Limiter(
        key_func=client_address, app=app, default_limits=[], storage_uri=uri,
        storage_options=options,
    )  # fmt: skip
    # The decorated views hold the limiter weakly; with RATELIMIT_ENABLED=false Flask-Limiter keeps
    # no reference of its own, and every API request was a ReferenceError (a 500). The app keeps it.
    app.extensions["beian_limiter"] = limiter
    for endpoint, key in API_LIMITS.items():
        view: Callable[..., Any] = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(partial(_configured, key))(view)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        return too_many_requests()  # Retry-After: the limiter adds it (RATELIMIT_HEADERS_ENABLED)

    return limiter


def _configured(key: str) -> str:
    return str(current_app.config[key])
