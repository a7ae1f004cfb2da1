"""The staff console (reviewers and admins), and what an admin does to any account: disable,
enable, reset its password or second factor, send a reset link."""

from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from blueprints.access import role_required
from blueprints.admin.console import bp
from blueprints.auth import reset_link
from domain.accounts import accounts
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.operator import account_admin
from domain.support import sealing
from extensions import db
from forms.admin import InviteForm
from i18n import gettext as _
from models import User
from runtime import current as runtime_adapters
from runtime import policy
from runtime.transaction import transaction


@bp.route("/staff", methods=["GET", "POST"])
@role_required(Role.admin)
def staff():
    """Reviewers and admins: invite (a one-time password shown once), disable, reset."""
    form = InviteForm()
    issued = _take_issued() if request.method == "GET" else None
    if form.validate_on_submit():
        try:
            with transaction():
                user, password = account_admin.invite_staff(
                    form.email.data,
                    form.display_name.data or "",
                    Role(form.role.data),
                    current_user,
                    hasher=runtime_adapters().hasher,
                    **staff_invitation_mail(),
                )
        except DomainError as exc:
            form.email.errors.append(exc.message.render(_))
        else:
            return _hand_over(user.email, password)
    return _staff_page(form, issued, 422 if form.errors else 200)


# POST/redirect/GET for a one-time password: the POST seals it into the session, the GET after the
# redirect takes it out and shows it once; a reload shows it no more and sends nothing again.
ISSUED_KEY = "issued_password"


def _hand_over(email: str, password: str):
    """Keep the one-time password for the next page only, sealed: the session cookie is signed
    but not encrypted, so it never carries the password in clear (nor as a flash message)."""
    secret_key = current_app.config["SECRET_KEY"]
    session[ISSUED_KEY] = sealing.seal(json.dumps([email, password]), secret_key)
    return redirect(url_for("admin.staff"))


def _take_issued() -> tuple[str, str] | None:
    """The one-time password handed over by the last POST, once (None: none, or not readable)."""
    token = session.pop(ISSUED_KEY, None)
    text = (
        sealing.unseal(token, current_app.config["SECRET_KEY"]) if isinstance(token, str) else None
    )
    if not text:
        return None
    email, password = json.loads(text)
    return str(email), str(password)


def _staff_page(form: InviteForm, issued: tuple[str, str] | None, status: int):
    """The staff page; `issued` (e-mail, one-time password) is shown once, in this answer only
    (no-store: not kept by the browser's cache either)."""
    people = account_admin.staff_members()
    page = render_template("admin/staff.html", form=form, people=people, issued=issued)
    return page, status, {"Cache-Control": "no-store"} if issued else {}


def staff_invitation_mail() -> dict:
    """What the invitation e-mail needs: the key that seals the password, the login address."""
    login_url = policy.current_policy().public_url.rstrip("/") + url_for("auth.login")
    return {"secret_key": current_app.config["SECRET_KEY"], "login_url": login_url,
            "demo_mode": bool(current_app.config["DEMO_MODE"])}  # fmt: skip


@bp.post("/users/<int:user_id>/<any(enable, disable, reset):action>")
@role_required(Role.admin)
def change_user(user_id: int, action: str):
    """Enable, disable or reset the password of an account."""
    user = db.session.get(User, user_id) or abort(404)
    if action == "reset" and _reset_already_done(user):
        flash(_("%(email)s 的密码刚才已重置（一次性密码只显示一次）；如需再次重置，请再点一次“重置密码”",
                email=user.email), "bad")  # fmt: skip
        return redirect(_list_of(user))
    issued = None
    try:
        with transaction():
            if action == "reset":
                password = account_admin.reset_password(
                    user, current_user, hasher=runtime_adapters().hasher
                )
                issued = (user.email, password)
            else:
                account_admin.set_enabled(user, action == "enable", current_user)
    except DomainError as exc:
        flash(exc.message.render(_), "bad")
        return redirect(_list_of(user))
    if issued:  # shown once on the staff page after the redirect: see _hand_over
        return _hand_over(*issued)
    return redirect(_list_of(user))


def _reset_already_done(user: User) -> bool:
    """Whether this reset is the page's form sent again (a reload of the answer that showed the
    one-time password): the form names the account's session version it was drawn with, and every
    reset moves it on. A second reset would make the password just shown useless."""
    seen = request.form.get("seen_version", "")
    return seen.isdigit() and int(seen) != user.session_version


def _list_of(user: User) -> str:
    """The console page that lists the account: applicants or staff."""
    return url_for("admin.applicants" if user.role is Role.applicant else "admin.staff")


@bp.post("/users/<int:user_id>/reset-second-factor")
@role_required(Role.admin)
def reset_second_factor(user_id: int):
    """Clear a staff member's lost second factor (an admin enrols again at the next login)."""
    user = db.session.get(User, user_id) or abort(404)
    try:
        with transaction():
            accounts.reset_second_factor(user, current_user)
    except accounts.AccountError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已重置 %(email)s 的两步验证，其登录已全部退出", email=user.email), "ok")
    return redirect(_list_of(user))


@bp.post("/users/<int:user_id>/reset-link")
@role_required(Role.admin)
def send_reset_link(user_id: int):
    """E-mail the account a password-reset link (30 minutes, one use)."""
    user = db.session.get(User, user_id) or abort(404)
    with transaction():
        sent = accounts.send_reset_link(
            user,
            current_user,
            current_app.config["SECRET_KEY"],
            reset_link,
        )
    if sent:
        flash(_("已向 %(email)s 发送重置密码邮件（30 分钟内有效）", email=user.email), "ok")
    else:
        flash(
            _("未发送：%(email)s 已停用，或 1 小时内已发送过 3 封重置邮件", email=user.email),
            "bad",
        )
    return redirect(_list_of(user))
