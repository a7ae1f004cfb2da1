"""The operator's console: an overview of accounts and the provider's tables."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select

from blueprints import hardening, policy
from blueprints.access import role_required, row_id
from blueprints.auth import reset_link
from blueprints.htmx import is_htmx
from blueprints.transaction import transaction
from domain import audit as audit_log  # (the view below is named audit)
from domain.lifecycle import workflow
from domain.lifecycle.states import FilingState, Role, event_label
from domain.operator import accounts, api_tokens, imports, ip_pool, settings
from domain.operator import admin as admin_service
from domain.review import report as report_service
from domain.rulebook.reasons import REJECTION_REASONS
from domain.rulebook.registry import RegistryImportError
from domain.support import notify
from domain.support.i18n import N_
from domain.support.outbox import OutboxError, retry_message
from domain.support.outbox import console_page as outbox_console_page
from extensions import db
from forms.admin import ApiTokenForm, InviteForm, ProvinceRuleForm
from i18n import gettext as _
from models import (
    AuditEvent,
    CalendarDay,
    DenyWord,
    DomainSuffix,
    OutboxMessage,
    ProviderIP,
    ProvinceRule,
    RegistrySubject,
    User,
    utcnow,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.admin)
def dashboard():
    """Counts of what the provider has configured, and the staff accounts."""

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    figures = {
        "applicants": count(User, User.role == Role.applicant),
        "ips_total": count(ProviderIP),
        "ips_free": count(ProviderIP, ProviderIP.account_id.is_(None)),
        "provinces": count(ProvinceRule),
        "suffixes": count(DomainSuffix, DomainSuffix.approved.is_(True)),
        "deny_words": count(DenyWord),
        "registry_subjects": count(RegistrySubject),
    }
    staff = db.session.scalars(
        select(User).where(User.role.in_([Role.reviewer, Role.admin])).order_by(User.id)
    ).all()
    return render_template("admin/dashboard.html", figures=figures, staff=staff)


@bp.get("/outbox")
@login_required
def outbox():
    """The outbox: every SMS and e-mail with its state (admins; reviewers too in the demo)."""
    if not (
        current_user.role is Role.admin
        or (current_user.is_staff and current_app.config["DEMO_MODE"])
    ):
        abort(403)
    status = request.args.get("status", "")
    status = status if status in ("pending", "sent", "failed") else ""
    after, before = _cursors()
    page = outbox_console_page(status, after, before)
    demo = current_app.config["DEMO_MODE"]
    current = policy.current_policy()
    rendered = []
    for m in page.rows:
        text = notify.render(m, current, reveal_code=demo)
        rendered.append((m, text.subject, text.text))
    return render_template(
        "admin/outbox.html", rendered=rendered, demo=demo, status=status, page=page,
        paged=bool(after or before),
        dead_letters=db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")
        ),
    )  # fmt: skip


@bp.post("/outbox/<int:message_id>/retry")
@role_required(Role.admin)
def retry_outbox(message_id: int):
    """Put a dead letter back in the queue for a fresh round of tries."""
    message = db.get_or_404(OutboxMessage, message_id)
    try:
        with transaction():
            retry_message(message, current_user)
    except OutboxError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("消息 #%(id)s 已重新排队发送", id=message_id), "ok")
    return redirect(url_for("admin.outbox", status=request.form.get("status", "")))


def _cursors() -> tuple[int, int]:
    """A console list's keyset cursors (`after`, `before`): row ids, 0 for none or anything else."""
    return row_id(request.args.get("after", "")), row_id(request.args.get("before", ""))


@bp.get("/audit")
@role_required(Role.admin)
def audit():
    """Search the audit log by filing number, action or actor e-mail."""
    filing_id = row_id(request.args.get("filing", "").lstrip("#"))  # 0: none, or out of range
    action = request.args.get("action", "")
    actor = request.args.get("actor", "").strip().lower()
    older_than, newer_than = _cursors()
    views = request.args.get("views") == "1"  # the looks at personal data (issue 15): on demand
    events, older, newer = audit_log.search(
        filing_id, action, actor, older_than, newer_than, views=views
    )
    codes = db.session.scalars(select(AuditEvent.action).distinct()).all()
    actions = sorted(codes, key=lambda code: (_(event_label(code)), code))  # as the admin reads it
    filters = {key: request.args.get(key, "") for key in ("filing", "action", "actor", "views")}
    return render_template(
        "admin/audit.html", events=events, actions=actions, args=request.args, filters=filters,
        older=older, newer=newer, paged=bool(older_than or newer_than),
    )  # fmt: skip


# --- province rules ---------------------------------------------------------------------------


@bp.get("/provinces")
@role_required(Role.admin)
def provinces():
    """The 31 province rules; each row edits in place."""
    rules = db.session.scalars(select(ProvinceRule).order_by(ProvinceRule.code)).all()
    return render_template("admin/provinces.html", rules=rules)


@bp.route("/provinces/<code>", methods=["GET", "POST"])
@role_required(Role.admin)
def edit_province(code: str):
    """Edit one province's rules: htmx swaps the table row; without JavaScript a page."""
    rule = db.session.get(ProvinceRule, code) or abort(404)
    form = ProvinceRuleForm(obj=rule)  # on a POST, what the admin typed (shown again if refused)
    error = ""
    if form.validate_on_submit():
        values: dict[str, str | bool | None] = {  # a field the form does not carry stays
            name: form[name].data if kind is bool else request.form[name]
            for name, kind in admin_service.PROVINCE_FIELDS.items()
            if kind is bool or name in request.form
        }
        try:
            with transaction():
                changed = admin_service.update_province_rule(rule, values, current_user)
        except admin_service.AdminError as exc:
            if exc.field and exc.field in form:
                form[exc.field].errors.append(exc.message.render(_))
            else:
                error = exc.message.render(_)
        else:
            if not is_htmx():
                flash(_("已保存 %(name)s（%(n)s 项修改）", name=rule.name, n=len(changed)), "ok")
                return redirect(url_for("admin.provinces"))
            return render_template("admin/_province_row.html", rule=rule)
    template = "admin/_province_form.html" if is_htmx() else "admin/province_edit.html"
    refused = bool(error or form.errors)
    return render_template(template, rule=rule, form=form, error=error), 422 if refused else 200


# --- staff ------------------------------------------------------------------------------------


@bp.route("/staff", methods=["GET", "POST"])
@role_required(Role.admin)
def staff():
    """Reviewers and admins: invite (a one-time password shown once), disable, reset."""
    form = InviteForm()
    issued = None
    if form.validate_on_submit():
        try:
            with transaction():
                user, password = admin_service.invite_staff(
                    form.email.data,
                    form.display_name.data or "",
                    Role(form.role.data),
                    current_user,
                )
        except accounts.AccountError as exc:
            form.email.errors.append(exc.message.render(_))
        else:
            issued = (user.email, password)
    return _staff_page(form, issued, 422 if form.errors else 200)


def _staff_page(form: InviteForm, issued: tuple[str, str] | None, status: int):
    """The staff page; `issued` (e-mail, one-time password) is shown once, in this answer only:
    never in the session cookie (a flash message), which is signed but not encrypted."""
    people = db.session.scalars(
        select(User).where(User.role.in_([Role.reviewer, Role.admin])).order_by(User.id)
    ).all()
    page = render_template("admin/staff.html", form=form, people=people, issued=issued)
    return page, status, {"Cache-Control": "no-store"} if issued else {}


@bp.post("/users/<int:user_id>/<any(enable, disable, reset):action>")
@role_required(Role.admin)
def change_user(user_id: int, action: str):
    """Enable, disable or reset the password of an account."""
    user = db.session.get(User, user_id) or abort(404)
    issued = None
    try:
        with transaction():
            if action == "reset":
                issued = (user.email, admin_service.reset_password(user, current_user))
            else:
                admin_service.set_enabled(user, action == "enable", current_user)
    except admin_service.AdminError as exc:
        flash(exc.message.render(_), "bad")
        return redirect(_list_of(user))
    if issued:  # rendered here, not flashed: see _staff_page
        return _staff_page(InviteForm(formdata=None), issued, 200)
    return redirect(_list_of(user))


def _list_of(user: User) -> str:
    """The console page that lists the account: applicants or staff."""
    return url_for("admin.applicants" if user.role is Role.applicant else "admin.staff")


# --- applicants -------------------------------------------------------------------------------

APPLICANTS_SHOWN = 100


@bp.get("/applicants")
@role_required(Role.admin)
def applicants():
    """Applicant accounts, newest first, searched by e-mail or name: disable, enable, reset link."""
    # printable characters only: PostgreSQL refuses a NUL in a string (a 500 otherwise)
    query = "".join(c for c in request.args.get("q", "") if c.isprintable()).strip()[:100]
    found = select(User).where(User.role == Role.applicant)
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"  # what was typed, literally: % and _ are not wildcards
        found = found.where(
            func.lower(User.email).like(pattern, escape="\\")
            | func.lower(User.display_name).like(pattern, escape="\\")
        )
    people = db.session.scalars(found.order_by(User.id.desc()).limit(APPLICANTS_SHOWN)).all()
    return render_template(
        "admin/applicants.html", people=people, query=query, limit=APPLICANTS_SHOWN
    )


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


# --- the IP pool --------------------------------------------------------------------------------


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
            text += "\n" + "\n".join(admin_service.addresses_from_csv(csv_text))
        with transaction():
            added, refused = admin_service.add_ips(text, current_user)
    after, before = _cursors()
    page = ip_pool.pool_page(after, before)
    return render_template(
        "admin/ips.html", page=page, paged=bool(after or before), added=added, refused=refused,
        using=ip_pool.filings_using([ip.address for ip in page.rows]),
    )  # fmt: skip


@bp.post("/ips/<int:ip_id>/assign")
@role_required(Role.admin)
def assign_ip(ip_id: int):
    """Assign an IP to an applicant by e-mail, or release it (empty e-mail)."""
    ip = db.session.get(ProviderIP, ip_id) or abort(404)
    email = request.form.get("email", "").strip()
    account = accounts.find_user(email) if email else None
    if email and account is None:
        flash(_("没有该邮箱的账号：%(email)s", email=email), "bad")
        return redirect(url_for("admin.ips"))
    try:
        with transaction():
            admin_service.assign_ip(
                ip, account, current_user, in_use_confirmed=request.form.get("confirm") == "1"
            )
    except admin_service.AdminError as exc:
        flash(exc.message.render(_), "bad")
    else:
        if account is not None:
            flash(_("已将 %(ip)s 分配给 %(email)s", ip=ip.address, email=account.email), "ok")
        else:
            flash(_("已释放 %(ip)s", ip=ip.address), "ok")
    return redirect(url_for("admin.ips"))


# --- suffixes, deny-lists, calendar ---------------------------------------------------------------


@bp.get("/tables")
@role_required(Role.admin)
def tables():
    """The approved-suffix table, the deny-lists and the working-day calendar overrides."""
    suffixes = db.session.scalars(
        select(DomainSuffix).order_by(DomainSuffix.approved.desc(), DomainSuffix.suffix)
    ).all()
    words = db.session.scalars(select(DenyWord).order_by(DenyWord.list_name, DenyWord.word)).all()
    days = db.session.scalars(select(CalendarDay).order_by(CalendarDay.day)).all()
    return render_template("admin/tables.html", suffixes=suffixes, words=words, days=days)


def _change_table(change: Callable[[], object]) -> ResponseReturnValue:
    """Make one change to the rule tables in its own transaction, flash how it went, and go back."""
    try:
        with transaction():
            change()
    except admin_service.AdminError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已保存"), "ok")
    return redirect(url_for("admin.tables"))


@bp.post("/tables/suffixes")
@role_required(Role.admin)
def add_suffix():
    """Add a suffix to the table, or change whether it may be filed."""
    form = request.form
    approved = form.get("approved") == "1"
    return _change_table(
        lambda: admin_service.add_suffix(form.get("suffix", ""), approved, current_user)
    )


@bp.post("/tables/suffixes/remove")
@role_required(Role.admin)
def remove_suffix():
    """Take a suffix out of the table."""
    suffix = request.form.get("suffix", "")
    return _change_table(lambda: admin_service.remove_suffix(suffix, current_user))


@bp.post("/tables/deny-words")
@role_required(Role.admin)
def add_deny_word():
    """Add a word to a deny-list."""
    list_name, word = request.form.get("list_name", ""), request.form.get("word", "")
    return _change_table(lambda: admin_service.add_word(list_name, word, current_user))


@bp.post("/tables/deny-words/remove")
@role_required(Role.admin)
def remove_deny_word():
    """Take a word off its deny-list."""
    word_id = row_id(request.form.get("word_id"))
    return _change_table(lambda: admin_service.remove_word(word_id, current_user))


@bp.post("/tables/calendar")
@role_required(Role.admin)
def set_calendar_day():
    """Mark a date as a day off or a working day, or remove its override."""
    form = request.form
    choice = form.get("is_workday")
    workday = None if choice == "remove" else choice == "1"
    day, note = form.get("day", ""), form.get("note", "")
    return _change_table(lambda: admin_service.set_calendar_day(day, workday, note, current_user))


# --- registry import with a preview ------------------------------------------------------------


def _imports_folder() -> Path:
    folder = imports.folder_beside(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/registry", methods=["GET", "POST"])
@role_required(Role.admin)
def registry():
    """Upload a registry CSV: see what it would change (nothing is written), then confirm."""
    context = {"summary": None, "error": None, "token": None}
    if request.method == "POST":
        upload = request.files.get("csv")
        data = upload.read(10_000_001) if upload else b""
        try:
            if len(data) > 10_000_000:
                raise RegistryImportError(0, N_("文件超过 10 MB"))
            text = data.decode("utf-8")
            context["summary"] = admin_service.preview_registry(text)
        except UnicodeDecodeError:
            context["error"] = _("文件不是 UTF-8 编码")
        except RegistryImportError as exc:
            context["error"] = (
                _("第 %(line)s 行：%(reason)s", line=exc.line, reason=exc.reason)
                if exc.line
                else exc.reason
            )
        else:
            summary = context["summary"]
            if summary.changed or summary.passwords_unchecked:
                context["token"] = imports.save_preview(_imports_folder(), text)
    status = 422 if context["error"] else 200
    return render_template("admin/registry.html", **context), status


@bp.post("/registry/<token>")
@role_required(Role.admin)
def confirm_registry(token: str):
    """Import the previewed file (all or nothing); the import is audited."""
    max_age = 60 * float(current_app.config["RETENTION_IMPORT_MINUTES"])
    text = imports.take_preview(_imports_folder(), token, max_age)  # deleted as it is taken
    if text is None:
        abort(404)
    try:
        with transaction():
            summary = admin_service.import_registry_csv(text, current_user)
    except RegistryImportError as exc:
        flash(_("导入失败，未导入任何数据：%(reason)s", reason=exc.message.render(_)), "bad")
        return redirect(url_for("admin.registry"))
    flash(_("已导入：新增主体 %(s)s、网站 %(w)s；更新主体 %(us)s、网站 %(uw)s",
            s=summary.subjects_created, w=summary.websites_created,
            us=summary.subjects_updated, uw=summary.websites_updated), "ok")  # fmt: skip
    return redirect(url_for("admin.registry"))


# --- reviewer productivity report -------------------------------------------------------------


@bp.get("/report")
@role_required(Role.admin)
def report():
    """Decisions per reviewer (with a chart), median hours per stage, overdue, rejection reasons."""
    data = report_service.build(utcnow())
    chart = Markup(
        report_service.bar_chart_svg(
            [(name, count) for name, count, _r in data.per_reviewer], _("各审核员处理数量")
        )
    )
    stages = sorted(workflow.staff_stages(), key=list(FilingState).index)  # in the table's order
    return render_template(
        "admin/report.html", report=data, chart=chart, reason_labels=REJECTION_REASONS,
        stages=stages,
    )  # fmt: skip


@bp.get("/report.csv")
@role_required(Role.admin)
def report_csv():
    """The report as CSV (UTF-8 with BOM, so that Excel opens the Chinese correctly)."""
    data = report_service.build(utcnow())
    out = io.StringIO()
    writer = hardening.SafeCsvWriter(out)  # a reviewer's name may start with "=" (issue 15)
    writer.writerow(["section", "key", "value", "extra"])
    for name, count, rejected in data.per_reviewer:
        writer.writerow(["decisions", name, count, rejected])
    for (name, stage), count in sorted(
        data.per_stage.items(), key=lambda item: (item[0][0], item[0][1].value)
    ):
        writer.writerow(["decisions_by_stage", f"{name}/{stage.value}", count, ""])
    for state, hours, n in data.hours_in_state:
        writer.writerow(["median_hours_in_state", state.value, hours, n])
    for state, count in data.overdue.items():
        writer.writerow(["overdue", state.value, count, ""])
    for code, count in data.reasons:
        writer.writerow(["rejection_reason", code, count, ""])
    return current_app.response_class(
        "\ufeff" + out.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=beian-report.csv"},
    )  # fmt: skip


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.admin)
def settings_page():
    """Provider name, review deadlines and claim timeout (stored; every host picks them up).

    Every changed value is checked first; only when all pass are they stored, in one transaction,
    and this process's policy is dropped after the commit (a refused save changes nothing).
    """
    current = policy.current_policy()
    errors: dict[str, str] = {}
    if request.method == "POST":
        changes: dict[str, str] = {}
        for key in settings.EDITABLE:
            raw = request.form.get(key)
            if raw is None or raw.strip() == str(getattr(current, key.lower())):
                continue
            try:
                settings.parse(key, raw)
            except settings.SettingError as exc:
                errors[key] = exc.message.render(_)
            changes[key] = raw
        if not errors:
            with transaction():
                for key, raw in changes.items():
                    settings.save(key, raw, getattr(current, key.lower()), current_user)
            policy.forget()
            flash(_("已保存"), "ok")
            return redirect(url_for("admin.settings_page"))
    fields = [
        (key, label, getattr(current, key.lower()))
        for key, (label, *_rest) in settings.EDITABLE.items()
    ]
    return render_template(
        "admin/settings.html", fields=fields, errors=errors
    ), 422 if errors else 200


# --- API tokens -----------------------------------------------------------------------------------


@bp.route("/api-tokens", methods=["GET", "POST"])
@role_required(Role.admin)
def list_api_tokens():
    """The console's API tokens with state and last use; issue one (shown once), revoke."""
    form = ApiTokenForm()
    issued = None
    if form.validate_on_submit():
        try:
            with transaction():
                issued = api_tokens.issue(
                    form.name.data, current_user, write=form.write.data, days=form.days.data
                )
        except api_tokens.TokenError as exc:
            form.days.errors.append(exc.message.render(_))
    now = utcnow()
    tokens = [(token, api_tokens.state(token, now)) for token in api_tokens.all_tokens()]
    return render_template(
        "admin/api_tokens.html",
        form=form,
        tokens=tokens,
        issued=issued,
        state_labels=api_tokens.STATE_LABELS,
    ), 422 if form.errors else 200


@bp.post("/api-tokens/<int:token_id>/revoke")
@role_required(Role.admin)
def revoke_api_token(token_id: int):
    """Revoke an API token for good."""
    try:
        with transaction():
            token = api_tokens.revoke(token_id, current_user)
    except api_tokens.TokenError:
        abort(404)
    flash(_("已吊销 API 令牌「%(name)s」", name=token.name), "ok")
    return redirect(url_for("admin.list_api_tokens"))
