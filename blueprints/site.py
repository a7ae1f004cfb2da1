"""Home page, terms of service, language switch, the health check and the demo's mailbox."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from blueprints.access import home_endpoint_for
from domain.support import outbox
from runtime import notify
from runtime.policy import current_policy

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
    return redirect(_same_site_path(request.referrer) or url_for("site.index"))


def _same_site_path(referrer: str | None) -> str | None:
    """The page the user came from as a path on this site (a relative redirect: whatever Host or
    X-Forwarded-Host the request carried, it cannot lead to another site), or None."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or not parts.path.startswith("/"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith("//") or "\\" in path or any(not c.isprintable() for c in path):
        return None
    return path


@bp.get("/healthz")
def health():
    """Liveness for a load balancer (and the benchmark's hello-world ceiling): no database, no
    template."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/demo/mailbox")
def demo_mailbox():
    """The demo's mailbox (BEIAN_DEMO_MODE only, 404 otherwise): the outbox's e-mails in full, the
    password-reset link included, as the SMS page shows the demo's code."""
    if not current_app.config["DEMO_MODE"]:
        abort(404)
    policy = current_policy()
    address = request.args.get("to", "")[:254]
    mails = [
        (message, notify.render(message, policy, reveal_code=True))
        for message in outbox.demo_mailbox(address)
    ]
    return render_template("site/demo_mailbox.html", mails=mails, address=address)
