"""Sign-up, login and logout."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from blueprints.access import home_endpoint_for
from blueprints.transaction import transaction
from domain.operator import accounts, ip_pool
from forms.auth import LoginForm, SignupForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create an applicant account and log in."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            with transaction():
                user = accounts.register(
                    form.email.data, form.password.data, form.display_name.data
                )
                if current_app.config["DEMO_MODE"]:
                    ip_pool.assign_free(user, 2)
        except accounts.AccountError as exc:
            form.email.errors.append(exc.message.render(_))
        else:
            session.permanent = True
            login_user(user)
            flash(_("注册成功，欢迎使用备案系统"), "ok")
            return redirect(url_for(home_endpoint_for(user.role)))
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password; failures are counted and limited."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint_for(current_user.role)))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        config = current_app.config
        user = None
        # A refused login is committed too: the failure count and its audit event must stay.
        with transaction():
            try:
                user = accounts.authenticate(
                    form.email.data,
                    form.password.data,
                    config["LOGIN_MAX_FAILURES"],
                    config["LOGIN_LOCK_MINUTES"],
                )
            except accounts.AccountError as exc:
                error = exc.message.render(_)
        if user is not None:
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(user)
            return redirect(_safe_next() or url_for(home_endpoint_for(user.role)))
    status = 422 if (error or form.errors) else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """Log out (POST with a CSRF token, so a link elsewhere cannot log the user out)."""
    logout_user()
    flash(_("您已退出登录"), "ok")
    return redirect(url_for("site.index"))


def _safe_next() -> str | None:
    """The `next` path to return to after login: a path on this site, or None. Browsers drop tabs
    and newlines from a URL and read a backslash as a slash, so "/\t/evil.example" or "/\\evil"
    would leave the site: such a target is refused whole."""
    target = request.args.get("next", "")
    if not target.startswith("/") or "\\" in target:
        return None
    if any(not char.isprintable() or char.isspace() for char in target):
        return None
    parts = urlsplit(target)
    return target if not (target.startswith("//") or parts.scheme or parts.netloc) else None
