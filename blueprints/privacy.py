"""The account holder's own personal data (issue 15): download all of it (JSON plus the uploaded
images, as a zip), or delete the account. Linked from the account page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.security import check_password_hash

from blueprints.auth import end_session
from blueprints.transaction import transaction
from domain.accounts import privacy
from domain.errors import DomainError
from domain.filing.storage import storage_for
from i18n import gettext as _
from models import utcnow

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
            current_user, storage_for(current_app.config), now
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
    the account anonymised); audited."""
    password = request.form.get("password", "")
    if not check_password_hash(current_user.password_hash, password):
        error = _("密码：与当前密码不一致，账号未注销")
        return render_template("privacy/show.html", delete_error=error), 422
    try:
        with transaction():
            result = privacy.delete_account(current_user, storage_for(current_app.config))
    except DomainError as exc:
        return render_template("privacy/show.html", delete_error=exc.message.render(_)), 422
    end_session()
    flash(
        _("账号已注销：删除备案 %(d)s 个；已通过的备案 %(k)s 个依规保留，账号信息已匿名化。",
          d=result.deleted_filings, k=result.kept_filings), "ok",
    )  # fmt: skip
    return redirect(url_for("site.index"))
