"""Beian Desk: the application factory. `flask --app app run` serves it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from babel import Locale
from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale, refresh
from werkzeug.middleware.proxy_fix import ProxyFix

import i18n
import runtime
from blueprints import (
    account,
    admin,
    api,
    applicant,
    auth,
    errors,
    gate,
    hardening,
    htmx,
    materials,
    messages,
    privacy,
    read_only,
    records,
    reviewer,
    security_headers,
    site,
    throttle,
    wizard,
)
from blueprints.access import RowIdConverter
from blueprints.ui import register_filters
from cli import register_cli
from config import Config, database_url_from_env, load_secret_key, webhook_problem
from domain.support.masking import PiiLogFilter
from extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app: config in layers, extensions, blueprints, CLI, error pages."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("BEIAN")
    app.config.update(config or {})
    _finish_config(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(auth.load_session_user)  # checks the session version
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Shanghai")
    i18n.install(app)  # the catalogue found once per request, not at every string

    if app.config["BEHIND_PROXY"]:  # nginx in front: trust one hop of X-Forwarded-For/-Proto
        # Not X-Forwarded-Host: a client could send its own, and links go to BEIAN_PUBLIC_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    app.url_map.converters["int"] = RowIdConverter
    for blueprint in (
        site, auth, account, applicant, wizard, materials, records, reviewer, admin, api,
        messages, privacy, gate,
    ):  # fmt: skip
        app.register_blueprint(blueprint.bp)
    throttle.init_app(app)  # Flask-Limiter on the anonymous API
    read_only.register(app)
    hardening.init_app(app)  # body limits, NUL refused, /readyz
    security_headers.init_app(app)
    htmx.init_app(app)  # Vary: HX-Request
    errors.init_app(app)  # every error page (403, 404, 400 CSRF, 413, 429, 500)
    _register_template_helpers(app)
    register_cli(app)
    runtime.install(app)  # every adapter built once, from the settings (runtime/__init__.py)
    _configure_logging(app)
    return app


def _configure_logging(app: Flask) -> None:
    """INFO to stderr, and every handler masks ID and phone numbers before they reach a log."""
    if not app.testing:
        logging.basicConfig(level=logging.INFO)
    pii_filter = PiiLogFilter()
    for handler in [*logging.getLogger().handlers, *app.logger.handlers]:
        if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
            handler.addFilter(pii_filter)


def _finish_config(app: Flask) -> None:
    """Fill what depends on the instance folder or the environment."""
    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        env_url = database_url_from_env()
        if env_url:
            app.config["SQLALCHEMY_DATABASE_URI"] = env_url
        else:
            instance.mkdir(parents=True, exist_ok=True)
            app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'beian.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(instance)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(instance / "uploads")
    problem = webhook_problem(str(app.config["WEBHOOK_URL"]), str(app.config["WEBHOOK_SECRET"]))
    if problem:  # refuse to start rather than post unsigned events, or to file:// or gopher://
        raise RuntimeError(problem)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: wait for a writer instead of failing at once (foreign keys: extensions.py).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}


# Parsed once: Babel's Locale.parse looks for the locale's data file on disk at every call.
LOCALES = {name: Locale.parse(name) for name in ("zh_Hans_CN", "en")}


def select_locale() -> Locale:
    """The user's explicit choice, else Chinese; the JSON API and the gate's block page (shown on
    a customer's host, without this app's cookies; `?lang=en` there too) honour Accept-Language."""
    if not has_request_context():
        return LOCALES["zh_Hans_CN"]  # CLI and background work, unless force_locale() says else
    if request.path.startswith("/gate/") and request.args.get("lang") in ("zh", "en"):
        return LOCALES["en" if request.args["lang"] == "en" else "zh_Hans_CN"]
    chosen = session.get("lang") or request.cookies.get("lang")
    if chosen in LOCALES:
        return LOCALES[chosen]
    if request.path.startswith(("/api/", "/gate/")) and request.accept_languages:
        best = request.accept_languages.best_match(["zh", "zh_Hans_CN", "en"])
        return LOCALES["en" if best == "en" else "zh_Hans_CN"]
    return LOCALES["zh_Hans_CN"]


def _register_template_helpers(app: Flask) -> None:
    register_filters(app)

    @app.context_processor
    def inject_globals():
        return {
            "provider_name": runtime.current_policy().provider_name,
            "current_locale": str(get_locale()),
        }

    @app.before_request
    def fresh_locale_and_user_per_request():
        # Flask-Babel, Flask-Login and Flask-WTF cache the locale, the user and the CSRF token on
        # the app context, which outlives a request when one is already pushed (tests, CLI):
        # derive them anew from each request.
        refresh()
        g.pop("_login_user", None)
        g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
