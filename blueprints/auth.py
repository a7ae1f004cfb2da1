"""Sign-up, login (with the staff's second factor) and logout; forgotten passwords.

Sessions are signed cookies; each login's session carries the account's session version, and the
user loader refuses a session whose version is no longer the account's, so ending every session of
an account is one UPDATE (logout, password change or reset, "log out everywhere", disabling). It
carries the time of the login too: a session older than PERMANENT_SESSION_LIFETIME is logged out,
however often its cookie was signed again since (the cookie's own timestamp is that of its last
change, so a change such as the language switch would otherwise extend the login for good)."""

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from blueprints.access import home_endpoint_for, row_id
from blueprints.throttle import client_address, login_limits, signup_limits
from domain.accounts import accounts, registration, signup_limit, throttle
from domain.operator import ip_pool
from domain.ports import Rendered
from extensions import db
from forms.auth import (
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SecondFactorForm,
    SignupForm,
)
from i18n import gettext as _
from models import OutboxMessage, User, utcnow
from runtime import current as runtime_adapters
from runtime import notify
from runtime.policy import current_policy
from runtime.transaction import transaction

# Keys of the signed session cookie (Flask-Login keeps the account id under "_user_id").
SESSION_VERSION = "_sv"  # the account's session version when this session began
LOGIN_AT = "_at"  # when this session's login happened (Unix seconds): the lifetime counts from it
PENDING_LOGIN = "_2fa"  # password accepted, second factor awaited: account, version, time, next
DUTY = "_duty"  # "password": change the one-time password; "totp": enrol the second factor
SECOND_FACTOR_SECONDS = 300  # how long a password stays good for the second step
SECOND_FACTOR_TRIES = 5  # wrong codes per account in 15 minutes before the password is asked again

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Ask for an applicant account: an e-mail with a confirmation link (or, for an address that
    has an account, a notice to its owner); the page says the same either way. Attempts are
    limited per client address."""
    form = SignupForm()
    if form.is_submitted():
        try:
            with transaction():  # counted before the e-mail is looked at, and kept
                signup_limit.count_attempt(client_address(), signup_limits())
        except throttle.Throttled as exc:
            return too_many_signups(form, exc)
    if form.validate_on_submit():
        try:
            with transaction():
                mail = registration.request_signup(
                    form.email.data, form.password.data, form.display_name.data or "",
                    current_app.config["SECRET_KEY"], confirm_link,
                    demo_mode=bool(current_app.config["DEMO_MODE"]),
                    hasher=runtime_adapters().hasher,
                )  # fmt: skip
                demo_mail = _demo_view(mail)
        except accounts.AccountError as exc:
            form.email.errors.append(exc.message.render(_))
        else:
            email = form.email.data.strip()
            return render_template("auth/signup_sent.html", email=email, demo_mail=demo_mail)
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


def confirm_link(token: str) -> str:
    """The absolute confirmation address for the e-mail, under BEIAN_PUBLIC_URL (as reset_link)."""
    return current_policy().public_url.rstrip("/") + url_for("auth.confirm_signup", token=token)


def _demo_view(mail: OutboxMessage | None) -> Rendered | None:
    """In demo mode, the e-mail as its reader gets it (link included), for the page to show."""
    if mail is None or not current_app.config["DEMO_MODE"]:
        return None
    return notify.render(mail, current_policy(), reveal_code=True)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_signup(token: str):
    """The confirmation link: a button (GET), which creates the account and logs in (POST; once,
    within 24 hours)."""
    secret_key = current_app.config["SECRET_KEY"]
    if request.method == "GET":
        signup = registration.signup_of_token(token, secret_key)
        if signup is None:
            return render_template("auth/signup_invalid.html"), 400
        return render_template("auth/signup_confirm.html", email=signup["e"])
    try:
        with transaction():
            user = registration.confirm_signup(token, secret_key)
            if user is not None:
                accounts.record_login(user, request.remote_addr or "", _agent())
                if current_app.config["DEMO_MODE"]:
                    ip_pool.assign_free(user, 2)
    except IntegrityError:  # the same link opened twice at once: the other one made the account
        user = None
    if user is None:
        return render_template("auth/signup_invalid.html"), 400
    begin_session(user)
    flash(_("注册成功，欢迎使用备案系统"), "ok")
    return redirect(url_for(home_endpoint_for(user.role)))


def too_many_signups(form: SignupForm, refusal: throttle.Throttled) -> ResponseReturnValue:
    """The sign-up page again, 429, saying how long to wait."""
    form.email.errors = [refusal.message.render(_)]
    headers = {"Retry-After": str(refusal.retry_after)}
    return render_template("auth/signup.html", form=form), 429, headers


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password; failures are counted and limited."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint_for(current_user.role)))
    form = LoginForm()
    error = None
    throttled = None
    if form.validate_on_submit():
        user = None
        # A refused login is committed too: the failure counts and their audit event must stay.
        with transaction():
            try:
                user = throttle.login(
                    form.email.data, form.password.data, client_address(), login_limits(),
                    hasher=runtime_adapters().hasher,
                )  # fmt: skip
            except throttle.Throttled as exc:  # the same for addresses with and without account
                error, throttled = exc.message.render(_), exc.retry_after
            except accounts.AccountError as exc:
                error = exc.message.render(_)
        if user is not None:
            if accounts.has_totp(user):
                _await_second_factor(user, _safe_next())
                return redirect(url_for("auth.second_factor"))
            return complete_login(user, _safe_next())
    status = 429 if throttled else 422 if (error or form.errors) else 200
    headers = {"Retry-After": str(throttled)} if throttled else {}
    return render_template("auth/login.html", form=form, error=error), status, headers


@bp.post("/logout")
@login_required
def logout():
    """Log out (POST with a CSRF token, so a link elsewhere cannot log the user out); every
    session of the account ends, so a copied cookie is worthless too."""
    with transaction():
        accounts.end_sessions(current_account())
    end_session()
    flash(_("您已退出登录"), "ok")
    return redirect(url_for("site.index"))


# --- sessions -----------------------------------------------------------------------------------


def current_account() -> User:
    """The logged-in account itself (not Flask-Login's proxy), for the use cases."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the account, while the session's version is still its own and
    the account is enabled; otherwise the request is anonymous."""
    if login_expired():
        _fresh_session()
        flash(_("登录已超过有效期，请重新登录"), "bad")
        return None
    account_id = row_id(user_id)
    user = db.session.get(User, account_id) if account_id else None
    return user if accounts.is_current_session(user, session.get(SESSION_VERSION)) else None


def login_expired() -> bool:
    """Whether this session's login is older than PERMANENT_SESSION_LIFETIME (or has no login
    time: a session begun before the time was kept is treated as expired once)."""
    started = session.get(LOGIN_AT)
    if not isinstance(started, int) or isinstance(started, bool):
        return True
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    return time.time() - started > lifetime


def _fresh_session() -> None:
    """Empty the session (a new CSRF token with it), keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if language:
        session["lang"] = language


def begin_session(user: User) -> None:
    """Log in with a fresh session (rotated at every login: nothing of the anonymous session is
    kept, the CSRF token included) that carries the account's current session version, and the
    duty the account has before anything else (a one-time password, an admin's second factor)."""
    _fresh_session()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    login_user(user)
    session[SESSION_VERSION] = user.session_version
    session[LOGIN_AT] = int(time.time())
    if user.must_change_password:
        session[DUTY] = "password"
    elif admin_needs_totp(user):
        session[DUTY] = "totp"


def end_session() -> None:
    """Log this browser out and drop the session's content."""
    logout_user()
    _fresh_session()


def admin_needs_totp(user: User) -> bool:
    """Whether the account must enrol a second factor before it may do anything else."""
    required = current_app.config.get("ADMIN_TOTP_REQUIRED", True)
    return bool(required) and accounts.totp_required(user) and not accounts.has_totp(user)


def _agent() -> str:
    return request.user_agent.string or ""


def complete_login(user: User, next_path: str | None) -> ResponseReturnValue:
    """Record the login (the account page lists them), start the session, go on."""
    with transaction():
        accounts.record_login(user, request.remote_addr or "", _agent())
    begin_session(user)
    return redirect(next_path or url_for(home_endpoint_for(user.role)))


# --- the second factor --------------------------------------------------------------------------


def _await_second_factor(user: User, next_path: str | None) -> None:
    _fresh_session()
    session[PENDING_LOGIN] = {
        "u": user.id, "v": user.session_version, "at": int(time.time()), "next": next_path or "",
    }  # fmt: skip


def _pending_user() -> User | None:
    """The account whose password was given in this session a short while ago, still valid."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None
    if not 0 <= time.time() - pending["at"] <= SECOND_FACTOR_SECONDS:
        return None
    user = db.session.get(User, row_id(str(pending.get("u", ""))) or 0)
    if user is None or not accounts.is_current_session(user, pending.get("v")):
        return None
    return user if accounts.has_totp(user) else None


@bp.route("/second-factor", methods=["GET", "POST"])
def second_factor():
    """The second step of a staff login: a code from the authenticator app or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING_LOGIN, None)
        flash(_("请先输入邮箱和密码登录"), "bad")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        secret_key = current_app.config["SECRET_KEY"]
        with transaction():  # a refusal is committed too: its audit event counts the tries
            accepted = accounts.try_second_factor(
                user, form.code.data, secret_key, utcnow(), SECOND_FACTOR_TRIES
            )
        if accepted is None:
            session.pop(PENDING_LOGIN, None)
            flash(_("验证码错误次数过多，请 15 分钟后重新登录"), "bad")
            return redirect(url_for("auth.login"))
        if accepted:
            next_path = session.get(PENDING_LOGIN, {}).get("next") or None
            return complete_login(user, next_path)
        form.code.errors.append(_("不正确或已使用，请输入应用中当前显示的 6 位数字或一个恢复码"))
    status = 422 if form.errors else 200
    return render_template("auth/second_factor.html", form=form), status


# --- forgotten password -------------------------------------------------------------------------


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with transaction():
            accounts.request_password_reset(
                form.email.data,
                current_app.config["SECRET_KEY"],
                reset_link,
                demo_mode=current_app.config["DEMO_MODE"],
            )
        session[RESET_SENT_KEY] = form.email.data.strip()
        return redirect(url_for("auth.forgot_sent"))  # POST/redirect/GET: a reload sends nothing
    status = 422 if form.errors else 200
    return render_template("auth/forgot.html", form=form), status


RESET_SENT_KEY = "reset_sent_to"  # the address a reset link was asked for, for the page after


@bp.get("/forgot/sent")
def forgot_sent():
    """What was done for the reset asked for just now (the same whether or not it has an account)."""
    email = session.get(RESET_SENT_KEY)
    if not isinstance(email, str) or not email:
        return redirect(url_for("auth.forgot_password"))
    return render_template("auth/forgot_sent.html", email=email)


def reset_link(token: str) -> str:
    """The absolute reset address for an e-mail: BEIAN_PUBLIC_URL, never the request's Host header
    (which a stranger could set to their own site to catch the token)."""
    return current_policy().public_url.rstrip("/") + url_for("auth.reset_password", token=token)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password through the link from the e-mail (30 minutes, one use)."""
    secret_key = current_app.config["SECRET_KEY"]
    user = accounts.user_for_reset_token(token, secret_key) if len(token) < 512 else None
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    form.email_for_rule = user.email
    if form.validate_on_submit():
        try:
            with transaction():
                accounts.reset_password_with_token(
                    token, form.password.data, secret_key, hasher=runtime_adapters().hasher
                )
        except accounts.AccountError as exc:
            if exc.field != "password":
                return render_template("auth/reset_invalid.html"), 400
            form.password.errors.append(exc.message.render(_))
        else:
            if current_user.is_authenticated:
                end_session()
            flash(_("密码已重置，请使用新密码登录"), "ok")
            return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/reset.html", form=form, email=user.email), status


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
