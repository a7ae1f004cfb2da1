"""The IP pool console: add the provider's public IPs, assign them to accounts, release them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required
from blueprints.admin.console import bp, cursors
from domain.accounts import accounts
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.operator import ip_pool
from extensions import db
from i18n import gettext as _
from models import ProviderIP
from runtime.transaction import transaction


@bp.route("/ips", methods=["GET", "POST"])
@role_required(Role.admin)
def ips():
    """The provider's public IPs: add (one per line, or a CSV), assign to an account, release."""
    added, refused = [], []
    if request.method == "POST":
        text = request.form.get("addresses", "")
        upload = request.files.get("csv")
        if upload and upload.filename:
            csv_text = upload.read(1_000_000).decode("utf-8", errors="replace")
            text += "\n" + "\n".join(ip_pool.addresses_from_csv(csv_text))
        with transaction():
            added, refused = ip_pool.add_ips(text, current_user)
    after, before = cursors()
    page = ip_pool.pool_page(after, before)
    return render_template(
        "admin/ips.html", page=page, paged=bool(after or before), added=added, refused=refused,
        using=ip_pool.filings_using([ip.address for ip in page.rows]),
    )  # fmt: skip


@bp.post("/ips/<int:ip_id>/assign")
@role_required(Role.admin)
def assign_ip(ip_id: int):
    """Assign an IP to an applicant by e-mail, or release it (the 释放 button, never an empty
    e-mail: a release is an action of its own)."""
    ip = db.session.get(ProviderIP, ip_id) or abort(404)
    # 释放 is a second button of the row's one form: it posts the e-mail shown, meant as none
    releasing = bool(request.form.get("release"))
    email = "" if releasing else request.form.get("email", "").strip()
    if not releasing and not email:
        flash(_("请填写申请人邮箱；要释放该 IP，请点“释放”"), "bad")
        return redirect(url_for("admin.ips"))
    account = accounts.find_user(email) if email else None
    if email and account is None:
        flash(_("没有该邮箱的账号：%(email)s", email=email), "bad")
        return redirect(url_for("admin.ips"))
    try:
        with transaction():
            ip_pool.assign_ip(
                ip, account, current_user, in_use_confirmed=request.form.get("confirm") == "1"
            )
    except DomainError as exc:
        flash(exc.message.render(_), "bad")
    else:
        if account is not None:
            flash(_("已将 %(ip)s 分配给 %(email)s", ip=ip.address, email=account.email), "ok")
        else:
            flash(_("已释放 %(ip)s", ip=ip.address), "ok")
    return redirect(url_for("admin.ips"))


@bp.post("/ips/<int:ip_id>/remove")
@role_required(Role.admin)
def remove_ip(ip_id: int):
    """Delete an unassigned, unused IP from the pool (one typed by mistake)."""
    ip = db.session.get(ProviderIP, ip_id) or abort(404)
    address = ip.address
    try:
        with transaction():
            ip_pool.remove_ip(ip, current_user)
    except DomainError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已从 IP 池删除 %(ip)s", ip=address), "ok")
    return redirect(url_for("admin.ips"))
