"""The account page: name, e-mail, the logins that may still be open, "log out everywhere",
password change, and the staff's second factor (enrol, recovery codes, turn off).

Before anything else, an account with a duty does it: a one-time password (an invite's, an admin's
reset) is changed, and an admin enrols a second factor. The duty is kept in the session at login
(blueprints/auth.begin_session), so checking it costs no query.
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
from blueprints.auth import DUTY, begin_session, current_account, end_session
from blueprints.materials import qr_svg
from blueprints.transaction import transaction
from domain.accounts import accounts
from forms.auth import ChangePasswordForm, DisplayNameForm, PasswordConfirmForm, SecondFactorForm
from i18n import gettext as _
from models import utcnow

bp = Blueprint("account", __name__, url_prefix="/account")

# What a session with a duty may still reach: the duty's own pages (the first is where it is
# sent), logging out, the language.
DUTY_ENDPOINTS = {
    "password": ("account.change_password",),
    "totp": ("account.two_factor", "account.confirm_two_factor"),
}
ALWAYS_OPEN = {"static", "auth.logout", "site.set_language", "site.health", "site.index"}


@bp.before_app_request
def send_to_the_duty_first():
    """Redirect a session with an open duty to the page that fulfils it."""
    duty = session.get(DUTY)
    if not duty or request.endpoint in ALWAYS_OPEN or request.blueprint == "api":
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
    if form.validate_on_submit():
        try:
            with transaction():
                accounts.change_password(user, form.current_password.data, form.password.data)
                # this browser goes on at the new version: listed as a session of it
                accounts.record_login(
                    user, request.remote_addr or "", request.user_agent.string or ""
                )
        except accounts.AccountError as exc:
            field = form.current_password if exc.field == "current_password" else form.password
            field.errors.append(exc.message.render(_))
        else:
            begin_session(user)  # this browser stays logged in, at the new session version
            flash(_("密码已修改，其他设备上的登录已全部退出"), "ok")
            if session.get(DUTY):
                return redirect(url_for("account.two_factor"))
            return redirect(url_for(home_endpoint_for(user.role)))
    status = 422 if form.errors else 200
    return render_template("account/password.html", form=form, forced=forced), status


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
    """Enrol the second factor: a QR code (and the key to type) for an authenticator app."""
    user = current_account()
    if accounts.has_totp(user) or not accounts.totp_offered(user):
        return redirect(url_for("account.show_account"))
    with transaction():
        secret = accounts.begin_totp_enrolment(user, current_app.config["SECRET_KEY"])
    return _enrolment_page(secret, SecondFactorForm(), 200)


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
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            with transaction():
                codes = accounts.confirm_totp_enrolment(user, form.code.data, secret_key, utcnow())
        except accounts.AccountError as exc:
            form.code.errors.append(exc.message.render(_))
        else:
            session.pop(DUTY, None)
            return render_template("account/recovery_codes.html", codes=codes, first=True)
    secret = accounts.totp_secret(user, secret_key)
    if secret is None:  # the sealed secret is gone (a new SECRET_KEY): start again
        return redirect(url_for("account.two_factor"))
    return _enrolment_page(secret, form, 422 if form.errors else 200)


@bp.post("/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    """Replace the recovery codes (the password is asked again); show the new ones once."""
    user = current_account()
    form = PasswordConfirmForm()
    if not accounts.has_totp(user):
        return redirect(url_for("account.show_account"))
    if form.validate_on_submit():
        try:
            with transaction():
                codes = accounts.replace_recovery_codes(user, form.password.data)
        except accounts.AccountError as exc:
            _flash_error(form, exc)
        else:
            return render_template("account/recovery_codes.html", codes=codes, first=False)
    else:
        _flash_form_errors(form)
    return redirect(url_for("account.show_account"))


@bp.post("/two-factor/off")
@login_required
def disable_two_factor():
    """Turn a reviewer's second factor off (the password is asked again)."""
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            with transaction():
                accounts.disable_totp(current_account(), form.password.data)
        except accounts.AccountError as exc:
            _flash_error(form, exc)
        else:
            flash(_("已关闭两步验证"), "ok")
    else:
        _flash_form_errors(form)
    return redirect(url_for("account.show_account"))


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
