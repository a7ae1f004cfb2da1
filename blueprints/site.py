"""Home page, terms of service, language switch and the health check."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from blueprints.access import home_endpoint_for

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    """Landing page for visitors; a logged-in user goes to their own start page."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint_for(current_user.role)))
    return render_template("site/index.html")


@bp.get("/terms")
def terms():
    """The terms of service the sign-up form asks to accept (a short text the provider edits)."""
    return render_template("site/terms.html")


@bp.get("/lang/<code>")
def set_language(code: str):
    """Switch the interface language (Simplified Chinese or English) and go back."""
    if code in ("zh_Hans_CN", "en"):
        session["lang"] = code
    target = request.referrer or url_for("site.index")
    if not target.startswith(request.host_url):
        target = url_for("site.index")
    return redirect(target)


@bp.get("/healthz")
def health():
    """Liveness for a load balancer (and the benchmark's hello-world ceiling): no database, no
    template."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
