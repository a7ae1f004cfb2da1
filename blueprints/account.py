"""The account page: name, e-mail, the logins that may still be open, "log out everywhere",
password change, and the staff's second factor (enrol, recovery codes, turn off).

Before anything else, an account with a duty does it: a one-time password (an invite's, an admin's
reset) is changed, and an admin enrols a second factor. The duty is kept in the session at login
(blueprints/auth.begin_session), so checking it costs no query.

Every change here that needs the password again (the password itself, the second factor, the
recovery codes; deleting the account in blueprints/privacy) checks it through password_rechecked():
counted per account like the login, audited, and committed whatever the answer.
"""

from __future__ import annotations

from datetime import timedelta

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
from flask_login import login_required

from blueprints.access import home_endpoint_for
from blueprints.auth import DUTY, begin_session, current_account, end_session, load_session_user
from blueprints.materials import qr_svg
from blueprints.throttle import login_limits
from domain.accounts import accounts, throttle
from forms.auth import ChangePasswordForm, DisplayNameForm, PasswordConfirmForm, SecondFactorForm
from i18n import gettext as _
from models import User, utcnow
from runtime import current as runtime_adapters
from runtime.transaction import transaction

bp = Blueprint("account", __name__, url_prefix="/account")

# What a session with a duty may still reach: the duty's own pages (the first is where it is
# sent), logging out, the language.
DUTY_ENDPOINTS = {
    "password": ("account.change_password",),
    "totp": ("account.two_factor", "account.start_two_factor", "account.confirm_two_factor"),
}
TOTP_ENROLMENT = "_totp"  # the mark of the enrolment this session began (accounts.enrolment_mark)
ALWAYS_OPEN = {"static", "auth.logout", "site.set_language", "site.health", "site.index"}


@bp.before_app_request
def send_to_the_duty_first():
    """Redirect a session with an open duty to the page that fulfils it."""
    duty = session.get(DUTY)
    if not duty or request.endpoint in ALWAYS_OPEN or request.blueprint == "api":
        return None
    if load_session_user(str(session.get("_user_id", ""))) is None:
        # The session ended elsewhere (the password changed in another browser): its duty
        # ended with it. Log this browser out cleanly, or login and duty page send to each other.
        end_session()
        return None
    allowed = DUTY_ENDPOINTS.get(duty)
    if allowed is None:  # not a duty this version knows: forget it
        session.pop(DUTY, None)
        return None
    if request.endpoint in allowed:
        return None
    return redirect(url_for(allowed[0]))


@bp.get("/")
@login_required
def show_account():
    """The account page."""
    user = current_account()
    lifetime = timedelta(seconds=int(current_app.config["PERMANENT_SESSION_LIFETIME"]))
    return render_template(
        "account/show.html",
        user=user,
        name_form=DisplayNameForm(display_name=user.display_name),
        logins=accounts.open_sessions(user, lifetime, utcnow()),
        totp_offered=accounts.totp_offered(user),
        totp_on=accounts.has_totp(user),
        totp_required=accounts.totp_required(user),
        codes_left=accounts.recovery_codes_left(user) if accounts.has_totp(user) else 0,
        password_form=PasswordConfirmForm(),
    )


@bp.post("/name")
@login_required
def change_name():
    """Change the name shown to staff and in e-mails."""
    form = DisplayNameForm()
    if form.validate_on_submit():
        with transaction():
            accounts.set_display_name(current_account(), form.display_name.data or "")
        flash(_("已保存"), "ok")
    else:
        _flash_form_errors(form)
    return redirect(url_for("account.show_account"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password (the current one is asked); every other session ends."""
    user = current_account()
    form = ChangePasswordForm()
    form.email_for_rule = user.email
    forced = session.get(DUTY) == "password"
    refused = None
    if form.validate_on_submit():
        refused = password_rechecked(user, form.current_password.data, "password_change")
        if refused is not None:
            form.current_password.errors.append(_recheck_message(refused, _("当前密码不正确")))
        else:
            try:
                with transaction():
                    accounts.change_password(
                        user, form.current_password.data, form.password.data,
                        hasher=runtime_adapters().hasher,
                    )  # fmt: skip
                    # this browser goes on at the new version: listed as a session of it
                    accounts.record_login(
                        user, request.remote_addr or "", request.user_agent.string or ""
                    )
            except accounts.AccountError as exc:
                form.password.errors.append(exc.message.render(_))
            else:
                begin_session(user)  # this browser stays logged in, at the new session version
                flash(_("密码已修改，其他设备上的登录已全部退出"), "ok")
                if session.get(DUTY):
                    return redirect(url_for("account.two_factor"))
                return redirect(url_for(home_endpoint_for(user.role)))
    status = 429 if isinstance(refused, throttle.Throttled) else 422 if form.errors else 200
    page = render_template("account/password.html", form=form, forced=forced)
    return page, status, retry_after(refused)


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of the account, this one included."""
    with transaction():
        accounts.end_sessions(current_account())
    end_session()
    flash(_("已在所有设备上退出登录"), "ok")
    return redirect(url_for("auth.login"))


# --- the second factor --------------------------------------------------------------------------


@bp.get("/two-factor")
@login_required
def two_factor():
    """Enrol the second factor: the password first, then a QR code (and the key to type) for an
    authenticator app, shown only to the session that began this enrolment."""
    user = current_account()
    if accounts.has_totp(user) or not accounts.totp_offered(user):
        return redirect(url_for("account.show_account"))
    secret = _enrolment_secret(user)
    if secret is None:
        return _start_page(PasswordConfirmForm(), 200)
    return _enrolment_page(secret, SecondFactorForm(), 200)


def _enrolment_secret(user: User) -> str | None:
    """The secret of the enrolment this session began, while it is the account's open one."""
    mark = accounts.enrolment_mark(user)
    if mark is None or session.get(TOTP_ENROLMENT) != mark:
        return None
    return accounts.totp_secret(user, current_app.config["SECRET_KEY"])


def _start_page(form: PasswordConfirmForm, status: int):
    return render_template(
        "account/two_factor.html", start_form=form, forced=session.get(DUTY) == "totp"
    ), status


@bp.post("/two-factor/start")
@login_required
def start_two_factor():
    """Begin an enrolment on the password: a new secret, known to this session only."""
    user = current_account()
    if accounts.has_totp(user) or not accounts.totp_offered(user):
        return redirect(url_for("account.show_account"))
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        return _start_page(form, 422)
    refused = password_rechecked(user, form.password.data, "totp_enrolment")
    if refused is not None:
        form.password.errors.append(refused.message.render(_))
        page, status = _start_page(form, 429 if isinstance(refused, throttle.Throttled) else 422)
        return page, status, retry_after(refused)
    with transaction():
        accounts.begin_totp_enrolment(user, current_app.config["SECRET_KEY"])
    session[TOTP_ENROLMENT] = accounts.enrolment_mark(user)
    return redirect(url_for("account.two_factor"))


def _enrolment_page(secret: str, form: SecondFactorForm, status: int):
    user = current_account()
    uri = accounts.provisioning_uri(user, secret, current_app.config["PROVIDER_NAME"])
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "account/two_factor.html",
        form=form,
        qr=qr_svg(uri),
        secret=grouped,
        forced=session.get(DUTY) == "totp",
    ), status


@bp.post("/two-factor")
@login_required
def confirm_two_factor():
    """Turn the second factor on with a first code; show the recovery codes once."""
    user = current_account()
    secret_key = current_app.config["SECRET_KEY"]
    if accounts.has_totp(user) or not accounts.totp_offered(user):
        return redirect(url_for("account.show_account"))
    secret = _enrolment_secret(user)
    if secret is None:  # not begun in this session, begun anew elsewhere, or a new SECRET_KEY
        return redirect(url_for("account.two_factor"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            with transaction():
                codes = accounts.confirm_totp_enrolment(user, form.code.data, secret_key, utcnow())
        except accounts.AccountError as exc:
            form.code.errors.append(exc.message.render(_))
        else:
            session.pop(DUTY, None)
            session.pop(TOTP_ENROLMENT, None)
            return render_template("account/recovery_codes.html", codes=codes, first=True)
    return _enrolment_page(secret, form, 422 if form.errors else 200)


@bp.post("/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    """Replace the recovery codes (the password is asked again); show the new ones once."""
    user = current_account()
    form = PasswordConfirmForm()
    if not accounts.has_totp(user):
        return redirect(url_for("account.show_account"))
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("account.show_account"))
    refused = password_rechecked(user, form.password.data, "recovery_codes")
    if refused is not None:
        _flash_error(form, refused)
        return redirect(url_for("account.show_account"))
    with transaction():
        codes = accounts.replace_recovery_codes(user)
    return render_template("account/recovery_codes.html", codes=codes, first=False)


@bp.post("/two-factor/off")
@login_required
def disable_two_factor():
    """Turn a reviewer's second factor off (the password is asked again)."""
    user = current_account()
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("account.show_account"))
    if accounts.totp_required(user):  # said before the password is asked
        refused = accounts.AccountError(accounts.ADMIN_KEEPS_TOTP)
    else:
        refused = password_rechecked(user, form.password.data, "totp_off")
    if refused is None:
        with transaction():
            accounts.disable_totp(user)
        flash(_("已关闭两步验证"), "ok")
    else:
        _flash_error(form, refused)
    return redirect(url_for("account.show_account"))


def password_rechecked(user: User, password: str, purpose: str) -> accounts.AccountError | None:
    """Check the account's password again (throttle.recheck_password: counted per account like
    the login, audited); None when it is right, else the refusal. Committed either way."""
    with transaction():
        try:
            throttle.recheck_password(
                user, password, purpose, login_limits(), hasher=runtime_adapters().hasher
            )
        except accounts.AccountError as exc:
            return exc
    return None


def retry_after(refused: accounts.AccountError | None) -> dict[str, str]:
    """The Retry-After header of a throttled answer (none otherwise)."""
    if isinstance(refused, throttle.Throttled):
        return {"Retry-After": str(refused.retry_after)}
    return {}


def _recheck_message(refused: accounts.AccountError, wrong: str) -> str:
    """The refusal in words: `wrong` for a wrong password, the wait when throttled."""
    return wrong if isinstance(refused, throttle.WrongPassword) else refused.message.render(_)


def _flash_form_errors(form) -> None:
    """A small form posted from the account page: its errors as flashes, each naming its field."""
    for field in form:
        for error in field.errors:
            flash(_("%(field)s：%(message)s", field=field.label.text, message=error), "bad")


def _flash_error(form, exc: accounts.AccountError) -> None:
    message = exc.message.render(_)
    if exc.field and exc.field in form:
        message = _("%(field)s：%(message)s", field=form[exc.field].label.text, message=message)
    flash(message, "bad")
