"""The account holder's own personal data (PIPL Art. 45 and 47): download all of it (JSON plus the uploaded
images, as a zip), or delete the account. Linked from the account page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from blueprints.account import password_rechecked, retry_after
from blueprints.auth import current_account, end_session
from domain.accounts import privacy, throttle
from domain.errors import DomainError
from i18n import gettext as _
from models import utcnow
from runtime import current as runtime_adapters
from runtime.transaction import transaction

bp = Blueprint("privacy", __name__, url_prefix="/account/privacy")


@bp.get("/")
@login_required
def show():
    """What is kept about the account, and the download."""
    return render_template("privacy/show.html")


@bp.post("/export")
@login_required
def export():
    """All of the account's data as a zip (audited)."""
    now = utcnow()
    with transaction():
        archive, _filings, _images = privacy.export_archive(
            current_user, runtime_adapters().storage, now
        )
    name = f"beian-desk-data-{now:%Y%m%d}.zip"
    return current_app.response_class(
        archive, mimetype="application/zip",
        headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"},
    )  # fmt: skip


@bp.post("/delete")
@login_required
def delete_account():
    """Delete the account on its password (drafts and withdrawn filings go; approved ones stay,
    the account anonymised); audited. The password is checked as every re-check is: counted per
    account, audited."""
    password = request.form.get("password", "")[:1024]
    refused = password_rechecked(current_account(), password, "account_deletion")
    if isinstance(refused, throttle.Throttled):
        error = _("密码：%(message)s，账号未注销", message=refused.message.render(_))
        page = render_template("privacy/show.html", delete_error=error)
        return page, 429, retry_after(refused)
    if refused is not None:
        error = _("密码：与当前密码不一致，账号未注销")
        return render_template("privacy/show.html", delete_error=error), 422
    try:
        with transaction():
            result = privacy.delete_account(current_user, runtime_adapters().storage)
    except DomainError as exc:
        return render_template("privacy/show.html", delete_error=exc.message.render(_)), 422
    end_session()
    flash(
        _("账号已注销：删除备案 %(d)s 个；已通过的备案 %(k)s 个依规保留，账号信息已匿名化。",
          d=result.deleted_filings, k=result.kept_filings), "ok",
    )  # fmt: skip
    return redirect(url_for("site.index"))
