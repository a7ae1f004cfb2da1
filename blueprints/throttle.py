"""The web side of throttling: who the client is, and Flask-Limiter for the anonymous API (its 429
answers: errors.py).

The client is `request.remote_addr`. Behind nginx (BEIAN_BEHIND_PROXY=true) ProxyFix has already
replaced it with the last hop of X-Forwarded-For, which nginx sets from the connection; without a
proxy a client cannot choose its address by sending that header.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter

from adapters import rate_limit_store
from domain.accounts.signup_limit import SignupLimits
from domain.accounts.throttle import LoginLimits
from extensions import db


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


def init_app(app: Flask) -> Limiter:
    """Limit the anonymous API of `app` (after its blueprints are registered; errors.py answers a
    refusal).

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
    return limiter


def _configured(key: str) -> str:
    return str(current_app.config[key])
