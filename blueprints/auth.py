"""Sign-up, login and logout."""

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
from domain import accounts, ip_pool
from extensions import db
from forms.auth import LoginForm, SignupForm
from forms.validators import translated

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create an applicant account and log in."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.password.data, form.display_name.data)
        except accounts.AccountError as exc:
            form.email.errors.append(translated(exc.args[0]))
        else:
            if current_app.config["DEMO_MODE"]:
                ip_pool.assign_free(user, 2)
            db.session.commit()
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
        try:
            user = accounts.authenticate(
                form.email.data,
                form.password.data,
                config["LOGIN_MAX_FAILURES"],
                config["LOGIN_LOCK_MINUTES"],
            )
        except accounts.AccountError as exc:
            db.session.commit()  # keep the failure count
            error = translated(exc.args[0])
        else:
            db.session.commit()
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
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None
